"""The corpus layer: file layout, document ids, splits.yaml, kb and allowlist, and
documents read once, validated, and turned into the document model.

Every tool reads the corpus through this package (see ARCHITECTURE.md).
"""

from __future__ import annotations

from .document import (Argument, Attribution, Document, Entity, Event, InvalidCorpus, Mention, Span, Timex,
                       Zone, from_data)
from .kb import KB, AllowEntry, apply_allowlist, load_allowlist, load_kb, load_kb_data
from .layout import (DOC_ID, NOT_DOCUMENTS, SPLITS_FILE, annotation_files, annotation_names, annotation_path,
                     document_ids, is_doc_id, relative, symlinks, text_path)
from .reader import iter_documents, load_document, load_splits, split_of
from .splits import Splits, check_stories, read_splits

__all__ = [
    "Argument", "Attribution", "Document", "Entity", "Event", "InvalidCorpus", "Mention", "Span", "Timex", "Zone",
    "from_data", "KB", "AllowEntry", "apply_allowlist", "load_allowlist", "load_kb", "load_kb_data", "DOC_ID",
    "NOT_DOCUMENTS", "SPLITS_FILE", "annotation_files", "annotation_names", "annotation_path", "document_ids",
    "is_doc_id", "relative", "symlinks", "text_path", "iter_documents", "load_document", "load_splits",
    "split_of", "Splits", "check_stories", "read_splits",
]

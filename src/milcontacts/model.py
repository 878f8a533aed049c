"""The corpus as Python objects: documents with their layers, and the splits.

The implementation lives in the corpus layer (:mod:`milcontacts.corpus`); this
module keeps the public names every tool imports.
"""

from __future__ import annotations

from .corpus.document import (Argument, Attribution, Document, Entity, Event, InvalidCorpus, Mention, Span,
                              Timex, Zone, from_data)
from .corpus.kb import load_kb_data
from .corpus.layout import SPLITS_FILE, document_ids
from .corpus.reader import iter_documents, load_document, load_splits, split_of

__all__ = ["Argument", "Attribution", "Document", "Entity", "Event", "InvalidCorpus", "Mention", "Span", "Timex",
           "Zone", "from_data", "load_kb_data", "SPLITS_FILE", "document_ids", "iter_documents", "load_document",
           "load_splits", "split_of"]

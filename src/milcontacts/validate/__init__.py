"""The validator: every annotation file through levels 1-5, then the corpus (level 6).

Each level adds diagnostics to one list; nothing stops at the first problem
(as in Universal Dependencies' validate.py), so a contributor sees every
problem of a pull request at once.  The levels and codes are catalogued in
:mod:`milcontacts.checks` and documented in docs/validation.md.

Layout of the package:

* :mod:`.text` level 3 on the raw text; :mod:`.document` levels 2-3 on one
  file (schema, spans, zones, names); :mod:`.references` level 4;
  :mod:`.consistency` level 5; :mod:`.corpus_checks` level 6 (splits,
  stories, links).  All pure: data in, diagnostics out.
* :mod:`.registry` which check function emits which codes.
* :mod:`.cache` the parse and diagnostics caches; :mod:`.runner` files, the
  pool and :func:`validate_corpus`.

``datasets`` and spaCy are never imported here: validation runs on every
commit and must start fast.
"""

from __future__ import annotations

from ..corpus.kb import KB, AllowEntry, apply_allowlist, load_allowlist, load_kb
from ..corpus.layout import DOC_ID, NOT_DOCUMENTS, annotation_files, relative
from ..limits import DEFAULT, Limits
from ..spans import iter_spans, occurrences, on_token_boundaries
from .cache import (_CHECK_SOURCES, _FINGERPRINTS, _PARSE_SOURCES, CACHE_VERSION, ParseCache, cache_key,
                    diagnostics_key, fingerprints, kb_fingerprint)
from .document import check_document
from .runner import FileResult, Job, Report, check_file, validate_corpus, validate_file
from .text import RawText, raw_from_bytes, read_raw

__all__ = [
    "KB", "AllowEntry", "apply_allowlist", "load_allowlist", "load_kb", "DOC_ID", "NOT_DOCUMENTS",
    "annotation_files", "relative", "DEFAULT", "Limits", "iter_spans", "occurrences", "on_token_boundaries",
    "CACHE_VERSION", "ParseCache", "cache_key", "diagnostics_key", "fingerprints", "kb_fingerprint",
    "check_document", "FileResult", "Job", "Report", "check_file", "validate_corpus", "validate_file",
    "RawText", "raw_from_bytes", "read_raw",
]

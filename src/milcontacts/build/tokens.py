"""The tokens and sentences of each text, cached so that a rebuild never runs spaCy again.

The ``ner`` and ``events`` rows need the loading script's :func:`segment`
(spaCy's French tokenizer and sentencizer, zone by zone, split at name
boundaries).  Importing spaCy's French data alone costs seconds, and the
texts never change (their sha256 is checked by the validator), so the
segmentation of a text is stored under ``CACHE/tokens/`` and handed back to
the script through its one seam, the ``Document.segmenter`` attribute.

An entry is keyed by (see :func:`segmentation_key`):

* the text's sha256;
* the tokenizer: spaCy's version (read from the package metadata, so a warm
  build never imports spaCy), the pipeline (``blank("fr")`` + ``sentencizer``)
  and the sha256 of the loading script, whose ``segment`` sets the rules;
* the two things ``segment`` reads from the annotation: the zones' bounds and
  the name mentions' bounds (a token is split at a name boundary).

Entries are :class:`~milcontacts.validate.cache.ParseCache` entries (key and
payload sha256 recorded, written in packs by :meth:`TokenCache.flush`); an entry that cannot be read, is
corrupt, misfiled or does not describe tokens inside the document's zones is
ignored, recomputed and rewritten.  The folder is safe to delete.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from ..validate.cache import ParseCache

#: Bumped when the entry format changes.
TOKENS_VERSION = "1"
#: The pipeline ``segment`` runs (part of the key: a change of settings is a new key).
PIPELINE = 'spacy.blank("fr") + sentencizer(default punct_chars); zone by zone; split at NAM bounds'


def tokenizer_fingerprint(script: Path) -> str:
    """spaCy's version, the pipeline and the loading script's bytes, without importing spaCy."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        spacy_version = version("spacy")
    except PackageNotFoundError:
        spacy_version = "missing"
    h = hashlib.sha256(f"milcontacts-tokens-{TOKENS_VERSION}\0spacy {spacy_version}\0{PIPELINE}\0".encode())
    h.update(Path(script).read_bytes())
    return h.hexdigest()


def segmentation_inputs(module: ModuleType, doc: Any) -> tuple[list[list[int]], list[list[int]]]:
    """(zone bounds, name-mention bounds): what ``segment`` reads from the annotation."""
    zones = [[z["start"], z["end"]] for z in doc.data["zones"]]
    names = sorted({(m["start"], m["end"]) for _, m, _ in module.name_mentions(doc.data)})
    return zones, [list(n) for n in names]


def segmentation_key(text_sha256: str, fingerprint: str, zones: list[list[int]], names: list[list[int]]) -> str:
    """Cache key of one text's sentences (see the module docstring)."""
    h = hashlib.sha256(f"milcontacts-sentences\0{fingerprint}\0{text_sha256}\0".encode())
    h.update(json.dumps([zones, names], separators=(",", ":")).encode())
    return h.hexdigest()


def encode(doc: Any, sentences: list[Any]) -> list[list[Any]]:
    """Sentences as JSON: ``[[zone index, [[start, end], ...]], ...]``."""
    index = {id(zone): i for i, zone in enumerate(doc.data["zones"])}
    return [[index[id(s.zone)], [list(t) for t in s.tokens]] for s in sentences]


def decode(module: ModuleType, doc: Any, entry: Any) -> list[Any] | None:
    """The script's ``Sentence`` objects of an entry, or None if it does not fit the document
    (then it is recomputed: an entry is never trusted beyond what it can be checked for)."""
    zones = doc.data["zones"]
    if not isinstance(entry, list):
        return None
    out = []
    for item in entry:
        if not (isinstance(item, list) and len(item) == 2 and type(item[0]) is int
                and 0 <= item[0] < len(zones) and isinstance(item[1], list) and item[1]):
            return None
        zone = zones[item[0]]
        lo, hi = zone["start"], zone["end"]
        tokens = []
        for tok in item[1]:
            if not (isinstance(tok, list) and len(tok) == 2 and type(tok[0]) is int and type(tok[1]) is int
                    and lo <= tok[0] < tok[1] <= hi and (not tokens or tokens[-1][1] <= tok[0])):
                return None
            tokens.append((tok[0], tok[1]))
        out.append(module.Sentence(zone, tokens))
    return out


class TokenCache:
    """Sentences of texts under ``directory/tokens`` (see the module docstring).

    :meth:`segmenter` gives the function the loading script calls instead of
    its own ``segment``: it answers from the cache and runs ``segment`` (and so
    imports spaCy) only for a text whose entry is missing or unusable.
    """

    def __init__(self, directory: Path, script: Path):
        self.store = ParseCache(Path(directory), "tokens")
        self.fingerprint = tokenizer_fingerprint(script)
        self.hits = 0
        self.misses = 0

    def flush(self) -> None:
        """Write the entries computed since the last flush (see :class:`ParseCache`)."""
        self.store.flush()

    def segmenter(self, module: ModuleType, text_sha256: str) -> Callable[[Any], list[Any]]:
        """``segment`` for the document whose text has this sha256, through the cache."""

        def segment(doc: Any) -> list[Any]:
            zones, names = segmentation_inputs(module, doc)
            key = segmentation_key(text_sha256, self.fingerprint, zones, names)
            sentences = decode(module, doc, self.store.get(key))
            if sentences is not None:
                self.hits += 1
                return sentences
            self.misses += 1
            sentences = module.segment(doc)
            self.store.put(key, encode(doc, sentences))
            return sentences

        return segment

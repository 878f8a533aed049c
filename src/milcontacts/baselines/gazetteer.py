"""``gazetteer``: kb names and aliases matched in the text, with their type and kb id.

It learns from the training documents which kb entries exist: to tag a
document it knows only the kb entries linked from its training documents
(the other folds, or the other splits), so it never sees the names of the
text it tags.  Every match is written with the kb id of its entry (entity
linking); mentions with the same id corefer.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable, Sequence

from .. import schema
from ..model import Document
from ..validate import on_token_boundaries
from .common import Mention, entity_items, scored_zones

LAYERS = ("entities",)
LEARNS = True


def kb_links(docs: Iterable[Document]) -> dict[str, frozenset[str]]:
    """document id -> the kb entity ids its entities link to."""
    return {d.id: frozenset(e.kb for e in d.entities if e.kb) for d in docs}


def visible_kb(links: dict[str, frozenset[str]], doc_id: str) -> frozenset[str]:
    """The kb ids linked from at least one document other than ``doc_id``."""
    return frozenset(k for other, ids in links.items() if other != doc_id for k in ids)


def build_linker(kb_entities: Sequence[dict], allowed: Iterable[str] | None = None) -> dict[str, tuple[str, str]]:
    """surface string -> (entity type, kb id), from kb names and aliases.

    Only entries in ``allowed`` (all when None).  A string listed under
    several entries takes the type most entries give it (ties: schema
    order) and, among the entries of that type, the first id in sorted
    order, so the result never depends on file order.
    """
    keep = None if allowed is None else set(allowed)
    votes: dict[str, Counter] = defaultdict(Counter)
    ids: dict[tuple[str, str], list[str]] = defaultdict(list)
    for entry in kb_entities:
        if keep is not None and entry["id"] not in keep:
            continue
        for surface in {entry["name"], *entry.get("aliases", [])}:
            if surface.strip():
                votes[surface][entry["type"]] += 1
                ids[(surface, entry["type"])].append(entry["id"])
    order = {t: i for i, t in enumerate(schema.enum("entity_type"))}
    out = {}
    for s, c in sorted(votes.items()):
        etype = min(c, key=lambda t: (-c[t], order.get(t, len(order)), t))
        out[s] = (etype, min(ids[(s, etype)]))
    return out


def build_gazetteer(kb_entities: Sequence[dict], allowed: Iterable[str] | None = None) -> dict[str, str]:
    """surface string -> entity type (see :func:`build_linker`)."""
    return {s: t for s, (t, _) in build_linker(kb_entities, allowed).items()}


def gazetteer_mentions(text: str, gazetteer: dict[str, str] | dict[str, tuple[str, str]],
                       zones: Sequence[tuple[int, int]]) -> list[Mention]:
    """Leftmost-longest matches of gazetteer strings inside ``zones``.

    A match must start and end on token boundaries (not inside a word, as the
    validator defines it) and lie inside one zone.  Matching is exact and
    case-sensitive.  After a match the scan resumes at its end, so matches
    never overlap (names are flat).  With a linker (values (type, kb id))
    the mentions carry their kb id.
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
            value = gazetteer[hit]
            etype, kb = value if isinstance(value, tuple) else (value, None)
            out.append(Mention(i, i + len(hit), etype, kb))
            i += len(hit)
    return out


def train(docs: Sequence[Document], kb: dict) -> dict[str, tuple[str, str]]:
    """The linker of the kb entries linked from the training documents."""
    allowed = {e.kb for d in docs for e in d.entities if e.kb}
    return build_linker(kb.get("entities", []) or [], allowed)


def predict(linker: dict[str, tuple[str, str]], doc: Document) -> dict[str, list]:
    return {"entities": entity_items(gazetteer_mentions(doc.text, linker, scored_zones(doc)), linked=True)}

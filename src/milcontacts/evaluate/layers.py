"""Gold units of a document, and the scores of one document (every layer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from ..model import Document
from .coref import clusters_by_key, coref_counts
from .metrics import (GoldArg, GoldAttr, PredArg, Score, Span2, Table, TimexUnit, TokenIndex, Unit, overlaps,
                      score_arguments, score_attributions, score_units, timex_values)
from .predictions import Prediction

#: The scores reported, in order, with the prediction layer each one reads.
SCORES: dict[str, str] = {
    "entities": "entities",
    "entities_conll": "entities",
    "entity_linking": "entities",
    "entity_coreference": "entities",
    "timexes": "timexes",
    "event_triggers": "events",
    "event_types": "events",
    "event_arguments": "events",
    "event_coreference": "events",
    "attribution_cues": "attributions",
    "attribution_sources": "attributions",
    "attribution_contents": "attributions",
}

TITLES: dict[str, str] = {
    "entities": "entities, fine types (NAM mentions)",
    "entities_conll": "entities, CoNLL-2003 types (PER ORG LOC MISC)",
    "entity_linking": "entity linking (span + kb id)",
    "entity_coreference": "entity coreference within documents (NAM mentions; CoNLL = mean of MUC, B3, CEAF-e)",
    "timexes": "time expressions (span + type)",
    "event_triggers": "event triggers, identification (span)",
    "event_types": "event triggers, classification (span + type)",
    "event_arguments": "event arguments (event + role + filler)",
    "event_coreference": "event coreference across documents (kb ids; CoNLL = mean of MUC, B3, CEAF-e)",
    "attribution_cues": "attribution cues",
    "attribution_sources": "attribution sources (cue + source)",
    "attribution_contents": "attribution contents (cue + content)",
}

#: Scores computed only when the file asks for them (a ``kb`` or ``cluster``
#: key on some entity, a ``kb`` key on some event): files without those keys
#: score exactly as before.
OPTIONAL_SCORES = ("entity_linking", "entity_coreference", "event_coreference")

#: The CoNLL-2003 mapping used for benchmarks.  The CoNLL classes
#: are themselves fine types, so a CoNLL tagger's output maps onto itself.
CONLL: dict[str, str] = {"PER": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
                         "NORP": "MISC", "EVENT": "MISC", "MISC": "MISC"}
CONLL_TYPES = ("PER", "ORG", "LOC", "MISC")

# --------------------------------------------------------------------------
# Gold units, and scoring one document
# --------------------------------------------------------------------------

def boilerplate(doc: Document) -> list[Span2]:
    return [(z.start, z.end) for z in doc.zones if z.type == "boilerplate"]


def in_any(span: Span2, ranges: Sequence[Span2]) -> bool:
    return any(overlaps(span, r) for r in ranges)


def gold_entities(doc: Document) -> list[Unit]:
    """NAM mentions outside boilerplate zones, with their entity's fine type."""
    skip = boilerplate(doc)
    return [Unit(m.start, m.end, e.type) for m, e in doc.name_mentions() if not in_any((m.start, m.end), skip)]


def conll(units: Iterable[Unit]) -> list[Unit]:
    return [Unit(u.start, u.end, CONLL[u.type]) for u in units]


def _fillers(doc: Document, ref: str | None, span: Any) -> tuple[Span2, ...]:
    if span is not None:
        return ((span.start, span.end),)
    ent = doc.entity(ref) if ref else None
    if ent is not None:
        return tuple(sorted({(m.start, m.end) for m in ent.mentions}))
    tx = next((t for t in doc.timexes if t.id == ref), None)
    return ((tx.start, tx.end),) if tx is not None else ()


@dataclass
class DocResult:
    """The scores of one document, and what was left out of scoring."""

    scores: dict[str, Score]
    ignored: int = 0   # predicted units inside boilerplate zones
    #: event mentions for cross-document coreference: (gold, predicted) lists
    #: of ((start, end), kb id or None), outside boilerplate
    event_mentions: tuple[list, list] | None = None


def requested(preds: Iterable[Prediction]) -> set[str]:
    """The optional scores a prediction file asks for (see OPTIONAL_SCORES)."""
    out: set[str] = set()
    for p in preds:
        for u in p.entities or []:
            if getattr(u, "linked", False):
                out |= {"entity_linking", "entity_coreference"}
            if getattr(u, "cluster", None) is not None:
                out.add("entity_coreference")
        if any(v.linked for v in p.events or []):
            out.add("event_coreference")
    return out


def gold_entity_clusters(doc: Document) -> list[tuple[Span2, str]]:
    """(span, entity id) of the NAM mentions outside boilerplate: the gold coreference chains."""
    skip = boilerplate(doc)
    return [((m.start, m.end), e.id) for m, e in doc.name_mentions() if not in_any((m.start, m.end), skip)]


def score_document(doc: Document, pred: Prediction | None, layers: set[str],
                   index: Callable[[], TokenIndex] | None = None, optional: Iterable[str] = ()) -> DocResult:
    """Score the ``layers`` of one document (``pred`` None: an empty prediction).

    ``optional``: the OPTIONAL_SCORES to compute as well (those the file asks for).
    """
    optional = set(optional)
    skip = boilerplate(doc)
    scores: dict[str, Score] = {}
    ignored = 0
    event_mentions = None

    def keep(items: list, anchor: Callable[[Any], Span2]) -> list:
        nonlocal ignored
        kept = [x for x in items if not in_any(anchor(x), skip)]
        ignored += len(items) - len(kept)
        return kept

    def given(name: str) -> list:
        return list(getattr(pred, name) or []) if pred is not None else []

    if "entities" in layers:
        gold = gold_entities(doc)
        p = keep(given("entities"), lambda u: u.span)
        scores["entities"] = Score(1, *score_units(gold, p))
        scores["entities_conll"] = Score(1, *score_units(conll(gold), conll(p)))
        if "entity_linking" in optional:
            g_link = [Unit(m.start, m.end, e.kb) for m, e in doc.name_mentions()
                      if e.kb and not in_any((m.start, m.end), skip)]
            p_link = [Unit(u.start, u.end, u.kb) for u in p if getattr(u, "kb", None)]
            strict, partial = score_units(g_link, p_link)
            scores["entity_linking"] = Score(1, Table(strict.overall), Table(partial.overall))
        if "entity_coreference" in optional:
            key = clusters_by_key(gold_entity_clusters(doc))
            response = clusters_by_key((u.span, getattr(u, "coref_key", None)) for u in p)
            scores["entity_coreference"] = Score(1, coref=coref_counts(key, response))
    if "timexes" in layers:
        gold_t = [TimexUnit(t.start, t.end, t.type, t.value) for t in doc.timexes if not in_any((t.start, t.end), skip)]
        p_t = keep(given("timexes"), lambda u: u.span)
        scores["timexes"] = Score(1, *score_units(gold_t, p_t), value=timex_values(gold_t, p_t))
    if "events" in layers:
        events = [v for v in doc.events if not in_any((v.trigger.start, v.trigger.end), skip)]
        p_v = keep(given("events"), lambda v: v.trigger)
        g_trig = [Unit(v.trigger.start, v.trigger.end, v.type) for v in events]
        p_trig = [Unit(v.trigger[0], v.trigger[1], v.type) for v in p_v]
        scores["event_triggers"] = Score(1, *score_units(g_trig, p_trig, typed=False))
        scores["event_types"] = Score(1, *score_units(g_trig, p_trig))
        g_args = [GoldArg((v.trigger.start, v.trigger.end, v.type), a.role, _fillers(doc, a.ref, a.span))
                  for v in events for a in v.arguments]
        p_args = [PredArg((*v.trigger, v.type), role, span) for v in p_v for role, span in v.arguments]
        scores["event_arguments"] = Score(1, *score_arguments(g_args, p_args))
        if "event_coreference" in optional:
            event_mentions = ([((v.trigger.start, v.trigger.end), v.kb) for v in events],
                              [(v.trigger, v.kb) for v in p_v])
    if "attributions" in layers:
        attrs = [a for a in doc.attributions if not in_any((a.cue.start, a.cue.end), skip)]
        p_a = keep(given("attributions"), lambda a: a.cue)
        g_a = [GoldAttr((a.cue.start, a.cue.end), a.type,
                        _fillers(doc, a.source_ref, a.source_span),
                        frozenset((c.start, c.end) for c in a.content)) for a in attrs]
        idx = index() if index is not None else TokenIndex.of(doc.text)
        res = score_attributions(g_a, p_a, idx)
        scores["attribution_cues"] = Score(1, *res.cues)
        scores["attribution_sources"] = Score(1, *res.sources)
        scores["attribution_contents"] = Score(1, *res.contents, tokens=res.content_tokens)
    return DocResult(scores, ignored, event_mentions)


def gold_line(doc: Document, links: bool = True) -> dict[str, Any]:
    """The gold of ``doc`` written as a prediction line (every layer).

    Scoring it gives 1.0 everywhere: a check of the scorer, and an example
    of the format.  With ``links`` entities carry their ``kb`` id and
    ``cluster`` (the entity id) and events their ``kb`` id; without, the
    line is in the format before those keys existed.  An argument or source that refers to an entity is
    written as the entity's first name mention (first mention if it has no
    name), in text order.
    """
    def filler(ref: str | None, span: Any) -> dict[str, int]:
        if span is not None:
            return {"start": span.start, "end": span.end}
        ent = doc.entity(ref) if ref else None
        if ent is not None:
            m = min(ent.mentions, key=lambda m: (m.kind != "NAM", m.start, m.end))
            return {"start": m.start, "end": m.end}
        tx = next(t for t in doc.timexes if t.id == ref)
        return {"start": tx.start, "end": tx.end}

    return {
        "doc_id": doc.id,
        "entities": [{"start": m.start, "end": m.end, "type": e.type,
                      **({"kb": e.kb, "cluster": e.id} if links else {})} for m, e in doc.name_mentions()],
        "timexes": [{"start": t.start, "end": t.end, "type": t.type, "value": t.value} for t in doc.timexes],
        "events": [{"trigger": {"start": v.trigger.start, "end": v.trigger.end}, "type": v.type,
                    "arguments": [{"role": a.role, **filler(a.ref, a.span)} for a in v.arguments],
                    **({"kb": v.kb} if links else {})}
                   for v in doc.events],
        "attributions": [{"cue": {"start": a.cue.start, "end": a.cue.end},
                          "source": filler(a.source_ref, a.source_span),
                          "content": [{"start": c.start, "end": c.end} for c in a.content],
                          "type": a.type} for a in doc.attributions],
    }



"""An evaluation run: scope, loading, per-document scores and their totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import schema
from ..model import Document, document_ids, load_document, load_splits
from .layers import CONLL_TYPES, SCORES, score_document
from .metrics import Accuracy, Counts, Score, Table
from .predictions import LAYERS, parse_predictions


class UsageError(Exception):
    """The command was called wrongly (exit 2)."""


# --------------------------------------------------------------------------
# The whole run
# --------------------------------------------------------------------------

@dataclass
class Result:
    """An evaluation: scope, and one :class:`Score` per score name."""

    predictions: str
    split: str | None
    documents: list[str]                 # documents in scope, sorted
    predicted: int                       # of those, how many have a prediction line
    missing: list[str]                   # in scope without a prediction line
    outside_scope: int                   # prediction lines for documents not in the split
    ignored_boilerplate: int
    layers: list[str]                    # prediction layers the file covers
    scores: dict[str, Score] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        layers: dict[str, Any] = {}
        for name in SCORES:
            s = self.scores.get(name, Score())
            entry: dict[str, Any] = {"documents": s.documents, **s.strict.overall.to_json(),
                                     "per_type": {t: c.to_json() for t, c in s.strict.per_type}}
            entry["partial"] = {**s.partial.overall.to_json(),
                                "per_type": {t: c.to_json() for t, c in s.partial.per_type}}
            if name == "timexes":
                entry["value"] = (s.value or Accuracy()).to_json()
            if name == "attribution_contents":
                entry["tokens"] = (s.tokens or Counts()).to_json()
            layers[name] = entry
        return {
            "scope": {
                "predictions": self.predictions,
                "split": self.split,
                "documents": len(self.documents),
                "predicted": self.predicted,
                "missing": self.missing,
                "outside_scope": self.outside_scope,
                "ignored_in_boilerplate": self.ignored_boilerplate,
                "layers": self.layers,
            },
            "layers": layers,
        }


def _type_order(name: str) -> list[str]:
    if name == "entities_conll":
        return list(CONLL_TYPES)
    enum_name = {"entities": "entity_type", "timexes": "timex_type", "event_types": "event_type",
                 "event_arguments": "role", "attribution_cues": "attribution_type"}.get(name)
    return list(schema.enum(enum_name)) if enum_name else []


def _ordered(name: str, score: Score) -> Score:
    """Per-type rows in schema order (the order people read the types in)."""
    order = {t: i for i, t in enumerate(_type_order(name))}

    def sort(t: Table) -> Table:
        return Table(t.overall, tuple(sorted(t.per_type, key=lambda kv: (order.get(kv[0], len(order)), kv[0]))))

    return Score(score.documents, sort(score.strict), sort(score.partial), score.value, score.tokens)


def evaluate(root: Path, predictions: Path, split: str | None = None, display: str | None = None,
             documents: dict[str, Document] | None = None) -> Result:
    """Check ``predictions`` and score it against the gold of ``root``.

    Scope: the documents of ``split``, or every annotated document.  A
    document in scope without a prediction line counts as an empty
    prediction on every layer the file covers (the layers present in at
    least one line; all four for a file without lines).  ``documents``
    lets a caller that already loaded the corpus pass it in.
    """
    root = Path(root)
    display = display or str(predictions)
    if not (root / "annotations").is_dir():
        raise UsageError(f"{root} has no annotations/ folder (ROOT is the corpus root)")
    ids = document_ids(root)
    known = set(ids)
    if split is not None:
        splits = load_splits(root)
        if split not in splits:
            raise UsageError(f"unknown split {split!r}; splits.yaml has: {', '.join(splits) or 'none'}")
        scope = sorted(splits[split])
    else:
        scope = ids
    docs: dict[str, Document] = dict(documents or {})

    def doc(doc_id: str) -> Document:
        if doc_id not in docs:
            docs[doc_id] = load_document(root, doc_id)
        return docs[doc_id]

    try:
        with open(predictions, "rb") as fh:
            lines = fh.read().split(b"\n")
    except OSError as exc:
        raise UsageError(f"cannot read {display}: {exc.strerror}") from None
    preds = parse_predictions(lines, display, known, lambda d: doc(d).text)
    by_id = {p.doc_id: p for p in preds}
    covered = set().union(*(p.layers() for p in preds)) if preds else set(LAYERS)
    in_scope = set(scope)
    totals: dict[str, Score] = {}
    ignored = 0
    for doc_id in scope:
        pred = by_id.get(doc_id)
        result = score_document(doc(doc_id), pred, pred.layers() if pred else covered)
        ignored += result.ignored
        for name, s in result.scores.items():
            totals[name] = totals.get(name, Score()) + s
    return Result(
        predictions=display, split=split, documents=scope,
        predicted=sum(d in by_id for d in scope),
        missing=[d for d in scope if d not in by_id],
        outside_scope=sum(p.doc_id not in in_scope for p in preds),
        ignored_boilerplate=ignored,
        layers=[name for name in LAYERS if name in covered],
        scores={name: _ordered(name, s) for name, s in totals.items()},
    )



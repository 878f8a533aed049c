"""An evaluation run: scope, loading, per-document scores and their totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from .. import schema
from ..model import Document, document_ids, load_document, load_splits
from .bootstrap import LEVEL, RESAMPLES, SEED, Resampler, coref_from_weights, coref_intervals
from .coref import METRICS, CorefCounts, clusters_by_key, coref_counts
from .layers import CONLL_TYPES, SCORES, requested, score_document
from .metrics import Accuracy, Counts, Score, Table
from .predictions import LAYERS, Prediction, parse_predictions


class UsageError(Exception):
    """The command was called wrongly (exit 2)."""


# --------------------------------------------------------------------------
# The whole run
# --------------------------------------------------------------------------

@dataclass
class Result:
    """An evaluation: scope, one :class:`Score` per score name, and the
    per-document scores the confidence intervals are drawn from."""

    predictions: str
    split: str | None
    documents: list[str]                 # documents in scope, sorted
    predicted: int                       # of those, how many have a prediction line
    missing: list[str]                   # in scope without a prediction line
    outside_scope: int                   # prediction lines for documents not in the split
    ignored_boilerplate: int
    layers: list[str]                    # prediction layers the file covers
    scores: dict[str, Score] = field(default_factory=dict)
    #: document id -> score name -> that document's Score (for resampling)
    per_doc: dict[str, dict[str, Score]] = field(default_factory=dict, repr=False)
    #: document id -> (gold, predicted) event mentions, when event coreference is scored
    event_mentions: dict[str, tuple[list, list]] = field(default_factory=dict, repr=False)
    resamples: int = RESAMPLES
    seed: int = SEED
    _ci: dict[str, dict[str, Any]] | None = field(default=None, repr=False)

    def doc_scores(self, name: str) -> list[Score]:
        """The Score of ``name`` for each document in scope (empty where not scored)."""
        return [self.per_doc.get(d, {}).get(name, Score()) for d in self.documents]

    def intervals(self) -> dict[str, dict[str, Any]]:
        """95 % bootstrap intervals of every score (computed once, fixed seed)."""
        if self._ci is None:
            self._ci = compute_intervals(self)
        return self._ci

    def to_json(self) -> dict[str, Any]:
        layers: dict[str, Any] = {}
        cis = self.intervals()
        for name in SCORES:
            s = self.scores.get(name, Score())
            ci = cis.get(name, {})
            entry: dict[str, Any] = {"documents": s.documents, **s.headline(), "ci": ci.get("strict", _NO_CI)}
            if s.coref is None:
                entry.update({"tp": s.strict.overall.tp, "fp": s.strict.overall.fp, "fn": s.strict.overall.fn})
            entry["macro"] = {**s.macro(), "ci": ci.get("macro", _NO_CI)}
            entry["per_type"] = {t: {**c.to_json(), "ci": ci.get("per_type", {}).get(t, _NO_CI)}
                                 for t, c in s.strict.per_type}
            entry["partial"] = {**s.partial.overall.to_json(), "ci": ci.get("partial", _NO_CI),
                                "per_type": {t: c.to_json() for t, c in s.partial.per_type}}
            if name == "timexes":
                entry["value"] = (s.value or Accuracy()).to_json()
            if name == "attribution_contents":
                entry["tokens"] = {**(s.tokens or Counts()).to_json(), "ci": ci.get("tokens", _NO_CI)}
            if name in ("entity_coreference", "event_coreference"):
                coref = (s.coref or CorefCounts()).to_json()
                for metric in METRICS:
                    coref[metric]["ci"] = ci.get("strict", {}).get(metric, _NO_CI)
                entry.update({m: coref[m] for m in METRICS})
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
            "bootstrap": {"resamples": self.resamples, "seed": self.seed, "level": LEVEL,
                          "unit": "document", "method": "percentile"},
            "layers": layers,
        }


_NO_CI: dict[str, Any] = {"precision": None, "recall": None, "f1": None}


def compute_intervals(result: Result) -> dict[str, dict[str, Any]]:
    """Bootstrap intervals (documents resampled) of every score of ``result``."""
    rs = Resampler(len(result.documents), result.resamples, result.seed)
    out: dict[str, dict[str, Any]] = {}
    for name, total in result.scores.items():
        per_doc = result.doc_scores(name)
        if name == "event_coreference":
            # not a sum over documents: recompute the clustering of each resample (once per resample)
            pairs = [result.event_mentions.get(d, ([], [])) for d in result.documents]
            sums = np.array([coref_from_weights(pairs, row, event_coref).vector() for row in rs.w], float)
            strict = coref_intervals(sums.reshape(-1, 12))
            out[name] = {"strict": strict, "macro": {k: strict[k] for k in ("precision", "recall", "f1")}}
            continue
        if total.coref is not None:
            strict = rs.coref([s.coref for s in per_doc])
            out[name] = {"strict": strict, "macro": {k: strict[k] for k in ("precision", "recall", "f1")}}
            continue
        types = [t for t, _ in total.strict.per_type]
        entry: dict[str, Any] = {
            "strict": rs.counts([s.strict.overall for s in per_doc]),
            "macro": rs.macro(per_doc, types),
            "partial": rs.counts([s.partial.overall for s in per_doc]),
            "per_type": {t: rs.counts([s.strict.types().get(t) for s in per_doc]) for t in types},
        }
        if total.tokens is not None:
            entry["tokens"] = rs.counts([s.tokens for s in per_doc])
        out[name] = entry
    return out


def event_coref(gold: list, pred: list) -> CorefCounts:
    """Cross-document event coreference: mentions clustered by kb id (None: a singleton)."""
    return coref_counts(clusters_by_key(gold), clusters_by_key(pred))


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

    return Score(score.documents, sort(score.strict), sort(score.partial), score.value, score.tokens, score.coref)


def read_lines(predictions: Path, display: str) -> list[bytes]:
    """The raw lines of a prediction file (a usage error if it cannot be read)."""
    try:
        with open(predictions, "rb") as fh:
            return fh.read().split(b"\n")
    except OSError as exc:
        raise UsageError(f"cannot read {display}: {exc.strerror}") from None


def scope_of(root: Path, split: str | None) -> list[str]:
    """The documents of ``split`` (sorted), or every annotated document."""
    if split is None:
        return document_ids(root)
    splits = load_splits(root)
    if split not in splits:
        raise UsageError(f"unknown split {split!r}; splits.yaml has: {', '.join(splits) or 'none'}")
    return sorted(splits[split])


def evaluate(root: Path, predictions: Path, split: str | None = None, display: str | None = None,
             documents: dict[str, Document] | None = None, ids: Sequence[str] | None = None,
             resamples: int = RESAMPLES, seed: int = SEED) -> Result:
    """Check ``predictions`` and score it against the gold of ``root``.

    Scope: the documents ``ids`` (cross-validation folds), else those of
    ``split``, else every annotated document.  A document in scope without
    a prediction line counts as an empty prediction on every layer the file
    covers (the layers present in at least one line; all four for a file
    without lines).  ``documents`` lets a caller that already loaded the
    corpus pass it in.  ``resamples`` and ``seed`` set the bootstrap.
    """
    root = Path(root)
    display = display or str(predictions)
    preds, doc, known = load_predictions(root, predictions, display, documents)
    scope = sorted(ids) if ids is not None else scope_of(root, split)
    return score_predictions(preds, scope, doc, display, split, resamples, seed)


def load_predictions(root: Path, predictions: Path, display: str, documents: dict[str, Document] | None = None
                     ) -> tuple[list[Prediction], Callable[[str], Document], list[str]]:
    """Read and check a prediction file: (predictions, a document loader, every document id).

    Raises :class:`UsageError` (no corpus, unreadable file) or
    :class:`PredictionErrors` (``FILE:LINE: message`` for each bad line).
    """
    root = Path(root)
    if not (root / "annotations").is_dir():
        raise UsageError(f"{root} has no annotations/ folder (ROOT is the corpus root)")
    ids = document_ids(root)
    docs: dict[str, Document] = dict(documents or {})

    def doc(doc_id: str) -> Document:
        if doc_id not in docs:
            docs[doc_id] = load_document(root, doc_id)
        return docs[doc_id]

    preds = parse_predictions(read_lines(predictions, display), display, set(ids), lambda d: doc(d).text)
    return preds, doc, ids


def score_predictions(preds: list[Prediction], scope: Sequence[str], doc: Callable[[str], Document],
                      display: str, split: str | None = None, resamples: int = RESAMPLES,
                      seed: int = SEED) -> Result:
    """Score checked predictions on the documents ``scope`` (``doc`` loads one)."""
    by_id = {p.doc_id: p for p in preds}
    covered = set().union(*(p.layers() for p in preds)) if preds else set(LAYERS)
    optional = requested(preds)
    in_scope = set(scope)
    totals: dict[str, Score] = {}
    per_doc: dict[str, dict[str, Score]] = {}
    events: dict[str, tuple[list, list]] = {}
    ignored = 0
    for doc_id in scope:
        pred = by_id.get(doc_id)
        result = score_document(doc(doc_id), pred, pred.layers() if pred else covered, optional=optional)
        ignored += result.ignored
        per_doc[doc_id] = result.scores
        if result.event_mentions is not None:
            events[doc_id] = result.event_mentions
        for name, s in result.scores.items():
            totals[name] = totals.get(name, Score()) + s
    if events:
        pairs = list(events.values())
        totals["event_coreference"] = Score(len(pairs), coref=event_coref(
            [((d, m), k) for d, (g, _) in events.items() for m, k in g],
            [((d, m), k) for d, (_, p) in events.items() for m, k in p]))
    return Result(
        predictions=display, split=split, documents=list(scope),
        predicted=sum(d in by_id for d in scope),
        missing=[d for d in scope if d not in by_id],
        outside_scope=sum(p.doc_id not in in_scope for p in preds),
        ignored_boilerplate=ignored,
        layers=[name for name in LAYERS if name in covered],
        scores={name: _ordered(name, s) for name, s in totals.items()},
        per_doc=per_doc, event_mentions=events, resamples=resamples, seed=seed,
    )

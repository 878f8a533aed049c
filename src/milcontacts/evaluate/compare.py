"""``milcontacts compare A.jsonl B.jsonl``: do two systems differ, score by score?

Both files are scored on the same documents.  For each score both files
cover, the difference of F1 (A − B) gets

* a **95 % paired bootstrap interval**: documents resampled with
  replacement, the same resample for both systems, the difference
  recomputed (percentile interval);
* a **p-value by approximate randomisation** (paired permutation test over
  documents): in each of N rounds, every document's outputs of A and B are
  swapped with probability ½ and the difference recomputed; p = (1 + the
  number of rounds whose |difference| is at least the observed one) / (N +
  1).  Documents, not mentions, are swapped, for the reason the bootstrap
  resamples documents (docs/benchmark.md).

Scores that add up over documents (every count-based score, entity
coreference) are recomputed from summed per-document counts with matrix
products; cross-document event coreference is recomputed resample by
resample.  Fixed seed: the same files give the same output.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from ..model import InvalidCorpus
from .bootstrap import RESAMPLES, SEED, _div, _harmonic, interval, weights
from .core import Result, UsageError, event_coref, load_predictions, scope_of, score_predictions
from .coref import METRICS, CorefCounts
from .layers import SCORES, TITLES
from .predictions import PredictionErrors
from .report import failure, pct

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
ALPHA = 0.05


@dataclass(frozen=True)
class Comparison:
    """One score compared: the two F1, their difference, its interval and p-value."""

    score: str
    f1_a: float | None
    f1_b: float | None
    delta: float | None
    ci: list[float] | None
    p_value: float | None
    documents: int

    def to_json(self) -> dict[str, Any]:
        return {"f1_a": self.f1_a, "f1_b": self.f1_b, "delta": self.delta, "ci": self.ci,
                "p_value": self.p_value, "documents": self.documents,
                "significant": None if self.p_value is None else self.p_value < ALPHA}


def _f1_counts(m: np.ndarray) -> np.ndarray:
    tp, fp, fn = m[..., 0], m[..., 1], m[..., 2]
    return _div(2 * tp, 2 * tp + fp + fn)


def _f1_coref(m: np.ndarray) -> np.ndarray:
    f = [_harmonic(_div(m[..., 4 * k], m[..., 4 * k + 1]), _div(m[..., 4 * k + 2], m[..., 4 * k + 3]))
         for k in range(len(METRICS))]
    return np.mean(np.stack(f), axis=0)


def _additive(ra: Result, rb: Result, name: str) -> tuple[np.ndarray, np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """Per-document count matrices of both systems and the F1 of summed counts."""
    if ra.scores[name].coref is not None:
        vec = lambda s: (s.coref or CorefCounts()).vector()  # noqa: E731
        f = _f1_coref
    else:
        vec = lambda s: [s.strict.overall.tp, s.strict.overall.fp, s.strict.overall.fn]  # noqa: E731
        f = _f1_counts
    a = np.array([vec(s) for s in ra.doc_scores(name)], float)
    b = np.array([vec(s) for s in rb.doc_scores(name)], float)
    return a, b, f


def _p_value(observed: float, null: np.ndarray) -> float:
    null = null[np.isfinite(null)]
    return float((1 + np.sum(np.abs(null) >= abs(observed) - 1e-12)) / (len(null) + 1))


def compare_results(ra: Result, rb: Result, resamples: int = RESAMPLES, seed: int = SEED) -> list[Comparison]:
    """Paired bootstrap and approximate randomisation for every score both results cover."""
    n = len(ra.documents)
    w = weights(n, resamples, seed)
    swaps = np.random.default_rng(seed + 1).integers(0, 2, size=(resamples, n)).astype(float)
    out = []
    for name in SCORES:
        sa, sb = ra.scores.get(name), rb.scores.get(name)
        if sa is None or sb is None or sa.documents == 0 or sb.documents == 0:
            continue
        fa, fb = sa.headline()["f1"], sb.headline()["f1"]
        delta = None if fa is None or fb is None else fa - fb
        if name == "event_coreference":
            ci, p = _event_coref_tests(ra, rb, w, swaps, delta)
        else:
            a, b, f = _additive(ra, rb, name)
            boot = f(w @ a) - f(w @ b)
            ci = interval(boot)
            p = None
            if delta is not None:
                diff = b - a
                perm_a = a.sum(0) + swaps @ diff
                perm_b = b.sum(0) - swaps @ diff
                p = _p_value(delta, f(perm_a) - f(perm_b))
        out.append(Comparison(name, fa, fb, delta, ci, p, sa.documents))
    return out


def _event_coref_tests(ra: Result, rb: Result, w: np.ndarray, swaps: np.ndarray,
                       delta: float | None) -> tuple[list[float] | None, float | None]:
    """Bootstrap and randomisation for cross-document event coreference (recomputed per round)."""
    from .bootstrap import coref_from_weights

    docs = ra.documents
    pa = [ra.event_mentions.get(d, ([], [])) for d in docs]
    pb = [rb.event_mentions.get(d, ([], [])) for d in docs]

    def f1(pairs: Sequence[tuple[list, list]], row: np.ndarray) -> float:
        v = coref_from_weights(pairs, row, event_coref).f1
        return np.nan if v is None else v

    boot = np.array([f1(pa, row) - f1(pb, row) for row in w])
    if delta is None:
        return interval(boot), None
    ones = np.ones(len(docs))
    null = []
    for row in swaps:
        mixed_a = [(g, (b if s else a)[1]) for (g, _), a, b, s in zip(pa, pa, pb, row)]
        mixed_b = [(g, (a if s else b)[1]) for (g, _), a, b, s in zip(pa, pa, pb, row)]
        null.append(f1(mixed_a, ones) - f1(mixed_b, ones))
    return interval(boot), _p_value(delta, np.array(null))


def write_text(a: str, b: str, scope: str, comparisons: list[Comparison], resamples: int, seed: int,
               out: Any, scope_docs: Sequence[str] = ()) -> None:
    out.write(f"milcontacts compare: A = {a}, B = {b}\n")
    out.write(f"scope: {scope}; paired bootstrap over documents ({resamples} resamples) and approximate "
              f"randomisation ({resamples} rounds, documents swapped), seed {seed}\n\n")
    out.write(f"  {'score':<22} {'F1 A':>7} {'F1 B':>7} {'A−B':>7}  {'95% CI of A−B':<17} {'p':>6}  verdict\n")
    if not comparisons:
        out.write("  (no score is covered by both files: they predict different layers)\n")
    for c in comparisons:
        ci = "-" if not c.ci else f"{100 * c.ci[0]:.2f}–{100 * c.ci[1]:.2f}"
        p = "-" if c.p_value is None else f"{c.p_value:.3f}"
        verdict = ("-" if c.p_value is None else
                   ("A better" if (c.delta or 0) > 0 else "B better") if c.p_value < ALPHA else "no significant difference")
        out.write(f"  {c.score:<22} {pct(c.f1_a):>7} {pct(c.f1_b):>7} {pct(c.delta):>7}  {ci:<17} {p:>6}  {verdict}\n")
    out.write(f"\nF1 in %; p < {ALPHA} counts as a difference (no correction for the number of scores). "
              "Definitions: docs/benchmark.md\n")
    n = len(scope_docs)
    if n and 2.0 ** (1 - n) >= ALPHA:
        out.write(f"note: with {n} document(s) the smallest p-value a document-level permutation test can give "
                  f"is 2^(1-{n}) = {2.0 ** (1 - n):.3f}, not below {ALPHA}: no difference can be significant "
                  "on so few documents, whatever the scores.\n")


def run(args: argparse.Namespace) -> int:
    """Entry point of ``milcontacts compare`` (wired in cli.py)."""
    try:
        if args.resamples < 1:
            raise UsageError("--resamples must be at least 1")
        docs: dict = {}
        loaded = []
        errors: list[str] = []
        for path in (args.a, args.b):
            try:
                preds, doc, _ = load_predictions(args.root, path, str(path), docs)
                loaded.append((preds, doc))
            except PredictionErrors as exc:
                errors += exc.messages
        if errors:
            raise PredictionErrors(errors)
        scope = scope_of(args.root, args.split)
        ra, rb = (score_predictions(p, scope, d, str(path), args.split, args.resamples, args.seed)
                  for (p, d), path in zip(loaded, (args.a, args.b)))
    except (UsageError, PredictionErrors, InvalidCorpus) as exc:
        return failure("compare", exc, "invalid prediction file(s); nothing was compared")
    comparisons = compare_results(ra, rb, args.resamples, args.seed)
    where = f"split {args.split!r}" if args.split else "all documents"
    scope_text = f"{where}, {len(ra.documents)} document(s)"
    if args.format == "json":
        json.dump({"a": str(args.a), "b": str(args.b), "scope": {"split": args.split, "documents": ra.documents},
                   "method": {"interval": "paired bootstrap over documents, percentile, 95%",
                              "test": "approximate randomisation over documents", "resamples": args.resamples,
                              "seed": args.seed, "alpha": ALPHA},
                   "scores": {c.score: c.to_json() for c in comparisons}}, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        write_text(str(args.a), str(args.b), scope_text, comparisons, args.resamples, args.seed, sys.stdout,
                   ra.documents)
    return EXIT_OK


__all__ = ["Comparison", "compare_results", "run", "TITLES"]

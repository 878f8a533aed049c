"""Bootstrap confidence intervals and paired tests over documents.

Documents, not mentions, are the unit of resampling: mentions of one text
are not independent (one annotator's reading, one writer's style), so
resampling them would understate the uncertainty.  A resample draws as many
documents as the scope has, with replacement; the score is recomputed from
the summed counts of the drawn documents (a document drawn twice counts
twice).  The interval is the percentile interval (2.5th and 97.5th
percentiles) of the resampled values, ignoring resamples where the ratio is
undefined; fixed seed, so the same input always gives the same interval.

Everything is vectorised: a resample is a row of per-document weights
(how many times each document was drawn), and the resampled counts are the
product of the weight matrix with the per-document count matrix.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Sequence

import numpy as np

from .coref import METRICS, CorefCounts, f1_of
from .metrics import Counts, Score

RESAMPLES = 1000
SEED = 0
LEVEL = 0.95


def weights(n_docs: int, resamples: int = RESAMPLES, seed: int = SEED) -> np.ndarray:
    """(resamples, n_docs) matrix: how many times each document is drawn in each resample."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_docs, size=(resamples, n_docs)) if n_docs else np.zeros((resamples, 0), int)
    out = np.zeros((resamples, n_docs))
    np.add.at(out, (np.repeat(np.arange(resamples), n_docs), draws.ravel()), 1)
    return out


def interval(values: np.ndarray, level: float = LEVEL) -> list[float] | None:
    """Percentile interval of the defined (finite) values; None if none is defined."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return None
    tail = (1 - level) / 2 * 100
    lo, hi = np.percentile(v, [tail, 100 - tail])
    return [float(lo), float(hi)]


def _div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def prf(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """P, R, F1 arrays (NaN = undefined) from an (..., 3) array of tp, fp, fn."""
    tp, fp, fn = counts[..., 0], counts[..., 1], counts[..., 2]
    return _div(tp, tp + fp), _div(tp, tp + fn), _div(2 * tp, 2 * tp + fp + fn)


def _harmonic(p: np.ndarray, r: np.ndarray) -> np.ndarray:
    """F1 with the conventions of :func:`f1_of` (0 if either is 0, NaN if undefined)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where((p + r) > 0, 2 * p * r / np.where((p + r) > 0, p + r, 1), np.nan)
    return np.where((p == 0) | (r == 0), 0.0, f)


class Resampler:
    """Bootstrap intervals for the scores of a fixed list of documents."""

    def __init__(self, n_docs: int, resamples: int = RESAMPLES, seed: int = SEED):
        self.resamples, self.seed = resamples, seed
        self.w = weights(n_docs, resamples, seed)

    def counts(self, per_doc: Sequence[Counts | None]) -> dict[str, list[float] | None]:
        """Intervals of precision, recall and F1 from per-document counts."""
        m = np.array([[c.tp, c.fp, c.fn] if c is not None else [0, 0, 0] for c in per_doc], float).reshape(-1, 3)
        p, r, f = prf(self.w @ m)
        return {"precision": interval(p), "recall": interval(r), "f1": interval(f)}

    def macro(self, per_doc: Sequence[Score], types: Sequence[str]) -> dict[str, list[float] | None]:
        """Intervals of the macro-averaged (over ``types``) P, R, F1 of the strict per-type counts."""
        if not types:
            return self.counts([s.strict.overall for s in per_doc])
        per = {name: [] for name in ("precision", "recall", "f1")}
        for t in types:
            m = np.array([[c.tp, c.fp, c.fn] for c in (s.strict.types().get(t, Counts()) for s in per_doc)],
                         float).reshape(-1, 3)
            for name, arr in zip(per, prf(self.w @ m)):
                per[name].append(arr)
        out = {}
        for name, arrs in per.items():
            stack = np.vstack(arrs)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)   # a resample where no type is defined
                out[name] = interval(np.nanmean(stack, axis=0))
        return out

    def coref(self, per_doc: Sequence[CorefCounts | None]) -> dict[str, Any]:
        """Intervals of each coreference metric's P, R, F1 and of the CoNLL means."""
        m = np.array([(c or CorefCounts()).vector() for c in per_doc], float).reshape(-1, 12)
        return coref_intervals(self.w @ m)



def coref_intervals(sums: np.ndarray) -> dict[str, Any]:
    """Intervals from resampled (R, 12) coreference count vectors (see CorefCounts.vector)."""
    out: dict[str, Any] = {}
    means: dict[str, list[np.ndarray]] = {"precision": [], "recall": [], "f1": []}
    for k, metric in enumerate(METRICS):
        block = sums[:, 4 * k:4 * k + 4]
        p, r = _div(block[:, 0], block[:, 1]), _div(block[:, 2], block[:, 3])
        f = _harmonic(p, r)
        out[metric] = {"precision": interval(p), "recall": interval(r), "f1": interval(f)}
        for name, arr in zip(means, (p, r, f)):
            means[name].append(arr)
    for name, arrs in means.items():
        out[name] = interval(np.mean(np.vstack(arrs), axis=0))   # NaN if any metric is undefined
    return out


def coref_from_weights(per_doc: Sequence[tuple[list, list]], w: np.ndarray,
                       score: Callable[[list, list], CorefCounts]) -> CorefCounts:
    """Cross-document coreference of a resample: each drawn copy of a document is a document of its own.

    ``per_doc``: (gold, predicted) lists of (mention, key) per document;
    mentions of copy c of document i become (i, c, mention), keys are kept,
    so that copies of one event mention corefer with each other as they
    would with any other mention of the same kb event.
    """
    gold: list = []
    pred: list = []
    for i, (g, p) in enumerate(per_doc):
        for c in range(int(w[i])):
            gold += [((i, c, m), k) for m, k in g]
            pred += [((i, c, m), k) for m, k in p]
    return score(gold, pred)



__all__ = ["RESAMPLES", "SEED", "LEVEL", "Resampler", "interval", "prf", "weights", "coref_intervals",
           "coref_from_weights", "f1_of"]

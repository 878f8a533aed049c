"""Coreference scores: MUC, B³, CEAF-e and their mean, the CoNLL F1.

The formulas are those of Pradhan et al. (2014), "Scoring Coreference
Partitions of Predicted Mentions" (the CoNLL-2012 reference scorer):

* MUC  R = Σ_k (|k| − |p(k, R)|) / Σ_k (|k| − 1), P symmetric, where p(k, R)
  is the partition of key cluster k by the response clusters, a mention
  absent from the response being a part of its own;
* B³   R = Σ_k Σ_r |k∩r|² / |k|  /  Σ_k |k|, P symmetric;
* CEAF-e  φ4(k, r) = 2|k∩r| / (|k| + |r|), the one-to-one alignment of key
  and response clusters that maximises Σφ4 (Hungarian algorithm), R = Σφ4 /
  (number of key clusters), P = Σφ4 / (number of response clusters).

Each metric is kept as numerators and denominators (:class:`CorefCounts`),
so that the scores of several documents add up like tp/fp/fn do (a
micro-average over documents), and bootstrap resampling stays a sum.  A
ratio with a zero denominator is undefined (None); F1 is 0 when either P or
R is 0, undefined when either is undefined otherwise.  Mentions are any
hashable values (here spans, or (document, span) pairs); singletons count.
Checked against the independent ``scorch`` package in
``tests/test_coref.py``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Hashable, Iterable, Sequence

Cluster = frozenset
METRICS = ("muc", "b3", "ceafe")


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def f1_of(p: float | None, r: float | None) -> float | None:
    """Harmonic mean; 0 if either is 0, undefined if either is undefined otherwise."""
    if p == 0 or r == 0:
        return 0.0
    if p is None or r is None:
        return None
    return 2 * p * r / (p + r)


@dataclass(frozen=True)
class PR:
    """Numerators and denominators of one metric's precision and recall."""

    p_num: float = 0.0
    p_den: float = 0.0
    r_num: float = 0.0
    r_den: float = 0.0

    def __add__(self, other: "PR") -> "PR":
        return PR(self.p_num + other.p_num, self.p_den + other.p_den,
                  self.r_num + other.r_num, self.r_den + other.r_den)

    @property
    def precision(self) -> float | None:
        return _ratio(self.p_num, self.p_den)

    @property
    def recall(self) -> float | None:
        return _ratio(self.r_num, self.r_den)

    @property
    def f1(self) -> float | None:
        return f1_of(self.precision, self.recall)

    def to_json(self) -> dict[str, Any]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass(frozen=True)
class CorefCounts:
    """MUC, B³ and CEAF-e of one comparison (additive over documents)."""

    muc: PR = PR()
    b3: PR = PR()
    ceafe: PR = PR()

    def __add__(self, other: "CorefCounts") -> "CorefCounts":
        return CorefCounts(self.muc + other.muc, self.b3 + other.b3, self.ceafe + other.ceafe)

    def vector(self) -> list[float]:
        """The twelve numbers, in a fixed order (for resampling)."""
        return [x for m in (self.muc, self.b3, self.ceafe) for x in (m.p_num, m.p_den, m.r_num, m.r_den)]

    @classmethod
    def from_vector(cls, v: Sequence[float]) -> "CorefCounts":
        return cls(PR(*v[0:4]), PR(*v[4:8]), PR(*v[8:12]))

    def _mean(self, attr: str) -> float | None:
        values = [getattr(getattr(self, m), attr) for m in METRICS]
        return None if any(v is None for v in values) else sum(values) / 3

    @property
    def precision(self) -> float | None:
        return self._mean("precision")

    @property
    def recall(self) -> float | None:
        return self._mean("recall")

    @property
    def f1(self) -> float | None:
        """The CoNLL F1: the mean of the MUC, B³ and CEAF-e F1."""
        return self._mean("f1")

    def to_json(self) -> dict[str, Any]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                **{m: getattr(self, m).to_json() for m in METRICS}}


def clusters_by_key(mentions: Iterable[tuple[Hashable, Hashable | None]]) -> list[Cluster]:
    """Group (mention, key) pairs into clusters: equal keys corefer, a None key is a singleton.

    A mention listed twice is kept once (the first key wins), so that a
    clustering is always a partition.
    """
    groups: dict[Hashable, set] = defaultdict(set)
    singles: list[Cluster] = []
    seen: set = set()
    for mention, key in mentions:
        if mention in seen:
            continue
        seen.add(mention)
        if key is None:
            singles.append(frozenset([mention]))
        else:
            groups[key].add(mention)
    return [frozenset(g) for _, g in sorted(groups.items(), key=lambda kv: repr(kv[0]))] + singles


def _partition_size(cluster: Cluster, where: dict[Hashable, int]) -> int:
    """|p(cluster, other)|: the parts of ``cluster`` cut by the other clustering."""
    parts = {where.get(m) for m in cluster if m in where}
    return len(parts) + sum(1 for m in cluster if m not in where)


def muc(key: Sequence[Cluster], response: Sequence[Cluster]) -> PR:
    k_of = {m: i for i, k in enumerate(key) for m in k}
    r_of = {m: i for i, r in enumerate(response) for m in r}
    return PR(sum(len(r) - _partition_size(r, k_of) for r in response), sum(len(r) - 1 for r in response),
              sum(len(k) - _partition_size(k, r_of) for k in key), sum(len(k) - 1 for k in key))


def _overlaps(key: Sequence[Cluster], response: Sequence[Cluster]) -> dict[tuple[int, int], int]:
    r_of = {m: i for i, r in enumerate(response) for m in r}
    out: dict[tuple[int, int], int] = defaultdict(int)
    for i, k in enumerate(key):
        for m in k:
            if m in r_of:
                out[(i, r_of[m])] += 1
    return out


def b_cubed(key: Sequence[Cluster], response: Sequence[Cluster]) -> PR:
    common = _overlaps(key, response)
    return PR(sum(n * n / len(response[j]) for (_, j), n in common.items()), sum(map(len, response)),
              sum(n * n / len(key[i]) for (i, _), n in common.items()), sum(map(len, key)))


def ceaf_e(key: Sequence[Cluster], response: Sequence[Cluster]) -> PR:
    common = _overlaps(key, response)
    total = 0.0
    if common:
        import numpy as np
        from scipy.optimize import linear_sum_assignment

        sim = np.zeros((len(key), len(response)))
        for (i, j), n in common.items():
            sim[i, j] = 2 * n / (len(key[i]) + len(response[j]))
        rows, cols = linear_sum_assignment(sim, maximize=True)
        total = float(sim[rows, cols].sum())
    return PR(total, len(response), total, len(key))


def coref_counts(key: Sequence[Cluster], response: Sequence[Cluster]) -> CorefCounts:
    """MUC, B³ and CEAF-e of a response clustering against a key clustering."""
    return CorefCounts(muc(key, response), b_cubed(key, response), ceaf_e(key, response))

"""Counting and matching: counts, tables, one-to-one matching, and the pure
scoring functions of each layer (no I/O, no corpus).

Every function here compares lists of gold and predicted units; the
definitions are in docs/benchmark.md §2.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from .. import schema
from .coref import CorefCounts

# --------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------

def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives of one comparison.

    A ratio whose denominator is zero is undefined and reported as ``None``
    (JSON ``null``), never as 0 or 1: "no gold and no prediction" is not a
    perfect score, and an empty prediction has no precision.
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @classmethod
    def of(cls, matched: int, gold: int, pred: int) -> "Counts":
        return cls(matched, pred - matched, gold - matched)

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        # 2PR/(P+R) written with counts: defined whenever there is anything to score.
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def to_json(self) -> dict[str, Any]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass(frozen=True)
class Table:
    """One matching criterion: the overall counts and the counts per type."""

    overall: Counts = Counts()
    per_type: tuple[tuple[str, Counts], ...] = ()

    def __add__(self, other: "Table") -> "Table":
        merged: dict[str, Counts] = dict(self.per_type)
        for key, c in other.per_type:
            merged[key] = merged.get(key, Counts()) + c
        return Table(self.overall + other.overall, tuple(merged.items()))

    def types(self) -> dict[str, Counts]:
        return dict(self.per_type)


@dataclass(frozen=True)
class Accuracy:
    """Value accuracy of time expressions, on gold spans predicted exactly."""

    correct: int = 0
    matched: int = 0

    def __add__(self, other: "Accuracy") -> "Accuracy":
        return Accuracy(self.correct + other.correct, self.matched + other.matched)

    def to_json(self) -> dict[str, Any]:
        return {"accuracy": _ratio(self.correct, self.matched), "correct": self.correct, "matched": self.matched}


@dataclass(frozen=True)
class Score:
    """Everything reported for one score over some documents."""

    documents: int = 0
    strict: Table = Table()
    partial: Table = Table()
    value: Accuracy | None = None       # timexes only
    tokens: Counts | None = None        # attribution contents only
    coref: CorefCounts | None = None    # coreference scores only (MUC, B³, CEAF-e)

    def __add__(self, other: "Score") -> "Score":
        def opt(a: Any, b: Any) -> Any:
            return b if a is None else a if b is None else a + b

        return Score(self.documents + other.documents, self.strict + other.strict,
                     self.partial + other.partial, opt(self.value, other.value), opt(self.tokens, other.tokens),
                     opt(self.coref, other.coref))

    def headline(self) -> dict[str, float | None]:
        """The micro P/R/F1 a table reports: the strict counts, or the CoNLL means for coreference."""
        src: Any = self.coref if self.coref is not None else self.strict.overall
        return {"precision": src.precision, "recall": src.recall, "f1": src.f1}

    def macro(self) -> dict[str, float | None]:
        """Macro-average over types: the mean of the per-type P, R and F1 (strict).

        Types where a ratio is undefined (nothing predicted, nothing to find)
        are left out of that ratio's mean.  A score without types (trigger
        identification, sources, contents, linking, coreference) has one
        class, so its macro-average is its micro-average.
        """
        if not self.strict.per_type:
            return self.headline()
        out: dict[str, float | None] = {}
        for name in ("precision", "recall", "f1"):
            values = [getattr(c, name) for _, c in self.strict.per_type]
            values = [v for v in values if v is not None]
            out[name] = sum(values) / len(values) if values else None
        return out


# --------------------------------------------------------------------------
# Matching (pure)
# --------------------------------------------------------------------------

def max_matching(n_gold: int, n_pred: int, edge: Callable[[int, int], bool]) -> list[tuple[int, int]]:
    """A maximum one-to-one matching between gold ``0..n_gold-1`` and predictions.

    Kuhn's augmenting paths: O(V·E), ample for the few hundred units of a
    document.  Deterministic: candidates are tried in index order.
    """
    adj = [[j for j in range(n_pred) if edge(i, j)] for i in range(n_gold)]
    owner: list[int | None] = [None] * n_pred

    def augment(i: int, seen: set[int]) -> bool:
        for j in adj[i]:
            if j in seen:
                continue
            seen.add(j)
            if owner[j] is None or augment(owner[j], seen):  # type: ignore[arg-type]
                owner[j] = i
                return True
        return False

    for i in range(n_gold):
        augment(i, set())
    return sorted((i, j) for j, i in enumerate(owner) if i is not None)


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """True if two half-open character spans share at least one character."""
    return a[0] < b[1] and b[0] < a[1]


@dataclass(frozen=True)
class Unit:
    """A typed span: an entity mention, a timex or an event trigger."""

    start: int
    end: int
    type: str = ""

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)


def _group(units: Iterable[Unit]) -> dict[str, list[Unit]]:
    out: dict[str, list[Unit]] = defaultdict(list)
    for u in units:
        out[u.type].append(u)
    return out


def score_units(gold: Sequence[Unit], pred: Sequence[Unit], typed: bool = True) -> tuple[Table, Table]:
    """(strict, partial) tables for typed spans.

    strict: same offsets and type.  partial: overlapping offsets and same
    type.  With ``typed=False`` types are ignored and no per-type table is
    kept (trigger identification).
    """
    if not typed:
        gold = [Unit(u.start, u.end) for u in gold]
        pred = [Unit(u.start, u.end) for u in pred]
    g_by, p_by = _group(gold), _group(pred)
    strict: list[tuple[str, Counts]] = []
    partial: list[tuple[str, Counts]] = []
    for t in sorted(set(g_by) | set(p_by)):
        g, p = g_by.get(t, []), p_by.get(t, [])
        exact = sum((Counter(u.span for u in g) & Counter(u.span for u in p)).values())
        loose = len(max_matching(len(g), len(p), lambda i, j: overlaps(g[i].span, p[j].span)))
        strict.append((t, Counts.of(exact, len(g), len(p))))
        partial.append((t, Counts.of(loose, len(g), len(p))))

    def table(rows: list[tuple[str, Counts]]) -> Table:
        total = sum((c for _, c in rows), Counts())
        return Table(total, tuple(rows) if typed else ())

    return table(strict), table(partial)


@dataclass(frozen=True)
class TimexUnit(Unit):
    value: str | None = None


def timex_values(gold: Sequence[TimexUnit], pred: Sequence[TimexUnit]) -> Accuracy:
    """Value accuracy on gold timexes whose span is predicted exactly (type ignored).

    When several predictions share a gold span the first one in file order is
    paired with it.  ``null`` equals ``null``.
    """
    first: dict[tuple[int, int], TimexUnit] = {}
    for p in pred:
        first.setdefault(p.span, p)
    pairs = [(g, first[g.span]) for g in gold if g.span in first]
    return Accuracy(sum(g.value == p.value for g, p in pairs), len(pairs))


# Event arguments ------------------------------------------------------------

EventKey = tuple[int, int, str]  # trigger start, end, event type


@dataclass(frozen=True)
class GoldArg:
    """A gold argument: its event, its role, and every span that fills it.

    The fillers are all the mentions (NAM, NOM, PRO) of the entity it refers
    to, or the timex, or the argument's own span.
    """

    event: EventKey
    role: str
    fillers: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class PredArg:
    event: EventKey
    role: str
    span: tuple[int, int]


def score_arguments(gold: Sequence[GoldArg], pred: Sequence[PredArg]) -> tuple[Table, Table]:
    """(strict, partial) tables for event arguments, per role.

    A predicted argument is correct when its event has the trigger span and
    type of a gold event, its role is the gold argument's role, and its span
    is one of the gold fillers (strict) or overlaps one (partial).
    """
    strict: list[tuple[str, Counts]] = []
    partial: list[tuple[str, Counts]] = []
    roles = sorted({a.role for a in gold} | {a.role for a in pred})
    for role in roles:
        g = [a for a in gold if a.role == role]
        p = [a for a in pred if a.role == role]
        exact = max_matching(len(g), len(p), lambda i, j: g[i].event == p[j].event and p[j].span in g[i].fillers)
        loose = max_matching(len(g), len(p), lambda i, j: g[i].event == p[j].event
                             and any(overlaps(p[j].span, f) for f in g[i].fillers))
        strict.append((role, Counts.of(len(exact), len(g), len(p))))
        partial.append((role, Counts.of(len(loose), len(g), len(p))))
    return (Table(sum((c for _, c in strict), Counts()), tuple(strict)),
            Table(sum((c for _, c in partial), Counts()), tuple(partial)))


# Attributions ---------------------------------------------------------------

Span2 = tuple[int, int]


#: Word tokens are maximal runs of letters and digits; any other non-space
#: character is a punctuation token of its own.
TOKEN = re.compile(r"([^\W_]+)|(\S)")


class TokenIndex:
    """Token overlap for one text (the definition in docs/benchmark.md).

    A *word token* is a maximal run of letters and digits (``[^\\W_]+``:
    "l'OTAN" is "l", "'", "OTAN"); every other non-space character is a
    *punctuation token*.  The tokens of a span are the word tokens that share
    a character with it; a span that touches no word (a cue that is only a
    colon) falls back to the punctuation tokens it touches.  Two spans, or
    two lists of spans, overlap at token level when their token sets
    intersect.  A regular expression rather than a statistical tokenizer, so
    the metric cannot change with a library version.
    """

    def __init__(self, tokens: Sequence[tuple[int, int, bool]]):
        # (start, end, is_word) for every token, in text order
        self.starts = [t[0] for t in tokens]
        self.ends = [t[1] for t in tokens]
        self.word = [t[2] for t in tokens]

    @classmethod
    def of(cls, text: str) -> "TokenIndex":
        return cls([(m.start(), m.end(), m.group(1) is not None) for m in TOKEN.finditer(text)])

    def tokens(self, spans: Iterable[Span2]) -> frozenset[int]:
        out: set[int] = set()
        for start, end in spans:
            # tokens with token.start < end and token.end > start
            lo, hi = bisect_right(self.ends, start), bisect_left(self.starts, end)
            touched = range(lo, hi)
            words = [i for i in touched if self.word[i]]
            out.update(words if words else touched)
        return frozenset(out)


@dataclass(frozen=True)
class GoldAttr:
    cue: Span2
    type: str
    sources: tuple[Span2, ...]          # every mention of the source entity, or the source span
    content: frozenset[Span2]


@dataclass(frozen=True)
class PredAttr:
    cue: Span2
    type: str | None
    source: Span2 | None
    content: frozenset[Span2]


@dataclass(frozen=True)
class AttributionScores:
    cues: tuple[Table, Table]
    sources: tuple[Table, Table]
    contents: tuple[Table, Table]
    content_tokens: Counts


def score_attributions(gold: Sequence[GoldAttr], pred: Sequence[PredAttr], index: TokenIndex) -> AttributionScores:
    """Cue, source and content scores (definitions in docs/benchmark.md).

    * cues: strict = same cue span; partial = cues overlap at token level.
      Per type (direct/indirect/mixed) the attribution type must match too.
    * sources: strict = same cue span and the predicted source is exactly a
      mention of the gold source entity (or the gold source span); partial =
      cues overlap at token level and the source overlaps such a mention at
      token level.  Predictions without a source are not counted.
    * contents: strict = same cue span and the same set of content spans;
      partial = cues overlap and contents overlap, at token level.
      ``content_tokens`` counts content *tokens* over attributions paired by
      cue token overlap.
    """
    tok = index.tokens
    g_cue = [tok([g.cue]) for g in gold]
    p_cue = [tok([p.cue]) for p in pred]
    g_src = [[tok([s]) for s in g.sources] for g in gold]
    p_src = [tok([p.source]) if p.source is not None else frozenset() for p in pred]
    g_con = [tok(g.content) for g in gold]
    p_con = [tok(p.content) for p in pred]

    def cue_near(i: int, j: int) -> bool:
        return bool(g_cue[i] & p_cue[j])

    def table(edge: Callable[[int, int], bool], gi: list[int], pj: list[int],
              by_type: bool) -> Table:
        matched = max_matching(len(gi), len(pj), lambda a, b: edge(gi[a], pj[b]))
        overall = Counts.of(len(matched), len(gi), len(pj))
        if not by_type:
            return Table(overall)
        rows = []
        for t in schema.enum("attribution_type"):
            gt = [i for i in gi if gold[i].type == t]
            pt = [j for j in pj if pred[j].type == t]
            if gt or pt:
                m = max_matching(len(gt), len(pt), lambda a, b: edge(gt[a], pt[b]))
                rows.append((t, Counts.of(len(m), len(gt), len(pt))))
        return Table(overall, tuple(rows))

    all_g = list(range(len(gold)))
    all_p = list(range(len(pred)))
    with_src = [j for j in all_p if pred[j].source is not None]
    cues = (table(lambda i, j: gold[i].cue == pred[j].cue, all_g, all_p, True),
            table(cue_near, all_g, all_p, True))
    sources = (table(lambda i, j: gold[i].cue == pred[j].cue and pred[j].source in gold[i].sources,
                     all_g, with_src, False),
               table(lambda i, j: cue_near(i, j) and any(s & p_src[j] for s in g_src[i]),
                     all_g, with_src, False))
    contents = (table(lambda i, j: gold[i].cue == pred[j].cue and gold[i].content == pred[j].content,
                      all_g, all_p, False),
                table(lambda i, j: cue_near(i, j) and bool(g_con[i] & p_con[j]), all_g, all_p, False))
    pairs = max_matching(len(gold), len(pred), cue_near)
    tp = sum(len(g_con[i] & p_con[j]) for i, j in pairs)
    tokens = Counts(tp, sum(map(len, p_con)) - tp, sum(map(len, g_con)) - tp)
    return AttributionScores(cues, sources, contents, tokens)



"""``milcontacts evaluate``: score predictions against the gold (DESIGN §6, §8).

The prediction file is JSONL, one line per document (format in
``docs/benchmark.md``).  Every line is checked before anything is scored: a
bad offset, an unknown or duplicate document id, an unknown type or a
malformed line is reported as ``PRED.jsonl:LINE: message`` and the command
exits 1, so a score is never computed from input that was misread.

Scoring is micro-averaged over the documents in scope.  Each *score* (a row
of the results) compares gold *units* with predicted units under two
criteria: ``strict`` (exact offsets, plus type where the score has types) and
``partial`` (overlap, same type), each with a per-type breakdown.  Matching
is one-to-one: a gold unit is credited at most once, however many
predictions hit it, so duplicates count as false positives.  Partial
matching uses a maximum bipartite matching, so the figures do not depend on
the order of the predictions.

Regions the gold does not cover are not scored: units anchored in a
``boilerplate`` zone (the guidelines annotate every zone but those) are
removed from both the gold and the predictions.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence, TextIO

from . import schema
from .model import Document, InvalidCorpus, document_ids, load_document, load_splits

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

#: Keys of a prediction line that carry a layer.
LAYERS = ("entities", "timexes", "events", "attributions")

#: The scores reported, in order, with the prediction layer each one reads.
SCORES: dict[str, str] = {
    "entities": "entities",
    "entities_conll": "entities",
    "timexes": "timexes",
    "event_triggers": "events",
    "event_types": "events",
    "event_arguments": "events",
    "attribution_cues": "attributions",
    "attribution_sources": "attributions",
    "attribution_contents": "attributions",
}

TITLES: dict[str, str] = {
    "entities": "entities, fine types (NAM mentions)",
    "entities_conll": "entities, CoNLL-2003 types (PER ORG LOC MISC)",
    "timexes": "time expressions (span + type)",
    "event_triggers": "event triggers, identification (span)",
    "event_types": "event triggers, classification (span + type)",
    "event_arguments": "event arguments (event + role + filler)",
    "attribution_cues": "attribution cues",
    "attribution_sources": "attribution sources (cue + source)",
    "attribution_contents": "attribution contents (cue + content)",
}

#: DESIGN §3: the CoNLL-2003 mapping used for benchmarks.  The CoNLL classes
#: are themselves fine types, so a CoNLL tagger's output maps onto itself.
CONLL: dict[str, str] = {"PER": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
                         "NORP": "MISC", "EVENT": "MISC", "MISC": "MISC"}
CONLL_TYPES = ("PER", "ORG", "LOC", "MISC")


class UsageError(Exception):
    """The command was called wrongly (exit 2)."""


class PredictionErrors(Exception):
    """The prediction file is invalid; ``messages`` are ``FILE:LINE: message``."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


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

    def __add__(self, other: "Score") -> "Score":
        def opt(a: Any, b: Any) -> Any:
            return b if a is None else a if b is None else a + b

        return Score(self.documents + other.documents, self.strict + other.strict,
                     self.partial + other.partial, opt(self.value, other.value), opt(self.tokens, other.tokens))


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


# --------------------------------------------------------------------------
# Predictions: reading and checking
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class PEvent:
    trigger: Span2
    type: str
    arguments: tuple[tuple[str, Span2], ...]


@dataclass
class Prediction:
    """One checked prediction line; a layer is None when the line leaves it out."""

    doc_id: str
    line: int
    entities: list[Unit] | None = None
    timexes: list[TimexUnit] | None = None
    events: list[PEvent] | None = None
    attributions: list[PredAttr] | None = None

    def layers(self) -> set[str]:
        return {name for name in LAYERS if getattr(self, name) is not None}


class _Bad(Exception):
    """A problem in one prediction line (caught and turned into a message)."""


def _int(value: Any, where: str) -> int:
    if type(value) is not int:  # bool is an int subclass: refuse true/false too
        raise _Bad(f"{where}: expected an integer offset, got {json.dumps(value)[:40]}")
    return value


def _obj(value: Any, where: str, what: str) -> dict:
    if not isinstance(value, dict):
        raise _Bad(f"{where}: expected an object {what}, got {json.dumps(value)[:60]}")
    return value


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise _Bad(f"{where}: expected a list, got {json.dumps(value)[:60]}"
                   + (" (leave the key out to skip a layer)" if value is None else ""))
    return value


def _span(value: Any, where: str, text: str) -> Span2:
    obj = _obj(value, where, "{\"start\": int, \"end\": int}")
    for key in ("start", "end"):
        if key not in obj:
            raise _Bad(f"{where}: missing {key!r}")
    start, end = _int(obj["start"], f"{where}.start"), _int(obj["end"], f"{where}.end")
    if start >= end:
        raise _Bad(f"{where}: span [{start}, {end}) is reversed or empty (start must be < end)")
    if start < 0 or end > len(text):
        raise _Bad(f"{where}: span [{start}, {end}) is outside the text (length {len(text)})")
    if "text" in obj and obj["text"] != text[start:end]:
        raise _Bad(f"{where}.text {json.dumps(obj['text'], ensure_ascii=False)[:60]} does not match "
                   f"the text at [{start}, {end}): {json.dumps(text[start:end], ensure_ascii=False)[:60]}")
    return (start, end)


def _enum(value: Any, where: str, name: str, optional: bool = False) -> str | None:
    allowed = schema.enum(name)
    if value is None and optional:
        return None
    if value not in allowed:
        raise _Bad(f"{where}: {json.dumps(value, ensure_ascii=False)[:40]} is not one of {', '.join(allowed)}")
    return value


def _entity(obj: Any, w: str, text: str) -> Unit:
    obj = _obj(obj, w, "{start, end, type}")
    start, end = _span(obj, w, text)
    return Unit(start, end, _enum(obj.get("type"), f"{w}.type", "entity_type"))  # type: ignore[arg-type]


def _timex(obj: Any, w: str, text: str) -> TimexUnit:
    obj = _obj(obj, w, "{start, end, type, value}")
    start, end = _span(obj, w, text)
    ttype = _enum(obj.get("type"), f"{w}.type", "timex_type")
    value = obj.get("value")
    if value is not None and not isinstance(value, str):
        raise _Bad(f"{w}.value: expected a string or null, got {json.dumps(value)[:40]}")
    return TimexUnit(start, end, ttype, value)  # type: ignore[arg-type]


def _event(obj: Any, w: str, text: str) -> PEvent:
    obj = _obj(obj, w, "{trigger, type, arguments}")
    if "trigger" not in obj:
        raise _Bad(f"{w}: missing 'trigger'")
    trigger = _span(obj["trigger"], f"{w}.trigger", text)
    etype = _enum(obj.get("type"), f"{w}.type", "event_type")
    args = []
    for k, arg in enumerate(_list(obj.get("arguments", []), f"{w}.arguments")):
        aw = f"{w}.arguments[{k}]"
        arg = _obj(arg, aw, "{role, start, end}")
        args.append((_enum(arg.get("role"), f"{aw}.role", "role"), _span(arg, aw, text)))
    return PEvent(trigger, etype, tuple(args))  # type: ignore[arg-type]


def _attribution(obj: Any, w: str, text: str) -> PredAttr:
    obj = _obj(obj, w, "{cue, source, content, type}")
    if "cue" not in obj:
        raise _Bad(f"{w}: missing 'cue'")
    cue = _span(obj["cue"], f"{w}.cue", text)
    src = obj.get("source")
    source = None if src is None else _span(src, f"{w}.source", text)
    content = frozenset(_span(c, f"{w}.content[{k}]", text)
                        for k, c in enumerate(_list(obj.get("content", []), f"{w}.content")))
    atype = _enum(obj.get("type"), f"{w}.type", "attribution_type", optional=True)
    return PredAttr(cue, atype, source, content)


_ITEM: dict[str, Callable[[Any, str, str], Any]] = {
    "entities": _entity, "timexes": _timex, "events": _event, "attributions": _attribution}


def _parse_layer(name: str, value: Any, text: str) -> list:
    """The checked items of one layer of a line (raises :class:`_Bad`)."""
    return [_ITEM[name](raw, f"{name}[{i}]", text) for i, raw in enumerate(_list(value, name))]


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise _Bad(f"duplicate key {key!r} in an object")
        out[key] = value
    return out


def _no_constants(name: str) -> Any:
    raise _Bad(f"{name} is not valid JSON")


def parse_predictions(lines: Iterable[bytes], display: str, known: set[str],
                      text_of: Callable[[str], str], max_errors: int = 50) -> list[Prediction]:
    """Check and parse every line; raise :class:`PredictionErrors` listing the problems.

    ``known`` are the document ids of the corpus; ``text_of`` gives a
    document's raw text (for offset checks).  Blank lines are skipped.
    """
    out: list[Prediction] = []
    errors: list[str] = []
    first_line: dict[str, int] = {}
    for lineno, raw in enumerate(lines, 1):
        if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        try:
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _Bad(f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})") from None
            try:
                data = json.loads(line, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
            except json.JSONDecodeError as exc:
                raise _Bad(f"malformed JSON: {exc.msg} (column {exc.colno})") from None
            except RecursionError:
                raise _Bad("malformed JSON: nested too deeply") from None
            obj = _obj(data, "line", "with doc_id and layers")
            extra = sorted(set(obj) - {"doc_id", *LAYERS})
            if extra:
                raise _Bad(f"unknown key {extra[0]!r} (a line has doc_id, {', '.join(LAYERS)})")
            doc_id = obj.get("doc_id")
            if not isinstance(doc_id, str):
                raise _Bad("missing or non-string 'doc_id'")
            if doc_id not in known:
                raise _Bad(f"unknown doc_id {doc_id!r}: no annotations/{doc_id}.yaml in the corpus"
                           if len(doc_id) < 120 else "unknown doc_id")
            if doc_id in first_line:
                raise _Bad(f"duplicate doc_id {doc_id!r} (first at line {first_line[doc_id]})")
            first_line[doc_id] = lineno
            text = text_of(doc_id)
            pred = Prediction(doc_id, lineno)
            for name in LAYERS:
                if name in obj:
                    setattr(pred, name, _parse_layer(name, obj[name], text))
            out.append(pred)
        except _Bad as bad:
            errors.append(f"{display}:{lineno}: {bad}")
            if len(errors) >= max_errors:
                errors.append(f"{display}: stopped after {max_errors} errors")
                break
    if errors:
        raise PredictionErrors(errors)
    return out


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


def score_document(doc: Document, pred: Prediction | None, layers: set[str],
                   index: Callable[[], TokenIndex] | None = None) -> DocResult:
    """Score the ``layers`` of one document (``pred`` None: an empty prediction)."""
    skip = boilerplate(doc)
    scores: dict[str, Score] = {}
    ignored = 0

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
    return DocResult(scores, ignored)


def gold_line(doc: Document) -> dict[str, Any]:
    """The gold of ``doc`` written as a prediction line (every layer).

    Scoring it gives 1.0 everywhere: a check of the scorer, and an example
    of the format.  An argument or source that refers to an entity is
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
        "entities": [{"start": m.start, "end": m.end, "type": e.type} for m, e in doc.name_mentions()],
        "timexes": [{"start": t.start, "end": t.end, "type": t.type, "value": t.value} for t in doc.timexes],
        "events": [{"trigger": {"start": v.trigger.start, "end": v.trigger.end}, "type": v.type,
                    "arguments": [{"role": a.role, **filler(a.ref, a.span)} for a in v.arguments]}
                   for v in doc.events],
        "attributions": [{"cue": {"start": a.cue.start, "end": a.cue.end},
                          "source": filler(a.source_ref, a.source_span),
                          "content": [{"start": c.start, "end": c.end} for c in a.content],
                          "type": a.type} for a in doc.attributions],
    }


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


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

def pct(value: float | None) -> str:
    """A ratio as a percentage with two decimals; '-' when undefined."""
    return "-" if value is None else f"{100 * value:.2f}"


def scope_notes(result: Result) -> list[str]:
    """The sentences that tell a reader what the figures cover."""
    where = f"split {result.split!r}" if result.split else "all documents"
    notes = [f"scope: {where}, {len(result.documents)} document(s), {result.predicted} with a prediction line; "
             f"layers predicted: {', '.join(result.layers) or 'none'}"]
    if result.missing:
        notes.append(f"warning: {len(result.missing)} document(s) in scope have no prediction line and count as "
                     f"empty predictions (recall loss): {', '.join(result.missing)}")
    if result.outside_scope:
        notes.append(f"note: {result.outside_scope} prediction line(s) for documents outside {where} were not scored")
    if result.ignored_boilerplate:
        notes.append(f"note: {result.ignored_boilerplate} predicted unit(s) inside boilerplate zones were not scored")
    return notes


def _row(label: str, strict: Counts, partial: Counts | None) -> str:
    cells = f"  {label:<22} {pct(strict.precision):>7} {pct(strict.recall):>7} {pct(strict.f1):>7} " \
            f"{strict.tp:>5} {strict.fp:>5} {strict.fn:>5}"
    if partial is not None:
        cells += f"   {pct(partial.precision):>7} {pct(partial.recall):>7} {pct(partial.f1):>7}"
    return cells + "\n"


def write_text(result: Result, out: TextIO) -> None:
    """The readable report: one table per score, strict and partial side by side."""
    out.write(f"milcontacts evaluate: {result.predictions}\n")
    for note in scope_notes(result):
        out.write(note + "\n")
    head = (f"  {'':<22} {'strict':>7} {'':>7} {'':>7} {'':>5} {'':>5} {'':>5}   {'partial':>7}\n"
            f"  {'type':<22} {'P':>7} {'R':>7} {'F1':>7} {'tp':>5} {'fp':>5} {'fn':>5}   "
            f"{'P':>7} {'R':>7} {'F1':>7}\n")
    skipped = []
    for name in SCORES:
        s = result.scores.get(name)
        if s is None or s.documents == 0:
            skipped.append(name)
            continue
        out.write(f"\n{name}: {TITLES[name]}\n")
        out.write(head)
        out.write(_row("all", s.strict.overall, s.partial.overall))
        partial = s.partial.types()
        for label, c in s.strict.per_type:
            out.write(_row(label, c, partial.get(label)))
        if s.value is not None:
            a = s.value
            out.write(f"  value accuracy, on gold spans predicted exactly: {pct(_ratio(a.correct, a.matched))} "
                      f"({a.correct}/{a.matched})\n")
        if s.tokens is not None:
            out.write(_row("content tokens", s.tokens, None))
    if skipped:
        out.write(f"\nnot scored (no prediction line has the layer): {', '.join(skipped)}\n")
    out.write("\nP, R, F1 in %; '-' = undefined (nothing predicted, or nothing to find). "
              "Definitions: docs/benchmark.md\n")


def run(args: argparse.Namespace) -> int:
    """Entry point of ``milcontacts evaluate`` (wired in cli.py)."""
    err = sys.stderr
    try:
        result = evaluate(args.root, args.predictions, args.split, display=str(args.predictions))
    except UsageError as exc:
        print(f"milcontacts evaluate: {exc}", file=err)
        return EXIT_USAGE
    except PredictionErrors as exc:
        for message in exc.messages:
            print(message, file=err)
        print(f"milcontacts evaluate: {args.predictions} is invalid; nothing was scored", file=err)
        return EXIT_INVALID
    except InvalidCorpus as exc:
        print(f"milcontacts evaluate: the gold corpus is invalid (run milcontacts validate): {exc}", file=err)
        return EXIT_INVALID
    if args.format == "json":
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        write_text(result, sys.stdout)
    for note in scope_notes(result)[1:] if args.format == "json" else []:
        print(note, file=err)
    return EXIT_OK

"""Level 5 on one parsed annotation file: consistency warnings (names left bare,
one string with two types, names cutting words)."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from itertools import accumulate
from typing import Any, Callable, Iterable, Sequence

from .. import checks
from ..diagnostics import Diagnostic
from ..spans import in_url, is_span, items, matches, name_mentions, on_token_boundaries
from .registry import emits

Locator = Callable[[Sequence[Any]], "tuple[int, int]"]


class _Ranges:
    """Half-open ranges, answering "does [a, b) overlap any of them?" in O(log n).

    Sorted by start, with the running maximum of the ends: some range starting
    before ``b`` overlaps [a, b) exactly when the largest end among them is
    after ``a``.  (The same answer as ``any(s < b and a < e for s, e in ranges)``.)
    """

    __slots__ = ("starts", "max_ends")

    def __init__(self, ranges: Iterable[tuple[int, int]]):
        ordered = sorted(ranges)
        self.starts = [s for s, _ in ordered]
        self.max_ends = list(accumulate((e for _, e in ordered), max))

    def overlaps(self, a: int, b: int) -> bool:
        n = bisect_left(self.starts, b)  # ranges with start < b
        return n > 0 and self.max_ends[n - 1] > a


@emits("W001", "W002", "W003")
def check_consistency(raw: str, data: dict, display: str, locate: Locator) -> list[Diagnostic]:
    out = []
    boiler = [(z["start"], z["end"]) for _, z in items(data, "zones")
              if is_span(z) and z.get("type") == "boilerplate"]
    names = [(p, m, e) for p, m, e in name_mentions(data) if matches(raw, m)]
    cuts = frozenset(b for _, z in items(data, "zones") if is_span(z) for b in (z["start"], z["end"]))
    covered = sorted((m["start"], m["end"]) for _, m, _ in names)
    covered_index, boiler_index = _Ranges(covered), _Ranges(boiler)

    def inside(a: int, b: int, ranges: _Ranges) -> bool:
        return ranges.overlaps(a, b)

    first_of: dict[str, tuple[tuple[Any, ...], dict]] = {}
    types_of: dict[str, set[str]] = defaultdict(set)
    for path, m, ent in names:
        first_of.setdefault(m["text"], (path, m))
        if isinstance(ent.get("type"), str):
            types_of[m["text"]].add(ent["type"])
        if not on_token_boundaries(raw, m["start"], m["end"], cuts):
            line, col = locate(path)
            out.append(checks.make("W003", display, line, col, subject=f"{m['text']}@{m['start']}",
                                   text=m["text"], start=m["start"], end=m["end"]))

    for text, (path, m) in first_of.items():
        if len(types_of[text]) > 1:
            line, col = locate(path)
            out.append(checks.make("W002", display, line, col, subject=text, text=text,
                                   types=" and ".join(sorted(types_of[text]))))
        pos = raw.find(text)
        while pos != -1:
            end = pos + len(text)
            if (not inside(pos, end, covered_index) and not inside(pos, end, boiler_index)
                    and on_token_boundaries(raw, pos, end, cuts) and not in_url(raw, pos)):
                line, col = locate(path)
                out.append(checks.make("W001", display, line, col, subject=f"{text}@{pos}", text=text,
                                       start=m["start"], end=m["end"], bstart=pos, bend=end))
            pos = raw.find(text, pos + 1)
    return out



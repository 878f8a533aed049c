"""Every span of every layer, walked in one place.

An annotation file holds spans (``{start, end, text}``) in five layers: zones,
entity mentions, timexes, event triggers and span arguments, attribution
sources, cues and content.  :func:`iter_spans` yields each of them with its
path in the file (the path :func:`milcontacts.io.locate` turns into a line),
reading the data defensively: a span with a wrong type is skipped, not an
exception, so the validator can walk a file that failed its schema.

The block between the ``BEGIN``/``END`` markers below is copied verbatim into
the loading script (``scripts/milcontacts_fr.py``), which must stay
self-contained; ``python scripts/sync_loading_script.py`` regenerates the copy
and a test fails when it is stale.  That block may use only the standard
library.
"""

from __future__ import annotations

from typing import Any, Iterator

# BEGIN span helpers (copied into scripts/milcontacts_fr.py by scripts/sync_loading_script.py)


def is_span(obj: Any) -> bool:
    """True if ``obj`` is a mapping with int ``start`` and ``end`` and a str ``text``."""
    return (isinstance(obj, dict) and type(obj.get("start")) is int
            and type(obj.get("end")) is int and isinstance(obj.get("text"), str))


def items(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    """(index, item) for each mapping in the list ``data[key]`` (nothing if it is not a list)."""
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def iter_spans(data: Any) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Every well-typed span of an annotation, with its path in the file, in file order."""
    for i, zone in items(data, "zones"):
        if is_span(zone):
            yield ("zones", i), zone
    for i, ent in items(data, "entities"):
        for j, m in items(ent, "mentions"):
            if is_span(m):
                yield ("entities", i, "mentions", j), m
    for i, tx in items(data, "timexes"):
        if is_span(tx):
            yield ("timexes", i), tx
    for i, ev in items(data, "events"):
        if is_span(ev.get("trigger")):
            yield ("events", i, "trigger"), ev["trigger"]
        for j, arg in items(ev, "arguments"):
            if is_span(arg):
                yield ("events", i, "arguments", j), arg
    for i, at in items(data, "attributions"):
        for key in ("source", "cue"):
            if is_span(at.get(key)):
                yield ("attributions", i, key), at[key]
        for j, c in items(at, "content"):
            if is_span(c):
                yield ("attributions", i, "content", j), c


def name_mentions(data: Any) -> list[tuple[tuple[Any, ...], dict[str, Any], dict[str, Any]]]:
    """(path, mention, entity) for every well-typed name (NAM) mention, in file order."""
    return [(("entities", i, "mentions", j), m, ent)
            for i, ent in items(data, "entities")
            for j, m in items(ent, "mentions") if is_span(m) and m.get("kind") == "NAM"]


def matches(raw: str, span: dict[str, Any]) -> bool:
    """True if ``span`` lies inside ``raw`` (start before end) and its text is the text there."""
    return 0 <= span["start"] < span["end"] <= len(raw) and raw[span["start"]:span["end"]] == span["text"]


# END span helpers


def span_key(obj: Any) -> tuple[int, int] | None:
    """(start, end) of a span-like mapping with int offsets, else None (text not required)."""
    if isinstance(obj, dict) and type(obj.get("start")) is int and type(obj.get("end")) is int:
        return obj["start"], obj["end"]
    return None


def occurrences(raw: str, text: str, limit: int | None = None) -> list[int]:
    """Start offsets of ``text`` in ``raw`` (overlapping occurrences included), at most ``limit``."""
    hits: list[int] = []
    if not text:
        return hits
    pos = raw.find(text)
    while pos != -1 and (limit is None or len(hits) < limit):
        hits.append(pos)
        pos = raw.find(text, pos + 1)
    return hits


def nearest(raw: str, text: str, start: int) -> int | None:
    """Start of the occurrence of ``text`` nearest to ``start`` (the first on a tie), if any.

    Searches outwards from ``start`` and stops at the first hit on each side,
    so its cost does not grow with the number of occurrences (a short text
    mismatched many times against a long raw text stays fast).
    """
    if not text:
        return None
    start = max(0, min(start, len(raw)))
    after = raw.find(text, start)
    # the last occurrence starting before ``start``: rfind over raw[:start + len(text) - 1]
    before = raw.rfind(text, 0, start + len(text) - 1) if start > 0 else -1
    if before >= start:
        before = -1
    candidates = [p for p in (before, after) if p != -1]
    return min(candidates, key=lambda p: (abs(p - start), p), default=None)


def nearest_two(raw: str, text: str, start: int) -> list[int]:
    """The occurrences of ``text`` nearest to ``start``, nearest first, at most one per side
    (enough to tell whether the nearest is ambiguous: two at the same distance)."""
    if not text:
        return []
    start = max(0, min(start, len(raw)))
    after = raw.find(text, start)
    before = raw.rfind(text, 0, start + len(text) - 1) if start > 0 else -1
    if before >= start:
        before = -1
    return sorted((p for p in (before, after) if p != -1), key=lambda p: (abs(p - start), p))


def in_url(raw: str, pos: int) -> bool:
    """True if ``pos`` is inside a URL (names are never annotated inside URLs)."""
    start = max(raw.rfind(" ", 0, pos), raw.rfind("\n", 0, pos)) + 1
    return "://" in raw[start:pos] or raw.startswith("www.", start)


def on_token_boundaries(raw: str, start: int, end: int, cuts: frozenset[int] = frozenset()) -> bool:
    """True if [start, end) neither starts nor ends inside a word.

    The validator's approximation of "aligned to tokens": it must not import
    spaCy.  The build checks real spaCy token alignment as an error.  Zone
    boundaries (``cuts``) count as word boundaries: a heading glued to the
    next sentence in the raw text ("…la RussieMark Milley…") is two zones.
    """
    before = raw[start - 1] if start > 0 and start not in cuts else " "
    after = raw[end] if end < len(raw) and end not in cuts else " "
    return not ((before.isalnum() and raw[start].isalnum())
                or (after.isalnum() and raw[end - 1].isalnum()))

"""Levels 2-3 on one parsed annotation file: the schema, the spans against the text,
the zones and the flat names.  Pure: data and raw text in, diagnostics out."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from .. import checks, schema
from ..corpus.kb import KB
from ..corpus.layout import is_doc_id
from ..diagnostics import Diagnostic
from ..limits import DEFAULT, Limits
from ..spans import is_span, items, iter_spans, matches, name_mentions, nearest
from .consistency import check_consistency
from .guidelines import check_guidelines
from .references import check_references
from .registry import emits

Locator = Callable[[Sequence[Any]], "tuple[int, int]"]


@emits("S001", "Y009", "R005", "R006", "W004")
def check_document(data: Any, raw: str | None, display: str, locate: Locator,
                   kb: KB | None, stem: str, limits: Limits = DEFAULT) -> list[Diagnostic]:
    """Levels 2-5 on one parsed annotation file.

    ``raw`` is the corpus text (None when it could not be read: level 3 span
    checks are then skipped, the reason having been reported already).
    ``kb`` None means kb.yaml itself is broken: kb links are not checked.
    """
    out: list[Diagnostic] = []

    def emit(code: str, path: Sequence[Any], subject: str = "", **params: Any) -> None:
        line, col = locate(path)
        out.append(checks.make(code, display, line, col, subject=subject, **params))

    for err in schema.errors(data, "annotation"):
        emit("S001", err.path, detail=err.message)
    if not isinstance(data, dict):
        return out

    spans = list(iter_spans(data))
    if len(spans) > limits.max_spans:
        emit("Y009", (), count=len(spans), limit=limits.max_spans)
        return out

    doc = data.get("document") if isinstance(data.get("document"), dict) else {}
    doc_id = doc.get("id")
    if isinstance(doc_id, str):
        if not is_doc_id(doc_id):
            emit("R006", ("document", "id"), id=doc_id)
        elif doc_id != stem:
            emit("R005", ("document", "id"), id=doc_id, stem=stem)

    if raw is not None:
        out.extend(_check_spans(raw, spans, display, locate))
        out.extend(_check_zones(raw, data, display, locate))
        out.extend(_check_name_overlap(data, display, locate))
    out.extend(check_references(data, display, locate, kb))
    if raw is not None:
        out.extend(check_consistency(raw, data, display, locate))
    out.extend(check_guidelines(data, display, locate))
    review = data.get("review")
    if isinstance(review, dict) and review.get("status") == "checked" and isinstance(review.get("passes"), int) and review["passes"] < 2:
        emit("W004", ("review", "passes"), detail="review.status is checked but fewer than 2 independent passes are recorded")
    return out


@emits("T007", "T008", "T009")
def _check_spans(raw: str, spans: list[tuple[tuple[Any, ...], dict]], display: str, locate: Locator) -> list[Diagnostic]:
    out = []
    n = len(raw)
    for path, span in spans:
        start, end, text = span["start"], span["end"], span["text"]
        if start < end <= n and raw[start:end] == text:
            continue  # the common case: no line number needed (locating costs a tree walk)
        line, col = locate(path)
        if start >= end:
            out.append(checks.make("T008", display, line, col, start=start, end=end))
        elif end > n:
            out.append(checks.make("T007", display, line, col, start=start, end=end, length=n))
        elif raw[start:end] != text:
            near = nearest(raw, text, start)
            hint = f"; {text!r} occurs at [{near}, {near + len(text)})" if near is not None else f"; {text!r} does not occur in the text"
            out.append(checks.make("T009", display, line, col, text=_clip(text), start=start, end=end,
                                   actual=_clip(raw[start:end]), hint=hint))
    return out


def _clip(s: str, limit: int = 60) -> str:
    return s if len(s) <= limit else s[: limit - 1] + "…"


@emits("T010", "T011")
def _check_zones(raw: str, data: dict, display: str, locate: Locator) -> list[Diagnostic]:
    out = []
    zones = [(i, z) for i, z in items(data, "zones") if is_span(z) and matches(raw, z)]
    prev_end = 0
    last_path: tuple[Any, ...] = ("zones",)
    for i, z in zones:
        if z["start"] < prev_end:
            line, col = locate(("zones", i))
            out.append(checks.make("T011", display, line, col, zid=z.get("id"), start=z["start"], prev_end=prev_end))
        else:
            gap = raw[prev_end:z["start"]]
            if gap.strip():
                line, col = locate(("zones", i))
                out.append(checks.make("T010", display, line, col, start=prev_end, end=z["start"], snippet=_clip(gap.strip(), 40)))
        prev_end = max(prev_end, z["end"])
        last_path = ("zones", i)
    if zones or raw.strip():
        tail = raw[prev_end:]
        if tail.strip():
            line, col = locate(last_path)
            out.append(checks.make("T010", display, line, col, start=prev_end, end=len(raw), snippet=_clip(tail.strip(), 40)))
    return out


@emits("T012")
def _check_name_overlap(data: dict, display: str, locate: Locator) -> list[Diagnostic]:
    out = []
    names = sorted(name_mentions(data), key=lambda t: (t[1]["start"], -t[1]["end"]))
    prev: dict | None = None
    for path, m, _ in names:
        if prev is not None and m["start"] < prev["end"] and m["end"] > prev["start"]:
            line, col = locate(path)
            out.append(checks.make("T012", display, line, col, text=m["text"], start=m["start"], end=m["end"],
                                   other=prev["text"], ostart=prev["start"], oend=prev["end"]))
        if prev is None or m["end"] > prev["end"]:
            prev = m
    return out



"""Level 4 on one parsed annotation file: ids are unique and every reference resolves."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from .. import checks
from ..corpus.kb import KB
from ..diagnostics import Diagnostic
from ..spans import items
from .registry import emits

Locator = Callable[[Sequence[Any]], "tuple[int, int]"]


@emits("R001", "R002", "R003", "R008", "R009", "R004")
def check_references(data: dict, display: str, locate: Locator, kb: KB | None) -> list[Diagnostic]:
    out = []

    def emit(code: str, path: Sequence[Any], **params: Any) -> None:
        line, col = locate(path)
        out.append(checks.make(code, display, line, col, **params))

    kinds: dict[str, str] = {}
    first_path: dict[str, tuple[Any, ...]] = {}  # located only if a duplicate needs the line
    for layer, kind in (("zones", "zone"), ("entities", "entity"), ("timexes", "timex"),
                        ("events", "event"), ("attributions", "attribution")):
        for i, item in items(data, layer):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in kinds:
                emit("R001", (layer, i, "id"), id=ident, first=locate(first_path[ident])[0])
            else:
                kinds[ident] = kind
                first_path[ident] = (layer, i, "id")

    entities = {item.get("id"): item for _, item in items(data, "entities")}
    for i, ent in items(data, "entities"):
        slug = ent.get("kb")
        if kb is not None and isinstance(slug, str):
            if slug not in kb.entities:
                emit("R003", ("entities", i, "kb"), kb=slug)
            elif isinstance(ent.get("type"), str) and kb.entities[slug] != ent["type"]:
                emit("R008", ("entities", i, "type"), type=ent["type"], kbtype=kb.entities[slug], kb=slug)

    doc = data.get("document")
    story = doc.get("story") if isinstance(doc, dict) else None
    if kb is not None and isinstance(story, str) and story not in kb.events:
        emit("R003", ("document", "story"), kb=story)

    for i, ev in items(data, "events"):
        slug = ev.get("kb")
        if kb is not None and isinstance(slug, str) and slug not in kb.events:
            emit("R003", ("events", i, "kb"), kb=slug)
        for j, arg in items(ev, "arguments"):
            ref = arg.get("ref")
            if not isinstance(ref, str):
                continue
            kind = kinds.get(ref)
            if kind not in ("entity", "timex"):
                emit("R002", ("events", i, "arguments", j, "ref"), field="argument ref", ref=ref, kind="entity or timex")
                continue
            want = "timex" if arg.get("role") == "time" else "entity"
            if kind != want:
                emit("R009", ("events", i, "arguments", j, "ref"), role=arg.get("role"),
                     expected=f"an {want}", ref=ref, actual=f"an {kind}")

    parents: dict[str, str] = {}
    for i, at in items(data, "attributions"):
        src = at.get("source")
        if isinstance(src, dict) and isinstance(src.get("ref"), str) and src["ref"] not in entities:
            emit("R002", ("attributions", i, "source", "ref"), field="source ref", ref=src["ref"], kind="entity")
        nested = at.get("nested_in")
        if isinstance(nested, str):
            if kinds.get(nested) != "attribution":
                emit("R002", ("attributions", i, "nested_in"), field="nested_in", ref=nested, kind="attribution")
            elif isinstance(at.get("id"), str):
                parents[at["id"]] = nested
    for i, at in items(data, "attributions"):
        start = at.get("id")
        chain = [start]
        node = parents.get(start)
        while node is not None and node not in chain:
            chain.append(node)
            node = parents.get(node)
        if node == start and start is not None:
            emit("R004", ("attributions", i, "nested_in"), id=start, chain=" -> ".join(chain + [start]))
    return out



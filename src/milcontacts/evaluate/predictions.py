"""Reading and checking a prediction file (docs/benchmark.md §1).

Every line is checked before anything is scored: a bad offset, an unknown or
duplicate document id, an unknown type or a malformed line is reported as
``PRED.jsonl:LINE: message``, so a score is never computed from input that
was misread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from .. import schema
from ..diagnostics import at
from .metrics import PredAttr, Span2, TimexUnit, Unit

#: Keys of a prediction line that carry a layer.
LAYERS = ("entities", "timexes", "events", "attributions")


class PredictionErrors(Exception):
    """The prediction file is invalid; ``messages`` are ``FILE:LINE: message``."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


# --------------------------------------------------------------------------
# Predictions: reading and checking
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class PEvent:
    trigger: Span2
    type: str
    arguments: tuple[tuple[str, Span2], ...]
    kb: str | None = None
    linked: bool = False     # the item has a ``kb`` key (null included)


@dataclass(frozen=True)
class EntityUnit(Unit):
    """A predicted entity mention with a ``kb`` and/or ``cluster`` key.

    ``linked``: the item has a ``kb`` key (null: predicted not in the kb).
    ``cluster``: a document-local coreference id; mentions with the same
    cluster (or, without one, the same non-null kb id) corefer.
    """

    kb: str | None = None
    linked: bool = False
    cluster: str | None = None

    @property
    def coref_key(self) -> str | None:
        return f"c:{self.cluster}" if self.cluster is not None else (f"kb:{self.kb}" if self.kb else None)


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
    etype = _enum(obj.get("type"), f"{w}.type", "entity_type")
    if "kb" not in obj and "cluster" not in obj:
        return Unit(start, end, etype)  # type: ignore[arg-type]
    cluster = obj.get("cluster")
    if cluster is not None and not (isinstance(cluster, (str, int)) and not isinstance(cluster, bool)):
        raise _Bad(f"{w}.cluster: expected a string or integer id, got {json.dumps(cluster)[:40]}")
    return EntityUnit(start, end, etype, _kb(obj.get("kb"), f"{w}.kb"), "kb" in obj,  # type: ignore[arg-type]
                      None if cluster is None else str(cluster))


def _kb(value: Any, where: str) -> str | None:
    """An optional kb id: a non-empty string, or null (predicted as not in the kb)."""
    if value is None or (isinstance(value, str) and value.strip()):
        return value
    raise _Bad(f"{where}: expected a kb id (non-empty string) or null, got {json.dumps(value)[:40]}")


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
    if "kb" in obj:
        return PEvent(trigger, etype, tuple(args), _kb(obj["kb"], f"{w}.kb"), True)  # type: ignore[arg-type]
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
            errors.append(at(display, lineno, str(bad)))
            if len(errors) >= max_errors:
                errors.append(f"{display}: stopped after {max_errors} errors")
                break
    if errors:
        raise PredictionErrors(errors)
    return out



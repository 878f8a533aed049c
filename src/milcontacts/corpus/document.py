"""The document model: one annotated text with its layers, as frozen Python objects.

Built by :func:`from_data` from annotation data the validator has accepted
(:mod:`milcontacts.corpus.reader` does both, parsing each file once); nothing
here reads a file or calls the validator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable


class InvalidCorpus(Exception):
    """A document or the splits file cannot be used; the message says why.

    ``diagnostics`` are the problems behind it (``milcontacts.diagnostics.Diagnostic``,
    not imported: the model reads nothing and depends on nothing), when the
    validator or the reader found them, so a verb can print them in any ``--format``.
    """

    def __init__(self, message: str, diagnostics: Iterable[Any] = ()):
        super().__init__(message)
        self.diagnostics: list[Any] = list(diagnostics)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str

    @classmethod
    def of(cls, d: dict) -> "Span":
        return cls(d["start"], d["end"], d["text"])


@dataclass(frozen=True)
class Zone(Span):
    id: str = ""
    type: str = ""


@dataclass(frozen=True)
class Mention(Span):
    kind: str = "NAM"


@dataclass(frozen=True)
class Entity:
    id: str
    type: str
    kb: str | None
    mentions: tuple[Mention, ...]


@dataclass(frozen=True)
class Timex(Span):
    id: str = ""
    type: str = ""
    value: str | None = None
    mod: str | None = None


@dataclass(frozen=True)
class Argument:
    role: str
    ref: str | None = None
    span: Span | None = None


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    trigger: Span
    modality: str
    kb: str | None
    arguments: tuple[Argument, ...]


@dataclass(frozen=True)
class Attribution:
    id: str
    type: str
    source_ref: str | None
    source_span: Span | None
    cue: Span
    content: tuple[Span, ...]
    nested_in: str | None


@dataclass
class Document:
    """One text with all its annotation layers."""

    id: str
    text: str
    meta: dict[str, Any]
    review: dict[str, Any]
    zones: list[Zone]
    entities: list[Entity]
    timexes: list[Timex]
    events: list[Event]
    attributions: list[Attribution]
    path: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def entity(self, ident: str) -> Entity | None:
        return next((e for e in self.entities if e.id == ident), None)

    def zone_of(self, offset: int) -> Zone | None:
        return next((z for z in self.zones if z.start <= offset < z.end), None)

    def name_mentions(self) -> list[tuple[Mention, Entity]]:
        """Every NAM mention with its entity, in text order."""
        out = [(m, e) for e in self.entities for m in e.mentions if m.kind == "NAM"]
        return sorted(out, key=lambda t: (t[0].start, t[0].end))


def from_data(data: dict, text: str, path: Path | None = None) -> Document:
    """Build a :class:`Document` from validated annotation data."""
    zones = [Zone(z["start"], z["end"], z["text"], z["id"], z["type"]) for z in data["zones"]]
    entities = [Entity(e["id"], e["type"], e.get("kb"),
                       tuple(Mention(m["start"], m["end"], m["text"], m["kind"]) for m in e["mentions"]))
                for e in data["entities"]]
    timexes = [Timex(t["start"], t["end"], t["text"], t["id"], t["type"], t.get("value"), t.get("mod"))
               for t in data["timexes"]]
    events = []
    for v in data["events"]:
        args = tuple(Argument(a["role"], a.get("ref"), Span.of(a) if "start" in a else None)
                     for a in v["arguments"])
        events.append(Event(v["id"], v["type"], Span.of(v["trigger"]), v["modality"], v.get("kb"), args))
    attributions = []
    for a in data["attributions"]:
        src = a["source"]
        attributions.append(Attribution(
            a["id"], a["type"], src.get("ref"), Span.of(src) if "start" in src else None,
            Span.of(a["cue"]), tuple(Span.of(c) for c in a["content"]), a.get("nested_in")))
    return Document(data["document"]["id"], text, data["document"], data["review"], zones,
                    entities, timexes, events, attributions, path, data)

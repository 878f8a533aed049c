"""The corpus as Python objects: documents with their layers, and the splits.

Everything downstream of validation (build, evaluate, baselines, stats,
render) reads annotations through :func:`load_document` /
:func:`iter_documents`, which refuse a file the validator would reject, so no
tool ever works on data it cannot trust.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from . import io as yio

SPLITS_FILE = "splits.yaml"


class InvalidCorpus(Exception):
    """A document or the splits file cannot be used; the message says why."""


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


def load_document(root: Path, doc_id: str, check: bool = True, kb: Any = None) -> Document:
    """Load ``annotations/<doc_id>.yaml`` with its raw text.

    With ``check`` (the default) the file must pass the validator without
    errors; otherwise :class:`InvalidCorpus` lists the first problems.
    ``kb`` is the corpus kb as :func:`milcontacts.validate.load_kb` reads it;
    callers loading many documents pass it once instead of re-reading kb.yaml.
    """
    from .validate import DOC_ID

    if not DOC_ID.match(doc_id):
        raise InvalidCorpus(f"{doc_id!r} is not a valid document id")
    root = Path(root)
    path = root / "annotations" / f"{doc_id}.yaml"
    if check:
        from .validate import Job, load_kb, validate_file

        if kb is None:
            kb, _, _ = load_kb(root)
        errors = [d for d in validate_file(Job(str(path), str(root), kb, None)) if d.severity == "error"]
        if errors:
            shown = "\n".join(f"  {d.file}:{d.line}:{d.column}: {d.code}: {d.message}" for d in errors[:10])
            raise InvalidCorpus(f"{path} has {len(errors)} validation error(s):\n{shown}")
    loaded = yio.load_yaml(path, str(path))
    if not loaded.ok:
        raise InvalidCorpus(f"{path}: {loaded.diagnostics[0].message}")
    text = (root / "corpus" / f"{doc_id}.txt").read_bytes().decode("utf-8")
    return from_data(loaded.data, text, path)


def document_ids(root: Path) -> list[str]:
    """Ids of every annotated document, sorted."""
    from .validate import annotation_files

    return [p.stem for p in annotation_files(Path(root))]


def iter_documents(root: Path, ids: list[str] | None = None, check: bool = True) -> Iterator[Document]:
    """Documents one at a time (never the whole corpus in memory)."""
    kb = None
    if check:
        from .validate import load_kb

        kb, _, _ = load_kb(Path(root))
    for doc_id in ids if ids is not None else document_ids(root):
        yield load_document(root, doc_id, check=check, kb=kb)


def load_splits(root: Path) -> dict[str, list[str]]:
    """``splits.yaml``: split name -> document ids (the one file declaring splits).

    Every annotated document must be in exactly one split.
    """
    path = Path(root) / SPLITS_FILE
    loaded = yio.load_yaml(path, SPLITS_FILE)
    if not loaded.ok:
        d = loaded.diagnostics[0]
        raise InvalidCorpus(f"{d.file}:{d.line}: {d.message}")
    data = loaded.data
    if not isinstance(data, dict) or not isinstance(data.get("splits"), dict):
        raise InvalidCorpus(f"{SPLITS_FILE}: expected a mapping `splits: {{name: [doc ids]}}`")
    splits = {str(k): list(v or []) for k, v in data["splits"].items()}
    seen: dict[str, str] = {}
    for name, ids in splits.items():
        for doc_id in ids:
            if doc_id in seen:
                raise InvalidCorpus(f"{SPLITS_FILE}: {doc_id} is in both {seen[doc_id]} and {name}")
            seen[doc_id] = name
    missing = sorted(set(document_ids(root)) - set(seen))
    if missing:
        raise InvalidCorpus(f"{SPLITS_FILE}: documents in no split: {', '.join(missing)}")
    unknown = sorted(set(seen) - set(document_ids(root)))
    if unknown:
        raise InvalidCorpus(f"{SPLITS_FILE}: unknown documents: {', '.join(unknown)}")
    return splits


def split_of(root: Path) -> dict[str, str]:
    """document id -> split name."""
    return {doc_id: name for name, ids in load_splits(root).items() for doc_id in ids}


def load_kb_data(root: Path) -> dict[str, Any]:
    """annotations/kb.yaml as data (entities and events lists)."""
    loaded = yio.load_yaml(Path(root) / "annotations" / "kb.yaml", "annotations/kb.yaml")
    if not loaded.ok or not isinstance(loaded.data, dict):
        raise InvalidCorpus("annotations/kb.yaml cannot be read: run milcontacts validate")
    return loaded.data

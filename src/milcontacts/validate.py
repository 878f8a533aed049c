"""The validator: DESIGN §4's five levels over every annotation file.

Each level adds diagnostics to one list; nothing stops at the first problem
(as in Universal Dependencies' validate.py), so a contributor sees every
problem of a pull request at once.  Levels 3-5 read the data defensively, so
a schema error in one entity does not hide an offset error in another.

The pure core is :func:`check_document` (data + raw text in, diagnostics out);
:func:`validate_corpus` adds the file system, the parse cache and the process
pool around it.  ``datasets`` and spaCy are never imported here: validation
runs on every commit and must start fast.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import sys
import tempfile
import unicodedata
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from . import checks, schema
from . import io as yio
from .checks import Diagnostic
from .limits import DEFAULT, Limits

DOC_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,80}$")
NOT_DOCUMENTS = {"kb.yaml", "allowlist.yaml"}
CACHE_VERSION = "1"

Locator = Callable[[Sequence[Any]], "tuple[int, int]"]


# --------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------

def annotation_files(root: Path) -> list[Path]:
    """The annotation files of a corpus root, sorted (kb and allowlist excluded)."""
    folder = root / "annotations"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.yaml") if p.name not in NOT_DOCUMENTS)


def relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------
# Spans
# --------------------------------------------------------------------------

def _is_span(obj: Any) -> bool:
    return (isinstance(obj, dict) and type(obj.get("start")) is int
            and type(obj.get("end")) is int and isinstance(obj.get("text"), str))


def _items(data: Any, key: str) -> list[tuple[int, dict]]:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def iter_spans(data: Any) -> Iterator[tuple[tuple[Any, ...], dict]]:
    """Every well-typed span of an annotation, with its path in the file."""
    for i, zone in _items(data, "zones"):
        if _is_span(zone):
            yield ("zones", i), zone
    for i, ent in _items(data, "entities"):
        for j, m in _items(ent, "mentions"):
            if _is_span(m):
                yield ("entities", i, "mentions", j), m
    for i, tx in _items(data, "timexes"):
        if _is_span(tx):
            yield ("timexes", i), tx
    for i, ev in _items(data, "events"):
        if _is_span(ev.get("trigger")):
            yield ("events", i, "trigger"), ev["trigger"]
        for j, arg in _items(ev, "arguments"):
            if _is_span(arg):
                yield ("events", i, "arguments", j), arg
    for i, at in _items(data, "attributions"):
        for key in ("source", "cue"):
            if _is_span(at.get(key)):
                yield ("attributions", i, key), at[key]
        for j, c in _items(at, "content"):
            if _is_span(c):
                yield ("attributions", i, "content", j), c


def _nearest(raw: str, text: str, start: int) -> int | None:
    """Start of the occurrence of ``text`` nearest to ``start``, if any."""
    best: int | None = None
    pos = raw.find(text)
    while pos != -1:
        if best is None or abs(pos - start) < abs(best - start):
            best = pos
        pos = raw.find(text, pos + 1)
    return best


def _in_url(raw: str, pos: int) -> bool:
    """True if ``pos`` is inside a URL (names are never annotated inside URLs)."""
    start = max(raw.rfind(" ", 0, pos), raw.rfind("\n", 0, pos)) + 1
    return "://" in raw[start:pos] or raw.startswith("www.", start)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum()


def on_token_boundaries(raw: str, start: int, end: int, cuts: frozenset[int] = frozenset()) -> bool:
    """True if [start, end) neither starts nor ends inside a word.

    The validator's approximation of "aligned to tokens": it must not import
    spaCy.  The build checks real spaCy token alignment as an error.  Zone
    boundaries (``cuts``) count as word boundaries: a heading glued to the
    next sentence in the raw text ("…la RussieMark Milley…") is two zones.
    """
    before = raw[start - 1] if start > 0 and start not in cuts else " "
    after = raw[end] if end < len(raw) and end not in cuts else " "
    return not ((_is_word_char(before) and _is_word_char(raw[start]))
                or (_is_word_char(after) and _is_word_char(raw[end - 1])))


# --------------------------------------------------------------------------
# Level 3: raw text
# --------------------------------------------------------------------------

@dataclass
class RawText:
    """A corpus text as read for validation."""

    text: str | None
    sha256: str | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def read_raw(path: Path, display: str, limits: Limits = DEFAULT) -> RawText:
    """Read corpus/<doc_id>.txt and check the DESIGN §2 rules on it."""
    if not path.is_file():
        return RawText(None, None, [checks.make("T001", display, 1, 1, path=display)])
    data, problem = yio.read_bytes(path, display, limits.max_text_bytes)
    if problem is not None:
        return RawText(None, None, [problem])
    assert data is not None
    out: list[Diagnostic] = []
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        detail = f"byte 0x{data[exc.start]:02x} at offset {exc.start}"
        return RawText(None, digest, [checks.make("T002", display, line, col, path=display, detail=detail)])
    if text.startswith("\ufeff"):
        out.append(checks.make("T003", display, 1, 1, path=display))
    if "\r" in text:
        line, col = _line_col(text, text.index("\r"))
        out.append(checks.make("T004", display, line, col, path=display, count=text.count("\r")))
    if not unicodedata.is_normalized("NFC", text):
        line = next((n for n, ln in enumerate(text.split("\n"), 1)
                     if not unicodedata.is_normalized("NFC", ln)), 1)
        out.append(checks.make("T005", display, line, 1, path=display))
    return RawText(text, digest, out)


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


# --------------------------------------------------------------------------
# The pure core
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class KB:
    """What annotation files may link to: kb ids with their types."""

    entities: dict[str, str] = field(default_factory=dict)
    events: dict[str, str] = field(default_factory=dict)


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
        if not DOC_ID.match(doc_id):
            emit("R006", ("document", "id"), id=doc_id)
        elif doc_id != stem:
            emit("R005", ("document", "id"), id=doc_id, stem=stem)

    if raw is not None:
        out.extend(_check_spans(raw, spans, display, locate))
        out.extend(_check_zones(raw, data, display, locate))
        out.extend(_check_name_overlap(data, display, locate))
    out.extend(_check_references(data, display, locate, kb))
    if raw is not None:
        out.extend(_check_consistency(raw, data, display, locate))
    review = data.get("review")
    if isinstance(review, dict) and review.get("status") == "checked" and isinstance(review.get("passes"), int) and review["passes"] < 2:
        emit("W004", ("review", "passes"), detail="review.status is checked but fewer than 2 independent passes are recorded")
    return out


def _check_spans(raw: str, spans: list[tuple[tuple[Any, ...], dict]], display: str, locate: Locator) -> list[Diagnostic]:
    out = []
    n = len(raw)
    for path, span in spans:
        start, end, text = span["start"], span["end"], span["text"]
        line, col = locate(path)
        if start >= end:
            out.append(checks.make("T008", display, line, col, start=start, end=end))
        elif end > n:
            out.append(checks.make("T007", display, line, col, start=start, end=end, length=n))
        elif raw[start:end] != text:
            near = _nearest(raw, text, start)
            hint = f"; {text!r} occurs at [{near}, {near + len(text)})" if near is not None else f"; {text!r} does not occur in the text"
            out.append(checks.make("T009", display, line, col, text=_clip(text), start=start, end=end,
                                   actual=_clip(raw[start:end]), hint=hint))
    return out


def _clip(s: str, limit: int = 60) -> str:
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _valid(raw: str, span: dict) -> bool:
    return 0 <= span["start"] < span["end"] <= len(raw) and raw[span["start"]:span["end"]] == span["text"]


def _check_zones(raw: str, data: dict, display: str, locate: Locator) -> list[Diagnostic]:
    out = []
    zones = [(i, z) for i, z in _items(data, "zones") if _is_span(z) and _valid(raw, z)]
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


def _name_mentions(data: dict) -> list[tuple[tuple[Any, ...], dict, dict]]:
    """(path, mention, entity) for every NAM mention."""
    out = []
    for i, ent in _items(data, "entities"):
        for j, m in _items(ent, "mentions"):
            if _is_span(m) and m.get("kind") == "NAM":
                out.append((("entities", i, "mentions", j), m, ent))
    return out


def _check_name_overlap(data: dict, display: str, locate: Locator) -> list[Diagnostic]:
    out = []
    names = sorted(_name_mentions(data), key=lambda t: (t[1]["start"], -t[1]["end"]))
    prev: dict | None = None
    for path, m, _ in names:
        if prev is not None and m["start"] < prev["end"] and m["end"] > prev["start"]:
            line, col = locate(path)
            out.append(checks.make("T012", display, line, col, text=m["text"], start=m["start"], end=m["end"],
                                   other=prev["text"], ostart=prev["start"], oend=prev["end"]))
        if prev is None or m["end"] > prev["end"]:
            prev = m
    return out


# --------------------------------------------------------------------------
# Level 4: ids and references
# --------------------------------------------------------------------------

def _check_references(data: dict, display: str, locate: Locator, kb: KB | None) -> list[Diagnostic]:
    out = []

    def emit(code: str, path: Sequence[Any], **params: Any) -> None:
        line, col = locate(path)
        out.append(checks.make(code, display, line, col, **params))

    kinds: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for layer, kind in (("zones", "zone"), ("entities", "entity"), ("timexes", "timex"),
                        ("events", "event"), ("attributions", "attribution")):
        for i, item in _items(data, layer):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in kinds:
                emit("R001", (layer, i, "id"), id=ident, first=first_line[ident])
            else:
                kinds[ident] = kind
                first_line[ident] = locate((layer, i, "id"))[0]

    entities = {item.get("id"): item for _, item in _items(data, "entities")}
    for i, ent in _items(data, "entities"):
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

    for i, ev in _items(data, "events"):
        slug = ev.get("kb")
        if kb is not None and isinstance(slug, str) and slug not in kb.events:
            emit("R003", ("events", i, "kb"), kb=slug)
        for j, arg in _items(ev, "arguments"):
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
    for i, at in _items(data, "attributions"):
        src = at.get("source")
        if isinstance(src, dict) and isinstance(src.get("ref"), str) and src["ref"] not in entities:
            emit("R002", ("attributions", i, "source", "ref"), field="source ref", ref=src["ref"], kind="entity")
        nested = at.get("nested_in")
        if isinstance(nested, str):
            if kinds.get(nested) != "attribution":
                emit("R002", ("attributions", i, "nested_in"), field="nested_in", ref=nested, kind="attribution")
            elif isinstance(at.get("id"), str):
                parents[at["id"]] = nested
    for i, at in _items(data, "attributions"):
        start = at.get("id")
        chain = [start]
        node = parents.get(start)
        while node is not None and node not in chain:
            chain.append(node)
            node = parents.get(node)
        if node == start and start is not None:
            emit("R004", ("attributions", i, "nested_in"), id=start, chain=" -> ".join(chain + [start]))
    return out


# --------------------------------------------------------------------------
# Level 5: consistency warnings
# --------------------------------------------------------------------------

def _check_consistency(raw: str, data: dict, display: str, locate: Locator) -> list[Diagnostic]:
    out = []
    boiler = [(z["start"], z["end"]) for _, z in _items(data, "zones")
              if _is_span(z) and z.get("type") == "boilerplate"]
    names = [(p, m, e) for p, m, e in _name_mentions(data) if _valid(raw, m)]
    cuts = frozenset(b for _, z in _items(data, "zones") if _is_span(z) for b in (z["start"], z["end"]))
    covered = sorted((m["start"], m["end"]) for _, m, _ in names)

    def inside(a: int, b: int, ranges: Iterable[tuple[int, int]]) -> bool:
        return any(s < b and a < e for s, e in ranges)

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
            if (not inside(pos, end, covered) and not inside(pos, end, boiler)
                    and on_token_boundaries(raw, pos, end, cuts) and not _in_url(raw, pos)):
                line, col = locate(path)
                out.append(checks.make("W001", display, line, col, subject=f"{text}@{pos}", text=text,
                                       start=m["start"], end=m["end"], bstart=pos, bend=end))
            pos = raw.find(text, pos + 1)
    return out


# --------------------------------------------------------------------------
# kb.yaml and the allowlist
# --------------------------------------------------------------------------

def load_kb(root: Path, limits: Limits = DEFAULT) -> tuple[KB | None, list[Diagnostic], int]:
    """Read and check annotations/kb.yaml. Returns (kb or None, diagnostics, files read)."""
    path = root / "annotations" / "kb.yaml"
    display = relative(path, root)
    if not path.is_file():
        return KB(), [], 0
    loaded = yio.load_yaml(path, display, limits)
    out = list(loaded.diagnostics)
    if not loaded.ok:
        return None, out, 1
    locate = _locator(loaded.root)
    errs = schema.errors(loaded.data, "kb")
    for err in errs:
        line, col = locate(err.path)
        out.append(checks.make("S002", display, line, col, detail=err.message))
    if errs:
        return None, out, 1
    ents: dict[str, str] = {}
    evs: dict[str, str] = {}
    for layer, table in (("entities", ents), ("events", evs)):
        first: dict[str, int] = {}
        for i, item in enumerate(loaded.data[layer]):
            if item["id"] in table:
                line, col = locate((layer, i, "id"))
                out.append(checks.make("R007", display, line, col, id=item["id"], first=first[item["id"]]))
            else:
                table[item["id"]] = item["type"]
                first[item["id"]] = locate((layer, i, "id"))[0]
    return KB(ents, evs), out, 1


@dataclass(frozen=True)
class AllowEntry:
    doc: str
    code: str
    subject: str
    reason: str


def load_allowlist(root: Path) -> tuple[list[AllowEntry], list[Diagnostic]]:
    """annotations/allowlist.yaml: warnings accepted on purpose, each with a reason.

    Entries: ``{doc: DOC_ID, code: W001, subject: "Pentagone@123", reason: "…"}``;
    the subject is what the warning names (shown by ``validate --format json``).
    """
    path = root / "annotations" / "allowlist.yaml"
    display = relative(path, root)
    if not path.is_file():
        return [], []
    loaded = yio.load_yaml(path, display)
    if not loaded.ok:
        return [], loaded.diagnostics
    out: list[AllowEntry] = []
    problems: list[Diagnostic] = list(loaded.diagnostics)
    entries = loaded.data.get("allow") if isinstance(loaded.data, dict) else None
    locate = _locator(loaded.root)
    if not isinstance(entries, list):
        problems.append(checks.make("S001", display, 1, 1, detail="allowlist.yaml must be a mapping with a list `allow`"))
        return [], problems
    for i, e in enumerate(entries):
        if not (isinstance(e, dict) and all(isinstance(e.get(k), str) and e.get(k) for k in ("doc", "code", "subject", "reason"))):
            line, col = locate(("allow", i))
            problems.append(checks.make("S001", display, line, col,
                                        detail=f"allow/{i}: needs non-empty doc, code, subject and reason"))
            continue
        out.append(AllowEntry(e["doc"], e["code"], e["subject"], e["reason"]))
    return out, problems


def _locator(root: Any) -> Locator:
    return lambda path: yio.locate(root, path)


# --------------------------------------------------------------------------
# Files, cache and the process pool
# --------------------------------------------------------------------------

class ParseCache:
    """Parsed annotation data keyed by the sha256 of the YAML bytes.

    Stored as JSON under ``directory`` (safe to delete at any time).  Only
    files that parsed without any level-1 diagnostic are cached; an entry that
    cannot be read is ignored and rewritten.  Writes are atomic, so parallel
    workers never see half an entry.
    """

    def __init__(self, directory: Path):
        self.directory = directory

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> Any:
        try:
            with open(self._path(key), "rb") as fh:
                return json.loads(fh.read())
        except (OSError, ValueError):
            return None

    def put(self, key: str, data: Any) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs speed


def cache_key(raw: bytes) -> str:
    h = hashlib.sha256()
    h.update(f"milcontacts-parse-{CACHE_VERSION}\0".encode())
    h.update(raw)
    return h.hexdigest()


@dataclass(frozen=True)
class Job:
    """Everything one worker needs to validate one annotation file."""

    path: str
    root: str
    kb: KB | None
    cache_dir: str | None
    limits: Limits = DEFAULT


def validate_file(job: Job) -> list[Diagnostic]:
    """All diagnostics of one annotation file and its raw text."""
    root = Path(job.root)
    path = Path(job.path)
    display = relative(path, root)
    raw_bytes, problem = yio.read_bytes(path, display, job.limits.max_yaml_bytes)
    if problem is not None:
        return [problem]
    assert raw_bytes is not None
    cache = ParseCache(Path(job.cache_dir)) if job.cache_dir else None
    key = cache_key(raw_bytes) if cache else ""
    data = cache.get(key) if cache else None
    out: list[Diagnostic] = []
    root_node: list[Any] = []
    if data is None:
        loaded = yio.load_yaml_bytes(raw_bytes, display, job.limits)
        out.extend(loaded.diagnostics)
        if not loaded.ok or loaded.data is None:
            if loaded.ok:
                out.append(checks.make("S001", display, 1, 1, detail="the file is empty"))
            return out
        data = loaded.data
        root_node.append(loaded.root)
        if cache and not loaded.diagnostics:
            cache.put(key, data)

    def locate(p: Sequence[Any]) -> tuple[int, int]:
        if not root_node:  # data came from the cache: parse only now, for a line number
            root_node.append(yio.load_yaml_bytes(raw_bytes, display, job.limits).root)
        return yio.locate(root_node[0], p)

    stem = path.stem
    raw_text: str | None = None
    if DOC_ID.match(stem):
        corpus_path = root / "corpus" / f"{stem}.txt"
        raw = read_raw(corpus_path, relative(corpus_path, root), job.limits)
        out.extend(raw.diagnostics)
        raw_text = raw.text
        doc = data.get("document") if isinstance(data, dict) else None
        expected = doc.get("text_sha256") if isinstance(doc, dict) else None
        if raw.sha256 and isinstance(expected, str) and expected != raw.sha256:
            line, col = locate(("document", "text_sha256"))
            out.append(checks.make("T006", display, line, col, path=relative(corpus_path, root),
                                   actual=raw.sha256, expected=expected))
    else:
        out.append(checks.make("R006", display, 1, 1, id=stem))
    out.extend(check_document(data, raw_text, display, locate, job.kb, stem, job.limits))
    return out


def _validate_chunk(jobs: list[Job]) -> list[list[Diagnostic]]:
    gc.disable()  # bulk parsing allocates many small objects (DESIGN §9: ~15%)
    try:
        return [validate_file(j) for j in jobs]
    finally:
        gc.enable()


@dataclass
class Report:
    """The outcome of a validation run."""

    diagnostics: list[Diagnostic]
    files: int
    allowlisted: int = 0

    @property
    def errors(self) -> int:
        return sum(d.severity == "error" for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity == "warning" for d in self.diagnostics)


def _chunks(items: list[Job], size: int) -> list[list[Job]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def validate_corpus(root: Path, jobs: int = 1, cache_dir: Path | None = None,
                    limits: Limits = DEFAULT, progress: bool = False,
                    files: list[Path] | None = None) -> Report:
    """Validate every annotation file under ``root`` (or just ``files``)."""
    root = Path(root)
    kb, out, nfiles = load_kb(root, limits)
    allow, allow_problems = load_allowlist(root)
    out.extend(allow_problems)
    paths = files if files is not None else annotation_files(root)
    job_list = [Job(str(p), str(root), kb, str(cache_dir) if cache_dir else None, limits) for p in paths]
    results: Iterable[list[Diagnostic]]
    bar = _progress(len(job_list), progress)
    if jobs > 1 and len(job_list) > 1:
        size = max(1, min(64, len(job_list) // (jobs * 4) or 1))
        pool = ProcessPoolExecutor(max_workers=jobs)
        try:
            for chunk in pool.map(_validate_chunk, _chunks(job_list, size)):
                for diags in chunk:
                    out.extend(diags)
                    bar(1)
        finally:
            pool.shutdown()
    else:
        for chunk in _chunks(job_list, 64):
            for diags in _validate_chunk(chunk):
                out.extend(diags)
                bar(1)
    bar(0, close=True)
    kept, dropped = apply_allowlist(out, allow)
    return Report(sorted(kept), nfiles + len(job_list), dropped)


def apply_allowlist(diags: list[Diagnostic], allow: list[AllowEntry]) -> tuple[list[Diagnostic], int]:
    """Drop the warnings listed in the allowlist (errors can never be allowlisted)."""
    keys = {(a.doc, a.code, a.subject) for a in allow}
    kept = []
    dropped = 0
    for d in diags:
        doc = Path(d.file).stem
        if d.severity == "warning" and (doc, d.code, d.subject) in keys:
            dropped += 1
        else:
            kept.append(d)
    return kept, dropped


def _progress(total: int, enabled: bool) -> Callable[..., None]:
    if not enabled or total < 50 or not sys.stderr.isatty():
        return lambda n, close=False: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="file", desc="validate", file=sys.stderr)

    def step(n: int, close: bool = False) -> None:
        if n:
            bar.update(n)
        if close:
            bar.close()

    return step

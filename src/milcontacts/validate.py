"""The validator: DESIGN §4's five levels over every annotation file.

Each level adds diagnostics to one list; nothing stops at the first problem
(as in Universal Dependencies' validate.py), so a contributor sees every
problem of a pull request at once.  Levels 3-5 read the data defensively, so
a schema error in one entity does not hide an offset error in another.

The pure core is :func:`check_document` (data + raw text in, diagnostics out);
:func:`validate_corpus` adds the file system, the caches (diagnostics and
parsed data, keyed by content hashes) and the process pool around it.
``datasets`` and spaCy are never imported here: validation runs on every
commit and must start fast.
"""

from __future__ import annotations

import fnmatch
import gc
import hashlib
import json
import os
import re
import sys
import unicodedata
from bisect import bisect_left
from collections import defaultdict, deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from . import checks, schema
from . import io as yio
from .checks import Diagnostic
from .limits import DEFAULT, Limits

DOC_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,80}$")
NOT_DOCUMENTS = {"kb.yaml", "allowlist.yaml"}
CACHE_VERSION = "2"

Locator = Callable[[Sequence[Any]], "tuple[int, int]"]


# --------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------

def annotation_files(root: Path) -> list[Path]:
    """The annotation files of a corpus root, sorted (kb and allowlist excluded)."""
    return [Path(name) for name in _annotation_names(root)]


def relative(path: Path, root: Path) -> str:
    return _relative(path, root.resolve())


def _relative(path: Path, resolved_root: Path) -> str:
    """:func:`relative` with the root already resolved (one ``resolve`` less per call)."""
    try:
        return path.resolve().relative_to(resolved_root).as_posix()
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


def occurrences(raw: str, text: str) -> list[int]:
    """Every start offset of ``text`` in ``raw`` (overlapping occurrences included)."""
    hits = []
    pos = raw.find(text)
    while pos != -1:
        hits.append(pos)
        pos = raw.find(text, pos + 1)
    return hits


def _nearest(raw: str, text: str, start: int) -> int | None:
    """Start of the occurrence of ``text`` nearest to ``start`` (the first on a tie), if any."""
    return min(occurrences(raw, text), key=lambda p: abs(p - start), default=None)


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
    return raw_from_bytes(data, display)


def raw_from_bytes(data: bytes, display: str, digest: str | None = None) -> RawText:
    """The DESIGN §2 checks on the bytes of a raw text (``digest``: their sha256, if known)."""
    out: list[Diagnostic] = []
    digest = digest or hashlib.sha256(data).hexdigest()
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
        if start < end <= n and raw[start:end] == text:
            continue  # the common case: no line number needed (locating costs a tree walk)
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
    first_path: dict[str, tuple[Any, ...]] = {}  # located only if a duplicate needs the line
    for layer, kind in (("zones", "zone"), ("entities", "entity"), ("timexes", "timex"),
                        ("events", "event"), ("attributions", "attribution")):
        for i, item in _items(data, layer):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in kinds:
                emit("R001", (layer, i, "id"), id=ident, first=locate(first_path[ident])[0])
            else:
                kinds[ident] = kind
                first_path[ident] = (layer, i, "id")

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


def _check_consistency(raw: str, data: dict, display: str, locate: Locator) -> list[Diagnostic]:
    out = []
    boiler = [(z["start"], z["end"]) for _, z in _items(data, "zones")
              if _is_span(z) and z.get("type") == "boilerplate"]
    names = [(p, m, e) for p, m, e in _name_mentions(data) if _valid(raw, m)]
    cuts = frozenset(b for _, z in _items(data, "zones") if _is_span(z) for b in (z["start"], z["end"]))
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
    """JSON entries keyed by a content hash, under ``directory`` (safe to delete).

    Used for two things (see :func:`validate_file`): the parsed data of an
    annotation file (keyed by its bytes and the parser's fingerprint), and
    the diagnostics of a file (keyed by everything they depend on).

    An entry records its key and the sha256 of its payload: an entry that
    cannot be read, is truncated, corrupt or filed under the wrong name is
    ignored (and rewritten by the next run that computes it).  Writes are
    atomic, so parallel workers never see half an entry.
    """

    def __init__(self, directory: Path, kind: str = ""):
        self.directory = Path(directory) / kind if kind else Path(directory)

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> Any:
        try:
            with open(self._path(key), "rb") as fh:
                blob = fh.read()
            head, digest, payload = blob.split(b"\n", 2)
            if head.decode("ascii") != key or hashlib.sha256(payload).hexdigest() != digest.decode("ascii"):
                return None
            return json.loads(payload)
        except (OSError, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            return None

    def put(self, key: str, data: Any) -> None:
        self.put_json(key, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    def put_json(self, key: str, payload: bytes) -> None:
        """Store an entry already serialised as JSON."""
        blob = b"%s\n%s\n%s" % (key.encode("ascii"), hashlib.sha256(payload).hexdigest().encode("ascii"), payload)
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            yio.write_atomic(path, blob, durable=False)
        except OSError:
            pass  # a cache that cannot be written only costs speed


def _json_exact(data: Any) -> bytes | None:
    """``data`` as JSON if it comes back from JSON unchanged (no dates, int keys,
    NaN ...), so that cached data is the data the parser gave; else None."""
    try:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return payload if json.loads(payload) == data else None
    except (TypeError, ValueError, RecursionError):
        return None


_PARSE_SOURCES = ("io.py", "limits.py", "checks.py")
_CHECK_SOURCES = _PARSE_SOURCES + ("validate.py", "schema.py")


def _fingerprint(parts: Iterable[str], sources: Sequence[str], schemas: bool) -> str | None:
    """sha256 of the code (and schemas) a cached result depends on; None if unreadable."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") + b"\0")
    try:
        here = Path(__file__).resolve().parent
        for name in sources:
            h.update((here / name).read_bytes() + b"\0")
        if schemas:
            for name in ("annotation", "kb"):
                h.update((schema.schema_dir() / f"{name}.schema.json").read_bytes() + b"\0")
    except OSError:
        return None
    return h.hexdigest()


_FINGERPRINTS: dict[tuple[str, Limits], tuple[str | None, str | None]] = {}


def fingerprints(limits: Limits = DEFAULT) -> tuple[str | None, str | None]:
    """(parser fingerprint, checker fingerprint): what the parse cache and the
    diagnostics cache are keyed by besides the files themselves.

    The parser's: the cache format, io.py/limits.py/checks.py, the PyYAML and
    libyaml versions (and whether libyaml is used), the limits.  The checker's adds
    validate.py, schema.py, both JSON Schemas, the Python version (and its
    Unicode tables, for NFC), and the jsonschema/jsonschema_rs versions.  Any
    change to the validator therefore starts from an empty cache.
    """
    key = (CACHE_VERSION, limits)
    if key not in _FINGERPRINTS:
        import yaml

        try:  # libyaml's own version (its messages are in Y001 diagnostics)
            from yaml import _yaml as libyaml

            libyaml_version = libyaml.get_version_string()
        except (ImportError, AttributeError):
            libyaml_version = "none"
        base = [f"milcontacts-cache-{CACHE_VERSION}", repr(limits), yaml.__version__, str(yio.HAVE_LIBYAML),
                libyaml_version]
        parse = _fingerprint(base, _PARSE_SOURCES, schemas=False)
        versions = [sys.version, unicodedata.unidata_version]
        try:
            from importlib.metadata import version

            versions += [version(name) for name in ("jsonschema", "jsonschema-rs", "referencing")]
        except Exception:  # noqa: BLE001 - metadata missing: key on the module files instead
            import jsonschema

            versions += [str(getattr(jsonschema, "__file__", "")), "no-metadata"]
        check = _fingerprint(base + versions, _CHECK_SOURCES, schemas=True)
        _FINGERPRINTS[key] = (parse, check)
    return _FINGERPRINTS[key]


def kb_fingerprint(kb: KB | None) -> str:
    """What the checks of a file use from kb.yaml: its ids with their types (or that it is broken)."""
    if kb is None:
        return "kb:none"
    payload = json.dumps([sorted(kb.entities.items()), sorted(kb.events.items())], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def cache_key(raw: bytes, fingerprint: str | None = None) -> str:
    """Key of the parsed data of an annotation file: its bytes and the parser."""
    h = hashlib.sha256()
    h.update(f"milcontacts-parse-{CACHE_VERSION}\0{fingerprint or fingerprints()[0]}\0".encode())
    h.update(raw)
    return h.hexdigest()


def diagnostics_key(fingerprint: str, display: str, raw: bytes, text_state: str) -> str:
    """Key of the diagnostics of one file: the checker and kb (``fingerprint``),
    the file's name and bytes, and the state of its raw text (its path and
    sha256, or why it was not read)."""
    h = hashlib.sha256()
    h.update(f"milcontacts-diagnostics-{CACHE_VERSION}\0{fingerprint}\0{display}\0{text_state}\0".encode())
    h.update(raw)
    return h.hexdigest()


def _diagnostics_from(entry: Any) -> list[Diagnostic] | None:
    """The diagnostics stored in a cache entry, or None if it is not a well-formed list."""
    if not isinstance(entry, list):
        return None
    out = []
    for item in entry:
        if not (isinstance(item, list) and len(item) == 7
                and all(isinstance(item[i], str) for i in (0, 3, 4, 5, 6))
                and type(item[1]) is int and type(item[2]) is int):
            return None
        out.append(Diagnostic(item[0], item[1], item[2], item[3], item[4], item[5], item[6]))
    return out


def _diagnostics_to(diags: list[Diagnostic]) -> list[list[Any]]:
    return [[d.file, d.line, d.column, d.severity, d.code, d.message, d.subject] for d in diags]


@dataclass(frozen=True)
class Job:
    """Everything one worker needs to validate one annotation file.

    ``fingerprint`` (set by :func:`validate_corpus` when a cache is used)
    identifies the checker and the kb; without it only the parse cache is used.
    """

    path: str
    root: str
    kb: KB | None
    cache_dir: str | None
    limits: Limits = DEFAULT
    fingerprint: str | None = None


def validate_file(job: Job) -> list[Diagnostic]:
    """All diagnostics of one annotation file and its raw text.

    With a cache, the diagnostics of a file are looked up first, keyed by
    everything they depend on (:func:`diagnostics_key`): an unchanged file
    with an unchanged text, kb and validator costs two reads and two hashes.
    Otherwise the parsed data may still come from the parse cache (keyed by
    the file's bytes alone), and only the checks are run again.
    """
    root = Path(job.root)
    resolved_root = root.resolve()
    path = Path(job.path)
    display = _relative(path, resolved_root)
    raw_bytes, problem = yio.read_bytes(path, display, job.limits.max_yaml_bytes)
    if problem is not None:
        return [problem]
    assert raw_bytes is not None

    # The raw text is read first: its bytes are part of the diagnostics' key.
    stem = path.stem
    text_bytes: bytes | None = None
    text_problem: Diagnostic | None = None
    corpus_path = root / "corpus" / f"{stem}.txt"
    corpus_display = ""
    if DOC_ID.match(stem):
        corpus_display = _relative(corpus_path, resolved_root)
        if corpus_path.is_file():
            text_bytes, text_problem = yio.read_bytes(corpus_path, corpus_display, job.limits.max_text_bytes)
    text_sha = hashlib.sha256(text_bytes).hexdigest() if text_bytes is not None else None

    parse_fp, check_fp = fingerprints(job.limits) if job.cache_dir else (None, None)
    parse_cache = ParseCache(Path(job.cache_dir)) if job.cache_dir and parse_fp else None
    diag_cache = (ParseCache(Path(job.cache_dir), "diagnostics")
                  if job.cache_dir and check_fp and job.fingerprint and text_problem is None else None)
    diag_key = ""
    if diag_cache is not None:
        if not corpus_display:
            state = "no text: the file name is not a document id"
        elif text_sha is None:
            state = f"{corpus_display}: missing"
        else:
            state = f"{corpus_display}: {text_sha}"
        diag_key = diagnostics_key(f"{check_fp}\0{job.fingerprint}", display, raw_bytes, state)
        cached = _diagnostics_from(diag_cache.get(diag_key))
        if cached is not None:
            return cached
    out = _check_file(job, raw_bytes, display, parse_cache, parse_fp, stem, corpus_display,
                      text_bytes, text_problem, text_sha)
    if diag_cache is not None:
        diag_cache.put(diag_key, _diagnostics_to(out))
    return out


def _check_file(job: Job, raw_bytes: bytes, display: str, cache: ParseCache | None, parse_fp: str | None,
                stem: str, corpus_display: str, text_bytes: bytes | None,
                text_problem: Diagnostic | None, text_sha: str | None) -> list[Diagnostic]:
    """Levels 1-5 on one file whose bytes (and raw text's bytes) have been read."""
    key = cache_key(raw_bytes, parse_fp) if cache else ""
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
            payload = _json_exact(data)
            if payload is not None:
                cache.put_json(key, payload)

    def locate(p: Sequence[Any]) -> tuple[int, int]:
        if not root_node:  # data came from the cache: parse only now, for a line number
            root_node.append(yio.load_yaml_bytes(raw_bytes, display, job.limits).root)
        return yio.locate(root_node[0], p)

    raw_text: str | None = None
    if corpus_display:
        if text_problem is not None:
            raw = RawText(None, None, [text_problem])
        elif text_bytes is None:
            raw = RawText(None, None, [checks.make("T001", corpus_display, 1, 1, path=corpus_display)])
        else:
            raw = raw_from_bytes(text_bytes, corpus_display, text_sha)
        out.extend(raw.diagnostics)
        raw_text = raw.text
        doc = data.get("document") if isinstance(data, dict) else None
        expected = doc.get("text_sha256") if isinstance(doc, dict) else None
        if raw.sha256 and isinstance(expected, str) and expected != raw.sha256:
            line, col = locate(("document", "text_sha256"))
            out.append(checks.make("T006", display, line, col, path=corpus_display,
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


def _annotation_names(root: Path) -> list[str]:
    """``annotation_files(root)`` as strings, without building a Path per file.

    The same files in the same order (``*.yaml`` as pathlib's glob matches it,
    kb.yaml and allowlist.yaml excluded); a corpus of N documents then holds N
    short strings while it is validated, not N Path objects and N Jobs.
    """
    folder = root / "annotations"
    if not folder.is_dir():
        return []
    prefix = str(folder)
    try:
        with os.scandir(folder) as entries:
            return sorted(f"{prefix}/{e.name}" for e in entries
                          if e.name not in NOT_DOCUMENTS and fnmatch.fnmatchcase(e.name, "*.yaml"))
    except PermissionError:  # as pathlib's glob: an unreadable folder lists nothing
        return []


def _job_chunks(names: list[str], size: int, make: Callable[[str], Job]) -> Iterator[list[Job]]:
    """The jobs in chunks of ``size``, made only when a chunk is needed."""
    for i in range(0, len(names), size):
        yield [make(name) for name in names[i:i + size]]


def _map_bounded(pool: ProcessPoolExecutor, fn: Callable[[Any], Any], items: Iterable[Any],
                 window: int) -> Iterator[Any]:
    """``pool.map(fn, items)`` (results in order) with at most ``window`` items in flight,
    so that the chunks of a large corpus are not all made and pickled up front."""
    pending: deque[Any] = deque()
    try:
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()


def validate_corpus(root: Path, jobs: int = 1, cache_dir: Path | None = None,
                    limits: Limits = DEFAULT, progress: bool = False,
                    files: list[Path] | None = None) -> Report:
    """Validate every annotation file under ``root`` (or just ``files``).

    Files are read one at a time (one chunk per worker at a time with
    ``jobs`` > 1); only their diagnostics are kept, so memory does not grow
    with the corpus beyond one name per file.
    """
    root = Path(root)
    kb, out, nfiles = load_kb(root, limits)
    allow, allow_problems = load_allowlist(root)
    out.extend(allow_problems)
    names = [str(p) for p in files] if files is not None else _annotation_names(root)
    fingerprint = None
    if cache_dir:
        fingerprint = kb_fingerprint(kb)
        fingerprints(limits)  # computed once here; forked workers inherit it
    root_name, cache_name = str(root), str(cache_dir) if cache_dir else None

    def make(name: str) -> Job:
        return Job(name, root_name, kb, cache_name, limits, fingerprint)

    bar = _progress(len(names), progress)
    if jobs > 1 and len(names) > 1:
        size = max(1, min(64, len(names) // (jobs * 4) or 1))
        pool = ProcessPoolExecutor(max_workers=jobs)
        try:
            for chunk in _map_bounded(pool, _validate_chunk, _job_chunks(names, size, make), window=4 * jobs):
                for diags in chunk:
                    out.extend(diags)
                    bar(1)
        finally:
            pool.shutdown()
    else:
        for chunk in _job_chunks(names, 64, make):
            for diags in _validate_chunk(chunk):
                out.extend(diags)
                bar(1)
    bar(0, close=True)
    kept, dropped = apply_allowlist(out, allow)
    return Report(sorted(kept), nfiles + len(names), dropped)


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

"""The validator's on-disk caches: parsed data and diagnostics, keyed by content hashes.

Safe to delete at any time.  The build reads the parsed data of the
validation run it has just made from here (one parse per file).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any, Iterable, Sequence

from .. import io as yio
from .. import schema
from ..corpus.kb import KB
from ..diagnostics import Diagnostic
from ..limits import DEFAULT, Limits

CACHE_VERSION = "5"


class ParseCache:
    """JSON entries keyed by a content hash, stored in pack files under ``directory/kind``.

    Used for the parsed data of an annotation file (kind ``parse``, keyed by its
    bytes and the parser's fingerprint), the diagnostics of a file (kind
    ``diagnostics``, keyed by everything they depend on, see :func:`validate_file`)
    and the build's tokens (kind ``tokens``).

    Why packs: creating a file costs 0.3-0.5 ms on the machines measured (ext4),
    as much as a twentieth of parsing an annotation file, and a first run used to
    create two per file.  Entries are now kept in memory by :meth:`put` and written
    together by :meth:`flush` (the validator flushes after each chunk of files) as
    one immutable file ``<time written, ns>-<sha256 of its bytes>.pack``, written atomically::

        milcontacts-pack 1\n
        <length of the index>\n
        <index: JSON [[key, offset, length, sha256 of key + NUL + payload], ...]>
        <payloads, concatenated>

    A pack is never modified: a cache folder written by parallel workers, or by
    several CI jobs, merges by copying the files together.  Each entry records the
    sha256 of its key and payload; a pack whose header cannot be read is ignored, and
    an entry that is truncated, corrupt, or filed under another key is ignored
    and, once recomputed, written again in a new pack (a key found in several
    packs is read from its newest copy that checks out).  When a kind holds more
    than :data:`MAX_PACKS` packs, the oldest are deleted at the next flush (a cache
    is safe to delete: deleted entries are recomputed).
    """

    def __init__(self, directory: Path, kind: str = ""):
        self.directory = Path(directory) / kind if kind else Path(directory)
        self._prefix = str(self.directory)
        self._pending: dict[str, bytes] = {}
        self._pending_bytes = 0
        self._index: dict[str, list[tuple[str, int, int, str]]] = {}
        self._packs: set[str] = set()
        self._stamp: int | None = None  # the folder's mtime when its packs were last listed
        self._cleaned = False

    # ----- reading

    def _refresh(self) -> None:
        """Read the index of every pack not seen yet (a new file changes the folder's mtime)."""
        try:
            stamp = os.stat(self._prefix).st_mtime_ns
        except OSError:
            return
        if stamp == self._stamp:
            return
        self._stamp = stamp
        try:
            with os.scandir(self._prefix) as entries:
                found = sorted(e.name for e in entries if e.name.endswith(PACK_SUFFIX) and e.name not in self._packs)
        except OSError:
            return
        # Names start with their writing time: oldest first, each copy put in front, so a key's
        # newest copy is tried first (an entry recomputed because its copy was unusable wins
        # over that copy from then on).
        for name in found:
            self._packs.add(name)
            for key, offset, length, digest in _read_index(f"{self._prefix}/{name}"):
                self._index.setdefault(key, []).insert(0, (name, offset, length, digest))

    def _payload(self, key: str) -> bytes | None:
        payload = self._pending.get(key)
        if payload is not None:
            return payload
        locations = self._index.get(key)
        if locations is None:
            self._refresh()
            locations = self._index.get(key)
        for name, offset, length, digest in locations or ():
            try:
                with open(f"{self._prefix}/{name}", "rb") as fh:
                    fh.seek(offset)
                    payload = fh.read(length)
            except OSError:
                continue
            if len(payload) == length and entry_digest(key, payload) == digest:
                return payload
        return None

    def get(self, key: str) -> Any:
        """The entry stored under ``key``, or None (missing, or not to be trusted)."""
        payload = self._payload(key)
        if payload is None:
            return None
        try:
            return json.loads(payload)
        except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            return None

    # ----- writing

    def put(self, key: str, data: Any) -> None:
        self.put_json(key, to_json(data))

    def put_json(self, key: str, payload: bytes) -> None:
        """Store an entry already serialised as JSON (written by the next :meth:`flush`)."""
        old = self._pending.get(key)
        self._pending[key] = payload
        self._pending_bytes += len(payload) - (len(old) if old is not None else 0)
        if len(self._pending) >= FLUSH_ENTRIES or self._pending_bytes >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Write the entries :meth:`put` since the last flush as one pack; a cache that cannot
        be written only costs speed."""
        if not self._pending:
            return
        pending, self._pending, self._pending_bytes = self._pending, {}, 0
        index, offset = [], 0
        for key, payload in pending.items():
            index.append([key, offset, len(payload), entry_digest(key, payload)])
            offset += len(payload)
        head = json.dumps(index, separators=(",", ":")).encode("ascii")
        blob = b"".join([PACK_MAGIC, b"%d\n" % len(head), head, *pending.values()])
        name = f"{time.time_ns():020d}-{hashlib.sha256(blob).hexdigest()}{PACK_SUFFIX}"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            if not self._cleaned:  # a killed run's half-written pack, once per process and folder
                yio.remove_stale(self.directory, TMP_PREFIX)
                self._cleaned = True
            yio.write_atomic(self.directory / name, blob, durable=False, tmp_prefix=f"{TMP_PREFIX}{os.getpid()}-")
        except OSError:
            return
        self._packs.add(name)
        base = len(PACK_MAGIC) + len(b"%d\n" % len(head)) + len(head)
        for key, start, length, digest in index:
            self._index.setdefault(key, []).insert(0, (name, base + start, length, digest))
        if len(self._packs) > MAX_PACKS:
            self._prune()

    def _prune(self) -> None:
        """Delete the oldest packs beyond :data:`MAX_PACKS`."""
        try:
            with os.scandir(self._prefix) as entries:
                packs = sorted(e.name for e in entries if e.name.endswith(PACK_SUFFIX))
        except OSError:
            return
        for name in packs[: max(0, len(packs) - MAX_PACKS)]:
            try:
                os.unlink(f"{self._prefix}/{name}")
            except OSError:
                pass
            self._packs.discard(name)
        self._index = {k: [loc for loc in v if loc[0] in self._packs] for k, v in self._index.items()}


#: Prefix of a pack being written (``<prefix><pid>-<random>.tmp``; a dead process's are removed).
TMP_PREFIX = ".tmp-"
#: The first line of a pack file.
PACK_MAGIC = b"milcontacts-pack 1\n"
PACK_SUFFIX = ".pack"
#: A pack is written when this many entries, or bytes, are waiting.
FLUSH_ENTRIES = 256
FLUSH_BYTES = 16 * 2**20
#: Packs kept per kind (oldest deleted first): a corpus of 10,000 documents fills about 160.
MAX_PACKS = 4096


def entry_digest(key: str, payload: bytes) -> str:
    """What an index records for an entry: the sha256 of its key and payload (a payload
    filed under another key does not match)."""
    return hashlib.sha256(key.encode("ascii", "replace") + b"\0" + payload).hexdigest()


def _read_index(path: str) -> list[tuple[str, int, int, str]]:
    """The entries of a pack as (key, absolute offset, length, sha256); [] if its header is not well-formed."""
    try:
        with open(path, "rb") as fh:
            if fh.readline(len(PACK_MAGIC) + 1) != PACK_MAGIC:
                return []
            size = int(fh.readline(24))
            head = fh.read(size)
            base = fh.tell()
        if len(head) != size:
            return []
        index = json.loads(head)
    except (OSError, ValueError):
        return []
    out = []
    if not isinstance(index, list):
        return []
    for item in index:
        if not (isinstance(item, list) and len(item) == 4 and isinstance(item[0], str) and type(item[1]) is int
                and type(item[2]) is int and isinstance(item[3], str) and item[1] >= 0 and item[2] >= 0):
            return []
        out.append((item[0], base + item[1], item[2], item[3]))
    return out


#: The caches this process has open (one per folder and kind), kept across chunks and
#: shared by the validator and the build: a worker reads the packs' index once, not once per
#: chunk.  Entries are immutable and every read is checked, so a long-lived process can only
#: miss entries written by others since (it looks again on a miss when the folder changed).
PROCESS_CACHES: dict[tuple[str, str], ParseCache] = {}


def shared(directory: str | Path, kind: str,
           open_caches: dict[tuple[str, str], ParseCache] | None = None) -> ParseCache:
    """The one :class:`ParseCache` of ``directory/kind`` in ``open_caches`` (default: this
    process's, :data:`PROCESS_CACHES`), made on first use."""
    caches = PROCESS_CACHES if open_caches is None else open_caches
    key = (str(directory), kind)
    cache = caches.get(key)
    if cache is None:
        cache = caches[key] = ParseCache(Path(directory), kind)
    return cache


def flush_all(caches: dict[tuple[str, str], ParseCache] | None = None) -> None:
    """Write the pending entries of every cache in ``caches`` (default: this process's)."""
    for cache in (PROCESS_CACHES if caches is None else caches).values():
        cache.flush()


#: ASCII JSON (non-ASCII characters escaped): no UTF-8 encoding step, and no check for circular
#: data (a circular structure raises RecursionError instead), a fifth faster than ``json.dumps``.
_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False)


def to_json(data: Any) -> bytes:
    """``data`` as compact ASCII JSON bytes (the cache's one serialisation)."""
    return _ENCODER.encode(data).encode("ascii")


def json_exact(data: Any, plain: bool = False) -> bytes | None:
    """``data`` as JSON if it comes back from JSON unchanged (no dates, int keys,
    NaN ...), so that cached data is the data the parser gave; else None.

    ``plain``: the data is known to be of JSON's own types (see
    :attr:`milcontacts.io.Loaded.plain`), so the round trip is not checked (a lone
    surrogate is escaped, and comes back as itself).
    """
    try:
        payload = to_json(data)
        return payload if plain or json.loads(payload) == data else None
    except (TypeError, ValueError, RecursionError):
        return None


#: The package's files (relative to milcontacts/) each cache depends on; a folder stands for its *.py files.
_PARSE_SOURCES = ("io.py", "limits.py", "checks.py", "diagnostics.py")
_CHECK_SOURCES = _PARSE_SOURCES + ("validate", "corpus", "spans.py", "schema.py")


def _fingerprint(parts: Iterable[str], sources: Sequence[str], schemas: bool) -> str | None:
    """sha256 of the code (and schemas) a cached result depends on; None if unreadable."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") + b"\0")
    try:
        here = Path(__file__).resolve().parent.parent
        for name in sources:
            files = sorted((here / name).glob("*.py")) if (here / name).is_dir() else [here / name]
            for path in files:
                h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        if schemas:
            for name in ("annotation", "kb", "splits"):
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
    the validate and corpus packages, spans.py, schema.py, the JSON Schemas, the Python version (and its
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


def diagnostics_from(entry: Any) -> tuple[list[Diagnostic], Any, tuple[str, ...]] | None:
    """(diagnostics, story, kb links) stored in a cache entry, or None if it is not well-formed."""
    if not (isinstance(entry, dict) and isinstance(entry.get("diagnostics"), list)):
        return None
    out = []
    for item in entry["diagnostics"]:
        if not (isinstance(item, list) and len(item) == 7
                and all(isinstance(item[i], str) for i in (0, 3, 4, 5, 6))
                and type(item[1]) is int and type(item[2]) is int):
            return None
        out.append(Diagnostic(item[0], item[1], item[2], item[3], item[4], item[5], item[6]))
    story = entry.get("story")
    links = entry.get("kb_links", [])
    if not (isinstance(links, list) and all(isinstance(k, str) for k in links)):
        return None
    return out, story if isinstance(story, str) else None, tuple(links)


def diagnostics_to(diags: list[Diagnostic], story: Any, kb_links: tuple[str, ...] = ()) -> dict[str, Any]:
    """A cache entry for the diagnostics of a file (and its story and kb links, for the corpus checks)."""
    return {"diagnostics": [[d.file, d.line, d.column, d.severity, d.code, d.message, d.subject] for d in diags],
            "story": story if isinstance(story, str) else None, "kb_links": list(kb_links)}

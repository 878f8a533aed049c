"""The validator's on-disk caches: parsed data and diagnostics, keyed by content hashes.

Safe to delete at any time.  The build reads the parsed data of the
validation run it has just made from here (one parse per file).
"""

from __future__ import annotations

import hashlib
import json
import sys
import unicodedata
from pathlib import Path
from typing import Any, Iterable, Sequence

from .. import io as yio
from .. import schema
from ..corpus.kb import KB
from ..diagnostics import Diagnostic
from ..limits import DEFAULT, Limits

CACHE_VERSION = "4"


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
        self._prefix = str(self.directory)

    def _path(self, key: str) -> str:
        # A string, not a Path: a warm run looks up one entry per file.
        return f"{self._prefix}/{key[:2]}/{key}.json"

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
        path = Path(self._path(key))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            yio.write_atomic(path, blob, durable=False)
        except OSError:
            pass  # a cache that cannot be written only costs speed


def json_exact(data: Any, plain: bool = False) -> bytes | None:
    """``data`` as JSON if it comes back from JSON unchanged (no dates, int keys,
    NaN ...), so that cached data is the data the parser gave; else None.

    ``plain``: the data is known to be of JSON's own types (see
    :attr:`milcontacts.io.Loaded.plain`), so the round trip is not checked; a string
    that UTF-8 cannot encode (a lone surrogate) still gives None.
    """
    try:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
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

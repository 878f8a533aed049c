"""Reusing a build: a rebuild whose inputs have not changed copies the previous output.

The build is deterministic (byte-identical output for the same inputs), so its
whole output can be content-addressed like any other cache entry, as make or
Bazel's action cache do.  The key (:func:`output_key`) is the sha256 of:

* every file the build can read under ROOT: ``splits.yaml`` and every file
  under ``annotations/`` and ``corpus/`` (names and bytes; kb.yaml and the
  allowlist included);
* the code that makes the output: every file of the ``milcontacts`` package,
  the loading script, the JSON Schemas;
* the versions of Python and of the libraries whose code writes or shapes
  the output (datasets, pyarrow, spaCy, PyYAML, huggingface_hub, jsonschema,
  jsonschema-rs, NumPy), read from the package metadata without importing them;
* the build's options (the shard size).

An entry is ``CACHE/builds/<key>/``: a copy of the output folder (but for
the copies of corpus files under ``data/``, which are part of the key and are
read from ROOT again) and ``manifest.json`` (the key, each file's size, sha256
and source, the summary the command prints), written into a private temporary folder and renamed into
place, so a reader sees a whole entry or none.  On a hit every file is read,
checked against its sha256 and copied into a new temporary folder that then
replaces ``--out`` like a fresh build; one mismatch (a damaged or edited
entry) discards the entry and the build runs in full.  Validation always runs
first: the gate does not depend on this cache.  The :data:`KEEP` most recently
used entries are kept; the folder is safe to delete.

Why: a warm rebuild of the five-document corpus otherwise spends most of its
second importing ``datasets`` (and pandas), which the loading script's
features need, to write the same bytes again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterator

from .parquet import Shard, SplitOutput

#: Bumped when the entry format changes.
REUSE_VERSION = "2"
#: Entries kept (the most recently used).
KEEP = 2
#: Outputs larger than this are not stored (the output of 10,000 documents is about 400 MB; a
#: copy of a larger one would cost more disk than a rebuild is worth to anyone working on it).
MAX_STORED_BYTES = 2**30
#: Distributions whose code writes or shapes the output (see the module docstring).
DISTRIBUTIONS = ("datasets", "pyarrow", "spacy", "PyYAML", "huggingface-hub", "jsonschema", "jsonschema-rs",
                 "numpy")
MANIFEST = "manifest.json"
#: Prefix of the private folders an entry is written in (a killed build's are removed by the next).
TMP_PREFIX = ".tmp-"


def _files_under(folder: Path) -> Iterator[tuple[str, Path]]:
    """(POSIX path relative to ``folder``, path) of every file below it, sorted; links not followed."""
    found: list[tuple[str, Path]] = []
    pending = [(folder, "")]
    while pending:
        here, shown = pending.pop()
        with os.scandir(here) as entries:
            for entry in entries:
                name = f"{shown}{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        pending.append((Path(entry.path), f"{name}/"))
                else:
                    found.append((name, Path(entry.path)))
    return iter(sorted(found))


def _add(h: Any, label: str, path: Path) -> None:
    """Name and bytes of one file (a link: its target path, never its content)."""
    h.update(label.encode("utf-8") + b"\0")
    if path.is_symlink():
        h.update(b"link\0" + os.fsencode(os.readlink(path)) + b"\0")
    else:
        data = path.read_bytes()
        h.update(b"%d\0" % len(data) + data)


def output_key(root: Path, script: Path, max_shard_bytes: int) -> str | None:
    """The key of the output a build of ``root`` gives (see the module docstring); None if
    an input cannot be read (the build then runs in full and says why)."""
    from importlib.metadata import PackageNotFoundError, version

    from .. import schema

    h = hashlib.sha256(f"milcontacts-build-output-{REUSE_VERSION}\0{max_shard_bytes}\0".encode())
    h.update(sys.version.encode() + b"\0")
    for name in DISTRIBUTIONS:
        try:
            h.update(f"{name}=={version(name)}\0".encode())
        except PackageNotFoundError:
            h.update(f"{name} missing\0".encode())
    try:
        package = Path(__file__).resolve().parent.parent
        for label, path in _files_under(package):
            if not label.endswith((".pyc", ".pyo")):
                _add(h, f"package/{label}", path)
        _add(h, "script", script)
        for label, path in _files_under(schema.schema_dir()):
            _add(h, f"schema/{label}", path)
        root = Path(root)
        for top in ("annotations", "corpus"):
            if (root / top).is_dir() and not (root / top).is_symlink():
                for label, path in _files_under(root / top):
                    _add(h, f"root/{top}/{label}", path)
            elif (root / top).exists() or (root / top).is_symlink():
                _add(h, f"root/{top}", root / top)
        if (root / "splits.yaml").exists() or (root / "splits.yaml").is_symlink():
            _add(h, "root/splits.yaml", root / "splits.yaml")
    except OSError:
        return None
    return h.hexdigest()


def _corpus_file(root: Path, relative: str, missing_ok: bool = False) -> bytes | None:
    """The bytes of ``root/relative``; a link anywhere on the way is refused (OSError)."""
    from ..corpus.layout import is_link_free

    path = Path(root) / relative
    if ".." in Path(relative).parts or not is_link_free(path, Path(root)):
        raise OSError(f"{relative}: not a plain file of the corpus")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        if missing_ok:
            return None
        raise


def _result_to_json(outputs: dict[str, list[SplitOutput]], documents: int) -> dict[str, Any]:
    return {"documents": documents,
            "outputs": {config: [{"name": s.name, "shards": [asdict(sh) for sh in s.shards]} for s in splits]
                        for config, splits in outputs.items()}}


def _result_from_json(data: Any) -> tuple[dict[str, list[SplitOutput]], int]:
    """The summary of a manifest; ValueError if it is not well-formed."""
    try:
        outputs = {config: [SplitOutput(s["name"], [Shard(**sh) for sh in s["shards"]]) for s in splits]
                   for config, splits in data["outputs"].items()}
        documents = data["documents"]
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"bad manifest: {exc}") from exc
    if type(documents) is not int:
        raise ValueError("bad manifest: documents")
    return outputs, documents


class OutputCache:
    """Whole build outputs under ``directory/builds`` (see the module docstring)."""

    def __init__(self, directory: Path):
        self.folder = Path(directory) / "builds"

    def restore(self, key: str, into: Path, root: Path) -> tuple[dict[str, list[SplitOutput]], int] | None:
        """Copy the entry ``key`` into the empty folder ``into``, every file checked against its
        sha256; its (outputs, documents), or None (no entry, or a damaged one, then removed).
        The output's copies of corpus files (``data/``) are read from ``root``."""
        entry = self.folder / key
        if not entry.is_dir():
            return None
        try:
            manifest = json.loads((entry / MANIFEST).read_bytes())
            if not isinstance(manifest, dict) or manifest.get("key") != key:
                raise ValueError("manifest of another key")
            result = _result_from_json(manifest.get("result"))
            files = manifest["files"]
            if not isinstance(files, list):
                raise ValueError("bad manifest: files")
            for item in files:
                name, size, digest, source = item
                target = (into / name).resolve()
                if into.resolve() not in target.parents:
                    raise ValueError(f"bad manifest: path {name!r}")
                if source is None:
                    data = (entry / name).read_bytes()
                else:  # a copy of a corpus file (part of the key): read from the corpus, link-free
                    data = _corpus_file(root, source)
                if len(data) != size or hashlib.sha256(data).hexdigest() != digest:
                    raise ValueError(f"{name} changed since it was stored")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            os.utime(entry / MANIFEST)  # most recently used
        except (OSError, ValueError, TypeError, KeyError):  # damaged: never trusted, removed
            shutil.rmtree(entry, ignore_errors=True)
            return None
        return result

    def store(self, key: str, out: Path, outputs: dict[str, list[SplitOutput]], documents: int,
              root: Path) -> None:
        """Keep a copy of the finished output folder ``out`` under ``key``; a cache that cannot
        be written only costs speed.  The output's copies of corpus files (``data/``, the same
        bytes as under ``root``, and part of the key) are recorded, not copied: a corpus of N
        documents would otherwise cost 2N more files to create and read."""
        from ..io import remove_stale

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            remove_stale(self.folder, TMP_PREFIX)
            if (self.folder / key).is_dir():
                return
            out_files = list(_files_under(out))
            if sum(path.stat().st_size for _name, path in out_files) > MAX_STORED_BYTES:
                return
            tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-", dir=self.folder))
            try:
                files = []
                for name, path in out_files:
                    data = path.read_bytes()
                    source = name[len("data/"):] if name.startswith("data/") else None
                    if source is not None and _corpus_file(root, source, missing_ok=True) != data:
                        source = None  # not a corpus file (the empty kb.yaml of a corpus without one)
                    if source is None:
                        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
                        (tmp / name).write_bytes(data)
                    files.append([name, len(data), hashlib.sha256(data).hexdigest(), source])
                manifest = {"key": key, "files": files, "result": _result_to_json(outputs, documents)}
                (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
                os.rename(tmp, self.folder / key)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            self._prune()
        except OSError:
            pass

    def _prune(self) -> None:
        """Keep the :data:`KEEP` most recently used entries."""
        entries = []
        for entry in os.scandir(self.folder):
            if len(entry.name) == 64 and entry.is_dir(follow_symlinks=False):
                try:
                    entries.append((os.stat(Path(entry.path) / MANIFEST).st_mtime_ns, entry.path))
                except OSError:
                    entries.append((0, entry.path))
        for _mtime, path in sorted(entries, reverse=True)[KEEP:]:
            shutil.rmtree(path, ignore_errors=True)

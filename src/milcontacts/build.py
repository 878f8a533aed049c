"""``milcontacts build [ROOT] --out DIR``: the hub-ready Hugging Face dataset folder (DESIGN §5).

What is written::

    DIR/README.md                       dataset card: YAML front matter (configs, dataset_info, tags)
    DIR/croissant.json                  Croissant 1.1 metadata of the Parquet files
    DIR/LICENSE.md                      the rights: annotations CC-BY-4.0, texts third-party
    DIR/<config>/<split>-00000-of-0000N.parquet
    DIR/milcontacts_fr.py               the loading script, for datasets < 4
    DIR/data/{splits.yaml,annotations/,corpus/}   what the script reads

The loading script (``scripts/milcontacts_fr.py``) is the single source of the
features and of the rows: this module imports it by path and calls the same
functions its ``_generate_examples`` calls, so the Parquet files and the
script cannot disagree.  It uses the script that ships with this package (the
repository's ``scripts/`` in a checkout, a copy inside the wheel otherwise),
not one found under ROOT: ROOT is data (a test fixture or a contributor's
corpus has no ``scripts/``), and this module and the script must come from the
same version because one calls the other.

Guarantees:

* The corpus is validated first (:func:`milcontacts.validate.validate_corpus`);
  any error stops the build with the diagnostics, exit code 1.
* Deterministic: the same sources give byte-identical Parquet files, card and
  Croissant file (no timestamps, rows in a fixed order, fixed file names).
* Atomic: everything is written into a temporary folder next to DIR, which
  then replaces DIR in one rename (``renameat2(RENAME_EXCHANGE)`` on Linux;
  elsewhere two renames, between which DIR is briefly absent).  An
  interrupted build never leaves a half-written DIR, and an existing DIR stays
  intact until the new one is complete.
* One parse per file, all cores: validation keeps the parsed data in a private
  temporary folder (the system's temporary directory, never under ROOT), from
  which the rows are made by a pool of processes (``jobs``) and consumed in
  input order; rows waiting for their shard wait there too, pickled.  The
  folder is deleted at the end; the output does not depend on ``jobs``.

Build-time error codes (the validator's codes are in ``checks.py``):
``B001`` a name mention does not align with the ``ner`` tokens; ``B002`` the
splits are unusable (``splits.yaml`` problems, a story in two splits);
``B003`` another problem found by the loading script.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import hashlib
import importlib.util
import json
import os
import pickle
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Iterable, Iterator

from . import checks
from .checks import Diagnostic

SCRIPT_NAME = "milcontacts_fr.py"
#: Uncompressed Arrow bytes per Parquet file.  Several files per split let
#: readers (datasets' num_proc, streaming with several workers, Spark) split
#: the work; the Hub itself converts with 500 MB shards.
DEFAULT_MAX_SHARD_BYTES = 256 * 2**20
#: Uncompressed bytes per Parquet row group (the unit a reader can skip or fetch alone).
ROW_GROUP_BYTES = 16 * 2**20
#: Rows (counted like shards) turned into Arrow data at a time when a shard is written.
FLUSH_BYTES = 4 * 2**20
PRETTY_NAME = "MilContacts-FR"
ANNOTATION_LICENSE = "CC-BY-4.0"
EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class BuildError(Exception):
    """The build cannot go on; ``diagnostics`` say why, ``exit_code`` is 1 or 2."""

    def __init__(self, message: str, diagnostics: Iterable[Diagnostic] = (), exit_code: int = EXIT_INVALID):
        super().__init__(message)
        self.diagnostics = list(diagnostics)
        self.exit_code = exit_code


def _diag(code: str, message: str, file: str = "splits.yaml", line: int = 1, column: int = 1) -> Diagnostic:
    return checks.make(code, file, line, column, detail=message)


# --------------------------------------------------------------------------
# The loading script
# --------------------------------------------------------------------------

def script_path() -> Path:
    """The loading script that ships with this package (see the module docstring)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_hf" / SCRIPT_NAME, here.parent.parent / "scripts" / SCRIPT_NAME):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{SCRIPT_NAME} not found in the milcontacts package or the repository's scripts/")


def load_script(path: Path | None = None) -> ModuleType:
    """Import the loading script by path (it is not a module of this package)."""
    path = path or script_path()
    spec = importlib.util.spec_from_file_location("milcontacts_fr_loading_script", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered like a normal import: datasets re-imports a builder's module by
    # name when one instantiates the builder class (to patch it for streaming).
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------
# Parquet shards
# --------------------------------------------------------------------------

@dataclass
class Shard:
    path: str  # relative to the output folder, POSIX
    rows: int
    num_bytes: int  # uncompressed Arrow bytes
    size: int  # bytes on disk
    sha256: str


@dataclass
class SplitOutput:
    name: str
    shards: list[Shard] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.shards)

    @property
    def num_bytes(self) -> int:
        return sum(s.num_bytes for s in self.shards)


class ShardWriter:
    """Writes one split of one config as size-bounded Parquet files.

    Rows are buffered until the next one would push the shard past
    ``max_bytes``; file names get their ``-of-N`` suffix once N is known.  An
    empty split still gets one (empty) file, so every declared split loads.

    A row's size is the length of its encoded form as UTF-8 JSON (the
    measure shard and row-group boundaries have always been computed with).
    Rows arrive a document at a time from :func:`_document_rows` (possibly in
    a worker process), already encoded, with their sizes; they are kept
    pickled until their shard is written, so the buffer holds about as many
    bytes as it counts, not several times more as Python objects.
    """

    def __init__(self, out: Path, config: str, split: str, features: Any, max_bytes: int,
                 spill: Path | None = None):
        self.folder = out / config
        self.folder.mkdir(parents=True, exist_ok=True)
        self.config, self.split, self.features, self.max_bytes = config, split, features, max_bytes
        self.schema = features.arrow_schema
        # Pickled lists of rows (kept in ``spill``, a private scratch file, as (offset, length), if
        # given), or lists of rows.
        self.pending: list[Any] = []
        self.spill = open(spill, "w+b") if spill is not None else None  # noqa: SIM115 - closed in close()
        self.count = 0
        self.size = 0
        self.parts: list[tuple[Path, int, int]] = []

    def add(self, example: dict[str, Any]) -> None:
        """One row, not yet encoded."""
        rows, sizes = _encode_rows(self.features, [example])
        self.add_encoded(rows, sizes)

    def add_encoded(self, rows: bytes | list[dict[str, Any]], sizes: list[int]) -> None:
        """Encoded rows (a list, or that list pickled) with their sizes (see the class docstring)."""
        start = 0
        loaded: list[dict[str, Any]] | None = None
        for i, size in enumerate(sizes):
            if self.count and self.size + size > self.max_bytes:
                if i > start:  # the shard ends inside this batch of rows
                    if loaded is None:
                        loaded = pickle.loads(rows) if isinstance(rows, bytes) else rows
                    self._keep(loaded[start:i], sum(sizes[start:i]))
                    start = i
                self._flush()
            self.count += 1
            self.size += size
        if start < len(sizes):
            if start == 0:
                self._keep(rows, sum(sizes))
            else:
                assert loaded is not None
                self._keep(loaded[start:], sum(sizes[start:]))

    def _keep(self, rows: bytes | list[dict[str, Any]], size: int) -> None:
        if self.spill is None:
            self.pending.append((rows, size))
            return
        blob = rows if isinstance(rows, bytes) else pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
        offset = self.spill.seek(0, os.SEEK_END)
        self.spill.write(blob)
        self.pending.append(((offset, len(blob)), size))

    def _rows_of(self, item: Any) -> list[dict[str, Any]]:
        if isinstance(item, tuple):
            assert self.spill is not None
            offset, length = item
            self.spill.seek(offset)
            item = self.spill.read(length)
        return pickle.loads(item) if isinstance(item, bytes) else item

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        # The rows become Arrow data a slice at a time (never the whole shard as Python
        # objects); the slices are then joined into one chunk, the table a single
        # ``from_pylist`` of all the rows gives (same values, buffers and ``nbytes``).
        pieces = []
        rows: list[dict[str, Any]] = []
        size = 0
        pending, self.pending = self.pending, []
        pending.reverse()
        while pending:
            item, item_size = pending.pop()
            rows.extend(self._rows_of(item))
            size += item_size
            if size >= FLUSH_BYTES or not pending:
                pieces.append(pa.Table.from_pylist(rows, schema=self.schema))
                rows, size = [], 0
        if not pieces:
            table = pa.Table.from_pylist([], schema=self.schema)
        elif len(pieces) == 1:
            table = pieces[0]
        else:
            table = pa.concat_tables(pieces).combine_chunks()
        del pieces
        part = self.folder / f".{self.split}-{len(self.parts):05d}.part"
        per_group = max(1, ROW_GROUP_BYTES * self.count // max(1, self.size)) if self.count else 1
        pq.write_table(table, part, compression="zstd", row_group_size=per_group)
        self.parts.append((part, table.num_rows, table.nbytes))
        self.count, self.size = 0, 0
        if self.spill is not None:
            self.spill.seek(0)
            self.spill.truncate()

    def close(self) -> SplitOutput:
        if self.count or not self.parts:
            self._flush()
        if self.spill is not None:
            self.spill.close()
            self.spill = None
        out = SplitOutput(self.split)
        n = len(self.parts)
        for i, (part, rows, nbytes) in enumerate(self.parts):
            name = f"{self.split}-{i:05d}-of-{n:05d}.parquet"
            final = self.folder / name
            os.replace(part, final)
            data = final.read_bytes()
            out.shards.append(Shard(f"{self.config}/{name}", rows, nbytes, len(data), hashlib.sha256(data).hexdigest()))
        return out


# --------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------

@dataclass
class BuildResult:
    out: Path
    outputs: dict[str, list[SplitOutput]]  # config -> splits in splits.yaml order
    documents: int


def _check_paths(root: Path, out: Path, script_stem: str) -> None:
    if not (root / "annotations").is_dir():
        raise BuildError(f"{root} has no annotations/ folder", exit_code=EXIT_USAGE)
    r, o = root.resolve(), out.resolve()
    if o == r or o in r.parents:
        raise BuildError(f"--out {out} contains the corpus root {root}: replacing it would delete the corpus",
                         exit_code=EXIT_USAGE)
    if out.name == script_stem:
        # datasets >= 4 refuses a folder that holds a script named after it.
        raise BuildError(f"--out must not be named {script_stem!r} (the folder would hold {script_stem}.py, "
                         "which datasets >= 4 refuses to load); choose another name", exit_code=EXIT_USAGE)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not _is_build_output(out))):
        raise BuildError(f"--out {out} exists and is not a previous build output (no README.md, croissant.json "
                         f"and {SCRIPT_NAME}); remove it or choose another folder", exit_code=EXIT_USAGE)


def _is_build_output(folder: Path) -> bool:
    return all((folder / name).is_file() for name in ("README.md", "croissant.json", SCRIPT_NAME))


def _jobs(jobs: int | None, ndocs: int) -> int:
    """Worker processes: all usable cores, one process for a small corpus (a pool costs a
    second or two to start, spaCy included)."""
    if jobs is None:
        try:
            jobs = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            jobs = os.cpu_count() or 1
    return max(1, jobs) if ndocs >= SERIAL_BELOW else 1


def _count_documents(root: Path) -> int:
    from .validate import annotation_files

    return len(annotation_files(root))


def _validate(root: Path, progress: bool, cache_dir: Path | None = None, jobs: int = 1) -> None:
    from .validate import validate_corpus

    # The parse cache (if any) is a private temporary folder, never under the corpus root (it may
    # be a read-only fixture): the rows are then made from the data parsed here (one parse per file).
    report = validate_corpus(root, jobs=jobs, cache_dir=cache_dir, progress=progress)
    if report.errors:
        raise BuildError(f"the corpus has {report.errors} validation error(s); run milcontacts validate",
                         report.diagnostics)


def _load_splits(root: Path) -> dict[str, list[str]]:
    """splits.yaml through the corpus API, with usable split names."""
    from .model import InvalidCorpus, load_splits

    try:
        splits = load_splits(root)
    except InvalidCorpus as exc:
        raise BuildError("splits.yaml cannot be used", [_diag("B002", str(exc))]) from exc
    for name in splits:
        if not re.fullmatch(r"\w+(\.\w+)*", name):
            raise BuildError("bad split name", [_diag("B002", f"split name {name!r} is not usable by datasets "
                                                               "(letters, digits and _ only)")])
    return splits


def _check_stories(splits: dict[str, list[str]], stories: Iterable[tuple[str, Any]]) -> None:
    """DESIGN §5: a story never straddles two splits (``stories``: (doc id, story) pairs)."""
    split_of = {doc_id: name for name, ids in splits.items() for doc_id in ids}
    where_of: dict[str, dict[str, str]] = {}
    for doc_id, story in stories:
        if story:
            where_of.setdefault(story, {})[split_of[doc_id]] = doc_id
    problems = [_diag("B002", f"story {story!r} straddles splits: " +
                      ", ".join(f"{doc} in {split}" for split, doc in sorted(where.items())))
                for story, where in sorted(where_of.items()) if len(where) > 1]
    if problems:
        raise BuildError("documents about one story must stay in one split (DESIGN §5)", problems)


def _splits(root: Path) -> dict[str, list[str]]:
    """splits.yaml through the corpus API, plus DESIGN §5: a story never straddles two splits."""
    from .model import iter_documents

    splits = _load_splits(root)
    _check_stories(splits, ((doc.id, doc.meta.get("story"))
                            for doc in iter_documents(root, check=False)))  # validated just before
    return splits


#: Below this many documents the build runs in one process.
SERIAL_BELOW = 64
#: Documents per task sent to a worker process.
CHUNK_DOCS = 8


class _RowMaker:
    """Makes the rows of one document (in the build process or in a worker).

    The annotation data comes from the validation's parse cache when it holds
    the file (the same data: the cache keeps only data that JSON returns
    unchanged), else from a parse, as :func:`milcontacts.model.load_document`
    does.  Rows are encoded with the config's features and measured (see
    :class:`ShardWriter`); each config's rows travel pickled.
    """

    def __init__(self, root: Path, script: Path, cache_dir: Path | None, module: ModuleType | None = None):
        from .validate import ParseCache, fingerprints

        self.root = root
        self.module = module or load_script(script)
        self.features = {c: self.module.features(c) for c in self.module.CONFIG_NAMES}
        parse_fp = fingerprints()[0] if cache_dir else None
        self.cache = ParseCache(cache_dir) if cache_dir and parse_fp else None
        self.parse_fp = parse_fp

    def data(self, doc_id: str) -> tuple[Path, dict[str, Any]]:
        from . import io as yio
        from .model import InvalidCorpus
        from .validate import cache_key

        path = self.root / "annotations" / f"{doc_id}.yaml"
        if self.cache is not None:
            try:
                raw = path.read_bytes()
            except OSError:
                raw = None
            if raw is not None:
                data = self.cache.get(cache_key(raw, self.parse_fp))
                if data is not None:
                    return path, data
        loaded = yio.load_yaml(path, str(path))
        if not loaded.ok:
            raise InvalidCorpus(f"{path}: {loaded.diagnostics[0].message}")
        return path, loaded.data

    def story(self, doc_id: str) -> Any:
        return self.data(doc_id)[1]["document"].get("story")

    def rows(self, split: str, doc_id: str) -> tuple[str, Any]:
        """("ok", [(pickled rows, sizes) per config]) or ("source"|"rows", CorpusError fields)."""
        from .validate import relative

        module = self.module
        path, data = self.data(doc_id)
        text = (self.root / "corpus" / f"{doc_id}.txt").read_bytes().decode("utf-8")
        try:
            sdoc = module.document_from_data(data, text, relative(path, self.root), split,
                                             yaml_source=lambda p=path: p.read_text(encoding="utf-8"))
        except module.CorpusError as exc:
            return "source", (exc.file, exc.line, exc.column, exc.code, exc.message)
        out = []
        try:
            for config in module.CONFIG_NAMES:
                rows, sizes = _encode_rows(self.features[config],
                                           [example for _key, example in module.examples(config, sdoc)])
                out.append((pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL), sizes))
        except module.CorpusError as exc:
            return "rows", (exc.file, exc.line, exc.column, exc.code, exc.message)
        return "ok", out


def _encode_rows(features: Any, examples: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[int]]:
    """Encoded rows and their sizes: bytes of each encoded row as UTF-8 JSON."""
    encode = features.encode_example
    rows = [encode(example) for example in examples]
    dumps = json.dumps
    return rows, [len(dumps(row, ensure_ascii=False, default=str).encode("utf-8")) for row in rows]


_WORKER: dict[str, _RowMaker] = {}


def _worker_init(root: str, script: str, cache_dir: str | None) -> None:
    _WORKER["maker"] = _RowMaker(Path(root), Path(script), Path(cache_dir) if cache_dir else None)


def _worker_stories(doc_ids: list[str]) -> list[Any]:
    maker = _WORKER["maker"]
    return [maker.story(doc_id) for doc_id in doc_ids]


def _worker_rows(items: list[tuple[str, str]]) -> list[tuple[str, Any]]:
    maker = _WORKER["maker"]
    out = []
    for split, doc_id in items:
        result = maker.rows(split, doc_id)
        out.append(result)
        if result[0] != "ok":
            break  # the build stops at the first error
    return out


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


class _Producer:
    """Stories and rows of documents, in input order, from this process or a pool of workers."""

    def __init__(self, root: Path, script: Path, module: ModuleType, cache_dir: Path | None, jobs: int):
        self.jobs = jobs
        self.pool: Any = None
        if jobs > 1:
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init,
                                            initargs=(str(root), str(script),
                                                      str(cache_dir) if cache_dir else None))
            self.maker = None
        else:
            self.maker = _RowMaker(root, script, cache_dir, module)

    def _map(self, fn: Any, items: list[Any]) -> Iterator[Any]:
        from .validate import _map_bounded

        for chunk in _map_bounded(self.pool, fn, _chunks(items, CHUNK_DOCS), window=4 * self.jobs):
            yield from chunk

    def stories(self, doc_ids: list[str]) -> Iterator[tuple[str, Any]]:
        if self.pool is None:
            assert self.maker is not None
            stories: Iterable[Any] = (self.maker.story(doc_id) for doc_id in doc_ids)
        else:
            stories = self._map(_worker_stories, doc_ids)
        return zip(doc_ids, stories)

    def rows(self, items: list[tuple[str, str]]) -> Iterator[tuple[str, Any]]:
        if self.pool is None:
            assert self.maker is not None
            return (self.maker.rows(split, doc_id) for split, doc_id in items)
        return self._map(_worker_rows, items)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def build(root: Path, out: Path, max_shard_bytes: int = DEFAULT_MAX_SHARD_BYTES,
          progress: bool = True, jobs: int | None = None) -> BuildResult:
    """Validate ``root`` and write the hub-ready folder ``out`` (see the module docstring).

    ``jobs``: processes that validate and make the rows (default: the usable cores; a
    small corpus is built in one process).  The output does not depend on it.
    """
    root, out = Path(root), Path(out)
    script = script_path()
    _check_paths(root, out, script.stem)
    njobs = _jobs(jobs, _count_documents(root))
    cache = Path(tempfile.mkdtemp(prefix="milcontacts-build-cache-"))
    try:
        _validate(root, progress, cache, njobs)
        splits = _load_splits(root)
        module = load_script(script)
        producer = _Producer(root, script, module, cache, njobs)
        try:
            from .model import document_ids

            _check_stories(splits, producer.stories(document_ids(root)))  # validated just before

            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
            try:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; the result is a folder to publish
                outputs = _write_parquet(root, tmp, module, splits, max_shard_bytes, progress, producer, cache)
                producer.close()
                _copy_sources(root, tmp, script, splits)
                ndocs = sum(len(ids) for ids in splits.values())
                (tmp / "README.md").write_text(render_card(root, module, outputs, ndocs), encoding="utf-8")
                (tmp / "croissant.json").write_text(render_croissant(module, outputs), encoding="utf-8")
                (tmp / "LICENSE.md").write_text(LICENSE_TEXT, encoding="utf-8")
                _swap_into_place(tmp, out)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        finally:
            producer.close()
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return BuildResult(out, outputs, ndocs)


def _write_parquet(root: Path, out: Path, module: ModuleType, splits: dict[str, list[str]],
                   max_shard_bytes: int, progress: bool, producer: _Producer,
                   scratch: Path | None = None) -> dict[str, list[SplitOutput]]:
    """The documents of each split in order (made by ``producer``), feeding one writer per config.

    Rows waiting for their shard are kept in files under ``scratch`` (a private temporary
    folder) if given, so the memory of the build does not grow with the shard size.
    """
    from tqdm import tqdm

    outputs: dict[str, list[SplitOutput]] = {c: [] for c in module.CONFIG_NAMES}
    features = {c: module.features(c) for c in module.CONFIG_NAMES}
    items = [(split, doc_id) for split, ids in splits.items() for doc_id in sorted(ids)]
    results = producer.rows(items)
    total = len(items)
    with tqdm(total=total, unit="doc", desc="build", file=sys.stderr,
              disable=None if progress else True) as bar:
        for split, ids in splits.items():
            writers = {c: ShardWriter(out, c, split, features[c], max_shard_bytes,
                                      spill=scratch / f"{c}.rows" if scratch else None)
                       for c in module.CONFIG_NAMES}
            for _ in ids:
                status, payload = next(results)
                if status == "source":  # raised by document_from_data, as before: not a BuildError
                    raise module.CorpusError(*payload)
                if status == "rows":
                    file, line, column, code, message = payload
                    raise BuildError(f"{file}: cannot build the dataset",
                                     [_diag(code, message, file, line, column)])
                for config, (rows, sizes) in zip(module.CONFIG_NAMES, payload):
                    writers[config].add_encoded(rows, sizes)
                del payload
                bar.update(1)
            for config, writer in writers.items():
                outputs[config].append(writer.close())
    return outputs


def _copy_sources(root: Path, out: Path, script: Path, splits: dict[str, list[str]]) -> None:
    """The loading script and exactly the files it reads, under ``data/``."""
    shutil.copyfile(script, out / SCRIPT_NAME)
    data = out / "data"
    (data / "annotations").mkdir(parents=True)
    (data / "corpus").mkdir()
    shutil.copyfile(root / "splits.yaml", data / "splits.yaml")
    if (root / "annotations" / "kb.yaml").is_file():
        shutil.copyfile(root / "annotations" / "kb.yaml", data / "annotations" / "kb.yaml")
    for ids in splits.values():
        for doc_id in ids:
            shutil.copyfile(root / "annotations" / f"{doc_id}.yaml", data / "annotations" / f"{doc_id}.yaml")
            shutil.copyfile(root / "corpus" / f"{doc_id}.txt", data / "corpus" / f"{doc_id}.txt")


_RENAME_EXCHANGE = 2


def _swap_into_place(tmp: Path, out: Path) -> None:
    """Make ``tmp`` the new ``out``; the old ``out`` (if any) is removed afterwards."""
    if not out.exists():
        os.rename(tmp, out)
        return
    if _exchange(tmp, out):  # atomic: readers see the old folder or the new one
        shutil.rmtree(tmp)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rename(out, old / "x")
    os.rename(tmp, out)
    shutil.rmtree(old)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


# --------------------------------------------------------------------------
# The dataset card
# --------------------------------------------------------------------------

LICENSE_TEXT = """\
# Rights

MilContacts-FR mixes material under different rights; read this before any reuse.

* **Annotations** (every file under `data/annotations/`, and every column of the
  Parquet files except the texts themselves): Creative Commons Attribution 4.0
  International (CC-BY-4.0), https://creativecommons.org/licenses/by/4.0/.
* **Texts** (`data/corpus/*.txt`, the `text` column of the `documents` config, the
  tokens of the `ner` config and every `text` of a span): third-party news articles
  under their publishers' and agencies' copyright. They are reproduced only so that
  the stand-off annotations can be read and checked. MilContacts-FR holds no rights in
  them; any reuse of a text needs its rights holder's permission. Each document's
  `metadata.rights` says who holds them.
* **Code** (`milcontacts_fr.py`): MIT.
"""


def _size_category(n: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                         (1_000_000, "100K<n<1M")):
        if n < limit:
            return label
    return "n>1M"


def _dataset_info_yaml(module: ModuleType, outputs: dict[str, list[SplitOutput]]) -> list[dict[str, Any]]:
    """``dataset_info`` entries written by the datasets library itself (as push_to_hub does)."""
    from datasets import DatasetInfo, SplitDict, SplitInfo
    from datasets.info import DatasetInfosDict
    from huggingface_hub import DatasetCardData

    infos = DatasetInfosDict()
    for config, splits in outputs.items():
        split_dict = SplitDict()
        for s in splits:
            split_dict.add(SplitInfo(name=s.name, num_bytes=s.num_bytes, num_examples=s.rows))
        infos[config] = DatasetInfo(
            features=module.features(config), splits=split_dict, config_name=config,
            download_size=sum(sh.size for s in splits for sh in s.shards),
            dataset_size=sum(s.num_bytes for s in splits))
    card_data = DatasetCardData()
    infos.to_dataset_card_data(card_data)
    entries = card_data.to_dict()["dataset_info"]
    entries = entries if isinstance(entries, list) else [entries]
    for entry in entries:
        _scalar_lists_as_sequences(entry["features"])
    return entries


def _scalar_lists_as_sequences(node: Any) -> None:
    """Write a list of scalars or class labels as ``sequence:``, not ``list:``.

    datasets >= 4 reads both as ``List``; datasets 3 reads ``sequence:`` as
    ``Sequence`` (what the loading script declares there, so that
    ``features["ner_tags"].feature.names`` works) but ``list:`` as a bare
    Python list.  Lists of structs stay ``list:``, which both read as a list of
    dicts.
    """
    if isinstance(node, list):
        for item in node:
            _scalar_lists_as_sequences(item)
    elif isinstance(node, dict):
        inner = node.get("list")
        if isinstance(inner, str) or (isinstance(inner, dict) and "struct" not in inner and "list" not in inner):
            node["sequence"] = node.pop("list")
        for value in node.values():
            _scalar_lists_as_sequences(value)


def card_front_matter(module: ModuleType, outputs: dict[str, list[SplitOutput]], ndocs: int) -> dict[str, Any]:
    configs = []
    for config, splits in outputs.items():
        entry: dict[str, Any] = {"config_name": config,
                                 "data_files": [{"split": s.name, "path": [sh.path for sh in s.shards]}
                                                for s in splits]}
        if config == module.MilContactsFR.DEFAULT_CONFIG_NAME:
            entry["default"] = True
        configs.append(entry)
    return {
        "pretty_name": PRETTY_NAME,
        "language": ["fr"],
        "license": "other",
        "license_name": "cc-by-4.0-annotations-third-party-texts",
        "license_link": "LICENSE.md",
        "annotations_creators": ["expert-generated"],
        "language_creators": ["found"],
        "multilinguality": ["monolingual"],
        "size_categories": [_size_category(ndocs)],
        "source_datasets": ["original"],
        "task_categories": ["token-classification"],
        "task_ids": ["named-entity-recognition"],
        "tags": ["news", "event-extraction", "attribution", "temporal-expressions", "timex3",
                 "entity-linking", "stand-off-annotation", "military", "croissant"],
        "configs": configs,
        "dataset_info": _dataset_info_yaml(module, outputs),
    }


def describe_feature(feature: Any) -> str:
    """A one-line, human-readable type of a datasets feature."""
    from datasets import ClassLabel, Sequence, Value

    if isinstance(feature, dict):
        return "{" + ", ".join(f"{k}: {describe_feature(v)}" for k, v in feature.items()) + "}"
    if isinstance(feature, (list, tuple)):
        return f"list of {describe_feature(feature[0])}"
    if isinstance(feature, ClassLabel):
        return f"class label ({len(feature.names)} names)"
    if isinstance(feature, Value):
        return feature.dtype
    inner = getattr(feature, "feature", None)
    if isinstance(feature, Sequence) or inner is not None:
        return f"list of {describe_feature(inner)}"
    return type(feature).__name__


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def _demote_headings(markdown: str) -> str:
    out, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        out.append("#" + line if not fenced and line.startswith("#") else line)
    return "\n".join(out)


def render_card(root: Path, module: ModuleType, outputs: dict[str, list[SplitOutput]], ndocs: int) -> str:
    """README.md of the folder: front matter for the Hub, then the card (no timestamps)."""
    import yaml

    front = yaml.safe_dump(card_front_matter(module, outputs, ndocs), sort_keys=False, allow_unicode=True,
                           width=1000)
    split_names = [s.name for s in next(iter(outputs.values()))]
    lines = [
        "---", front.rstrip("\n"), "---", "",
        f"# {PRETTY_NAME}", "",
        module._DESCRIPTION.strip().replace("\n", " "), "",
        "This folder was written by `milcontacts build` from the project repository; do not edit it "
        "by hand. The loading script `milcontacts_fr.py` defines the features and produces the rows; "
        "the Parquet files are its output.", "",
        "## Configurations", "",
        "| config | what a row is | " + " | ".join(split_names) + " |",
        "|---|---|" + "---:|" * len(split_names),
    ]
    for config, splits in outputs.items():
        what = module._CONFIG_DESCRIPTIONS[config].replace("|", "\\|")
        lines.append(f"| `{config}` | {what} | " + " | ".join(str(s.rows) for s in splits) + " |")
    lines += ["", f"{ndocs} documents; splits are declared in `data/splits.yaml`, and texts about the same "
                  "real-world story are always in the same split.", ""]
    lines += ["## Loading", "", "```python", "from datasets import load_dataset", "",
              'ner = load_dataset("path/to/this/folder", "ner")          # or a Hub repository id',
              'docs = load_dataset("path/to/this/folder", "documents", split="train")',
              'labels = ner["train"].features["ner_tags"].feature.names  # "O", "B-PER", "I-PER", ...',
              "```", "",
              "Offline: with the folder on disk, set `HF_HUB_OFFLINE=1` and `HF_DATASETS_OFFLINE=1`; nothing is "
              "downloaded. `streaming=True` works too. Without `datasets`, read the Parquet files directly "
              "(pandas, pyarrow, DuckDB, Polars).", "",
              "With `datasets` < 4 (which can run loading scripts), the script rebuilds the same rows from "
              "`data/`:", "", "```python",
              'load_dataset("path/to/this/folder/milcontacts_fr.py", "ner", trust_remote_code=True)',
              "```", "",
              "It needs `pyyaml` and, for `ner` and `events`, `spacy` (no model download). datasets 3 also "
              "reads the Parquet files through this card, with the same rows and features. Do not name a "
              "Hub repository or a local copy of this folder `milcontacts_fr`: datasets >= 4 refuses a "
              "folder that holds a script named after it.", ""]
    lines += ["## Features", ""]
    for config in outputs:
        lines += [f"### `{config}`", ""]
        for name, feat in module.features(config).items():
            lines.append(f"- `{name}`: {describe_feature(feat)}")
        lines.append("")
    lines += ["Offsets (`start`, `end`, `token_starts`, `token_ends`) are Python `str` indices (Unicode code "
              "points) into the document text, start inclusive, end exclusive; `text[start:end]` is the span's "
              "`text`. Ids (`e1`, `t1`, `v1`, `a1`) are unique within a document.", "",
              "### How `ner` is tokenized", "",
              "`ner_tags` are BIO tags over the entity types " +
              ", ".join(f"`{t}`" for t in module.ENTITY_TYPES) + " (class label names: " +
              ", ".join(f"`{t}`" for t in module.NER_TAGS[:3]) + ", ...). Only name (`NAM`) mentions are "
              "tagged; nominal and pronoun mentions are in `documents`. Rows cover every zone except "
              "`boilerplate`, where names are not annotated. Tokens come from spaCy's French tokenizer "
              "(`spacy.blank(\"fr\")`) run zone by zone, so no sentence crosses a zone. A token is split where "
              "a name starts or ends inside it, unless that point lies between two letters or digits (which "
              "would cut a word, and is a build error). Sentences come from spaCy's rule-based "
              "`sentencizer`, with a line break also ending a sentence, an opening quote or bracket moved to "
              "the sentence it opens, and no break kept inside a name. Whitespace tokens are dropped. "
              "Benchmark mapping to CoNLL-2003 classes: PER→PER, ORG→ORG, GPE/LOC/FAC→LOC, "
              "NORP/EVENT/MISC→MISC.", "",
              f"This build was made with datasets {_version('datasets')}, pyarrow {_version('pyarrow')} and "
              f"tokenized with spaCy {_version('spacy')}; the loading script run with another spaCy version "
              "may tokenize some texts differently.", ""]
    lines += ["## Licensing", "",
              f"`license: other`: the **annotations** are {ANNOTATION_LICENSE}; the **texts** are third-party "
              "copyrighted news articles, reproduced only so that the annotations can be read; any reuse of "
              "a text needs its rights holder's permission (each document's `metadata.rights`). The "
              "loading script is MIT. See `LICENSE.md`.", ""]
    datacard = root / "DATACARD.md"
    if datacard.is_file():
        sheet = datacard.read_text(encoding="utf-8")
        if sheet.startswith("# "):  # its title: this section has its own
            sheet = sheet.split("\n", 1)[1] if "\n" in sheet else ""
        lines += ["## Datasheet", "",
                  "The project's datasheet (DATACARD.md) as of this build; its relative links point into the "
                  "project repository.", "", _demote_headings(sheet).strip(), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


# --------------------------------------------------------------------------
# Croissant
# --------------------------------------------------------------------------

_CROISSANT_TYPES = {"string": "sc:Text", "large_string": "sc:Text", "bool": "sc:Boolean",
                    "int8": "cr:Int8", "int16": "cr:Int16", "int32": "cr:Int32", "int64": "cr:Int64",
                    "float32": "cr:Float32", "float64": "cr:Float64"}

_CROISSANT_CONTEXT = {
    "@language": "en", "@vocab": "https://schema.org/", "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs", "column": "cr:column", "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/", "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"}, "equivalentProperty": "cr:equivalentProperty",
    "repeated": "cr:repeated", "samplingRate": "cr:samplingRate",
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"}, "dct": "http://purl.org/dc/terms/",
    "examples": {"@id": "cr:examples", "@type": "@json"}, "extract": "cr:extract", "field": "cr:field",
    "fileObject": "cr:fileObject", "fileProperty": "cr:fileProperty", "fileSet": "cr:fileSet",
    "format": "cr:format", "includes": "cr:includes", "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset", "jsonPath": "cr:jsonPath", "key": "cr:key", "md5": "cr:md5",
    "parentField": "cr:parentField", "path": "cr:path", "recordSet": "cr:recordSet",
    "references": "cr:references", "regex": "cr:regex", "replace": "cr:replace", "sc": "https://schema.org/",
    "separator": "cr:separator", "source": "cr:source", "subField": "cr:subField", "transform": "cr:transform",
}


def _croissant_field(fileset: str, field_id: str, column: str, feature: Any,
                     json_path: list[str]) -> dict[str, Any]:
    """A Croissant field for a datasets feature: structs become subFields, lists isArray."""
    from datasets import ClassLabel, Value

    def source() -> dict[str, Any]:
        src: dict[str, Any] = {"fileSet": {"@id": fileset}, "extract": {"column": column}}
        if json_path:
            src["transform"] = ([{"jsonPath": p} for p in json_path] if len(json_path) > 1
                                else {"jsonPath": json_path[0]})
        return src

    if isinstance(feature, Value):
        return {"@type": "cr:Field", "@id": field_id, "dataType": _CROISSANT_TYPES[feature.dtype],
                "source": source()}
    if isinstance(feature, ClassLabel):
        return {"@type": "cr:Field", "@id": field_id, "dataType": "sc:Integer", "source": source(),
                "description": "class label id; names: " + ", ".join(feature.names)}
    if isinstance(feature, dict):
        return {"@type": "cr:Field", "@id": field_id,
                "subField": [_croissant_field(fileset, f"{field_id}/{name}", column, sub, json_path + [name])
                             for name, sub in feature.items()]}
    inner = feature[0] if isinstance(feature, (list, tuple)) else getattr(feature, "feature", None)
    if inner is None:
        raise TypeError(f"no Croissant mapping for {feature!r}")
    result = _croissant_field(fileset, field_id, column, inner, json_path)
    result["isArray"] = True
    result["arrayShape"] = "-1"
    return result


def render_croissant(module: ModuleType, outputs: dict[str, list[SplitOutput]]) -> str:
    """croissant.json: Croissant 1.1, one FileSet and one RecordSet per config, plus its splits."""
    distribution: list[dict[str, Any]] = []
    record_sets: list[dict[str, Any]] = []
    for config, splits in outputs.items():
        fileset = f"parquet-files-{config}"
        distribution.append({"@type": "cr:FileSet", "@id": fileset, "name": fileset,
                             "description": f"Parquet files of the {config} config.",
                             "encodingFormat": "application/x-parquet", "includes": f"{config}/*.parquet"})
        split_set = f"{config}_splits"
        record_sets.append({
            "@type": "cr:RecordSet", "@id": split_set, "name": split_set, "dataType": "cr:Split",
            "description": f"Splits of the {config} config.", "key": {"@id": f"{split_set}/split_name"},
            "field": [{"@type": "cr:Field", "@id": f"{split_set}/split_name", "dataType": "sc:Text"}],
            "data": [{f"{split_set}/split_name": s.name} for s in splits]})
        names = "|".join(re.escape(s.name) for s in splits)
        fields = [{"@type": "cr:Field", "@id": f"{config}/split", "dataType": "sc:Text",
                   "source": {"fileSet": {"@id": fileset}, "extract": {"fileProperty": "fullpath"},
                              "transform": {"regex": rf"^(?:.*/)?{re.escape(config)}/({names})-\d+-of-\d+\.parquet$"}},
                   "references": {"field": {"@id": f"{split_set}/split_name"}}}]
        for column, feature in module.features(config).items():
            fields.append(_croissant_field(fileset, f"{config}/{column}", column, feature, []))
        record_sets.append({"@type": "cr:RecordSet", "@id": config, "name": config,
                            "description": module._CONFIG_DESCRIPTIONS[config], "field": fields})
    doc = {
        "@context": _CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.1",
        "name": PRETTY_NAME,
        "description": module._DESCRIPTION.strip().replace("\n", " "),
        "license": [
            {"@type": "sc:CreativeWork", "name": f"{ANNOTATION_LICENSE} (the annotations)",
             "url": "https://creativecommons.org/licenses/by/4.0/"},
            {"@type": "sc:CreativeWork", "name": "third-party copyright (the texts): any reuse needs the "
                                                 "rights holders' permission", "url": "LICENSE.md"},
        ],
        "url": "README.md",
        "version": module.VERSION,
        "inLanguage": "fr",
        "keywords": ["news", "French", "named entity recognition", "event extraction", "attribution",
                     "temporal expressions"],
        "citeAs": "MilContacts-FR (see README.md)",
        "distribution": distribution,
        "recordSet": record_sets,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def run(args: argparse.Namespace) -> int:
    """``milcontacts build``: exit 0 (built), 1 (invalid corpus, diagnostics printed), 2 (usage)."""
    try:
        result = build(args.root, args.out)
    except BuildError as exc:
        for d in exc.diagnostics:
            print(f"{d.file}:{d.line}:{d.column}: {d.severity} {d.code}: {d.message}", file=sys.stderr)
        print(f"milcontacts build: {exc}", file=sys.stderr)
        return exc.exit_code
    summary = ", ".join(f"{config} {sum(s.rows for s in splits)} rows" for config, splits in result.outputs.items())
    print(f"wrote {result.out} ({result.documents} documents: {summary})")
    return EXIT_OK

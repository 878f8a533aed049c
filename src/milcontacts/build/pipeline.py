"""The build itself: validate, read the splits, make the rows, write the folder.

See :mod:`milcontacts.build` for what is written and the guarantees.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from ..diagnostics import write
from ..io import current_umask, remove_stale
from . import configs
from .card import LICENSE_TEXT, render_card
from .croissant import render_croissant
from .errors import EXIT_OK, BuildError, diag
from .parquet import DEFAULT_MAX_SHARD_BYTES, ShardWriter, SplitOutput
from .publish import check_paths, copy_sources, swap_into_place
from .reuse import OutputCache, output_key
from .rows import SERIAL_BELOW, Producer, corpus_rows
from .script import load_script, script_path


@dataclass
class BuildResult:
    out: Path
    outputs: dict[str, list[SplitOutput]]  # config -> splits in splits.yaml order
    documents: int



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
    from ..corpus.layout import annotation_names

    return len(annotation_names(root))


def _validate(root: Path, progress: bool, cache_dir: Path | None = None, jobs: int = 1) -> None:
    from ..validate import validate_corpus

    # The parse cache (if any) is a private temporary folder, never under the corpus root (it may
    # be a read-only fixture): the rows are then made from the data parsed here (one parse per file).
    report = validate_corpus(root, jobs=jobs, cache_dir=cache_dir, progress=progress)
    if report.errors:
        raise BuildError(f"the corpus has {report.errors} validation error(s); run milcontacts validate",
                         report.diagnostics)


def _load_splits(root: Path) -> dict[str, list[str]]:
    """splits.yaml through the corpus API, with usable split names."""
    from ..corpus import InvalidCorpus, load_splits

    try:
        splits = load_splits(root)
    except InvalidCorpus as exc:
        raise BuildError("splits.yaml cannot be used", [diag("B002", str(exc))]) from exc
    for name in splits:
        if not re.fullmatch(r"\w+(\.\w+)*", name):
            raise BuildError("bad split name", [diag("B002", f"split name {name!r} is not usable by datasets "
                                                               "(letters, digits and _ only)")])
    return splits



#: Private scratch folders of a build, in the system's temporary directory: PREFIX<pid>-<random>.
SCRATCH_PREFIX = "milcontacts-build-"


def _private_dir(parent: Path | None, prefix: str) -> Path:
    """A new private folder ``<prefix><pid>-<random>`` (after removing stale ones of dead builds)."""
    base = Path(parent) if parent is not None else Path(tempfile.gettempdir())
    remove_stale(base, prefix)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=base))


def build(root: Path, out: Path, max_shard_bytes: int = DEFAULT_MAX_SHARD_BYTES,
          progress: bool = True, jobs: int | None = None, cache_dir: Path | None = None) -> BuildResult:
    """Validate ``root`` and write the hub-ready folder ``out`` (see the module docstring).

    ``jobs``: processes that validate and make the rows (default: the usable cores; a
    small corpus is built in one process).  ``cache_dir``: the persistent cache shared
    with ``milcontacts validate`` (diagnostics, parsed data, and the texts' tokens and
    sentences, see :mod:`.tokens`); None: a private temporary one, deleted at the end.
    The output depends on neither.
    """
    root, out = Path(root), Path(out)
    script = script_path()
    check_paths(root, out, script.stem)
    njobs = _jobs(jobs, _count_documents(root))
    scratch = _private_dir(None, SCRATCH_PREFIX)
    cache = Path(cache_dir) if cache_dir is not None else scratch / "cache"
    reuse = OutputCache(Path(cache_dir)) if cache_dir is not None else None
    try:
        _validate(root, progress, cache, njobs)
        key = output_key(root, script, max_shard_bytes) if reuse is not None else None
        if reuse is not None and key is not None:
            restored = _restore(reuse, key, out, root)
            if restored is not None:
                return BuildResult(out, *restored)
        splits = _load_splits(root)
        module = load_script(script)
        producer = Producer(root, script, module, cache, njobs, token_dir=cache if cache_dir is not None else None)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = _private_dir(out.parent, f".{out.name}.tmp-")
            try:
                # mkdtemp makes it private; the result is a folder to publish
                os.chmod(tmp, 0o777 & ~current_umask())
                outputs = _write_parquet(root, tmp, module, splits, max_shard_bytes, progress, producer, scratch)
                producer.close()
                copy_sources(root, tmp, script, splits, njobs)
                ndocs = sum(len(ids) for ids in splits.values())
                (tmp / "README.md").write_text(render_card(root, module, outputs, ndocs), encoding="utf-8")
                (tmp / "croissant.json").write_text(render_croissant(module, outputs), encoding="utf-8")
                (tmp / "LICENSE.md").write_text(LICENSE_TEXT, encoding="utf-8")
                swap_into_place(tmp, out)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        finally:
            producer.close()
        # Stored only if no input changed while the build read them.
        if reuse is not None and key is not None and key == output_key(root, script, max_shard_bytes):
            reuse.store(key, out, outputs, ndocs, root)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return BuildResult(out, outputs, ndocs)


def _restore(reuse: OutputCache, key: str, out: Path, root: Path) -> tuple[dict[str, list[SplitOutput]], int] | None:
    """The output stored under ``key``, swapped into ``out`` like a new build; None on a miss."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = _private_dir(out.parent, f".{out.name}.tmp-")
    try:
        os.chmod(tmp, 0o777 & ~current_umask())
        restored = reuse.restore(key, tmp, root)
        if restored is not None:
            swap_into_place(tmp, out)
            return restored
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(tmp, ignore_errors=True)
    return None


def _write_parquet(root: Path, out: Path, module: ModuleType, splits: dict[str, list[str]],
                   max_shard_bytes: int, progress: bool, producer: Producer,
                   scratch: Path | None = None) -> dict[str, list[SplitOutput]]:
    """The documents of each split in order (made by ``producer``), feeding one writer per config.

    Rows waiting for their shard are kept in files under ``scratch`` (a private temporary
    folder) if given, so the memory of the build does not grow with the shard size.
    """
    from tqdm import tqdm

    names = configs.document_configs(module)
    outputs: dict[str, list[SplitOutput]] = {c: [] for c in names}
    features = {c: configs.features(module, c) for c in names}
    items = [(split, doc_id) for split, ids in splits.items() for doc_id in sorted(ids)]
    results = producer.rows(items)
    total = len(items)
    links: dict[str, list[str]] = {}
    with tqdm(total=total, unit="doc", desc="build", file=sys.stderr,
              disable=None if progress else True) as bar:
        for split, ids in splits.items():
            writers = {c: ShardWriter(out, c, split, features[c], max_shard_bytes,
                                      spill=scratch / f"{c}.rows" if scratch else None)
                       for c in names}
            for doc_id in sorted(ids):
                status, payload = next(results)
                if status == "invalid":
                    raise BuildError(str(payload))
                if status == "error":
                    file, line, column, code, message = payload
                    raise BuildError(f"{file}: cannot build the dataset",
                                     [diag(code, message, file, line, column)])
                per_config, links[doc_id] = payload
                for config, (rows, sizes) in zip(names, per_config):
                    writers[config].add_encoded(rows, sizes)
                del payload
                bar.update(1)
            for config, writer in writers.items():
                outputs[config].append(writer.close())
    # Corpus configs (kb): one split, rows from kb.yaml and every document's links.
    for config in configs.corpus_configs(module):
        writer = ShardWriter(out, config, module.KB_SPLIT, configs.features(module, config), max_shard_bytes)
        for example in corpus_rows(root, module, config, links):
            writer.add(example)
        outputs[config] = [writer.close()]
    return {c: outputs[c] for c in configs.all_configs(module)}




def run(args: argparse.Namespace) -> int:
    """``milcontacts build``: exit 0 (built), 1 (invalid corpus, diagnostics printed), 2 (usage)."""
    try:
        cache_dir = None if getattr(args, "no_cache", False) else (
            getattr(args, "cache_dir", None) or Path(args.root) / ".milcontacts-cache")
        result = build(args.root, args.out, jobs=getattr(args, "jobs", None), cache_dir=cache_dir)
    except BuildError as exc:
        fmt = getattr(args, "format", "text")
        if exc.diagnostics or fmt == "json":
            write(exc.diagnostics, 0, fmt, sys.stdout if fmt == "json" else sys.stderr, tool="milcontacts build",
                  summary=False)
        print(f"milcontacts build: {exc}", file=sys.stderr)
        return exc.exit_code
    summary = ", ".join(f"{config} {sum(s.rows for s in splits)} rows" for config, splits in result.outputs.items())
    print(f"wrote {result.out} ({result.documents} documents: {summary})")
    return EXIT_OK

"""Benchmarks of ``milcontacts validate`` (issue 7).

    python benchmarks/bench_validate.py ROOT [LARGE_ROOT] [--repeat N]

In-process figures use :func:`milcontacts.validate.validate_corpus`, the
function behind the command, on ROOT:

* cold, one core (no cache, jobs=1) against bare ``yaml.load(f,
  Loader=yaml.CSafeLoader)`` of the same annotation files (read + parse);
* ``jobs=2`` against ``jobs=1`` (both without cache);
* warm re-validation of the unchanged corpus (every entry in the cache)
  against the cold run; plus, reported, the run that fills an empty cache,
  the run after 1% of the files changed (and how many were re-parsed) and
  the run after kb.yaml changed.

With LARGE_ROOT, the scaling figures run the real command line
(``python -m milcontacts validate ROOT --no-cache``) on both corpora:
time per document and peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (PYTHON, Figure, alternate, ensure_src_on_path, median,  # noqa: E402
                    run_measured, table, timed)

ensure_src_on_path()

import yaml  # noqa: E402

from milcontacts import io as yio  # noqa: E402
from milcontacts.validate import annotation_files, validate_corpus  # noqa: E402
from milcontacts.validate.cache import PROCESS_CACHES  # noqa: E402


def read_all(root: Path) -> None:
    """Read every file of the corpus once, so that all runs read from the page cache."""
    for folder in ("annotations", "corpus"):
        for path in (root / folder).iterdir():
            if path.is_file():
                path.read_bytes()


def bare_parse(paths: list[Path]) -> None:
    """The floor: read and parse each annotation file with libyaml, nothing else."""
    for path in paths:
        with open(path, "rb") as fh:
            yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def bare_parse_no_gc(paths: list[Path]) -> None:
    gc.disable()
    try:
        bare_parse(paths)
    finally:
        gc.enable()


def _check(report: Any, root: Path) -> None:
    if report.errors:
        raise RuntimeError(f"{root}: the benchmark corpus has {report.errors} validation error(s)")


class _ParseCounter:
    """Counts the annotation files parsed by the validator (jobs=1 only)."""

    def __init__(self) -> None:
        self.files: list[str] = []
        self._orig: Callable[..., Any] = yio.load_yaml_bytes

    def __enter__(self) -> "_ParseCounter":
        def counting(raw: bytes, display: str, *args: Any, **kwargs: Any) -> Any:
            self.files.append(display)
            return self._orig(raw, display, *args, **kwargs)

        yio.load_yaml_bytes = counting  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: Any) -> None:
        yio.load_yaml_bytes = self._orig  # type: ignore[assignment]

    @property
    def documents(self) -> int:
        return sum(1 for d in self.files if not d.endswith(("kb.yaml", "allowlist.yaml")))


def bench_in_process(root: Path, repeat: int, workdir: Path) -> list[Figure]:
    """Cold vs bare parse, jobs=2 vs jobs=1, warm vs cold (and the reported extras)."""
    root = Path(root)
    paths = annotation_files(root)
    n = len(paths)
    read_all(root)
    cache = Path(tempfile.mkdtemp(prefix="validate-cache-", dir=workdir))
    validate_corpus(root, files=paths[:5])  # imports, compiled schema: not what is measured
    _check(validate_corpus(root, cache_dir=cache), root)  # fills the cache for the warm runs

    def cold() -> None:
        _check(validate_corpus(root, jobs=1), root)

    def jobs2() -> None:
        _check(validate_corpus(root, jobs=2), root)

    def warm() -> None:
        PROCESS_CACHES.clear()  # as a new process: the packs' index is read again
        _check(validate_corpus(root, cache_dir=cache), root)

    bare, bare_nogc, c1, c2, w = alternate(
        repeat, timed(lambda: bare_parse(paths)), timed(lambda: bare_parse_no_gc(paths)),
        timed(cold), timed(jobs2), timed(warm))

    # Reported extras: filling an empty cache; 1% of the files changed; kb.yaml changed.
    # Filling is timed right after a cold run, in alternation (the machine's speed drifts).
    fill, fill_cold, changed, kb_changed = [], [], [], []
    reparsed: list[int] = []
    for r in range(max(1, repeat)):
        empty = Path(tempfile.mkdtemp(prefix="validate-cache-", dir=workdir))
        fill_cold.append(timed(cold)())
        PROCESS_CACHES.clear()
        fill.append(timed(lambda: _check(validate_corpus(root, cache_dir=empty), root))())
        shutil.rmtree(empty, ignore_errors=True)
        PROCESS_CACHES.clear()

        touched = paths[:: max(1, n // max(1, n // 100))][: max(1, n // 100)]
        originals = {p: p.read_bytes() for p in touched}
        try:
            for p in touched:
                p.write_bytes(originals[p] + f"# benchmark change {r}\n".encode())
            PROCESS_CACHES.clear()
            with _ParseCounter() as counter:
                changed.append(timed(lambda: _check(validate_corpus(root, cache_dir=cache), root))())
            reparsed.append(counter.documents)
        finally:
            for p, data in originals.items():
                p.write_bytes(data)

        kb = root / "annotations" / "kb.yaml"
        kb_bytes = kb.read_bytes()
        try:
            data = yaml.load(kb_bytes, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            data["entities"].append({"id": f"benchmark-entity-{r}", "type": "ORG", "name": "Benchmark",
                                     "aliases": [], "wikidata": None})
            kb.write_text(yio.dump_yaml(data), encoding="utf-8")
            PROCESS_CACHES.clear()
            with _ParseCounter() as counter:
                kb_changed.append(timed(lambda: _check(validate_corpus(root, cache_dir=cache), root))())
        finally:
            kb.write_bytes(kb_bytes)
    shutil.rmtree(cache, ignore_errors=True)

    rate = lambda secs: n / median(secs)  # noqa: E731 - files per second of the median run
    figures = [
        Figure("validate_cold_1core", f"validate, cold, 1 core ({n:,} docs, no cache)", "files/s", rate(c1),
               "yaml.load CSafeLoader, read+parse", rate(bare), (">=", 0.5),
               samples={"validate_s": c1, "bare_s": bare, "bare_no_gc_s": bare_nogc},
               extra={"bare_no_gc_files_per_s": rate(bare_nogc),
                      "ratio_to_bare_no_gc": rate(c1) / rate(bare_nogc)},
               note="bare = `with open(p, 'rb') as f: yaml.load(f, Loader=yaml.CSafeLoader)` per file; "
                    "the validator runs all five levels"),
        Figure("validate_jobs2", f"validate --jobs 2 ({n:,} docs, no cache)", "files/s", rate(c2),
               "--jobs 1", rate(c1), (">=", 1.7), samples={"jobs2_s": c2, "jobs1_s": c1},
               note="process pool start-up included"),
        Figure("validate_warm", f"validate, warm cache, unchanged corpus ({n:,} docs)", "files/s", rate(w),
               "cold, no cache", rate(c1), (">=", 30.0), samples={"warm_s": w, "cold_s": c1}),
        Figure("validate_fill_cache", "validate, empty cache (parse + write entries)", "files/s", rate(fill),
               "cold, no cache", rate(fill_cold), (">=", 0.95), samples={"fill_s": fill, "cold_s": fill_cold},
               note="each fill timed right after a cold run without cache, alternately"),
        Figure("validate_changed_1pct", f"validate, warm cache, {len(touched)} files changed", "files/s",
               rate(changed), "cold, no cache", rate(c1), None, samples={"changed_s": changed},
               extra={"files_changed": len(touched), "files_reparsed": max(reparsed)},
               note=f"re-parsed {max(reparsed)} of {n:,} annotation files"),
        Figure("validate_kb_changed", "validate, warm cache, kb.yaml changed", "files/s", rate(kb_changed),
               "cold, no cache", rate(c1), None, samples={"kb_changed_s": kb_changed},
               note="every file's diagnostics are recomputed from the cached parse (no YAML parse)"),
    ]
    return figures


def bench_scaling(small: Path, large: Path, repeat: int) -> list[Figure]:
    """The command line on two corpus sizes: time per document and peak memory."""
    n_small, n_large = len(annotation_files(small)), len(annotation_files(large))
    read_all(small)
    read_all(large)
    cmd = lambda root: [PYTHON, "-m", "milcontacts", "validate", str(root), "--no-cache"]  # noqa: E731
    runs_small: list[dict[str, Any]] = []
    runs_large: list[dict[str, Any]] = []
    for _ in range(max(1, repeat)):
        runs_small.append(run_measured(cmd(small)))
        runs_large.append(run_measured(cmd(large)))
    per_small = median(r["wall"] for r in runs_small) / n_small * 1000
    per_large = median(r["wall"] for r in runs_large) / n_large * 1000
    rss_small = max(r["maxrss_mib"] for r in runs_small)
    rss_large = max(r["maxrss_mib"] for r in runs_large)
    return [
        Figure("scaling_time_per_doc", f"validate CLI, time per doc, {n_large:,} docs", "ms/doc", per_large,
               f"{n_small:,} docs", per_small, ("<=", 1.2),
               samples={"small_s": [r["wall"] for r in runs_small], "large_s": [r["wall"] for r in runs_large]},
               note="`python -m milcontacts validate ROOT --no-cache`, process start included"),
        Figure("scaling_peak_rss", f"validate CLI, peak RSS, {n_large:,} docs", "MiB", rss_large,
               f"{n_small:,} docs", rss_small, ("<=", 1.1),
               samples={"small_mib": [r["maxrss_mib"] for r in runs_small],
                        "large_mib": [r["maxrss_mib"] for r in runs_large]},
               note="ru_maxrss of the validate process (os.wait4)"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("large", type=Path, nargs="?")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-validate-"))
    try:
        figures = bench_in_process(args.root, args.repeat, work)
        if args.large:
            figures += bench_scaling(args.root, args.large, args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(table(figures))
    if args.json:
        args.json.write_text(json.dumps([f.to_json() for f in figures], indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmarks of ``milcontacts build`` and of loading what it writes (issue 7).

    python benchmarks/bench_build.py ROOT WORKDIR [--repeat N] [--profile]

* build: ``python -m milcontacts build ROOT --out DIR`` (the real command,
  process start, imports and validation included) against the floor of the
  same job: parse every annotation file with libyaml, read its text, and
  write the same records (read back from the built folder) with pyarrow to
  Parquet, same schema, same compression, plus the imports this needs;
* loading: ``datasets.load_dataset(DIR, config)`` with a warm cache (the
  second call) against ``pyarrow.parquet.read_table`` of the same files;
  the cold call (which converts the Parquet files into the cache) is
  reported too.

The two measurements that need a fresh interpreter (the baseline and the
loading) run as child processes of this script (``baseline`` and ``load``
sub-commands); ``--profile`` adds where the time of a build goes (cProfile
of a build, cumulative seconds of its main steps).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PYTHON, SRC, Figure, median, run_child, run_measured, table  # noqa: E402

CONFIGS = ("documents", "ner", "events", "attributions")
OFFLINE = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TQDM_DISABLE": "1",
           "HF_DATASETS_DISABLE_PROGRESS_BARS": "1"}


def build_available() -> bool:
    return (SRC / "milcontacts" / "build" / "__init__.py").is_file() or (SRC / "milcontacts" / "build.py").is_file()


def parquet_files(built: Path, config: str) -> list[Path]:
    return sorted((built / config).glob("*.parquet"))


# --------------------------------------------------------------------------
# Child: the floor of a build
# --------------------------------------------------------------------------

def child_baseline(root: Path, built: Path, out: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    import pyarrow as pa
    import pyarrow.parquet as pq
    import yaml

    import_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    docs = 0
    for path in sorted((root / "annotations").glob("*.yaml")):
        if path.name in ("kb.yaml", "allowlist.yaml"):
            continue
        with open(path, "rb") as fh:
            yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        (root / "corpus" / f"{path.stem}.txt").read_bytes().decode("utf-8")
        docs += 1
    parse_s = time.perf_counter() - t0

    write_s = 0.0
    rows = 0
    for config in CONFIGS:
        (out / config).mkdir(parents=True, exist_ok=True)
        for src in parquet_files(built, config):
            pf = pq.ParquetFile(src)
            schema = pf.schema_arrow
            t0 = time.perf_counter()
            writer = pq.ParquetWriter(out / config / src.name, schema, compression="zstd")
            write_s += time.perf_counter() - t0
            for batch in pf.iter_batches(batch_size=2048):
                records = batch.to_pylist()  # the records as the builder has them: not timed
                t0 = time.perf_counter()
                writer.write_table(pa.Table.from_pylist(records, schema=schema))
                write_s += time.perf_counter() - t0
                rows += len(records)
            t0 = time.perf_counter()
            writer.close()
            write_s += time.perf_counter() - t0
    return {"import_s": import_s, "parse_s": parse_s, "write_s": write_s, "documents": docs, "rows": rows}


# --------------------------------------------------------------------------
# Child: loading the built folder
# --------------------------------------------------------------------------

def child_load(built: Path, cache: Path, repeat: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    import datasets
    import pyarrow.parquet as pq

    datasets.disable_progress_bars()
    out: dict[str, Any] = {"import_datasets_s": time.perf_counter() - t0, "configs": {}}
    for config in CONFIGS:
        files = parquet_files(built, config)
        t0 = time.perf_counter()
        dd = datasets.load_dataset(str(built), config, cache_dir=str(cache))
        cold = time.perf_counter() - t0
        rows_hf = sum(len(d) for d in dd.values())
        warm, read = [], []
        rows_pa = 0
        for _ in range(max(1, repeat)):
            t0 = time.perf_counter()
            dd = datasets.load_dataset(str(built), config, cache_dir=str(cache))
            warm.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            tables = [pq.read_table(f) for f in files]
            read.append(time.perf_counter() - t0)
            rows_pa = sum(t.num_rows for t in tables)
        if rows_pa != rows_hf:
            raise RuntimeError(f"{config}: load_dataset gives {rows_hf} rows, read_table {rows_pa}")
        out["configs"][config] = {"cold_s": cold, "warm_s": warm, "read_table_s": read, "rows": rows_pa,
                                  "files": len(files), "bytes": sum(f.stat().st_size for f in files)}
    return out


# --------------------------------------------------------------------------
# Child: where the time of a build goes
# --------------------------------------------------------------------------

PROFILED_STEPS = {
    "validate (validate_corpus, parse cache in a temporary folder)": ("pipeline.py", "_validate"),
    "write Parquet (rows from the parse cache, spaCy, encode)": ("pipeline.py", "_write_parquet"),
    "  YAML parse (load_yaml_bytes: once per file)": ("io.py", "load_yaml_bytes"),
    "  spaCy segmentation (segment)": ("milcontacts_fr.py", "segment"),
    "  the loading script's rows (examples)": ("milcontacts_fr.py", "examples"),
    "  datasets' encoding (encode_nested_example)": ("features.py", "encode_nested_example"),
    "  encode + size of the rows (encode_rows)": ("parquet.py", "encode_rows"),
    "  rows to Arrow (arrow_rows, in the workers)": ("parquet.py", "arrow_rows"),
    "  join + write the shards (ShardWriter._flush)": ("parquet.py", "_flush"),
    "  spaCy import + blank('fr') (_nlp)": ("milcontacts_fr.py", "_nlp"),
    "copy the sources (copy_sources)": ("publish.py", "copy_sources"),
}


def child_profile(root: Path, out: Path) -> dict[str, Any]:
    import cProfile
    import pstats

    sys.path.insert(0, str(SRC))
    from milcontacts import build as mbuild

    prof = cProfile.Profile()
    t0 = time.perf_counter()
    # One process (jobs=1), so that the profiler sees all the work; the real build spreads
    # validation and the rows over a process pool.
    prof.runcall(mbuild.build, root, out, progress=False, jobs=1)
    total = time.perf_counter() - t0
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    steps: dict[str, float] = {}
    for label, (file, func) in PROFILED_STEPS.items():
        cum = [v[3] for (f, _line, name), v in stats.items() if name == func and f.endswith(file)]
        if cum:
            steps[label] = max(cum)
    return {"total_s_profiled": total, "steps_s": steps}


# --------------------------------------------------------------------------
# The benchmarks
# --------------------------------------------------------------------------

def _json_child(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    res = run_child([PYTHON, str(Path(__file__).resolve()), *map(str, args)], env={**OFFLINE, **(env or {})})
    return json.loads(res["stdout"].strip().splitlines()[-1])


def bench_build(root: Path, work: Path, repeat: int = 1) -> tuple[list[Figure], Path | None]:
    """Build ``root`` into ``work``; the build figure and the built folder."""
    n = len([p for p in (root / "annotations").glob("*.yaml") if p.name not in ("kb.yaml", "allowlist.yaml")])
    title = f"build to Parquet ({n:,} docs)"
    if not build_available():
        return [Figure("build", title, "s", None, "parse + pyarrow write", None, ("<=", 2.0),
                       note="skipped: src/milcontacts/build/ does not exist")], None
    built = work / f"built-{n}"
    runs, bases = [], []
    for _ in range(max(1, repeat)):
        if built.exists():
            shutil.rmtree(built)
        # A first build: no cache (the default ROOT/.milcontacts-cache would keep tokens, diagnostics
        # and outputs of earlier runs on the same synthetic corpus and measure a rebuild instead).
        runs.append(run_measured([PYTHON, "-m", "milcontacts", "build", str(root), "--out", str(built),
                                  "--no-cache"], env=OFFLINE))
        floor_dir = work / "baseline-parquet"
        shutil.rmtree(floor_dir, ignore_errors=True)
        bases.append(_json_child(["baseline", root, built, floor_dir]))
        shutil.rmtree(floor_dir, ignore_errors=True)
    best = median(r["wall"] for r in runs)
    base = median(b["import_s"] + b["parse_s"] + b["write_s"] for b in bases)
    b0 = sorted(bases, key=lambda b: b["import_s"] + b["parse_s"] + b["write_s"])[len(bases) // 2]
    fig = Figure("build", title, "s", best, "parse + pyarrow write", base, ("<=", 2.0),
                 samples={"build_s": [r["wall"] for r in runs],
                          "baseline_s": [b["import_s"] + b["parse_s"] + b["write_s"] for b in bases]},
                 extra={"baseline_breakdown_s": {k: b0[k] for k in ("import_s", "parse_s", "write_s")},
                        "rows": b0["rows"], "build_peak_rss_mib": max(r["maxrss_mib"] for r in runs)},
                 note="`python -m milcontacts build ROOT --out DIR --no-cache`, a first build (validation, "
                      "spaCy, imports, card, Croissant included) vs libyaml parse + pyarrow "
                      "from_pylist/write_table (zstd) of the same rows")
    return [fig], built


def bench_load(built: Path | None, work: Path, repeat: int) -> list[Figure]:
    if built is None:
        return [Figure("load_warm", "load_dataset(DIR, config), warm cache", "s", None,
                       "pyarrow.parquet.read_table", None, ("<=", 2.0),
                       note="skipped: nothing was built")]
    cache = work / "hf-cache"
    shutil.rmtree(cache, ignore_errors=True)
    res = _json_child(["load", built, cache, repeat])
    shutil.rmtree(cache, ignore_errors=True)
    figures = []
    for config, r in res["configs"].items():
        rows = f"{r['rows']:,} rows"
        figures.append(Figure(f"load_warm_{config}", f"load_dataset {config} ({rows}), warm cache", "s",
                              median(r["warm_s"]), "read_table", median(r["read_table_s"]), ("<=", 2.0),
                              samples={"warm_s": r["warm_s"], "read_table_s": r["read_table_s"]},
                              extra={"files": r["files"], "bytes": r["bytes"]}))
    for config, r in res["configs"].items():
        figures.append(Figure(f"load_cold_{config}", f"load_dataset {config}, cold cache", "s", r["cold_s"],
                              "read_table", median(r["read_table_s"]), None,
                              note="first call: converts the Parquet files into the datasets cache"))
    figures[0].extra["import_datasets_s"] = res["import_datasets_s"]
    return figures


def profile_build(root: Path, work: Path) -> dict[str, Any]:
    """Where the time of a build of ``root`` goes (cProfile; informative only)."""
    if not build_available():
        return {}
    out = work / "built-profiled"
    shutil.rmtree(out, ignore_errors=True)
    try:
        res = _json_child(["profile", root, out])
    finally:
        shutil.rmtree(out, ignore_errors=True)
    res["documents"] = len(list((root / "corpus").glob("*.txt")))
    return res


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv and argv[0] in ("baseline", "load", "profile"):
        cmd, rest = argv[0], argv[1:]
        if cmd == "baseline":
            result = child_baseline(Path(rest[0]), Path(rest[1]), Path(rest[2]))
        elif cmd == "load":
            result = child_load(Path(rest[0]), Path(rest[1]), int(rest[2]))
        else:
            result = child_profile(Path(rest[0]), Path(rest[1]))
        print(json.dumps(result))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    figures, built = bench_build(args.root, args.workdir)
    figures += bench_load(built, args.workdir, args.repeat)
    print(table(figures))
    if args.profile:
        print(json.dumps(profile_build(args.root, args.workdir), indent=1))
    return 0


if __name__ == "__main__":
    os.environ.update(OFFLINE)
    sys.exit(main())

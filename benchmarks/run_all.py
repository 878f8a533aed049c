"""Run every benchmark of issue 7 and regenerate docs/performance.md.

    python benchmarks/run_all.py            # full: 1,000 and 10,000 documents (about 20 min, 2 cores)
    python benchmarks/run_all.py --quick    # small corpora, one repetition: checks the harness works
    python benchmarks/run_all.py --from-results benchmarks/results.json   # only re-render the doc

Synthetic corpora are generated under ``--workdir`` (default: a folder in
the system temporary directory, never the repository) by
``benchmarks/make_synthetic.py`` and reused while the generator, its seed
and the repository's real documents (the templates) are unchanged.

The figures are printed side by side with their baselines and ratios,
and written to ``benchmarks/results.json`` and ``docs/performance.md``
(a ``--quick`` run writes both into the work folder instead, so that
quick figures never replace real ones; ``--results``/``--doc`` override).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_build  # noqa: E402
import bench_perf2  # noqa: E402
import charts  # noqa: E402
import bench_validate  # noqa: E402
import make_synthetic  # noqa: E402
from common import REPO, Figure, fmt_met, fmt_ratio, fmt_target, fmt_value, machine, table  # noqa: E402

DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "milcontacts-bench"
RESULTS = HERE / "results.json"
DOC = REPO / "docs" / "performance.md"


# --------------------------------------------------------------------------
# Corpora
# --------------------------------------------------------------------------

def _templates_fingerprint() -> str:
    h = hashlib.sha256(Path(make_synthetic.__file__).read_bytes())
    files = [REPO / "splits.yaml", *sorted((REPO / "corpus").glob("*.txt")),
             *sorted((REPO / "annotations").glob("*.yaml")),
             *sorted((REPO / "annotations" / "passes").glob("*/*.yaml"))]
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def corpus(workdir: Path, n: int, seed: int, log: Any = print) -> Path:
    """A synthetic corpus of ``n`` documents, generated unless an identical one is there."""
    root = workdir / f"corpus-{n}-seed{seed}"
    marker = root / ".synthetic.json"
    want = {"documents": n, "seed": seed, "fingerprint": _templates_fingerprint()}
    try:
        if json.loads(marker.read_text(encoding="utf-8")) == want:
            return root
    except (OSError, ValueError):
        pass
    t0 = time.perf_counter()
    shutil.rmtree(root, ignore_errors=True)
    summary = make_synthetic.generate(n, root, seed)
    marker.write_text(json.dumps(want), encoding="utf-8")
    log(f"generated {n:,} documents in {time.perf_counter() - t0:.1f} s under {root} "
        f"(mean annotation file {summary['mean_annotation_bytes'] / 1024:.1f} KB, "
        f"mean text {summary['mean_text_bytes'] / 1024:.1f} KB)")
    return root


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------

def run(args: argparse.Namespace) -> dict[str, Any]:
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(f"machine: {info['cores']} cores, Python {info['python']}, PyYAML {info.get('pyyaml')} "
          f"(libyaml: {info.get('libyaml')}), load average {info['load_average_at_start']}", flush=True)
    if not info.get("libyaml"):
        print("WARNING: PyYAML has no libyaml here (yaml.CSafeLoader missing): every figure is several "
              "times slower than it should be; install PyYAML wheels built with libyaml", flush=True)
    small = corpus(work, args.small, args.seed)
    large = corpus(work, args.large, args.seed)
    sizes = {"small": _sizes(small), "large": _sizes(large)}
    steps: dict[str, float] = {}
    figures: list[Figure] = []

    def step(name: str, fn: Any, *a: Any) -> Any:
        print(f"-- {name} ...", flush=True)
        t0 = time.perf_counter()
        out = fn(*a)
        steps[name] = time.perf_counter() - t0
        return out

    figures += step("validate (in process)", bench_validate.bench_in_process, small, args.repeat, work)
    figures += step("validate scaling (command line)", bench_validate.bench_scaling, small, large,
                    args.scale_repeat)
    build_figs, built = step("build", bench_build.bench_build, large, work, args.build_repeat)
    figures += build_figs
    figures += step("load_dataset", bench_build.bench_load, built, work, args.repeat)
    figures += step("issue 17: warm rebuild", bench_perf2.bench_rebuild, REPO, work, args.repeat)
    figures += step("issue 17: one-file check", bench_perf2.bench_one_file, large, work, args.repeat)
    figures += step("issue 17: build --jobs", lambda: bench_perf2.bench_build_jobs(large, work)[0])
    profile = {}
    if args.profile_build:
        profile = step("build profile", bench_build.profile_build, small, work)
    if built is not None and not args.keep:
        shutil.rmtree(built, ignore_errors=True)
    load_end = _load_average()
    return {
        "command": args.command,
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "quick": args.quick,
        "machine": {**info, "load_average_at_end": load_end},
        "parameters": {"small": args.small, "large": args.large, "seed": args.seed, "repeat": args.repeat,
                       "scale_repeat": args.scale_repeat, "build_repeat": args.build_repeat},
        "corpora": sizes,
        "figures": [f.to_json() for f in figures],
        "build_profile": profile,
        "step_seconds": steps,
    }


def _load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def _merged(previous: dict[str, Any], figs: list[Figure]) -> dict[str, Any]:
    """``previous`` with ``figs`` replacing the figures of the same key (new ones appended)."""
    results = dict(previous)
    new = {f.key: f.to_json() for f in figs}
    results["figures"] = [new.pop(d["key"], d) for d in previous["figures"]] + list(new.values())
    return results


def run_perf2_only(args: argparse.Namespace, previous: dict[str, Any]) -> dict[str, Any]:
    """Re-measure the figures of issue 17 only (warm rebuild, one-file check, build --jobs); merge them."""
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(f"machine: {info['cores']} cores, load average {info['load_average_at_start']}", flush=True)
    large = corpus(work, args.large, args.seed)
    t0 = time.perf_counter()
    figs = bench_perf2.bench_rebuild(REPO, work, args.repeat)
    figs += bench_perf2.bench_one_file(large, work, args.repeat)
    figs += bench_perf2.bench_build_jobs(large, work)[0]
    results = _merged(previous, figs)
    load_end = _load_average()
    results["perf2_measured"] = {
        "command": args.command,
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {**info, "load_average_at_end": load_end},
        "repeat": args.repeat,
        "step_seconds": {"issue 17 figures": time.perf_counter() - t0},
    }
    return results


def run_build_only(args: argparse.Namespace, previous: dict[str, Any]) -> dict[str, Any]:
    """Re-measure the build figure (and the build profile) only; every other figure is kept."""
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(f"machine: {info['cores']} cores, load average {info['load_average_at_start']}", flush=True)
    small = corpus(work, args.small, args.seed)
    large = corpus(work, args.large, args.seed)
    t0 = time.perf_counter()
    build_figs, built = bench_build.bench_build(large, work, args.build_repeat)
    steps = {"build": time.perf_counter() - t0}
    if built is not None and not args.keep:
        shutil.rmtree(built, ignore_errors=True)
    results = _merged(previous, build_figs)
    if args.profile_build:
        t0 = time.perf_counter()
        results["build_profile"] = bench_build.profile_build(small, work)
        steps["build profile"] = time.perf_counter() - t0
    load_end = _load_average()
    results["build_remeasured"] = {
        "command": args.command,
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {**info, "load_average_at_end": load_end},
        "build_repeat": args.build_repeat,
        "step_seconds": steps,
    }
    return results


def _sizes(root: Path) -> dict[str, Any]:
    ann = [p for p in (root / "annotations").glob("*.yaml") if p.name != "kb.yaml"]
    txt = list((root / "corpus").glob("*.txt"))
    return {"documents": len(ann),
            "mean_annotation_kb": round(sum(p.stat().st_size for p in ann) / max(1, len(ann)) / 1024, 1),
            "mean_text_kb": round(sum(p.stat().st_size for p in txt) / max(1, len(txt)) / 1024, 1)}


def figures_of(results: dict[str, Any]) -> list[Figure]:
    out = []
    for d in results["figures"]:
        d = dict(d)
        d.pop("ratio", None)
        d.pop("met", None)
        d["target"] = tuple(d["target"]) if d.get("target") else None
        out.append(Figure(**d))
    return out


# --------------------------------------------------------------------------
# docs/performance.md
# --------------------------------------------------------------------------

def render_doc(results: dict[str, Any]) -> str:
    figs = figures_of(results)
    by_key = {f.key: f for f in figs}
    m = results["machine"]
    p = results["parameters"]
    c = results["corpora"]
    lines = [
        "# Performance",
        "",
        "<!-- Generated by `python benchmarks/run_all.py` from benchmarks/results.json; do not edit by hand. -->",
        "",
        "Validation runs on every commit and the corpus will grow to thousands of documents, so each",
        "step is measured against the cost of the work it cannot avoid (issue 7). Every figure below",
        "comes from the last run of the benchmark harness:",
        "",
        "```bash",
        results["command"],
        "```",
        "",
        f"- Date: {results['date']}{' (QUICK run: small corpora, one repetition; not the reference figures)' if results.get('quick') else ''}",
        f"- Machine: **{m['cores']} cores**, Python {m['python']}, PyYAML {m.get('pyyaml')} "
        f"(libyaml: {m.get('libyaml')}), pyarrow {m.get('pyarrow')}, datasets {m.get('datasets')}, "
        f"duckdb {m.get('duckdb')}; load average {m.get('load_average_at_start')} at start, "
        f"{m.get('load_average_at_end')} at end (the machine is shared: see Method).",
        f"- Corpora: synthetic, made by `benchmarks/make_synthetic.py` from the repository's real documents "
        f"(seed {p['seed']}): {c['small']['documents']:,} documents and {c['large']['documents']:,} documents; "
        f"mean annotation file {c['large']['mean_annotation_kb']} KB, mean text {c['large']['mean_text_kb']} KB.",
    ]
    again = results.get("build_remeasured")
    if again:
        am = again["machine"]
        lines.append(f"- The build figure and the build profile were re-measured alone on {again['date']} "
                     f"(`{again['command']}`; {am['cores']} cores, load average "
                     f"{am.get('load_average_at_start')} at start, {am.get('load_average_at_end')} at end); "
                     "every other figure is from the full run above.")
    lines += [
        "",
        "## Results",
        "",
        "| figure | measured | baseline | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for f in figs:
        lines.append(f"| {f.title} | {fmt_value(f.value, f.unit)} | {fmt_value(f.baseline, f.unit)} "
                     f"({f.baseline_title}) | {fmt_ratio(f)} | {fmt_target(f)} | {fmt_met(f) or '–'} |")
    lines += ["", "Ratio = measured / baseline, in the unit shown (files/s, seconds, ms per document, MiB).", ""]
    notes = [(f.title, f.note) for f in figs if f.note]
    if notes:
        lines += ["Notes:", ""]
        lines += [f"- *{t}*: {n}" for t, n in notes]
        lines.append("")
    cold = by_key.get("validate_cold_1core")
    if cold and cold.extra:
        lines += [f"With the garbage collector disabled during the bare parse too (as the validator does), "
                  f"the bare parse reaches {fmt_value(cold.extra.get('bare_no_gc_files_per_s'), 'files/s')} "
                  f"and the validator's ratio to it is {cold.extra.get('ratio_to_bare_no_gc', 0):.2f}×.", ""]
    again = results.get("perf2_measured")
    if again:
        am = again["machine"]
        lines.insert(lines.index("## Results") - 1,
                     f"- The figures of issue 17 (rebuild, one-file check, build --jobs) were measured on {again['date']} "
                     f"(`{again['command']}`; {am['cores']} cores, load average {am.get('load_average_at_start')} at "
                     f"start, {am.get('load_average_at_end')} at end).")
    lines += ["![Throughput against corpus size; the build's time per phase](performance.png)", ""]
    lines += _validate_section(by_key)
    lines += _build_section(by_key, results.get("build_profile") or {})
    lines += _rebuild_section(by_key)
    lines += _method_section(results)
    lines += SCALING_OUT.splitlines()
    lines += _distributed_section(by_key)
    return "\n".join(lines).rstrip() + "\n"


def _validate_section(by_key: dict[str, Figure]) -> list[str]:
    changed = by_key.get("validate_changed_1pct")
    reparsed = ""
    if changed and changed.extra:
        reparsed = (f" In the measured run {changed.extra.get('files_changed')} files changed and "
                    f"{changed.extra.get('files_reparsed')} were parsed again.")
    return [
        "## Validation: why it stays near the cost of reading the files",
        "",
        "- **Parse.** libyaml (`CSafeLoader`) composes the node tree (kept: it gives every diagnostic its line);",
        "  `milcontacts.io` then builds the data itself for the plain subset annotation files use (mappings",
        "  with string keys, lists, strings, integers, booleans, null) and hands anything else (tags, merge",
        "  keys, duplicate keys, anchors) to PyYAML's own constructor, so the data and every level-1",
        "  diagnostic are PyYAML's. The pre-parse depth bound runs its per-line counts in C.",
        "- **Checks.** Schema: `jsonschema_rs` answers yes/no; Python `jsonschema` runs only on failing files.",
        "  Span, reference and consistency checks locate a YAML line only when they report something;",
        "  overlap tests use sorted ranges (O(log n)) instead of scans.",
        "- **Cache** (`--cache-dir`, default `ROOT/.milcontacts-cache`; `--no-cache` disables it). Two kinds of",
        "  entries, both keyed by content hashes:",
        "  - *diagnostics* of a file, keyed by the sha256 of everything they depend on: the annotation file's",
        "    bytes and path, the raw text's path and bytes (or its absence), the kb ids with their types,",
        "    the limits, and a fingerprint of the validator (its source files, both JSON Schemas, the",
        "    Python, PyYAML, libyaml, jsonschema and jsonschema-rs versions). An unchanged corpus costs two",
        "    file reads, two hashes and one small JSON read per document;",
        "  - *parsed data* of a file, keyed by its bytes and the parser's fingerprint: when only kb.yaml or",
        "    the validator's checks change, files are re-checked without being re-parsed.",
        "  Entries are written together, one *pack* file per chunk of 64 files and kind, not one file",
        "  per entry: creating a file costs 0.3-0.5 ms here (ext4), and a first run used to create two per",
        "  annotation file, most of what filling the cache cost. A pack's index records each entry's key",
        "  and the sha256 of key and payload: a stale, truncated, corrupt or misfiled entry is ignored and",
        "  written again, never trusted, and the newest copy of a key wins. A data file that the fast YAML",
        "  constructor built (plain types only) is stored without a JSON round trip check; other data",
        "  that JSON would alter (dates, integer keys) is not cached. Only changed files are parsed again."
        + reparsed,
        "  The allowlist is applied after the cache, so editing it needs no invalidation.",
        "- **Processes.** `--jobs N` sends chunks of files to N worker processes; each file is independent.",
        "- **Memory.** Files are read one at a time; only diagnostics are kept.",
        "",
    ]


def _build_section(by_key: dict[str, Figure], profile: dict[str, Any]) -> list[str]:
    build = by_key.get("build")
    out = ["## Build: where the time goes", ""]
    if build is None or build.value is None:
        out += ["The build was not measured: " + (build.note if build else "no build figure") + ".", ""]
        return out
    met = build.met
    out += [f"`milcontacts build` of the large corpus took {fmt_value(build.value, 's')} against a floor of "
            f"{fmt_value(build.baseline, 's')} ({fmt_ratio(build)}; target ≤ 2×: "
            f"{'met' if met else 'not met'})."]
    if build.extra.get("baseline_breakdown_s"):
        b = build.extra["baseline_breakdown_s"]
        out += [f"The floor is: imports {b['import_s']:.2f} s, libyaml parse of every file and text "
                f"{b['parse_s']:.2f} s, pyarrow `from_pylist` + zstd `write_table` of the same "
                f"{build.extra.get('rows', 0):,} rows {b['write_s']:.2f} s."]
    if build.extra.get("build_peak_rss_mib"):
        out += [f"Peak RSS of the build process: {build.extra['build_peak_rss_mib']:,.0f} MiB."]
    out.append("")
    steps = profile.get("steps_s") or {}
    if steps:
        out += [f"A profiled build of {profile.get('documents', 0):,} documents (cProfile, "
                f"{profile.get('total_s_profiled', 0):.1f} s with the profiler's overhead) spends:", "",
                "| step | seconds (cumulative) |", "|---|---|"]
        out += [f"| {label.strip()} | {secs:.1f} |" for label, secs in steps.items()]
        out.append("")
    out += BUILD_FINDINGS.splitlines() + [""]
    out += _floor_gap(by_key)
    return out


def _floor_gap(by_key: dict[str, Figure]) -> list[str]:
    """Why the one-core build stays above its floor, from the measured figures."""
    j1, cold = by_key.get("build_jobs1_floor"), by_key.get("validate_cold_1core")
    if not (j1 and j1.value and j1.baseline and cold and cold.value and cold.baseline):
        return []
    import re

    m = re.search(r"\(([\d,]+) docs", j1.title)
    n = int(m.group(1).replace(",", "")) if m else 0
    if not n:
        return []
    parse_ms = 1000 / cold.baseline  # bare libyaml parse, ms per file (small corpus)
    validate_ms = 1000 / cold.value  # the validator, ms per file
    build_ms = j1.value / n * 1000
    floor_ms = j1.baseline / n * 1000
    rest_ms = build_ms - validate_ms
    allowed_ms = 1.2 * floor_ms - validate_ms
    return [
        f"Why the one-core build stays at {fmt_ratio(j1)} of its floor (target ≤ 1.2×): per document, the "
        f"floor is {floor_ms:.1f} ms, one libyaml parse and a share of one pyarrow write. The build "
        f"must first pass the gate: the validator, at {validate_ms:.1f} ms per file, costs about a bare "
        f"parse ({parse_ms:.1f} ms; its own construction of the data pays for its checks). That leaves "
        f"{rest_ms:.1f} ms per document for the rest: the loading script's Python code that makes "
        "every row, datasets' encoding, Arrow conversion and the write. Meeting 1.2× would need all of "
        f"that to cost at most {max(allowed_ms, 0):.1f} ms. A per-document row cache would do it for "
        "rebuilds, but never for the first build this figure measures, and a rebuild of unchanged "
        "inputs already copies the stored output, so none is kept.",
        "",
    ]


BUILD_FINDINGS = """\
How the build stays near the floor (issue 7; the output is byte-identical to the earlier, slower build):

1. **One YAML parse per file.** Validation runs with its parse cache (`ROOT/.milcontacts-cache`, or a
   private temporary folder with `--no-cache`); the stories check and the rows then read each file's parsed data
   from that cache (JSON, several times faster than YAML), falling back to a parse only for data the
   cache does not keep. An invalid corpus is still refused before anything is written.
2. **Processes.** Validation (`validate_corpus(jobs=N)`) and the rows (spaCy tokenisation, encoding)
   run on all cores; the workers send each document's rows back in input order, so the files do not
   depend on the number of processes. A corpus under 64 documents is built in one process.
3. **Row sizes.** Shard and row-group boundaries are still computed from each encoded row's JSON
   size (the measure that fixes today's file boundaries), but in the workers, in parallel.
4. **Arrow in the workers, memory.** Each document's rows become Arrow data in the worker that made
   them and travel as one serialized record batch (without the schema, which both sides know); rows
   waiting for their shard are kept so in a scratch file, not as Python objects. When a shard is
   written its pieces are joined, 4 MiB at a time, into the one-chunk table a single `from_pylist`
   gives (same values, same `nbytes`, same Parquet bytes). The writing process used to unpickle and
   convert every row itself, serially, which capped `--jobs 2`.
5. **Tokens cached.** spaCy's tokenizer and sentencizer run once per text (see the next section);
   what remains is the parse and checks, the loading script's row code, datasets' encoding and the write.
6. **No second read for the kb config.** The kb ids each document links to travel with its rows;
   the `kb` config used to parse every annotation file again, serially (20 of 71 profiled seconds
   on 1,000 documents, and what kept `--jobs 2` from scaling).
7. **Encoding.** Rows go through datasets' `encode_nested_example`, the step of
   `Features.encode_example` that shapes the data; its other step, `cast_to_python_objects`, walks
   every value to convert NumPy/pandas/PyTorch objects, which rows built from YAML never hold (a
   quarter of the rows' time; `tests/test_build.py` checks both give the same rows on the real corpus).

Loading is not a problem: a warm `load_dataset` memory-maps the Arrow files of the `datasets` cache
(no decompression, no copy), which is why it can be faster than `read_table`, which decompresses the
zstd Parquet files; the cold call pays that conversion once."""


def _rebuild_section(by_key: dict[str, Figure]) -> list[str]:
    out = ["## Rebuild, one-file check (issue 17)", ""]
    warm, cold, edit = by_key.get("rebuild_warm"), by_key.get("build_real_cold"), by_key.get("rebuild_one_edit")
    if warm and warm.value and cold and cold.value:
        out += [f"A rebuild of the real corpus with a warm cache took {fmt_value(warm.value, 's')} "
                f"({fmt_ratio(warm)} of `validate --no-cache`), against {fmt_value(cold.value, 's')} for the first "
                "build, which tokenizes every text."
                + (f" After a contributor's edit of one annotation file the build runs in full from the cached "
                   f"tokens: {fmt_value(edit.value, 's')} ({fmt_ratio(edit)})." if edit and edit.value else ""), ""]
    out += REBUILD_FINDINGS.splitlines() + [""]
    return out


REBUILD_FINDINGS = """\
- **Tokens are cached.** The `ner` and `events` rows need the loading script's `segment` (spaCy's
  French tokenizer and sentencizer; importing spaCy's French data alone costs seconds). Its result
  is stored under `CACHE/tokens/` (`milcontacts.build.tokens`), keyed by the text's sha256, the
  tokenizer (spaCy's version read from the package metadata, the pipeline, the loading script's
  sha256) and the two things `segment` reads from the annotation (zone bounds, name-mention bounds).
  The build hands the cached sentences to the script through one seam, the
  `Document.segmenter` attribute; spaCy is imported only for a text whose entry is missing.
  An entry that is corrupt, misfiled or whose tokens do not lie inside the document's zones is
  ignored, recomputed and rewritten; the folder is safe to delete. The output is byte-identical with
  and without the cache (tests/test_build_cache.py).
- **One cache for validate and build.** `milcontacts build` uses `ROOT/.milcontacts-cache` (`--cache-dir`,
  `--no-cache`) like `validate`, so a validated corpus is built without checking a file twice.
- **Unchanged inputs, stored output.** The build is deterministic, so its whole output is also
  content-addressed (`milcontacts.build.reuse`, `CACHE/builds/`): the key is every file under
  `annotations/` and `corpus/` and `splits.yaml`, the package's code, the loading script, the
  schemas, Python's and the output-shaping libraries' versions, and the shard size. After
  validation (the gate always runs), a stored key is restored by reading every file, checking its
  sha256 and copying it into a folder swapped into place like a new build; a damaged entry is
  discarded and the build runs in full. The two most recently used outputs are kept (none over 1 GiB).
  This is what brings a warm rebuild under the target: without it, a rebuild still imports
  `datasets` (and pandas) for the loading script's features, about 0.5 s of a 1 s rebuild.
- **What a rebuild after an edit still pays**: the Python start, `import datasets`, the check and
  rows of the changed file (the others' diagnostics come from the cache), pyarrow, writing the
  Parquet files, card and Croissant file.
- **`validate FILE...`** (what pre-commit passes) checks only those files: no walk of the corpus for
  links (reading a file refuses a link), and kb.yaml's check comes from the cache, keyed by its bytes.
  A changed kb.yaml, allowlist.yaml or splits.yaml checks the whole corpus.
- **Nothing left behind.** The build's temporary folders are named `<prefix><pid>-<random>`; a build
  removes this user's folders whose process is gone, so a killed build is cleaned up by the next."""


def _distributed_section(by_key: dict[str, Figure]) -> list[str]:
    j1 = by_key.get("build_jobs1_floor")
    if not (j1 and j1.value):
        return []
    import re

    m = re.search(r"\(([\d,]+) docs", j1.title)
    n = int(m.group(1).replace(",", "")) if m else 0
    if not n:
        return []
    per_doc = j1.value / n * 1000
    hour = int(3600 / (per_doc / 1000))
    return [
        "",
        "## On a distributed engine",
        "",
        f"Measured per-document cost of a build on one core, tokens cached: **{per_doc:.1f} ms** "
        f"({n:,} documents in {j1.value:.0f} s); the empty-cache build adds spaCy's tokenization. "
        f"One core builds about **{hour:,} documents per hour**, a 2-core machine twice that.",
        "",
        "Each document is independent (its rows depend on its annotation file, its text, kb ids and the",
        "loading script), so the build maps directly onto an engine that reads the same files:",
        "",
        "- **Ray Data**: `ray.data.read_binary_files(paths, include_paths=True)` over `annotations/*.yaml`",
        "  (the text is read by path next to it), then `Dataset.map_batches(RowMaker, concurrency=N,",
        "  num_cpus=1)` with a callable class, so that each actor loads the loading script (and, on a miss,",
        "  spaCy) once, as `build/rows.py`'s workers do; `Dataset.write_parquet` writes the rows. Ray",
        "  chooses its own file names and row groups, so for a byte-identical release the per-document rows",
        "  (the expensive part) are computed on the cluster and the shards, card and Croissant file are",
        "  still written by `ShardWriter` in one process, which costs about the pyarrow write of the floor.",
        "- **Spark** (`spark.read.format(\"binaryFile\")`, a `mapInPandas`/`mapPartitions` of the same",
        "  function) or **datatrove** (a reader, a per-document step, a Parquet writer) fit the same shape.",
        "- The token and diagnostics caches are content-addressed files: workers can share one folder",
        "  (or object-storage prefix), and caches from different workers merge by copying.",
        "",
        f"When it is worth it: an engine adds a fixed cost (starting the cluster, shipping the code and",
        f"the files, scheduling) and the final single-process write. At {per_doc:.1f} ms per document, a",
        f"corpus of 100,000 documents takes about {100000 * per_doc / 1000 / 60 / 2:.0f} min on this 2-core",
        f"machine with `--jobs 2` and 1,000,000 about {1000000 * per_doc / 1000 / 3600 / 2:.1f} h: below",
        "about 100,000 documents (tens of minutes) one machine with `--jobs` is simpler and as fast as",
        "a cluster once its start-up is counted; past about a million documents, or when a build must",
        "finish in minutes, the rows belong on an engine while the final write stays single-process.",
    ]


def _method_section(results: dict[str, Any]) -> list[str]:
    p = results["parameters"]
    return [
        "## Method",
        "",
        f"- Each in-process figure and its baseline are run alternately, {p['repeat']} time(s) each, and the",
        "  median of each is kept: the machine is a shared virtual machine whose speed varies by tens of",
        "  percent from one run to the next, and a median of alternating runs lets no single lucky or",
        f"  unlucky run decide a ratio. The command-line scaling runs are repeated {p['scale_repeat']} time(s)",
        f"  (median time, largest peak RSS), the build {p['build_repeat']} time(s).",
        "- All corpus files are read once before timing, so every run reads from the page cache.",
        "- Validation figures call `validate_corpus` (the function behind `milcontacts validate`) on the",
        "  small corpus; scaling runs the real command (`python -m milcontacts validate ROOT --no-cache`)",
        "  in a child process whose peak RSS is read with `os.wait4`.",
        "- Build and loading run in child processes (`benchmarks/bench_build.py`); the loading child uses",
        "  a fresh `datasets` cache folder: the first `load_dataset` is the cold one, the next ones warm.",
        "- All per-run samples are in `benchmarks/results.json`.",
        "",
    ]


SCALING_OUT = """\
## Past one machine

- **Validation is per file.** The diagnostics of a file depend only on its bytes, its raw text, the kb
  ids and types and the validator's version: that is exactly the cache key. Files are therefore
  checked independently, by `--jobs N` processes on one machine, or by several CI jobs each given a
  share of the files (`validate_corpus(root, files=...)`; kb.yaml is small and read by every job),
  with no coordination but concatenating their diagnostics.
- **The cache is shareable.** Packs are immutable files named by their writing time and content
  hash, and every key includes the validator's own fingerprint, so a cache folder can be restored in
  CI from any earlier run on any branch (for example `actions/cache` on `.milcontacts-cache` with a
  restore key prefix), and caches written by parallel jobs merge by copying folders together: no two
  packs share a name, and a key's copies hold the same entry. A pull request that touches k of N documents then costs k parses
  plus N cheap look-ups. The folder is safe to delete at any time.
- **Parquet is sharded.** `build` writes each config and split as size-bounded Parquet files
  (`DEFAULT_MAX_SHARD_BYTES`, zstd, bounded row groups), the layout the Hugging Face Hub itself
  uses: `datasets` (`num_proc`, streaming), DuckDB, Spark or Polars read the files and row groups in
  parallel and independently (`tests/test_parquet_readers.py` reads the build with DuckDB and checks it
  against pyarrow and `datasets`). The build's memory is bounded by the shard size, not the corpus.
- **Memory does not grow with the corpus.** The validator streams files; the peak RSS of the command
  is the same for the small and the large corpus (see the scaling figure)."""


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small corpora, one repetition")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help=f"where corpora and builds go (default {DEFAULT_WORKDIR})")
    parser.add_argument("--small", type=int, help="documents of the small corpus (default 1000; quick 30)")
    parser.add_argument("--large", type=int, help="documents of the large corpus (default 10000; quick 60)")
    parser.add_argument("--seed", type=int, default=make_synthetic.DEFAULT_SEED)
    parser.add_argument("--repeat", type=int, help="repetitions of in-process figures (default 5; quick 1)")
    parser.add_argument("--scale-repeat", type=int, help="repetitions of the scaling runs (default 3; quick 1)")
    parser.add_argument("--build-repeat", type=int, default=1, help="repetitions of the build (default 1)")
    parser.add_argument("--no-profile", dest="profile_build", action="store_false",
                        help="skip the profiled build (default: on, except with --quick)")
    parser.add_argument("--results", type=Path, help=f"results JSON (default {RESULTS.relative_to(REPO)})")
    parser.add_argument("--doc", type=Path, help=f"markdown report (default {DOC.relative_to(REPO)})")
    parser.add_argument("--keep", action="store_true", help="keep the built dataset folder in the work folder")
    parser.add_argument("--only-build", action="store_true",
                        help="measure only the build (and its profile) on the large corpus and merge them into "
                             "the existing results file, keeping every other figure")
    parser.add_argument("--only-perf2", action="store_true",
                        help="measure only the figures of issue 17 (warm rebuild, one-file check, build --jobs) "
                             "and merge them into the existing results file")
    parser.add_argument("--from-results", type=Path, metavar="JSON",
                        help="do not measure: render the report from this results file")
    args = parser.parse_args(argv)
    quick = args.quick
    args.small = args.small or (30 if quick else 1000)
    args.large = args.large or (60 if quick else 10000)
    args.repeat = args.repeat or (1 if quick else 5)
    args.scale_repeat = args.scale_repeat or (1 if quick else 3)
    if quick and "--no-profile" not in (argv if argv is not None else sys.argv[1:]):
        args.profile_build = False
    results_path = args.results or (args.workdir / "results.json" if quick else RESULTS)
    doc_path = args.doc or (args.workdir / "performance.md" if quick else DOC)

    if args.from_results:
        results = json.loads(args.from_results.read_text(encoding="utf-8"))
    elif args.only_perf2:
        shown = ["python", "benchmarks/run_all.py", *(argv if argv is not None else sys.argv[1:])]
        args.command = " ".join(shlex.quote(a) for a in shown)
        results = run_perf2_only(args, json.loads(results_path.read_text(encoding="utf-8")))
        results_path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    elif args.only_build:
        shown = ["python", "benchmarks/run_all.py", *(argv if argv is not None else sys.argv[1:])]
        args.command = " ".join(shlex.quote(a) for a in shown)
        results = run_build_only(args, json.loads(results_path.read_text(encoding="utf-8")))
        results_path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        shown = ["python", "benchmarks/run_all.py", *(argv if argv is not None else sys.argv[1:])]
        args.command = " ".join(shlex.quote(a) for a in shown)
        results = run(args)
        results_path.parent.mkdir(parents=True, exist_ok=True)
        results_path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    figs = figures_of(results)
    print()
    print(table(figs))
    print(f"\n{results['machine']['cores']} cores; {results['date']}; results: {results_path}")
    doc_path.parent.mkdir(parents=True, exist_ok=True)
    doc_path.write_text(render_doc(results), encoding="utf-8")
    chart = charts.chart_path(doc_path)
    chart.write_bytes(charts.render_png(results))
    print(f"chart: {chart}")
    print(f"report: {doc_path}")
    failed = [f.key for f in figs if f.met is False]
    if failed:
        print(f"targets not met: {', '.join(failed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The benchmark tools work (benchmarks are measured by benchmarks/run_all.py, never timed here).

* ``benchmarks/make_synthetic.py`` writes a corpus the validator accepts,
  deterministically, whose documents really differ from their templates;
* the harness runs end to end in ``--quick`` mode and writes its results and
  report where it is told to.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from milcontacts.validate import iter_spans, validate_corpus

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks"
sys.path.insert(0, str(BENCH))

import make_synthetic  # noqa: E402


def tree(root: Path) -> dict[str, str]:
    """relative path -> sha256 of every file under ``root``."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synthetic") / "root"
    make_synthetic.generate(20, root)
    return root


def test_synthetic_corpus_validates_without_errors(synthetic):
    report = validate_corpus(synthetic)
    assert report.errors == 0, [(d.file, d.code, d.message) for d in report.diagnostics[:5]]
    assert report.files == 21  # 20 documents and kb.yaml


def test_synthetic_corpus_has_the_layout_and_realistic_files(synthetic):
    anns = sorted(p for p in (synthetic / "annotations").glob("*.yaml") if p.name != "kb.yaml")
    texts = sorted((synthetic / "corpus").glob("*.txt"))
    assert len(anns) == len(texts) == 20
    assert (synthetic / "splits.yaml").is_file() and (synthetic / "annotations" / "kb.yaml").is_file()
    mean_ann = sum(p.stat().st_size for p in anns) / len(anns)
    mean_txt = sum(p.stat().st_size for p in texts) / len(texts)
    assert 8_000 < mean_ann < 64_000 and 1_000 < mean_txt < 16_000
    from milcontacts.model import load_splits

    splits = load_splits(synthetic)  # every document in exactly one split
    assert sum(len(v) for v in splits.values()) == 20


def test_synthetic_documents_differ_from_each_other(synthetic):
    import yaml

    texts = {p.read_bytes() for p in (synthetic / "corpus").glob("*.txt")}
    assert len(texts) == 20  # every text (hence every sha256) is different
    # documents made from the same template have the same spans at different offsets
    same_template = sorted((synthetic / "annotations").glob("*-s0000[05].yaml"))
    assert len(same_template) == 2
    a, b = (yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader) for p in same_template)
    spans_a = [(s["start"], s["text"]) for _, s in iter_spans(a)]
    spans_b = [(s["start"], s["text"]) for _, s in iter_spans(b)]
    assert [t for _, t in spans_a if t] != [] and len(spans_a) == len(spans_b)
    assert [s for s, _ in spans_a] != [s for s, _ in spans_b]


def test_make_synthetic_is_deterministic(tmp_path, synthetic):
    make_synthetic.generate(20, tmp_path / "again")
    assert tree(tmp_path / "again") == tree(synthetic)
    make_synthetic.generate(20, tmp_path / "other", seed=8)
    other = tree(tmp_path / "other")
    assert other.keys() == tree(synthetic).keys() and other != tree(synthetic)


def test_make_synthetic_command_line(tmp_path):
    out = tmp_path / "cli"
    cmd = [sys.executable, str(BENCH / "make_synthetic.py"), "3", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "3 documents" in proc.stdout
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert again.returncode != 0 and "--force" in again.stderr  # never overwrites silently
    forced = subprocess.run(cmd + ["--force"], capture_output=True, text=True, timeout=120)
    assert forced.returncode == 0, forced.stderr


def test_harness_runs_end_to_end_in_quick_mode(tmp_path):
    results, doc = tmp_path / "results.json", tmp_path / "performance.md"
    cmd = [sys.executable, str(BENCH / "run_all.py"), "--quick", "--small", "4", "--large", "6",
           "--workdir", str(tmp_path / "work"), "--results", str(results), "--doc", str(doc)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=REPO)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    data = json.loads(results.read_text(encoding="utf-8"))
    keys = {f["key"] for f in data["figures"]}
    assert {"validate_cold_1core", "validate_jobs2", "validate_warm", "scaling_time_per_doc",
            "scaling_peak_rss", "build", "rebuild_warm", "one_file_check", "build_jobs1_floor", "build_jobs2"} <= keys
    assert (tmp_path / "performance.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert data["machine"]["cores"] >= 1 and data["quick"] is True
    for f in data["figures"]:
        if f["value"] is not None and f["baseline"]:
            assert f["ratio"] == pytest.approx(f["value"] / f["baseline"])
    # printed side by side, with the core count
    assert "baseline" in proc.stdout and "ratio" in proc.stdout and "cores" in proc.stdout
    report = doc.read_text(encoding="utf-8")
    assert "## Results" in report and "cores" in report and "Past one machine" in report
    assert "--quick" in report  # the command that produced the figures
    # the report can be re-rendered from the results alone
    again = tmp_path / "again.md"
    proc = subprocess.run([sys.executable, str(BENCH / "run_all.py"), "--from-results", str(results),
                           "--doc", str(again), "--results", str(results)],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert again.read_text(encoding="utf-8") == report


def test_committed_report_matches_committed_results():
    """docs/performance.md is generated from benchmarks/results.json, never edited by hand."""
    results = BENCH / "results.json"
    if not results.is_file():
        pytest.skip("benchmarks/results.json not generated yet: run python benchmarks/run_all.py")
    import run_all

    data = json.loads(results.read_text(encoding="utf-8"))
    assert (REPO / "docs" / "performance.md").read_text(encoding="utf-8") == run_all.render_doc(data)


def test_committed_chart_matches_committed_results():
    """docs/performance.png is drawn from benchmarks/results.json, byte for byte (fixed metadata)."""
    results = BENCH / "results.json"
    if not results.is_file():
        pytest.skip("benchmarks/results.json not generated yet: run python benchmarks/run_all.py")
    import charts

    data = json.loads(results.read_text(encoding="utf-8"))
    assert charts.render_png(data) == charts.render_png(data)
    assert (REPO / "docs" / "performance.png").read_bytes() == charts.render_png(data)


def test_partial_rerun_replaces_its_figures_and_keeps_the_others():
    """`run_all.py --only-build` / `--only-perf2` merge their new figures into the committed results."""
    import run_all
    from common import Figure

    previous = {"date": "then", "figures": [{"key": "a", "value": 1}, {"key": "b", "value": 2}]}
    new = [Figure("b", "B", "s", 20.0, "base", 10.0), Figure("c", "C", "s", 3.0, "base", 1.0)]
    merged = run_all._merged(previous, new)
    assert [f["key"] for f in merged["figures"]] == ["a", "b", "c"]
    assert merged["figures"][0] == {"key": "a", "value": 1} and merged["figures"][1]["value"] == 20.0
    assert merged["date"] == "then" and previous["figures"][1] == {"key": "b", "value": 2}  # not modified

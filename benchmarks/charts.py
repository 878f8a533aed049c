"""The chart of docs/performance.md: throughput against corpus size, and the build's time per phase.

Rendered from benchmarks/results.json with matplotlib's Agg backend and fixed
metadata, so the same results give the same bytes (tests/test_benchmarks.py
checks that docs/performance.png is in sync with results.json).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any


def chart_path(doc: Path) -> Path:
    """The chart next to the report (docs/performance.md -> docs/performance.png)."""
    return doc.with_suffix(".png")


def _series(results: dict[str, Any]) -> dict[str, list[tuple[int, float]]]:
    """(documents, documents per second) of each measured command."""
    figs = {f["key"]: f for f in results.get("figures", [])}
    corpora = results.get("corpora", {})
    small = corpora.get("small", {}).get("documents")
    large = corpora.get("large", {}).get("documents")
    out: dict[str, list[tuple[int, float]]] = {}
    scaling = figs.get("scaling_time_per_doc")
    if scaling and scaling.get("value") and scaling.get("baseline") and small and large:
        out["validate --no-cache"] = [(small, 1000 / scaling["baseline"]), (large, 1000 / scaling["value"])]

    def docs_of(title: str) -> int | None:
        import re

        m = re.search(r"\(([\d,]+) docs", title)
        return int(m.group(1).replace(",", "")) if m else None

    for key, label in (("build_real_cold", "build, empty cache"), ("build_cold", "build, empty cache"),
                       ("rebuild_warm", "build, warm cache"), ("build_jobs1_floor", "build --jobs 1, tokens cached")):
        f = figs.get(key)
        n = docs_of(f["title"]) if f else None
        if f and f.get("value") and n:
            out.setdefault(label, []).append((n, n / f["value"]))
    f = figs.get("build_jobs2")
    n = docs_of(f["title"]) if f else None
    if f and f.get("value") and n:
        out["build --jobs 2, tokens cached"] = [(n, f["value"])]
    return {k: sorted(v) for k, v in out.items()}


def render_png(results: dict[str, Any]) -> bytes:
    """The chart as PNG bytes (deterministic: no date, no software version in the file)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"svg.hashsalt": "milcontacts", "font.family": "DejaVu Sans", "font.size": 9,
                                "path.simplify": False}):
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=100)
        for label, points in _series(results).items():
            xs, ys = zip(*points)
            left.plot(xs, ys, marker="o", label=label)
        left.set_xscale("log")
        left.set_yscale("log")
        left.set_xlabel("documents in the corpus")
        left.set_ylabel("documents per second (whole command)")
        left.set_title("Throughput against corpus size")
        left.grid(True, which="both", linewidth=0.3)
        left.legend(fontsize=7)
        profile = results.get("build_profile") or {}
        steps = profile.get("steps_s") or {}
        labels = [k.strip() for k in steps][::-1]
        right.barh(labels, list(steps.values())[::-1], color="#4477aa")
        right.set_xlabel("seconds (cumulative, cProfile)")
        right.set_title(f"Build of {profile.get('documents', 0):,} documents: time per phase")
        right.tick_params(axis="y", labelsize=7)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        plt.close(fig)
    return buf.getvalue()

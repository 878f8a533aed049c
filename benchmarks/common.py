"""Shared helpers of the benchmarks: timing, child processes, results.

Timing rule (the machine is a shared VM whose speed varies by tens of percent
from one second to the next): every figure and its baseline are measured
alternately, ``repeat`` times each, and the median of each is kept, so that
one lucky or unlucky run cannot decide a ratio.  All runs are kept in the
JSON results.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import median
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SRC = REPO / "src"
PYTHON = sys.executable


def ensure_src_on_path() -> None:
    if str(SRC) not in sys.path:
        sys.path.insert(0, str(SRC))


@dataclass
class Figure:
    """One measured figure next to its baseline.

    ``ratio`` is ``value / baseline`` (both in ``unit``); ``target`` is a
    comparison on the ratio, e.g. ``(">=", 0.5)``.
    """

    key: str
    title: str
    unit: str
    value: float | None
    baseline_title: str
    baseline: float | None
    target: tuple[str, float] | None = None
    note: str = ""
    samples: dict[str, list[float]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def met(self) -> bool | None:
        if self.target is None or self.ratio is None:
            return None
        op, bound = self.target
        return self.ratio >= bound if op == ">=" else self.ratio <= bound

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["target"] = list(self.target) if self.target else None
        out["ratio"] = self.ratio
        out["met"] = self.met
        return out


def alternate(repeat: int, *runs: Callable[[], float]) -> list[list[float]]:
    """Call each of ``runs`` ``repeat`` times, alternating; each returns a duration (s)."""
    samples: list[list[float]] = [[] for _ in runs]
    for _ in range(max(1, repeat)):
        for i, run in enumerate(runs):
            samples[i].append(run())
    return samples


def timed(fn: Callable[[], Any]) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    return run


def run_child(args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None,
              check: bool = True) -> dict[str, Any]:
    """Run a command (``src/`` on its PYTHONPATH); wall time and its output."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), full_env.get("PYTHONPATH", "")) if p)
    if env:
        full_env.update(env)
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, env=full_env, cwd=cwd)
    wall = time.perf_counter() - start
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} exited {proc.returncode}:\n"
                           f"{proc.stderr.decode(errors='replace')[-3000:]}")
    return {"wall": wall, "returncode": proc.returncode, "stdout": proc.stdout.decode(errors="replace"),
            "stderr": proc.stderr.decode(errors="replace")}


def run_measured(args: list[str], env: dict[str, str] | None = None, check: bool = True) -> dict[str, Any]:
    """Run a command and measure its wall time and its own peak RSS (MiB).

    The command is started from a small wrapper process that waits for it
    with ``os.wait4``, so the peak is the command's alone (``RUSAGE_CHILDREN``
    of a long-lived process would be the maximum over all its children).
    """
    wrapper = (
        "import json, os, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
        "err = p.stderr.read()\n"
        "_, status, ru = os.wait4(p.pid, 0)\n"
        "wall = time.perf_counter() - t\n"
        "print(json.dumps({'wall': wall, 'maxrss_mib': ru.ru_maxrss / 1024, 'status': os.waitstatus_to_exitcode(status),\n"
        "                  'stderr': err.decode(errors='replace')[-3000:]}))\n"
    )
    res = run_child([PYTHON, "-c", wrapper, *map(str, args)], env=env)
    data = json.loads(res["stdout"].strip().splitlines()[-1])
    if check and data["status"] not in (0,):
        raise RuntimeError(f"{' '.join(map(str, args))} exited {data['status']}:\n{data['stderr']}")
    return data


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    try:
        load = os.getloadavg()
    except OSError:
        load = (0.0, 0.0, 0.0)
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in load],
    }
    try:
        import yaml

        info["pyyaml"] = yaml.__version__
        info["libyaml"] = bool(getattr(yaml, "__with_libyaml__", False))
    except ImportError:
        pass
    for name in ("pyarrow", "duckdb", "datasets"):
        try:
            from importlib.metadata import version

            info[name] = version(name)
        except Exception:  # noqa: BLE001
            info[name] = None
    return info


def fmt_value(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "files/s":
        return f"{value:,.0f} files/s" if value >= 100 else f"{value:,.1f} files/s"
    if unit == "s":
        return f"{value:.2f} s" if value >= 0.1 else f"{value * 1000:.1f} ms"
    if unit == "ms/doc":
        return f"{value:.2f} ms/doc"
    if unit == "MiB":
        return f"{value:,.0f} MiB"
    return f"{value:g} {unit}"


def fmt_ratio(fig: Figure) -> str:
    r = fig.ratio
    return "n/a" if r is None else f"{r:.2f}×"


def fmt_target(fig: Figure) -> str:
    if fig.target is None:
        return "(reported)"
    op, bound = fig.target
    return f"{'≥' if op == '>=' else '≤'} {bound:g}×"


def fmt_met(fig: Figure) -> str:
    m = fig.met
    return "" if m is None else ("yes" if m else "NO")


def table(figures: list[Figure]) -> str:
    """The figures side by side, as a plain-text table."""
    rows = [("figure", "measured", "baseline", "", "ratio", "target", "met")]
    for f in figures:
        rows.append((f.title, fmt_value(f.value, f.unit), fmt_value(f.baseline, f.unit), f"({f.baseline_title})",
                     fmt_ratio(f), fmt_target(f), fmt_met(f)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)

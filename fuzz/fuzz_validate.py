"""Coverage-guided fuzzing of the YAML + schema + checks path with atheris.

Usage (the fuzz extra: pip install -e '.[fuzz]'):

    python fuzz/fuzz_validate.py -max_total_time=60 fuzz/corpus
    python fuzz/fuzz_validate.py fuzz/crashes/*       # replay the kept crashers

The target feeds arbitrary bytes to the validator as an annotation file (with
a real raw text and kb beside it) and fails on anything but a diagnostic list
whose every entry points at a line of the file. Any input that ever crashed
it is kept in fuzz/crashes/ and replayed by tests/test_fuzz_regressions.py.
.ci/run runs it for a short time budget on every change.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from milcontacts.validate import validate_corpus

REPO = Path(__file__).resolve().parent.parent
DOC = "2017-02-17-xinhua-dunford-gerasimov-bakou"

_ROOT = Path(tempfile.mkdtemp(prefix="milcontacts-fuzz-"))
(_ROOT / "annotations").mkdir()
(_ROOT / "corpus").mkdir()
shutil.copy(REPO / "annotations" / "kb.yaml", _ROOT / "annotations" / "kb.yaml")
shutil.copy(REPO / "corpus" / f"{DOC}.txt", _ROOT / "corpus" / f"{DOC}.txt")
(_ROOT / "splits.yaml").write_text(f"splits:\n  train:\n    - {DOC}\n", encoding="utf-8")
_TARGET = _ROOT / "annotations" / f"{DOC}.yaml"


def check(data: bytes) -> None:
    """The property: a diagnostic list, each entry on a real line of its file."""
    _TARGET.write_bytes(data)
    report = validate_corpus(_ROOT)
    for d in report.diagnostics:
        path = _ROOT / d.file
        lines = path.read_bytes().count(b"\n") + 1
        if not (1 <= d.line <= lines and d.column >= 1):
            raise AssertionError(f"diagnostic outside its file: {d} ({lines} lines)")
        d.message.encode("utf-8")


def main() -> None:
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

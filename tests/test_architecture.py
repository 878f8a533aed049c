"""The layout keeps its promises: one copy of the span helpers, every code registered, no
citation of a file outside the repository."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from milcontacts import checks
from milcontacts.validate import registry

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.docs


def test_loading_script_span_helpers_are_the_generated_copy():
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "sync_loading_script.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_a_stale_copy_is_detected(tmp_path):
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import sync_loading_script as sync
    finally:
        sys.path.pop(0)
    source = sync.SOURCE.read_text(encoding="utf-8")
    target = sync.TARGET.read_text(encoding="utf-8")
    assert sync.synced(source, target) == target
    edited = source.replace("def is_span(obj: Any) -> bool:", "def is_span(obj: Any) -> bool:  # changed")
    assert sync.synced(edited, target) != target


def test_every_validator_code_is_emitted_by_a_registered_check():
    import milcontacts.validate  # noqa: F401 - registers the checks

    validator_codes = {code for code, c in checks.CHECKS.items() if not code.startswith("B")}
    assert validator_codes == registry.registered_codes()


def test_no_citation_of_a_file_outside_the_repository():
    files = [*REPO.joinpath("src").rglob("*.py"), *REPO.joinpath("scripts").glob("*.py"),
             REPO / "ARCHITECTURE.md", REPO / "docs" / "validation.md", REPO / "docs" / "format.md"]
    cited = [str(p.relative_to(REPO)) for p in files
             if p.is_file() and p.name not in {"evaluate.py", "baseline.py", "leaderboard.py"}
             and "DESIGN" in p.read_text(encoding="utf-8")]
    assert cited == []

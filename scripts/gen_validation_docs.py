"""Regenerate docs/validation.md from the check catalogue (src/milcontacts/checks.py)."""

from pathlib import Path

from milcontacts.checks import render_markdown
from milcontacts.io import write_atomic

if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "docs" / "validation.md"
    write_atomic(target, render_markdown())
    print(f"wrote {target}")

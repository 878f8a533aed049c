"""Regenerate the generated sections of DATACARD.md (and check them in CI).

    python scripts/update_datacard.py          # rewrite the sections
    python scripts/update_datacard.py --check  # exit 1 if they are out of date

Sections, between HTML comment markers:
* ``stats``     — `milcontacts stats --format markdown`
* ``agreement`` — `milcontacts agreement annotations/passes/a annotations/passes/b`
* ``agreement-c`` — `milcontacts agreement annotations/passes/ab-1.1 annotations/passes/c`
  (the review pass against the gold it reviewed)
* ``agreement-c-after`` — `milcontacts agreement annotations/passes/c annotations`
  (the review pass against the gold after its adjudication)
The leaderboard section is `milcontacts leaderboard`'s.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from milcontacts.agreement import agreement, render_markdown as agreement_markdown
from milcontacts.io import write_atomic
from milcontacts.stats import collect, render_markdown as stats_markdown

ROOT = Path(__file__).resolve().parent.parent
# (section, folder A, folder B), folders relative to the corpus root.
AGREEMENTS = [
    ("agreement", "annotations/passes/a", "annotations/passes/b"),
    ("agreement-c", "annotations/passes/ab-1.1", "annotations/passes/c"),
    ("agreement-c-after", "annotations/passes/c", "annotations"),
]


def replace_section(text: str, name: str, body: str) -> str:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start not in text or end not in text:
        raise SystemExit(f"DATACARD.md has no {start} ... {end} markers")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body.rstrip()}\n{end}{tail}"


def sections(root: Path) -> dict[str, str]:
    per_doc, total, splits = collect(root)
    stats = ("Computed by `milcontacts stats --format markdown`.\n\n" + stats_markdown(per_doc, total, splits))
    out = {"stats": stats}
    for name, a, b in AGREEMENTS:
        total, _, problems = agreement(root / a, root / b)
        if problems:
            raise SystemExit("agreement: " + "; ".join(problems))
        out[name] = agreement_markdown(total, f"milcontacts agreement {a} {b}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    path = ROOT / "DATACARD.md"
    old = path.read_text(encoding="utf-8")
    new = old
    for name, body in sections(ROOT).items():
        new = replace_section(new, name, body)
    if args.check:
        if new != old:
            print("DATACARD.md is out of date: run python scripts/update_datacard.py", file=sys.stderr)
            return 1
        return 0
    if new != old:
        write_atomic(path, new)
        print("DATACARD.md updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())

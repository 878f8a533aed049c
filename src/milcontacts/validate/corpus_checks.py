"""Level 6, the corpus as a whole: no symbolic links, usable splits, stories in one split.

These are the checks ``milcontacts build`` used to be the first to fail on;
the validator now reports them first, with the line in splits.yaml.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from .. import checks
from ..corpus.kb import KB
from ..corpus.layout import symlinks
from ..corpus.splits import check_stories, read_splits
from ..diagnostics import Diagnostic
from .registry import emits


@emits("C006")
def check_links(root: Path) -> list[Diagnostic]:
    """C006 for every symbolic link under annotations/ or corpus/ (or splits.yaml itself)."""
    return [checks.make("C006", link, 1, 1, path=link) for link in symlinks(root)]


@emits("C007")
def check_unused_kb(kb: KB | None, linked: set[str]) -> list[Diagnostic]:
    """C007 for every kb entry that no annotation file links to (a kb for this corpus
    holds what its documents name; an unused entry is a typo'd slug or a leftover)."""
    if kb is None:
        return []
    unused = sorted((set(kb.entities) | set(kb.events)) - linked)
    return [checks.make("C007", "annotations/kb.yaml", kb.lines.get(k, 1), 1, subject=k, id=k) for k in unused]


@emits("C001", "C002", "C003", "C004", "C005")
def check_splits(root: Path, stories: Mapping[str, Any]) -> list[Diagnostic]:
    """splits.yaml against its schema and the documents; then no story across two splits.

    ``stories``: document id -> its story, for every annotation file validated.
    A missing splits.yaml is not reported when the folder has no documents.
    """
    if not stories and not (Path(root) / "splits.yaml").exists():
        return []
    splits = read_splits(root, stories.keys())
    out = [d for d in splits.diagnostics if d.code != "C006"]  # a linked splits.yaml: check_links reported it
    if splits.splits is not None:
        out.extend(check_stories(splits, stories))
    return out

"""Resource limits applied to every file before and while it is parsed.

They are far above what a real annotation file needs (the largest file of the
corpus is about 60 KB, 5 levels deep, with no alias) and far below what would
let a hostile file cost more than a fraction of a second.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Limits:
    """The limits one validation run enforces."""

    max_yaml_bytes: int = 4 * 1024 * 1024
    max_text_bytes: int = 2 * 1024 * 1024
    max_depth: int = 64
    max_aliases: int = 64
    max_nodes: int = 2_000_000
    max_spans: int = 100_000


_WHY = {
    "max_yaml_bytes": "annotation or kb file size, checked before reading",
    "max_text_bytes": "raw text size, checked before reading",
    "max_depth": "YAML nesting depth, checked before parsing",
    "max_aliases": "YAML aliases (*x) in one file",
    "max_nodes": "YAML nodes once aliases are expanded",
    "max_spans": "spans in one annotation file",
}

DEFAULT = Limits()


def describe(limits: Limits = DEFAULT) -> list[tuple[str, int, str]]:
    """(name, value, reason) for each limit, for the documentation."""
    return [(f.name, getattr(limits, f.name), _WHY[f.name]) for f in fields(limits)]

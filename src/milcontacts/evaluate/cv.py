"""Cross-validation folds by story, and ``evaluate --cv``.

Texts about the same real-world story (``document.story`` in each
annotation's ``document`` block) share names, events and wording, so a model
tested on a story it was trained on is rewarded for memorising it.  Folds
therefore hold whole stories: no story is in two folds.  A document without
a story is a story of its own.

By default there is one fold per story (leave-one-story-out).  With
``folds=K`` (K smaller than the number of stories) stories are assigned to K
folds greedily, largest story first (ties by name), each to the fold with
the fewest documents so far (ties: lowest fold number): deterministic, and
as balanced as whole stories allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..model import Document


@dataclass(frozen=True)
class Fold:
    """One fold: its number (1-based), its stories and its documents (sorted)."""

    number: int
    stories: tuple[str, ...]
    documents: tuple[str, ...]


def story_of(doc: Document) -> str:
    """The story a document belongs to (its own id when the annotation names none)."""
    story = doc.meta.get("story")
    return str(story) if story else doc.id


def story_folds(docs: Iterable[Document], folds: int | None = None) -> list[Fold]:
    """Folds of whole stories (see the module doc); ``folds`` None: one per story."""
    by_story: dict[str, list[str]] = {}
    for d in docs:
        by_story.setdefault(story_of(d), []).append(d.id)
    stories = sorted(by_story, key=lambda s: (-len(by_story[s]), s))
    k = len(stories) if folds is None else max(1, min(folds, len(stories)))
    bins: list[list[str]] = [[] for _ in range(k)]
    sizes = [0] * k
    for s in stories:
        i = min(range(k), key=lambda j: (sizes[j], j))
        bins[i].append(s)
        sizes[i] += len(by_story[s])
    return [Fold(n + 1, tuple(sorted(b)), tuple(sorted(d for s in b for d in by_story[s])))
            for n, b in enumerate(bins) if b]


def fold_of(folds: list[Fold]) -> dict[str, int]:
    """document id -> fold number."""
    return {d: f.number for f in folds for d in f.documents}

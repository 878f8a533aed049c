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
from pathlib import Path
from typing import Any, Iterable

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


# --------------------------------------------------------------------------
# evaluate --cv: every fold, and the mean over folds
# --------------------------------------------------------------------------

@dataclass
class CvResult:
    """The evaluation of one prediction file fold by fold."""

    predictions: str
    folds: list[Fold]
    results: list[Any]          # one evaluate.core.Result per fold

    def mean(self, name: str) -> dict[str, float | None]:
        """Mean over folds of P, R, F1 and macro F1 (folds where a value is undefined left out)."""
        out: dict[str, float | None] = {}
        for key in ("precision", "recall", "f1", "macro_f1"):
            values = []
            for r in self.results:
                s = r.scores.get(name)
                if s is None or s.documents == 0:
                    continue
                v = s.macro()["f1"] if key == "macro_f1" else s.headline()[key]
                if v is not None:
                    values.append(v)
            out[key] = sum(values) / len(values) if values else None
        out["folds"] = sum(1 for r in self.results if r.scores.get(name) and r.scores[name].documents)
        return out

    def to_json(self) -> dict[str, Any]:
        from .layers import SCORES

        folds = []
        for fold, r in zip(self.folds, self.results):
            cis = r.intervals()
            layers = {}
            for name in SCORES:
                s = r.scores.get(name)
                if s is None or s.documents == 0:
                    continue
                layers[name] = {**s.headline(), "macro_f1": s.macro()["f1"],
                                "ci": cis.get(name, {}).get("strict"), "documents": s.documents}
            folds.append({"fold": fold.number, "stories": list(fold.stories), "documents": list(fold.documents),
                          "layers": layers})
        names = [n for n in SCORES if any(r.scores.get(n) and r.scores[n].documents for r in self.results)]
        return {"predictions": self.predictions, "folds": folds,
                "mean": {n: self.mean(n) for n in names},
                "bootstrap": {"resamples": self.results[0].resamples if self.results else None,
                              "seed": self.results[0].seed if self.results else None, "unit": "document"}}


def evaluate_cv(root: Path, predictions: Path, folds: int | None = None, display: str | None = None,
                documents: dict[str, Document] | None = None, resamples: int = 1000, seed: int = 0) -> CvResult:
    """Score ``predictions`` on each story fold of the corpus (every document is in one fold)."""
    from .core import load_predictions, score_predictions

    display = display or str(predictions)
    preds, doc, ids = load_predictions(root, predictions, display, documents)
    fs = story_folds([doc(d) for d in ids], folds)
    results = [score_predictions(preds, list(f.documents), doc, display, None, resamples, seed) for f in fs]
    return CvResult(display, fs, results)


def write_cv_text(cv: CvResult, out: Any) -> None:
    """Per score: one row per fold and the mean over folds."""
    from .layers import SCORES, TITLES
    from .report import ci_text, pct

    out.write(f"milcontacts evaluate --cv: {cv.predictions}\n")
    out.write(f"{len(cv.folds)} fold(s) by story (no story in two folds); 95% CI: bootstrap over the "
              f"documents of each fold\n")
    for f in cv.folds:
        out.write(f"  fold {f.number}: {len(f.documents)} document(s); stories: {', '.join(f.stories)}\n")
    for name in SCORES:
        if not any(r.scores.get(name) and r.scores[name].documents for r in cv.results):
            continue
        out.write(f"\n{name}: {TITLES[name]}\n")
        out.write(f"  {'fold':<8} {'P':>7} {'R':>7} {'F1':>7}  {'F1 95% CI':<15} {'macro F1':>8}\n")
        for f, r in zip(cv.folds, cv.results):
            s = r.scores.get(name)
            if s is None or s.documents == 0:
                continue
            h = s.headline()
            ci = r.intervals().get(name, {}).get("strict", {})
            out.write(f"  {f.number:<8} {pct(h['precision']):>7} {pct(h['recall']):>7} {pct(h['f1']):>7}  "
                      f"{ci_text(ci.get('f1')):<15} {pct(s.macro()['f1']):>8}\n")
        m = cv.mean(name)
        out.write(f"  {'mean':<8} {pct(m['precision']):>7} {pct(m['recall']):>7} {pct(m['f1']):>7}  "
                  f"{'':<15} {pct(m['macro_f1']):>8}\n")
    out.write("\nP, R, F1 in %; mean = unweighted mean over the folds where the value is defined. "
              "Definitions: docs/benchmark.md\n")

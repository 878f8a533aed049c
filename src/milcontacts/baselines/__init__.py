"""``milcontacts baseline``: offline, deterministic baselines for every layer.

One module per baseline, each with ``LAYERS`` (the prediction layers it
writes), ``LEARNS`` (whether it learns from annotated documents), and a
``train(docs, kb) -> state`` / ``predict(state, doc) -> {layer: items}``
pair:

* ``spacy-sm``, ``spacy-md`` (:mod:`.spacy_ner`): entities, spaCy NER;
* ``gazetteer`` (:mod:`.gazetteer`): entities with kb ids (linking);
* ``timex`` (:mod:`.timex`): rule-based TIMEX3 tagger and normaliser;
* ``events`` (:mod:`.events`): trigger lexicon learned from the training
  documents, arguments from the dependency parse, kb for coreference;
* ``attributions`` (:mod:`.attributions`): cue lexicon, source and
  content from the parse.

**Training never sees the document it tags.**  A baseline that learns is
trained, for each document, on the documents of the *other* cross-validation
folds (folds of whole stories, :mod:`milcontacts.evaluate.cv`), or, when a
``train`` list is given (a split run), on those documents only.  Output is
deterministic: documents sorted by id, items sorted by offsets, fixed JSON
formatting; two runs give identical bytes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Sequence

from ..model import Document, InvalidCorpus, document_ids, iter_documents, load_kb_data, load_splits
from . import attributions, common, events, gazetteer, spacy_ner, timex
from .common import Mention, dumps_line, load_spacy, prediction_line, scored_zones, write_file

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

SPACY_MODELS = dict(spacy_ner.PACKAGES)


def _registry() -> dict[str, tuple[tuple[str, ...], bool, Callable, Callable]]:
    out: dict[str, tuple[tuple[str, ...], bool, Callable, Callable]] = {}
    for name, pkg in SPACY_MODELS.items():
        out[name] = (spacy_ner.LAYERS, spacy_ner.LEARNS, *spacy_ner.make(pkg))
    mods: dict[str, ModuleType] = {"gazetteer": gazetteer, "timex": timex, "events": events,
                                   "attributions": attributions}
    for name, mod in mods.items():
        out[name] = (mod.LAYERS, mod.LEARNS, mod.train, mod.predict)
    return out


BASELINES = _registry()
MODELS = tuple(BASELINES)


def predict_docs(model: str, docs: Sequence[Document], targets: Sequence[str], kb: dict,
                 train_ids: Sequence[str] | None = None, folds: int | None = None) -> str:
    """The prediction file (JSONL text) of ``model`` for the documents ``targets``.

    ``docs`` are all the annotated documents (the training material).  With
    ``train_ids`` a learning baseline is trained once on those documents;
    otherwise each target is tagged by a model trained on the other story
    folds (``folds`` as in :func:`milcontacts.evaluate.cv.story_folds`).
    """
    from ..evaluate.cv import fold_of, story_folds

    if model not in BASELINES:
        raise ValueError(f"unknown baseline {model!r} (one of {', '.join(MODELS)})")
    _, learns, train, predict = BASELINES[model]
    by_id = {d.id: d for d in docs}
    states: dict[Any, Any] = {}
    if learns and train_ids is None:
        number = fold_of(story_folds(docs, folds))

        def state_for(doc_id: str) -> Any:
            f = number[doc_id]
            if f not in states:
                states[f] = train([d for d in docs if number[d.id] != f], kb)
            return states[f]
    else:
        def state_for(doc_id: str) -> Any:
            if None not in states:
                states[None] = train([by_id[i] for i in sorted(train_ids or [])], kb)
            return states[None]
    lines = []
    for doc_id in sorted(targets):
        lines.append(dumps_line(doc_id, predict(state_for(doc_id), by_id[doc_id])))
    return "".join(lines)


def predict(model: str, root: Path, ids: Sequence[str] | None = None, train_ids: Sequence[str] | None = None,
            folds: int | None = None) -> str:
    """The prediction file of ``model`` for documents ``ids`` (default all) of the corpus at ``root``."""
    root = Path(root)
    docs = list(iter_documents(root, document_ids(root)))
    kb = load_kb_data(root)
    return predict_docs(model, docs, ids if ids is not None else [d.id for d in docs], kb, train_ids, folds)


def run(args: argparse.Namespace) -> int:
    """Entry point of ``milcontacts baseline`` (wired in cli.py)."""
    root = Path(args.root)
    if not (root / "annotations").is_dir():
        print(f"milcontacts baseline: {root} has no annotations/ folder", file=sys.stderr)
        return EXIT_USAGE
    try:
        ids = train_ids = None
        if args.split is not None:
            splits = load_splits(root)
            if args.split not in splits:
                print(f"milcontacts baseline: unknown split {args.split!r}; splits.yaml has: "
                      f"{', '.join(splits) or 'none'}", file=sys.stderr)
                return EXIT_USAGE
            ids = splits[args.split]
            train_ids = sorted(d for name, members in splits.items() if name != args.split for d in members)
        text = predict(args.model, root, ids, train_ids, getattr(args, "folds", None))
    except InvalidCorpus as exc:
        print(f"milcontacts baseline: the corpus is invalid (run milcontacts validate): {exc}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:  # a spaCy package that is not installed, an unreadable file
        print(f"milcontacts baseline: {exc}", file=sys.stderr)
        return EXIT_INVALID
    try:
        write_file(args.out, text)
    except OSError as exc:
        print(f"milcontacts baseline: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    print(f"milcontacts baseline: {args.model}: {text.count(chr(10))} document(s) -> {args.out}", file=sys.stderr)
    return EXIT_OK


__all__ = ["BASELINES", "MODELS", "SPACY_MODELS", "Mention", "load_spacy", "predict", "predict_docs",
           "prediction_line", "run", "scored_zones", "write_file"]

"""Backward-compatible name for :mod:`milcontacts.baselines` (one module per baseline)."""

from __future__ import annotations

from .baselines import (BASELINES, EXIT_INVALID, EXIT_OK, EXIT_USAGE, MODELS, SPACY_MODELS, Mention, load_spacy,
                        predict, predict_docs, prediction_line, run, scored_zones, write_file)
from .baselines.gazetteer import build_gazetteer, build_linker, gazetteer_mentions, kb_links, visible_kb
from .baselines.spacy_ner import spacy_mentions

__all__ = ["BASELINES", "EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "MODELS", "SPACY_MODELS", "Mention", "build_gazetteer",
           "build_linker", "gazetteer_mentions", "kb_links", "load_spacy", "predict", "predict_docs",
           "prediction_line", "run", "scored_zones", "spacy_mentions", "visible_kb"]

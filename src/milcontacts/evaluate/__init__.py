"""``milcontacts evaluate``: score predictions against the gold (docs/benchmark.md).

The prediction file is JSONL, one line per document (format in
``docs/benchmark.md``).  Every line is checked before anything is scored: a
bad offset, an unknown or duplicate document id, an unknown type or a
malformed line is reported as ``PRED.jsonl:LINE: message`` and the command
exits 1, so a score is never computed from input that was misread.

Scoring is micro-averaged over the documents in scope.  Each *score* (a row
of the results) compares gold *units* with predicted units under two
criteria: ``strict`` (exact offsets, plus type where the score has types) and
``partial`` (overlap, same type), each with a per-type breakdown.  Matching
is one-to-one: a gold unit is credited at most once, however many
predictions hit it, so duplicates count as false positives.  Partial
matching uses a maximum bipartite matching, so the figures do not depend on
the order of the predictions.

Regions the gold does not cover are not scored: units anchored in a
``boilerplate`` zone (the guidelines annotate every zone but those) are
removed from both the gold and the predictions.

The package is split along its seams: :mod:`.predictions` reads and checks
the prediction file, :mod:`.metrics` counts and matches, :mod:`.layers`
scores one document layer by layer, :mod:`.core` runs an evaluation,
:mod:`.report` prints it.  The names below are the public interface.
"""

from __future__ import annotations

from .core import Result, UsageError, evaluate
from .layers import (CONLL, CONLL_TYPES, OPTIONAL_SCORES, SCORES, TITLES, DocResult, boilerplate, conll, gold_entities,
                     gold_line, in_any, score_document)
from .metrics import (Accuracy, AttributionScores, Counts, GoldArg, GoldAttr, PredArg, PredAttr, Score,
                      Table, TimexUnit, TokenIndex, Unit, max_matching, overlaps, score_arguments,
                      score_attributions, score_units, timex_values)
from .predictions import LAYERS, PEvent, Prediction, PredictionErrors, parse_predictions
from .report import EXIT_INVALID, EXIT_OK, EXIT_USAGE, pct, run, scope_notes, write_text

__all__ = [
    "Accuracy", "AttributionScores", "CONLL", "CONLL_TYPES", "OPTIONAL_SCORES", "Counts", "DocResult", "EXIT_INVALID", "EXIT_OK",
    "EXIT_USAGE", "GoldArg", "GoldAttr", "LAYERS", "PEvent", "PredArg", "PredAttr", "Prediction",
    "PredictionErrors", "Result", "SCORES", "Score", "TITLES", "Table", "TimexUnit", "TokenIndex", "Unit",
    "UsageError", "boilerplate", "conll", "evaluate", "gold_entities", "gold_line", "in_any", "max_matching",
    "overlaps", "parse_predictions", "pct", "run", "score_arguments", "score_attributions", "score_document",
    "score_units", "scope_notes", "timex_values", "write_text",
]

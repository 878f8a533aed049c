"""Output of ``milcontacts evaluate``: the readable tables, and the command."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from ..model import InvalidCorpus
from ..diagnostics import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from .core import Result, UsageError, evaluate
from .layers import SCORES, TITLES
from .metrics import Counts, Score, _ratio
from .predictions import PredictionErrors


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

def pct(value: float | None) -> str:
    """A ratio as a percentage with two decimals; '-' when undefined."""
    return "-" if value is None else f"{100 * value:.2f}"


def scope_notes(result: Result) -> list[str]:
    """The sentences that tell a reader what the figures cover."""
    where = f"split {result.split!r}" if result.split else "all documents"
    notes = [f"scope: {where}, {len(result.documents)} document(s), {result.predicted} with a prediction line; "
             f"layers predicted: {', '.join(result.layers) or 'none'}"]
    if result.missing:
        notes.append(f"warning: {len(result.missing)} document(s) in scope have no prediction line and count as "
                     f"empty predictions (recall loss): {', '.join(result.missing)}")
    if result.outside_scope:
        notes.append(f"note: {result.outside_scope} prediction line(s) for documents outside {where} were not scored")
    if result.ignored_boilerplate:
        notes.append(f"note: {result.ignored_boilerplate} predicted unit(s) inside boilerplate zones were not scored")
    return notes


def _row(label: str, strict: Counts, partial: Counts | None) -> str:
    cells = f"  {label:<22} {pct(strict.precision):>7} {pct(strict.recall):>7} {pct(strict.f1):>7} " \
            f"{strict.tp:>5} {strict.fp:>5} {strict.fn:>5}"
    if partial is not None:
        cells += f"   {pct(partial.precision):>7} {pct(partial.recall):>7} {pct(partial.f1):>7}"
    return cells + "\n"


def ci_text(ci: dict | None) -> str:
    """A 95 % interval as 'lo–hi' in %, '-' when undefined."""
    return "-" if not ci else f"{pct(ci[0])}–{pct(ci[1])}"


def _ci_row(ci: dict) -> str:
    return (f"  {'':<4}95% CI: P {ci_text(ci.get('precision'))}, R {ci_text(ci.get('recall'))}, "
            f"F1 {ci_text(ci.get('f1'))}\n")


def _coref_rows(s: Score, ci: dict, out: TextIO) -> None:
    out.write(f"  {'metric':<22} {'P':>7} {'R':>7} {'F1':>7}\n")
    for metric, label in (("muc", "MUC"), ("b3", "B3"), ("ceafe", "CEAF-e")):
        m = getattr(s.coref, metric)
        out.write(f"  {label:<22} {pct(m.precision):>7} {pct(m.recall):>7} {pct(m.f1):>7}\n")
        out.write(_ci_row(ci.get(metric, {})))
    c = s.coref
    out.write(f"  {'CoNLL (mean)':<22} {pct(c.precision):>7} {pct(c.recall):>7} {pct(c.f1):>7}\n")  # type: ignore[union-attr]
    out.write(_ci_row(ci))


def write_text(result: Result, out: TextIO) -> None:
    """The readable report: one table per score, strict and partial side by side, with intervals."""
    out.write(f"milcontacts evaluate: {result.predictions}\n")
    for note in scope_notes(result):
        out.write(note + "\n")
    out.write(f"95% CI: bootstrap over documents, {result.resamples} resamples, seed {result.seed} "
              "(percentile intervals)\n")
    cis = result.intervals()
    head = (f"  {'':<22} {'strict':>7} {'':>7} {'':>7} {'':>5} {'':>5} {'':>5}   {'partial':>7}\n"
            f"  {'type':<22} {'P':>7} {'R':>7} {'F1':>7} {'tp':>5} {'fp':>5} {'fn':>5}   "
            f"{'P':>7} {'R':>7} {'F1':>7}\n")
    skipped = []
    for name in SCORES:
        s = result.scores.get(name)
        if s is None or s.documents == 0:
            skipped.append(name)
            continue
        out.write(f"\n{name}: {TITLES[name]}\n")
        ci = cis.get(name, {})
        if s.coref is not None:
            _coref_rows(s, ci.get("strict", {}), out)
            continue
        out.write(head)
        out.write(_row("all", s.strict.overall, s.partial.overall))
        out.write(_ci_row(ci.get("strict", {})))
        partial = s.partial.types()
        for label, c in s.strict.per_type:
            out.write(_row(label, c, partial.get(label)))
            out.write(_ci_row(ci.get("per_type", {}).get(label, {})))
        if s.strict.per_type:
            m, mci = s.macro(), ci.get("macro", {})
            out.write(f"  macro-average over types: P {pct(m['precision'])}, R {pct(m['recall'])}, "
                      f"F1 {pct(m['f1'])} (95% CI {ci_text(mci.get('f1'))})\n")
        if s.value is not None:
            a = s.value
            out.write(f"  value accuracy, on gold spans predicted exactly: {pct(_ratio(a.correct, a.matched))} "
                      f"({a.correct}/{a.matched})\n")
        if s.tokens is not None:
            out.write(_row("content tokens", s.tokens, None))
            out.write(_ci_row(ci.get("tokens", {})))
    if skipped:
        out.write(f"\nnot scored (no prediction line has the layer): {', '.join(skipped)}\n")
    out.write("\nP, R, F1 in %; '-' = undefined (nothing predicted, or nothing to find). "
              "Definitions: docs/benchmark.md\n")


def failure(verb: str, exc: Exception, nothing: str) -> int:
    """Print why a command could not score (usage, bad predictions, invalid gold); its exit code."""
    err = sys.stderr
    if isinstance(exc, UsageError):
        print(f"milcontacts {verb}: {exc}", file=err)
        return EXIT_USAGE
    if isinstance(exc, PredictionErrors):
        for message in exc.messages:
            print(message, file=err)
        print(f"milcontacts {verb}: {nothing}", file=err)
        return EXIT_INVALID
    print(f"milcontacts {verb}: the gold corpus is invalid (run milcontacts validate): {exc}", file=err)
    return EXIT_INVALID


def run(args: argparse.Namespace) -> int:
    """Entry point of ``milcontacts evaluate`` (wired in cli.py)."""
    err = sys.stderr
    cv = getattr(args, "cv", False)
    resamples, seed = getattr(args, "resamples", 1000), getattr(args, "seed", 0)
    try:
        if resamples < 1:
            raise UsageError("--resamples must be at least 1")
        if cv and args.split is not None:
            raise UsageError("--cv scores every document by story fold; it takes no --split")
        if cv:
            from .cv import evaluate_cv, write_cv_text

            cv_result = evaluate_cv(args.root, args.predictions, getattr(args, "folds", None),
                                    display=str(args.predictions), resamples=resamples, seed=seed)
            if args.format == "json":
                json.dump(cv_result.to_json(), sys.stdout, ensure_ascii=False, indent=1)
                sys.stdout.write("\n")
            else:
                write_cv_text(cv_result, sys.stdout)
            return EXIT_OK
        result = evaluate(args.root, args.predictions, args.split, display=str(args.predictions),
                          resamples=resamples, seed=seed)
    except (UsageError, PredictionErrors, InvalidCorpus) as exc:
        return failure("evaluate", exc, f"{args.predictions} is invalid; nothing was scored")
    if args.format == "json":
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        write_text(result, sys.stdout)
    for note in scope_notes(result)[1:] if args.format == "json" else []:
        print(note, file=err)
    return EXIT_OK

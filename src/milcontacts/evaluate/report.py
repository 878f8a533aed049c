"""Output of ``milcontacts evaluate``: the readable tables, and the command."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from ..model import InvalidCorpus
from .core import Result, UsageError, evaluate
from .layers import SCORES, TITLES
from .metrics import Counts, _ratio
from .predictions import PredictionErrors

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

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


def write_text(result: Result, out: TextIO) -> None:
    """The readable report: one table per score, strict and partial side by side."""
    out.write(f"milcontacts evaluate: {result.predictions}\n")
    for note in scope_notes(result):
        out.write(note + "\n")
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
        out.write(head)
        out.write(_row("all", s.strict.overall, s.partial.overall))
        partial = s.partial.types()
        for label, c in s.strict.per_type:
            out.write(_row(label, c, partial.get(label)))
        if s.value is not None:
            a = s.value
            out.write(f"  value accuracy, on gold spans predicted exactly: {pct(_ratio(a.correct, a.matched))} "
                      f"({a.correct}/{a.matched})\n")
        if s.tokens is not None:
            out.write(_row("content tokens", s.tokens, None))
    if skipped:
        out.write(f"\nnot scored (no prediction line has the layer): {', '.join(skipped)}\n")
    out.write("\nP, R, F1 in %; '-' = undefined (nothing predicted, or nothing to find). "
              "Definitions: docs/benchmark.md\n")


def run(args: argparse.Namespace) -> int:
    """Entry point of ``milcontacts evaluate`` (wired in cli.py)."""
    err = sys.stderr
    try:
        result = evaluate(args.root, args.predictions, args.split, display=str(args.predictions))
    except UsageError as exc:
        print(f"milcontacts evaluate: {exc}", file=err)
        return EXIT_USAGE
    except PredictionErrors as exc:
        for message in exc.messages:
            print(message, file=err)
        print(f"milcontacts evaluate: {args.predictions} is invalid; nothing was scored", file=err)
        return EXIT_INVALID
    except InvalidCorpus as exc:
        print(f"milcontacts evaluate: the gold corpus is invalid (run milcontacts validate): {exc}", file=err)
        return EXIT_INVALID
    if args.format == "json":
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        write_text(result, sys.stdout)
    for note in scope_notes(result)[1:] if args.format == "json" else []:
        print(note, file=err)
    return EXIT_OK

"""Diagnostics: the one error channel of every verb, their one formatter, and the exit codes.

A :class:`Diagnostic` names a file, a 1-based line and column, a severity, a
stable code (catalogued in :mod:`milcontacts.checks`), a message, and the
subject an allowlist entry matches a warning by.  Every verb that reports a
problem in its input prints diagnostics through :func:`write` (or one line
through :func:`line`), and exits with one of the codes below.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, TextIO

#: Exit codes of every verb: success; invalid input (diagnostics printed); usage error.
EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
#: Interrupted by Ctrl-C (the shell's convention, 128 + SIGINT).
EXIT_INTERRUPTED = 130

FORMATS = ("text", "json", "github")


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One reported problem, pointing at a file and a 1-based line and column."""

    file: str
    line: int
    column: int
    severity: str
    code: str
    message: str
    #: What the allowlist matches a warning by (e.g. ``"Pentagone@123"``).
    subject: str = field(default="", compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "subject": self.subject,
        }


def line(d: Diagnostic, suffix: str = "") -> str:
    """``FILE:LINE:COL: severity CODE: message`` (the text format, one diagnostic)."""
    return f"{d.file}:{d.line}:{d.column}: {d.severity} {d.code}: {d.message}{suffix}"


def at(file: str, line: int, message: str) -> str:
    """``FILE:LINE: message``: where a problem has no catalogued code (a prediction
    line, an imported file), the one short form every verb prints."""
    return f"{file}:{line}: {message}"


def _gh_escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def write(diagnostics: Iterable[Diagnostic], files: int, fmt: str, out: TextIO,
          allowlisted: int = 0, tool: str = "milcontacts validate", summary: bool = True,
          extra: Mapping[str, Any] | None = None) -> None:
    """Write ``diagnostics`` in one of :data:`FORMATS`, with a summary line
    (``files`` checked, errors, warnings, ``allowlisted`` warnings dropped) unless
    ``summary`` is False.

    In ``json`` the object is ``{"diagnostics": [...], "files": N}`` plus the
    keys of ``extra`` (what a verb made, e.g. ``"wrote"``), so every verb's
    JSON is ``validate``'s shape with its own additions; ``extra`` is not
    printed in the other formats (the verb prints its own success lines)."""
    diags = list(diagnostics)
    if fmt == "json":
        json.dump({"diagnostics": [d.to_json() for d in diags], "files": files, **(extra or {})},
                  out, ensure_ascii=False, indent=1)
        out.write("\n")
        return
    for d in diags:
        if fmt == "github":
            kind = "error" if d.severity == "error" else "warning"
            out.write(f"::{kind} file={_gh_escape(d.file, True)},line={d.line},col={d.column},"
                      f"title={_gh_escape(d.code, True)}::{_gh_escape(d.message)}\n")
        else:
            out.write(line(d) + "\n")
    if not summary:
        return
    errors = sum(d.severity == "error" for d in diags)
    warnings = len(diags) - errors
    extra = f", {allowlisted} allowlisted" if allowlisted else ""
    summary = f"{files} file(s) checked: {errors} error(s), {warnings} warning(s){extra}"
    if fmt == "github":
        out.write(f"::notice title={tool}::{summary}\n")
    else:
        out.write(summary + "\n")


def refuse(diagnostics: Iterable[Diagnostic], files: int, fmt: str,
           extra: Mapping[str, Any] | None = None) -> int:
    """Report why a verb made nothing and return :data:`EXIT_INVALID`: in ``text`` the
    lines on stderr (beside the verb's own messages), in ``json`` one object (with
    ``extra``) and in ``github`` the annotations on stdout, where a machine reads them."""
    write(diagnostics, files, fmt, sys.stderr if fmt == "text" else sys.stdout, summary=False, extra=extra)
    return EXIT_INVALID

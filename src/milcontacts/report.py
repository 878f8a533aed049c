"""Printing diagnostics: ``text`` for people, ``json`` for scripts, ``github``
for GitHub Actions annotations on the pull-request diff."""

from __future__ import annotations

import json
from typing import Iterable, TextIO

from .checks import Diagnostic

FORMATS = ("text", "json", "github")


def _gh_escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def write(diagnostics: Iterable[Diagnostic], files: int, fmt: str, out: TextIO,
          allowlisted: int = 0) -> None:
    """Write ``diagnostics`` in one of :data:`FORMATS`."""
    diags = list(diagnostics)
    if fmt == "json":
        json.dump({"diagnostics": [d.to_json() for d in diags], "files": files},
                  out, ensure_ascii=False, indent=1)
        out.write("\n")
        return
    for d in diags:
        if fmt == "github":
            kind = "error" if d.severity == "error" else "warning"
            out.write(f"::{kind} file={_gh_escape(d.file, True)},line={d.line},col={d.column},"
                      f"title={_gh_escape(d.code, True)}::{_gh_escape(d.message)}\n")
        else:
            out.write(f"{d.file}:{d.line}:{d.column}: {d.severity} {d.code}: {d.message}\n")
    errors = sum(d.severity == "error" for d in diags)
    warnings = len(diags) - errors
    extra = f", {allowlisted} allowlisted" if allowlisted else ""
    summary = f"{files} file(s) checked: {errors} error(s), {warnings} warning(s){extra}"
    if fmt == "github":
        out.write(f"::notice title=milcontacts validate::{summary}\n")
    else:
        out.write(summary + "\n")

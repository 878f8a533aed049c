"""How the build fails: :class:`BuildError`, carrying diagnostics and an exit code."""

from __future__ import annotations

from typing import Iterable

from .. import checks
from ..diagnostics import EXIT_INVALID, EXIT_OK, EXIT_USAGE, Diagnostic

__all__ = ["BuildError", "diag", "EXIT_OK", "EXIT_INVALID", "EXIT_USAGE"]


class BuildError(Exception):
    """The build cannot go on; ``diagnostics`` say why, ``exit_code`` is 1 or 2."""

    def __init__(self, message: str, diagnostics: Iterable[Diagnostic] = (), exit_code: int = EXIT_INVALID):
        super().__init__(message)
        self.diagnostics = list(diagnostics)
        self.exit_code = exit_code


def diag(code: str, message: str, file: str = "splits.yaml", line: int = 1, column: int = 1) -> Diagnostic:
    """A build diagnostic (B001-B003) whose message is ``message``."""
    return checks.make(code, file, line, column, detail=message)

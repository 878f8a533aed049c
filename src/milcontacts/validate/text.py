"""Level 3, the raw text: intact UTF-8, NFC, LF, no BOM (docs/format.md)."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .. import checks
from .. import io as yio
from ..diagnostics import Diagnostic
from ..limits import DEFAULT, Limits
from .registry import emits


@dataclass
class RawText:
    """A corpus text as read for validation."""

    text: str | None
    sha256: str | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


@emits("T001", "T002", "T003", "T004", "T005")
def read_raw(path: Path, display: str, limits: Limits = DEFAULT) -> RawText:
    """Read corpus/<doc_id>.txt and check the raw-text rules (docs/format.md) on it."""
    if not path.is_file():
        return RawText(None, None, [checks.make("T001", display, 1, 1, path=display)])
    data, problem = yio.read_bytes(path, display, limits.max_text_bytes)
    if problem is not None:
        return RawText(None, None, [problem])
    assert data is not None
    return raw_from_bytes(data, display)


@emits("T002", "T003", "T004", "T005")
def raw_from_bytes(data: bytes, display: str, digest: str | None = None) -> RawText:
    """The raw-text checks (docs/format.md) on the bytes of a raw text (``digest``: their sha256, if known)."""
    out: list[Diagnostic] = []
    digest = digest or hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        detail = f"byte 0x{data[exc.start]:02x} at offset {exc.start}"
        return RawText(None, digest, [checks.make("T002", display, line, col, path=display, detail=detail)])
    if text.startswith("\ufeff"):
        out.append(checks.make("T003", display, 1, 1, path=display))
    if "\r" in text:
        line, col = line_col(text, text.index("\r"))
        out.append(checks.make("T004", display, line, col, path=display, count=text.count("\r")))
    if not unicodedata.is_normalized("NFC", text):
        line = next((n for n, ln in enumerate(text.split("\n"), 1)
                     if not unicodedata.is_normalized("NFC", ln)), 1)
        out.append(checks.make("T005", display, line, 1, path=display))
    return RawText(text, digest, out)


def line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1

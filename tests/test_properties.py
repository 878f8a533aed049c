"""Property-based tests: mutated real annotation files never crash the validator.

Hypothesis mutates the real annotation files of the corpus — deleting,
duplicating and retyping keys, shifting offsets, inserting hostile Unicode,
truncating at a random byte — and checks the two promises of docs/validation.md: the
validator always ends with a list of diagnostics (never an exception), and
every diagnostic names a file and a line that exists in that file.  Examples
are bounded so the suite stays fast.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from milcontacts.validate import validate_corpus

REPO = Path(__file__).resolve().parent.parent
DOCS = sorted(p for p in (REPO / "annotations").glob("*.yaml") if p.name not in {"kb.yaml", "allowlist.yaml"})

HOSTILE = [
    "\u0301", "\u0308",            # combining marks
    "\u00a0", "\u202f",            # no-break spaces
    "\u200f", "\u202e", "\u2067",  # RTL marks and overrides
    "\\ud800", "\\udfff",          # lone surrogates, escaped as YAML allows in "..."
    "\ufeff", "\x00", "\x1b", "\u2028",
    "\t", "\r", "\r\n", "\n", "'", '"', ":", "- ", "{", "}", "[", "]", "&a", "*a", "!!python/object:os.system",
    "\U0001f600", "…", "«", "»",
]

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check_run(doc: Path, mutated: bytes) -> None:
    """Validate a corpus root holding ``mutated`` as the annotation of ``doc``."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "annotations").mkdir()
        (root / "corpus").mkdir()
        shutil.copy(REPO / "annotations" / "kb.yaml", root / "annotations" / "kb.yaml")
        shutil.copy(REPO / "corpus" / f"{doc.stem}.txt", root / "corpus" / f"{doc.stem}.txt")
        target = root / "annotations" / doc.name
        target.write_bytes(mutated)
        (root / "splits.yaml").write_text(f"splits:\n  train: [{doc.stem}]\n", encoding="utf-8")
        report = validate_corpus(root, cache_dir=root / "cache")  # the cache path too
        for d in report.diagnostics:
            path = root / d.file
            assert path.is_file(), d
            lines = path.read_bytes().count(b"\n") + 1
            assert 1 <= d.line <= lines, (d, lines)
            assert d.column >= 1
            d.message.encode("utf-8")  # printable
        assert target.read_bytes() == mutated, "the validator must never change data"


doc_st = st.sampled_from(DOCS)


@pytest.mark.skipif(not DOCS, reason="no annotation files")
@SETTINGS
@given(doc=doc_st, data=st.data())
def test_line_edits(doc, data):
    """Delete, duplicate or swap whole lines (keys removed, duplicated, moved)."""
    lines = doc.read_bytes().split(b"\n")
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["delete", "duplicate", "swap"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        else:
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        if not lines:
            lines = [b""]
    check_run(doc, b"\n".join(lines))


NUMBER = re.compile(rb"(start|end): (\d+)")


@pytest.mark.skipif(not DOCS, reason="no annotation files")
@SETTINGS
@given(doc=doc_st, data=st.data())
def test_offset_shifts_and_type_changes(doc, data):
    """Shift offsets (also negative, huge) and replace values with other types."""
    raw = doc.read_bytes()
    spots = list(NUMBER.finditer(raw))
    for _ in range(data.draw(st.integers(1, 5))):
        m = data.draw(st.sampled_from(spots))
        new = data.draw(st.one_of(
            st.integers(-5, 10**6).map(lambda n: str(n).encode()),
            st.just(b"99999999999999999999999999"),
            st.sampled_from([b"null", b"true", b"1.5", b'"12"', b"[]", b"{}", b"~", b"0x1F", b"1e3"]),
        ))
        raw = raw[:m.start(2)] + new + raw[m.end(2):]
        spots = list(NUMBER.finditer(raw)) or spots
        if not spots:
            break
    check_run(doc, raw)


@pytest.mark.skipif(not DOCS, reason="no annotation files")
@SETTINGS
@given(doc=doc_st, data=st.data())
def test_hostile_unicode_insertions(doc, data):
    """Insert combining marks, NBSP, RTL marks, escaped surrogates, control characters."""
    text = doc.read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(1, 6))):
        pos = data.draw(st.integers(0, len(text)))
        piece = data.draw(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=3)))
        text = text[:pos] + piece + text[pos:]
    check_run(doc, text.encode("utf-8", "surrogatepass"))


@pytest.mark.skipif(not DOCS, reason="no annotation files")
@SETTINGS
@given(doc=doc_st, data=st.data())
def test_truncation_and_byte_noise(doc, data):
    """Truncate at a random byte (mid-character too) and flip a few bytes."""
    raw = bytearray(doc.read_bytes())
    raw = raw[: data.draw(st.integers(0, len(raw)))]
    for _ in range(data.draw(st.integers(0, 3))):
        if raw:
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    check_run(doc, bytes(raw))

"""``milcontacts validate FILE...`` (what pre-commit passes) and the cached check of kb.yaml."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from milcontacts.cli import main


@pytest.fixture
def two_docs(valid_root: Path) -> Path:
    """valid_root with a second, broken document (its text is missing)."""
    (valid_root / "annotations" / "broken.yaml").write_bytes(
        (valid_root / "annotations" / "sample-doc.yaml").read_bytes())
    return valid_root


def test_only_the_given_files_are_checked(two_docs: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["validate", str(two_docs), "--no-cache"]) == 1  # the whole corpus: broken.yaml fails
    capsys.readouterr()
    monkeypatch.chdir(two_docs)
    # as pre-commit runs it: only file names, from the repository root
    assert main(["validate", "annotations/sample-doc.yaml", "--no-cache"]) == 0
    assert "broken" not in capsys.readouterr().out
    # a changed text stands for its annotation file
    assert main(["validate", "corpus/sample-doc.txt"]) == 0
    assert main(["validate", ".", "annotations/broken.yaml", "--no-cache"]) == 1
    assert "annotations/broken.yaml" in capsys.readouterr().out


def test_kb_or_splits_changes_check_everything(two_docs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(two_docs)
    assert main(["validate", "annotations/kb.yaml", "--no-cache"]) == 1
    assert main(["validate", "splits.yaml", "annotations/sample-doc.yaml", "--no-cache"]) == 1


def test_cached_kb_check_follows_kb_yaml(valid_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = valid_root / "cache"
    doc = str(valid_root / "annotations" / "sample-doc.yaml")
    assert main(["validate", str(valid_root), doc, "--cache-dir", str(cache)]) == 0
    assert main(["validate", str(valid_root), doc, "--cache-dir", str(cache)]) == 0  # from the cache
    kb = valid_root / "annotations" / "kb.yaml"
    kb.write_text("entities: not a list\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", str(valid_root), doc, "--cache-dir", str(cache)]) == 1  # a new kb.yaml: a new key
    assert "S002" in capsys.readouterr().out
    for entry in (cache / "diagnostics").rglob("*.json"):  # corrupt entries are ignored
        os.truncate(entry, 10)
    assert main(["validate", str(valid_root), doc, "--cache-dir", str(cache)]) == 1

"""The corpus layer: each file parsed once, the model built from the validated data."""

from __future__ import annotations

from pathlib import Path

import pytest

from milcontacts import io as yio
from milcontacts.corpus import (InvalidCorpus, document_ids, is_doc_id, load_document, load_splits, read_splits,
                                symlinks)


def test_load_document_parses_the_file_once(valid_root, monkeypatch):
    calls: list[str] = []
    real = yio.load_yaml_bytes

    def counting(raw, display, *a, **kw):
        calls.append(display)
        return real(raw, display, *a, **kw)

    monkeypatch.setattr(yio, "load_yaml_bytes", counting)
    doc = load_document(valid_root, "sample-doc")
    assert [c for c in calls if c.endswith("sample-doc.yaml")] == ["annotations/sample-doc.yaml"]
    assert doc.id == "sample-doc" and doc.text.startswith("Rechercher")
    assert [m.text for m, _ in doc.name_mentions()][:2] == ["Bakou", "Joe Dunford"]


def test_load_document_refuses_an_invalid_file_with_its_line(valid_root):
    path = valid_root / "annotations" / "sample-doc.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("start: 129, end: 138", "start: 130, end: 139"),
                    encoding="utf-8")
    with pytest.raises(InvalidCorpus, match=r"annotations/sample-doc.yaml:\d+:\d+: error T009"):
        load_document(valid_root, "sample-doc")


def test_the_model_module_neither_reads_files_nor_calls_the_validator():
    import ast

    source = (Path(__file__).resolve().parent.parent / "src" / "milcontacts" / "corpus" / "document.py").read_text(
        encoding="utf-8")
    tree = ast.parse(source)
    imported = {(n.module or "") for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert imported <= {"__future__", "dataclasses", "pathlib", "typing"}, imported
    assert not any(isinstance(n, ast.Name) and n.id == "open" for n in ast.walk(tree))


@pytest.mark.parametrize("value, ok", [("sample-doc", True), ("sample-doc\n", False), ("ab", False),
                                       ("../x-doc", False), ("Sample-doc", False), (5, False)])
def test_document_ids_are_matched_in_full(value, ok):
    assert is_doc_id(value) is ok


def test_splits_are_read_in_file_order_with_lines(valid_root):
    (valid_root / "splits.yaml").write_text("splits:\n  test: [sample-doc]\n  train: []\n", encoding="utf-8")
    assert load_splits(valid_root) == {"test": ["sample-doc"], "train": []}
    (valid_root / "splits.yaml").write_text("splits:\n  test: []\n", encoding="utf-8")
    result = read_splits(valid_root)
    assert [d.code for d in result.diagnostics] == ["C002"]
    with pytest.raises(InvalidCorpus, match="C002"):
        load_splits(valid_root)
    assert document_ids(valid_root) == ["sample-doc"]


def test_symlinks_are_listed_not_followed(valid_root, tmp_path):
    (tmp_path / "loop").mkdir()
    (valid_root / "corpus" / "sub").mkdir()
    (valid_root / "corpus" / "sub" / "link").symlink_to(tmp_path / "loop")
    (valid_root / "annotations" / "x.yaml").symlink_to("/etc/hostname")
    assert symlinks(valid_root) == ["annotations/x.yaml", "corpus/sub/link"]

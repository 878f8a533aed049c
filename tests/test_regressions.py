"""One test per defect fixed in the core redesign: each failed before its fix."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
import yaml

from milcontacts.cli import main
from milcontacts.validate import validate_corpus

DATA = Path(__file__).resolve().parent / "data"
MINI = DATA / "mini_corpus"
ANN = "annotations/sample-doc.yaml"


def mini_copy(tmp_path: Path) -> Path:
    root = tmp_path / "corpus-root"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


# --------------------------------------------------------------------------
# validate is the gate
# --------------------------------------------------------------------------

def test_splits_with_a_number_is_a_diagnostic_everywhere_not_a_traceback(valid_root, capsys):
    (valid_root / "splits.yaml").write_text("splits:\n  train: 5\n", encoding="utf-8")
    assert main(["validate", str(valid_root), "--no-cache"]) == 1
    out = capsys.readouterr().out
    assert "splits.yaml:2:10: error C001: splits/train: 5 is not of type 'array', 'null'" in out, out
    assert main(["build", str(valid_root), "--out", str(valid_root.parent / "o")]) == 1
    assert "C001" in capsys.readouterr().err
    for verb in (["stats", str(valid_root)], ["evaluate", str(valid_root / "none.jsonl"), str(valid_root)]):
        main(verb)
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err and "internal error" not in captured.err, captured.err


def test_document_missing_from_splits_fails_validate_with_its_line(valid_root, capsys):
    (valid_root / "splits.yaml").write_text("splits:\n  train: []\n  test: [sample-doc, ghost-doc]\n",
                                            encoding="utf-8")
    assert main(["validate", str(valid_root), "--no-cache"]) == 1
    out = capsys.readouterr().out
    assert "splits.yaml:3:22: error C004: 'ghost-doc' is in splits.yaml but has no annotation file" in out, out


# --------------------------------------------------------------------------
# links: refused by validate, never followed by build
# --------------------------------------------------------------------------

def test_linked_annotation_is_refused_and_never_read(valid_root, tmp_path):
    secret = tmp_path / "secret.yaml"
    shutil.move(valid_root / ANN, secret)
    os.symlink(secret, valid_root / ANN)
    report = validate_corpus(valid_root)
    assert [(d.file, d.code) for d in report.diagnostics] == [(ANN, "C006"), (ANN, "C006")]


def test_linked_folder_is_refused(valid_root, tmp_path):
    outside = tmp_path / "elsewhere"
    shutil.move(valid_root / "corpus", outside)
    os.symlink(outside, valid_root / "corpus")
    assert "C006" in {d.code for d in validate_corpus(valid_root).diagnostics}


def test_build_never_publishes_a_linked_file(tmp_path, capsys):
    root = mini_copy(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("machine secret\n", encoding="utf-8")
    text = next(iter(sorted((root / "corpus").glob("*.txt"))))
    text.unlink()
    os.symlink(secret, text)
    out = tmp_path / "out"
    assert main(["build", str(root), "--out", str(out)]) == 1
    assert "C006" in capsys.readouterr().err
    assert not out.exists()
    assert not any("machine secret" in p.read_text(errors="replace")
                   for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink() and p != secret)


def test_build_copy_refuses_a_link_even_after_validation(tmp_path):
    from milcontacts.build.errors import BuildError
    from milcontacts.build.publish import copy_sources
    from milcontacts.build.script import script_path
    from milcontacts.model import load_splits

    root = mini_copy(tmp_path)
    splits = load_splits(root)
    doc = splits[next(iter(splits))][0]
    secret = tmp_path / "secret.txt"
    secret.write_text("machine secret\n", encoding="utf-8")
    (root / "corpus" / f"{doc}.txt").unlink()
    os.symlink(secret, root / "corpus" / f"{doc}.txt")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(BuildError):
        copy_sources(root, out, script_path(), splits)
    assert not (out / "data" / "corpus" / f"{doc}.txt").exists()


# --------------------------------------------------------------------------
# the defects listed in the issue
# --------------------------------------------------------------------------

def test_text_mismatch_hint_is_fast_on_a_large_text(valid_root):
    """1,000 mismatched spans against a 1 MB text: seconds, not a minute."""
    from milcontacts.validate.document import _check_spans

    raw = "Bakou " * 170_000  # ~1 MB, "Bakou" occurs 170,000 times
    spans = [(("entities", 0, "mentions", i), {"start": 6 * i + 1, "end": 6 * i + 6, "text": "Bakou"})
             for i in range(1000)]
    t0 = time.perf_counter()
    diags = _check_spans(raw, spans, ANN, lambda p: (1, 1))
    assert time.perf_counter() - t0 < 2.0
    assert len(diags) == 1000
    assert "occurs at [0, 5)" in diags[0].message and "occurs at [6, 11)" in diags[1].message


def test_nearest_occurrence_is_the_closest_first_on_a_tie():
    from milcontacts.spans import nearest, occurrences

    raw = "ab ab ab ab"
    for start in range(len(raw) + 1):
        hits = occurrences(raw, "ab")
        expected = min(hits, key=lambda p: abs(p - start))
        assert nearest(raw, "ab", start) == expected, start
    assert nearest(raw, "zz", 3) is None


@pytest.mark.parametrize("bad", ["abc-doc\n", "sample-doc\n"])
def test_document_id_with_a_final_newline_is_refused(valid_root, tmp_path, bad):
    from milcontacts.corpus.layout import is_doc_id

    assert not is_doc_id(bad)
    src = tmp_path / "in.txt"
    src.write_text("Texte.\n", encoding="utf-8")
    assert main(["new", str(src), "--id", bad, str(valid_root)]) == 2
    assert not any("\n" in p.name for p in valid_root.rglob("*"))


@pytest.mark.parametrize("value", ["true\n", "null\n", "x\n", "no\n", "12\n"])
def test_dump_yaml_strings_read_back_as_strings(value):
    from milcontacts.io import dump_yaml

    assert yaml.safe_load(dump_yaml({"a": value})) == {"a": value}


def test_schema_step_never_accepts_what_the_rust_validator_rejects(monkeypatch):
    from milcontacts import schema

    class Rejecting:
        def is_valid(self, instance):
            return False

        def iter_errors(self, instance):
            raise ValueError("no details")

    class Accepting:
        def iter_errors(self, instance):
            return iter(())

    monkeypatch.setattr(schema, "_fast", lambda name: Rejecting())
    monkeypatch.setattr(schema, "_slow", lambda name: Accepting())
    errors = schema.errors({"anything": 1})
    assert errors and "rejected by the schema" in errors[0].message


def test_fix_offsets_reports_a_non_utf8_text(valid_root, capsys):
    (valid_root / "corpus" / "sample-doc.txt").write_bytes(b"caf\xe9\n")
    assert main(["fix-offsets", str(valid_root / ANN)]) == 1
    out = capsys.readouterr()
    assert "corpus/sample-doc.txt:1:4: error Y006" in out.out + out.err
    assert "internal error" not in out.err


def test_build_reports_a_loading_script_error_as_a_diagnostic(tmp_path, capsys, monkeypatch):
    from milcontacts.build import pipeline

    real = pipeline.load_script

    def failing_script(path=None):
        module = real(path)

        def refuse(data, text, display, split, yaml_source=None):
            raise module.CorpusError(display, 3, 5, "B003", "the script refuses this document")

        module.document_from_data = refuse
        return module

    monkeypatch.setattr(pipeline, "load_script", failing_script)
    out = tmp_path / "out"
    # no cache: a stored output of the same inputs would be copied without running the script
    assert main(["build", str(MINI), "--out", str(out), "--no-cache"]) == 1
    err = capsys.readouterr().err
    assert ":3:5: error B003: the script refuses this document" in err, err
    assert "Traceback" not in err and not out.exists()


def test_agreement_root_checks_spans_against_the_raw_texts(valid_root, tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    shutil.copyfile(valid_root / ANN, a / "sample-doc.yaml")
    text = (valid_root / ANN).read_text(encoding="utf-8")
    (b / "sample-doc.yaml").write_text(text.replace("{start: 64, end: 75,", "{start: 65, end: 76,"),
                                       encoding="utf-8")
    assert main(["agreement", str(a), str(b), "--root", str(valid_root)]) == 1
    err = capsys.readouterr().err
    assert "error T009: text 'Joe Dunford' does not match raw[65:76]" in err and "corpus/sample-doc.txt" in err, err
    assert main(["agreement", str(a), str(a), "--root", str(valid_root)]) == 0


def test_unexpected_exception_is_one_line_and_exit_1(valid_root, monkeypatch, capsys):
    from milcontacts import stats

    def boom(args):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(stats, "run", boom)
    assert main(["stats", str(valid_root)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error (RuntimeError: boom)" in err and "Traceback" not in err
    assert main(["--debug", "stats", str(valid_root)]) == 1
    assert "Traceback" in capsys.readouterr().err

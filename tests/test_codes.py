"""Every code of the catalogue has a fixture that triggers it (docs/validation.md lists them).

A case is a small file of tests/data/validate/ named for what it shows; it
replaces one file of a copy of tests/data/valid_root: ``corpus_*.txt`` the raw
text, ``kb_*.yaml`` annotations/kb.yaml, ``splits_*.yaml`` splits.yaml, any
other ``*.yaml`` the annotation.  A few cases need a change no single file can
show (a missing file, a link, a limit); they are functions below.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable

import pytest

from milcontacts import checks
from milcontacts.limits import Limits
from milcontacts.validate import validate_corpus

CASES = Path(__file__).resolve().parent / "data" / "validate"
ANN = "annotations/sample-doc.yaml"


def use_case(root: Path, case: str) -> None:
    if case.startswith("corpus_"):
        target = "corpus/sample-doc.txt"
    elif case.startswith("kb_"):
        target = "annotations/kb.yaml"
    elif case.startswith("splits_"):
        target = "splits.yaml"
    else:
        target = ANN
    shutil.copyfile(CASES / case, root / target)


def missing_text(root: Path) -> None:
    (root / "corpus" / "sample-doc.txt").unlink()


def linked_text(root: Path) -> None:
    outside = root.parent / "secret.txt"
    shutil.move(root / "corpus" / "sample-doc.txt", outside)
    os.symlink(outside, root / "corpus" / "sample-doc.txt")


def story_across_splits(root: Path) -> None:
    other = (root / ANN).read_text(encoding="utf-8").replace("id: sample-doc", "id: sample-two")
    (root / "annotations" / "sample-two.yaml").write_text(other, encoding="utf-8")
    shutil.copyfile(root / "corpus" / "sample-doc.txt", root / "corpus" / "sample-two.txt")
    (root / "splits.yaml").write_text("splits:\n  train: [sample-doc]\n  test: [sample-two]\n", encoding="utf-8")


def over_size_limit(root: Path) -> None:
    with open(root / ANN, "a", encoding="utf-8") as fh:
        fh.write("# " + "x" * 5_000_000 + "\n")


def non_utf8_annotation(root: Path) -> None:
    shutil.copyfile(CASES / "not_utf8.yaml", root / ANN)


# code -> a fixture file of tests/data/validate/, or a function changing the root; and Limits if any
CASES_BY_CODE: dict[str, tuple[str | Callable[[Path], None], Limits | None]] = {
    "Y001": ("malformed_yaml.yaml", None),
    "Y002": ("duplicate_key.yaml", None),
    "Y003": ("unsafe_tag.yaml", None),
    "Y004": ("alias_bomb.yaml", None),
    "Y005": (over_size_limit, None),
    "Y006": (non_utf8_annotation, None),
    "Y007": ("bom.yaml", None),
    "Y008": ("deep_nesting.yaml", None),
    "Y009": ("name_left_bare.yaml", Limits(max_spans=5)),
    "S001": ("schema_bad_enum.yaml", None),
    "S002": ("kb_schema_violation.yaml", None),
    "T001": (missing_text, None),
    "T002": ("corpus_not_utf8.txt", None),
    "T003": ("corpus_bom.txt", None),
    "T004": ("corpus_crlf.txt", None),
    "T005": ("corpus_nfd.txt", None),
    "T006": ("corpus_changed.txt", None),
    "T007": ("offset_out_of_range.yaml", None),
    "T008": ("offset_reversed.yaml", None),
    "T009": ("offset_text_mismatch.yaml", None),
    "T010": ("zones_gap.yaml", None),
    "T011": ("zones_overlap.yaml", None),
    "T012": ("overlapping_names.yaml", None),
    "R001": ("duplicate_id.yaml", None),
    "R002": ("dangling_ref.yaml", None),
    "R003": ("dangling_kb.yaml", None),
    "R004": ("nested_in_cycle.yaml", None),
    "R005": ("document_id_mismatch.yaml", None),
    "R006": ("doc_id_path_traversal.yaml", None),
    "R007": ("kb_duplicate_id.yaml", None),
    "R008": ("type_differs_from_kb.yaml", None),
    "R009": ("argument_wrong_kind.yaml", None),
    "W001": ("name_left_bare.yaml", None),
    "W002": ("same_name_two_types.yaml", None),
    "W003": ("name_cuts_a_word.yaml", None),
    "W004": ("checked_with_one_pass.yaml", None),
    "C007": ("kb_unused_entry.yaml", None),
    "G001": ("nested_attribution_outside_parent.yaml", None),
    "G002": ("part_of_day_unknown_suffix.yaml", None),
    "G003": ("trigger_longer_than_one_word.yaml", None),
    "C001": ("splits_bad_shape.yaml", None),
    "C002": ("splits_missing_document.yaml", None),
    "C003": ("splits_document_twice.yaml", None),
    "C004": ("splits_unknown_document.yaml", None),
    "C005": (story_across_splits, None),
    "C006": (linked_text, None),
}


def test_every_validator_code_has_a_case():
    # B001-B003 are the build's, shown by tests/test_build.py; N and I codes are new's and
    # import's, shown by VERB_CASES below
    assert set(CASES_BY_CODE) == {c for c in checks.CHECKS if c[0] not in "BNI"}


@pytest.mark.parametrize("code", sorted(CASES_BY_CODE))
def test_case_triggers_its_code(valid_root, code):
    case, limits = CASES_BY_CODE[code]
    if callable(case):
        case(valid_root)
    else:
        use_case(valid_root, case)
    report = validate_corpus(valid_root, **({"limits": limits} if limits else {}))
    found = [d for d in report.diagnostics if d.code == code]
    assert found, [(d.code, d.message) for d in report.diagnostics]
    assert all(d.severity == checks.CHECKS[code].severity for d in found)
    assert not any(Path(d.file).is_absolute() for d in report.diagnostics), report.diagnostics
    for d in found:  # every diagnostic points at a line of an existing file (T001: the missing one)
        path = valid_root / d.file
        if code == "T001":
            continue
        assert path.is_file() or path.is_symlink(), d
        if path.is_file() and not path.is_symlink():
            assert 1 <= d.line <= path.read_bytes().count(b"\n") + 1, d


@pytest.mark.parametrize("case, needle", [
    ("kb_entry_without_name.yaml", "the entry has no name"),
    ("kb_aliases_not_a_list.yaml", "a string, not a list"),
])
def test_bad_kb_entry_is_reported_at_its_line_and_stops_the_build(valid_root, tmp_path, case, needle):
    """A kb entry without a name, or with aliases that are not a list: S002 with
    file and line from validate, and build refuses before writing anything."""
    from milcontacts.cli import main

    use_case(valid_root, case)
    found = [d for d in validate_corpus(valid_root).diagnostics if d.code == "S002"]
    assert found and {d.file for d in found} == {"annotations/kb.yaml"}
    lines = (valid_root / "annotations" / "kb.yaml").read_text(encoding="utf-8").splitlines()
    assert any(needle in lines[d.line - 1] or "pentagone" in lines[d.line - 1] for d in found), found
    assert main(["build", str(valid_root), "--out", str(tmp_path / "hf")]) == 1
    assert not (tmp_path / "hf").exists()


# --------------------------------------------------------------------------
# Levels 8 and 9: the codes of `milcontacts new` and `milcontacts import`, each shown by running
# the verb with --format json on a fixture of tests/data/new/ or tests/data/interop/.
# --------------------------------------------------------------------------

DATA = Path(__file__).resolve().parent / "data"
NEW = DATA / "new"
INTEROP = DATA / "interop"


def new_of(name: str, doc_id: str = "doc-new") -> Callable[[Path], list[str]]:
    return lambda root: ["new", str(NEW / name), "--id", doc_id, str(root)]


def import_brat(*paths: Path) -> Callable[[Path], list[str]]:
    return lambda root: ["import", "--from", "brat", *map(str, paths), "--root", str(root)]


def import_nothing(root: Path) -> list[str]:
    (root / "nothing-here").mkdir()
    return ["import", "--from", "brat", str(root / "nothing-here"), "--root", str(root)]


def import_into_a_list(root: Path) -> list[str]:
    shutil.copyfile(INTEROP / "import_cases" / "not_a_mapping.yaml", root / ANN)
    return import_brat(INTEROP / "brat_edit" / "sample-doc.ann")(root)


VERB_CASES: dict[str, Callable[[Path], list[str]]] = {
    "N001": new_of("bom.txt"),
    "N002": new_of("crlf.txt"),
    "N003": new_of("lone_cr.txt"),
    "N004": new_of("nfd.txt"),
    "N005": new_of("clean.txt", "sample-doc"),
    "I001": import_brat(INTEROP / "brat_bad" / "malformed_line"),
    "I002": import_brat(INTEROP / "import_cases" / "2099-01-01-not-in-corpus.ann"),
    "I003": import_brat(INTEROP / "brat_edit", INTEROP / "brat_bad" / "unknown_type"),
    "I004": import_nothing,
    "I005": import_into_a_list,
}


def test_every_verb_code_has_a_case():
    assert set(VERB_CASES) == {c for c in checks.CHECKS if c[0] in "NI"}


@pytest.mark.parametrize("code", sorted(VERB_CASES))
def test_verb_case_reports_its_code_in_json(valid_root, capsys, code):
    import json

    from milcontacts.cli import main

    before = sorted(p.relative_to(valid_root) for p in valid_root.rglob("*") if p.name != "nothing-here")
    argv = VERB_CASES[code](valid_root) + ["--format", "json"]
    assert main(argv) == 1
    report = json.loads(capsys.readouterr().out)
    found = [d for d in report["diagnostics"] if d["code"] == code]
    assert found, report
    for d in found:
        assert d["severity"] == checks.CHECKS[code].severity and d["line"] >= 1 and d["column"] >= 1
        path = Path(d["file"])
        if path.is_file():  # I002 and I004 name what is missing
            assert d["line"] <= path.read_bytes().count(b"\n") + 1, d
    assert report["files"] >= 1
    # nothing was written (import_into_a_list's copy is the case itself)
    after = sorted(p.relative_to(valid_root) for p in valid_root.rglob("*") if p.name != "nothing-here")
    assert after == before

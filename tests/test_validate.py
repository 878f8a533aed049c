"""The validator: every bad input gets its code, its file and its line, never a traceback.

Each case is a small file in tests/data/validate/ named for what it shows; it
replaces the annotation (``*.yaml``) or the raw text (``corpus_*.txt``) of a
copy of tests/data/valid_root.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from milcontacts.cli import main
from milcontacts.validate import validate_corpus

CASES = Path(__file__).resolve().parent / "data" / "validate"
ANN = "annotations/sample-doc.yaml"
TXT = "corpus/sample-doc.txt"


def use_case(root: Path, case: str) -> None:
    target = root / (TXT if case.endswith(".txt") else ANN)
    shutil.copyfile(CASES / case, target)


def diags(root: Path, **kw):
    return validate_corpus(root, **kw).diagnostics


def codes(root: Path) -> set[str]:
    return {d.code for d in diags(root)}


def only(root: Path, code: str):
    found = [d for d in diags(root) if d.code == code]
    assert found, f"expected {code}, got {[(d.code, d.message) for d in diags(root)]}"
    return found


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    seen = 0
    for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return n
    raise AssertionError(needle)


def test_valid_corpus_has_no_diagnostics(valid_root):
    assert diags(valid_root) == []


def test_real_corpus_validates_without_errors(repo):
    report = validate_corpus(repo)
    assert report.errors == 0, [f"{d.file}:{d.line} {d.code} {d.message}" for d in report.diagnostics]


@pytest.mark.parametrize("case, code, needle", [
    ("malformed_yaml.yaml", "Y001", None),
    ("duplicate_key.yaml", "Y002", "language: en"),
    ("unsafe_tag.yaml", "Y003", "source_file: !!python"),
    ("offset_out_of_range.yaml", "T007", "start: 929"),
    ("offset_reversed.yaml", "T008", "start: 138, end: 129"),
    ("offset_text_mismatch.yaml", "T009", "start: 130, end: 139"),
    ("overlapping_names.yaml", "T012", "start: 95, end: 104"),
    ("duplicate_id.yaml", "R001", "  - id: e3#2"),
    ("dangling_ref.yaml", "R002", "ref: e9"),
    ("dangling_kb.yaml", "R003", "pentagon-typo"),
    ("dangling_nested_in.yaml", "R002", "nested_in: a7"),
    ("doc_id_path_traversal.yaml", "R006", "../../etc/passwd"),
    ("schema_bad_enum.yaml", "S001", "type: ORGANISATION"),
])
def test_bad_annotation_is_reported_at_its_line(valid_root, case, code, needle):
    use_case(valid_root, case)
    found = only(valid_root, code)
    assert all(d.file == ANN for d in found)
    if needle is not None:
        text, _, nth = needle.partition("#")
        assert found[0].line == line_of(CASES / case, text, int(nth or 1)), found[0]


def test_malformed_yaml_points_near_the_broken_quote(valid_root):
    use_case(valid_root, "malformed_yaml.yaml")
    (d,) = only(valid_root, "Y001")
    # libyaml reports the end of the unterminated scalar: at or after the broken line
    assert d.line >= line_of(CASES / "malformed_yaml.yaml", "title:")


def test_unsafe_tag_is_never_executed(valid_root, tmp_path):
    use_case(valid_root, "unsafe_tag.yaml")
    assert "Y003" in codes(valid_root)
    # the same tag with a payload whose effect can be seen: it must not happen
    marker = tmp_path / "payload-ran"
    text = (CASES / "unsafe_tag.yaml").read_text(encoding="utf-8")
    payload = f'!!python/object/apply:os.mkdir ["{marker}"]'
    (valid_root / ANN).write_text(text.replace('!!python/object/apply:os.system ["echo pwned"]', payload),
                                  encoding="utf-8")
    assert payload in (valid_root / ANN).read_text(encoding="utf-8")
    assert "Y003" in codes(valid_root)
    assert main(["validate", str(valid_root), "--no-cache", "--jobs", "2"]) == 1
    assert not marker.exists()


def test_several_errors_are_reported_together(valid_root):
    use_case(valid_root, "several_errors.yaml")
    assert {"T009", "R002", "S001"} <= codes(valid_root)


def test_text_mismatch_suggests_where_the_text_is(valid_root):
    use_case(valid_root, "offset_text_mismatch.yaml")
    (d,) = only(valid_root, "T009")
    assert "occurs at [129, 138)" in d.message


def test_alias_bomb_is_refused_quickly(valid_root):
    use_case(valid_root, "alias_bomb.yaml")
    t0 = time.perf_counter()
    found = only(valid_root, "Y004")
    assert time.perf_counter() - t0 < 1.0
    assert found[0].file == ANN


def test_deep_nesting_is_refused_without_crashing(valid_root):
    use_case(valid_root, "deep_nesting.yaml")
    t0 = time.perf_counter()
    assert only(valid_root, "Y008")
    assert time.perf_counter() - t0 < 1.0


def test_too_many_spans_is_refused(valid_root):
    from milcontacts.limits import Limits

    report = validate_corpus(valid_root, limits=Limits(max_spans=5))
    (d,) = [d for d in report.diagnostics if d.code == "Y009"]
    assert d.file == ANN and "over the limit of 5" in d.message


def test_huge_file_is_refused_by_size_before_parsing(valid_root):
    big = valid_root / ANN
    with open(big, "wb") as fh:  # a sparse 50 MB file: nothing is actually written
        fh.truncate(50 * 1024 * 1024)
    t0 = time.perf_counter()
    (d,) = only(valid_root, "Y005")
    assert time.perf_counter() - t0 < 1.0
    assert "52,428,800 bytes" in d.message


@pytest.mark.parametrize("case, code", [("not_utf8.yaml", "Y006"), ("bom.yaml", "Y007")])
def test_annotation_encoding(valid_root, case, code):
    use_case(valid_root, case)
    (d,) = only(valid_root, code)
    assert d.file == ANN
    if code == "Y006":
        assert d.line == line_of(CASES / case, "title:") and "0xe9" in d.message


@pytest.mark.parametrize("case, code, line", [
    ("corpus_not_utf8.txt", "T002", 5),
    ("corpus_bom.txt", "T003", 1),
    ("corpus_crlf.txt", "T004", 1),
    ("corpus_nfd.txt", "T005", 5),
    ("corpus_changed.txt", "T006", None),
])
def test_raw_text_problems(valid_root, case, code, line):
    before = (CASES / case).read_bytes()
    use_case(valid_root, case)
    (d,) = only(valid_root, code)
    if line is not None:
        assert (d.file, d.line) == (TXT, line)
    else:
        assert d.file == ANN and d.line == line_of(valid_root / ANN, "text_sha256")
    assert (valid_root / TXT).read_bytes() == before, "the validator must never change data"


def test_missing_raw_text(valid_root):
    (valid_root / TXT).unlink()
    (d,) = only(valid_root, "T001")
    assert d.file == TXT


def test_name_left_bare_is_a_warning(valid_root):
    use_case(valid_root, "name_left_bare.yaml")
    (d,) = only(valid_root, "W001")
    assert d.severity == "warning"
    assert validate_corpus(valid_root).errors == 0


def test_allowlist_silences_a_listed_warning_only(valid_root):
    use_case(valid_root, "name_left_bare.yaml")
    (d,) = only(valid_root, "W001")
    (valid_root / "annotations" / "allowlist.yaml").write_text(
        f"allow:\n  - {{doc: sample-doc, code: W001, subject: \"{d.subject}\", reason: test}}\n", encoding="utf-8")
    report = validate_corpus(valid_root)
    assert report.diagnostics == [] and report.allowlisted == 1


# --------------------------------------------------------------------------
# The command line contract (README.md, docs/validation.md)
# --------------------------------------------------------------------------

def test_cli_exit_codes_and_text_format(valid_root, capsys):
    assert main(["validate", str(valid_root)]) == 0
    use_case(valid_root, "dangling_ref.yaml")
    assert main(["validate", str(valid_root)]) == 1
    out = capsys.readouterr().out
    line = line_of(CASES / "dangling_ref.yaml", "ref: e9")
    assert f"{ANN}:{line}:" in out and "error R002:" in out


def test_cli_json_format(valid_root, capsys):
    use_case(valid_root, "dangling_ref.yaml")
    assert main(["validate", str(valid_root), "--format", "json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["files"] == 2
    (d,) = payload["diagnostics"]
    assert set(d) == {"file", "line", "column", "severity", "code", "message", "subject"}
    assert d["code"] == "R002" and d["line"] >= 1 and d["column"] >= 1


def test_cli_github_format(valid_root, capsys):
    use_case(valid_root, "dangling_ref.yaml")
    main(["validate", str(valid_root), "--format", "github"])
    out = capsys.readouterr().out
    assert out.startswith(f"::error file={ANN},line=")


def test_cli_usage_error_exits_2(tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["validate", "--format", "xml"])
    assert exc.value.code == 2
    assert main(["validate", str(tmp_path)]) == 2


def test_no_traceback_on_hostile_files_through_the_console_script(valid_root):
    use_case(valid_root, "alias_bomb.yaml")
    proc = subprocess.run([sys.executable, "-m", "milcontacts", "validate", str(valid_root)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout


def test_parallel_and_cached_runs_agree(valid_root, tmp_path, monkeypatch):
    use_case(valid_root, "several_errors.yaml")
    cold = diags(valid_root)
    cache = tmp_path / "cache"
    assert diags(valid_root, cache_dir=cache) == cold
    assert diags(valid_root, cache_dir=cache) == cold  # warm, from the cache
    # jobs=2 starts the pool only with two files or more: give it a second one, and watch it start
    second = (valid_root / ANN).read_text(encoding="utf-8").replace("id: sample-doc", "id: sample-two")
    (valid_root / "annotations" / "sample-two.yaml").write_text(second, encoding="utf-8")
    shutil.copyfile(valid_root / TXT, valid_root / "corpus" / "sample-two.txt")
    (valid_root / "splits.yaml").write_text("splits:\n  train: [sample-doc, sample-two]\n", encoding="utf-8")
    serial = diags(valid_root)
    assert {d.file for d in serial} == {ANN, "annotations/sample-two.yaml"}
    from concurrent.futures import ProcessPoolExecutor

    from milcontacts.validate import runner

    started = []

    class Spy(ProcessPoolExecutor):
        def __init__(self, *a, **kw):
            started.append(kw.get("max_workers"))
            super().__init__(*a, **kw)

    monkeypatch.setattr(runner, "ProcessPoolExecutor", Spy)
    assert diags(valid_root, jobs=2) == serial
    assert started == [2]


def test_corrupt_cache_entries_are_ignored(valid_root, tmp_path):
    cache = tmp_path / "cache"
    diags(valid_root, cache_dir=cache)
    packs = list(cache.rglob("*.pack"))
    assert packs
    for pack in packs:
        pack.write_text("{not json", encoding="utf-8")
    from milcontacts.validate import cache as cache_module

    cache_module.PROCESS_CACHES.clear()  # as a new process: only the files
    assert diags(valid_root, cache_dir=cache) == []


def test_schema_is_valid_2020_12():
    from jsonschema import Draft202012Validator

    from milcontacts import schema

    for name in ("annotation", "kb", "splits"):
        Draft202012Validator.check_schema(schema.load(name))


@pytest.mark.docs
def test_docs_validation_md_is_generated_from_the_code(repo):
    from milcontacts.checks import render_markdown

    assert (repo / "docs" / "validation.md").read_text(encoding="utf-8") == render_markdown()


@pytest.mark.parametrize("case, needle", [
    ("tag_bad_bool.yaml", "!!bool maybe"),
    ("tag_bad_timestamp.yaml", "!!timestamp abc"),
    ("tag_set_on_sequence.yaml", "!!set [1]"),
])
def test_explicit_tags_with_bad_values_are_reported_not_raised(valid_root, case, needle):
    use_case(valid_root, case)
    (d,) = only(valid_root, "Y001")
    assert d.line == line_of(CASES / case, needle)


# --- The mechanical rules of the guidelines (§8.1) ---------------------------

def test_nested_attribution_outside_its_parent_is_an_error(valid_root):
    use_case(valid_root, "nested_attribution_outside_parent.yaml")
    found = only(valid_root, "G001")
    assert {d.severity for d in found} == {"error"}
    # the cue and the content of a2 are both outside a1's content, each at its own line
    lines = sorted(d.line for d in found)
    path = valid_root / ANN
    assert lines == [line_of(path, 'text: "a dit"'), line_of(path, "{start: 160, end: 185")]


def test_part_of_day_suffix_outside_timex3_is_an_error(valid_root):
    use_case(valid_root, "part_of_day_unknown_suffix.yaml")
    (d,) = only(valid_root, "G002")
    assert d.severity == "error" and d.line == line_of(valid_root / ANN, "TNT")
    assert "TNT" in d.message


def test_part_of_day_word_decides_the_suffix():
    """"soir" is TEV: the error the 1.1 annotation made ("Jeudi soir" as TNI)."""
    from milcontacts.validate.guidelines import check_guidelines

    def value_problems(text: str, value: str) -> list[str]:
        data = {"timexes": [{"id": "t1", "start": 0, "end": len(text), "text": text, "type": "TIME", "value": value}]}
        return [d.code for d in check_guidelines(data, "f.yaml", lambda path: (1, 1))]

    assert value_problems("Jeudi soir", "2015-09-17TNI") == ["G002"]
    assert value_problems("Jeudi soir", "2015-09-17TEV") == []
    assert value_problems("mardi matin", "2015-09-29TMO") == []
    assert value_problems("cette nuit", "2015-09-29TEV") == ["G002"]
    assert value_problems("vendredi soir à 20h", "2015-09-18T20:00") == []  # a clock time says more
    assert value_problems("six heures", "PTXH") == []  # a duration, not a part of the day


def test_trigger_longer_than_one_word_is_a_warning(valid_root):
    use_case(valid_root, "trigger_longer_than_one_word.yaml")
    (d,) = only(valid_root, "G003")
    assert d.severity == "warning" and d.line == line_of(valid_root / ANN, "G003")
    assert "'rencontré'" in d.message


def test_trigger_head_skips_clitics_and_auxiliaries():
    from milcontacts.validate.guidelines import trigger_head

    assert trigger_head("s'est entretenu") == ("entretenu", 3)
    assert trigger_head("suspendu la coopération") == ("suspendu", 3)
    assert trigger_head("lignes de communications") == ("lignes", 3)  # on the closed multi-word list
    assert trigger_head("rendez-vous") == ("rendez-vous", 1)


@pytest.mark.docs
def test_single_word_heads_are_the_guidelines_list(repo):
    import re

    from milcontacts.validate.guidelines import SINGLE_WORD_HEADS

    text = (repo / "docs" / "guidelines.md").read_text(encoding="utf-8")
    block = re.search(r"```text\n\s*# single-word trigger heads[^\n]*\n(.*?)```", text, re.S)
    assert block, "docs/guidelines.md §5.1 has no single-word head list"
    listed = {w.strip() for w in block.group(1).splitlines() if w.strip() and not w.strip().startswith("#")}
    assert listed == set(SINGLE_WORD_HEADS)

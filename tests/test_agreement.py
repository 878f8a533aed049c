"""Agreement between two passes: hand-computed cases pin every figure."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from milcontacts.agreement import LabelAgreement, SpanAgreement, agreement, compare
from milcontacts.cli import main

SAMPLE = Path(__file__).resolve().parent / "data" / "valid_root" / "annotations" / "sample-doc.yaml"


def sample() -> dict:
    return yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


def test_identical_passes_agree_fully():
    res = compare(sample(), sample())
    assert all(v.f1 == 1.0 for v in res.spans.values())
    assert all(v.f1 == 1.0 for v in res.labelled.values())
    assert res.labels["timex_value"].observed == 1.0


def test_f1_is_symmetric_and_hand_computed():
    a, b = sample(), sample()
    # B drops one name mention (Bakou #2) and retypes Pentagone as GPE.
    b["entities"][2]["mentions"].pop()
    b["entities"][3]["type"] = "GPE"
    res = compare(a, b)
    names = res.spans["names"]
    assert (names.a, names.b, names.matched) == (6, 5, 5)
    assert names.f1 == pytest.approx(2 * 5 / 11)
    assert res.labelled["names"].matched == 4
    assert res.labelled["names"].f1 == pytest.approx(2 * 4 / 11)
    assert compare(b, a).spans["names"].f1 == names.f1


def test_kappa_matches_a_hand_computation():
    # 4 items: A = x x y y, B = x y y y -> po = 3/4, pe = (2/4*1/4) + (2/4*3/4) = 1/2, kappa = 0.5
    la = LabelAgreement([("x", "x"), ("x", "y"), ("y", "y"), ("y", "y")])
    assert la.observed == pytest.approx(0.75)
    assert la.kappa == pytest.approx(0.5)
    assert LabelAgreement([("x", "x"), ("x", "x")]).kappa is None  # undefined on one category


def test_timex_value_and_modality_disagreements_are_counted():
    a, b = sample(), sample()
    b["timexes"][0]["value"] = "2017-02-09"
    b["events"][0]["modality"] = "planned"
    res = compare(a, b)
    assert res.labels["timex_value"].observed == 0.0
    assert res.labels["event_modality"].observed == 0.0
    assert res.spans["event_triggers"].f1 == 1.0


def test_arguments_match_through_any_mention_of_the_entity():
    a, b = sample(), sample()
    # B refers to the same person through a new entity holding another mention of him.
    b["entities"].append({"id": "e9", "type": "PER", "kb": None,
                          "mentions": [dict(a["entities"][0]["mentions"][0], kind="NAM")]})
    b["events"][0]["arguments"][0]["ref"] = "e9"
    assert compare(a, b).spans["event_arguments"].f1 == 1.0
    b["events"][0]["arguments"][0]["role"] = "agent"
    assert compare(a, b).spans["event_arguments"].matched == 3


def test_cli_on_two_folders(tmp_path, capsys):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        shutil.copy(SAMPLE, tmp_path / name / "sample-doc.yaml")
    b = sample()
    b["attributions"].pop()
    (tmp_path / "b" / "sample-doc.yaml").write_text(yaml.safe_dump(b, allow_unicode=True), encoding="utf-8")
    assert main(["agreement", str(tmp_path / "a"), str(tmp_path / "b"), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    cues = out["overall"]["span_f1"]["attribution_cues"]
    assert (cues["a"], cues["b"], cues["matched"]) == (2, 1, 1)
    assert cues["f1"] == pytest.approx(2 / 3, abs=1e-4)


def test_cli_reports_unpaired_and_broken_files(tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(SAMPLE, tmp_path / "a" / "sample-doc.yaml")
    (tmp_path / "b" / "sample-doc.yaml").write_text("entities: [\n", encoding="utf-8")
    shutil.copy(SAMPLE, tmp_path / "a" / "only-here.yaml")
    assert main(["agreement", str(tmp_path / "a"), str(tmp_path / "b")]) == 1
    err = capsys.readouterr().err
    assert "only-here: only in" in err and "Y001" in err


def test_span_agreement_of_two_empty_passes_is_one():
    assert SpanAgreement().f1 == 1.0


def test_repository_passes_reproduce_the_datacard(repo):
    """The agreement table in DATACARD.md is what the command computes now."""
    a, b = repo / "annotations" / "passes" / "a", repo / "annotations" / "passes" / "b"
    from milcontacts.agreement import render_markdown

    total, _, problems = agreement(a, b)
    assert problems == []
    card = (repo / "DATACARD.md").read_text(encoding="utf-8")
    assert render_markdown(total, "milcontacts agreement annotations/passes/a annotations/passes/b") in card


def test_datacard_generated_sections_are_up_to_date(repo):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, str(repo / "scripts" / "update_datacard.py"), "--check"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr

"""CONTRIBUTING.md's path "annotate in brat or INCEpTION", walked end to end.

new --pre-annotate -> metadata and zones in the YAML -> export the draft to
brat -> annotate in brat (the .ann an annotator saves, written here line by
line) -> import -> validate.  Then the same document goes out to INCEpTION
and back unchanged.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from milcontacts.cli import main

from test_interop_brat import corpus_copy

DOC_ID = "2021-09-23-test-brat-milley-guerassimov"
TEXT = ("Milley et Guérassimov se sont rencontrés\n\n"
        "Le général Mark Milley a rencontré mercredi à Helsinki le général Valery Guérassimov, "
        "a indiqué le Pentagone.\n")


def at(needle: str, nth: int = 1) -> tuple[int, int]:
    pos = -1
    for _ in range(nth):
        pos = TEXT.index(needle, pos + 1)
    return pos, pos + len(needle)


def t_line(tid: str, typ: str, needle: str, nth: int = 1) -> str:
    a, b = at(needle, nth)
    return f"{tid}\t{typ} {a} {b}\t{needle}"


def test_annotate_in_brat_then_inception(tmp_path: Path, capsys) -> None:
    root = corpus_copy(tmp_path / "root")
    src = tmp_path / "milley.txt"
    src.write_text(TEXT, encoding="utf-8")

    # 1. the text comes in with spaCy's suggestions
    assert main(["new", str(src), "--id", DOC_ID, str(root), "--pre-annotate"]) == 0
    ann_path = root / "annotations" / f"{DOC_ID}.yaml"
    data = yaml.safe_load(ann_path.read_text(encoding="utf-8"))
    assert data["entities"], "spaCy suggested entities"

    # 2. metadata and zones stay in the YAML (brat has no place for them)
    headline, body = "Milley et Guérassimov se sont rencontrés", TEXT[TEXT.index("Le général"):].rstrip("\n")
    data["document"].update(title=headline, rights="test text written for the test suite, CC0",
                            published={"value": "2021-09-23", "precision": "day", "evidence": "test"},
                            story="meeting-finlande-2021-09-22")
    data["zones"] = [{"id": "z1", "type": "headline", "start": 0, "end": len(headline), "text": headline},
                     {"id": "z2", "type": "body", "start": TEXT.index(body), "end": TEXT.index(body) + len(body),
                      "text": body}]
    from milcontacts.io import dump_yaml

    ann_path.write_text("# annotated in brat (test)\n" + dump_yaml(data), encoding="utf-8")
    splits = yaml.safe_load((root / "splits.yaml").read_text(encoding="utf-8"))
    splits["splits"]["validation"].append(DOC_ID)
    (root / "splits.yaml").write_text(yaml.safe_dump(splits), encoding="utf-8")

    # 3. export the draft for brat
    out = tmp_path / "brat"
    assert main(["export", "--to", "brat", "--doc", DOC_ID, "--draft", "--out", str(out), str(root)]) == 0
    assert (out / f"{DOC_ID}.txt").read_text(encoding="utf-8") == TEXT
    suggested = (out / f"{DOC_ID}.ann").read_text(encoding="utf-8")
    assert "Milley" in suggested

    # 4. the annotator works in brat and saves (suggestions corrected or deleted, layers added)
    lines = [
        t_line("T1", "PER", "Milley"), t_line("T2", "PER", "Mark Milley"), "*\tCoref T1 T2",
        "N1\tReference T1 milcontacts:mark-milley\tMark Milley", "N2\tReference T2 milcontacts:mark-milley\tMark Milley",
        t_line("T3", "PER", "Guérassimov"), t_line("T4", "PER", "Valery Guérassimov"), "*\tCoref T3 T4",
        "N3\tReference T3 milcontacts:valery-gerasimov\tGerasimov",
        "N4\tReference T4 milcontacts:valery-gerasimov\tGerasimov",
        t_line("T5", "GPE", "Helsinki"),
        t_line("T6", "ORG", "Pentagone"), "N5\tReference T6 milcontacts:pentagone\tPentagone",
        t_line("T7", "Timex", "mercredi"), "A1\tTimexType T7 DATE", "N6\tReference T7 TIMEX3:2021-09-22\tmercredi",
        t_line("T8", "CONTACT_MEET", "rencontré", 2),
        "E1\tCONTACT_MEET:T8 participant:T2 participant2:T4 place:T5 time:T7", "A2\tModality E1 asserted",
        "N7\tReference E1 milcontacts:meeting-finlande-2021-09-22\tmeeting",
        t_line("T9", "Attribution", "a indiqué"),
        t_line("T10", "Content", "Le général Mark Milley a rencontré mercredi à Helsinki le général Valery Guérassimov"),
        "E2\tAttribution:T9 source:T6 content:T10", "A3\tAttributionType E2 indirect",
        "#1\tAnnotatorNotes E1\tThe Helsinki meeting.",
    ]
    (out / f"{DOC_ID}.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")

    # 5. import, validate
    assert main(["import", "--from", "brat", str(out / f"{DOC_ID}.ann"), str(root)]) == 0
    text = ann_path.read_text(encoding="utf-8")
    assert text.startswith("# annotated in brat (test)\n")
    assert main(["validate", str(root), "--no-cache"]) == 0, capsys.readouterr().out
    imported = yaml.safe_load(text)
    assert [e["kb"] for e in imported["entities"]] == ["mark-milley", "valery-gerasimov", None, "pentagone"]
    assert imported["events"][0]["arguments"][0] == {"role": "participant", "ref": "e1"}
    pentagone = next(e["id"] for e in imported["entities"] if e["kb"] == "pentagone")
    assert imported["attributions"][0]["source"] == {"ref": pentagone}
    assert imported["events"][0]["note"] == "The Helsinki meeting."

    # 6. the same document through INCEpTION and back: unchanged
    xmi = tmp_path / "xmi"
    assert main(["export", "--to", "inception", "--doc", DOC_ID, "--out", str(xmi), str(root)]) == 0
    assert main(["import", "--from", "inception", str(xmi), str(root)]) == 0
    assert ann_path.read_text(encoding="utf-8") == text

    # 7. an import into a document the corpus does not have is refused
    shutil.copy(out / f"{DOC_ID}.ann", out / "2099-01-01-nowhere.ann")
    assert main(["import", "--from", "brat", str(out / "2099-01-01-nowhere.ann"), str(root)]) == 1
    assert "milcontacts new" in capsys.readouterr().err


def test_export_options_and_usage(tmp_path: Path, capsys) -> None:
    from milcontacts.model import load_splits

    from test_interop_brat import REPO

    out = tmp_path / "brat"
    assert main(["export", "--to", "brat", "--split", "test", "--out", str(out), str(REPO)]) == 0
    assert sorted(p.stem for p in out.glob("*.ann")) == sorted(load_splits(REPO)["test"])
    assert main(["export", "--to", "brat", "--split", "nope", "--out", str(out), str(REPO)]) == 1
    assert "no split named 'nope'" in capsys.readouterr().err
    assert main(["import", "--from", "brat", str(tmp_path / "missing.ann")]) == 2


def test_a_draft_with_a_span_off_its_text_is_not_exported(valid_root: Path, tmp_path: Path, capsys) -> None:
    path = valid_root / "annotations" / "sample-doc.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("{start: 64, end: 75, text: \"Joe Dunford\"",
                                                             "{start: 65, end: 76, text: \"Joe Dunford\""), encoding="utf-8")
    assert main(["export", "--to", "brat", "--draft", "--out", str(tmp_path / "out"), str(valid_root)]) == 1
    err = capsys.readouterr().err
    assert "annotations/sample-doc.yaml:29:9: error T009: text 'Joe Dunford' does not match raw[65:76]" in err
    assert "milcontacts fix-offsets" in err
    assert not (tmp_path / "out" / "sample-doc.ann").exists()


def test_export_json_reports_the_refused_document(valid_root: Path, tmp_path: Path, capsys) -> None:
    path = valid_root / "annotations" / "sample-doc.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "entities: [\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["export", "--to", "brat", "--out", str(out), "--format", "json", str(valid_root)]) == 1
    report = json.loads(capsys.readouterr().out)
    (d,) = report["diagnostics"]
    assert (d["code"], d["file"], d["severity"]) == ("Y001", "annotations/sample-doc.yaml", "error")
    assert d["line"] > 1 and report["out"] == str(out) and "counts" not in report
    assert not out.exists()

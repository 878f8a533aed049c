"""A contributor's whole journey on a new text, end to end (issue: contributor workflow).

new -> annotate (programmatically, as a person would in an editor) -> a
deliberately shifted offset repaired by fix-offsets -> validate -> diff ->
render -> build -> load_dataset: the new document is in every config.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from milcontacts.cli import main

REPO = Path(__file__).resolve().parent.parent
DOC_ID = "2021-09-23-test-milley-guerassimov"
TEXT = ("Milley et Guérassimov se sont rencontrés\n\n"
        "Le général Mark Milley a rencontré mercredi à Helsinki le général Valery Guérassimov, "
        "a indiqué le Pentagone.\n")


def copy_corpus(dest: Path) -> Path:
    for part in ("annotations", "corpus", "schema", "scripts"):
        if (REPO / part).exists():
            shutil.copytree(REPO / part, dest / part, ignore=shutil.ignore_patterns("passes", "adjudication"))
    shutil.copy(REPO / "splits.yaml", dest / "splits.yaml")
    return dest


def span(text: str, needle: str, nth: int = 1) -> dict:
    pos = -1
    for _ in range(nth):
        pos = text.index(needle, pos + 1)
    return {"start": pos, "end": pos + len(needle), "text": needle}


def test_new_document_from_text_to_load_dataset(tmp_path, capsys):
    root = copy_corpus(tmp_path / "root")
    src = tmp_path / "milley.txt"
    src.write_text(TEXT, encoding="utf-8")

    # 1. new
    assert main(["new", str(src), "--id", DOC_ID, str(root)]) == 0
    ann_path = root / "annotations" / f"{DOC_ID}.yaml"

    # 2. annotate: a person fills in metadata, zones and layers
    data = yaml.safe_load(ann_path.read_text(encoding="utf-8"))
    raw = (root / "corpus" / f"{DOC_ID}.txt").read_text(encoding="utf-8")
    headline, body = "Milley et Guérassimov se sont rencontrés", raw[raw.index("Le général"):].rstrip("\n")
    data["document"].update(title=headline, rights="test text written for the test suite, CC0",
                            published={"value": "2021-09-23", "precision": "day", "evidence": "test"},
                            story="meeting-finlande-2021-09-22")
    data["zones"] = [dict(id="z1", type="headline", **span(raw, headline)), dict(id="z2", type="body", **span(raw, body))]
    data["entities"] = [
        {"id": "e1", "type": "PER", "kb": "mark-milley",
         "mentions": [dict(span(raw, "Milley"), kind="NAM"), dict(span(raw, "Mark Milley"), kind="NAM")]},
        {"id": "e2", "type": "PER", "kb": "valery-gerasimov",
         "mentions": [dict(span(raw, "Guérassimov"), kind="NAM"), dict(span(raw, "Valery Guérassimov"), kind="NAM")]},
        {"id": "e3", "type": "GPE", "kb": None, "mentions": [dict(span(raw, "Helsinki"), kind="NAM")]},
        {"id": "e4", "type": "ORG", "kb": "pentagone", "mentions": [dict(span(raw, "Pentagone"), kind="NAM")]},
    ]
    data["timexes"] = [dict(id="t1", **span(raw, "mercredi"), type="DATE", value="2021-09-22")]
    data["events"] = [{"id": "v1", "type": "CONTACT.MEET", "trigger": span(raw, "rencontré", 2), "modality": "asserted",
                       "kb": "meeting-finlande-2021-09-22",
                       "arguments": [{"role": "participant", "ref": "e1"}, {"role": "participant", "ref": "e2"},
                                     {"role": "place", "ref": "e3"}, {"role": "time", "ref": "t1"}]}]
    data["attributions"] = [{"id": "a1", "type": "indirect", "source": {"ref": "e4"}, "cue": span(raw, "a indiqué"),
                             "content": [span(raw, "Le général Mark Milley a rencontré mercredi à Helsinki le général Valery Guérassimov")],
                             "nested_in": None}]
    from milcontacts.io import dump_yaml

    ann_path.write_text("# annotated in the journey test\n" + dump_yaml(data), encoding="utf-8")
    before = ann_path.read_text(encoding="utf-8")
    splits = yaml.safe_load((root / "splits.yaml").read_text(encoding="utf-8"))
    splits["splits"]["validation"].append(DOC_ID)
    (root / "splits.yaml").write_text(yaml.safe_dump(splits), encoding="utf-8")

    # 3. a slip of the hand: Helsinki's offsets are off by two
    hel = span(raw, "Helsinki")
    shifted = before.replace(f"{{start: {hel['start']}, end: {hel['end']}, text: Helsinki",
                             f"{{start: {hel['start'] + 2}, end: {hel['end'] + 2}, text: Helsinki")
    assert shifted != before
    ann_path.write_text(shifted, encoding="utf-8")
    assert main(["validate", str(root), "--no-cache"]) == 1
    assert "T009" in capsys.readouterr().out
    assert main(["fix-offsets", str(ann_path)]) == 0
    assert ann_path.read_text(encoding="utf-8") == before  # repaired, comment kept
    assert main(["validate", str(root), "--no-cache"]) == 0

    # 4. diff against the skeleton, render
    skeleton = tmp_path / "skeleton.yaml"
    skeleton.write_text(dump_yaml(yaml.safe_load(before) | {"entities": [], "timexes": [], "events": [], "attributions": []}),
                        encoding="utf-8")
    capsys.readouterr()
    assert main(["diff", str(skeleton), str(ann_path), "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert "| entities | added | Mark Milley |" in md and "| events | added | rencontré |" in md
    page = tmp_path / "page.html"
    assert main(["render", DOC_ID, str(root), "--out", str(page)]) == 0
    assert "Valery Guérassimov" in page.read_text(encoding="utf-8")

    # 5. build and load
    out = tmp_path / "hf"
    assert main(["build", str(root), "--out", str(out)]) == 0
    from datasets import load_dataset

    for config in ("documents", "ner", "events", "attributions"):
        rows = load_dataset(str(out), config, split="validation")
        assert DOC_ID in set(rows["doc_id"] if "doc_id" in rows.column_names else rows["id"]), config

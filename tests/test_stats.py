"""stats: counts per layer and type, per document and overall."""

from __future__ import annotations

import json

from milcontacts.cli import main


def test_counts_of_the_sample_document(valid_root, capsys):
    assert main(["stats", str(valid_root), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    doc = out["documents"]["sample-doc"]
    assert doc["name_mentions"] == {"total": 6, "GPE": 2, "ORG": 1, "PER": 3}
    assert doc["timexes"] == {"total": 1, "DATE": 1}
    assert doc["events"] == {"total": 1, "CONTACT.MEET": 1}
    assert doc["attributions"] == {"total": 2, "direct": 1, "indirect": 1}
    assert out["overall"]["entities"]["total"] == 4


def test_text_and_markdown_formats(valid_root, capsys):
    assert main(["stats", str(valid_root)]) == 0
    text = capsys.readouterr().out
    assert "sample-doc" in text and "ALL" in text
    assert main(["stats", str(valid_root), "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert "| sample-doc | train | 189 | 6 | 4 | 1 | 1 | 2 | draft |" in md


def test_invalid_corpus_exits_1(valid_root, capsys):
    (valid_root / "annotations" / "sample-doc.yaml").write_text("entities: [\n", encoding="utf-8")
    assert main(["stats", str(valid_root)]) == 1
    assert "Y001" in capsys.readouterr().err

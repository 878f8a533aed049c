"""Tests of ``milcontacts baseline`` (src/milcontacts/baseline.py) on the fixture corpus.

spaCy pipelines are loaded once per test session (``baseline.load_spacy`` is
cached per process; the session fixture makes the cost visible in one place).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from milcontacts import baseline, cli
from milcontacts.baseline import (Mention, build_gazetteer, gazetteer_mentions, kb_links, predict,
                                  prediction_line, visible_kb)
from milcontacts.evaluate import evaluate
from milcontacts.model import iter_documents, load_kb_data, load_splits

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "data" / "eval_corpus"
A = "2017-02-16-fixture-dunford-gerasimov-bakou"
B = "2021-09-25-fixture-milley-gerasimov-helsinki"
C = "2015-09-19-fixture-carter-choigou-telephone"


@pytest.fixture(scope="session")
def spacy_models() -> dict:
    """Both spaCy pipelines, loaded once for the whole session."""
    return {name: baseline.load_spacy(pkg) for name, pkg in baseline.SPACY_MODELS.items()}


@pytest.fixture(scope="session")
def docs() -> dict:
    return {d.id: d for d in iter_documents(CORPUS)}


def lines_of(text: str) -> dict[str, list[dict]]:
    return {(obj := json.loads(line))["doc_id"]: obj["entities"] for line in text.splitlines()}


def surfaces(docs: dict, preds: dict[str, list[dict]], doc_id: str) -> list[str]:
    text = docs[doc_id].text
    return [text[e["start"]:e["end"]] for e in preds[doc_id]]


# --------------------------------------------------------------------------
# gazetteer
# --------------------------------------------------------------------------

def test_gazetteer_is_leave_one_document_out(docs) -> None:
    preds = lines_of(predict("gazetteer", CORPUS))
    # Joe Dunford, Bakou and AFP are linked only from A: unknown when tagging A.
    assert surfaces(docs, preds, A) == ["américain", "russe", "américain", "russe", "Valery Gerasimov",
                                        "Syrie", "Pentagone"]
    assert surfaces(docs, preds, B) == ["Valery Gerasimov", "Syrie", "Pentagone"]
    assert surfaces(docs, preds, C) == ["américain", "russe", "Pentagone"]
    # ...while a gazetteer that saw A would find them: the exclusion is what hides them.
    full = build_gazetteer(load_kb_data(CORPUS)["entities"])
    found = {docs[A].text[m.start:m.end] for m in gazetteer_mentions(docs[A].text, full, baseline.scored_zones(docs[A]))}
    assert {"Joe Dunford", "Bakou", "AFP"} <= found


def test_visible_kb() -> None:
    links = {"a": frozenset({"x", "y"}), "b": frozenset({"y"}), "c": frozenset({"z"})}
    assert visible_kb(links, "a") == {"y", "z"}
    assert visible_kb(links, "b") == {"x", "y", "z"}
    assert visible_kb(links, "c") == {"x", "y"}
    assert kb_links([]) == {}


def test_baselines_skip_boilerplate(docs, spacy_models) -> None:
    # doc A's navigation line "Accueil > International > Russie" holds a kb name visible to A's gazetteer
    assert "russie" in visible_kb(kb_links(docs.values()), A)
    for model in baseline.MODELS:
        for line in predict(model, CORPUS).splitlines():
            obj = json.loads(line)
            boiler = [(z.start, z.end) for z in docs[obj["doc_id"]].zones if z.type == "boilerplate"]
            for layer in ("entities", "timexes", "events", "attributions"):
                for item in obj.get(layer, []):
                    anchor = item.get("trigger") or item.get("cue") or item
                    assert not any(anchor["start"] < z1 and z0 < anchor["end"] for z0, z1 in boiler), (model, item)


def test_gazetteer_matching_rules() -> None:
    gaz = {"Nord": "LOC", "Nord Stream 2": "FAC", "russe": "NORP", "OTAN": "ORG", "Stream": "MISC"}
    text = "Nord Stream 2, russes, russe, l'OTAN, NordStream, Nord."
    found = [(text[m.start:m.end], m.type) for m in gazetteer_mentions(text, gaz, [(0, len(text))])]
    # longest first, no match inside a word ("russes", "NordStream"), none inside a longer match
    assert found == [("Nord Stream 2", "FAC"), ("russe", "NORP"), ("OTAN", "ORG"), ("Nord", "LOC")]
    # zones bound the matches
    assert gazetteer_mentions(text, gaz, [(0, 8)]) == [Mention(0, 4, "LOC")]


def test_gazetteer_type_votes_are_deterministic() -> None:
    kb = [{"id": "w1", "type": "PER", "name": "Washington", "aliases": []},
          {"id": "w2", "type": "GPE", "name": "Washington", "aliases": ["DC"]},
          {"id": "w3", "type": "GPE", "name": "Washington DC", "aliases": ["Washington"]}]
    assert build_gazetteer(kb) == {"DC": "GPE", "Washington": "GPE", "Washington DC": "GPE"}
    assert build_gazetteer(kb[:2]) == {"DC": "GPE", "Washington": "PER"}   # tie: schema order (PER first)
    assert build_gazetteer(list(reversed(kb[:2]))) == build_gazetteer(kb[:2])
    assert build_gazetteer(kb, allowed={"w2"}) == {"DC": "GPE", "Washington": "GPE"}


def test_gazetteer_output_is_byte_identical(tmp_path: Path) -> None:
    outs = []
    for n in (1, 2):
        out = tmp_path / f"run{n}.jsonl"
        assert cli.main(["baseline", "gazetteer", str(CORPUS), "--out", str(out)]) == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert outs[0].decode("utf-8").splitlines()[0].startswith('{"doc_id": "2015-09-19')  # sorted by id


def test_prediction_line_is_sorted_and_deduplicated() -> None:
    line = prediction_line("d", [Mention(5, 9, "ORG"), Mention(0, 3, "PER"), Mention(5, 9, "ORG")])
    assert line == '{"doc_id": "d", "entities": [{"start": 0, "end": 3, "type": "PER"}, ' \
                   '{"start": 5, "end": 9, "type": "ORG"}]}\n'


# --------------------------------------------------------------------------
# spaCy
# --------------------------------------------------------------------------

@pytest.mark.parametrize("model", list(baseline.SPACY_MODELS))
def test_spacy_baseline(model: str, spacy_models, docs, tmp_path: Path) -> None:
    text = predict(model, CORPUS)
    assert predict(model, CORPUS) == text  # deterministic
    preds = lines_of(text)
    assert sorted(preds) == sorted(docs)
    labels = {e["type"] for items in preds.values() for e in items}
    assert labels <= {"PER", "ORG", "LOC", "MISC"}  # written as-is
    path = tmp_path / "p.jsonl"
    path.write_text(text, encoding="utf-8")
    result = evaluate(CORPUS, path)  # a valid prediction file
    conll = result.scores["entities_conll"]
    # a real model, not a stub: it finds the fixture's people (their names are plain)
    assert conll.strict.types()["PER"].recall >= 0.75
    assert conll.strict.overall.f1 > 0.4
    assert conll.strict.overall.f1 > result.scores["entities"].strict.overall.f1  # CoNLL is the fair scoring


def test_baseline_split_and_usage_errors(tmp_path: Path, capsys) -> None:
    out = tmp_path / "p.jsonl"
    assert cli.main(["baseline", "gazetteer", str(CORPUS), "--out", str(out), "--split", "test"]) == 0
    assert sorted(lines_of(out.read_text(encoding="utf-8"))) == sorted(load_splits(CORPUS)["test"])
    assert cli.main(["baseline", "gazetteer", str(CORPUS), "--out", str(out), "--split", "dev"]) == 2
    assert cli.main(["baseline", "gazetteer", str(tmp_path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "unknown split 'dev'" in err and "no annotations/" in err

"""Benchmark 2.0 (issue #15): kb fields, linking, macro averages, bootstrap intervals,
cross-validation by story, ``compare``, and the new baselines on tiny cases.

The coreference metrics are checked against ``scorch`` in tests/test_coref.py.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from milcontacts import cli
from milcontacts.baselines import timex
from milcontacts.evaluate import Counts, Score, Table, evaluate, gold_line
from milcontacts.evaluate.bootstrap import Resampler, weights
from milcontacts.evaluate.cv import story_folds
from milcontacts.model import from_data, iter_documents

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "data" / "eval_corpus"
FIXTURES = HERE / "data" / "eval"
REPO = HERE.parent


def write_jsonl(path: Path, lines: list) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n"
                            for x in lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def corpus_docs() -> list:
    return list(iter_documents(CORPUS))


# --------------------------------------------------------------------------
# prediction format: optional kb / cluster, backward compatible
# --------------------------------------------------------------------------

def test_old_files_score_exactly_as_before() -> None:
    """A file without kb keys, scored by the harness before Benchmark 2.0 (stored output), scores the same."""
    before = json.loads((FIXTURES / "old_format_scores.json").read_text(encoding="utf-8"))
    now = evaluate(CORPUS, FIXTURES / "old_format_predictions.jsonl", resamples=10).to_json()["layers"]
    for name, old in before.items():
        new = now[name]
        for key in ("documents", "precision", "recall", "f1", "tp", "fp", "fn", "value", "tokens"):
            if key in old:
                got = {k: v for k, v in new[key].items() if k != "ci"} if isinstance(new[key], dict) else new[key]
                assert got == old[key], (name, key)
        assert {t: {k: v for k, v in r.items() if k != "ci"} for t, r in new["per_type"].items()} == old["per_type"]
        assert {k: v for k, v in new["partial"].items() if k != "ci"} == old["partial"], name
    for name in ("entity_linking", "entity_coreference", "event_coreference"):   # not asked for: not scored
        assert now[name]["documents"] == 0


def test_kb_keys_do_not_change_the_other_scores(tmp_path: Path, corpus_docs) -> None:
    with_kb = evaluate(CORPUS, write_jsonl(tmp_path / "a.jsonl", [gold_line(d) for d in corpus_docs]), resamples=5)
    without = evaluate(CORPUS, write_jsonl(tmp_path / "b.jsonl", [gold_line(d, links=False) for d in corpus_docs]),
                       resamples=5)
    assert set(with_kb.scores) - set(without.scores) == {"entity_linking", "entity_coreference", "event_coreference"}
    for name, s in without.scores.items():
        assert with_kb.scores[name] == s, name


@pytest.mark.parametrize("item, message", [
    ({"start": 0, "end": 6, "type": "PER", "kb": 5}, "entities[0].kb: expected a kb id (non-empty string) or null"),
    ({"start": 0, "end": 6, "type": "PER", "kb": " "}, "entities[0].kb: expected a kb id"),
    ({"start": 0, "end": 6, "type": "PER", "cluster": True}, "entities[0].cluster: expected a string or integer id"),
])
def test_bad_kb_is_file_line_message(tmp_path: Path, capsys, item: dict, message: str) -> None:
    doc_id = "2017-02-16-fixture-dunford-gerasimov-bakou"
    pred = write_jsonl(tmp_path / "p.jsonl", [{"doc_id": doc_id, "entities": []},
                                              {"doc_id": "2015-09-19-fixture-carter-choigou-telephone",
                                               "entities": [item]}])
    assert cli.main(["evaluate", str(pred), str(CORPUS)]) == 1
    assert f"{pred}:2: {message}" in capsys.readouterr().err


def test_entity_linking_and_coreference_by_hand() -> None:
    text = "Joe Dunford rencontre Valery Gerasimov. Dunford et Gerasimov parlent."
    at = lambda s, n=0: (lambda i: {"start": i, "end": i + len(s), "text": s})(  # noqa: E731
        [k for k in range(len(text)) if text.startswith(s, k)][n])
    doc = from_data({"document": {"id": "d"}, "review": {},
                     "zones": [{"id": "z1", "type": "body", **at(text)}],
                     "entities": [{"id": "e1", "type": "PER", "kb": "dunford",
                                   "mentions": [{**at("Joe Dunford"), "kind": "NAM"}, {**at("Dunford", 1), "kind": "NAM"}]},
                                  {"id": "e2", "type": "PER", "kb": None,
                                   "mentions": [{**at("Valery Gerasimov"), "kind": "NAM"},
                                                {**at("Gerasimov", 1), "kind": "NAM"}]}],
                     "timexes": [], "events": [], "attributions": []}, text)
    from milcontacts.evaluate.layers import score_document
    from milcontacts.evaluate.predictions import EntityUnit

    def ent(s, n, kb, cluster=None):
        a = at(s, n)
        return EntityUnit(a["start"], a["end"], "PER", kb, True, cluster)

    class P:
        entities = [ent("Joe Dunford", 0, "dunford"), ent("Dunford", 1, "wrong-id"),
                    ent("Valery Gerasimov", 0, None, "g"), ent("Gerasimov", 1, None, "g")]
        events = timexes = attributions = None

        @staticmethod
        def layers():
            return {"entities"}

    res = score_document(doc, P, {"entities"}, optional={"entity_linking", "entity_coreference"}).scores
    link = res["entity_linking"].strict.overall
    assert (link.tp, link.fp, link.fn) == (1, 1, 1)   # gold links: e1's two mentions; e2 has no kb
    coref = res["entity_coreference"].coref
    # response {JD}, {D}, {VG, G} against key {JD, D}, {VG, G}: MUC R = 1/2, P = 1/1
    assert (coref.muc.recall, coref.muc.precision) == (0.5, 1.0)
    assert coref.b3.precision == 1.0 and coref.b3.recall == pytest.approx((0.5 + 0.5 + 1 + 1) / 4)


# --------------------------------------------------------------------------
# macro averages and bootstrap intervals
# --------------------------------------------------------------------------

def test_macro_average_by_hand() -> None:
    s = Score(1, Table(Counts(3, 1, 1), (("PER", Counts(3, 0, 0)), ("ORG", Counts(0, 1, 1)))))
    assert s.macro() == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    untyped = Score(1, Table(Counts(1, 1, 0)))
    assert untyped.macro() == untyped.headline()


def test_bootstrap_is_seeded_documents_are_resampled_and_intervals_bracket_the_estimate() -> None:
    w = weights(4, 200, seed=0)
    assert w.shape == (200, 4) and (w.sum(axis=1) == 4).all()           # each resample draws 4 documents
    assert (weights(4, 200, seed=0) == w).all() and not (weights(4, 200, seed=1) == w).all()
    per_doc = [Counts(5, 1, 0), Counts(0, 3, 4), Counts(2, 2, 2), Counts(9, 0, 1)]
    ci = Resampler(4, 1000, 0).counts(per_doc)
    total = sum(per_doc, Counts())
    for key in ("precision", "recall", "f1"):
        lo, hi = ci[key]
        assert lo <= getattr(total, key) <= hi and lo < hi
    assert Resampler(4, 1000, 0).counts([None] * 4) == {"precision": None, "recall": None, "f1": None}


def test_intervals_in_text_and_json(tmp_path: Path, corpus_docs, capsys) -> None:
    pred = write_jsonl(tmp_path / "p.jsonl", [gold_line(d) for d in corpus_docs[:2]])
    assert cli.main(["evaluate", str(pred), str(CORPUS), "--format", "json", "--resamples", "50", "--seed", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["bootstrap"]["resamples"] == 50 and data["bootstrap"]["seed"] == 3
    ent = data["layers"]["entities"]
    assert ent["ci"]["f1"][0] <= ent["f1"] <= ent["ci"]["f1"][1]
    assert set(ent["per_type"]["PER"]["ci"]) == {"precision", "recall", "f1"} and "ci" in ent["macro"]
    assert cli.main(["evaluate", str(pred), str(CORPUS), "--resamples", "50"]) == 0
    out = capsys.readouterr().out
    assert "95% CI: bootstrap over documents, 50 resamples, seed 0" in out and "macro-average over types" in out
    assert cli.main(["evaluate", str(pred), str(CORPUS), "--resamples", "0"]) == 2


# --------------------------------------------------------------------------
# cross-validation by story
# --------------------------------------------------------------------------

def _doc(doc_id: str, story: str | None):
    meta = {"id": doc_id, **({"story": story} if story else {})}
    return from_data({"document": meta, "review": {}, "zones": [], "entities": [], "timexes": [],
                      "events": [], "attributions": []}, "")


def test_story_folds_never_split_a_story() -> None:
    docs = [_doc("a1", "A"), _doc("a2", "A"), _doc("a3", "A"), _doc("b1", "B"), _doc("c1", "C"), _doc("c2", "C"),
            _doc("x", None)]
    folds = story_folds(docs)
    assert [f.stories for f in folds] == [("A",), ("C",), ("B",), ("x",)]      # one per story, largest first
    two = story_folds(docs, 2)
    assert [(f.stories, len(f.documents)) for f in two] == [(("A", "x"), 4), (("B", "C"), 3)]
    for fs in (folds, two):
        stories = [s for f in fs for s in f.stories]
        assert len(stories) == len(set(stories))
        assert sorted(d for f in fs for d in f.documents) == sorted(d.id for d in docs)
    assert story_folds(docs, 2) == two                                          # deterministic


def test_evaluate_cv(tmp_path: Path, corpus_docs, capsys) -> None:
    pred = write_jsonl(tmp_path / "p.jsonl", [gold_line(d) for d in corpus_docs])
    assert cli.main(["evaluate", str(pred), str(CORPUS), "--cv", "--format", "json", "--resamples", "20"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [len(f["documents"]) for f in data["folds"]] == [1, 1, 1]            # the fixture has no stories
    assert data["mean"]["entities"]["f1"] == 1.0 and data["mean"]["entities"]["folds"] == 3
    assert cli.main(["evaluate", str(pred), str(CORPUS), "--cv", "--folds", "2", "--resamples", "20"]) == 0
    out = capsys.readouterr().out
    assert "2 fold(s) by story" in out and "  mean " in out
    assert cli.main(["evaluate", str(pred), str(CORPUS), "--cv", "--split", "test"]) == 2
    bad = write_jsonl(tmp_path / "bad.jsonl", ['{"doc_id": "2017-02-16-fixture-dunford-gerasimov-bakou", '
                                               '"entities": [{"start": 5, "end": 2, "type": "PER"}]}'])
    capsys.readouterr()
    assert cli.main(["evaluate", str(bad), str(CORPUS), "--cv"]) == 1
    assert f"{bad}:1: entities[0]: span [5, 2) is reversed" in capsys.readouterr().err


def test_learning_baselines_are_retrained_per_fold(corpus_docs) -> None:
    """Each document is tagged by a model trained on the other folds, never on itself."""
    from milcontacts.baselines import predict_docs
    from milcontacts.model import load_kb_data

    ids = [d.id for d in corpus_docs]
    kb = load_kb_data(CORPUS)
    cross = predict_docs("gazetteer", corpus_docs, ids, kb)
    leaky = predict_docs("gazetteer", corpus_docs, ids, kb, train_ids=ids)   # trained on everything
    assert cross != leaky and cross.count("\n") == leaky.count("\n") == 3


# --------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------

def test_compare(tmp_path: Path, corpus_docs, capsys) -> None:
    gold = write_jsonl(tmp_path / "gold.jsonl", [gold_line(d) for d in corpus_docs])
    empty = write_jsonl(tmp_path / "empty.jsonl", [{"doc_id": d.id, "entities": []} for d in corpus_docs])
    argv = ["compare", str(gold), str(empty), str(CORPUS), "--format", "json", "--resamples", "200"]
    assert cli.main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    ent = data["scores"]["entities"]
    assert (ent["f1_a"], ent["f1_b"], ent["delta"]) == (1.0, 0.0, 1.0)
    assert ent["ci"] == [1.0, 1.0]
    # 3 documents: the smallest p a document-level permutation test can reach is 2/2^3 = 0.25
    assert ent["p_value"] == pytest.approx(0.25, abs=0.08) and ent["significant"] is False
    assert list(data["scores"]) == ["entities", "entities_conll"]     # B has no kb: linking is A's only
    assert cli.main(argv) == 0 and json.loads(capsys.readouterr().out) == data      # seeded
    assert cli.main(["compare", str(gold), str(gold), str(CORPUS), "--resamples", "50"]) == 0
    out = capsys.readouterr().out
    assert "no significant difference" in out and "smallest p-value" in out


def test_compare_bad_input(tmp_path: Path, capsys) -> None:
    ok = write_jsonl(tmp_path / "ok.jsonl", [{"doc_id": "2017-02-16-fixture-dunford-gerasimov-bakou", "entities": []}])
    bad = write_jsonl(tmp_path / "bad.jsonl", ["", '{"doc_id": "nope", "entities": []}'])
    assert cli.main(["compare", str(ok), str(bad), str(CORPUS)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:2: unknown doc_id 'nope'" in err and "Traceback" not in err
    assert cli.main(["compare", str(ok), str(tmp_path / "missing.jsonl"), str(CORPUS)]) == 2
    assert cli.main(["compare", str(ok), str(ok), str(CORPUS), "--split", "dev"]) == 2


def test_compare_and_cv_on_the_real_corpus(tmp_path: Path, capsys) -> None:
    from milcontacts.baselines import predict_docs
    from milcontacts.model import load_kb_data

    docs = list(iter_documents(REPO))
    ids = [d.id for d in docs]
    kb = load_kb_data(REPO)
    gaz = tmp_path / "gazetteer.jsonl"
    gaz.write_text(predict_docs("gazetteer", docs, ids, kb), encoding="utf-8")
    leaky = tmp_path / "leaky.jsonl"     # the gazetteer trained on every document, the tagged one included
    leaky.write_text(predict_docs("gazetteer", docs, ids, kb, train_ids=ids), encoding="utf-8")
    assert cli.main(["evaluate", str(gaz), str(REPO), "--cv", "--format", "json", "--resamples", "50"]) == 0
    data = json.loads(capsys.readouterr().out)
    stories = [s for f in data["folds"] for s in f["stories"]]
    assert len(stories) == len(set(stories)) == len({d.meta.get("story") for d in docs})
    assert 0 < data["mean"]["entity_linking"]["f1"] < 1
    assert cli.main(["compare", str(gaz), str(leaky), str(REPO), "--resamples", "50", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scores"]["entity_linking"]["delta"] < 0 and data["scores"]["entity_linking"]["ci"][1] <= 0


# --------------------------------------------------------------------------
# the timex baseline
# --------------------------------------------------------------------------

@pytest.mark.parametrize("text, published, expected", [
    ("a indiqué le Pentagone mardi", "2015-09-29", [("mardi", "DATE", "2015-09-29")]),   # the day itself
    ("Jeudi soir, ils ont parlé", "2015-09-19", [("Jeudi soir", "TIME", "2015-09-17TEV")]),
    ("jeudi matin", "2015-09-19", [("jeudi matin", "TIME", "2015-09-17TMO")]),
    ("ils se sont parlé hier", "2015-09-19", [("hier", "DATE", "2015-09-18")]),
    ("la réunion de jeudi", "2017-02", [("jeudi", "DATE", "XXXX-XX-XX")]),              # month precision
    ("vendredi 24 septembre", "2021-09-25", [("vendredi 24 septembre", "DATE", "2021-09-24")]),
    ("depuis décembre 2019", "2021-09-25", [("décembre 2019", "DATE", "2019-12")]),
    ("pendant une heure", "2015-09-19", [("une heure", "DURATION", "PT1H")]),
    ("plusieurs mois", "2015-09-19", [("plusieurs mois", "DURATION", "PXM")]),
    ("il y a une dizaine de jours", "2015-09-29", [("il y a une dizaine de jours", "DATE", "2015-09-19")]),
    ("17.02.2017 08h39", "2017-02-17", [("17.02.2017 08h39", "TIME", "2017-02-17T08:39")]),
    ("ils parlent quotidiennement, actuellement", "2015-09-29",
     [("quotidiennement", "SET", "P1D"), ("actuellement", "DATE", "PRESENT_REF")]),
    ("pour la première fois, à plusieurs reprises", "2015-09-29", []),
])
def test_timex_rules(text: str, published: str, expected: list) -> None:
    precision = "day" if len(published) == 10 else "month"
    pub = timex.Pub(date.fromisoformat(published) if precision == "day" else None, published[:7])
    found = timex.tag(text, [(0, len(text))], pub)
    assert [(text[f.start:f.end], f.type, f.value) for f in found] == expected

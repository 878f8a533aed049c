"""Coreference scores (src/milcontacts/evaluate/coref.py) checked against ``scorch``.

``scorch`` is an independent implementation of MUC, B³ and CEAF-e (the
CoNLL-2012 formulas).  The only documented difference: where a ratio has a
zero denominator we report None (undefined) and scorch reports 0; F1 agrees
everywhere (0 when either side is 0).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scorch import scores as scorch

from milcontacts.evaluate import evaluate
from milcontacts.evaluate.core import event_coref
from milcontacts.evaluate.coref import clusters_by_key, coref_counts
from milcontacts.evaluate.layers import gold_entity_clusters
from milcontacts.model import iter_documents

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

CASES = {
    # key, response
    "identical": ([{1, 2, 3}, {4, 5}], [{1, 2, 3}, {4, 5}]),
    "split": ([{1, 2, 3, 4}], [{1, 2}, {3, 4}]),
    "merged": ([{1, 2}, {3, 4}], [{1, 2, 3, 4}]),
    "twinless": ([{1, 2, 3}, {4}], [{1, 2, 6}, {4, 7}, {8}]),
    "Pradhan et al. 2014, fig. 1": ([{"a", "b", "c"}, {"d", "e", "f", "g"}],
                                    [{"a", "b"}, {"c", "d"}, {"f", "g", "h", "i"}]),
    "all singletons in the response": ([{1, 2}, {3}], [{1}, {2}, {3}]),
    "empty response": ([{1, 2}, {3}], []),
}


def _theirs(key, response):
    return {"muc": scorch.muc(key, response), "b3": scorch.b_cubed(key, response),
            "ceafe": scorch.ceaf_e(key, response)}


def assert_equal_to_scorch(key: list[set], response: list[set]) -> None:
    ours = coref_counts([frozenset(k) for k in key], [frozenset(r) for r in response])
    theirs = _theirs(key, response)
    for metric, (r, p, f) in theirs.items():
        m = getattr(ours, metric)
        assert m.f1 == pytest.approx(f, abs=1e-12), metric
        for mine, their in ((m.recall, r), (m.precision, p)):
            assert (0.0 if mine is None else mine) == pytest.approx(their, abs=1e-12), metric
    if all(getattr(ours, m).f1 is not None for m in ("muc", "b3", "ceafe")):
        assert ours.f1 == pytest.approx(scorch.conll2012(key, response), abs=1e-12)


@pytest.mark.parametrize("case", list(CASES))
def test_handmade_cases_equal_scorch(case: str) -> None:
    assert_equal_to_scorch(*CASES[case])


def test_undefined_is_none_where_scorch_says_zero() -> None:
    ours = coref_counts([frozenset({1, 2})], [frozenset({1}), frozenset({2})])
    assert ours.muc.precision is None and ours.muc.recall == 0.0 and ours.muc.f1 == 0.0


def test_clusters_by_key() -> None:
    assert clusters_by_key([("m1", "x"), ("m2", None), ("m3", "x"), ("m1", "y")]) == \
        [frozenset({"m1", "m3"}), frozenset({"m2"})]


def test_gold_against_baseline_on_the_corpus_equals_scorch(tmp_path: Path) -> None:
    """Entity coreference of the gazetteer and event coreference of a perturbed gold, against scorch."""
    docs = list(iter_documents(REPO))
    from milcontacts.baselines import predict_docs
    from milcontacts.model import load_kb_data

    text = predict_docs("gazetteer", docs, [d.id for d in docs], load_kb_data(REPO))
    pred = tmp_path / "gaz.jsonl"
    pred.write_text(text, encoding="utf-8")
    result = evaluate(REPO, pred, resamples=10)
    by_id = {json.loads(line)["doc_id"]: json.loads(line) for line in text.splitlines()}
    for d in docs:   # per document with scorch; micro-averaged by hand from its ratios and cluster sizes
        key = [set(c) for c in clusters_by_key(gold_entity_clusters(d))]
        response = [set(c) for c in clusters_by_key(((e["start"], e["end"]), e["kb"])
                                                      for e in by_id[d.id]["entities"])]
        assert_equal_to_scorch(key, response)
    score = result.scores["entity_coreference"].coref
    assert score is not None and 0 < score.f1 < 1
    # cross-document: the gold event clusters against a response that forgets every other link
    gold, pred_pairs = [], []
    for d in docs:
        for k, v in enumerate(d.events):
            gold.append(((d.id, v.trigger.start), v.kb))
            pred_pairs.append(((d.id, v.trigger.start), v.kb if k % 2 else None))
    key = [set(c) for c in clusters_by_key(gold)]
    response = [set(c) for c in clusters_by_key(pred_pairs)]
    assert_equal_to_scorch(key, response)
    assert event_coref(gold, pred_pairs).f1 == pytest.approx(scorch.conll2012(key, response), abs=1e-12)

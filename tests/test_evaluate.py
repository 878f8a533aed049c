"""Tests of ``milcontacts evaluate`` (src/milcontacts/evaluate.py).

* entity P/R/F1 equal seqeval's on BIO tags over spaCy's blank French tokens
  (an independent implementation), on hand-made and on random predictions;
* tiny hand-computed cases pin every other metric;
* the gold scored against itself is 1.0 everywhere, an empty file gives recall 0;
* every kind of bad prediction line is a ``FILE:LINE: message`` and exit 1.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from milcontacts import cli
from milcontacts.evaluate import (CONLL, OPTIONAL_SCORES, Counts, Prediction, PredAttr, PEvent, TimexUnit, TokenIndex, Unit,
                                  evaluate, gold_line, max_matching, score_document, score_units)
from milcontacts.model import Document, from_data, iter_documents, load_splits

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "data" / "eval_corpus"
FIXTURES = HERE / "data" / "eval"
FINE = ("PER", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "MISC")


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def write_jsonl(path: Path, lines: list[dict | str]) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n"
                            for x in lines), encoding="utf-8")
    return path


def run_cli(argv: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


class Text:
    """A synthetic document built from strings (offsets found by code)."""

    def __init__(self, text: str):
        self.text = text

    def at(self, s: str, nth: int = 0) -> dict:
        pos = -1
        for _ in range(nth + 1):
            pos = self.text.index(s, pos + 1)
        return {"start": pos, "end": pos + len(s), "text": s}

    def doc(self, zones: list[dict] | None = None, **layers: list) -> Document:
        data = {"document": {"id": "synthetic-doc"}, "review": {},
                "zones": zones or [{"id": "z1", "type": "body", **self.at(self.text)}],
                "entities": [], "timexes": [], "events": [], "attributions": []}
        data.update(layers)
        return from_data(data, self.text)


def sp(t: Text, s: str, nth: int = 0) -> tuple[int, int]:
    d = t.at(s, nth)
    return (d["start"], d["end"])


@pytest.fixture(scope="session")
def corpus_docs() -> list[Document]:
    return list(iter_documents(CORPUS))


@pytest.fixture(scope="session")
def blank_fr():
    """spaCy's rule-based French tokenizer, loaded once (it takes ~2 s)."""
    import spacy

    return spacy.blank("fr")


# --------------------------------------------------------------------------
# whole-corpus properties
# --------------------------------------------------------------------------

def test_gold_against_itself_is_perfect(tmp_path: Path, corpus_docs: list[Document]) -> None:
    pred = write_jsonl(tmp_path / "gold.jsonl", [gold_line(d) for d in corpus_docs])
    result = evaluate(CORPUS, pred).to_json()
    assert result["scope"]["missing"] == []
    for name, layer in result["layers"].items():
        assert layer["documents"] == 3, name
        if name.endswith("_coreference"):   # no counts: MUC, B3, CEAF-e and their mean
            assert all(layer[m]["f1"] == 1.0 for m in ("muc", "b3", "ceafe")) and layer["f1"] == 1.0, name
            continue
        assert layer["tp"] > 0 and layer["fp"] == layer["fn"] == 0, name
        for table in (layer, layer["partial"]):
            assert (table["precision"], table["recall"], table["f1"]) == (1.0, 1.0, 1.0), name
            for t, row in table["per_type"].items():
                assert row["f1"] == 1.0, (name, t)
    assert result["layers"]["timexes"]["value"]["accuracy"] == 1.0
    assert result["layers"]["attribution_contents"]["tokens"]["f1"] == 1.0
    # every fine type, timex type, a span argument, a NOM/PRO filler and a span source are exercised
    assert set(result["layers"]["entities"]["per_type"]) == set(FINE)
    assert set(result["layers"]["timexes"]["per_type"]) == {"DATE", "DURATION", "SET"}


def test_gold_against_itself_on_the_repository_corpus(tmp_path: Path) -> None:
    """The real annotations (whatever layers they have today) score 1.0 against themselves."""
    repo = HERE.parent
    pred = write_jsonl(tmp_path / "gold.jsonl", [gold_line(d) for d in iter_documents(repo)])
    result = evaluate(repo, pred).to_json()
    for name, layer in result["layers"].items():
        if name.endswith("_coreference"):
            assert layer["f1"] == 1.0, name
            continue
        assert layer["fp"] == layer["fn"] == 0, name
        assert layer["f1"] == (1.0 if layer["tp"] else None), name   # an empty layer has no score


@pytest.mark.parametrize("split", [None, "test"])
def test_empty_prediction_file_gives_recall_zero(tmp_path: Path, split: str | None, capsys) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    result = evaluate(CORPUS, empty, split).to_json()
    expected_docs = load_splits(CORPUS)[split] if split else None
    assert result["scope"]["predicted"] == 0
    assert len(result["scope"]["missing"]) == (len(expected_docs) if split else 3)
    for name, layer in result["layers"].items():
        if name in OPTIONAL_SCORES:   # asked for by kb/cluster keys only: not scored
            assert layer["documents"] == 0 and layer["f1"] is None, name
            continue
        assert layer["recall"] == 0.0 and layer["tp"] == layer["fp"] == 0 and layer["fn"] > 0, name
        assert layer["precision"] is None and layer["f1"] == 0.0, name
    argv = ["evaluate", str(empty), str(CORPUS)] + (["--split", split] if split else [])
    code, out, err = run_cli(argv, capsys)
    assert code == 0
    assert "count as empty predictions (recall loss)" in out


def test_missing_documents_of_a_split_are_reported(tmp_path: Path, corpus_docs, capsys) -> None:
    test_ids = sorted(load_splits(CORPUS)["test"])
    lines = [gold_line(d) for d in corpus_docs if d.id == test_ids[0]]
    pred = write_jsonl(tmp_path / "p.jsonl", lines)
    code, out, err = run_cli(["evaluate", str(pred), str(CORPUS), "--split", "test", "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["scope"]["missing"] == [test_ids[1]]
    assert data["layers"]["entities"]["precision"] == 1.0 and data["layers"]["entities"]["recall"] < 1.0
    assert test_ids[1] in err and "recall loss" in err   # also said on stderr when stdout is JSON


def test_layer_left_out_is_not_scored(tmp_path: Path, corpus_docs) -> None:
    a, b, c = (gold_line(d) for d in corpus_docs)
    lines = [{"doc_id": a["doc_id"], "entities": a["entities"]},
             {"doc_id": b["doc_id"], "timexes": b["timexes"]},
             {"doc_id": c["doc_id"], "entities": [], "timexes": []}]
    result = evaluate(CORPUS, write_jsonl(tmp_path / "p.jsonl", lines)).to_json()
    ent, tx = result["layers"]["entities"], result["layers"]["timexes"]
    # entities: a (all right) and c (all missed); b's names are not scored
    assert ent["documents"] == 2
    assert (ent["tp"], ent["fp"], ent["fn"]) == (len(a["entities"]), 0, len(c["entities"]))
    assert tx["documents"] == 2
    assert (tx["tp"], tx["fp"], tx["fn"]) == (len(b["timexes"]), 0, len(c["timexes"]))
    for name in ("event_triggers", "event_types", "event_arguments", "attribution_cues"):
        assert result["layers"][name]["documents"] == 0
        assert result["layers"][name]["f1"] is None
    assert result["scope"]["layers"] == ["entities", "timexes"]


def test_json_shape(tmp_path: Path, corpus_docs, capsys) -> None:
    pred = write_jsonl(tmp_path / "p.jsonl", [gold_line(d) for d in corpus_docs])
    code, out, _ = run_cli(["evaluate", str(pred), str(CORPUS), "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["scope", "bootstrap", "layers"]
    assert data["bootstrap"] == {"resamples": 1000, "seed": 0, "level": 0.95, "unit": "document",
                                 "method": "percentile"}
    for name, layer in data["layers"].items():
        assert {"precision", "recall", "f1", "ci", "macro", "per_type", "partial"} <= set(layer)
        assert set(layer["ci"]) >= {"precision", "recall", "f1"} and set(layer["macro"]) >= {"f1", "ci"}
        if name.endswith("_coreference"):
            assert {"muc", "b3", "ceafe"} <= set(layer)
            continue
        assert {"tp", "fp", "fn"} <= set(layer)
        assert {"precision", "recall", "f1", "tp", "fp", "fn", "per_type", "ci"} <= set(layer["partial"])
    code, out, _ = run_cli(["evaluate", str(pred), str(CORPUS)], capsys)
    assert code == 0 and "entities_conll" in out and "strict" in out and "partial" in out


# --------------------------------------------------------------------------
# entities against seqeval
# --------------------------------------------------------------------------

def bio(tokens, spans: list[tuple[int, int, str]]) -> list[str]:
    """IOB2 tags for token-aligned, non-overlapping character spans."""
    tags = ["O"] * len(tokens)
    for start, end, label in spans:
        span = tokens.char_span(start, end, alignment_mode="strict")
        assert span is not None, (start, end, tokens.text[start:end])
        tags[span.start] = f"B-{label}"
        for i in range(span.start + 1, span.end):
            tags[i] = f"I-{label}"
    return tags


def gold_spans(doc: Document) -> list[tuple[int, int, str]]:
    """Independent of evaluate.py: NAM mentions whose zone is not boilerplate."""
    return sorted((m.start, m.end, e.type) for e in doc.entities for m in e.mentions
                  if m.kind == "NAM" and doc.zone_of(m.start).type != "boilerplate")


def seqeval_prf(y_true: list[list[str]], y_pred: list[list[str]]) -> tuple[float, float, float]:
    import warnings

    from seqeval.metrics import f1_score, precision_score, recall_score
    from seqeval.scheme import IOB2

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # UndefinedMetricWarning when nothing is predicted
        default = (precision_score(y_true, y_pred), recall_score(y_true, y_pred), f1_score(y_true, y_pred))
        strict = tuple(f(y_true, y_pred, mode="strict", scheme=IOB2)
                       for f in (precision_score, recall_score, f1_score))
    assert default == pytest.approx(strict)  # well-formed IOB2: both modes agree
    return default


def assert_same(ours: Counts, theirs: tuple[float, float, float]) -> None:
    # seqeval reports an undefined ratio as 0.0; we report None.
    got = tuple(0.0 if v is None else v for v in (ours.precision, ours.recall, ours.f1))
    assert got == pytest.approx(theirs, abs=1e-12)


def perturbed(doc: Document, tokens) -> list[dict]:
    """Hand-made mistakes on the gold: missed, retyped, cut short, spurious."""
    out = []
    for k, (s, e, t) in enumerate(gold_spans(doc)):
        if k % 3 == 0:
            continue  # missed
        if k % 4 == 1:
            t = "MISC" if t != "MISC" else "PER"  # wrong type
        span = tokens.char_span(s, e)
        if len(span) > 1 and k % 2 == 0:
            e = span[-2].idx + len(span[-2].text)  # cut short by one token
        out.append({"start": s, "end": e, "type": t})
    taken = {i for x in out for i in range(x["start"], x["end"])} | \
            {i for s, e, _ in gold_spans(doc) for i in range(s, e)}
    spurious = [t for t in tokens if t.is_alpha and len(t) > 4 and t.idx not in taken
                and doc.zone_of(t.idx).type != "boilerplate"][:3]
    out += [{"start": t.idx, "end": t.idx + len(t), "type": "ORG"} for t in spurious]
    return out


def test_entities_equal_seqeval_on_handmade_mistakes(tmp_path: Path, corpus_docs, blank_fr) -> None:
    lines, y_true, y_pred, y_true_c, y_pred_c = [], [], [], [], []
    for doc in corpus_docs:
        tokens = blank_fr(doc.text)
        pred = perturbed(doc, tokens)
        lines.append({"doc_id": doc.id, "entities": pred})
        gold = gold_spans(doc)
        p = [(x["start"], x["end"], x["type"]) for x in pred]
        y_true.append(bio(tokens, gold))
        y_pred.append(bio(tokens, p))
        y_true_c.append(bio(tokens, [(s, e, CONLL[t]) for s, e, t in gold]))
        y_pred_c.append(bio(tokens, [(s, e, CONLL[t]) for s, e, t in p]))
    result = evaluate(CORPUS, write_jsonl(tmp_path / "p.jsonl", lines))
    fine, conll = result.scores["entities"].strict.overall, result.scores["entities_conll"].strict.overall
    assert 0 < fine.f1 < conll.f1 < 1  # the perturbation does something, and the mapping forgives some of it
    assert_same(fine, seqeval_prf(y_true, y_pred))
    assert_same(conll, seqeval_prf(y_true_c, y_pred_c))


@pytest.fixture(scope="session")
def tokenized(corpus_docs, blank_fr):
    """(document, spaCy tokens, indices of non-space tokens outside boilerplate) per document."""
    out = []
    for doc in corpus_docs:
        tokens = blank_fr(doc.text)
        ok = [t.i for t in tokens if not t.is_space and doc.zone_of(t.idx).type != "boilerplate"]
        out.append((doc, tokens, ok))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_entities_equal_seqeval_on_random_predictions(data, tokenized) -> None:
    y_true, y_pred, y_true_c, y_pred_c = [], [], [], []
    fine_total, conll_total = Counts(), Counts()
    for doc, tokens, eligible in tokenized:
        # random segmentation of the eligible tokens into typed spans of 1-3 tokens
        spans, i = [], 0
        choices = data.draw(st.lists(st.sampled_from(("O", "O", "O", *FINE)), min_size=len(eligible),
                                     max_size=len(eligible)))
        lengths = data.draw(st.lists(st.integers(1, 3), min_size=len(eligible), max_size=len(eligible)))
        while i < len(eligible):
            label, n = choices[i], lengths[i]
            run = [eligible[i]]
            while len(run) < n and i + len(run) < len(eligible) and eligible[i + len(run)] == run[-1] + 1 \
                    and doc.zone_of(tokens[run[-1] + 1].idx) is doc.zone_of(tokens[run[0]].idx):
                run.append(eligible[i + len(run)])
            if label != "O":
                first, last = tokens[run[0]], tokens[run[-1]]
                spans.append((first.idx, last.idx + len(last.text), label))
                i += len(run)
            else:
                i += 1
        pred = Prediction(doc.id, 1, entities=[Unit(s, e, t) for s, e, t in spans])
        scores = score_document(doc, pred, {"entities"}).scores
        fine_total += scores["entities"].strict.overall
        conll_total += scores["entities_conll"].strict.overall
        gold = gold_spans(doc)
        y_true.append(bio(tokens, gold))
        y_pred.append(bio(tokens, spans))
        y_true_c.append(bio(tokens, [(s, e, CONLL[t]) for s, e, t in gold]))
        y_pred_c.append(bio(tokens, [(s, e, CONLL[t]) for s, e, t in spans]))
    assert_same(fine_total, seqeval_prf(y_true, y_pred))
    assert_same(conll_total, seqeval_prf(y_true_c, y_pred_c))


# --------------------------------------------------------------------------
# hand-computed cases
# --------------------------------------------------------------------------

def test_strict_partial_and_per_type_by_hand() -> None:
    gold = [Unit(0, 5, "PER"), Unit(10, 20, "ORG"), Unit(30, 35, "LOC")]
    pred = [Unit(0, 5, "PER"),      # exact
            Unit(12, 25, "ORG"),    # overlaps, same type: partial only
            Unit(30, 35, "PER"),    # right span, wrong type
            Unit(40, 45, "LOC")]    # spurious
    strict, partial = score_units(gold, pred)
    assert strict.overall == Counts(tp=1, fp=3, fn=2)
    assert (strict.overall.precision, strict.overall.recall, strict.overall.f1) == pytest.approx((1 / 4, 1 / 3, 2 / 7))
    assert partial.overall == Counts(tp=2, fp=2, fn=1)
    assert partial.overall.f1 == pytest.approx(4 / 7)
    assert strict.types() == {"PER": Counts(1, 1, 0), "ORG": Counts(0, 1, 1), "LOC": Counts(0, 1, 1)}
    assert partial.types() == {"PER": Counts(1, 1, 0), "ORG": Counts(1, 0, 0), "LOC": Counts(0, 1, 1)}


def test_duplicates_count_once_and_partial_matching_is_maximal() -> None:
    strict, _ = score_units([Unit(0, 5, "PER")], [Unit(0, 5, "PER"), Unit(0, 5, "PER")])
    assert strict.overall == Counts(tp=1, fp=1, fn=0)
    # P1 overlaps both gold names, P2 only the first: greedy P1->A would leave P2 unmatched.
    gold = [Unit(0, 10, "ORG"), Unit(10, 20, "ORG")]
    _, partial = score_units(gold, [Unit(5, 15, "ORG"), Unit(0, 3, "ORG")])
    assert partial.overall == Counts(tp=2, fp=0, fn=0)
    assert max_matching(2, 2, lambda i, j: (i, j) in {(0, 0), (0, 1), (1, 0)}) == [(0, 1), (1, 0)]


def test_conll_mapping_and_boilerplate_by_hand() -> None:
    t = Text("Accueil Moscou\n\nMoscou et le Moyen-Orient, selon Nord Stream 2.")
    zones = [{"id": "z1", "type": "boilerplate", **t.at("Accueil Moscou")},
             {"id": "z2", "type": "body", **t.at("Moscou et le Moyen-Orient, selon Nord Stream 2.")}]
    doc = t.doc(zones, entities=[
        {"id": "e1", "type": "GPE", "kb": None, "mentions": [{**t.at("Moscou", 0), "kind": "NAM"},
                                                             {**t.at("Moscou", 1), "kind": "NAM"}]},
        {"id": "e2", "type": "LOC", "kb": None, "mentions": [{**t.at("Moyen-Orient"), "kind": "NAM"}]},
        {"id": "e3", "type": "FAC", "kb": None, "mentions": [{**t.at("Nord Stream 2"), "kind": "NAM"}]}])
    pred = Prediction(doc.id, 1, entities=[
        Unit(*sp(t, "Moscou", 0), "LOC"),          # in boilerplate: ignored
        Unit(*sp(t, "Moscou", 1), "LOC"),          # GPE gold: wrong fine type, right CoNLL class
        Unit(*sp(t, "Moyen-Orient"), "LOC"),       # right
        Unit(*sp(t, "Nord Stream"), "MISC")])      # FAC gold, cut short and wrong class
    res = score_document(doc, pred, {"entities"})
    assert res.ignored == 1
    fine, conll = res.scores["entities"], res.scores["entities_conll"]
    assert fine.strict.overall == Counts(tp=1, fp=2, fn=2)
    assert conll.strict.overall == Counts(tp=2, fp=1, fn=1)
    assert conll.strict.types() == {"LOC": Counts(2, 0, 1), "MISC": Counts(0, 1, 0)}
    assert conll.partial.types() == {"LOC": Counts(2, 0, 1), "MISC": Counts(0, 1, 0)}


def test_timexes_by_hand() -> None:
    t = Text("Jeudi 16 février, pendant trois heures, puis en 2017.")
    doc = t.doc(timexes=[
        {"id": "t1", "type": "DATE", "value": "2017-02-16", **t.at("Jeudi 16 février")},
        {"id": "t2", "type": "DURATION", "value": "PT3H", **t.at("trois heures")},
        {"id": "t3", "type": "DATE", "value": "2017", **t.at("2017")}])
    pred = Prediction(doc.id, 1, timexes=[
        TimexUnit(*sp(t, "Jeudi 16 février"), "DATE", "2017-02-16"),  # right, right value
        TimexUnit(*sp(t, "trois heures"), "DATE", "PT3H"),            # wrong type, right value
        TimexUnit(*sp(t, "2017"), "DATE", "2018"),                    # right type, wrong value
        TimexUnit(*sp(t, "16 février"), "DATE", "2017-02-16")])       # overlaps t1 only
    s = score_document(doc, pred, {"timexes"}).scores["timexes"]
    assert s.strict.overall == Counts(tp=2, fp=2, fn=1)
    assert s.partial.overall == Counts(tp=2, fp=2, fn=1)   # one-to-one: the extra overlap of t1 is an FP
    assert s.strict.types() == {"DATE": Counts(2, 2, 0), "DURATION": Counts(0, 0, 1)}
    assert (s.value.correct, s.value.matched) == (2, 3)      # on spans predicted exactly, type ignored


def test_event_triggers_and_arguments_by_hand() -> None:
    t = Text("Le général Smith a rencontré son homologue jeudi pour parler de la Syrie et appeler Moscou.")
    doc = t.doc(
        entities=[{"id": "e1", "type": "PER", "kb": None, "mentions": [
                      {**t.at("Smith"), "kind": "NAM"}, {**t.at("son homologue"), "kind": "NOM"}]},
                  {"id": "e2", "type": "GPE", "kb": None, "mentions": [{**t.at("Moscou"), "kind": "NAM"}]},
                  {"id": "e3", "type": "GPE", "kb": None, "mentions": [{**t.at("Syrie"), "kind": "NAM"}]}],
        timexes=[{"id": "t1", "type": "DATE", "value": "2017-02-16", **t.at("jeudi")}],
        events=[{"id": "v1", "type": "CONTACT.MEET", "trigger": t.at("rencontré"), "modality": "asserted",
                 "kb": None, "arguments": [{"role": "participant", "ref": "e1"}, {"role": "time", "ref": "t1"},
                                           {"role": "topic", **t.at("la Syrie")}]},
                {"id": "v2", "type": "CONTACT.CALL", "trigger": t.at("appeler"), "modality": "planned",
                 "kb": None, "arguments": []}])
    meet, call = sp(t, "rencontré"), sp(t, "appeler")
    pred = Prediction(doc.id, 1, events=[
        PEvent(meet, "CONTACT.MEET", (
            ("participant", sp(t, "son homologue")),   # a NOM mention of e1: right
            ("participant", sp(t, "Smith")),           # e1 again: the gold argument is already credited
            ("time", sp(t, "jeudi")),                  # right
            ("place", sp(t, "la Syrie")),              # wrong role
            ("topic", sp(t, "Syrie")))),               # overlaps the span argument: partial only
        PEvent(call, "CONTACT.MEET", (("participant", sp(t, "Smith")),)),   # trigger right, type wrong
        PEvent(sp(t, "parler"), "CONTACT.CALL", ())])
    s = score_document(doc, pred, {"events"}).scores
    assert s["event_triggers"].strict.overall == Counts(tp=2, fp=1, fn=0)
    assert s["event_triggers"].strict.per_type == ()
    assert s["event_types"].strict.overall == Counts(tp=1, fp=2, fn=1)
    assert s["event_types"].strict.types() == {"CONTACT.MEET": Counts(1, 1, 0), "CONTACT.CALL": Counts(0, 1, 1)}
    args = s["event_arguments"]
    assert args.strict.overall == Counts(tp=2, fp=4, fn=1)
    assert args.strict.types() == {"participant": Counts(1, 2, 0), "place": Counts(0, 1, 0),
                                   "time": Counts(1, 0, 0), "topic": Counts(0, 1, 1)}
    assert args.partial.overall == Counts(tp=3, fp=3, fn=0)


def attribution_doc() -> tuple[Text, Document]:
    t = Text("« Nous partons », a déclaré le général Smith. Selon Moscou, la réunion aura lieu : bientôt.")
    doc = t.doc(
        entities=[{"id": "e1", "type": "PER", "kb": None, "mentions": [
                      {**t.at("Smith"), "kind": "NAM"}, {**t.at("le général Smith"), "kind": "NOM"}]},
                  {"id": "e2", "type": "GPE", "kb": None, "mentions": [{**t.at("Moscou"), "kind": "NAM"}]}],
        attributions=[
            {"id": "a1", "type": "direct", "source": {"ref": "e1"}, "cue": t.at("a déclaré"),
             "content": [t.at("Nous partons")], "nested_in": None},
            {"id": "a2", "type": "indirect", "source": {"ref": "e2"}, "cue": t.at("Selon"),
             "content": [t.at("la réunion aura lieu")], "nested_in": None}])
    return t, doc


def test_attributions_by_hand() -> None:
    t, doc = attribution_doc()
    pred = Prediction(doc.id, 1, attributions=[
        # cue shares the token "déclaré"; source overlaps the mentions of e1; content exact
        PredAttr(sp(t, "déclaré"), "direct", sp(t, "général Smith"), frozenset({sp(t, "Nous partons")})),
        # cue and source exact; content half; type wrong
        PredAttr(sp(t, "Selon"), "direct", sp(t, "Moscou"), frozenset({sp(t, "la réunion")})),
        # spurious: no source, cue inside a2's content
        PredAttr(sp(t, "lieu"), None, None, frozenset({sp(t, "Nous")}))])
    s = score_document(doc, pred, {"attributions"}).scores
    cues, sources, contents = s["attribution_cues"], s["attribution_sources"], s["attribution_contents"]
    assert cues.strict.overall == Counts(tp=1, fp=2, fn=1)
    assert cues.partial.overall == Counts(tp=2, fp=1, fn=0)
    # per type the attribution type must match too
    assert cues.strict.types() == {"direct": Counts(0, 2, 1), "indirect": Counts(0, 0, 1)}
    assert cues.partial.types() == {"direct": Counts(1, 1, 0), "indirect": Counts(0, 0, 1)}
    assert sources.strict.overall == Counts(tp=1, fp=1, fn=1)   # predictions without a source are not counted
    assert sources.partial.overall == Counts(tp=2, fp=0, fn=0)
    assert contents.strict.overall == Counts(tp=0, fp=3, fn=2)
    assert contents.partial.overall == Counts(tp=2, fp=1, fn=0)
    # tokens: (a1,p1) share {Nous, partons}, (a2,p2) share {la, réunion}; p3 adds {Nous}; gold has 6
    assert contents.tokens == Counts(tp=4, fp=1, fn=2)


def test_token_overlap_definition() -> None:
    text = "l'OTAN a dit : « non »."
    idx = TokenIndex.of(text)
    words = [text[idx.starts[i]:idx.ends[i]] for i in sorted(idx.tokens([(0, len(text))]))]
    assert words == ["l", "OTAN", "a", "dit", "non"]                 # punctuation is not a word token
    assert idx.tokens([(2, 4)]) == idx.tokens([(3, 6)])             # sharing one character is enough
    colon = text.index(":")
    assert len(idx.tokens([(colon, colon + 1)])) == 1                # a punctuation-only span keeps its token
    assert not idx.tokens([(colon, colon + 1)]) & idx.tokens([(0, colon)])
    assert not idx.tokens([(1, 2)]) & idx.tokens([(0, 1)])           # "'" does not overlap "l"
    assert not idx.tokens([(6, 9)]) & idx.tokens([(9, 12)])          # " a " and "dit": adjacent, no overlap


def test_counts_undefined_ratios() -> None:
    assert (Counts().precision, Counts().recall, Counts().f1) == (None, None, None)
    assert Counts(fn=3).to_json() == {"precision": None, "recall": 0.0, "f1": 0.0, "tp": 0, "fp": 0, "fn": 3}
    assert Counts(fp=2).recall is None and Counts(fp=2).precision == 0.0


# --------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------

C = "2015-09-19-fixture-carter-choigou-telephone"   # text starts with "Ashton Carter"
A = "2017-02-16-fixture-dunford-gerasimov-bakou"


def ent(**item) -> str:
    return json.dumps({"doc_id": A, "entities": [{"start": 0, "end": 5, "type": "PER", **item}]})


BAD_LINES = [
    ('{"doc_id": "x", "entities": [}', "malformed JSON"),
    ("[1, 2]", "expected an object"),
    ('"just a string"', "expected an object"),
    ('{"entities": []}', "missing or non-string 'doc_id'"),
    ('{"doc_id": 7}', "missing or non-string 'doc_id'"),
    ('{"doc_id": "2099-01-01-nowhere", "entities": []}', "unknown doc_id '2099-01-01-nowhere'"),
    ('{"doc_id": "../../etc/passwd"}', "unknown doc_id"),
    (json.dumps({"doc_id": C}), f"duplicate doc_id '{C}' (first at line 1)"),
    ('{"doc_id": "%s", "doc_id": "%s"}' % (A, A), "duplicate key 'doc_id'"),
    (json.dumps({"doc_id": A, "entity": []}), "unknown key 'entity'"),
    (json.dumps({"doc_id": A, "entities": None}), "entities: expected a list"),
    (json.dumps({"doc_id": A, "entities": {"start": 0}}), "entities: expected a list"),
    (json.dumps({"doc_id": A, "entities": [[0, 5, "PER"]]}), "entities[0]: expected an object"),
    (ent(start=1.5), "entities[0].start: expected an integer offset, got 1.5"),
    (ent(start=0.0), "entities[0].start: expected an integer offset, got 0.0"),
    (ent(start=True), "entities[0].start: expected an integer offset, got true"),
    (ent(end="5"), 'entities[0].end: expected an integer offset, got "5"'),
    (ent(start=None), "entities[0].start: expected an integer offset, got null"),
    (json.dumps({"doc_id": A, "entities": [{"start": 0, "type": "PER"}]}), "entities[0]: missing 'end'"),
    (ent(start=10, end=5), "entities[0]: span [10, 5) is reversed or empty"),
    (ent(start=5, end=5), "entities[0]: span [5, 5) is reversed or empty"),
    (ent(start=-1), "entities[0]: span [-1, 5) is outside the text"),
    (ent(end=100000), "entities[0]: span [0, 100000) is outside the text (length"),
    (ent(type="PERSON"), 'entities[0].type: "PERSON" is not one of PER, ORG'),
    (ent(type="B-PER"), 'entities[0].type: "B-PER" is not one of'),
    (json.dumps({"doc_id": A, "entities": [{"start": 0, "end": 5}]}), "entities[0].type: null is not one of"),
    (ent(text="Obama"), 'entities[0].text "Obama" does not match the text at [0, 5): "Accue"'),
    ('{"doc_id": "%s", "entities": [{"start": NaN, "end": 5, "type": "PER"}]}' % A, "NaN is not valid JSON"),
    (json.dumps({"doc_id": A, "timexes": [{"start": 0, "end": 5, "type": "DATE", "value": 2017}]}),
     "timexes[0].value: expected a string or null"),
    (json.dumps({"doc_id": A, "timexes": [{"start": 0, "end": 5, "type": "MONTH"}]}), "timexes[0].type"),
    (json.dumps({"doc_id": A, "events": [{"type": "CONTACT.MEET"}]}), "events[0]: missing 'trigger'"),
    (json.dumps({"doc_id": A, "events": [{"trigger": {"start": 0, "end": 5}, "type": "MEETING"}]}),
     "events[0].type"),
    (json.dumps({"doc_id": A, "events": [{"trigger": {"start": 0, "end": 5}, "type": "CONTACT.MEET",
                                          "arguments": [{"role": "who", "start": 0, "end": 5}]}]}),
     "events[0].arguments[0].role"),
    (json.dumps({"doc_id": A, "events": [{"trigger": {"start": 0, "end": 5}, "type": "CONTACT.MEET",
                                          "arguments": [{"role": "place", "ref": "e1"}]}]}),
     "events[0].arguments[0]: missing 'start'"),
    (json.dumps({"doc_id": A, "events": [{"trigger": {"start": 9, "end": 3}, "type": "CONTACT.MEET"}]}),
     "events[0].trigger: span [9, 3) is reversed"),
    (json.dumps({"doc_id": A, "attributions": [{"content": []}]}), "attributions[0]: missing 'cue'"),
    (json.dumps({"doc_id": A, "attributions": [{"cue": {"start": 0, "end": 5},
                                                "content": [{"start": 0, "end": 99999}]}]}),
     "attributions[0].content[0]: span [0, 99999) is outside the text"),
    (json.dumps({"doc_id": A, "attributions": [{"cue": {"start": 0, "end": 5}, "type": "quoted"}]}),
     "attributions[0].type"),
]


@pytest.mark.parametrize("line, message", BAD_LINES, ids=[m[:40] for _, m in BAD_LINES])
def test_bad_prediction_line_is_reported_with_its_line(tmp_path: Path, capsys, line: str, message: str) -> None:
    """Line 1 is valid, line 2 blank (skipped), line 3 holds the mistake."""
    path = tmp_path / "pred.jsonl"
    path.write_text(json.dumps({"doc_id": C, "entities": [{"start": 0, "end": 13, "type": "PER"}]})
                    + "\n\n" + line + "\n", encoding="utf-8")
    code, out, err = run_cli(["evaluate", str(path), str(CORPUS)], capsys)
    assert code == 1
    assert out == ""  # never a score computed from a misread file
    assert "Traceback" not in err
    errors = [ln for ln in err.splitlines() if ln.startswith(f"{path}:")]
    assert len(errors) == 1, err
    assert errors[0].startswith(f"{path}:3: "), errors[0]
    assert message in errors[0], errors[0]
    assert err.splitlines()[-1].endswith("is invalid; nothing was scored")


def test_every_bad_line_is_reported(tmp_path: Path, capsys) -> None:
    path = tmp_path / "pred.jsonl"
    path.write_text("\n".join([ent(start=-3), "nonsense", ent(type="PERSON")]) + "\n", encoding="utf-8")
    code, _, err = run_cli(["evaluate", str(path), str(CORPUS), "--format", "json"], capsys)
    assert code == 1
    assert [ln.split(": ")[0] for ln in err.splitlines()[:3]] == [f"{path}:1", f"{path}:2", f"{path}:3"]


def test_non_utf8_and_bom(tmp_path: Path, corpus_docs, capsys) -> None:
    good = json.dumps(gold_line(corpus_docs[0]), ensure_ascii=False).encode()
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(good + b"\n" + b'{"doc_id": "caf\xe9"}\n')
    code, _, err = run_cli(["evaluate", str(bad), str(CORPUS)], capsys)
    assert code == 1 and f"{bad}:2: not valid UTF-8" in err
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + good + b"\n")
    assert run_cli(["evaluate", str(bom), str(CORPUS)], capsys)[0] == 0


def test_usage_errors_exit_2(tmp_path: Path, capsys) -> None:
    empty = tmp_path / "e.jsonl"
    empty.write_text("")
    code, _, err = run_cli(["evaluate", str(tmp_path / "missing.jsonl"), str(CORPUS)], capsys)
    assert code == 2 and "cannot read" in err
    code, _, err = run_cli(["evaluate", str(empty), str(CORPUS), "--split", "nope"], capsys)
    assert code == 2 and "unknown split 'nope'" in err and "test" in err
    code, _, err = run_cli(["evaluate", str(empty), str(tmp_path)], capsys)
    assert code == 2 and "no annotations/" in err
    with pytest.raises(SystemExit) as exc:
        cli.main(["evaluate", str(empty), "--format", "xml"])
    assert exc.value.code == 2


def test_invalid_gold_is_exit_1_without_traceback(tmp_path: Path, capsys) -> None:
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, root)
    victim = next((root / "corpus").glob("*.txt"))
    victim.write_text(victim.read_text(encoding="utf-8") + "changed", encoding="utf-8")
    empty = tmp_path / "e.jsonl"
    empty.write_text("")
    code, out, err = run_cli(["evaluate", str(empty), str(root)], capsys)
    assert code == 1 and out == "" and "gold corpus is invalid" in err and "Traceback" not in err

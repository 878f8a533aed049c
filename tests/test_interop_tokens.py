"""spaCy DocBin and CoNLL-2003 exports (issue #14), checked with spaCy, seqeval and datasets."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from milcontacts.cli import main
from milcontacts.interop.conll import CONLL
from milcontacts.model import iter_documents, load_splits

from test_interop_brat import REPO

# spaCy's `debug data` calls fewer than this many training examples an error
# ("Low number of examples to train a new pipeline"): a property of a small
# corpus, not of the files, accepted only while the corpus is that small.
SPACY_MIN_TRAIN_EXAMPLES = 100


@pytest.fixture(scope="module")
def spacy_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("spacy")
    assert main(["export", "--to", "spacy", "--out", str(out), str(REPO)]) == 0
    return out


@pytest.fixture(scope="module")
def conll_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("conll")
    assert main(["export", "--to", "conll", "--out", str(out), str(REPO)]) == 0
    return out


def name_mentions(doc, skip_boilerplate: bool = False):
    out = []
    for e in doc.entities:
        for m in e.mentions:
            zone = doc.zone_of(m.start)
            if m.kind == "NAM" and not (skip_boilerplate and zone is not None and zone.type == "boilerplate"):
                out.append((m.start, m.end, e.type))
    return sorted(out)


def test_docbin_holds_every_layer_of_every_document(spacy_out: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("fr")
    splits = load_splits(REPO)
    for split, ids in splits.items():
        docs = {d.user_data["doc_id"]: d for d in DocBin().from_disk(spacy_out / f"{split}.spacy").get_docs(nlp.vocab)}
        assert sorted(docs) == sorted(ids)
        for gold in iter_documents(REPO, ids):
            doc = docs[gold.id]
            assert doc.text == gold.text
            assert sorted((s.start_char, s.end_char, s.label_) for s in doc.ents) == name_mentions(gold)
            assert sorted((s.start_char, s.end_char, s.label_, s.kb_id_) for s in doc.spans["mentions"]) == \
                sorted((m.start, m.end, e.type, e.kb or "") for e in gold.entities for m in e.mentions)
            assert sorted((s.start_char, s.end_char, s.label_) for s in doc.spans["timexes"]) == \
                sorted((t.start, t.end, t.type) for t in gold.timexes)
            assert sorted((s.start_char, s.end_char, s.label_) for s in doc.spans["triggers"]) == \
                sorted((v.trigger.start, v.trigger.end, v.type) for v in gold.events)
            assert sorted((s.start_char, s.end_char, s.label_) for s in doc.spans["cues"]) == \
                sorted((a.cue.start, a.cue.end, a.type) for a in gold.attributions)
            assert len(doc.spans["contents"]) == sum(len(a.content) for a in gold.attributions)


def test_spacy_debug_data_accepts_the_files(spacy_out: Path) -> None:
    res = subprocess.run([sys.executable, "-m", "spacy", "debug", "data", str(spacy_out / "config.cfg"),
                          "--paths.train", str(spacy_out / "train.spacy"),
                          "--paths.dev", str(spacy_out / "validation.spacy")],
                         capture_output=True, text=True, timeout=600)
    out = re.sub(r"\x1b\[[0-9;]*m", "", res.stdout)
    assert "Corpus is loadable" in out, out + res.stderr
    errors = [line for line in out.splitlines() if line.startswith("✘") and " error" not in line]
    train_docs = len(load_splits(REPO)["train"])
    allowed = ["✘ Low number of examples to train a new pipeline"] if train_docs < SPACY_MIN_TRAIN_EXAMPLES else []
    assert [e for e in errors if not any(e.startswith(a) for a in allowed)] == [], out
    assert "No entities crossing sentence boundaries" in out or "entities crossing" not in out
    assert "Span Categorization" in out


def read_conll(path: Path) -> list[list[tuple[str, str]]]:
    sents, cur = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if cur:
                sents.append(cur)
            cur = []
        elif not line.startswith("-DOCSTART-"):
            parts = line.split()
            assert len(parts) == 4, line
            cur.append((parts[0], parts[3]))
    return sents + ([cur] if cur else [])


@pytest.mark.parametrize("label_set", ["fine", "conll"])
def test_conll_files_are_strict_iob2_for_seqeval_with_every_name(conll_out: Path, label_set: str) -> None:
    from seqeval.metrics import classification_report
    from seqeval.metrics.sequence_labeling import get_entities
    from seqeval.scheme import IOB2, Entities

    for split, ids in load_splits(REPO).items():
        sents = read_conll(conll_out / f"{split}.{label_set}.conll")
        tags = [[t for _, t in s] for s in sents]
        strict = Entities(tags, IOB2).entities
        gold = [n for doc in iter_documents(REPO, ids) for n in name_mentions(doc, skip_boilerplate=True)]
        assert sum(map(len, strict)) == len(get_entities(tags)) == len(gold)
        want = {CONLL[t] if label_set == "conll" else t for _, _, t in gold}
        assert {e.tag for s in strict for e in s} == want
        classification_report(tags, tags, mode="strict", scheme=IOB2)  # raises on a tag outside the scheme


def test_conll_tokens_spell_out_the_names(conll_out: Path) -> None:
    from seqeval.metrics.sequence_labeling import get_entities

    for split, ids in load_splits(REPO).items():
        sents = read_conll(conll_out / f"{split}.fine.conll")
        toks = [t for s in sents for t, _ in s]
        found = sorted("".join(toks[a:b + 1]) for _, a, b in get_entities([t for s in sents for _, t in s]))
        gold = sorted(re.sub(r"\s", "", doc.text[a:b])
                      for doc in iter_documents(REPO, ids) for a, b, _ in name_mentions(doc, skip_boilerplate=True))
        assert found == gold


def test_datasets_conll_loader_reads_every_split(conll_out: Path, tmp_path: Path) -> None:
    from datasets import load_dataset

    splits = load_splits(REPO)
    for label_set in ("fine", "conll"):
        ds = load_dataset("conll", data_files={s: str(conll_out / f"{s}.{label_set}.conll") for s in splits},
                          column_names=["tokens", "pos_tags", "chunk_tags", "ner_tags"], cache_dir=str(tmp_path))
        for split in splits:
            sents = read_conll(conll_out / f"{split}.{label_set}.conll")
            assert ds[split]["tokens"] == [[t for t, _ in s] for s in sents]
            assert ds[split]["ner_tags"] == [[t for _, t in s] for s in sents]

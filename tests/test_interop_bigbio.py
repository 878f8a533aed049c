"""BigBio KB schema export (issue #14), checked with the assertions of BigBio's hub test.

The checks below are those of ``tests/test_bigbio_hub.py`` in
github.com/bigscience-workshop/biomedical (commit 913327733b08, 2024-12-09),
run on the exported Parquet loaded with ``datasets``: globally unique ids,
referenced ids that exist, passage / entity / trigger texts equal to the text
at their offsets in the passages joined by one space, coreference ids that
are entities, no multi-label types or db ids, and features equal to
``bigbiohub.kb_features`` (recorded in tests/data/interop/bigbio_kb_features.json
from that commit).  Where BigBio only warns (offsets, references), this test
fails: a conversion of ours has no excuse.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from milcontacts.cli import main
from milcontacts.interop.bigbio import kb_features, to_bigbio_kb
from milcontacts.model import iter_documents, load_splits

from test_interop_brat import REPO

DATA = Path(__file__).resolve().parent / "data"
CONNECTORS = re.compile(r"\+|\,|\||\;")  # BigBio's _CONNECTORS


@pytest.fixture(scope="module", params=["export", "hub-folder"])
def dataset(request, tmp_path_factory):
    """The same assertions on ``milcontacts export --to bigbio`` and on the `bigbio_kb`
    config of the folder ``milcontacts build`` writes (loaded as a user of the Hub would)."""
    from datasets import load_dataset

    cache = str(tmp_path_factory.mktemp("cache"))
    if request.param == "hub-folder":
        built = request.getfixturevalue("built_real")  # the one shared build of the real corpus (conftest)
        return load_dataset(str(built), "bigbio_kb", cache_dir=cache)
    out = tmp_path_factory.mktemp("bigbio")
    assert main(["export", "--to", "bigbio", "--out", str(out), str(REPO)]) == 0
    files = {s: str(out / "bigbio_kb" / f"{s}.parquet") for s in load_splits(REPO)}
    return load_dataset("parquet", data_files=files, cache_dir=cache)


def example_text(example: dict) -> str:
    return " ".join(t for p in example["passages"] for t in p["text"])


def test_features_equal_bigbio_kb_schema(dataset) -> None:
    from datasets import Features

    recorded = Features.from_dict(json.loads((DATA / "interop" / "bigbio_kb_features.json").read_text())["features"])
    assert kb_features() == recorded
    for split in dataset.values():
        assert split.info.features == recorded


def _ids(obj, seen: set, dupes: list) -> None:
    """BigBio's _assert_ids_globally_unique: every `id` value anywhere in an example."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, (dict, list)):
                _ids(v, seen, dupes)
            elif k == "id":
                if v in seen:
                    dupes.append(v)
                seen.add(v)
    elif isinstance(obj, list):
        for x in obj:
            _ids(x, seen, dupes)


def test_ids_are_globally_unique(dataset) -> None:
    for split in dataset.values():
        seen: set = set()
        dupes: list = []
        for example in split:
            _ids(example, seen, dupes)
        assert dupes == []


def test_referenced_ids_exist(dataset) -> None:
    for split in dataset.values():
        for ex in split:
            entities = {e["id"] for e in ex["entities"]}
            events = {e["id"] for e in ex["events"]}
            for ev in ex["events"]:
                for arg in ev["arguments"]:
                    assert arg["ref_id"] in entities | events
            for coref in ex["coreferences"]:
                assert set(coref["entity_ids"]) <= entities


def test_passage_entity_and_trigger_texts_are_at_their_offsets(dataset) -> None:
    for split in dataset.values():
        for ex in split:
            text = example_text(ex)
            for p in ex["passages"]:
                assert len(p["text"]) == 1 and len(p["offsets"]) == 1
                (start, end), = p["offsets"]
                assert text[start:end] == p["text"][0]
            for span in [e for e in ex["entities"]] + [e["trigger"] for e in ex["events"]]:
                assert all(len(o) == 2 for o in span["offsets"])
                assert len(span["text"]) == len(span["offsets"]) >= 1
                assert [text[a:b] for a, b in span["offsets"]] == span["text"]


def test_no_multilabel_types_or_db_values(dataset) -> None:
    for split in dataset.values():
        for ex in split:
            for feature in ("passages", "entities", "events"):
                assert not any(CONNECTORS.search(x["type"]) for x in ex[feature])
            for e in ex["entities"]:
                for norm in e["normalized"]:
                    assert not CONNECTORS.search(norm["db_name"]) and not CONNECTORS.search(norm["db_id"])


def test_every_layer_is_there_with_the_counts_of_the_corpus(dataset) -> None:
    """NER, NED, coreference and event extraction: the features BigBio requires are filled as the data says."""
    for name, ids in load_splits(REPO).items():
        docs = list(iter_documents(REPO, ids))
        rows = list(dataset[name])
        assert sorted(r["document_id"] for r in rows) == sorted(ids)
        assert sum(len(r["passages"]) for r in rows) == sum(len(d.zones) for d in docs)
        spans = sum(len(e.mentions) for d in docs for e in d.entities) + sum(len(d.timexes) for d in docs) \
            + sum(a.span is not None for d in docs for v in d.events for a in v.arguments) \
            + sum((a.source_span is not None) + len(a.content) for d in docs for a in d.attributions)
        assert sum(len(r["entities"]) for r in rows) == spans
        assert sum(len(r["events"]) for r in rows) == sum(len(d.events) + len(d.attributions) for d in docs)
        assert sum(len(e["normalized"]) > 0 for r in rows for e in r["entities"]) == \
            sum(len(e.mentions) for d in docs for e in d.entities if e.kb) + \
            sum(t.value is not None for d in docs for t in d.timexes)
        chains = 0
        for d in docs:  # mentions sharing a kb id (or, without one, an entity): one chain when two or more
            sizes: dict[str, int] = {}
            for e in d.entities:
                sizes[e.kb or e.id] = sizes.get(e.kb or e.id, 0) + len(e.mentions)
            chains += sum(n > 1 for n in sizes.values())
        assert sum(len(r["coreferences"]) for r in rows) == chains


def test_timex_values_and_kb_ids_are_normalizations() -> None:
    doc = next(iter_documents(REPO))
    row = to_bigbio_kb(doc, {})
    timex = next(e for e in row["entities"] if e["type"].startswith("TIMEX."))
    gold = next(t for t in doc.timexes if f"-{t.id}" == timex["id"][len(doc.id):])
    assert timex["normalized"] == ([{"db_name": "TIMEX3", "db_id": gold.value}] if gold.value else [])
    linked = next(e for e in doc.entities if e.kb)
    assert {"db_name": "milcontacts", "db_id": linked.kb} in \
        next(e for e in row["entities"] if e["id"] == f"{doc.id}-{linked.id}-m1")["normalized"]

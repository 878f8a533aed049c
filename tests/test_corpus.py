"""The corpus itself: completeness and consistency a user of the data relies on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from milcontacts.model import document_ids, iter_documents, load_kb_data, load_splits

REPO = Path(__file__).resolve().parent.parent
DOCS = list(iter_documents(REPO))
ALLOW = yaml.safe_load((REPO / "annotations" / "allowlist.yaml").read_text(encoding="utf-8"))["allow"] \
    if (REPO / "annotations" / "allowlist.yaml").is_file() else []


def allowed(doc_id: str, text: str, start: int) -> bool:
    return any(a["doc"] == doc_id and a["code"] == "W001" and a["subject"] == f"{text}@{start}" for a in ALLOW)


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.id)
def test_every_occurrence_of_an_annotated_name_is_annotated(doc):
    """Independent of the validator's W001: regex word boundaries over the raw text."""
    boiler = [(z.start, z.end) for z in doc.zones if z.type == "boilerplate"]
    names = doc.name_mentions()
    covered = [(m.start, m.end) for m, _ in names]
    missing = []
    for text in sorted({m.text for m, _ in names}):
        for hit in re.finditer(rf"(?<!\w){re.escape(text)}(?!\w)", doc.text):
            s, e = hit.span()
            token = doc.text[max(doc.text.rfind(" ", 0, s), doc.text.rfind("\n", 0, s)) + 1:s]
            if "://" in token:  # inside a URL: never a name (guidelines §3)
                continue
            if any(a < e and s < b for a, b in boiler + covered):
                continue
            if not allowed(doc.id, text, s):
                missing.append((text, s))
    assert missing == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.id)
def test_checked_documents_are_complete(doc):
    assert doc.review["status"] == "checked"
    assert doc.review["passes"] >= 2
    notes = REPO / doc.review["adjudication"]
    assert notes.is_file() and notes.stat().st_size > 200
    assert doc.entities and doc.timexes and doc.events and doc.attributions
    assert (REPO / "annotations" / "passes" / "a" / f"{doc.id}.yaml").is_file()
    assert (REPO / "annotations" / "passes" / "b" / f"{doc.id}.yaml").is_file()


def test_every_annotated_document_is_in_exactly_one_split():
    splits = load_splits(REPO)
    ids = [d for docs in splits.values() for d in docs]
    assert sorted(ids) == sorted(document_ids(REPO))


def test_no_story_straddles_two_splits():
    split_of = {d: name for name, docs in load_splits(REPO).items() for d in docs}
    story_splits: dict[str, set[str]] = {}
    for doc in DOCS:
        story = doc.meta.get("story")
        assert story, f"{doc.id} has no document.story"
        story_splits.setdefault(story, set()).add(split_of[doc.id])
    assert all(len(s) == 1 for s in story_splits.values()), story_splits


def test_cross_document_events_share_kb_ids():
    """The Baku meeting (two texts) and the September 2015 Carter–Shoigu contacts (two texts)."""
    by_kb: dict[str, set[str]] = {}
    for doc in DOCS:
        for ev in doc.events:
            if ev.kb:
                by_kb.setdefault(ev.kb, set()).add(doc.id)
    assert len(by_kb["meeting-bakou-2017-02-16"]) == 2
    assert len(by_kb["call-carter-choigou-2015-09-18"]) == 2


def test_no_wikidata_id_is_guessed():
    kb = load_kb_data(REPO)
    unchecked = [e["id"] for layer in ("entities", "events") for e in kb[layer]
                 if e.get("wikidata") and "checked" not in e.get("description", "")]
    assert unchecked == [], "a Wikidata id needs a description saying how it was checked"


def test_kb_entries_are_all_used():
    kb = load_kb_data(REPO)
    used = {e.kb for d in DOCS for e in d.entities} | {v.kb for d in DOCS for v in d.events} \
        | {d.meta.get("story") for d in DOCS}
    unused = sorted(e["id"] for layer in ("entities", "events") for e in kb[layer] if e["id"] not in used)
    assert unused == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.id)
def test_raw_text_is_the_received_file_byte_for_byte(doc):
    """corpus/<id>.txt is the seed it was received as (document.source_file), unchanged."""
    seeds = REPO.parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("the received files (../shared/seeds) are not beside this checkout")
    received = (seeds / doc.meta["source_file"]).read_bytes()
    assert (REPO / "corpus" / f"{doc.id}.txt").read_bytes() == received

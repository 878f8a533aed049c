"""``milcontacts build``: the hub-ready folder (Parquet, card, Croissant, loading script).

The mini corpus (tests/data/mini_corpus, three documents with every layer) is
built once per test session; the real corpus root once too.  Everything runs
offline: nothing may reach a hub.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

import json  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Iterator  # noqa: E402

import pytest  # noqa: E402
import yaml  # noqa: E402

from milcontacts import build as mbuild  # noqa: E402
from milcontacts.cli import main  # noqa: E402
from milcontacts.model import iter_documents, load_splits  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "data" / "mini_corpus"
CONFIGS = ("documents", "ner", "events", "attributions")
BAKOU = "2017-02-16-exemple-dunford-guerassimov-bakou"


@pytest.fixture(scope="session")
def hf_cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("hf-cache"))


def load(folder: Path, config: str, cache: str, **kwargs: Any) -> Any:
    from datasets import load_dataset

    return load_dataset(str(folder), config, cache_dir=cache, **kwargs)


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def mini_copy(tmp_path: Path) -> Path:
    root = tmp_path / "corpus-root"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


# --------------------------------------------------------------------------
# Layout and card
# --------------------------------------------------------------------------

def test_folder_layout(built: Path) -> None:
    splits = load_splits(MINI)
    for name in ("README.md", "croissant.json", "LICENSE.md", "milcontacts_fr.py", "data/splits.yaml",
                 "data/annotations/kb.yaml"):
        assert (built / name).is_file(), name
    for ids in splits.values():
        for doc_id in ids:
            assert (built / "data" / "annotations" / f"{doc_id}.yaml").read_bytes() == \
                (MINI / "annotations" / f"{doc_id}.yaml").read_bytes()
            assert (built / "data" / "corpus" / f"{doc_id}.txt").read_bytes() == \
                (MINI / "corpus" / f"{doc_id}.txt").read_bytes()
    assert (built / "milcontacts_fr.py").read_bytes() == (REPO / "scripts" / "milcontacts_fr.py").read_bytes()
    for config in CONFIGS:
        names = sorted(p.name for p in (built / config).iterdir())
        assert names == [f"{s}-00000-of-00001.parquet" for s in sorted(splits)], names
    assert not [p for p in built.parent.iterdir() if p.name.startswith(".")], "temporary folders left behind"


def front_matter(folder: Path) -> dict[str, Any]:
    text = (folder / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n", 2)[1])


def test_card_front_matter(built: Path) -> None:
    from datasets import Features

    meta = front_matter(built)
    assert meta["license"] == "other" and meta["language"] == ["fr"]
    assert "token-classification" in meta["task_categories"]
    assert "named-entity-recognition" in meta["task_ids"]
    assert (built / meta["license_link"]).is_file()
    splits = list(load_splits(MINI))
    module = mbuild.load_script()
    assert [c["config_name"] for c in meta["configs"]] == list(CONFIGS)
    for entry in meta["configs"]:
        assert [d["split"] for d in entry["data_files"]] == splits
        for d in entry["data_files"]:
            assert all((built / p).is_file() for p in d["path"])
    infos = {i["config_name"]: i for i in meta["dataset_info"]}
    assert set(infos) == set(CONFIGS)
    for config, info in infos.items():
        assert Features._from_yaml_list(info["features"]) == module.features(config)
        assert [s["name"] for s in info["splits"]] == splits
    body = (built / "README.md").read_text(encoding="utf-8")
    assert "CC-BY-4.0" in body and "third-party" in body
    assert "trust_remote_code=True" in body


@pytest.mark.filterwarnings("ignore")  # rdflib/pandas deprecation noise inside mlcroissant
def test_croissant_validates_offline(built: Path) -> None:
    import mlcroissant as mlc

    dataset = mlc.Dataset(jsonld=str(built / "croissant.json"))  # raises ValidationError on any error
    assert not dataset.metadata.ctx.issues.errors
    record_sets = {rs.uuid for rs in dataset.metadata.record_sets}
    assert set(CONFIGS) <= record_sets
    # The Parquet files are really reachable through the metadata (flat config).
    ner_rows = sum(1 for _ in dataset.records("ner"))
    assert ner_rows == sum(s["num_examples"] for i in front_matter(built)["dataset_info"]
                           if i["config_name"] == "ner" for s in i["splits"])


# --------------------------------------------------------------------------
# Loading with datasets 5.x
# --------------------------------------------------------------------------

def test_every_config_and_split_loads(built: Path, hf_cache: str) -> None:
    splits = load_splits(MINI)
    module = mbuild.load_script()
    for config in CONFIGS:
        ds = load(built, config, hf_cache)
        assert list(ds) == list(splits), config
        for split in splits:
            assert ds[split].features == module.features(config)
            assert ds[split].num_rows > 0, (config, split)
    docs = load(built, "documents", hf_cache)
    for split, ids in splits.items():
        assert docs[split]["id"] == sorted(ids)
        assert all(m["split"] == split for m in docs[split]["metadata"])


def iter_spans(row: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for z in row["zones"]:
        yield "zone", z
    for e in row["entities"]:
        for m in e["mentions"]:
            yield "mention", m
    for t in row["timexes"]:
        yield "timex", t
    for v in row["events"]:
        yield "trigger", v["trigger"]
        for a in v["arguments"]:
            assert (a["ref"] is None) != (a["start"] is None), a
            if a["start"] is not None:
                yield "argument", a
    for a in row["attributions"]:
        if a["source"]["start"] is not None:
            assert a["source"]["ref"] is None
            yield "source", a["source"]
        yield "cue", a["cue"]
        for c in a["content"]:
            yield "content", c


def check_documents(folder: Path, root: Path, cache: str) -> int:
    """Every span of every row is text[start:end]; layers equal the corpus API's view."""
    gold = {d.id: d for d in iter_documents(root)}
    seen = 0
    for split in load_splits(root):
        for row in load(folder, "documents", cache)[split]:
            doc = gold[row["id"]]
            assert row["text"] == doc.text
            for kind, span in iter_spans(row):
                assert row["text"][span["start"]:span["end"]] == span["text"], (row["id"], kind, span)
                seen += 1
            assert [(e["id"], e["type"], len(e["mentions"])) for e in row["entities"]] == \
                [(e.id, e.type, len(e.mentions)) for e in doc.entities]
            assert [v["id"] for v in row["events"]] == [v.id for v in doc.events]
            assert [a["id"] for a in row["attributions"]] == [a.id for a in doc.attributions]
            assert row["metadata"]["text_sha256"] == doc.meta["text_sha256"]
    return seen


def test_documents_spans_equal_text(built: Path, hf_cache: str) -> None:
    assert check_documents(built, MINI, hf_cache) > 50


def bio_spans(row: dict[str, Any], names: list[str]) -> list[tuple[int, int, str]]:
    """Decode BIO tags to (start, end, type) with the token offsets; I without B is an error."""
    spans: list[tuple[int, int, str]] = []
    for tag_id, start, end in zip(row["ner_tags"], row["token_starts"], row["token_ends"]):
        tag = names[tag_id]
        if tag.startswith("B-"):
            spans.append((start, end, tag[2:]))
        elif tag.startswith("I-"):
            assert spans and spans[-1][2] == tag[2:] and spans[-1][1] <= start, (row["id"], tag)
            spans[-1] = (spans[-1][0], end, spans[-1][2])
    return spans


def check_ner(folder: Path, root: Path, cache: str) -> int:
    ds = load(folder, "ner", cache)
    names = ds[next(iter(ds))].features["ner_tags"].feature.names
    docs = {d.id: d for d in iter_documents(root)}
    decoded: dict[str, list[tuple[int, int, str]]] = {d: [] for d in docs}
    for split in ds:
        for row in ds[split]:
            doc = docs[row["doc_id"]]
            zone = next(z for z in doc.zones if z.id == row["zone_id"])
            assert row["zone_type"] == zone.type != "boilerplate"
            assert zone.start <= row["token_starts"][0] and row["token_ends"][-1] <= zone.end
            for tok, a, b in zip(row["tokens"], row["token_starts"], row["token_ends"]):
                assert doc.text[a:b] == tok and tok.strip() == tok and tok
            sentence = (row["token_starts"][0], row["token_ends"][-1])
            got = bio_spans(row, names)
            gold = [(m.start, m.end, e.type) for m, e in doc.name_mentions()
                    if sentence[0] <= m.start < sentence[1]]
            assert got == gold, row["id"]
            decoded[row["doc_id"]].extend(got)
    total = 0
    for doc_id, doc in docs.items():  # every name outside boilerplate is in exactly one sentence
        zone_type = {z.id: z.type for z in doc.zones}
        gold = [(m.start, m.end, e.type) for m, e in doc.name_mentions()
                if zone_type[next(z.id for z in doc.zones if z.start <= m.start < z.end)] != "boilerplate"]
        assert sorted(decoded[doc_id]) == sorted(gold), doc_id
        total += len(gold)
    return total


def test_ner_bio_decodes_to_gold_names(built: Path, hf_cache: str) -> None:
    assert check_ner(built, MINI, hf_cache) > 20


def test_ner_tokenization_rules(built: Path, hf_cache: str) -> None:
    rows = [r for r in load(built, "ner", hf_cache)["train"] if r["doc_id"] == BAKOU]
    sentences = [" ".join(r["tokens"]) for r in rows]
    # The name glued to a date by spaCy ("Xinhua|16.02.2017") is split at the mention end.
    assert sentences[1].startswith("Xinhua |16.02.2017")
    # An opening « starts the sentence it opens; "M. Dunford" does not end a sentence at "M.".
    assert any(s.startswith("« Nous voulons") for s in sentences)
    assert any(s.startswith("M. Dunford doit") for s in sentences)
    # Boilerplate zones get no row.
    assert not any("Partager" in s or "Accueil" in s for s in sentences)


def test_events_and_attributions_resolve_references(built: Path, hf_cache: str) -> None:
    docs = {d.id: d for d in iter_documents(MINI)}
    events = load(built, "events", hf_cache)
    n = 0
    for split in events:
        for row in events[split]:
            doc = docs[row["doc_id"]]
            text = doc.text
            assert text[row["trigger"]["start"]:row["trigger"]["end"]] == row["trigger"]["text"]
            ctx = row["context"]
            assert ctx["start"] <= row["trigger"]["start"] and row["trigger"]["end"] <= ctx["end"]
            assert text[ctx["start"]:ctx["end"]] == ctx["text"]
            for arg in row["arguments"]:
                assert arg["kind"] in ("entity", "timex", "span")
                assert arg["mentions"], arg
                for m in arg["mentions"]:
                    assert text[m["start"]:m["end"]] == m["text"]
                if arg["kind"] == "entity":
                    assert len(arg["mentions"]) == len(doc.entity(arg["ref"]).mentions)
            n += 1
    assert n == sum(len(d.events) for d in docs.values())
    attributions = load(built, "attributions", hf_cache)
    rows = [r for s in attributions for r in attributions[s]]
    assert len(rows) == sum(len(d.attributions) for d in docs.values())
    kinds = {r["source"]["kind"] for r in rows}
    assert kinds == {"entity", "span"}
    assert any(r["nested_in"] for r in rows)


def test_streaming_yields_the_same_rows(built: Path, hf_cache: str) -> None:
    for config in CONFIGS:
        eager = load(built, config, hf_cache)
        streamed = load(built, config, hf_cache, streaming=True)
        for split in eager:
            assert list(streamed[split]) == eager[split].to_list(), (config, split)


def test_real_root_builds_and_loads(built_real: Path, hf_cache: str) -> None:
    splits = load_splits(REPO)
    for config in CONFIGS:
        ds = load(built_real, config, hf_cache)
        assert list(ds) == list(splits)
    check_documents(built_real, REPO, hf_cache)
    check_ner(built_real, REPO, hf_cache)


# --------------------------------------------------------------------------
# Determinism, sharding, atomic writes
# --------------------------------------------------------------------------

def test_two_builds_are_byte_identical(built: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    mbuild.build(MINI, again, progress=False)
    assert files_of(again) == files_of(built)


def test_shards_by_size(built: Path, tmp_path: Path, hf_cache: str) -> None:
    small = tmp_path / "sharded"
    mbuild.build(MINI, small, max_shard_bytes=2_000, progress=False)
    shards = sorted(p.name for p in (small / "ner").iterdir())
    assert len(shards) > 3
    for split in load_splits(MINI):
        mine = [s for s in shards if s.startswith(f"{split}-")]
        n = len(mine)
        assert mine == [f"{split}-{i:05d}-of-{n:05d}.parquet" for i in range(n)]
    for config in CONFIGS:
        a, b = load(small, config, hf_cache), load(built, config, hf_cache)
        for split in a:
            assert a[split].to_list() == b[split].to_list()


def test_rebuild_replaces_the_folder_atomically(tmp_path: Path) -> None:
    out = tmp_path / "out"
    mbuild.build(MINI, out, progress=False)
    (out / "stale.txt").write_text("from an older build")
    mbuild.build(MINI, out, progress=False)
    assert not (out / "stale.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_failed_build_leaves_previous_output_intact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = mini_copy(tmp_path)
    out = tmp_path / "out"
    mbuild.build(root, out, progress=False)
    before = files_of(out)
    ann = root / "annotations" / f"{BAKOU}.yaml"
    ann.write_text(ann.read_text(encoding="utf-8").replace('text: "Joe Dunford"', 'text: "Joe Dumford"'),
                   encoding="utf-8")
    assert main(["build", str(root), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert re.search(rf"annotations/{BAKOU}\.yaml:\d+:\d+: error T009:", err), err
    assert "Traceback" not in err
    assert files_of(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus-root", "out"]


def test_refuses_to_replace_a_foreign_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "notes"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert main(["build", str(MINI), "--out", str(out)]) == 2
    assert (out / "keep.txt").read_text() == "mine"
    assert main(["build", str(MINI), "--out", str(MINI.parent)]) == 2
    assert main(["build", str(MINI), "--out", str(tmp_path / "milcontacts_fr")]) == 2
    assert "Traceback" not in capsys.readouterr().err


# --------------------------------------------------------------------------
# Errors the build itself finds
# --------------------------------------------------------------------------

def test_misaligned_name_is_B001_with_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = mini_copy(tmp_path)
    ann = root / "annotations" / f"{BAKOU}.yaml"
    lines = ann.read_text(encoding="utf-8").splitlines(keepends=True)
    # "Valéri Guérassimov" -> "Valéri Guérassim": the text still matches the offsets
    # (the validator only warns, W003), but the name now ends inside a word.
    index = next(i for i, ln in enumerate(lines) if 'text: "Valéri Guérassimov"' in ln)
    m = re.search(r"end: (\d+)", lines[index])
    assert m
    lines[index] = (lines[index].replace(f"end: {m[1]}", f"end: {int(m[1]) - 2}")
                    .replace('"Valéri Guérassimov"', '"Valéri Guérassim"'))
    ann.write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(root), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    column = lines[index].index("{") + 1
    expected = f"annotations/{BAKOU}.yaml:{index + 1}:{column}: error B001: name mention 'Valéri Guérassim'"
    assert expected in err, err
    assert "Guérassimov" in err  # names the token it ends in
    assert "Traceback" not in err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus-root"]


def test_story_in_two_splits_is_refused_by_validate_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = mini_copy(tmp_path)
    ann = root / "annotations" / "2015-09-19-exemple-carter-choigou-syrie.yaml"
    ann.write_text(ann.read_text(encoding="utf-8").replace("story: call-carter-choigou-2015-09-18",
                                                           "story: meeting-bakou-2017-02-16"), encoding="utf-8")
    assert main(["validate", str(root), "--no-cache"]) == 1
    assert "error C005: story 'meeting-bakou-2017-02-16' straddles splits" in capsys.readouterr().out
    assert main(["build", str(root), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "error C005: story 'meeting-bakou-2017-02-16' straddles splits" in err, err
    assert not (tmp_path / "out").exists()


def test_cli_prints_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli-out"
    assert main(["build", str(MINI), "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    assert json.loads((out / "croissant.json").read_text(encoding="utf-8"))["name"] == "MilContacts-FR"

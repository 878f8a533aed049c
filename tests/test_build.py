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
#: Configs with the corpus's splits (rows per document); `kb` has one split, "kb".
CONFIGS = ("documents", "ner", "events", "attributions", "bigbio_kb")
ALL_CONFIGS = ("documents", "ner", "events", "attributions", "kb", "bigbio_kb")
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
    assert [c["config_name"] for c in meta["configs"]] == list(ALL_CONFIGS)
    for entry in meta["configs"]:
        expected = ["kb"] if entry["config_name"] == "kb" else splits
        assert [d["split"] for d in entry["data_files"]] == expected
        for d in entry["data_files"]:
            assert all((built / p).is_file() for p in d["path"])
    infos = {i["config_name"]: i for i in meta["dataset_info"]}
    assert set(infos) == set(ALL_CONFIGS)
    for config, info in infos.items():
        assert Features._from_yaml_list(info["features"]) == mbuild.configs.features(module, config)
        assert [s["name"] for s in info["splits"]] == (["kb"] if config == "kb" else splits)
    body = (built / "README.md").read_text(encoding="utf-8")
    assert "CC-BY-4.0" in body and "third-party" in body
    assert "trust_remote_code=True" in body


@pytest.mark.filterwarnings("ignore")  # rdflib/pandas deprecation noise inside mlcroissant
def test_croissant_validates_offline(built: Path) -> None:
    import mlcroissant as mlc

    import milcontacts

    dataset = mlc.Dataset(jsonld=str(built / "croissant.json"))  # raises ValidationError on any error
    meta = dataset.metadata
    assert not meta.ctx.issues.errors
    assert meta.version == milcontacts.__version__
    assert meta.date_published.date().isoformat() == milcontacts.RELEASE_DATE
    assert f"version = {{{milcontacts.__version__}}}" in meta.cite_as
    assert meta.license  # the annotations' licence and the texts' rights
    # The Responsible-AI properties, as mlcroissant reads them (Croissant RAI vocabulary).
    for prop in ("data_collection", "data_annotation_protocol", "annotations_per_item", "annotator_demographics",
                 "personal_sensitive_information", "data_limitations", "data_biases", "data_use_cases"):
        assert getattr(meta, prop), prop
    assert "not humans" in " ".join(meta.annotator_demographics)
    assert "pseudonyms" in " ".join(meta.personal_sensitive_information)
    record_sets = {rs.uuid for rs in meta.record_sets}
    assert set(ALL_CONFIGS) | {f"{c}_splits" for c in ALL_CONFIGS} == record_sets


@pytest.mark.filterwarnings("ignore")
def test_croissant_every_record_set_is_readable(built_real: Path) -> None:
    """mlcroissant reads a few records of every RecordSet (nested ones included), and the
    counts of the flat ones equal the card's."""
    import itertools

    import mlcroissant as mlc

    read = {}
    for rs in mlc.Dataset(jsonld=str(built_real / "croissant.json")).metadata.record_sets:
        # a fresh Dataset per record set: mlcroissant does not read one record set twice
        records = list(itertools.islice(mlc.Dataset(jsonld=str(built_real / "croissant.json")).records(rs.uuid), 3))
        assert records, rs.uuid
        if not rs.uuid.endswith("_splits"):
            assert all(r[f"{rs.uuid}/split"] for r in records), rs.uuid
        read[rs.uuid] = records
    first = read["documents"][0]
    assert first["documents/entities"][0]["documents/entities/id"] == b"e1"
    assert first["documents/doc_id"].decode() in {d for ids in load_splits(REPO).values() for d in ids}
    assert read["events"][0]["events/arguments"][0]["events/arguments/role"]
    ner_rows = sum(1 for _ in mlc.Dataset(jsonld=str(built_real / "croissant.json")).records("ner"))
    assert ner_rows == sum(s["num_examples"] for i in front_matter(built_real)["dataset_info"]
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
            assert ds[split].features == mbuild.configs.features(module, config)
            assert ds[split].num_rows > 0, (config, split)
    docs = load(built, "documents", hf_cache)
    for split, ids in splits.items():
        assert docs[split]["doc_id"] == sorted(ids)
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
            assert (a["ref"] is None) == (a["kind"] == "span"), a
            if a["mention"] is not None:
                yield "argument", a["mention"]
    for a in row["attributions"]:
        if a["source"]["mention"] is not None:
            yield "source", a["source"]["mention"]
        yield "cue", a["cue"]
        for c in a["content"]:
            yield "content", c


def check_documents(folder: Path, root: Path, cache: str) -> int:
    """Every span of every row is text[start:end]; layers equal the corpus API's view."""
    gold = {d.id: d for d in iter_documents(root)}
    seen = 0
    for split in load_splits(root):
        for row in load(folder, "documents", cache)[split]:
            doc = gold[row["doc_id"]]
            assert row["text"] == doc.text
            for kind, span in iter_spans(row):
                assert row["text"][span["start"]:span["end"]] == span["text"], (row["doc_id"], kind, span)
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
            assert spans and spans[-1][2] == tag[2:] and spans[-1][1] <= start, (row["doc_id"], tag)
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
            assert got == gold, (row["doc_id"], row["sentence_index"])
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


def assert_playing_mention(doc: Any, entity: Any, anchor: int, got: dict[str, Any] | None) -> None:
    """One mention of the entity, inside the anchor's zone, or none when the zone has none
    (which mention: test_entity_arguments_point_at_one_mention_near_the_trigger)."""
    zone = next(z for z in doc.zones if z.start <= anchor < z.end)
    candidates = [m for m in entity.mentions if zone.start <= m.start and m.end <= zone.end]
    if got is None:
        assert not candidates, (doc.id, entity.id)
        return
    assert (got["start"], got["end"], got["text"]) in [(m.start, m.end, m.text) for m in candidates]


def test_entity_arguments_point_at_one_mention_near_the_trigger(built_real: Path, hf_cache: str) -> None:
    """An entity argument is the mention of that entity nearest to the trigger in the trigger's
    sentence (the row's context when it is one sentence), not every mention of the entity."""
    docs = {d.id: d for d in iter_documents(REPO)}
    events = load(built_real, "events", hf_cache)
    checked = 0
    for split in events:
        for row in events[split]:
            doc, ctx, anchor = docs[row["doc_id"]], row["context"], row["trigger"]["start"]
            for arg in row["arguments"]:
                if arg["kind"] != "entity":
                    continue
                in_sentence = [m for m in doc.entity(arg["ref"]).mentions
                               if ctx["start"] <= m.start and m.end <= ctx["end"]]
                if in_sentence:
                    best = min(in_sentence, key=lambda m: (abs(m.start - anchor), m.start))
                    assert arg["mention"] == {"start": best.start, "end": best.end, "text": best.text}
                    checked += 1
    assert checked > 50


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
                m = arg["mention"]
                if arg["kind"] == "entity":
                    assert_playing_mention(doc, doc.entity(arg["ref"]), row["trigger"]["start"], m)
                else:
                    assert m is not None
                assert m is None or text[m["start"]:m["end"]] == m["text"]
            n += 1
    assert n == sum(len(d.events) for d in docs.values())
    attributions = load(built, "attributions", hf_cache)
    rows = [r for s in attributions for r in attributions[s]]
    assert len(rows) == sum(len(d.attributions) for d in docs.values())
    kinds = {r["source"]["kind"] for r in rows}
    assert kinds == {"entity", "span"}
    assert any(r["nested_in"] for r in rows)


def test_viewer_size_rules(built_real: Path) -> None:
    """The Hub's dataset viewer reads row groups of at most 300,000,000 uncompressed bytes
    (https://huggingface.co/docs/dataset-viewer/parquet; its error says max=286.10 MiB): every row
    group of every shard stays under it, and every shard under the build's shard size."""
    import pyarrow.parquet as pq

    from milcontacts.build.parquet import DEFAULT_MAX_SHARD_BYTES, ROW_GROUP_BYTES, VIEWER_MAX_ROW_GROUP_BYTES

    assert ROW_GROUP_BYTES < VIEWER_MAX_ROW_GROUP_BYTES and DEFAULT_MAX_SHARD_BYTES < 5 * 10**9
    for path in built_real.glob("*/*.parquet"):
        meta = pq.ParquetFile(path).metadata
        assert meta.num_row_groups >= 1
        for i in range(meta.num_row_groups):
            assert meta.row_group(i).total_byte_size < VIEWER_MAX_ROW_GROUP_BYTES, (path, i)
        assert sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)) < DEFAULT_MAX_SHARD_BYTES
    card = (built_real / "README.md").read_text(encoding="utf-8")
    assert "https://huggingface.co/docs/dataset-viewer/parquet" in card


def test_card_has_a_field_table_per_config_and_the_version(built: Path) -> None:
    import milcontacts

    card = (built / "README.md").read_text(encoding="utf-8")
    assert f"**Version {milcontacts.__version__}**" in card
    module = mbuild.load_script()
    for config in ALL_CONFIGS:
        section = card.split(f"### `{config}`\n", 1)[1].split("\n### ", 1)[0]
        for name, _type in mbuild.card.field_rows(mbuild.configs.features(module, config)):
            assert f"| `{name}` |" in section, (config, name)
    assert "| `arguments[].mention.start` | int32 |" in card


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
    assert list(load(built_real, "kb", hf_cache)) == ["kb"]
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


def test_readme_quick_start_is_generated_from_the_real_build(built_real: Path) -> None:
    """README.md shows every config with one printed row, made by scripts/update_quickstart.py
    from a build of the repository (run it after a schema change)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("update_quickstart", REPO / "scripts" / "update_quickstart.py")
    assert spec and spec.loader
    quick = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(quick)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert quick.updated(readme, quick.render(built_real)) == readme, \
        "README quick start out of date: python scripts/update_quickstart.py"
    for config in ALL_CONFIGS:
        assert f"\n{config}: {{" in readme, config


def test_rows_are_encoded_exactly_as_datasets_encodes_an_example() -> None:
    """The build encodes rows with datasets' ``encode_nested_example`` alone (skipping
    ``cast_to_python_objects``, see ``encode_rows``): on every row of the real corpus, of
    every document config, that must equal ``Features.encode_example``."""
    from milcontacts.build import configs
    from milcontacts.build.parquet import encode_rows
    from milcontacts.build.script import load_script

    module = load_script()
    rows = configs.DocumentRows(REPO, module)
    seen = 0
    for doc in iter_documents(REPO):
        sdoc = module.document_from_data(doc.raw, doc.text, f"annotations/{doc.id}.yaml", "train")
        for config in configs.document_configs(module):
            features = configs.features(module, config)
            examples = rows.examples(config, sdoc)
            encoded, _sizes = encode_rows(features, examples)
            assert encoded == [features.encode_example(example) for example in examples], (doc.id, config)
            seen += len(examples)
    assert seen > 250  # 5 documents, 103 sentences, 133 events, 43 attributions, 5 bigbio rows

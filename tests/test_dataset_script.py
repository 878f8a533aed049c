"""The loading script scripts/milcontacts_fr.py, run directly (as users of datasets < 4 do).

It is the single source of the features and rows: run through the
``datasets`` builder machinery it must give exactly the rows of the Parquet
files `milcontacts build` wrote.  datasets 3.x itself is exercised by
scripts/check_datasets3.sh (it needs its own virtualenv).
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

import ast  # noqa: E402
import importlib.util  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from types import ModuleType  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

from milcontacts import schema  # noqa: E402
from milcontacts.model import load_splits  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "milcontacts_fr.py"
MINI = Path(__file__).resolve().parent / "data" / "mini_corpus"
CONFIGS = ("documents", "ner", "events", "attributions", "kb")
BAKOU = "2017-02-16-exemple-dunford-guerassimov-bakou"


def import_script(path: Path, name: str = "milcontacts_fr_under_test") -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # datasets re-imports the builder's module by name (streaming patches)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return import_script(SCRIPT)




def parquet_rows(folder: Path, config: str, cache: Path) -> dict[str, list[dict[str, Any]]]:
    from datasets import load_dataset

    ds = load_dataset(str(folder), config, cache_dir=str(cache))
    return {split: ds[split].to_list() for split in ds}


def script_rows(module: ModuleType, config: str, cache: Path, **kwargs: Any) -> dict[str, list[dict[str, Any]]]:
    """Rows produced by the builder class: download_and_prepare into a private cache, as_dataset."""
    builder = module.MilContactsFR(config_name=config, cache_dir=str(cache), **kwargs)
    builder.download_and_prepare()
    ds = builder.as_dataset()
    return {split: ds[split].to_list() for split in ds}


# --------------------------------------------------------------------------
# What the script is
# --------------------------------------------------------------------------

def test_script_is_self_contained() -> None:
    """Shipped alone next to the data: only the standard library, datasets, yaml and spacy."""
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    third_party = {m for m in imported if m not in sys.stdlib_module_names}
    assert third_party == {"datasets", "yaml", "spacy"}, third_party


def test_enumerations_match_the_schema(script: ModuleType) -> None:
    assert script.ENTITY_TYPES == schema.enum("entity_type")
    assert set(script.UNANNOTATED_ZONES) <= set(schema.enum("zone_type"))
    assert script.NER_TAGS[0] == "O"
    assert script.NER_TAGS[1:] == tuple(f"{p}-{t}" for t in schema.enum("entity_type") for p in "BI")


def test_nested_layers_are_lists_of_structs(script: ModuleType) -> None:
    from datasets import ClassLabel, List

    docs = script.features("documents")
    for layer in ("zones", "entities", "timexes", "events", "attributions"):
        assert isinstance(docs[layer], List) and isinstance(docs[layer].feature, dict), layer
    assert isinstance(docs["entities"].feature["mentions"], List)
    assert isinstance(docs["events"].feature["arguments"], List)
    ner = script.features("ner")
    assert isinstance(ner["ner_tags"], List) and isinstance(ner["ner_tags"].feature, ClassLabel)
    assert ner["ner_tags"].feature.names == list(script.NER_TAGS)
    for config in CONFIGS:
        assert script.features(config).arrow_schema  # every feature maps to an Arrow type
    with pytest.raises(ValueError):
        script.features("nope")


def test_builder_configs(script: ModuleType) -> None:
    assert [c.name for c in script.MilContactsFR.BUILDER_CONFIGS] == list(CONFIGS)
    assert script.MilContactsFR.DEFAULT_CONFIG_NAME == "documents"


# --------------------------------------------------------------------------
# The script's rows are the Parquet rows
# --------------------------------------------------------------------------

def test_shipped_script_gives_the_parquet_rows(built: Path, tmp_path: Path) -> None:
    """The copy in the built folder, reading data/ next to itself (its default), through
    datasets' own download_and_prepare: exactly the rows of the Parquet files."""
    module = import_script(built / "milcontacts_fr.py", "milcontacts_fr_shipped")
    for config in CONFIGS:
        expected = parquet_rows(built, config, tmp_path / "parquet-cache")
        got = script_rows(module, config, tmp_path / "script-cache", base_path=str(built))
        assert list(got) == (["kb"] if config == "kb" else list(load_splits(MINI)))
        assert got == expected, config


def test_script_on_a_corpus_root_with_data_dir(script: ModuleType, built: Path, tmp_path: Path) -> None:
    """data_dir= points the script at any corpus root (here the fixture itself)."""
    got = script_rows(script, "ner", tmp_path / "c", data_dir=str(MINI))
    assert got == parquet_rows(built, "ner", tmp_path / "p")


def test_generate_examples_directly(script: ModuleType, built: Path, tmp_path: Path) -> None:
    """_split_generators/_generate_examples without the datasets cache: same rows after encoding."""
    from datasets.download import DownloadManager

    expected = parquet_rows(built, "attributions", tmp_path / "p")
    builder = script.MilContactsFR(config_name="attributions", cache_dir=str(tmp_path / "c"),
                                   base_path=str(built))
    feats = builder.info.features
    for gen in builder._split_generators(DownloadManager(base_path=str(built))):
        rows = [feats.decode_example(feats.encode_example(ex))
                for _, ex in builder._generate_examples(**gen.gen_kwargs)]
        assert rows == expected[gen.name]


def test_script_streaming(script: ModuleType, built: Path, tmp_path: Path) -> None:
    builder = script.MilContactsFR(config_name="events", cache_dir=str(tmp_path / "c"), base_path=str(built))
    expected = parquet_rows(built, "events", tmp_path / "p")
    for split in expected:
        assert list(builder.as_streaming_dataset(split=split)) == expected[split]


def test_script_in_a_repository_checkout_reads_the_root(script: ModuleType, tmp_path: Path) -> None:
    """scripts/milcontacts_fr.py with no data/ beside it falls back to the repository root."""
    root = tmp_path / "checkout"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (root / "scripts").mkdir()
    shutil.copyfile(SCRIPT, root / "scripts" / "milcontacts_fr.py")
    builder = script.MilContactsFR(config_name="documents", cache_dir=str(tmp_path / "c"),
                                   base_path=str(root / "scripts"))
    assert builder._data_root() == str(root)


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------

def test_misaligned_name_raises_corpus_error_with_line(script: ModuleType, tmp_path: Path) -> None:
    ann_src = MINI / "annotations" / f"{BAKOU}.yaml"
    lines = ann_src.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, ln in enumerate(lines) if 'text: "Peter Cook"' in ln)
    # "Peter Cook" -> "eter Cook": starts inside a word.
    start = int(lines[index].split("start: ")[1].split(",")[0])
    lines[index] = lines[index].replace(f"start: {start},", f"start: {start + 1},").replace(
        '"Peter Cook"', '"eter Cook"')
    ann = tmp_path / f"{BAKOU}.yaml"
    ann.write_text("".join(lines), encoding="utf-8")
    doc = script.read_document(str(ann), str(MINI / "corpus" / f"{BAKOU}.txt"), f"annotations/{BAKOU}.yaml",
                               "train")
    list(script.examples("documents", doc))  # only `ner` needs names aligned with tokens
    with pytest.raises(script.CorpusError) as info:
        list(script.examples("ner", doc))
    err = info.value
    assert (err.file, err.line, err.code) == (f"annotations/{BAKOU}.yaml", index + 1, "B001")
    assert "starts inside the token 'Peter'" in err.message
    assert str(err).startswith(f"annotations/{BAKOU}.yaml:{index + 1}:")


def test_changed_text_is_refused(script: ModuleType, tmp_path: Path) -> None:
    txt = tmp_path / f"{BAKOU}.txt"
    txt.write_bytes((MINI / "corpus" / f"{BAKOU}.txt").read_bytes() + b" ")
    with pytest.raises(script.CorpusError, match="B003: sha256"):
        script.read_document(str(MINI / "annotations" / f"{BAKOU}.yaml"), str(txt), "x.yaml", "train")


def test_sentences_never_cross_zones(script: ModuleType) -> None:
    for split, ids in load_splits(MINI).items():
        for doc_id in ids:
            doc = script.read_document(str(MINI / "annotations" / f"{doc_id}.yaml"),
                                       str(MINI / "corpus" / f"{doc_id}.txt"), doc_id, split)
            for sent in doc.sentences():
                assert sent.zone["start"] <= sent.start < sent.end <= sent.zone["end"]
                assert all(doc.text[a:b].strip() == doc.text[a:b] for a, b in sent.tokens)
                assert "\n" not in doc.text[sent.start:sent.end]

"""The dataset card (README.md of the output folder) and LICENSE.md."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from . import configs as cfg
from .parquet import SplitOutput

PRETTY_NAME = "MilContacts-FR"
ANNOTATION_LICENSE = "CC-BY-4.0"


LICENSE_TEXT = """\
# Rights

MilContacts-FR mixes material under different rights; read this before any reuse.

* **Annotations** (every file under `data/annotations/`, and every column of the
  Parquet files except the texts themselves): Creative Commons Attribution 4.0
  International (CC-BY-4.0), https://creativecommons.org/licenses/by/4.0/.
* **Texts** (`data/corpus/*.txt`, the `text` column of the `documents` config, the
  tokens of the `ner` config and every `text` of a span): third-party news articles
  under their publishers' and agencies' copyright. They are reproduced only so that
  the stand-off annotations can be read and checked. MilContacts-FR holds no rights in
  them; any reuse of a text needs its rights holder's permission. Each document's
  `metadata.rights` says who holds them.
* **Code** (`milcontacts_fr.py`): MIT.
"""


def cite_as(version: str, date: str) -> str:
    """BibTeX of this release (the same facts as CITATION.cff; no URL: none is published yet)."""
    return ("@misc{milcontacts_fr,\n"
            "  title = {MilContacts-FR: French news on US-Russian military-to-military contacts, "
            "with stand-off annotations of entities, time expressions, events and attributions},\n"
            "  author = {{The MilContacts-FR maintainers}},\n"
            f"  year = {{{date[:4]}}},\n"
            f"  version = {{{version}}},\n"
            "  note = {Dataset}\n"
            "}")


def _size_category(n: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                         (1_000_000, "100K<n<1M")):
        if n < limit:
            return label
    return "n>1M"


def _dataset_info_yaml(module: ModuleType, outputs: dict[str, list[SplitOutput]]) -> list[dict[str, Any]]:
    """``dataset_info`` entries written by the datasets library itself (as push_to_hub does)."""
    from datasets import DatasetInfo, SplitDict, SplitInfo
    from datasets.info import DatasetInfosDict
    from huggingface_hub import DatasetCardData

    infos = DatasetInfosDict()
    for config, splits in outputs.items():
        split_dict = SplitDict()
        for s in splits:
            split_dict.add(SplitInfo(name=s.name, num_bytes=s.num_bytes, num_examples=s.rows))
        infos[config] = DatasetInfo(
            features=cfg.features(module, config), splits=split_dict, config_name=config,
            download_size=sum(sh.size for s in splits for sh in s.shards),
            dataset_size=sum(s.num_bytes for s in splits))
    card_data = DatasetCardData()
    infos.to_dataset_card_data(card_data)
    entries = card_data.to_dict()["dataset_info"]
    entries = entries if isinstance(entries, list) else [entries]
    for entry in entries:
        _scalar_lists_as_sequences(entry["features"])
    return entries


def _scalar_lists_as_sequences(node: Any) -> None:
    """Write a list of scalars or class labels as ``sequence:``, not ``list:``.

    datasets >= 4 reads both as ``List``; datasets 3 reads ``sequence:`` as
    ``Sequence`` (what the loading script declares there, so that
    ``features["ner_tags"].feature.names`` works) but ``list:`` as a bare
    Python list.  Lists of structs stay ``list:``, which both read as a list of
    dicts.
    """
    if isinstance(node, list):
        for item in node:
            _scalar_lists_as_sequences(item)
    elif isinstance(node, dict):
        inner = node.get("list")
        if isinstance(inner, str) or (isinstance(inner, dict) and "struct" not in inner and "list" not in inner):
            node["sequence"] = node.pop("list")
        for value in node.values():
            _scalar_lists_as_sequences(value)


def card_front_matter(module: ModuleType, outputs: dict[str, list[SplitOutput]], ndocs: int) -> dict[str, Any]:
    configs = []
    for config, splits in outputs.items():
        entry: dict[str, Any] = {"config_name": config,
                                 "data_files": [{"split": s.name, "path": [sh.path for sh in s.shards]}
                                                for s in splits]}
        if config == module.MilContactsFR.DEFAULT_CONFIG_NAME:
            entry["default"] = True
        configs.append(entry)
    return {
        "pretty_name": PRETTY_NAME,
        "language": ["fr"],
        "license": "other",
        "license_name": "cc-by-4.0-annotations-third-party-texts",
        "license_link": "LICENSE.md",
        "annotations_creators": ["expert-generated"],
        "language_creators": ["found"],
        "multilinguality": ["monolingual"],
        "size_categories": [_size_category(ndocs)],
        "source_datasets": ["original"],
        "task_categories": ["token-classification"],
        "task_ids": ["named-entity-recognition"],
        "tags": ["news", "event-extraction", "attribution", "temporal-expressions", "timex3",
                 "entity-linking", "stand-off-annotation", "military", "croissant"],
        "configs": configs,
        "dataset_info": _dataset_info_yaml(module, outputs),
    }


def _dataset_version() -> str:
    from .. import __version__

    return __version__


def field_rows(features: Any, prefix: str = "") -> list[tuple[str, str]]:
    """(dotted field name, type) for every field, struct members and list items included
    (``arguments[].mention.start``): the rows of a config's field table."""
    out: list[tuple[str, str]] = []
    for name, feat in features.items():
        path = f"{prefix}{name}"
        inner = feat[0] if isinstance(feat, (list, tuple)) else getattr(feat, "feature", None)
        if isinstance(feat, dict):
            out.append((path, "struct"))
            out += field_rows(feat, path + ".")
        elif inner is not None and isinstance(inner, dict):
            out.append((path, "list of struct"))
            out += field_rows(inner, path + "[].")
        else:
            out.append((path, describe_feature(feat)))
    return out


def describe_feature(feature: Any) -> str:
    """A one-line, human-readable type of a datasets feature."""
    from datasets import ClassLabel, Sequence, Value

    if isinstance(feature, dict):
        return "{" + ", ".join(f"{k}: {describe_feature(v)}" for k, v in feature.items()) + "}"
    if isinstance(feature, (list, tuple)):
        return f"list of {describe_feature(feature[0])}"
    if isinstance(feature, ClassLabel):
        return f"class label ({len(feature.names)} names)"
    if isinstance(feature, Value):
        return feature.dtype
    inner = getattr(feature, "feature", None)
    if isinstance(feature, Sequence) or inner is not None:
        return f"list of {describe_feature(inner)}"
    return type(feature).__name__


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def _demote_headings(markdown: str) -> str:
    out, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        out.append("#" + line if not fenced and line.startswith("#") else line)
    return "\n".join(out)


def render_card(root: Path, module: ModuleType, outputs: dict[str, list[SplitOutput]], ndocs: int) -> str:
    """README.md of the folder: front matter for the Hub, then the card (no timestamps)."""
    import yaml

    front = yaml.safe_dump(card_front_matter(module, outputs, ndocs), sort_keys=False, allow_unicode=True,
                           width=1000)
    split_names = [s.name for s in next(iter(outputs.values()))]
    lines = [
        "---", front.rstrip("\n"), "---", "",
        f"# {PRETTY_NAME}", "",
        module._DESCRIPTION.strip().replace("\n", " "), "",
        f"**Version {_dataset_version()}** (semantic versioning; CHANGELOG.md in the project repository lists "
        "every schema change with a \"how to update your code\" note). Releases on the Hub are tagged with "
        "their version: pin one with `load_dataset(REPO_ID, CONFIG, revision=\"v" + _dataset_version() + "\")`.", "",
        "This folder was written by `milcontacts build` from the project repository; do not edit it "
        "by hand. The loading script `milcontacts_fr.py` defines the features and produces the rows; "
        "the Parquet files are its output.", "",
        "## Configurations", "",
        "| config | what a row is | " + " | ".join(split_names) + " |",
        "|---|---|" + "---:|" * len(split_names),
    ]
    for config, splits in outputs.items():
        what = cfg.description(module, config).replace("|", "\\|")
        lines.append(f"| `{config}` | {what} | " + " | ".join(str(s.rows) for s in splits) + " |")
    lines += ["", f"{ndocs} documents; splits are declared in `data/splits.yaml`, and texts about the same "
                  "real-world story are always in the same split.", ""]
    lines += ["## Loading", "", "```python", "from datasets import load_dataset", "",
              'ner = load_dataset("path/to/this/folder", "ner")          # or a Hub repository id',
              'docs = load_dataset("path/to/this/folder", "documents", split="train")',
              'labels = ner["train"].features["ner_tags"].feature.names  # "O", "B-PER", "I-PER", ...',
              "```", "",
              "Offline: with the folder on disk, set `HF_HUB_OFFLINE=1` and `HF_DATASETS_OFFLINE=1`; nothing is "
              "downloaded. `streaming=True` works too. Without `datasets`, read the Parquet files directly "
              "(pandas, pyarrow, DuckDB, Polars).", "",
              "With `datasets` < 4 (which can run loading scripts), the script rebuilds the same rows from "
              "`data/`:", "", "```python",
              'load_dataset("path/to/this/folder/milcontacts_fr.py", "ner", trust_remote_code=True)',
              "```", "",
              "It needs `pyyaml` and, for `ner` and `events`, `spacy` (no model download). datasets 3 also "
              "reads the Parquet files through this card, with the same rows and features. Do not name a "
              "Hub repository or a local copy of this folder `milcontacts_fr`: datasets >= 4 refuses a "
              "folder that holds a script named after it.", ""]
    lines += ["## Features", "", "Generated from the builder's features (`milcontacts_fr.py`, and BigBio's schema "
              "for `bigbio_kb`).", ""]
    for config in outputs:
        lines += [f"### `{config}`", "", "| field | type |", "|---|---|"]
        for name, feat in field_rows(cfg.features(module, config)):
            lines.append(f"| `{name}` | {feat} |")
        lines.append("")
    lines += ["## Size rules of the Hub's dataset viewer", "",
              "The viewer reads Parquet row groups of at most 300,000,000 uncompressed bytes (larger ones fail "
              "with `TooBigContentError`, \"max=286.10 MiB\"; 100-300 MB is what it recommends); see "
              "https://huggingface.co/docs/dataset-viewer/parquet. This build writes row groups of about "
              "16 MiB and shards of at most 256 MiB, so the viewer shows every config.", ""]
    lines += ["Offsets (`start`, `end`, `token_starts`, `token_ends`) are Python `str` indices (Unicode code "
              "points) into the document text, start inclusive, end exclusive; `text[start:end]` is the span's "
              "`text`. Ids (`e1`, `t1`, `v1`, `a1`) are unique within a document.", "",
              "### How `ner` is tokenized", "",
              "`ner_tags` are BIO tags over the entity types " +
              ", ".join(f"`{t}`" for t in module.ENTITY_TYPES) + " (class label names: " +
              ", ".join(f"`{t}`" for t in module.NER_TAGS[:3]) + ", ...). Only name (`NAM`) mentions are "
              "tagged; nominal and pronoun mentions are in `documents`. Rows cover every zone except "
              "`boilerplate`, where names are not annotated. Tokens come from spaCy's French tokenizer "
              "(`spacy.blank(\"fr\")`) run zone by zone, so no sentence crosses a zone. A token is split where "
              "a name starts or ends inside it, unless that point lies between two letters or digits (which "
              "would cut a word, and is a build error). Sentences come from spaCy's rule-based "
              "`sentencizer`, with a line break also ending a sentence, an opening quote or bracket moved to "
              "the sentence it opens, and no break kept inside a name. Whitespace tokens are dropped. "
              "Benchmark mapping to CoNLL-2003 classes: PER→PER, ORG→ORG, GPE/LOC/FAC→LOC, "
              "NORP/EVENT/MISC→MISC.", "",
              f"This build was made with datasets {_version('datasets')}, pyarrow {_version('pyarrow')} and "
              f"tokenized with spaCy {_version('spacy')}; the loading script run with another spaCy version "
              "may tokenize some texts differently.", ""]
    lines += ["## Licensing", "",
              f"`license: other`: the **annotations** are {ANNOTATION_LICENSE}; the **texts** are third-party "
              "copyrighted news articles, reproduced only so that the annotations can be read; any reuse of "
              "a text needs its rights holder's permission (each document's `metadata.rights`). The "
              "loading script is MIT. See `LICENSE.md`.", ""]
    datacard = root / "DATACARD.md"
    if datacard.is_file():
        sheet = datacard.read_text(encoding="utf-8")
        if sheet.startswith("# "):  # its title: this section has its own
            sheet = sheet.split("\n", 1)[1] if "\n" in sheet else ""
        lines += ["## Datasheet", "",
                  "The project's datasheet (DATACARD.md) as of this build; its relative links point into the "
                  "project repository.", "", _demote_headings(sheet).strip(), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


# --------------------------------------------------------------------------
# Croissant
# --------------------------------------------------------------------------

"""Which configs the build writes, their features and where their rows come from.

Three kinds of config:

* the loading script's ``DOCUMENT_CONFIGS`` (``documents``, ``ner``, ``events``,
  ``attributions``): rows made document by document by the script's
  :func:`examples`, the same function its ``_generate_examples`` calls;
* the loading script's ``CORPUS_CONFIGS`` (``kb``): rows made once from
  ``annotations/kb.yaml`` and every document's links (the script's
  :func:`kb_examples`), in one split named ``KB_SPLIT``;
* :data:`PARQUET_ONLY` (``bigbio_kb``): rows made by the package
  (:func:`milcontacts.interop.bigbio.to_bigbio_kb`), written as Parquet only.
  The loading script has no such config on purpose: it must run alone with
  datasets 3.x (standard library, PyYAML, datasets, spaCy), and the BigBio
  conversion is package code shared with ``milcontacts export --to bigbio``;
  datasets 3 reads these Parquet files through the card like any other.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

#: Configs written from the package's code, as Parquet only (see the module docstring).
PARQUET_ONLY = ("bigbio_kb",)


def document_configs(module: ModuleType) -> tuple[str, ...]:
    """Configs whose rows are made one document at a time, in output order."""
    return tuple(module.DOCUMENT_CONFIGS) + PARQUET_ONLY


def corpus_configs(module: ModuleType) -> tuple[str, ...]:
    """Configs whose rows are made once from the whole corpus."""
    return tuple(module.CORPUS_CONFIGS)


def all_configs(module: ModuleType) -> tuple[str, ...]:
    """Every config, in the order of the card: the script's, then the Parquet-only ones."""
    return tuple(module.CONFIG_NAMES) + PARQUET_ONLY


def features(module: ModuleType, config: str) -> Any:
    """The ``datasets.Features`` of a config."""
    if config == "bigbio_kb":
        from ..interop.bigbio import kb_features

        return kb_features()
    return module.features(config)


def description(module: ModuleType, config: str) -> str:
    if config == "bigbio_kb":
        return ("One row per document in BigBio's knowledge-base schema (passages, entities with kb and "
                "TIMEX3 normalizations, events, attributions as events, coreferences); Parquet only.")
    return module._CONFIG_DESCRIPTIONS[config]


class DocumentRows:
    """The examples of one document for every document config."""

    def __init__(self, root: Path, module: ModuleType):
        from ..interop.bigbio import wikidata_ids

        self.module = module
        self.wikidata = wikidata_ids(root) if (root / "annotations" / "kb.yaml").is_file() else {}

    def examples(self, config: str, sdoc: Any) -> list[dict[str, Any]]:
        """``sdoc`` is the loading script's Document (its ``data`` and ``text`` are read)."""
        if config == "bigbio_kb":
            from types import SimpleNamespace

            from ..interop.bigbio import to_bigbio_kb

            return [to_bigbio_kb(SimpleNamespace(raw=sdoc.data, text=sdoc.text), kb=self.wikidata)]
        return [example for _key, example in self.module.examples(config, sdoc)]


def corpus_examples(module: ModuleType, config: str, kb: dict[str, Any],
                    links: dict[str, set[str]]) -> Iterator[dict[str, Any]]:
    """The examples of a corpus config; ``links`` maps each document id to the kb ids it links to."""
    if config != "kb":
        raise ValueError(f"unknown corpus config {config!r}")
    return (example for _key, example in module.kb_examples(kb, module.invert_links(links)))

"""Making the rows of each document, in this process or in a pool of workers.

The annotation data comes from the corpus layer (:class:`milcontacts.corpus.reader.ValidatedData`):
from the parse cache of the validation run the build has just made when it
holds the file, else from one parse.  Rows are encoded with the config's
features and measured (see :class:`~milcontacts.build.parquet.ShardWriter`);
each config's rows travel as one serialized Arrow record batch, made here (in parallel in the workers).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

from ..corpus.document import InvalidCorpus
from ..corpus.layout import annotation_path, relative
from ..corpus.reader import ValidatedData
from ..validate.runner import map_bounded
from . import configs
from .parquet import arrow_rows, encode_rows
from .script import load_script
from .tokens import TokenCache

#: Below this many documents the build runs in one process.
SERIAL_BELOW = 64
#: Documents per task sent to a worker process.
CHUNK_DOCS = 8


class _RowMaker:
    """Makes the rows of one document (in the build process or in a worker)."""

    def __init__(self, root: Path, script: Path, cache_dir: Path | None, module: ModuleType | None = None,
                 token_dir: Path | None = None):
        self.root = root
        self.module = module or load_script(script)
        self.configs = configs.document_configs(self.module)
        self.features = {c: configs.features(self.module, c) for c in self.configs}
        self.schemas = {c: f.arrow_schema for c, f in self.features.items()}
        self.examples = configs.DocumentRows(root, self.module)
        self.corpus = ValidatedData(root, cache_dir)
        self.tokens = TokenCache(token_dir, script) if token_dir is not None else None

    def rows(self, split: str, doc_id: str) -> tuple[str, Any]:
        """("ok", ([(rows as a serialized record batch, sizes) per config], the kb ids the document links to)),
        ("invalid", message) or ("error", the CorpusError's fields).

        The kb links travel with the rows so that the corpus configs (``kb``) need no second
        read of any annotation file."""
        module = self.module
        path = annotation_path(self.root, doc_id)
        try:
            data = self.corpus.data(doc_id)
            text = self.corpus.text(doc_id)
        except InvalidCorpus as exc:
            return "invalid", str(exc)
        out = []
        try:
            sdoc = module.document_from_data(data, text, relative(path, self.root), split,
                                             yaml_source=lambda p=path: p.read_text(encoding="utf-8"))
            if self.tokens is not None:  # the loading script's one seam: cached sentences
                sdoc.segmenter = self.tokens.segmenter(module, hashlib.sha256(text.encode("utf-8")).hexdigest())
            for config in self.configs:
                rows, sizes = encode_rows(self.features[config], self.examples.examples(config, sdoc))
                out.append((arrow_rows(self.schemas[config], rows), sizes))
        except module.CorpusError as exc:
            return "error", (exc.file, exc.line, exc.column, exc.code, exc.message)
        return "ok", (out, sorted(module.kb_links(data)))

    def flush(self) -> None:
        """Write the token entries computed so far."""
        if self.tokens is not None:
            self.tokens.flush()


_WORKER: dict[str, _RowMaker] = {}


def _worker_init(root: str, script: str, cache_dir: str | None, token_dir: str | None) -> None:
    _WORKER["maker"] = _RowMaker(Path(root), Path(script), Path(cache_dir) if cache_dir else None,
                                 token_dir=Path(token_dir) if token_dir else None)


def _worker_rows(items: list[tuple[str, str]]) -> list[tuple[str, Any]]:
    maker = _WORKER["maker"]
    out = []
    for split, doc_id in items:
        result = maker.rows(split, doc_id)
        out.append(result)
        if result[0] != "ok":
            break  # the build stops at the first error
    maker.flush()
    return out


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


class Producer:
    """Stories and rows of documents, in input order, from this process or a pool of workers."""

    def __init__(self, root: Path, script: Path, module: ModuleType, cache_dir: Path | None, jobs: int,
                 token_dir: Path | None = None):
        self.jobs = jobs
        self.pool: Any = None
        if jobs > 1:
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init,
                                            initargs=(str(root), str(script),
                                                      str(cache_dir) if cache_dir else None,
                                                      str(token_dir) if token_dir else None))
            self.maker = None
        else:
            self.maker = _RowMaker(root, script, cache_dir, module, token_dir)

    def _map(self, fn: Any, items: list[Any]) -> Iterator[Any]:
        for chunk in map_bounded(self.pool, fn, _chunks(items, CHUNK_DOCS), window=4 * self.jobs):
            yield from chunk

    def rows(self, items: list[tuple[str, str]]) -> Iterator[tuple[str, Any]]:
        if self.pool is None:
            assert self.maker is not None
            return (self.maker.rows(split, doc_id) for split, doc_id in items)
        return self._map(_worker_rows, items)

    def close(self) -> None:
        if self.maker is not None:
            self.maker.flush()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)



def corpus_rows(root: Path, module: ModuleType, config: str,
                links: dict[str, list[str]]) -> Iterator[dict[str, Any]]:
    """The examples of a corpus config (``kb``): kb.yaml and ``links`` (document id -> the kb
    ids it links to, gathered while the documents' rows were made)."""
    from ..corpus.kb import load_kb_data

    kb = load_kb_data(root) if (root / "annotations" / "kb.yaml").is_file() else {}
    return configs.corpus_examples(module, config, kb, links)

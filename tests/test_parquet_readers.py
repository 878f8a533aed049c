"""The built Parquet files are plain Parquet that independent engines read alike.

``milcontacts build`` is run on the real corpus and on the mini corpus (the
builds are shared with tests/test_build.py when it provides them); DuckDB
(multi-threaded, all files of a config in one scan), pyarrow and
``datasets.load_dataset`` must then agree, per config and split, on the row
count and on a checksum of the spans: how many, the sum of their starts and
ends, and an md5 of their texts in a fixed order.  DuckDB and pyarrow also read
the same files concurrently, from two threads.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

import hashlib  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable, Iterator  # noqa: E402

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "data" / "mini_corpus"
duckdb = pytest.importorskip("duckdb")
pq = pytest.importorskip("pyarrow.parquet")

Span = tuple[str, int, int, str]  # (doc id, start, end, text)


# --------------------------------------------------------------------------
# The spans of each config, once as DuckDB SQL and once in Python
# --------------------------------------------------------------------------

def _s(doc: str, d: dict[str, Any]) -> Span:
    return (doc, d["start"], d["end"], d["text"])


def _document_spans(row: dict[str, Any]) -> Iterator[Span]:
    doc = row["doc_id"]
    for z in row["zones"]:
        yield _s(doc, z)
    for e in row["entities"]:
        for m in e["mentions"]:
            yield _s(doc, m)
    for t in row["timexes"]:
        yield _s(doc, t)
    for v in row["events"]:
        yield _s(doc, v["trigger"])
    for a in row["attributions"]:
        yield _s(doc, a["cue"])
        for c in a["content"]:
            yield _s(doc, c)


def _ner_spans(row: dict[str, Any]) -> Iterator[Span]:
    yield from zip([row["doc_id"]] * len(row["tokens"]), row["token_starts"], row["token_ends"], row["tokens"])


def _event_spans(row: dict[str, Any]) -> Iterator[Span]:
    yield _s(row["doc_id"], row["trigger"])
    yield _s(row["doc_id"], row["context"])


def _attribution_spans(row: dict[str, Any]) -> Iterator[Span]:
    yield _s(row["doc_id"], row["cue"])
    for c in row["content"]:
        yield _s(row["doc_id"], c)


SRC = "read_parquet($files)"
SQL: dict[str, list[str]] = {
    "documents": [
        f'SELECT doc, z.start AS s, z."end" AS e, z.text AS t FROM (SELECT doc_id AS doc, unnest(zones) AS z FROM {SRC})',
        'SELECT doc, m.start, m."end", m.text FROM (SELECT doc, unnest(ent.mentions) AS m FROM '
        f"(SELECT doc_id AS doc, unnest(entities) AS ent FROM {SRC}))",
        f'SELECT doc, x.start, x."end", x.text FROM (SELECT doc_id AS doc, unnest(timexes) AS x FROM {SRC})',
        'SELECT doc, v.trigger.start, v.trigger."end", v.trigger.text FROM '
        f"(SELECT doc_id AS doc, unnest(events) AS v FROM {SRC})",
        f'SELECT doc, a.cue.start, a.cue."end", a.cue.text FROM (SELECT doc_id AS doc, unnest(attributions) AS a FROM {SRC})',
        'SELECT doc, c.start, c."end", c.text FROM (SELECT doc, unnest(a.content) AS c FROM '
        f"(SELECT doc_id AS doc, unnest(attributions) AS a FROM {SRC}))",
    ],
    "ner": [f"SELECT doc_id AS doc, unnest(token_starts) AS s, unnest(token_ends) AS e, unnest(tokens) AS t FROM {SRC}"],
    "events": [
        f'SELECT doc_id AS doc, trigger.start AS s, trigger."end" AS e, trigger.text AS t FROM {SRC}',
        f'SELECT doc_id, context.start, context."end", context.text FROM {SRC}',
    ],
    "attributions": [
        f'SELECT doc_id AS doc, cue.start AS s, cue."end" AS e, cue.text AS t FROM {SRC}',
        f'SELECT doc, c.start, c."end", c.text FROM (SELECT doc_id AS doc, unnest(content) AS c FROM {SRC})',
    ],
}
PYTHON: dict[str, Callable[[dict[str, Any]], Iterator[Span]]] = {
    "documents": _document_spans, "ner": _ner_spans, "events": _event_spans, "attributions": _attribution_spans,
}
CONFIGS = tuple(SQL)
SEP = "\x1f"


def checksum(spans: list[Span]) -> tuple[int, int, int, str | None]:
    """(count, sum of starts, sum of ends, md5 of the texts ordered by (doc, start, end, text))."""
    if not spans:
        return (0, 0, 0, None)
    ordered = sorted(spans)
    texts = SEP.join(t for _, _, _, t in ordered)
    return (len(spans), sum(s for _, s, _, _ in spans), sum(e for _, _, e, _ in spans),
            hashlib.md5(texts.encode("utf-8")).hexdigest())


def duckdb_checksum(con: Any, config: str, files: list[str]) -> tuple[int, int, int, str | None]:
    union = " UNION ALL ".join(SQL[config])
    query = (f"SELECT count(*), coalesce(sum(s), 0), coalesce(sum(e), 0), "
             f"md5(string_agg(t, chr(31) ORDER BY doc, s, e, t)) FROM ({union}) AS spans(doc, s, e, t)")
    n, s, e, h = con.execute(query, {"files": files}).fetchone()
    return (int(n), int(s), int(e), h if n else None)


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["real", "mini"])
def built(request: pytest.FixtureRequest, session_build: Any) -> Path:
    """Each corpus built once per session (the shared fixture of conftest.py)."""
    return session_build(REPO if request.param == "real" else MINI)


def splits_of(built: Path, config: str) -> dict[str, list[str]]:
    """split -> its Parquet files (named ``<split>-<i>-of-<n>.parquet``)."""
    out: dict[str, list[str]] = {}
    for f in sorted((built / config).glob("*.parquet")):
        out.setdefault(f.name.split("-", 1)[0], []).append(str(f))
    return out


@pytest.fixture(scope="module")
def con() -> Any:
    connection = duckdb.connect()
    connection.execute("SET threads TO 2")
    yield connection
    connection.close()


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------

def test_every_config_has_parquet_files(built):
    for config in CONFIGS:
        assert splits_of(built, config), f"no Parquet file for {config}"


@pytest.mark.parametrize("config", CONFIGS)
def test_duckdb_and_pyarrow_agree(built, con, config):
    for split, files in splits_of(built, config).items():
        rows = pq.read_table(files).to_pylist()
        meta_rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
        (duck_rows,) = con.execute(f"SELECT count(*) FROM {SRC}", {"files": files}).fetchone()
        assert len(rows) == meta_rows == duck_rows, (config, split)
        spans = [s for row in rows for s in PYTHON[config](row)]
        assert duckdb_checksum(con, config, files) == checksum(spans), (config, split)


@pytest.mark.parametrize("config", CONFIGS)
def test_datasets_reads_the_same(built, config, tmp_path_factory):
    datasets = pytest.importorskip("datasets")
    cache = tmp_path_factory.mktemp("hf-cache-readers")
    dd = datasets.load_dataset(str(built), config, cache_dir=str(cache))
    splits = splits_of(built, config)
    assert set(dd) == set(splits)
    for split, files in splits.items():
        table = pq.read_table(files)
        assert len(dd[split]) == table.num_rows
        ours = checksum([s for row in dd[split].to_list() for s in PYTHON[config](row)])
        assert ours == checksum([s for row in table.to_pylist() for s in PYTHON[config](row)])


def test_engines_read_concurrently(built):
    """Two engines on the same files at the same time (no lock, no shared state)."""
    files = [str(f) for c in CONFIGS for f in sorted((built / c).glob("*.parquet"))]

    def with_duckdb() -> list[int]:
        connection = duckdb.connect()
        try:
            return [connection.execute(f"SELECT count(*) FROM read_parquet('{f}')").fetchone()[0] for f in files]
        finally:
            connection.close()

    def with_pyarrow() -> list[int]:
        return [pq.read_table(f).num_rows for f in files]

    with ThreadPoolExecutor(max_workers=2) as pool:
        a, b = pool.submit(with_duckdb), pool.submit(with_pyarrow)
        assert a.result() == b.result()

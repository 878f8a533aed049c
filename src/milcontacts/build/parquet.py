"""Parquet shards: one split of one config written as size-bounded files."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Uncompressed Arrow bytes per Parquet file.  Several files per split let
#: readers (datasets' num_proc, streaming with several workers, Spark) split
#: the work; the Hub itself converts with 500 MB shards.
DEFAULT_MAX_SHARD_BYTES = 256 * 2**20
#: Uncompressed bytes per Parquet row group (the unit a reader can skip or fetch alone).
#: The Hub's dataset viewer refuses row groups above 300,000,000 uncompressed bytes
#: ("Rows from parquet row groups are too big to be read: … (max=286.10 MiB)",
#: TooBigContentError) and recommends 100-300 MB in memory; its Parquet handling is
#: documented at https://huggingface.co/docs/dataset-viewer/parquet.  Kept far below
#: (tests/test_build.py::test_viewer_size_rules checks every row group of a build).
VIEWER_MAX_ROW_GROUP_BYTES = 300_000_000
ROW_GROUP_BYTES = 16 * 2**20
#: Arrow bytes of one-document batches joined at a time when a shard is written.
GROUP_BYTES = 4 * 2**20


@dataclass
class Shard:
    path: str  # relative to the output folder, POSIX
    rows: int
    num_bytes: int  # uncompressed Arrow bytes
    size: int  # bytes on disk
    sha256: str


@dataclass
class SplitOutput:
    name: str
    shards: list[Shard] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.shards)

    @property
    def num_bytes(self) -> int:
        return sum(s.num_bytes for s in self.shards)


class ShardWriter:
    """Writes one split of one config as size-bounded Parquet files.

    Rows are buffered until the next one would push the shard past
    ``max_bytes``; file names get their ``-of-N`` suffix once N is known.  An
    empty split still gets one (empty) file, so every declared split loads.

    A row's size is the length of its encoded form as UTF-8 JSON (the
    measure shard and row-group boundaries have always been computed with).
    Rows arrive a document at a time from :mod:`milcontacts.build.rows` (possibly in
    a worker process), already encoded and turned into Arrow data there, as one
    serialized record batch (IPC, without the schema, which both sides know),
    with their sizes.  They are kept in that form (in the ``spill`` file if
    given) until their shard is written, when the pieces are joined, a few MiB
    at a time, into the one-chunk table a single ``from_pylist`` of all the rows
    gives (same values and buffers; the Parquet bytes are the same).  Making
    the Arrow data in the workers leaves the writing process only the joins
    and the writes: it used to unpickle every row and convert it, serially.
    """

    def __init__(self, out: Path, config: str, split: str, features: Any, max_bytes: int,
                 spill: Path | None = None):
        self.folder = out / config
        self.folder.mkdir(parents=True, exist_ok=True)
        self.config, self.split, self.features, self.max_bytes = config, split, features, max_bytes
        self.schema = features.arrow_schema
        # Pieces of the shard: serialized record batches or record batches, or (offset, length)
        # of a serialized batch in ``spill``.
        self.pending: list[Any] = []
        self.spill = open(spill, "w+b") if spill is not None else None  # noqa: SIM115 - closed in close()
        self.count = 0
        self.size = 0
        self.parts: list[tuple[Path, int, int]] = []

    def add(self, example: dict[str, Any]) -> None:
        """One row, not yet encoded."""
        rows, sizes = encode_rows(self.features, [example])
        self.add_encoded(arrow_rows(self.schema, rows), sizes)

    def add_encoded(self, rows: Any, sizes: list[int]) -> None:
        """Encoded rows as Arrow data (serialized record batch, see :func:`arrow_rows`, or a
        record batch) with their sizes (see the class docstring)."""
        start = 0
        batch: Any = None
        for i, size in enumerate(sizes):
            if self.count and self.size + size > self.max_bytes:
                if i > start:  # the shard ends inside this batch of rows
                    batch = batch if batch is not None else _batch(rows, self.schema)
                    self._keep(batch.slice(start, i - start))
                    start = i
                self._flush()
            self.count += 1
            self.size += size
        if start < len(sizes):
            if start == 0:
                self._keep(rows)
            else:
                batch = batch if batch is not None else _batch(rows, self.schema)
                self._keep(batch.slice(start))

    def _keep(self, rows: Any) -> None:
        if self.spill is None:
            self.pending.append(rows)
            return
        blob = rows if isinstance(rows, (bytes, memoryview)) else batch_bytes(rows)
        offset = self.spill.seek(0, os.SEEK_END)
        self.spill.write(blob)
        self.pending.append((offset, len(blob)))

    def _piece(self, item: Any) -> Any:
        if isinstance(item, tuple):
            assert self.spill is not None
            offset, length = item
            self.spill.seek(offset)
            item = self.spill.read(length)
        return _batch(item, self.schema)

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pending, self.pending = self.pending, []
        # Batches are joined a few MiB at a time: thousands of one-document batches held at once
        # would cost more in per-array overhead than their data.
        chunks, group, group_bytes = [], [], 0
        for item in pending:
            batch = self._piece(item)
            group.append(batch)
            group_bytes += batch.nbytes
            if group_bytes >= GROUP_BYTES:
                chunks.append(pa.Table.from_batches(group, schema=self.schema).combine_chunks())
                group, group_bytes = [], 0
        if group:
            chunks.append(pa.Table.from_batches(group, schema=self.schema).combine_chunks())
        del group
        if not chunks:
            table = pa.Table.from_pylist([], schema=self.schema)
        else:
            table = pa.concat_tables(chunks).combine_chunks()
        del chunks
        part = self.folder / f".{self.split}-{len(self.parts):05d}.part"
        per_group = max(1, ROW_GROUP_BYTES * self.count // max(1, self.size)) if self.count else 1
        pq.write_table(table, part, compression="zstd", row_group_size=per_group)
        self.parts.append((part, table.num_rows, table.nbytes))
        self.count, self.size = 0, 0
        if self.spill is not None:
            self.spill.seek(0)
            self.spill.truncate()

    def close(self) -> SplitOutput:
        if self.count or not self.parts:
            self._flush()
        if self.spill is not None:
            self.spill.close()
            self.spill = None
        out = SplitOutput(self.split)
        n = len(self.parts)
        for i, (part, rows, nbytes) in enumerate(self.parts):
            name = f"{self.split}-{i:05d}-of-{n:05d}.parquet"
            final = self.folder / name
            os.replace(part, final)
            data = final.read_bytes()
            out.shards.append(Shard(f"{self.config}/{name}", rows, nbytes, len(data), hashlib.sha256(data).hexdigest()))
        return out


# --------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------


def encode_rows(features: Any, examples: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[int]]:
    """Encoded rows and their sizes: bytes of each encoded row as UTF-8 JSON.

    Encoding is datasets' own ``encode_nested_example``: what ``Features.encode_example``
    does after ``cast_to_python_objects``, a walk of every value that only converts NumPy,
    pandas, PyTorch, TensorFlow, JAX or PIL objects.  The examples come from parsed YAML
    and the loading script (built-in types only), so that walk returns them unchanged and
    cost a quarter of the rows' time; the Parquet bytes are the same (tests/test_build.py).
    """
    from datasets.features.features import encode_nested_example

    rows = [encode_nested_example(features, example) for example in examples]
    dumps = json.dumps
    return rows, [len(dumps(row, ensure_ascii=False, default=str).encode("utf-8")) for row in rows]


def arrow_rows(schema: Any, rows: list[dict[str, Any]]) -> bytes:
    """Encoded rows as one serialized Arrow record batch (what a worker sends to the writer)."""
    import pyarrow as pa

    return batch_bytes(pa.RecordBatch.from_pylist(rows, schema=schema))


def batch_bytes(batch: Any) -> bytes:
    """A record batch as an IPC message without its schema (the reader knows it)."""
    return batch.serialize().to_pybytes()


def _batch(rows: Any, schema: Any) -> Any:
    """A record batch from :func:`batch_bytes` (or a record batch, as is)."""
    import pyarrow as pa

    if isinstance(rows, (bytes, memoryview)):
        return pa.ipc.read_record_batch(pa.py_buffer(rows), schema)
    return rows

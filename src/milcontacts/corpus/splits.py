"""``splits.yaml``: the one file that declares the splits, read and checked in one place.

Its shape is ``schema/splits.schema.json``; on top of the schema, every
annotated document must be in exactly one split, every id in a split must be
an annotated document, and (given the documents' stories) no story may
straddle two splits.  Problems come back as diagnostics located in
``splits.yaml``; :func:`milcontacts.model.load_splits` turns them into
:class:`~milcontacts.corpus.document.InvalidCorpus`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from .. import checks, schema
from .. import io as yio
from ..diagnostics import Diagnostic
from .layout import SPLITS_FILE, is_doc_id


@dataclass
class Splits:
    """The splits of a corpus (name -> document ids, in the file's order) and the problems found.

    ``splits`` is None when the file is missing or unusable; ``locate`` gives
    the (line, column) of a path in the file.
    """

    splits: dict[str, list[str]] | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    root_node: Any = None

    def locate(self, path: tuple[Any, ...]) -> tuple[int, int]:
        return yio.locate(self.root_node, path) if self.root_node is not None else (1, 1)

    @property
    def ok(self) -> bool:
        return self.splits is not None and not any(d.severity == "error" for d in self.diagnostics)

    def split_of(self) -> dict[str, str]:
        """document id -> split name (the first split, if a document is in two)."""
        out: dict[str, str] = {}
        for name, ids in (self.splits or {}).items():
            for doc_id in ids:
                out.setdefault(doc_id, name)
        return out


def read_splits(root: Path, doc_ids: Iterable[str] | None = None) -> Splits:
    """Read and check ``ROOT/splits.yaml`` against the schema and the annotated documents.

    ``doc_ids``: the annotated documents (default: the files under annotations/).
    """
    from .layout import document_ids

    path = Path(root) / SPLITS_FILE
    if path.is_symlink():
        return Splits(None, [checks.make("C006", SPLITS_FILE, 1, 1, path=SPLITS_FILE)])
    if not path.is_file():
        return Splits(None, [checks.make("C001", SPLITS_FILE, 1, 1,
                                         detail=f"{SPLITS_FILE} does not exist: declare the splits there")])
    loaded = yio.load_yaml(path, SPLITS_FILE)
    if not loaded.ok:
        return Splits(None, list(loaded.diagnostics))
    result = Splits(None, list(loaded.diagnostics), loaded.root)
    errors = schema.errors(loaded.data, "splits")
    for err in errors:
        line, col = result.locate(err.path)
        result.diagnostics.append(checks.make("C001", SPLITS_FILE, line, col, detail=err.message))
    if errors:
        return result
    splits = {str(name): list(ids or []) for name, ids in loaded.data["splits"].items()}
    result.splits = splits
    known = set(document_ids(root) if doc_ids is None else doc_ids)
    seen: dict[str, str] = {}
    for name, ids in splits.items():
        for i, doc_id in enumerate(ids):
            line, col = result.locate(("splits", name, i))
            if doc_id in seen:
                result.diagnostics.append(checks.make("C003", SPLITS_FILE, line, col, id=doc_id,
                                                      first=seen[doc_id], second=name))
                continue
            seen[doc_id] = name
            if doc_id not in known:
                why = "" if is_doc_id(doc_id) else " (and is not a valid document id)"
                result.diagnostics.append(checks.make("C004", SPLITS_FILE, line, col, id=doc_id, why=why))
    for doc_id in sorted(known - set(seen)):
        result.diagnostics.append(checks.make("C002", SPLITS_FILE, 1, 1, id=doc_id))
    return result


def check_stories(splits: Splits, stories: Mapping[str, Any]) -> list[Diagnostic]:
    """C005 for every story whose documents are in more than one split.

    ``stories``: document id -> its ``document.story`` (None for no story).
    """
    split_of = splits.split_of()
    where_of: dict[str, dict[str, str]] = {}
    for doc_id, story in sorted(stories.items()):
        if isinstance(story, str) and story and doc_id in split_of:
            where_of.setdefault(story, {}).setdefault(split_of[doc_id], doc_id)
    out = []
    for story, where in sorted(where_of.items()):
        if len(where) > 1:
            placed = ", ".join(f"{doc} in {split}" for split, doc in sorted(where.items()))
            # pointed at the document of the second split in file order
            second = sorted(where.items(), key=lambda kv: list(splits.splits or {}).index(kv[0]))[1][1]
            name = split_of[second]
            line, col = splits.locate(("splits", name, (splits.splits or {})[name].index(second)))
            out.append(checks.make("C005", SPLITS_FILE, line, col, story=story, placed=placed))
    return out

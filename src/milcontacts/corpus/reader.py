"""Reading documents: each file parsed once, validated, then turned into a :class:`Document`.

Every tool downstream of validation (build, baselines, evaluate, stats,
render) reads documents through :func:`load_document` / :func:`iter_documents`,
which refuse a file the validator would reject, so no tool ever works on data
it cannot trust.  The validator hands back the data it parsed (no second
parse); the model is built from that data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from .. import checks
from ..diagnostics import line
from .document import Document, InvalidCorpus, from_data
from .layout import annotation_path, document_ids, is_doc_id
from .splits import read_splits


def load_document(root: Path, doc_id: str, check: bool = True, kb: Any = None) -> Document:
    """Load ``annotations/<doc_id>.yaml`` with its raw text.

    With ``check`` (the default) the file must pass the validator without
    errors; otherwise :class:`InvalidCorpus` lists the first problems.  ``kb``
    is the corpus kb as :func:`milcontacts.corpus.kb.load_kb` reads it;
    callers loading many documents pass it once instead of re-reading kb.yaml.
    """
    from ..validate.runner import Job, check_file
    from .kb import load_kb

    if not is_doc_id(doc_id):
        raise InvalidCorpus(f"{doc_id!r} is not a valid document id",
                            [checks.make("R006", f"annotations/{doc_id}.yaml", 1, 1, id=doc_id)])
    root = Path(root)
    path = annotation_path(root, doc_id)
    if check and kb is None:
        kb, _, _ = load_kb(root)
    result = check_file(Job(str(path), str(root), kb, None), keep_data=True, run_checks=check)
    errors = [d for d in result.diagnostics if d.severity == "error"]
    if errors:
        if check:
            shown = "\n".join("  " + line(d) for d in errors[:10])
            raise InvalidCorpus(f"{path} has {len(errors)} validation error(s):\n{shown}", errors)
        raise InvalidCorpus(line(errors[0]), errors[:1])
    if not isinstance(result.data, dict) or result.text is None:
        raise InvalidCorpus(f"{path}: not a readable annotation file with its raw text",
                            [checks.make("S001", str(path), 1, 1, detail="not a readable annotation file with its raw text")])
    return from_data(result.data, result.text, path)


def iter_documents(root: Path, ids: list[str] | None = None, check: bool = True) -> Iterator[Document]:
    """Documents one at a time (never the whole corpus in memory)."""
    from .kb import load_kb

    kb = load_kb(Path(root))[0] if check else None
    for doc_id in ids if ids is not None else document_ids(root):
        yield load_document(root, doc_id, check=check, kb=kb)


def load_splits(root: Path) -> dict[str, list[str]]:
    """``splits.yaml``: split name -> document ids, in the file's order.

    Every annotated document must be in exactly one split and every id must
    be a document; otherwise :class:`InvalidCorpus` says what is wrong, with
    the line in splits.yaml.
    """
    result = read_splits(Path(root))
    errors = [d for d in result.diagnostics if d.severity == "error"]
    if errors or result.splits is None:
        raise InvalidCorpus("\n".join(line(d) for d in errors[:10]) or "splits.yaml cannot be used", errors)
    return result.splits


def split_of(root: Path) -> dict[str, str]:
    """document id -> split name."""
    return {doc_id: name for name, ids in load_splits(root).items() for doc_id in ids}


class ValidatedData:
    """The parsed data and raw texts of a corpus that has just been validated.

    Reads the data from the validation run's parse cache (``cache_dir``) when
    it holds the file (the same data: the cache keeps only data that JSON
    returns unchanged), else parses the file once.  Links are refused, never
    followed.  For the build, which validates the whole corpus first.
    """

    def __init__(self, root: Path, cache_dir: Path | None = None):
        from ..validate.cache import fingerprints, shared

        self.root = Path(root)
        self.parse_fp = fingerprints()[0] if cache_dir else None
        # the validation run's own cache object in this process (its packs' index already read)
        self.cache = shared(cache_dir, "parse") if cache_dir and self.parse_fp else None

    def data(self, doc_id: str) -> dict[str, Any]:
        """The annotation data of ``doc_id``; InvalidCorpus if the file cannot be read."""
        from .. import io as yio
        from ..limits import DEFAULT
        from ..validate.cache import cache_key

        path = annotation_path(self.root, doc_id)
        display = f"annotations/{doc_id}.yaml"
        raw, problem = yio.read_bytes(path, display, DEFAULT.max_yaml_bytes)
        if problem is not None:
            raise InvalidCorpus(line(problem), [problem])
        assert raw is not None
        if self.cache is not None:
            data = self.cache.get(cache_key(raw, self.parse_fp))
            if data is not None:
                return data
        loaded = yio.load_yaml_bytes(raw, display)
        if not loaded.ok or not isinstance(loaded.data, dict):
            raise InvalidCorpus(line(loaded.diagnostics[0]) if loaded.diagnostics else f"{display}: not a mapping",
                                loaded.diagnostics[:1])
        return loaded.data

    def text(self, doc_id: str) -> str:
        """The raw text of ``doc_id`` (UTF-8); InvalidCorpus if it cannot be read."""
        from .. import io as yio
        from ..limits import DEFAULT
        from .layout import text_path

        display = f"corpus/{doc_id}.txt"
        raw, problem = yio.read_bytes(text_path(self.root, doc_id), display, DEFAULT.max_text_bytes)
        if problem is None and raw is not None:
            text, problem = yio.decode_utf8(raw, display, "the text")
            if text is not None:
                return text
        assert problem is not None
        raise InvalidCorpus(line(problem), [problem])

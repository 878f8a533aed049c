"""Running the validator over files and a corpus: reading, caching, the process pool.

:func:`check_file` is the one reader of an annotation file: it returns the
diagnostics *and* the parsed data and raw text, which the corpus layer turns
into a :class:`~milcontacts.corpus.document.Document` without a second parse.
:func:`validate_corpus` adds kb.yaml, the allowlist, the corpus-level checks
(splits, stories, links), the caches and the pool.
"""

from __future__ import annotations

import gc
import hashlib
import sys
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from .. import checks
from .. import io as yio
from ..corpus.kb import KB, apply_allowlist, load_allowlist, load_kb
from ..corpus.layout import annotation_names, is_doc_id, relative_to_resolved
from ..diagnostics import Diagnostic
from ..limits import DEFAULT, Limits
from ..spans import items
from .cache import (PROCESS_CACHES, ParseCache, cache_key, diagnostics_from, diagnostics_key, diagnostics_to,
                    fingerprints, flush_all, json_exact, kb_fingerprint, shared)
from .document import check_document
from .corpus_checks import check_links, check_splits, check_unused_kb
from .registry import emits, register
from .text import RawText, raw_from_bytes


@dataclass(frozen=True)
class Job:
    """Everything one worker needs to validate one annotation file.

    ``fingerprint`` (set by :func:`validate_corpus` when a cache is used)
    identifies the checker and the kb; without it only the parse cache is used.
    """

    path: str
    root: str
    kb: KB | None
    cache_dir: str | None
    limits: Limits = DEFAULT
    fingerprint: str | None = None


@dataclass
class FileResult:
    """What validating one annotation file gives: its diagnostics, its document's story
    (for the split checks) and, when asked for, the parsed data and the raw text."""

    diagnostics: list[Diagnostic]
    story: str | None = None
    #: the kb ids the document links to (entities, events, its story), for the unused-entry check
    kb_links: tuple[str, ...] = ()
    data: Any = None
    text: str | None = None


register("milcontacts.io.load_yaml_bytes", "Y001", "Y002", "Y003", "Y004", "Y005", "Y006", "Y007", "Y008")
register("milcontacts.io.read_bytes", "Y001", "Y005", "C006")
register("milcontacts.corpus.kb.load_kb", "S002", "R007")
register("milcontacts.corpus.kb.load_allowlist", "S001")
# The verbs that check their own input outside the validator (docs/validation.md levels 8 and 9).
register("milcontacts.contribute.text_diagnostics", "N001", "N002", "N003", "N004")
register("milcontacts.contribute.run_new", "N005")
register("milcontacts.interop.cli.run_import", "I001", "I002", "I003", "I004", "I005")


def validate_file(job: Job) -> list[Diagnostic]:
    """All diagnostics of one annotation file and its raw text (see :func:`check_file`)."""
    return check_file(job).diagnostics


def _kb_links(data: Any) -> tuple[str, ...]:
    """Every kb id the annotation data links to: entities, events and the document's story."""
    links = {item.get("kb") for layer in ("entities", "events") for _, item in items(data, layer)}
    links.add(_story(data))
    return tuple(sorted(k for k in links if isinstance(k, str)))


def _story(data: Any) -> str | None:
    doc = data.get("document") if isinstance(data, dict) else None
    story = doc.get("story") if isinstance(doc, dict) else None
    return story if isinstance(story, str) else None


@emits("T001", "T006", "R006", "S001")
def check_file(job: Job, keep_data: bool = False, run_checks: bool = True,
               folders: dict[str, Path] | None = None,
               caches: dict[tuple[str, str], ParseCache] | None = None) -> FileResult:
    """Levels 1-5 on one annotation file and its raw text.

    With a cache, the diagnostics of a file are looked up first, keyed by
    everything they depend on (:func:`~milcontacts.validate.cache.diagnostics_key`):
    an unchanged file with an unchanged text, kb and validator costs two reads
    and two hashes.  Otherwise the parsed data may still come from the parse
    cache (keyed by the file's bytes alone), and only the checks are run again.

    ``keep_data``: also return the parsed data and the raw text (never from
    the diagnostics cache).  ``run_checks`` False: only read (level 1 and the
    text's decoding), for tools that load a corpus known to be valid.  ``folders``: resolved
    folders shared by the files of one run (see :func:`~milcontacts.corpus.layout.relative_to_resolved`).
    ``caches``: the open caches of this process (see :func:`~milcontacts.validate.cache.shared`);
    without it, new entries are written before returning.
    """
    root = Path(job.root)
    if folders is None:
        folders = {}
    resolved_root = folders.get("\0root " + job.root)
    if resolved_root is None:
        resolved_root = folders["\0root " + job.root] = root.resolve()
    path = Path(job.path)
    display = relative_to_resolved(path, resolved_root, folders)
    raw_bytes, problem = yio.read_bytes(path, display, job.limits.max_yaml_bytes)
    if problem is not None:
        return FileResult([problem])
    assert raw_bytes is not None

    # The raw text is read first: its bytes are part of the diagnostics' key.
    stem = path.stem
    text_bytes: bytes | None = None
    text_problem: Diagnostic | None = None
    corpus_path = root / "corpus" / f"{stem}.txt"
    corpus_display = ""
    if is_doc_id(stem):
        corpus_display = relative_to_resolved(corpus_path, resolved_root, folders)
        if corpus_path.is_file() or corpus_path.is_symlink():
            text_bytes, text_problem = yio.read_bytes(corpus_path, corpus_display, job.limits.max_text_bytes)
    text_sha = hashlib.sha256(text_bytes).hexdigest() if text_bytes is not None else None

    parse_fp, check_fp = fingerprints(job.limits) if job.cache_dir else (None, None)
    own = caches is None
    if caches is None:
        caches = {}
    parse_cache = shared(job.cache_dir, "parse", caches) if job.cache_dir and parse_fp else None
    diag_cache = (shared(job.cache_dir, "diagnostics", caches)
                  if (job.cache_dir and check_fp and job.fingerprint and text_problem is None
                      and not keep_data and run_checks) else None)
    diag_key = ""
    if diag_cache is not None:
        if not corpus_display:
            state = "no text: the file name is not a document id"
        elif text_sha is None:
            state = f"{corpus_display}: missing"
        else:
            state = f"{corpus_display}: {text_sha}"
        diag_key = diagnostics_key(f"{check_fp}\0{job.fingerprint}", display, raw_bytes, state)
        cached = diagnostics_from(diag_cache.get(diag_key))
        if cached is not None:
            return FileResult(*cached)
    result = _check_file(job, raw_bytes, display, parse_cache, parse_fp, stem, corpus_display,
                         text_bytes, text_problem, text_sha, run_checks)
    if diag_cache is not None:
        diag_cache.put(diag_key, diagnostics_to(result.diagnostics, result.story, result.kb_links))
    if own:
        flush_all(caches)
    if not keep_data:
        result.data = result.text = None
    return result


def _check_file(job: Job, raw_bytes: bytes, display: str, cache: ParseCache | None, parse_fp: str | None,
                stem: str, corpus_display: str, text_bytes: bytes | None,
                text_problem: Diagnostic | None, text_sha: str | None, run_checks: bool) -> FileResult:
    """Levels 1-5 on one file whose bytes (and raw text's bytes) have been read."""
    key = cache_key(raw_bytes, parse_fp) if cache else ""
    data = cache.get(key) if cache else None
    out: list[Diagnostic] = []
    root_node: list[Any] = []
    if data is None:
        loaded = yio.load_yaml_bytes(raw_bytes, display, job.limits)
        out.extend(loaded.diagnostics)
        if not loaded.ok or loaded.data is None:
            if loaded.ok:
                out.append(checks.make("S001", display, 1, 1, detail="the file is empty"))
            return FileResult(out)
        data = loaded.data
        root_node.append(loaded.root)
        if cache and not loaded.diagnostics:
            payload = json_exact(data, loaded.plain)
            if payload is not None:
                cache.put_json(key, payload)

    def locate(p: Sequence[Any]) -> tuple[int, int]:
        if not root_node:  # data came from the cache: parse only now, for a line number
            root_node.append(yio.load_yaml_bytes(raw_bytes, display, job.limits).root)
        return yio.locate(root_node[0], p)

    raw_text: str | None = None
    if corpus_display:
        if text_problem is not None:
            raw = RawText(None, None, [text_problem])
        elif text_bytes is None:
            raw = RawText(None, None, [checks.make("T001", corpus_display, 1, 1, path=corpus_display)])
        else:
            raw = raw_from_bytes(text_bytes, corpus_display, text_sha)
        out.extend(raw.diagnostics)
        raw_text = raw.text
        doc = data.get("document") if isinstance(data, dict) else None
        expected = doc.get("text_sha256") if isinstance(doc, dict) else None
        if raw.sha256 and isinstance(expected, str) and expected != raw.sha256:
            line, col = locate(("document", "text_sha256"))
            out.append(checks.make("T006", display, line, col, path=corpus_display,
                                   actual=raw.sha256, expected=expected))
    else:
        out.append(checks.make("R006", display, 1, 1, id=stem))
    if run_checks:
        out.extend(check_document(data, raw_text, display, locate, job.kb, stem, job.limits))
    return FileResult(out, _story(data), _kb_links(data), data, raw_text)


def _validate_chunk(jobs: list[Job]) -> list[FileResult]:
    gc.disable()  # bulk parsing allocates many small objects: about 15% faster without the collector
    try:
        folders: dict[str, Path] = {}
        return [check_file(j, folders=folders, caches=PROCESS_CACHES) for j in jobs]
    finally:
        flush_all(PROCESS_CACHES)  # one pack per kind and chunk
        gc.enable()


@dataclass
class Report:
    """The outcome of a validation run."""

    diagnostics: list[Diagnostic]
    files: int
    allowlisted: int = 0

    @property
    def errors(self) -> int:
        return sum(d.severity == "error" for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity == "warning" for d in self.diagnostics)


def _job_chunks(names: list[str], size: int, make: Callable[[str], Job]) -> Iterator[list[Job]]:
    """The jobs in chunks of ``size``, made only when a chunk is needed."""
    for i in range(0, len(names), size):
        yield [make(name) for name in names[i:i + size]]


def map_bounded(pool: ProcessPoolExecutor, fn: Callable[[Any], Any], items: Iterable[Any],
                 window: int) -> Iterator[Any]:
    """``pool.map(fn, items)`` (results in order) with at most ``window`` items in flight,
    so that the chunks of a large corpus are not all made and pickled up front."""
    pending: deque[Any] = deque()
    try:
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()


def _load_kb(root: Path, limits: Limits, cache_dir: Path | None) -> tuple[KB | None, list[Diagnostic], int]:
    """:func:`load_kb`, its result cached by the bytes of kb.yaml and the checker's fingerprint
    (checking one file then costs no YAML parse and no schema check of kb.yaml)."""
    path = root / "annotations" / "kb.yaml"
    check_fp = fingerprints(limits)[1] if cache_dir else None
    try:
        if check_fp is None or path.is_symlink() or not path.is_file():
            return load_kb(root, limits)
        with open(path, "rb") as fh:
            raw = fh.read(limits.max_yaml_bytes + 1)
    except OSError:
        return load_kb(root, limits)
    if len(raw) > limits.max_yaml_bytes:
        return load_kb(root, limits)
    cache = shared(cache_dir, "diagnostics")  # type: ignore[arg-type]
    key = diagnostics_key(check_fp, "annotations/kb.yaml", raw, "kb")
    entry = cache.get(key)
    cached = diagnostics_from(entry)
    tables = entry.get("kb") if isinstance(entry, dict) else None
    if cached is not None and (tables is None or (isinstance(tables, list) and len(tables) == 2
                                                   and all(isinstance(t, dict) for t in tables))):
        return (KB(dict(tables[0]), dict(tables[1])) if tables is not None else None), cached[0], 1
    kb, problems, nfiles = load_kb(root, limits)
    if nfiles == 1:
        payload = diagnostics_to(problems, None)
        payload["kb"] = [kb.entities, kb.events] if kb is not None else None
        cache.put(key, payload)
        cache.flush()
    return kb, problems, nfiles


def validate_corpus(root: Path, jobs: int = 1, cache_dir: Path | None = None,
                    limits: Limits = DEFAULT, progress: bool = False,
                    files: list[Path] | None = None) -> Report:
    """Validate every annotation file under ``root`` (or just ``files``), then the corpus
    as a whole: symbolic links, splits.yaml, stories across splits.

    Files are read one at a time (one chunk per worker at a time with
    ``jobs`` > 1); only their diagnostics and stories are kept, so memory
    does not grow with the corpus beyond a few strings per file.
    """
    root = Path(root)
    # Links: every one under the corpus; with ``files``, reading a file refuses it (C006).
    out = check_links(root) if files is None else []
    # kb.yaml's check comes from the cache, keyed by its bytes and the checker (a full run of a
    # warm corpus would otherwise spend a tenth of its time schema-checking an unchanged kb.yaml).
    kb, kb_problems, nfiles = _load_kb(root, limits, cache_dir)
    out.extend(kb_problems)
    allow, allow_problems = load_allowlist(root)
    out.extend(allow_problems)
    names = [str(p) for p in files] if files is not None else annotation_names(root)
    fingerprint = None
    if cache_dir:
        fingerprint = kb_fingerprint(kb)
        fingerprints(limits)  # computed once here; forked workers inherit it
    root_name, cache_name = str(root), str(cache_dir) if cache_dir else None

    def make(name: str) -> Job:
        return Job(name, root_name, kb, cache_name, limits, fingerprint)

    stories: dict[str, Any] = {}
    linked: set[str] = set()
    bar = _progress(len(names), progress)

    def take(name: str, result: FileResult) -> None:
        out.extend(result.diagnostics)
        stories[Path(name).stem] = result.story
        linked.update(result.kb_links)
        bar(1)

    if jobs > 1 and len(names) > 1:
        size = max(1, min(64, len(names) // (jobs * 4) or 1))
        pool = ProcessPoolExecutor(max_workers=jobs)
        try:
            done = iter(names)
            for chunk in map_bounded(pool, _validate_chunk, _job_chunks(names, size, make), window=4 * jobs):
                for result in chunk:
                    take(next(done), result)
        finally:
            pool.shutdown()
    else:
        done = iter(names)
        for chunk in _job_chunks(names, 64, make):
            for result in _validate_chunk(chunk):
                take(next(done), result)
    bar(0, close=True)
    if files is None:
        out.extend(check_splits(root, stories))
        # Which entries are unused is known only once every annotation file was read.
        unread = any(d.severity == "error" and (d.code.startswith("Y") or d.code == "C006")
                     and d.file != "annotations/kb.yaml" for d in out)
        if not unread:
            out.extend(check_unused_kb(kb, linked))
    kept, dropped = apply_allowlist(out, allow)
    return Report(sorted(kept), nfiles + len(names), dropped)


def _progress(total: int, enabled: bool) -> Callable[..., None]:
    if not enabled or total < 50 or not sys.stderr.isatty():
        return lambda n, close=False: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="file", desc="validate", file=sys.stderr)

    def step(n: int, close: bool = False) -> None:
        if n:
            bar.update(n)
        if close:
            bar.close()

    return step

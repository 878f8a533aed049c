"""``milcontacts export`` and ``milcontacts import`` (docs/interop.md).

Export reads only documents the validator accepts (through
:mod:`milcontacts.model`); import refuses the whole run, writing nothing, on
the first file with a problem it cannot hold, and reports every problem as a
diagnostic (codes I001-I005 of docs/validation.md, level 9; exit 1) through
:func:`milcontacts.diagnostics.write`, in ``--format text``, ``json`` or ``github``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..diagnostics import EXIT_INVALID, EXIT_OK, EXIT_USAGE, Diagnostic, line, refuse, write

from .common import ImportFailed, Imported, Problem, assemble, prepare_merged, read_target

EXPORT_FORMATS = ("brat", "inception", "spacy", "conll", "bigbio")
IMPORT_FORMATS = ("brat", "inception")


def add_arguments(sub: argparse._SubParsersAction) -> None:
    """The two verbs' arguments (called from :mod:`milcontacts.cli`)."""
    from ..cli import _fmt

    p = sub.add_parser("export", help="write the corpus for brat, INCEpTION, spaCy, CoNLL-2003 or BigBio",
                       epilog='--format json prints {"diagnostics": [...], "files": N, "format": TO, "out": OUT, '
                              '"counts": {...}} (diagnostics as validate prints them; no counts when refused)')
    p.add_argument("--to", required=True, choices=EXPORT_FORMATS, dest="to_format")
    p.add_argument("--out", required=True, type=Path, help="output folder")
    p.add_argument("root", nargs="?", default=Path("."), type=Path, metavar="ROOT",
                   help="corpus root (default: current directory)")
    p.add_argument("--split", default=None, help="only the documents of this split")
    p.add_argument("--doc", action="append", default=None, metavar="DOC_ID",
                   help="only this document (repeatable); with --draft it need not validate yet")
    p.add_argument("--draft", action="store_true",
                   help="export documents even if the validator reports errors (a draft to annotate)")
    _fmt(p)
    p.set_defaults(func=run_export)

    p = sub.add_parser("import", help="merge brat or INCEpTION annotations into the YAML files",
                       epilog='--format json prints {"diagnostics": [...], "files": N, "imported": [{"document", '
                              '"from", "file", "entities", "timexes", "events", "attributions"}, ...], "written": '
                              'BOOL} (diagnostics as validate prints them, codes I001-I005 and the YAML reader\'s; '
                              'imported is empty when refused)')
    p.add_argument("--from", required=True, choices=IMPORT_FORMATS, dest="from_format")
    p.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR",
                   help="files or folders to import; a last argument that is a corpus root is taken as ROOT")
    p.add_argument("--root", type=Path, default=None, help="corpus root (default: current directory)")
    p.add_argument("--check", action="store_true", help="report what would be imported, write nothing")
    _fmt(p)
    p.set_defaults(func=run_import)


def _is_root(p: Path) -> bool:
    return p.is_dir() and (p / "annotations").is_dir() and (p / "corpus").is_dir()


def _documents(args: argparse.Namespace) -> list[tuple[dict, str, str]]:
    """(data, text, split) for the selected documents."""
    from .. import io as yio
    from ..limits import DEFAULT
    from ..model import InvalidCorpus, document_ids, iter_documents, split_of

    root: Path = args.root
    try:
        splits = split_of(root)
    except InvalidCorpus:
        if not args.draft:
            raise
        splits = {}
    ids = args.doc or document_ids(root)
    if args.split is not None:
        if args.split not in set(splits.values()):
            raise InvalidCorpus(f"splits.yaml: no split named {args.split!r}")
        ids = [i for i in ids if splits.get(i) == args.split]
    if args.draft:
        out = []
        for doc_id in ids:
            loaded = yio.load_yaml(root / "annotations" / f"{doc_id}.yaml", f"annotations/{doc_id}.yaml")
            if not loaded.ok:
                _refuse_draft(loaded.diagnostics[0])
            text_display = f"corpus/{doc_id}.txt"
            raw, problem = yio.read_bytes(root / text_display, text_display, DEFAULT.max_text_bytes)
            if raw is not None:
                text, problem = yio.decode_utf8(raw, text_display, "the text")
            if problem is not None:
                _refuse_draft(problem)
            _check_draft(loaded, text, f"annotations/{doc_id}.yaml")
            out.append((loaded.data, text, splits.get(doc_id, "draft")))
        return out
    return [(d.raw, d.text, splits.get(d.id, "draft")) for d in iter_documents(root, ids)]


def _refuse_draft(d: Diagnostic) -> None:
    from ..model import InvalidCorpus

    raise InvalidCorpus(line(d), [d])


def _check_draft(loaded, text: str, display: str) -> None:
    """A draft need not validate, but it must fit the schema (S001) and its spans the text (T009),
    or export would mislead."""
    from .. import checks
    from .. import io as yio
    from .. import schema
    from ..spans import iter_spans

    errs = schema.errors(loaded.data)
    if errs:
        lno, col = yio.locate(loaded.root, errs[0].path)
        _refuse_draft(checks.make("S001", display, lno, col, detail=f"{errs[0].message} (fix it, then export the draft)"))
    for path, span in iter_spans(loaded.data):
        start, end = span["start"], span["end"]
        if text[start:end] != span["text"]:
            lno, col = yio.locate(loaded.root, path)
            _refuse_draft(checks.make("T009", display, lno, col, text=span["text"], start=start, end=end,
                                      actual=text[start:end], hint=f"; run `milcontacts fix-offsets {display}` first"))


def run_export(args: argparse.Namespace) -> int:
    from ..model import InvalidCorpus

    try:
        docs = _documents(args)
    except (InvalidCorpus, OSError) as exc:
        found = getattr(exc, "diagnostics", [])
        if args.format == "text" or not found:  # the text as always; a bad --split has no file to point at
            print(f"milcontacts export: {exc}", file=sys.stderr)
            return EXIT_INVALID
        return refuse(found, len({d.file for d in found}), args.format,
                      extra={"format": args.to_format, "out": str(args.out)})
    out: Path = args.out
    fmt = args.to_format
    if fmt == "brat":
        from . import brat

        counts = brat.export([(d, t) for d, t, _ in docs], out)
    elif fmt == "inception":
        from . import inception

        counts = inception.export([(d, t) for d, t, _ in docs], out)
    elif fmt == "spacy":
        from . import spacy_docbin

        counts = spacy_docbin.export(docs, out)
    elif fmt == "conll":
        from . import conll

        counts = conll.export(docs, out)
    else:
        from . import bigbio

        counts = bigbio.export(docs, out, args.root)
    if args.format == "json":
        write([], len(docs), "json", sys.stdout, extra={"format": fmt, "out": str(out), "counts": counts})
    else:
        print(f"wrote {fmt} to {out}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return EXIT_OK


def _read(fmt: str, paths: list[Path], root: Path) -> list[tuple[Imported, dict, str, Path]]:
    """Every document in ``paths`` read against its corpus text; ImportFailed on any problem."""
    problems: list[Problem] = []
    results = []
    if fmt == "brat":
        from . import brat

        items = [(p, p.stem) for p in brat.ann_files(paths)]
        reader = brat.read
    else:
        from . import inception

        items, problems = inception.xmi_items(paths)
        reader = inception.read
    seen: set[str] = set()
    for item, doc_id in items:
        if doc_id in seen:
            problems.append(Problem.of("I003", str(item), 1, id=doc_id))
            continue
        seen.add(doc_id)
        try:
            data, text, ann_path = read_target(root, doc_id)
        except ImportFailed as exc:
            problems.extend(exc.problems)
            continue
        imp = reader(item, text)
        if not imp.problems:
            layers = assemble(data, imp)
        problems.extend(imp.problems)
        if not imp.problems:
            results.append((imp, layers, text, ann_path))
    if not items and not problems:
        problems.append(Problem.of("I004", " ".join(map(str, paths)), 1, fmt=fmt))
    if problems:
        raise ImportFailed(problems)
    return results


def run_import(args: argparse.Namespace) -> int:
    paths: list[Path] = list(args.paths)
    root: Path = args.root or Path(".")
    if args.root is None and len(paths) > 1 and _is_root(paths[-1]):
        root = paths.pop()
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"milcontacts import: {missing[0]}: no such file or folder", file=sys.stderr)
        return EXIT_USAGE
    try:
        results = _read(args.from_format, paths, root)
        # Every file is merged and checked before the first one is written: all or nothing.
        problems: list[Problem] = []
        outputs = []
        for imp, layers, _, ann_path in results:
            out, found = prepare_merged(ann_path, layers, str(ann_path))
            problems += found
            outputs.append((ann_path, out))
        if problems:
            raise ImportFailed(problems)
        if not args.check:
            from .. import io as yio

            for ann_path, out in outputs:
                if out is not None:
                    yio.write_atomic(ann_path, out)
    except ImportFailed as exc:
        found = [p.diagnostic() for p in exc.problems]
        refuse(found, len({d.file for d in found}), args.format, extra={"imported": [], "written": False})
        if args.format != "json":
            print(f"milcontacts import: {len(found)} problem(s); nothing was written", file=sys.stderr)
        return EXIT_INVALID
    report = [{"document": imp.doc_id, "from": imp.file, "file": str(ann_path),
               **{layer: len(items) for layer, items in layers.items()}} for imp, layers, _, ann_path in results]
    if args.format == "json":
        write([], len(report), "json", sys.stdout, extra={"imported": report, "written": not args.check})
    else:
        verb = "would import" if args.check else "imported"
        for r in report:
            print(f"{verb} {r['from']} -> {r['file']}: {r['entities']} entities, {r['timexes']} timexes, "
                  f"{r['events']} events, {r['attributions']} attributions")
        if not args.check:
            print(f"next: milcontacts validate {root}")
    return EXIT_OK

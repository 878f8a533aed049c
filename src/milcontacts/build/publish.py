"""Writing the output folder safely: paths checked first, the sources copied without
following a link, and the finished folder swapped into place in one rename."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

from ..corpus.layout import is_link_free
from .errors import EXIT_USAGE, BuildError, diag
from .script import SCRIPT_NAME


def check_paths(root: Path, out: Path, script_stem: str) -> None:
    if not (root / "annotations").is_dir():
        raise BuildError(f"{root} has no annotations/ folder", exit_code=EXIT_USAGE)
    r, o = root.resolve(), out.resolve()
    if o == r or o in r.parents:
        raise BuildError(f"--out {out} contains the corpus root {root}: replacing it would delete the corpus",
                         exit_code=EXIT_USAGE)
    if out.name == script_stem:
        # datasets >= 4 refuses a folder that holds a script named after it.
        raise BuildError(f"--out must not be named {script_stem!r} (the folder would hold {script_stem}.py, "
                         "which datasets >= 4 refuses to load); choose another name", exit_code=EXIT_USAGE)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not _is_build_output(out))):
        raise BuildError(f"--out {out} exists and is not a previous build output (no README.md, croissant.json "
                         f"and {SCRIPT_NAME}); remove it or choose another folder", exit_code=EXIT_USAGE)


def _is_build_output(folder: Path) -> bool:
    return all((folder / name).is_file() for name in ("README.md", "croissant.json", SCRIPT_NAME))



def copy_sources(root: Path, out: Path, script: Path, splits: dict[str, list[str]], jobs: int = 1) -> None:
    """The loading script and exactly the files it reads, under ``data/``.

    A source that is (or lies under) a symbolic link stops the build: the
    validator refuses links, and a link is never followed into the output.
    ``jobs`` threads copy the files (creating a file is kernel work that
    releases the GIL: two files per document, serial at the end of the build).
    """
    shutil.copyfile(script, out / SCRIPT_NAME)
    data = out / "data"
    (data / "annotations").mkdir(parents=True)
    (data / "corpus").mkdir()
    sources = [("splits.yaml", "splits.yaml")]
    if (root / "annotations" / "kb.yaml").is_file() or (root / "annotations" / "kb.yaml").is_symlink():
        sources.append(("annotations/kb.yaml", "annotations/kb.yaml"))
    else:  # the script's `kb` config reads it: a corpus without a kb has an empty one
        (data / "annotations" / "kb.yaml").write_text(EMPTY_KB, encoding="utf-8")
    for ids in splits.values():
        for doc_id in ids:
            sources += [(f"annotations/{doc_id}.yaml",) * 2, (f"corpus/{doc_id}.txt",) * 2]
    for src, _dest in sources:
        if not is_link_free(root / src, root):
            raise BuildError(f"{src} is a symbolic link", [diag("B003", f"{src} is a symbolic link: refused", src)])

    def copy(item: tuple[str, str]) -> None:
        shutil.copyfile(root / item[0], data / item[1], follow_symlinks=False)

    if jobs > 1 and len(sources) > 64:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(copy, sources))
    else:
        for item in sources:
            copy(item)


#: data/annotations/kb.yaml of a corpus that has none (the schema's smallest valid kb).
EMPTY_KB = "schema_version: 1\nentities: []\nevents: []\n"

_RENAME_EXCHANGE = 2


def swap_into_place(tmp: Path, out: Path) -> None:
    """Make ``tmp`` the new ``out``; the old ``out`` (if any) is removed afterwards."""
    if not out.exists():
        os.rename(tmp, out)
        return
    if _exchange(tmp, out):  # atomic: readers see the old folder or the new one
        shutil.rmtree(tmp)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rename(out, old / "x")
    os.rename(tmp, out)
    shutil.rmtree(old)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


# --------------------------------------------------------------------------
# The dataset card
# --------------------------------------------------------------------------


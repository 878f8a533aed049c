"""Where things are in a corpus root, and what a document id is.

A corpus root holds ``annotations/<doc_id>.yaml`` (one per document, plus
``kb.yaml`` and ``allowlist.yaml``), ``corpus/<doc_id>.txt`` (the raw texts)
and ``splits.yaml``.  Nothing outside these paths is read, and no symbolic
link under ``annotations/`` or ``corpus/`` is ever followed: git stores links,
and a pull request must not be able to make a tool read (or ``build``
publish) a file of the machine it runs on.
"""

from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path

#: A document id: also a file name, so no '/', '..' or upper case.  ``\Z``, not
#: ``$``: ``$`` would also match before a final newline ("abc-doc\n").
DOC_ID = re.compile(r"[a-z0-9][a-z0-9-]{2,80}\Z")
#: The files of annotations/ that are not documents.
KB_FILE, ALLOWLIST_FILE = "kb.yaml", "allowlist.yaml"
NOT_DOCUMENTS = frozenset({KB_FILE, ALLOWLIST_FILE})
SPLITS_FILE = "splits.yaml"
FOLDERS = ("annotations", "corpus")


def is_doc_id(value: object) -> bool:
    """True if ``value`` is a string that is a valid document id (matched in full)."""
    return isinstance(value, str) and DOC_ID.match(value) is not None


def annotation_path(root: Path, doc_id: str) -> Path:
    return Path(root) / "annotations" / f"{doc_id}.yaml"


def text_path(root: Path, doc_id: str) -> Path:
    return Path(root) / "corpus" / f"{doc_id}.txt"


def annotation_names(root: Path) -> list[str]:
    """The annotation files of ``root`` as path strings, sorted (kb and allowlist excluded).

    Strings, not Paths: a corpus of N documents then holds N short strings
    while it is validated.  ``*.yaml`` as pathlib's glob matches it.
    """
    folder = Path(root) / "annotations"
    if not folder.is_dir():
        return []
    prefix = str(folder)
    try:
        with os.scandir(folder) as entries:
            return sorted(f"{prefix}/{e.name}" for e in entries
                          if e.name not in NOT_DOCUMENTS and fnmatch.fnmatchcase(e.name, "*.yaml"))
    except PermissionError:  # as pathlib's glob: an unreadable folder lists nothing
        return []


def annotation_files(root: Path) -> list[Path]:
    """The annotation files of a corpus root, sorted (kb and allowlist excluded)."""
    return [Path(name) for name in annotation_names(root)]


def document_ids(root: Path) -> list[str]:
    """Ids of every annotated document (the stems of its annotation files), sorted."""
    return [Path(name).stem for name in annotation_names(root)]


def relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` as a POSIX string (``path`` itself if outside)."""
    return relative_to_resolved(path, Path(root).resolve())


def relative_to_resolved(path: Path, resolved_root: Path, folders: dict[str, Path] | None = None) -> str:
    """:func:`relative` with the root already resolved (one ``resolve`` less per call).

    ``folders``: resolved folders already seen (folder -> resolved), filled here; a run
    over a corpus resolves ``annotations/`` and ``corpus/`` once instead of once per file.
    """
    path = Path(path)
    parent = path.parent
    if folders is None:
        real = parent.resolve()
    else:
        real = folders.get(str(parent))
        if real is None:
            real = folders[str(parent)] = parent.resolve()
    if os.sep == "/":  # the same as below, on strings (a quarter of a warm validation's time otherwise)
        folder, top = str(real), str(resolved_root)
        if folder == top:
            return path.name
        prefix = top if top.endswith("/") else top + "/"
        return f"{folder[len(prefix):]}/{path.name}" if folder.startswith(prefix) else str(path)
    try:  # the folder resolved, not the file: a link is named as itself, not as its target
        return (real / path.name).relative_to(resolved_root).as_posix()
    except ValueError:
        return str(path)


def symlinks(root: Path) -> list[str]:
    """Every symbolic link at or under ``annotations/``, ``corpus/`` and ``splits.yaml``,
    as paths relative to ``root`` (POSIX), sorted.  Links are listed, never followed."""
    root = Path(root)
    found: list[str] = []
    for name in FOLDERS + (SPLITS_FILE,):
        top = root / name
        if top.is_symlink():
            found.append(name)
            continue
        if not top.is_dir():
            continue
        # scandir's entries know whether they are links (d_type): no lstat per file.
        pending = [(str(top), name)]
        while pending:
            folder, shown = pending.pop()
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        if entry.is_symlink():
                            found.append(f"{shown}/{entry.name}")
                        elif entry.is_dir(follow_symlinks=False):
                            pending.append((entry.path, f"{shown}/{entry.name}"))
            except OSError:  # as os.walk: an unreadable folder lists nothing
                continue
    return sorted(found)


def is_link_free(path: Path, root: Path) -> bool:
    """True if neither ``path`` nor any folder between ``root`` and it is a symbolic link."""
    path, root = Path(path), Path(root)
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return not path.is_symlink()
    current = root
    for part in parts:
        current = current / part
        if current.is_symlink():
            return False
    return True

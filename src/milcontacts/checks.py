"""The catalogue of validation checks, and the diagnostics they produce.

Every problem the validator can report is declared here once, as data: a stable
code, a level (one of :data:`LEVELS`), a severity, a short title, a
message template and one line on how to fix it.  ``docs/validation.md`` is
generated from this table (``python scripts/gen_validation_docs.py``), so the
documentation cannot drift from the code.  Codes are stable: a code is never
reused for another meaning, so users can grep logs and allowlist by code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .diagnostics import Diagnostic


@dataclass(frozen=True)
class Check:
    """One kind of problem the validator reports."""

    code: str
    level: int
    severity: str  # "error" or "warning"
    title: str
    template: str
    fix: str


LEVELS = {
    1: "YAML: the file is readable, safe and within limits",
    2: "Schema: the structure follows schema/annotation.schema.json",
    3: "Text: the raw text is intact and every span matches it",
    4: "References: ids are unique and every reference resolves",
    5: "Consistency: annotation is complete and coherent (warnings)",
    6: "Corpus: the files together form a usable corpus (splits, stories, links)",
    7: "Build: the corpus converts to the Hugging Face configs (milcontacts build)",
    8: "New text: milcontacts new can add the text (UTF-8, NFC, LF, no BOM, a new id)",
    9: "Import: milcontacts import can take the tool's files into the annotations",
}

_CHECKS = [
    # Level 1 -- reading the file
    Check("Y001", 1, "error", "YAML syntax error", "{detail}",
          "Fix the YAML syntax at the line shown (an unclosed quote or bracket, a bad indentation)."),
    Check("Y002", 1, "error", "Duplicate mapping key", "duplicate key {key!r} (first at line {first})",
          "Remove or rename one of the two keys: YAML would silently keep only the last one."),
    Check("Y003", 1, "error", "Unsafe or unknown YAML tag", "tag {tag!r} is not allowed: only plain YAML data is accepted",
          "Remove the tag (e.g. !!python/object); annotation files hold only mappings, lists, strings, numbers, booleans and null."),
    Check("Y004", 1, "error", "Too many aliases", "{detail}",
          "Annotation files need no anchors or aliases (&x / *x): write the values out."),
    Check("Y005", 1, "error", "File too large", "file is {size:,} bytes, over the limit of {limit:,} bytes",
          "Split the text into several documents; files over the limit are refused before parsing."),
    Check("Y006", 1, "error", "Not UTF-8", "{what} is not valid UTF-8 ({detail})",
          "Re-save the file as UTF-8 (e.g. iconv -f LATIN1 -t UTF-8)."),
    Check("Y007", 1, "error", "Byte-order mark", "file starts with a UTF-8 byte-order mark",
          "Remove the BOM: save as UTF-8 without BOM."),
    Check("Y008", 1, "error", "Nesting too deep", "nesting deeper than {limit} levels",
          "Annotation files are at most a few levels deep; this file is not an annotation file."),
    Check("Y009", 1, "error", "Too many spans", "{count:,} spans, over the limit of {limit:,}",
          "Split the document: one annotation file holds at most the stated number of spans."),
    # Level 2 -- schema
    Check("S001", 2, "error", "Schema violation", "{detail}",
          "Follow schema/annotation.schema.json (see docs/guidelines.md for the allowed values)."),
    Check("S002", 2, "error", "kb.yaml schema violation", "{detail}",
          "Follow schema/kb.schema.json."),
    # Level 3 -- raw text and offsets
    Check("T001", 3, "error", "Raw text missing", "raw text {path} does not exist",
          "Add the text as corpus/<doc_id>.txt (milcontacts new does it) or fix document.id."),
    Check("T002", 3, "error", "Raw text not UTF-8", "{path} is not valid UTF-8 ({detail})",
          "Store the raw text as UTF-8; `milcontacts new` converts nothing silently and tells you how."),
    Check("T003", 3, "error", "Raw text has a BOM", "{path} starts with a byte-order mark",
          "Remove the BOM (milcontacts new --normalize does it) and update text_sha256."),
    Check("T004", 3, "error", "Raw text has CR line ends", "{path} contains {count} carriage return(s); line ends must be LF",
          "Convert to LF (milcontacts new --normalize) and check .gitattributes keeps corpus/ out of EOL conversion."),
    Check("T005", 3, "error", "Raw text not NFC", "{path} is not in Unicode NFC",
          "Normalise the text to NFC (milcontacts new --normalize) before annotating."),
    Check("T006", 3, "error", "Raw text changed", "sha256 of {path} is {actual}, the annotation records {expected}",
          "The raw text must never change: restore it from git; if the change is intended, re-annotate and update text_sha256."),
    Check("T007", 3, "error", "Span out of range", "span [{start}, {end}) is outside the text (length {length})",
          "Fix the offsets; `milcontacts fix-offsets FILE` recomputes them from `text`."),
    Check("T008", 3, "error", "Span reversed or empty", "span start {start} is not before end {end}",
          "start is inclusive and end exclusive: start < end."),
    Check("T009", 3, "error", "Span text mismatch", "text {text!r} does not match raw[{start}:{end}] = {actual!r}{hint}",
          "Run `milcontacts fix-offsets FILE` to move the offsets to the text, or correct `text`."),
    Check("T010", 3, "error", "Zones leave a gap", "text between zones [{start}, {end}) is not whitespace: {snippet!r}",
          "Zones must tile the whole text in order: extend a zone or add one over the gap."),
    Check("T011", 3, "error", "Zones overlap or are out of order", "zone {zid} starts at {start}, before the previous zone ends ({prev_end})",
          "List zones in text order without overlap."),
    Check("T012", 3, "error", "Overlapping name mentions", "name mention {text!r} [{start}, {end}) overlaps name mention {other!r} [{ostart}, {oend})",
          "Names are flat: keep the longest name, remove the other mention (docs/guidelines.md §3, name spans)."),
    # Level 4 -- identifiers and references
    Check("R001", 4, "error", "Duplicate id", "id {id!r} is used more than once (first at line {first})",
          "Give every zone, entity, timex, event and attribution its own id."),
    Check("R002", 4, "error", "Dangling reference", "{field} {ref!r} does not name any {kind} in this file",
          "Point the reference at an existing id, or add the missing item."),
    Check("R003", 4, "error", "Unknown kb id", "kb id {kb!r} is not in annotations/kb.yaml",
          "Add the entity or event to annotations/kb.yaml, or fix the slug."),
    Check("R004", 4, "error", "Cycle in nested_in", "attribution {id!r} is nested in itself through {chain}",
          "nested_in points from the reported statement to the one that reports it; it cannot loop."),
    Check("R005", 4, "error", "Document id mismatch", "document.id {id!r} does not match the file name {stem!r}",
          "Name the file annotations/<document.id>.yaml and the text corpus/<document.id>.txt."),
    Check("R006", 4, "error", "Unsafe document id", "document id {id!r} is not a safe file name",
          "A doc_id matches ^[a-z0-9][a-z0-9-]{2,80}$: no '/', '..' or upper case."),
    Check("R007", 4, "error", "Duplicate kb id", "kb id {id!r} is defined more than once (first at line {first})",
          "Merge the two entries of annotations/kb.yaml."),
    Check("R008", 4, "warning", "Type differs from kb", "entity type {type} differs from the kb type {kbtype} of {kb!r}",
          "Use the kb type, or explain the metonymy in the entity's `note`."),
    Check("R009", 4, "error", "Argument of the wrong kind", "role {role!r} takes {expected}, but {ref!r} is {actual}",
          "time arguments point at timexes (t…); the other roles at entities (e…) or spans."),
    # Level 5 -- consistency warnings
    Check("W001", 5, "warning", "Name left bare", "{text!r} is annotated as a name at [{start}, {end}) but left bare at [{bstart}, {bend})",
          "Annotate the other occurrence too, or allowlist it with a reason in annotations/allowlist.yaml."),
    Check("W002", 5, "warning", "Same name, two types", "{text!r} is typed {types}",
          "Use one type for one string in one text, unless the reading truly differs (then allowlist it)."),
    Check("W003", 5, "warning", "Name not on token boundaries", "name mention {text!r} [{start}, {end}) cuts a word",
          "Extend or shrink the span to whole words."),
    Check("W004", 5, "warning", "Checked file with draft content", "{detail}",
          "Set review.status to draft until every layer is complete."),
    # Level 5 -- the mechanical rules of the guidelines (docs/guidelines.md §8.1)
    Check("G001", 5, "error", "Nested attribution outside its parent",
          "the {what} {text!r} of attribution {id!r} is not inside the content of {parent!r}, which it is nested in",
          "A nested attribution is part of what its parent's source said (guidelines §6): extend the "
          "parent's content over it, or set nested_in to null if it is a report of its own."),
    Check("G002", 5, "error", "Part-of-day value", "value {value!r} of timex {id!r} {problem}",
          "Parts of the day are TIMEX3 suffixes: matin TMO, après-midi TAF, soir TEV, nuit TNI, "
          "e.g. 2015-09-17TEV (guidelines §4)."),
    Check("G003", 5, "warning", "Trigger longer than one word", "trigger {text!r} of event {id!r} has more than one "
          "word, but its head {head!r} is a single-word trigger",
          "Mark only the word that carries the event, e.g. `suspendu`, not `suspendu la coopération` "
          "(guidelines §5.1); a new multi-word expression goes on the closed list by a guidelines change."),
    # Level 6 -- the corpus as a whole
    Check("C001", 6, "error", "Unusable splits.yaml", "{detail}",
          "splits.yaml is a mapping `splits: {name: [doc ids]}` (schema/splits.schema.json); split names "
          "are letters, digits and _ (docs/format.md)."),
    Check("C002", 6, "error", "Document in no split", "document {id!r} is in no split of splits.yaml",
          "Add the document id to one split of splits.yaml, with the other texts of its story."),
    Check("C003", 6, "error", "Document in two splits", "document {id!r} is in both {first} and {second}",
          "Keep the document in one split only."),
    Check("C004", 6, "error", "Unknown document in a split", "{id!r} is in splits.yaml but has no annotation file{why}",
          "Remove the id from splits.yaml, or add annotations/<id>.yaml (milcontacts new)."),
    Check("C005", 6, "error", "Story straddles splits", "story {story!r} straddles splits: {placed}",
          "Texts about one story (document.story) go in one split, so no model is tested on a story it was "
          "trained on: move them together."),
    Check("C006", 6, "error", "Symbolic link", "{path} is a symbolic link; links are refused and never followed",
          "Commit the file itself: a link in a pull request could make CI read or publish a file of the machine."),
    Check("C007", 6, "warning", "Unused kb entry", "kb id {id!r} is linked to by no document",
          "Link a mention or event to it, fix the slug that was meant to name it, or remove the entry."),
    # Level 7 -- build (reported by milcontacts build, after levels 1-6 pass)
    Check("B001", 7, "error", "Name not aligned to tokens", "{detail}",
          "The name mention starts or ends inside a spaCy token that cannot be split there: "
          "fix the span to whole words (docs/guidelines.md §3)."),
    Check("B002", 7, "error", "Unusable splits", "{detail}",
          "Put every document in exactly one split of splits.yaml, with the other texts of its story."),
    Check("B003", 7, "error", "Loading-script error", "{detail}",
          "The loading script could not convert the file: the message says what it found."),
    # Level 8 -- milcontacts new (nothing is written when one is reported)
    Check("N001", 8, "error", "Incoming text has a BOM", "the text starts with a UTF-8 byte-order mark",
          "Re-run milcontacts new with --normalize: it strips the BOM (and makes no other change)."),
    Check("N002", 8, "error", "Incoming text has CRLF line ends", "the text has {count} CRLF line end(s)",
          "Re-run milcontacts new with --normalize: it converts CRLF to LF."),
    Check("N003", 8, "error", "Incoming text has lone CR line ends", "the text has {count} lone CR line end(s)",
          "Re-run milcontacts new with --normalize: it converts CR to LF."),
    Check("N004", 8, "error", "Incoming text not NFC", "the text is not in Unicode NFC (e.g. decomposed accents)",
          "Re-run milcontacts new with --normalize: it converts the text to NFC."),
    Check("N005", 8, "error", "Document already exists", "the file already exists; nothing was written",
          "Choose another --id, or edit the existing document (milcontacts new never overwrites)."),
    # Level 9 -- milcontacts import (nothing is written when one is reported)
    Check("I001", 9, "error", "Tool file cannot be imported", "{detail}",
          "Fix the brat or INCEpTION file at the line shown (docs/interop.md says what each format may hold)."),
    Check("I002", 9, "error", "Imported document not in the corpus",
          "no document {id!r} in the corpus at {root}: add its text first with "
          "`milcontacts new TEXT_FILE --id {id}`",
          "Add the document's text and skeleton with milcontacts new, or name the file after an existing document."),
    Check("I003", 9, "error", "Document imported twice", "{id} is imported twice in this run",
          "Import each document from one file only."),
    Check("I004", 9, "error", "Nothing to import", "no {fmt} file to import here",
          "Name the exported files or the folder that holds them."),
    Check("I005", 9, "error", "Import does not fit the annotation", "{detail}",
          "Fix what the message names in the imported file; the annotation file was left unchanged."),
]

CHECKS: dict[str, Check] = {c.code: c for c in _CHECKS}


def make(code: str, file: str, line: int, column: int, subject: str = "", **params: Any) -> Diagnostic:
    """Build the diagnostic for check ``code`` with its message filled in."""
    check = CHECKS[code]
    return Diagnostic(file, max(1, line), max(1, column), check.severity, code,
                      printable(check.template.format(**params)), printable(subject))


def printable(text: str) -> str:
    """``text`` safe to print and to encode as UTF-8.

    YAML escapes can put lone surrogates ("\\ud800") into strings; echoed in
    a message they would crash the output stream, so they are shown escaped.
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def render_markdown() -> str:
    """docs/validation.md, generated from the catalogue above."""
    from . import limits

    out = [
        "# Validation checks",
        "",
        "<!-- Generated by `python scripts/gen_validation_docs.py` from "
        "src/milcontacts/checks.py; do not edit by hand. -->",
        "",
        "`milcontacts validate [ROOT]` reports every problem it finds, as "
        "`file:line:col: severity CODE: message`, and exits 1 if any is an error. "
        "Codes are stable. Warnings can be allowlisted with a reason in "
        "`annotations/allowlist.yaml`, by their subject.",
        "",
        "`--format json` prints `{\"diagnostics\": [...], \"files\": N}`, each diagnostic with "
        "`file`, `line`, `column`, `severity`, `code`, `message` and `subject` (what an allowlist entry "
        "names, e.g. `Pentagone@123`; empty for errors). `--format github` prints GitHub Actions "
        "annotations. The file format itself is described in [format.md](format.md).",
        "",
        "Exit codes: 0 no error (warnings allowed), 1 at least one error, 2 usage error. "
        "`milcontacts build` runs levels 1-6 first and reports level 7; `milcontacts new` reports "
        "level 8 and `milcontacts import` level 9.",
        "",
        "Every verb that reports problems in its input (`validate`, `build`, `new`, `render`, "
        "`export`, `import`) takes `--format`: `text` prints `file:line:col: severity CODE: message` "
        "lines, `json` the object above, with what the verb made added beside `diagnostics` and "
        "`files`: `new` adds `wrote` (the two files written) and `normalized` (the level-8 "
        "problems `--normalize` converted, as diagnostics), `render` adds `wrote`, `export` adds "
        "`format`, `out` and `counts`, `import` adds `imported` (one object per document) and "
        "`written`. `github` (GitHub Actions annotations) is offered where every diagnostic has "
        "a file and line.",
        "",
    ]
    for level, title in LEVELS.items():
        out += [f"## Level {level}. {title}", "", "| code | severity | title | how to fix |", "|---|---|---|---|"]
        for c in _CHECKS:
            if c.level == level:
                fix = c.fix.replace("|", "\\|")
                out.append(f"| `{c.code}` | {c.severity} | {c.title} | {fix} |")
        out.append("")
    out += ["## Limits", "", "Hostile input is refused before it can cost time or memory:", "",
            "| limit | value |", "|---|---|"]
    for name, value, why in limits.describe():
        out.append(f"| {name} ({why}) | {value:,} |")
    out.append("")
    return "\n".join(out)

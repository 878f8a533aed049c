"""What every format of :mod:`milcontacts.interop` shares.

Export reads a document's annotation data (the YAML as plain data) and its
raw text.  Import turns a tool's file into *imported layers*: YAML-shaped
dicts whose cross references are the tool's own keys (``"T3"``, an XMI id)
instead of ids, each item remembering the line it came from.
:func:`assemble` then gives every item its id, matching it to the existing
annotation by offsets (so ids, and everything matched, are kept), and
:func:`prepare_merged` puts the result into the YAML file with ruamel.yaml
round-trip (comments, key order and styles of untouched items kept) and an
atomic write.  Nothing is written when any problem was found.
"""

from __future__ import annotations

import io as _stdio
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .. import io as yio
from .. import schema
from .. import checks
from ..diagnostics import Diagnostic, at

LAYERS = ("entities", "timexes", "events", "attributions")


@dataclass(frozen=True)
class Problem:
    """Something an import cannot take, with where it is and its catalogue code
    (docs/validation.md, level 9; a code of the YAML reader when the annotation file is unreadable)."""

    file: str
    line: int
    message: str
    code: str = "I001"

    @classmethod
    def of(cls, code: str, file: str, line: int, **params: Any) -> "Problem":
        """The problem ``code`` with its catalogue message filled in."""
        return cls(file, line, checks.CHECKS[code].template.format(**params), code)

    def __str__(self) -> str:
        return at(self.file, self.line, self.message)

    def diagnostic(self) -> Diagnostic:
        """The problem in the one error channel (column 1: the tools' files give lines only)."""
        return Diagnostic(self.file, max(1, self.line), 1, checks.CHECKS[self.code].severity, self.code,
                          checks.printable(self.message))


class ImportFailed(Exception):
    """An import found problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass
class Imported:
    """One document's layers as read from a tool's file (see the module doc).

    Items carry ``_key`` (the tool's id, used by references) and ``_line``
    (for messages); ``ref``/``nested_in`` values are such keys.
    """

    doc_id: str
    file: str
    entities: list[dict] = field(default_factory=list)
    timexes: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    attributions: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))


def enums() -> dict[str, tuple[str, ...]]:
    """Every enumeration the formats need, read from the annotation schema."""
    names = ("entity_type", "mention_kind", "timex_type", "timex_mod", "event_type", "role",
             "modality", "attribution_type", "zone_type")
    return {n: schema.enum(n) for n in names}


def span(start: int, end: int, text: str) -> dict:
    return {"start": start, "end": end, "text": text}


# Notes are one line in brat and in INCEpTION's feature editor: a line break,
# a tab and the backslash itself are written as \n, \t, \\ and read back.
_ESC = {"\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_UNESC = {"\\": "\\", "n": "\n", "t": "\t", "r": "\r"}


def escape_note(note: str) -> str:
    return "".join(_ESC.get(c, c) for c in note)


def unescape_note(note: str) -> str:
    return re.sub(r"\\(.)", lambda m: _UNESC.get(m.group(1), "\\" + m.group(1)), note)


def nearest_mention(entity: dict, anchor: int) -> int:
    """Index of the entity's mention nearest to ``anchor`` (a trigger or cue start).

    Tools link an argument to a span, the YAML to an entity: the export
    points at the mention a reader sees next to the event; any mention of
    the entity reads back as the entity.
    """
    mentions = entity["mentions"]
    return min(range(len(mentions)), key=lambda i: (abs(mentions[i]["start"] - anchor), i))


def check_span(imp: Imported, text: str, line: int, start: int, end: int, shown: str | None) -> bool:
    """Offsets inside the text, non-empty, and (when the tool repeats it) the same text."""
    if not (0 <= start < end <= len(text)):
        imp.problem(line, f"offsets [{start}, {end}) are outside the text ({len(text)} characters)")
        return False
    if shown is not None and text[start:end] != shown:
        imp.problem(line, f"span text {shown!r} is not the text at [{start}, {end}): {text[start:end]!r}")
        return False
    return True


# --------------------------------------------------------------------------
# ids: matching imported items to the existing annotation by offsets
# --------------------------------------------------------------------------

def _next_ids(prefix: str, existing: Iterable[str]) -> Iterator[str]:
    numbers = [int(i[len(prefix):]) for i in existing if re.fullmatch(rf"{prefix}[0-9]+", i)]
    n = max(numbers, default=0)
    while True:
        n += 1
        yield f"{prefix}{n}"


def _match(imported: list[dict], existing: list[dict], keys: list[Callable[[dict], Any]]) -> dict[int, int]:
    """imported index -> existing index, by the first key function that matches, in order."""
    out: dict[int, int] = {}
    taken: set[int] = set()
    for key in keys:
        by_key: dict[Any, list[int]] = {}
        for j, item in enumerate(existing):
            if j not in taken:
                by_key.setdefault(key(item), []).append(j)
        for i, item in enumerate(imported):
            if i in out:
                continue
            free = by_key.get(key(item))
            if free:
                out[i] = free.pop(0)
                taken.add(out[i])
    return out


def _match_entities(imported: list[dict], existing: list[dict]) -> dict[int, int]:
    """Entities match by shared mention spans, the largest overlap first."""
    spans = [{(m["start"], m["end"]) for m in e["mentions"]} for e in existing]
    pairs = []
    for i, e in enumerate(imported):
        mine = {(m["start"], m["end"]) for m in e["mentions"]}
        for j, theirs in enumerate(spans):
            shared = len(mine & theirs)
            if shared:
                pairs.append((-shared, j, i))
    out: dict[int, int] = {}
    used: set[int] = set()
    for _, j, i in sorted(pairs):
        if i not in out and j not in used:
            out[i] = j
            used.add(j)
    return out


def _order(imported: list[dict], existing: list[dict], matched: dict[int, int]) -> list[int]:
    """Imported indices: those matching existing items in the existing order, then new ones."""
    back = {j: i for i, j in matched.items()}
    return [back[j] for j in range(len(existing)) if j in back] + [i for i in range(len(imported)) if i not in matched]


def _span_key(s: dict) -> tuple[int, int]:
    return (s["start"], s["end"])


def _ordered_like(new: list[dict], old: list[dict], key: Callable[[dict], Any]) -> list[dict]:
    """``new`` with the items also in ``old`` in old's order first (so nothing moves needlessly)."""
    rank = {key(x): k for k, x in enumerate(old)}
    return sorted(new, key=lambda x: (0, rank[key(x)]) if key(x) in rank else (1, 0))


def _clean(item: dict) -> dict:
    return {k: v for k, v in item.items() if not k.startswith("_")}


def assemble(existing: dict, imp: Imported) -> dict[str, list[dict]]:
    """The four layers to write: imported items with ids, matched to ``existing`` by offsets.

    Timexes match by span, entities by shared mention spans, events by
    trigger span and type (then span alone), attributions by cue span.  A
    matched item keeps its id and its place; a new one gets the next free id
    and goes last.  References are resolved from the tool's keys to ids;
    one that points at nothing is a problem.
    """
    old = {layer: list(existing.get(layer) or []) for layer in LAYERS}
    ids: dict[str, str] = {}  # tool key -> id
    out: dict[str, list[dict]] = {}

    def name(layer: str, prefix: str, matched: dict[int, int], items: list[dict]) -> list[dict]:
        fresh = _next_ids(prefix, [x["id"] for x in old[layer]])
        result = []
        for i in _order(items, old[layer], matched):
            ident = old[layer][matched[i]]["id"] if i in matched else next(fresh)
            ids[items[i]["_key"]] = ident
            result.append({"id": ident, **items[i]})
        return result

    ents = name("entities", "e", _match_entities(imp.entities, old["entities"]), imp.entities)
    by_id = {e["id"]: e for e in old["entities"]}
    for e in ents:
        if e["id"] in by_id:
            e["mentions"] = _ordered_like(e["mentions"], by_id[e["id"]]["mentions"], _span_key)
    out["entities"] = ents
    out["timexes"] = name("timexes", "t", _match(imp.timexes, old["timexes"], [_span_key]), imp.timexes)
    trig = [lambda v: (_span_key(v["trigger"]), v["type"]), lambda v: _span_key(v["trigger"])]
    out["events"] = name("events", "v", _match(imp.events, old["events"], trig), imp.events)
    out["attributions"] = name("attributions", "a",
                               _match(imp.attributions, old["attributions"], [lambda a: _span_key(a["cue"])]),
                               imp.attributions)

    def resolve(key: str, line: int, what: str) -> str:
        if key not in ids:
            imp.problem(line, f"{what} points at {key}, which is not an annotation this format can hold")
            return key
        return ids[key]

    for v in out["events"]:
        for a in v["arguments"]:
            if "ref" in a:
                a["ref"] = resolve(a["ref"], v["_line"], f"argument {a['role']}")
    for a in out["attributions"]:
        if "ref" in a["source"]:
            a["source"]["ref"] = resolve(a["source"]["ref"], a["_line"], "source")
        if a["nested_in"] is not None:
            a["nested_in"] = resolve(a["nested_in"], a["_line"], "nested_in")
    return {layer: [_clean(x) for x in items] for layer, items in out.items()}


# --------------------------------------------------------------------------
# writing into the YAML file
# --------------------------------------------------------------------------

def _round_trip() -> Any:
    from ..contribute import _round_trip as rt  # the project's one ruamel set-up

    return rt()


def _flow(d: dict) -> Any:
    from ruamel.yaml.comments import CommentedMap

    m = CommentedMap(d)
    m.fa.set_flow_style()
    return m


def _node(layer: str, item: dict) -> Any:
    """A new YAML node for an item, in the file's usual style (spans on one line)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if layer == "timexes":
        return _flow(item)
    m = CommentedMap()
    for k, v in item.items():
        if isinstance(v, dict):
            m[k] = _flow(v)
        elif isinstance(v, list):
            seq = CommentedSeq([_flow(x) if isinstance(x, dict) else x for x in v])
            if not v:
                seq.fa.set_flow_style()
            m[k] = seq
        else:
            m[k] = v
    return m


def _fresh(value: Any) -> Any:
    """A new node for a value inside an item: mappings (spans, arguments) on one line."""
    from ruamel.yaml.comments import CommentedSeq

    if isinstance(value, dict):
        return _flow(value)
    if isinstance(value, list):
        seq = CommentedSeq([_fresh(v) for v in value])
        if not value:
            seq.fa.set_flow_style()
        return seq
    return value


def _update(node: Any, value: Any) -> Any:
    """``node`` changed in place to hold ``value``: equal parts keep their node (quotes, comments)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if _plain(node) == value:
        return node
    if isinstance(node, CommentedMap) and isinstance(value, dict):
        for k in [k for k in node if k not in value]:
            del node[k]
        for k, v in value.items():
            node[k] = _update(node[k], v) if k in node else _fresh(v)
        return node
    if isinstance(node, CommentedSeq) and isinstance(value, list):
        pool = list(node)
        items = []
        for v in value:
            same = next((i for i, n in enumerate(pool) if _plain(n) == v), None)
            items.append(pool.pop(same) if same is not None else _fresh(v))
        del node[:]
        node.extend(items)
        return node
    return _fresh(value)


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def merged_yaml(source: str, layers: dict[str, list[dict]]) -> str:
    """``source`` (an annotation file) with its four layers replaced by ``layers``.

    An item equal to the existing item with its id keeps its node (comments
    and styles included); others are written anew.
    """
    from ruamel.yaml.comments import CommentedSeq

    y = _round_trip()
    doc = y.load(source)
    for layer in LAYERS:
        seq = doc.get(layer)
        current = _plain(seq) if seq is not None else []
        if current == layers[layer]:
            continue
        nodes = {x.get("id"): x for x in (seq or [])}
        new = [_update(nodes[i["id"]], i) if i["id"] in nodes else _node(layer, i) for i in layers[layer]]
        if not isinstance(seq, CommentedSeq):
            doc[layer] = seq = CommentedSeq()
        del seq[:]
        seq.extend(new)
        if new:
            seq.fa.set_block_style()
        else:
            seq.fa.set_flow_style()
    buf = _stdio.StringIO()
    y.dump(doc, buf)
    return buf.getvalue()


def prepare_merged(path: Path, layers: dict[str, list[dict]], display: str) -> tuple[str | None, list[Problem]]:
    """The new content of the annotation file at ``path`` with ``layers``, or the problems.

    The result must satisfy the JSON Schema and read back to exactly the
    intended data; ``None`` means the file would not change.
    """
    source = path.read_text(encoding="utf-8")
    loaded = yio.load_yaml_bytes(source.encode("utf-8"), display)
    if not loaded.ok or not isinstance(loaded.data, dict):
        return None, ([Problem(display, d.line, d.message, d.code) for d in loaded.diagnostics]
                      or [Problem(display, 1, "not an annotation file", "I005")])
    intended = dict(loaded.data)
    intended.update(layers)
    errs = schema.errors(intended)
    if errs:
        return None, [Problem(display, 1, f"the imported annotation would not fit the schema at "
                                          f"{'/'.join(map(str, e.path))}: {e.message}", "I005") for e in errs[:10]]
    out = merged_yaml(source, layers)
    back = yio.load_yaml_bytes(out.encode("utf-8"), display)
    if not back.ok or back.data != intended:
        return None, [Problem(display, 1, "internal error: the rewrite would change more than the imported layers; "
                                          "file left unchanged", "I005")]
    return (out if out != source else None), []


def read_target(root: Path, doc_id: str) -> tuple[dict, str, Path]:
    """The existing annotation data, raw text and annotation path of ``doc_id``.

    Raises :class:`ImportFailed` when the document is not in the corpus
    (``milcontacts new`` adds it first).
    """
    from ..corpus.layout import DOC_ID

    ann = Path(root) / "annotations" / f"{doc_id}.yaml"
    txt = Path(root) / "corpus" / f"{doc_id}.txt"
    if not DOC_ID.match(doc_id) or not ann.is_file() or not txt.is_file():
        raise ImportFailed([Problem.of("I002", str(ann), 1, id=doc_id, root=root)])
    loaded = yio.load_yaml(ann, str(ann))
    if not loaded.ok or not isinstance(loaded.data, dict):
        d = loaded.diagnostics[0] if loaded.diagnostics else None
        raise ImportFailed([Problem(str(ann), d.line, d.message, d.code) if d
                            else Problem(str(ann), 1, "not an annotation file", "I005")])
    text = txt.read_bytes().decode("utf-8")
    return loaded.data, text, ann

"""brat standoff: one ``.txt`` (the raw text, byte for byte) and one ``.ann`` per document.

The mapping (docs/interop.md has the table):

* a mention is a ``T`` line typed with its entity's type (``PER``, ``ORG``...);
  its kind is an ``A`` line ``Kind`` when it is not ``NAM``; the mentions of
  one entity are joined by a ``*`` line ``Coref``; the entity's kb link is an
  ``N`` line ``Reference Tn milcontacts:<kb id>`` on each mention;
* a timex is a ``T`` line ``Timex`` with ``A`` lines ``TimexType`` (and
  ``TimexMod``) and an ``N`` line ``Reference Tn TIMEX3:<value>``;
* an event is an ``E`` line whose trigger ``T`` line has the event type;
  arguments point at the mention of the entity nearest the trigger, at a
  timex, or at a ``T`` line ``Argument`` for a span argument; repeated roles
  are numbered as brat does (``participant``, ``participant2``); modality is
  an ``A`` line ``Modality``, the kb link an ``N`` line;
* an attribution is an ``E`` line ``Attribution`` whose trigger is the cue,
  with arguments ``source`` (a mention, or a ``T`` line ``Source``),
  ``content`` (``T`` lines ``Content``) and ``nested_in`` (another
  attribution's ``E``); its type is an ``A`` line ``AttributionType``;
* a note is an ``AnnotatorNotes`` ``#`` line on the entity's first mention,
  the timex, the event or the attribution (line breaks written ``\\n``).

Zones and document metadata stay in the YAML (brat has no place for them).
A span with a line break is written as fragments split at the line breaks,
as brat itself does, and read back as one span.
"""

from __future__ import annotations

import re
from pathlib import Path

from .common import (Imported, enums, escape_note, nearest_mention, span,
                     unescape_note)

KB_DB = "milcontacts"
TIMEX_DB = "TIMEX3"
SPAN_TYPES = ("Timex", "Argument", "Source", "Content")
ATTRIBUTION = "Attribution"
COREF = "Coref"
NOTES = "AnnotatorNotes"


def brat_type(name: str) -> str:
    """brat's storage form of a type name (its ``normalize_to_storage_form``): ``CONTACT.MEET`` -> ``CONTACT_MEET``."""
    return re.sub(r"[^a-zA-Z0-9_-]", "_", name)


def event_types() -> dict[str, str]:
    """brat event type -> schema event type."""
    return {brat_type(t): t for t in enums()["event_type"]}


# --------------------------------------------------------------------------
# export
# --------------------------------------------------------------------------

def _fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) split at line breaks (brat cannot show a span across lines)."""
    out, pos = [], start
    for m in re.finditer(r"[\r\n]+", text[start:end]):
        if start + m.start() > pos:
            out.append((pos, start + m.start()))
        pos = start + m.end()
    if end > pos:
        out.append((pos, end))
    return out


class _Writer:
    def __init__(self, text: str):
        self.text = text
        self.lines: list[str] = []
        self.n = {"T": 0, "E": 0, "A": 0, "N": 0, "#": 0}

    def next(self, prefix: str) -> str:
        self.n[prefix] += 1
        return f"{prefix}{self.n[prefix]}"

    def t(self, typ: str, s: dict) -> str:
        tid = self.next("T")
        frags = _fragments(self.text, s["start"], s["end"])
        offsets = ";".join(f"{a} {b}" for a, b in frags)
        shown = " ".join(self.text[a:b] for a, b in frags)
        self.lines.append(f"{tid}\t{typ} {offsets}\t{shown}")
        return tid

    def a(self, name: str, target: str, value: str) -> None:
        self.lines.append(f"{self.next('A')}\t{name} {target} {value}")

    def norm(self, target: str, db: str, ident: str, shown: str) -> None:
        self.lines.append(f"{self.next('N')}\tReference {target} {db}:{ident}\t{shown}")

    def note(self, target: str, note: str | None) -> None:
        if note is not None:
            self.lines.append(f"{self.next('#')}\t{NOTES} {target}\t{escape_note(note)}")


def _roles(pairs: list[tuple[str, str]]) -> str:
    seen: dict[str, int] = {}
    out = []
    for role, target in pairs:
        seen[role] = seen.get(role, 0) + 1
        out.append(f"{role}{seen[role] if seen[role] > 1 else ''}:{target}")
    return "".join(" " + x for x in out)


def to_ann(data: dict, text: str) -> str:
    """The ``.ann`` content for one document's annotation data."""
    w = _Writer(text)
    entities = {e["id"]: e for e in data["entities"]}
    mention_t: dict[str, list[str]] = {}
    for e in data["entities"]:
        tids = []
        for m in e["mentions"]:
            tid = w.t(e["type"], m)
            tids.append(tid)
            if m["kind"] != "NAM":
                w.a("Kind", tid, m["kind"])
            if e.get("kb"):
                w.norm(tid, KB_DB, e["kb"], e["kb"])
        mention_t[e["id"]] = tids
        if len(tids) > 1:
            w.lines.append(f"*\t{COREF} " + " ".join(tids))
        w.note(tids[0], e.get("note"))
    timex_t = {}
    for t in data["timexes"]:
        tid = w.t("Timex", t)
        timex_t[t["id"]] = tid
        w.a("TimexType", tid, t["type"])
        if t.get("mod"):
            w.a("TimexMod", tid, t["mod"])
        if t.get("value") is not None:
            w.norm(tid, TIMEX_DB, t["value"], t["text"])
        w.note(tid, t.get("note"))

    def ref(ident: str, anchor: int) -> str:
        if ident in timex_t:
            return timex_t[ident]
        return mention_t[ident][nearest_mention(entities[ident], anchor)]

    e_ids = {x["id"]: f"E{k + 1}" for k, x in enumerate(data["events"] + data["attributions"])}
    for v in data["events"]:
        typ = brat_type(v["type"])
        trig = w.t(typ, v["trigger"])
        args = [(a["role"], ref(a["ref"], v["trigger"]["start"]) if "ref" in a else w.t("Argument", a))
                for a in v["arguments"]]
        eid = e_ids[v["id"]]
        w.lines.append(f"{eid}\t{typ}:{trig}{_roles(args)}")
        w.a("Modality", eid, v["modality"])
        if v.get("kb"):
            w.norm(eid, KB_DB, v["kb"], v["kb"])
        w.note(eid, v.get("note"))
    for at in data["attributions"]:
        cue = w.t(ATTRIBUTION, at["cue"])
        src = at["source"]
        args = [("source", ref(src["ref"], at["cue"]["start"]) if "ref" in src else w.t("Source", src))]
        args += [("content", w.t("Content", c)) for c in at["content"]]
        if at.get("nested_in"):
            args.append(("nested_in", e_ids[at["nested_in"]]))
        eid = e_ids[at["id"]]
        w.lines.append(f"{eid}\t{ATTRIBUTION}:{cue}{_roles(args)}")
        w.a("AttributionType", eid, at["type"])
        w.note(eid, at.get("note"))
    return "".join(line + "\n" for line in w.lines)


def annotation_conf() -> str:
    """brat's ``annotation.conf`` for every type, role and value of the JSON Schema."""
    en = enums()
    ents = list(en["entity_type"])
    lines = ["# Generated by `milcontacts export --to brat` from schema/annotation.schema.json: do not edit.",
             "[entities]", *ents, "Timex", "Argument", "Source", "Content", "",
             "[relations]",
             f"{COREF}\tArg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric-transitive",
             "# mentions, timexes and spans nest and overlap freely (docs/guidelines.md)",
             "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "",
             "[events]"]
    any_target = "|".join(ents + ["Timex", "Argument"])
    roles = ", ".join(f"{r}*:{any_target}" for r in en["role"])
    lines += [f"{brat_type(t)}\t{roles}" for t in en["event_type"]]
    lines.append(f"{ATTRIBUTION}\tsource:{'|'.join(ents + ['Source'])}, content+:Content, nested_in?:{ATTRIBUTION}")
    lines += ["", "[attributes]",
              f"Kind\tArg:{'|'.join(ents)}, Value:{'|'.join(en['mention_kind'])}",
              f"TimexType\tArg:Timex, Value:{'|'.join(en['timex_type'])}",
              f"TimexMod\tArg:Timex, Value:{'|'.join(en['timex_mod'])}",
              f"Modality\tArg:{'|'.join(map(brat_type, en['event_type']))}, Value:{'|'.join(en['modality'])}",
              f"AttributionType\tArg:{ATTRIBUTION}, Value:{'|'.join(en['attribution_type'])}", ""]
    return "\n".join(lines)


_COLOURS = {"PER": "#ffccaa", "ORG": "#8fb2ff", "GPE": "#7fe2ff", "LOC": "#6fffdf", "FAC": "#aaaaee",
            "NORP": "#ffe000", "EVENT": "#f1f447", "MISC": "#f1f4c7", "Timex": "#c1ffc1",
            "Argument": "#e0e0e0", "Source": "#ffb0d0", "Content": "#f0f0ff", ATTRIBUTION: "#ff8fcf"}


def visual_conf() -> str:
    """brat's ``visual.conf``: a label and a colour for every type."""
    en = enums()
    lines = ["# Generated by `milcontacts export --to brat` from schema/annotation.schema.json: do not edit.",
             "[labels]"]
    for t in list(en["entity_type"]) + list(SPAN_TYPES) + [ATTRIBUTION]:
        lines.append(f"{t} | {t}")
    for t in en["event_type"]:
        lines.append(f"{brat_type(t)} | {t} | {t.split('.')[-1].title()}")
    lines += ["", "[drawing]", "SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken",
              "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5",
              "ATTRIBUTE_DEFAULT\tglyph:*"]
    for t, c in _COLOURS.items():
        lines.append(f"{t}\tbgColor:{c}")
    for t in en["event_type"]:
        lines.append(f"{brat_type(t)}\tbgColor:#ffdd99")
    lines += [f"{COREF}\tcolor:#999999, dashArray:3-3, arrowHead:none",
              "Kind\tglyph:N|ñ|p, position:left", "Modality\tglyph:*", ""]
    return "\n".join(lines)


def export(docs: list[tuple[dict, str]], out: Path) -> dict[str, int]:
    """Write ``<id>.txt``, ``<id>.ann`` for each (data, text) and the two config files; counts."""
    from .. import io as yio

    out.mkdir(parents=True, exist_ok=True)
    counts = {"documents": 0, "T": 0, "E": 0, "A": 0, "N": 0, "*": 0, "#": 0}
    for data, text in docs:
        doc_id = data["document"]["id"]
        ann = to_ann(data, text)
        yio.write_atomic(out / f"{doc_id}.txt", text.encode("utf-8"))
        yio.write_atomic(out / f"{doc_id}.ann", ann.encode("utf-8"))
        counts["documents"] += 1
        for line in ann.splitlines():
            counts[line[0]] += 1
    yio.write_atomic(out / "annotation.conf", annotation_conf())
    yio.write_atomic(out / "visual.conf", visual_conf())
    return counts


# --------------------------------------------------------------------------
# import
# --------------------------------------------------------------------------

_T = re.compile(r"(\S+) ([0-9]+ [0-9]+(?:;[0-9]+ [0-9]+)*)\t(.*)", re.S)
_ID = re.compile(r"(?:[TEANRM#][0-9]+|\*)")


class _Ann:
    """The parsed lines of one ``.ann`` file."""

    def __init__(self) -> None:
        self.t: dict[str, tuple[int, str, dict]] = {}           # id -> (line, type, span)
        self.e: dict[str, tuple[int, str, str, list[tuple[str, str]]]] = {}  # id -> (line, type, trigger, args)
        self.attrs: dict[str, dict[str, tuple[int, str]]] = {}  # target -> name -> (line, value)
        self.norms: dict[str, list[tuple[int, str, str]]] = {}  # target -> [(line, db, id)]
        self.notes: dict[str, list[tuple[int, str]]] = {}
        self.corefs: list[tuple[int, list[str]]] = []
        self.order: list[str] = []


def _parse(ann: str, text: str, imp: Imported) -> _Ann:
    en = enums()
    span_types = set(en["entity_type"]) | set(SPAN_TYPES) | set(event_types()) | {ATTRIBUTION}
    attr_values = {"Kind": en["mention_kind"], "TimexType": en["timex_type"], "TimexMod": en["timex_mod"],
                   "Modality": en["modality"], "AttributionType": en["attribution_type"]}
    p = _Ann()
    for n, raw in enumerate(ann.split("\n"), 1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        ident, sep, rest = line.partition("\t")
        if not sep or not _ID.fullmatch(ident):
            imp.problem(n, f"not a brat annotation line (expected an id such as T1, a tab, then the annotation): {line[:60]!r}")
            continue
        if ident != "*" and (ident in p.t or ident in p.e or ident in p.order):
            imp.problem(n, f"{ident} is defined twice")
            continue
        kind = ident[0]
        if kind == "T":
            m = _T.fullmatch(rest)
            if not m:
                imp.problem(n, f"malformed T line (expected 'TYPE START END<TAB>TEXT'): {line[:60]!r}")
                continue
            typ, offs, shown = m.groups()
            if typ not in span_types:
                imp.problem(n, f"unknown type {typ!r} (annotation.conf lists the types)")
                continue
            frags = [tuple(map(int, f.split())) for f in offs.split(";")]
            if any(not (0 <= a < b <= len(text)) for a, b in frags):
                bad = next((a, b) for a, b in frags if not (0 <= a < b <= len(text)))
                imp.problem(n, f"offsets [{bad[0]}, {bad[1]}) are outside the text ({len(text)} characters)")
                continue
            if " ".join(text[a:b] for a, b in frags) != shown:
                imp.problem(n, f"span text {shown!r} is not the text at {offs}")
                continue
            start, end = frags[0][0], frags[-1][1]
            gaps = [text[b:a] for (_, b), (a, _) in zip(frags, frags[1:])]
            if any(a >= b for (_, a), (b, _) in zip(frags, frags[1:])) or any(g.strip() for g in gaps):
                imp.problem(n, f"discontinuous span {offs}: the YAML holds only continuous spans "
                               "(fragments may be separated by line breaks only)")
                continue
            p.t[ident] = (n, typ, span(start, end, text[start:end]))
        elif kind == "E":
            head, *args = rest.split("\t")[0].split(" ")
            typ, _, trig = head.partition(":")
            if not trig or any(":" not in a for a in args if a):
                imp.problem(n, f"malformed E line (expected 'TYPE:TRIGGER ROLE:ID ...'): {line[:60]!r}")
                continue
            if typ not in set(event_types()) | {ATTRIBUTION}:
                imp.problem(n, f"unknown event type {typ!r}")
                continue
            p.e[ident] = (n, typ, trig, [tuple(a.split(":", 1)) for a in args if a])  # type: ignore[misc]
        elif kind == "A":
            parts = rest.split("\t")[0].split(" ")
            if len(parts) != 3:
                imp.problem(n, f"malformed A line (expected 'NAME TARGET VALUE'): {line[:60]!r}")
                continue
            name, target, value = parts
            if name not in attr_values:
                imp.problem(n, f"unknown attribute {name!r}")
                continue
            if value not in attr_values[name]:
                imp.problem(n, f"{name} value {value!r} is not one of {', '.join(attr_values[name])}")
                continue
            if name in p.attrs.get(target, {}):
                imp.problem(n, f"{target} has two {name} attributes")
                continue
            p.attrs.setdefault(target, {})[name] = (n, value)
        elif kind == "N":
            m = re.fullmatch(r"Reference (\S+) ([^\s:]+):(\S+)(?:\t.*)?", rest, re.S)
            if not m:
                imp.problem(n, f"malformed N line (expected 'Reference TARGET DB:ID<TAB>NAME'): {line[:60]!r}")
                continue
            target, db, ref = m.groups()
            if db not in (KB_DB, TIMEX_DB):
                imp.problem(n, f"unknown normalization database {db!r} (use {KB_DB} or {TIMEX_DB})")
                continue
            p.norms.setdefault(target, []).append((n, db, ref))
        elif kind == "*":
            parts = rest.split(" ")
            if parts[0] != COREF or len(parts) < 3:
                imp.problem(n, f"malformed * line (expected '{COREF} T1 T2 ...'): {line[:60]!r}")
                continue
            p.corefs.append((n, parts[1:]))
        elif kind == "#":
            head, _, note = rest.partition("\t")
            parts = head.split(" ")
            if len(parts) != 2 or parts[0] != NOTES:
                imp.problem(n, f"malformed # line (expected '{NOTES} TARGET<TAB>NOTE'): {line[:60]!r}")
                continue
            p.notes.setdefault(parts[1], []).append((n, unescape_note(note)))
        else:
            what = {"R": "a relation", "M": "a modification"}[kind]
            imp.problem(n, f"{ident} is {what}, which the annotation cannot hold (use events, Coref and attributes)")
            continue
        if ident != "*":
            p.order.append(ident)
    return p


def _one(imp: Imported, values: list[tuple[int, str]], what: str) -> str | None:
    distinct = sorted({v for _, v in values})
    if len(distinct) > 1:
        line = next(ln for ln, v in values if v != values[0][1])
        imp.problem(line, f"conflicting {what}: {', '.join(map(repr, distinct))}")
    return distinct[0] if distinct else None


def read_ann(ann: str, text: str, display: str, doc_id: str) -> Imported:
    """The layers of one ``.ann`` file over ``text`` (problems in ``.problems``)."""
    en = enums()
    imp = Imported(doc_id, display)
    p = _parse(ann, text, imp)
    used: set[str] = set()   # ids whose content went somewhere

    def line_of(ident: str) -> int:
        return (p.t.get(ident) or p.e.get(ident) or (0,))[0]

    def target_known(ident: str, line: int, allowed: set[str], what: str) -> bool:
        kind = p.t[ident][1] if ident in p.t else (p.e[ident][1] if ident in p.e else None)
        if kind is None:
            imp.problem(line, f"{what} points at {ident}, which is not defined")
            return False
        if kind not in allowed:
            imp.problem(line, f"{what} cannot apply to {ident} ({kind})")
            return False
        return True

    # attributes and normalizations must sit on what they describe
    mention_types = set(en["entity_type"])
    allowed_attr = {"Kind": mention_types, "TimexType": {"Timex"}, "TimexMod": {"Timex"},
                    "Modality": set(event_types()), "AttributionType": {ATTRIBUTION}}
    for target, attrs in p.attrs.items():
        for name, (line, _) in attrs.items():
            target_known(target, line, allowed_attr[name], f"attribute {name}")
    for target, norms in p.norms.items():
        for line, db, _ in norms:
            target_known(target, line, {"Timex"} if db == TIMEX_DB else mention_types | set(event_types()),
                         f"normalization {db}")
    for target, notes in p.notes.items():
        for line, _ in notes:
            target_known(target, line, set(p_type for _, p_type, _ in p.t.values()) | set(event_types()) | {ATTRIBUTION},
                         NOTES)

    # entities: mentions grouped by Coref (union-find)
    mentions = [i for i in p.order if i in p.t and p.t[i][1] in mention_types]
    parent = {m: m for m in mentions}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for line, members in p.corefs:
        ok = [m for m in members if target_known(m, line, mention_types, COREF)]
        for m in ok[1:]:
            a, b = find(ok[0]), find(m)
            if a != b:
                parent[max(a, b, key=mentions.index)] = min(a, b, key=mentions.index)
    groups: dict[str, list[str]] = {}
    for m in mentions:
        groups.setdefault(find(m), []).append(m)
    entity_of: dict[str, str] = {}
    for root, members in groups.items():
        types = [(p.t[m][0], p.t[m][1]) for m in members]
        typ = _one(imp, types, f"entity types in the Coref group of {root}")
        kbs = [(line, ref) for m in members for line, db, ref in p.norms.get(m, []) if db == KB_DB]
        notes = [x for m in members for x in p.notes.get(m, [])]
        ms = []
        for m in members:
            entity_of[m] = root
            kind = p.attrs.get(m, {}).get("Kind", (0, "NAM"))[1]
            ms.append({**p.t[m][2], "kind": kind})
        ent = {"_key": root, "_line": p.t[root][0], "type": typ, "kb": _one(imp, kbs, f"kb links of {root}'s entity"),
               "mentions": ms}
        note = _one(imp, notes, f"notes of {root}'s entity")
        if note is not None:
            ent["note"] = note
        imp.entities.append(ent)
        used.update(members)

    for ident in p.order:
        if ident not in p.t or p.t[ident][1] != "Timex":
            continue
        line, _, s = p.t[ident]
        attrs = p.attrs.get(ident, {})
        if "TimexType" not in attrs:
            imp.problem(line, f"timex {ident} has no TimexType attribute")
            continue
        values = [(ln, ref) for ln, db, ref in p.norms.get(ident, [])]
        tx = {"_key": ident, "_line": line, "type": attrs["TimexType"][1], **s,
              "value": _one(imp, values, f"values of timex {ident}")}
        note = _one(imp, p.notes.get(ident, []), f"notes of {ident}")
        if note is not None:
            tx["note"] = note
        if "TimexMod" in attrs:
            tx["mod"] = attrs["TimexMod"][1]
        imp.timexes.append(tx)
        used.add(ident)

    roles = set(en["role"])
    for ident in p.order:
        if ident not in p.e:
            continue
        line, typ, trig, args = p.e[ident]
        if not target_known(trig, line, {typ}, f"the trigger of {ident} ({typ})"):
            continue
        used.update((ident, trig))
        note = _one(imp, p.notes.get(ident, []), f"notes of {ident}")
        if typ == ATTRIBUTION:
            _attribution(imp, p, ident, line, trig, args, note, entity_of, used)
            continue
        arguments = []
        for role_n, target in args:
            role = re.sub(r"[0-9]+$", "", role_n)
            if role not in roles:
                imp.problem(line, f"unknown role {role_n!r} (roles: {', '.join(sorted(roles))})")
                continue
            if not target_known(target, line, mention_types | {"Timex", "Argument"}, f"argument {role_n}"):
                continue
            used.add(target)
            if p.t[target][1] == "Argument":
                arguments.append({"role": role, **p.t[target][2]})
            else:
                arguments.append({"role": role, "ref": entity_of.get(target, target)})
        attrs = p.attrs.get(ident, {})
        if "Modality" not in attrs:
            imp.problem(line, f"event {ident} has no Modality attribute")
            continue
        kbs = [(ln, ref) for ln, db, ref in p.norms.get(ident, []) if db == KB_DB]
        ev = {"_key": ident, "_line": line, "type": event_types()[typ], "trigger": p.t[trig][2], "modality": attrs["Modality"][1],
              "kb": _one(imp, kbs, f"kb links of {ident}"), "arguments": arguments}
        if note is not None:
            ev["note"] = note
        imp.events.append(ev)

    for ident in p.order:
        if ident in p.t and ident not in used:
            line, typ, s = p.t[ident]
            imp.problem(line, f"{ident} ({typ} {s['text']!r}) is not used by any "
                              f"{'event' if typ != 'Timex' else 'timex'}: the annotation cannot hold it alone")
    return imp


def _attribution(imp: Imported, p: _Ann, ident: str, line: int, trig: str, args: list[tuple[str, str]],
                 note: str | None, entity_of: dict[str, str], used: set[str]) -> None:
    en = enums()
    sources, content, nested = [], [], []
    for role_n, target in args:
        role = re.sub(r"[0-9]+$", "", role_n)
        if role == "source":
            if p.t.get(target, (0, ""))[1] in set(en["entity_type"]) | {"Source"}:
                sources.append(target)
            else:
                imp.problem(line, f"source of {ident} must be a mention or a Source span, not {target}")
        elif role == "content":
            if p.t.get(target, (0, ""))[1] == "Content":
                content.append(p.t[target][2])
            else:
                imp.problem(line, f"content of {ident} must be a Content span, not {target}")
        elif role == "nested_in":
            if p.e.get(target, (0, ""))[1] == ATTRIBUTION:
                nested.append(target)
            else:
                imp.problem(line, f"nested_in of {ident} must be another Attribution, not {target}")
        else:
            imp.problem(line, f"unknown role {role_n!r} for an Attribution (source, content, nested_in)")
        used.add(target)
    if len(sources) != 1 or not content or len(nested) > 1:
        imp.problem(line, f"attribution {ident} needs one source, at least one content and at most one nested_in")
        return
    if "AttributionType" not in p.attrs.get(ident, {}):
        imp.problem(line, f"attribution {ident} has no AttributionType attribute")
        return
    src = sources[0]
    source = {"ref": entity_of[src]} if p.t[src][1] != "Source" else p.t[src][2]
    at = {"_key": ident, "_line": line, "type": p.attrs[ident]["AttributionType"][1], "source": source,
          "cue": p.t[trig][2], "content": content, "nested_in": nested[0] if nested else None}
    if note is not None:
        at["note"] = note
    imp.attributions.append(at)


def ann_files(paths: list[Path]) -> list[Path]:
    """The ``.ann`` files named or inside the folders named (not recursive), sorted."""
    out: list[Path] = []
    for p in paths:
        out.extend(sorted(p.glob("*.ann")) if p.is_dir() else [p])
    return out


def read(path: Path, text: str) -> Imported:
    """One ``.ann`` file over the corpus ``text``; its ``.txt``, when present, must be that text."""
    imp = Imported(path.stem, str(path))
    try:
        ann = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        imp.problem(1, f"not UTF-8: {exc}")
        return imp
    txt = path.with_suffix(".txt")
    if txt.is_file():
        mine, theirs = txt.read_bytes(), text.encode("utf-8")
        if mine != theirs:
            at = next((i for i, (a, b) in enumerate(zip(mine, theirs)) if a != b), min(len(mine), len(theirs)))
            bad = Imported(path.stem, str(txt))
            bad.problem(mine[:at].count(b"\n") + 1,
                        f"this text differs from the corpus text corpus/{path.stem}.txt (first difference at "
                        f"byte {at}): annotate the exported text unchanged")
            return bad
    return read_ann(ann, text, str(path), path.stem)

"""INCEpTION: UIMA CAS XMI with its type system, written and read with dkpro-cassis.

Layers (custom span layers in INCEpTION's ``webanno.custom`` namespace;
docs/interop.md has the table):

* ``Entity`` — one annotation per mention: ``entityType``, ``kind``, ``kb``,
  ``entity`` (the YAML id: mentions with the same value are one entity; an
  empty value makes a new one), ``note``;
* ``Timex`` — ``timexType``, ``value``, ``mod``, ``note``;
* ``Event`` on the trigger — ``eventType``, ``modality``, ``kb``, ``note`` and
  the link (slot) feature ``arguments`` whose links have a ``role`` and a
  ``target``: an ``Entity`` (the mention nearest the trigger), a ``Timex`` or
  an ``ArgumentSpan``;
* ``Attribution`` on the cue — ``attributionType``, ``note`` and the link
  feature ``links`` with roles ``source`` (an ``Entity`` or a
  ``SourceSpan``), ``content`` (``ContentSpan``) and ``nested_in`` (another
  ``Attribution``).

The document id is DKPro Core's ``DocumentMetaData.documentId``.  Import
takes ``.xmi`` files, folders of them and INCEpTION export archives
(``.zip``, also nested one level), read in memory with limits on entry
count, sizes and compression ratio, refusing absolute or ``..`` names.
"""

from __future__ import annotations

import io
import re
import zipfile
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from .common import Imported, Problem, check_span, enums, nearest_mention, span

NS = "webanno.custom"
T_ENTITY, T_TIMEX, T_EVENT, T_ATTR = (f"{NS}.{n}" for n in ("Entity", "Timex", "Event", "Attribution"))
T_ARGSPAN, T_SOURCE, T_CONTENT = (f"{NS}.{n}" for n in ("ArgumentSpan", "SourceSpan", "ContentSpan"))
T_ARGLINK, T_ATTRLINK = f"{NS}.EventArgumentsLink", f"{NS}.AttributionLinksLink"
T_META = "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData"
TYPESYSTEM_FILE = "TypeSystem.xml"

# Archive limits: an INCEpTION export of a corpus this size is a few MB.
MAX_ENTRIES = 10_000
MAX_MEMBER_BYTES = 64 * 2**20
MAX_TOTAL_BYTES = 512 * 2**20
MAX_RATIO = 200


@lru_cache(maxsize=1)
def _typesystem_xml() -> str:
    return typesystem().to_xml()


def typesystem() -> Any:
    """The UIMA type system of the export (a new :class:`cassis.TypeSystem`)."""
    from cassis import TypeSystem

    ts = TypeSystem()
    S, A = "uima.cas.String", "uima.tcas.Annotation"
    meta = ts.create_type(T_META, "uima.tcas.DocumentAnnotation")
    for f in ("documentTitle", "documentId", "documentUri", "collectionId", "documentBaseUri"):
        ts.create_feature(meta, f, S)
    ts.create_feature(meta, "isLastSegment", "uima.cas.Boolean")
    ent = ts.create_type(T_ENTITY, A, "A mention of an entity")
    for f in ("entityType", "kind", "kb", "entity", "note"):
        ts.create_feature(ent, f, S)
    tx = ts.create_type(T_TIMEX, A, "A time expression (TIMEX3 type, value, mod)")
    for f in ("timexType", "value", "mod", "note"):
        ts.create_feature(tx, f, S)
    ts.create_type(T_ARGSPAN, A, "A span argument of an event (not an entity)")
    ts.create_type(T_SOURCE, A, "The source of an attribution when it is not an entity mention")
    ts.create_type(T_CONTENT, A, "A span of what an attribution reports")
    arglink = ts.create_type(T_ARGLINK, "uima.cas.TOP")
    ts.create_feature(arglink, "role", S)
    ts.create_feature(arglink, "target", A)
    ev = ts.create_type(T_EVENT, A, "An event, on its trigger")
    for f in ("eventType", "modality", "kb", "note"):
        ts.create_feature(ev, f, S)
    ts.create_feature(ev, "arguments", "uima.cas.FSArray", elementType=arglink)
    attrlink = ts.create_type(T_ATTRLINK, "uima.cas.TOP")
    ts.create_feature(attrlink, "role", S)
    ts.create_feature(attrlink, "target", A)
    at = ts.create_type(T_ATTR, A, "An attribution, on its cue")
    for f in ("attributionType", "note"):
        ts.create_feature(at, f, S)
    ts.create_feature(at, "links", "uima.cas.FSArray", elementType=attrlink)
    return ts


# --------------------------------------------------------------------------
# export
# --------------------------------------------------------------------------

def to_cas(data: dict, text: str, ts: Any) -> Any:
    """A CAS over ``text`` with every layer of ``data``."""
    from cassis import Cas

    cas = Cas(typesystem=ts, sofa_string=text, document_language="fr")
    doc_id = data["document"]["id"]
    Meta = ts.get_type(T_META)
    cas.add(Meta(begin=0, end=len(text), documentId=doc_id, documentTitle=f"{doc_id}.txt", language="fr"))
    Entity, Timex, Event, Attr = (ts.get_type(t) for t in (T_ENTITY, T_TIMEX, T_EVENT, T_ATTR))
    ArgSpan, Source, Content = (ts.get_type(t) for t in (T_ARGSPAN, T_SOURCE, T_CONTENT))
    ArgLink, AttrLink = ts.get_type(T_ARGLINK), ts.get_type(T_ATTRLINK)
    FSArray = ts.get_type("uima.cas.FSArray")

    mentions: dict[str, list[Any]] = {}
    for e in data["entities"]:
        fs = []
        for k, m in enumerate(e["mentions"]):
            a = Entity(begin=m["start"], end=m["end"], entityType=e["type"], kind=m["kind"], kb=e.get("kb"),
                       entity=e["id"], note=e.get("note") if k == 0 else None)
            cas.add(a)
            fs.append(a)
        mentions[e["id"]] = fs
    entities = {e["id"]: e for e in data["entities"]}
    timexes = {}
    for t in data["timexes"]:
        timexes[t["id"]] = a = Timex(begin=t["start"], end=t["end"], timexType=t["type"], value=t.get("value"),
                                     mod=t.get("mod"), note=t.get("note"))
        cas.add(a)

    def target(ident: str, anchor: int) -> Any:
        return timexes[ident] if ident in timexes else mentions[ident][nearest_mention(entities[ident], anchor)]

    for v in data["events"]:
        links = []
        for arg in v["arguments"]:
            if "ref" in arg:
                tgt = target(arg["ref"], v["trigger"]["start"])
            else:
                tgt = ArgSpan(begin=arg["start"], end=arg["end"])
                cas.add(tgt)
            link = ArgLink(role=arg["role"], target=tgt)
            cas.add(link)
            links.append(link)
        cas.add(Event(begin=v["trigger"]["start"], end=v["trigger"]["end"], eventType=v["type"],
                      modality=v["modality"], kb=v.get("kb"), note=v.get("note"), arguments=FSArray(elements=links)))
    attrs = {}
    for at in data["attributions"]:
        attrs[at["id"]] = Attr(begin=at["cue"]["start"], end=at["cue"]["end"], attributionType=at["type"],
                               note=at.get("note"))
    for at in data["attributions"]:
        src = at["source"]
        if "ref" in src:
            source = target(src["ref"], at["cue"]["start"])
        else:
            source = Source(begin=src["start"], end=src["end"])
            cas.add(source)
        links = [AttrLink(role="source", target=source)]
        for c in at["content"]:
            cs = Content(begin=c["start"], end=c["end"])
            cas.add(cs)
            links.append(AttrLink(role="content", target=cs))
        if at.get("nested_in"):
            links.append(AttrLink(role="nested_in", target=attrs[at["nested_in"]]))
        for link in links:
            cas.add(link)
        attrs[at["id"]].links = FSArray(elements=links)
        cas.add(attrs[at["id"]])
    return cas


def export(docs: list[tuple[dict, str]], out: Path) -> dict[str, int]:
    """``<id>.xmi`` per document and ``TypeSystem.xml``; counts per layer."""
    from .. import io as yio

    out.mkdir(parents=True, exist_ok=True)
    ts = typesystem()
    counts = {"documents": 0}
    for data, text in docs:
        cas = to_cas(data, text, ts)
        yio.write_atomic(out / f"{data['document']['id']}.xmi", cas.to_xmi(pretty_print=True))
        counts["documents"] += 1
        for t in (T_ENTITY, T_TIMEX, T_EVENT, T_ATTR, T_ARGSPAN, T_SOURCE, T_CONTENT):
            name = t.rsplit(".", 1)[1]
            counts[name] = counts.get(name, 0) + len(cas.select(t))
    yio.write_atomic(out / TYPESYSTEM_FILE, ts.to_xml())
    return counts


# --------------------------------------------------------------------------
# import
# --------------------------------------------------------------------------

def _safe_member(name: str) -> bool:
    p = PurePosixPath(name.replace("\\", "/"))
    return not p.is_absolute() and ".." not in p.parts and not re.match(r"^[A-Za-z]:", name)


def _read_zip(data: bytes, display: str, depth: int, budget: list[int]) -> tuple[list[tuple[str, bytes]], list[Problem]]:
    """(name, bytes) of every ``.xmi`` in an archive (and in archives inside it, one level)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return [], [Problem(display, 1, f"not a readable zip archive: {exc}")]
    if len(infos) > MAX_ENTRIES:
        return [], [Problem(display, 1, f"archive has {len(infos)} entries (limit {MAX_ENTRIES}); refused")]
    out: list[tuple[str, bytes]] = []
    problems: list[Problem] = []
    for info in infos:
        where = f"{display}!{info.filename}"
        if not _safe_member(info.filename):
            return [], [Problem(where, 1, "unsafe path in archive (absolute or '..'); refused")]
        if info.is_dir() or not info.filename.lower().endswith((".xmi", ".zip")):
            continue
        if info.file_size > MAX_MEMBER_BYTES or (info.compress_size and info.file_size / info.compress_size > MAX_RATIO):
            return [], [Problem(where, 1, f"entry expands to {info.file_size} bytes from {info.compress_size} "
                                          "(size or compression ratio over the limit: a zip bomb?); refused")]
        try:
            with zf.open(info) as fh:
                content = fh.read(MAX_MEMBER_BYTES + 1)   # never trust the header alone
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
            return [], [Problem(where, 1, f"cannot read entry: {exc}")]
        budget[0] += len(content)
        if len(content) > MAX_MEMBER_BYTES or budget[0] > MAX_TOTAL_BYTES:
            return [], [Problem(where, 1, "archive expands past the size limit (a zip bomb?); refused")]
        if info.filename.lower().endswith(".zip"):
            if depth >= 1:
                continue
            inner, found = _read_zip(content, where, depth + 1, budget)
            out += inner
            problems += found
            if found:
                return [], problems
        else:
            out.append((where, content))
    return out, problems


def xmi_items(paths: list[Path]) -> tuple[list[tuple[tuple[str, bytes], str]], list[Problem]]:
    """((display name, XMI bytes), document id) for every XMI named, in folders or archives."""
    raw: list[tuple[str, bytes]] = []
    problems: list[Problem] = []
    for p in paths:
        files = sorted(x for x in p.rglob("*") if x.suffix.lower() in (".xmi", ".zip")) if p.is_dir() else [p]
        for f in files:
            data = f.read_bytes()
            if f.suffix.lower() == ".zip":
                found, bad = _read_zip(data, str(f), 0, [0])
                raw += found
                problems += bad
            else:
                raw.append((str(f), data))
    items = []
    for display, data in raw:
        doc_id = _doc_id(data) or PurePosixPath(display.split("!")[-1]).stem
        items.append(((display, data), doc_id))
    return items, problems


def _doc_id(data: bytes) -> str | None:
    m = re.search(rb'<type\d*:DocumentMetaData\b[^>]*?\bdocumentId="([^"]+)"', data)
    if m:
        return m.group(1).decode("utf-8", "replace")
    m = re.search(rb'<type\d*:DocumentMetaData\b[^>]*?\bdocumentTitle="([^"]+)"', data)
    return Path(m.group(1).decode("utf-8", "replace")).stem if m else None


def _line(data: bytes, xmi_id: Any) -> int:
    m = re.search(rb'xmi:id="%s"' % str(xmi_id).encode(), data)
    return data[:m.start()].count(b"\n") + 1 if m else 1


def read(item: tuple[str, bytes], text: str) -> Imported:
    """One XMI document over the corpus ``text`` (problems in ``.problems``)."""
    from cassis import load_cas_from_xmi

    display, data = item
    doc_id = _doc_id(data) or PurePosixPath(display.split("!")[-1]).stem
    imp = Imported(doc_id, display)
    try:
        cas = load_cas_from_xmi(io.BytesIO(data), typesystem=typesystem(), lenient=False, trusted=False)
    except Exception as exc:  # lxml / cassis errors: the file is not one of ours
        line = getattr(exc, "lineno", None) or 1
        named = re.search(r"\[([\w.]+)\]", str(exc))
        element = re.search(rb"<\w+:%s\b" % re.escape(named.group(1).rsplit(".", 1)[-1]).encode(), data) if named else None
        if element:
            line = data[:element.start()].count(b"\n") + 1
        imp.problem(int(line), f"not an XMI of the MilContacts-FR type system ({TYPESYSTEM_FILE} of "
                                    f"`milcontacts export --to inception`): {type(exc).__name__}: {exc}")
        return imp
    if cas.sofa_string != text:
        a, b = cas.sofa_string or "", text
        at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        imp.problem(1, f"the document text differs from the corpus text corpus/{doc_id}.txt (first difference at "
                       f"character {at}): annotate the exported text unchanged")
        return imp
    en = enums()

    def get(fs: Any, name: str) -> Any:
        return getattr(fs, name, None)

    def need(fs: Any, name: str, allowed: tuple[str, ...], what: str) -> str | None:
        value = get(fs, name)
        if value not in allowed:
            imp.problem(_line(data, fs.xmiID), f"{what} {value!r} is not one of {', '.join(allowed)}")
            return None
        return value

    def spanned(fs: Any) -> dict | None:
        if not check_span(imp, text, _line(data, fs.xmiID), fs.begin, fs.end, None):
            return None
        return span(fs.begin, fs.end, text[fs.begin:fs.end])

    def note_of(fs: Any) -> dict:
        return {"note": fs.note} if get(fs, "note") is not None else {}

    # entities: mentions grouped by the `entity` feature
    groups: dict[str, dict] = {}
    key_of: dict[int, str] = {}
    for fs in cas.select(T_ENTITY):
        line = _line(data, fs.xmiID)
        typ = need(fs, "entityType", en["entity_type"], "entity type")
        kind = get(fs, "kind") or "NAM"
        s = spanned(fs)
        if get(fs, "kind") is not None and need(fs, "kind", en["mention_kind"], "mention kind") is None:
            continue
        if typ is None or s is None:
            continue
        key = get(fs, "entity") or f"_new{fs.xmiID}"
        key_of[fs.xmiID] = key
        g = groups.get(key)
        if g is None:
            g = groups[key] = {"_key": key, "_line": line, "type": typ, "kb": get(fs, "kb"), "mentions": []}
        else:
            for field, value in (("type", typ), ("kb", get(fs, "kb"))):
                if g[field] != value:
                    imp.problem(line, f"mention of entity {key} has {field} {value!r}, another has {g[field]!r}")
        if get(fs, "note") is not None:
            if "note" in g and g["note"] != fs.note:
                imp.problem(line, f"two different notes for entity {key}")
            g["note"] = fs.note
        g["mentions"].append({**s, "kind": kind})
    imp.entities = list(groups.values())

    for fs in cas.select(T_TIMEX):
        typ = need(fs, "timexType", en["timex_type"], "timex type")
        s = spanned(fs)
        if typ is None or s is None:
            continue
        tx = {"_key": f"x{fs.xmiID}", "_line": _line(data, fs.xmiID), "type": typ, **s, "value": get(fs, "value"),
              **note_of(fs)}
        if get(fs, "mod") is not None:
            if need(fs, "mod", en["timex_mod"], "timex mod") is None:
                continue
            tx["mod"] = fs.mod
        key_of[fs.xmiID] = tx["_key"]
        imp.timexes.append(tx)

    used = set()
    for fs in cas.select(T_EVENT):
        line = _line(data, fs.xmiID)
        typ = need(fs, "eventType", en["event_type"], "event type")
        modality = need(fs, "modality", en["modality"], "modality")
        trigger = spanned(fs)
        if typ is None or modality is None or trigger is None:
            continue
        arguments = []
        for link in (get(fs, "arguments").elements if get(fs, "arguments") is not None else []):
            role, tgt = get(link, "role"), get(link, "target")
            if role not in en["role"]:
                imp.problem(line, f"unknown role {role!r} (roles: {', '.join(en['role'])})")
                continue
            tname = tgt.type.name if tgt is not None else None
            if tname == T_ARGSPAN:
                s = spanned(tgt)
                if s is not None:
                    arguments.append({"role": role, **s})
                    used.add(tgt.xmiID)
            elif tname in (T_ENTITY, T_TIMEX) and tgt.xmiID in key_of:
                arguments.append({"role": role, "ref": key_of[tgt.xmiID]})
            else:
                imp.problem(line, f"argument {role} must point at an Entity, a Timex or an ArgumentSpan, not {tname}")
        imp.events.append({"_key": f"x{fs.xmiID}", "_line": line, "type": typ, "trigger": trigger,
                           "modality": modality, "kb": get(fs, "kb"), "arguments": arguments, **note_of(fs)})

    for fs in cas.select(T_ATTR):
        line = _line(data, fs.xmiID)
        typ = need(fs, "attributionType", en["attribution_type"], "attribution type")
        cue = spanned(fs)
        if typ is None or cue is None:
            continue
        sources, content, nested = [], [], []
        for link in (get(fs, "links").elements if get(fs, "links") is not None else []):
            role, tgt = get(link, "role"), get(link, "target")
            tname = tgt.type.name if tgt is not None else None
            if role == "source" and tname == T_ENTITY and tgt.xmiID in key_of:
                sources.append({"ref": key_of[tgt.xmiID]})
            elif role == "source" and tname == T_SOURCE:
                s = spanned(tgt)
                if s:
                    sources.append(s)
                    used.add(tgt.xmiID)
            elif role == "content" and tname == T_CONTENT:
                s = spanned(tgt)
                if s:
                    content.append(s)
                    used.add(tgt.xmiID)
            elif role == "nested_in" and tname == T_ATTR:
                nested.append(f"x{tgt.xmiID}")
            else:
                imp.problem(line, f"attribution link {role!r} to {tname} cannot be held "
                                  "(source: Entity or SourceSpan; content: ContentSpan; nested_in: Attribution)")
        if len(sources) != 1 or not content or len(nested) > 1:
            imp.problem(line, "an attribution needs one source, at least one content and at most one nested_in")
            continue
        imp.attributions.append({"_key": f"x{fs.xmiID}", "_line": line, "type": typ, "source": sources[0], "cue": cue,
                                 "content": content, "nested_in": nested[0] if nested else None, **note_of(fs)})

    for t in (T_ARGSPAN, T_SOURCE, T_CONTENT):
        for fs in cas.select(t):
            if fs.xmiID not in used:
                imp.problem(_line(data, fs.xmiID), f"{t.rsplit('.', 1)[1]} [{fs.begin}, {fs.end}) is not linked "
                                                    "from any event or attribution: the annotation cannot hold it alone")
    return imp

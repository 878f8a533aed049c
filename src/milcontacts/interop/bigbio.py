"""BigBio's KB schema (``bigbio_kb``): one example per document.

* ``passages`` — one per zone, in text order, ``type`` = zone type;
* ``entities`` — every mention (``type`` = entity type, ``normalized`` =
  ``milcontacts:<kb id>`` and ``wikidata:<Q id>`` when kb.yaml has one),
  every timex (``type`` = ``TIMEX.<type>``, ``normalized`` = ``TIMEX3:<value>``),
  and the spans that events and attributions point at that are not
  mentions: span arguments (``ARGUMENT``), attribution sources
  (``SOURCE``) and contents (``CONTENT``);
* ``events`` — every event (``arguments`` point at the mention nearest the
  trigger, a timex or a span argument) and every attribution as an event
  ``ATTRIBUTION.<type>`` whose trigger is the cue, with arguments
  ``source``, ``content`` and ``nested_in`` (another attribution's event);
* ``coreferences`` — the mentions that share a kb link (or, without one, an
  entity), when there are two or more;
* ``relations`` — none.

BigBio measures offsets in the passages' texts joined by one space
(its tests rebuild the text as ``" ".join(passage texts)``), so every offset
here is in that joined text: a zone's offsets move by the whitespace between
zones.  A span crossing zones becomes one fragment per zone.
Ids are ``<doc id>-<annotation id>[-m<k>]``, unique across the corpus.
Lost: event modality and kb link, timex mod, notes, mention kind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .common import nearest_mention

KB_DB, WIKIDATA_DB, TIMEX_DB = "milcontacts", "wikidata", "TIMEX3"


def kb_features() -> Any:
    """``bigbiohub.kb_features``, the schema the config's features must equal (BigBio's hub test)."""
    import datasets

    string = datasets.Value("string")
    span = {"text": datasets.Sequence(string), "offsets": datasets.Sequence([datasets.Value("int32")])}
    normalized = [{"db_name": string, "db_id": string}]
    return datasets.Features({
        "id": string,
        "document_id": string,
        "passages": [{"id": string, "type": string, **span}],
        "entities": [{"id": string, "type": string, **span, "normalized": normalized}],
        "events": [{"id": string, "type": string, "trigger": span,
                    "arguments": [{"role": string, "ref_id": string}]}],
        "coreferences": [{"id": string, "entity_ids": datasets.Sequence(string)}],
        "relations": [{"id": string, "type": string, "arg1_id": string, "arg2_id": string,
                       "normalized": normalized}],
    })


class _Joined:
    """Document offsets -> offsets in the zone texts joined by single spaces."""

    def __init__(self, zones: list[dict]):
        self.zones = sorted(zones, key=lambda z: z["start"])
        self.shift = []
        pos = 0
        for z in self.zones:
            self.shift.append(z["start"] - pos)
            pos += len(z["text"]) + 1

    def span(self, text: str, start: int, end: int) -> dict:
        texts, offsets = [], []
        for z, shift in zip(self.zones, self.shift):
            a, b = max(start, z["start"]), min(end, z["end"])
            if a < b:
                texts.append(text[a:b])
                offsets.append([a - shift, b - shift])
        return {"text": texts, "offsets": offsets}


def to_bigbio_kb(doc: Any, kb: dict[str, str] | None = None) -> dict:
    """The ``bigbio_kb`` example of a document.

    ``doc`` is a :class:`milcontacts.model.Document` (its annotation data and
    text are read); ``kb`` maps kb ids to Wikidata ids (from
    ``annotations/kb.yaml``), to add them as a second normalization.
    """
    data, text = doc.raw, doc.text
    kb = kb or {}
    did = data["document"]["id"]
    j = _Joined(data["zones"])
    passages = [{"id": f"{did}-{z['id']}", "type": z["type"], "text": [z["text"]],
                 **{"offsets": j.span(text, z["start"], z["end"])["offsets"]}} for z in j.zones]
    entities, events, corefs = [], [], []
    mention_ids: dict[str, list[str]] = {}
    chains: dict[str, list[str]] = {}
    for e in data["entities"]:
        norm = []
        if e.get("kb"):
            norm.append({"db_name": KB_DB, "db_id": e["kb"]})
            if kb.get(e["kb"]):
                norm.append({"db_name": WIKIDATA_DB, "db_id": kb[e["kb"]]})
        ids = []
        for k, m in enumerate(e["mentions"], 1):
            ids.append(f"{did}-{e['id']}-m{k}")
            entities.append({"id": ids[-1], "type": e["type"], **j.span(text, m["start"], m["end"]), "normalized": norm})
        mention_ids[e["id"]] = ids
        chains.setdefault(f"kb:{e['kb']}" if e.get("kb") else e["id"], []).extend(ids)
    for t in data["timexes"]:
        norm = [{"db_name": TIMEX_DB, "db_id": t["value"]}] if t.get("value") is not None else []
        entities.append({"id": f"{did}-{t['id']}", "type": f"TIMEX.{t['type']}", **j.span(text, t["start"], t["end"]),
                         "normalized": norm})
    by_id = {e["id"]: e for e in data["entities"]}

    def ref(ident: str, anchor: int) -> str:
        if ident in mention_ids:
            return mention_ids[ident][nearest_mention(by_id[ident], anchor)]
        return f"{did}-{ident}"

    def extra(ident: str, typ: str, s: dict) -> str:
        entities.append({"id": ident, "type": typ, **j.span(text, s["start"], s["end"]), "normalized": []})
        return ident

    for v in data["events"]:
        args = []
        for k, a in enumerate(v["arguments"], 1):
            target = ref(a["ref"], v["trigger"]["start"]) if "ref" in a else extra(f"{did}-{v['id']}-arg{k}", "ARGUMENT", a)
            args.append({"role": a["role"], "ref_id": target})
        events.append({"id": f"{did}-{v['id']}", "type": v["type"],
                       "trigger": j.span(text, v["trigger"]["start"], v["trigger"]["end"]), "arguments": args})
    for a in data["attributions"]:
        src = a["source"]
        source = ref(src["ref"], a["cue"]["start"]) if "ref" in src else extra(f"{did}-{a['id']}-source", "SOURCE", src)
        args = [{"role": "source", "ref_id": source}]
        args += [{"role": "content", "ref_id": extra(f"{did}-{a['id']}-content{k}", "CONTENT", c)}
                 for k, c in enumerate(a["content"], 1)]
        if a.get("nested_in"):
            args.append({"role": "nested_in", "ref_id": f"{did}-{a['nested_in']}"})
        events.append({"id": f"{did}-{a['id']}", "type": f"ATTRIBUTION.{a['type']}",
                       "trigger": j.span(text, a["cue"]["start"], a["cue"]["end"]), "arguments": args})
    for key, ids in chains.items():
        if len(ids) > 1:
            corefs.append({"id": f"{did}-coref-{key.replace('kb:', '')}", "entity_ids": ids})
    return {"id": did, "document_id": did, "passages": passages, "entities": entities, "events": events,
            "coreferences": corefs, "relations": []}


def wikidata_ids(root: Path) -> dict[str, str]:
    """kb id -> Wikidata id, for the kb entities that have one."""
    from ..model import load_kb_data

    return {e["id"]: e["wikidata"] for e in load_kb_data(root).get("entities") or [] if e.get("wikidata")}


def export(docs: list[tuple[dict, str, str]], out: Path, root: Path) -> dict[str, int]:
    """``bigbio_kb/<split>.parquet`` and ``.jsonl`` for every split present; counts."""
    import json
    from types import SimpleNamespace

    import datasets

    from .. import io as yio

    kb = wikidata_ids(root)
    folder = out / "bigbio_kb"
    folder.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[dict]] = {}
    for data, text, split in docs:
        rows.setdefault(split, []).append(to_bigbio_kb(SimpleNamespace(raw=data, text=text), kb))
    counts = {"documents": 0, "passages": 0, "entities": 0, "events": 0, "coreferences": 0}
    for split, items in rows.items():
        ds = datasets.Dataset.from_list(items, features=kb_features())
        tmp = folder / f".{split}.parquet.tmp"
        ds.to_parquet(str(tmp))
        tmp.replace(folder / f"{split}.parquet")
        yio.write_atomic(folder / f"{split}.jsonl",
                         "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in items))
        counts["documents"] += len(items)
        for k in ("passages", "entities", "events", "coreferences"):
            counts[k] += sum(len(r[k]) for r in items)
    return counts

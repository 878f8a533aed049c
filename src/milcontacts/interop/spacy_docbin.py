"""spaCy ``DocBin`` files, one per split, and a training config.

Each document is one ``Doc`` (tokens from :mod:`.tokens`, so every span is
token-aligned).  Name (``NAM``) mentions are ``doc.ents`` (the guidelines
keep names flat), with the entity's kb id as ``kb_id_``; every layer is
also a span group:

* ``mentions`` — every mention (NAM, NOM, PRO), label = entity type,
  ``kb_id_`` = kb id, ``id_`` = the entity id (mentions of one entity share it);
* ``timexes`` — label = timex type, ``id_`` = timex id;
* ``triggers`` — label = event type, ``kb_id_`` = kb id, ``id_`` = event id;
* ``cues`` and ``contents`` — label = attribution type, ``id_`` = attribution id.

``doc.user_data`` holds ``doc_id`` and ``split``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .tokens import aligned_doc, blank_fr, span_cuts

GROUPS = ("mentions", "timexes", "triggers", "cues", "contents")


def to_doc(data: dict, text: str, split: str) -> Any:
    """The spaCy Doc of one document."""
    from spacy.util import filter_spans

    doc = aligned_doc(text, span_cuts(data))

    def sp(s: dict, label: str, kb: str | None = None, ident: str | None = None) -> Any:
        span = doc.char_span(s["start"], s["end"], label=label, kb_id=kb or "", span_id=ident or "")
        assert span is not None, "tokens are cut at every span boundary"
        return span

    names = [sp(m, e["type"], e.get("kb"), e["id"]) for e in data["entities"] for m in e["mentions"] if m["kind"] == "NAM"]
    flat = filter_spans(names)
    doc.ents = sorted(flat, key=lambda s: s.start)
    doc.spans["mentions"] = [sp(m, e["type"], e.get("kb"), e["id"]) for e in data["entities"] for m in e["mentions"]]
    doc.spans["timexes"] = [sp(t, t["type"], None, t["id"]) for t in data["timexes"]]
    doc.spans["triggers"] = [sp(v["trigger"], v["type"], v.get("kb"), v["id"]) for v in data["events"]]
    doc.spans["cues"] = [sp(a["cue"], a["type"], None, a["id"]) for a in data["attributions"]]
    doc.spans["contents"] = [sp(c, a["type"], None, a["id"]) for a in data["attributions"] for c in a["content"]]
    doc.user_data["doc_id"] = data["document"]["id"]
    doc.user_data["split"] = split
    doc.user_data["names_not_flat"] = len(names) - len(flat)
    return doc


def training_config() -> str:
    """A minimal French ``ner`` + ``spancat`` (on ``mentions``) config from ``spacy init config``."""
    from spacy.cli.init_config import init_config

    config = init_config(lang="fr", pipeline=["ner", "spancat"], optimize="efficiency", gpu=False)
    config["components"]["spancat"]["spans_key"] = "mentions"
    config["paths"]["train"] = "train.spacy"
    config["paths"]["dev"] = "validation.spacy"
    return config.to_str()


def export(docs: list[tuple[dict, str, str]], out: Path) -> dict[str, int]:
    """``<split>.spacy`` for each split present and ``config.cfg``; counts."""
    from spacy.tokens import DocBin

    from .. import io as yio

    out.mkdir(parents=True, exist_ok=True)
    blank_fr()
    bins: dict[str, Any] = {}
    counts: dict[str, int] = {"documents": 0, "ents": 0, **{g: 0 for g in GROUPS}, "names_not_flat": 0}
    for data, text, split in docs:
        doc = to_doc(data, text, split)
        bins.setdefault(split, DocBin(store_user_data=True)).add(doc)
        counts["documents"] += 1
        counts["ents"] += len(doc.ents)
        counts["names_not_flat"] += doc.user_data["names_not_flat"]
        for g in GROUPS:
            counts[g] += len(doc.spans[g])
    for split, db in bins.items():
        yio.write_atomic(out / f"{split}.spacy", db.to_bytes())
    yio.write_atomic(out / "config.cfg", training_config())
    return counts

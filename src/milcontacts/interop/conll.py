"""CoNLL-2003 files with IOB2 tags, one per split and label set.

``<split>.fine.conll`` tags names with the corpus entity types (PER ORG GPE
LOC FAC NORP EVENT MISC); ``<split>.conll.conll`` with the four CoNLL-2003
classes, mapped as the benchmark does (docs/benchmark.md): PER→PER, ORG→ORG,
GPE/LOC/FAC→LOC, NORP/EVENT/MISC→MISC.  Only name (``NAM``) mentions are
tagged, as in CoNLL-2003 (they are flat); boilerplate zones are left out,
as in the dataset's ``ner`` config.  Each line is ``TOKEN -X- _ TAG`` (the
POS and chunk columns of CoNLL-2003 have no value here); a document starts
with ``-DOCSTART- -X- -X- O`` and sentences are separated by a blank line.
Sentences come from spaCy's rule-based sentencizer, with a line break and a
zone boundary also ending a sentence and no break inside a name.
"""

from __future__ import annotations

from pathlib import Path

from .tokens import aligned_doc

CONLL = {"PER": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
         "NORP": "MISC", "EVENT": "MISC", "MISC": "MISC"}
LABEL_SETS = ("fine", "conll")


def sentences(data: dict, text: str) -> list[list[tuple[str, str]]]:
    """(token, fine IOB2 tag) sentences of one document, boilerplate zones left out."""
    names = sorted(((m["start"], m["end"], e["type"]) for e in data["entities"] for m in e["mentions"]
                    if m["kind"] == "NAM"), key=lambda x: (x[0], -x[1]))
    doc = aligned_doc(text, {x for a, b, _ in names for x in (a, b)} |
                      {x for z in data["zones"] for x in (z["start"], z["end"])})
    tag_at: dict[int, str] = {}
    for a, b, typ in names:
        toks = [t for t in doc if t.idx >= a and t.idx + len(t.text) <= b and not t.is_space]
        for k, t in enumerate(toks):
            tag_at.setdefault(t.idx, ("B-" if k == 0 else "I-") + typ)
    inside = [(a, b) for a, b, _ in names]
    out: list[list[tuple[str, str]]] = []
    for zone in data["zones"]:
        if zone["type"] == "boilerplate":
            continue
        current: list[tuple[str, str]] = []
        pending = False
        for tok in doc:
            if not (zone["start"] <= tok.idx < zone["end"]):
                continue
            if tok.is_space or not tok.text.strip():
                pending = pending or "\n" in tok.text
                continue
            starts = (pending or tok.is_sent_start) and not any(a < tok.idx < b for a, b in inside)
            if starts and current:
                out.append(current)
                current = []
            pending = False
            # A token never holds whitespace (CoNLL columns are split on it).
            tag = tag_at.get(tok.idx, "O")
            for k, piece in enumerate(tok.text.split()):
                current.append((piece, tag if k == 0 or tag == "O" else "I-" + tag[2:]))
        if current:
            out.append(current)
    return out


def to_conll(docs: list[tuple[dict, str]], label_set: str) -> str:
    """One CoNLL-2003 file for ``docs`` in the ``fine`` or ``conll`` label set."""
    lines = []
    for data, text in docs:
        lines += ["-DOCSTART- -X- -X- O", ""]
        for sent in sentences(data, text):
            for token, tag in sent:
                if label_set == "conll" and tag != "O":
                    tag = tag[:2] + CONLL[tag[2:]]
                lines.append(f"{token} -X- _ {tag}")
            lines.append("")
    return "\n".join(lines) + ("\n" if lines else "")


def export(docs: list[tuple[dict, str, str]], out: Path) -> dict[str, int]:
    """``<split>.<label set>.conll`` for every split present; counts."""
    from .. import io as yio

    out.mkdir(parents=True, exist_ok=True)
    by_split: dict[str, list[tuple[dict, str]]] = {}
    for data, text, split in docs:
        by_split.setdefault(split, []).append((data, text))
    counts = {"files": 0, "sentences": 0, "tokens": 0, "names": 0}
    for split, items in by_split.items():
        for label_set in LABEL_SETS:
            content = to_conll(items, label_set)
            yio.write_atomic(out / f"{split}.{label_set}.conll", content)
            counts["files"] += 1
        body = [ln for ln in content.splitlines() if ln and not ln.startswith("-DOCSTART-")]
        counts["tokens"] += len(body)
        counts["names"] += sum(ln.endswith(tuple(f" B-{t}" for t in set(CONLL.values()))) for ln in body)
        counts["sentences"] += sum(len(sentences(d, t)) for d, t in items)
    return counts

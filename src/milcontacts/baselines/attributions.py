"""``attributions``: cues from a lexicon, source and content from the dependency parse.

* **Cue lexicon**: the reporting words the guidelines list (§6: dire,
  indiquer, déclarer, préciser, souligner, expliquer, estimer, citer,
  signaler, commenter, ajouter, affirmer, annoncer, selon), plus the lemma
  keys of the gold cues of the training documents (learned per fold).
  Matches are leftmost-longest on the lemmas of each non-boilerplate zone;
  a reporting verb counts only as a verb (spaCy POS VERB or AUX+VERB), so
  that "la déclaration" is not a cue.
* **Source**: for a verb cue, its subject (``nsubj``, inverted subjects
  included: "a indiqué un média azerbaïdjanais"); for "selon X" / "cité
  par X", X.  The span is the source's named entity, or its noun phrase.
* **Content**: for a verb cue, its clausal complement (``ccomp``/``xcomp``
  subtree, without the complementiser "que"); for a cue in an incise ("…,
  a dit M. Mattis."), the clause it interrupts (the cue's head subtree
  minus the cue's own subtree); for "selon", the clause it is attached to
  minus the "selon X" phrase.  Split into contiguous spans, quotes and
  end punctuation trimmed.
* **Type**: ``direct`` when the content is a quotation (starts and ends
  inside quotation marks), ``mixed`` when it contains one, else
  ``indirect``.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..model import Document
from .syntax import entity_span, head_of, lemma_key, lemma_matches, parsed, spans_of, tokens_in

LAYERS = ("attributions",)
LEARNS = True

SEED_CUES = {("dire",), ("indiquer",), ("déclarer",), ("préciser",), ("souligner",), ("expliquer",),
             ("estimer",), ("citer",), ("signaler",), ("commenter",), ("ajouter",), ("affirmer",),
             ("annoncer",), ("selon",), ("citer", "par")}
PREPOSITION_CUES = {("selon",), ("citer", "par")}
OPEN_QUOTES, CLOSE_QUOTES = "«\"“", "»\"”"


def learn_cues(docs: Sequence[Document]) -> set[tuple[str, ...]]:
    """Lemma keys of the gold cues of ``docs``, plus the guidelines' seed list."""
    keys = set(SEED_CUES)
    for doc in docs:
        p = parsed(doc)
        for a in doc.attributions:
            for offset, sp in p.zones:
                toks = [t for t in tokens_in(sp, offset, (a.cue.start, a.cue.end))
                        if t.pos_ not in ("AUX",) and t.dep_ not in ("aux:tense", "aux:pass")]
                key = lemma_key(toks)
                if key:
                    keys.add(key)
                    break
    return keys


def find_cues(sp: Any, cues: set[tuple[str, ...]]) -> list[list[Any]]:
    """Cue matches (token runs) in one parsed zone; an auxiliary before a verb cue joins the span.

    A one-word reporting verb must be tagged VERB (or a preposition cue
    ADP), so that a noun with the same lemma is not a cue.
    """
    def accept(run: list[Any], key: tuple[str, ...]) -> bool:
        return key in PREPOSITION_CUES or run[0].pos_ in ("VERB", "ADP") or len(run) > 1

    out = []
    for run in lemma_matches(sp, cues, accept):
        auxes = [c for c in run[0].lefts if c.dep_.startswith("aux") and c.i == run[0].i - 1]
        out.append(auxes + run)
    return out


def _quote_type(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return "indirect"
    start, end = spans[0][0], spans[-1][1]
    before, after = text[max(0, start - 3):start], text[end:end + 3]
    inner = text[start:end]
    if any(q in before for q in OPEN_QUOTES) and any(q in after for q in CLOSE_QUOTES):
        return "direct"
    return "mixed" if any(q in inner for q in OPEN_QUOTES + CLOSE_QUOTES) else "indirect"


def attribution(run: list[Any], offset: int, text: str) -> dict[str, Any]:
    """One attribution from a cue run: source and content from the parse (see module doc)."""
    head = head_of(run)
    key = lemma_key([t for t in run if not t.dep_.startswith("aux")])
    cue_ids = {t.i for t in run}
    source_tok = None
    content: set = set()
    if key in PREPOSITION_CUES:
        # "selon X": the cue is the case marker of X, X hangs off the clause it sources
        noun = head.head if head.dep_ == "case" else next((c for c in head.children if c.dep_ in ("obl", "obj")), None)
        if noun is not None and noun.i not in cue_ids:
            source_tok = noun
            clause = noun.head if noun.head.i != noun.i else noun
            excluded = {t.i for t in noun.subtree} | cue_ids
            content = {t for t in clause.subtree if t.i not in excluded}
    else:
        source_tok = next((c for c in head.children if c.dep_ in ("nsubj", "nsubj:pass")), None)
        comp = next((c for c in head.children if c.dep_ in ("ccomp", "xcomp")), None)
        if comp is not None:
            content = {t for t in comp.subtree if not (t.dep_ == "mark" and t.head.i == comp.i)}
        elif head.dep_ in ("parataxis", "conj", "advcl") or head.i != head.head.i:
            own = {t.i for t in head.subtree}
            content = {t for t in head.head.subtree if t.i not in own}
    source = None if source_tok is None else entity_span(source_tok, offset)
    spans = spans_of((t for t in content if not t.is_space), offset, text)
    if source is not None:
        spans = [s for s in spans if not (s[0] >= source[0] and s[1] <= source[1])]
    start = offset + run[0].idx
    end = offset + run[-1].idx + len(run[-1].text)
    item: dict[str, Any] = {"cue": {"start": start, "end": end},
                            "source": None if source is None else {"start": source[0], "end": source[1]},
                            "content": [{"start": s, "end": e} for s, e in spans],
                            "type": _quote_type(text, spans)}
    return item


def train(docs: Sequence[Document], kb: dict) -> set[tuple[str, ...]]:
    return learn_cues(docs)


def predict(cues: set[tuple[str, ...]], doc: Document) -> dict[str, list]:
    out = []
    for offset, sp in parsed(doc).zones:
        for run in find_cues(sp, cues):
            out.append(attribution(run, offset, doc.text))
    out.sort(key=lambda a: (a["cue"]["start"], a["cue"]["end"]))
    return {"attributions": out}



"""``events``: triggers from a lemma lexicon learned on the training documents, arguments from the parse.

* **Lexicon** (learned): the spaCy lemmas of every gold trigger of the
  training documents ("s'est entretenu" → ``s' être entretenir``), with the
  event type it was most often given (ties: alphabetical).  A key is kept
  when at least half of its occurrences in the training texts are
  annotated triggers, so that a lemma that is usually not an event
  ("communication") is not predicted everywhere.
* **Triggers**: leftmost-longest matches of the lexicon keys on the lemmas
  of each non-boilerplate zone.
* **Arguments**, from the dependency tree of the trigger's head token: its
  subject (``nsubj``), and nouns attached with "avec" or "entre", are the
  ``participant`` of contact, agreement and cooperation events and the
  ``agent`` of the others; its object (``obj``) and "de" complements of a
  nominal trigger are the ``target`` of strikes, sanctions and
  annexations; a complement introduced by "à", "en" or "dans" is the
  ``place`` when spaCy tags it LOC; "sur" introduces the ``topic``; a time
  expression of the ``timex`` baseline in the trigger's clause is the
  ``time``.  The filler is the named entity, or the noun phrase, of the
  argument's head token.
* **kb** (cross-document coreference): ``TYPE@DATE`` when the event has a
  time argument resolved to a day, so that two texts reporting a meeting of
  the same day corefer; no time, no link (a singleton).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Sequence

from ..model import Document
from . import timex
from .common import scored_zones
from .syntax import entity_span, head_of, lemma, lemma_key, lemma_matches, parsed, tokens_in

LAYERS = ("events",)
LEARNS = True
MIN_PRECISION = 0.5

PARTICIPANT_TYPES = ("CONTACT.", "AGREEMENT", "COOPERATION.")
TARGET_TYPES = ("MILITARY.STRIKE", "POLITICAL.SANCTION", "POLITICAL.ANNEXATION")


def learn_lexicon(docs: Sequence[Document]) -> dict[tuple[str, ...], str]:
    """lemma key -> event type, from the gold triggers of ``docs`` (see module doc)."""
    types: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    for doc in docs:
        p = parsed(doc)
        for v in doc.events:
            for offset, sp in p.zones:
                toks = tokens_in(sp, offset, (v.trigger.start, v.trigger.end))
                key = lemma_key(toks)
                if key:
                    types[key][v.type] += 1
                    break
    seen: Counter = Counter()
    for doc in docs:
        for _, sp in parsed(doc).zones:
            words = [lemma(t) for t in sp if not t.is_punct and not t.is_space]
            for key in types:
                n = len(key)
                seen[key] += sum(1 for i in range(len(words) - n + 1) if tuple(words[i:i + n]) == key)
    out = {}
    for key, counter in sorted(types.items()):
        if sum(counter.values()) >= MIN_PRECISION * max(seen[key], 1):
            out[key] = min(counter, key=lambda t: (-counter[t], t))
    return out


def find_triggers(sp: Any, lexicon: dict[tuple[str, ...], str]) -> list[tuple[list[Any], str]]:
    """Leftmost-longest lexicon matches on a parsed zone: (tokens, type)."""
    return [(run, lexicon[lemma_key(run)]) for run in lemma_matches(sp, lexicon)]


def _case(tok: Any) -> str:
    return next((c.lower_ for c in tok.children if c.dep_ in ("case", "mark")), "")


def arguments(head: Any, etype: str, offset: int, times: list[tuple[int, int, str | None]]) -> list[dict]:
    """Arguments of one trigger from its dependency neighbourhood (see module doc)."""
    who = "participant" if etype.startswith(PARTICIPANT_TYPES) else "agent"
    out: list[tuple[str, tuple[int, int]]] = []
    verb = head
    if head.pos_ == "NOUN" and head.dep_ in ("obj", "nsubj:pass") and head.head.pos_ == "VERB":
        verb = head.head     # "ont eu une conversation": the verb's subject is the participant
    for tok, via in [(c, "verb") for c in verb.children] + ([(c, "noun") for c in head.children] if verb is not head else []):
        dep, case = tok.dep_, _case(tok)
        if tok.pos_ not in ("NOUN", "PROPN", "PRON"):
            continue
        if dep in ("nsubj", "nsubj:pass") and via == "verb":
            role = who
        elif dep == "obj" and etype in TARGET_TYPES:
            role = "target"
        elif case in ("avec", "entre"):
            role = "participant" if who == "participant" else None
        elif case == "sur":
            role = "topic"
        elif case in ("à", "en", "dans") and tok.ent_type_ == "LOC":
            role = "place"
        elif case == "de" and etype in TARGET_TYPES and head.pos_ == "NOUN":
            role = "target"
        else:
            role = None
        if role:
            out.append((role, entity_span(tok, offset)))
            for conj in tok.conjuncts:   # "Dunford et Gerasimov": both sides
                out.append((role, entity_span(conj, offset)))
    sent = head.sent
    s0, s1 = offset + sent.start_char, offset + sent.end_char
    for start, end, value in times:
        if s0 <= start and end <= s1:
            out.append(("time", (start, end)))
    seen = set()
    items = []
    for role, (start, end) in out:
        if (role, start, end) not in seen:
            seen.add((role, start, end))
            items.append({"role": role, "start": start, "end": end})
    return items


def train(docs: Sequence[Document], kb: dict) -> dict[tuple[str, ...], str]:
    return learn_lexicon(docs)


def predict(lexicon: dict[tuple[str, ...], str], doc: Document) -> dict[str, list]:
    found = timex.tag(doc.text, scored_zones(doc), timex.publication(doc))
    times = [(f.start, f.end, f.value) for f in found if f.type in ("DATE", "TIME")]
    value_of = {(s, e): v for s, e, v in times}
    events = []
    for offset, sp in parsed(doc).zones:
        for toks, etype in find_triggers(sp, lexicon):
            start, end = offset + toks[0].idx, offset + toks[-1].idx + len(toks[-1].text)
            args = arguments(head_of(toks), etype, offset, times)
            day = next((value_of[(a["start"], a["end"])][:10] for a in args if a["role"] == "time"
                        and (value_of[(a["start"], a["end"])] or "")[:10].count("-") == 2
                        and "X" not in value_of[(a["start"], a["end"])][:10]), None)
            events.append({"trigger": {"start": start, "end": end}, "type": etype, "arguments": args,
                           "kb": f"{etype}@{day}" if day else None})
    events.sort(key=lambda v: (v["trigger"]["start"], v["trigger"]["end"], v["type"]))
    return {"events": events}

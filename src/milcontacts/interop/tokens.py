"""Tokens for the token-based formats (spaCy, CoNLL-2003), aligned with the annotation.

spaCy's rule-based French tokenizer (``spacy.blank("fr")``, nothing to
download) is run on the whole text; a token is then cut at every offset
where an exported span starts or ends inside it, so every span is a whole
number of tokens and nothing is lost to alignment.  The Doc's text is the
raw text exactly (a cut piece keeps no trailing space; the last piece keeps
the token's).
"""

from __future__ import annotations

import bisect
from functools import lru_cache
from typing import Any, Iterable


@lru_cache(maxsize=1)
def blank_fr() -> Any:
    """``spacy.blank("fr")`` with the rule-based sentencizer."""
    import spacy

    nlp = spacy.blank("fr")
    nlp.add_pipe("sentencizer")
    return nlp


def aligned_doc(text: str, cuts: Iterable[int]) -> Any:
    """A spaCy ``Doc`` over ``text`` with a token boundary at every offset in ``cuts``."""
    from spacy.tokens import Doc

    nlp = blank_fr()
    points = sorted(set(cuts))
    words: list[str] = []
    spaces: list[bool] = []
    for tok in nlp.tokenizer(text):
        a, b = tok.idx, tok.idx + len(tok.text)
        for p in points[bisect.bisect_right(points, a):bisect.bisect_left(points, b)]:
            words.append(text[a:p])
            spaces.append(False)
            a = p
        words.append(text[a:b])
        spaces.append(bool(tok.whitespace_))
    doc = Doc(nlp.vocab, words=words, spaces=spaces)
    assert doc.text == text, "tokenization must keep the text exactly"
    return nlp.get_pipe("sentencizer")(doc)


def span_cuts(data: dict) -> set[int]:
    """Every start and end offset of every span of the four layers."""
    from ..validate import iter_spans

    return {x for path, s in iter_spans(data) if path[0] != "zones" for x in (s["start"], s["end"])}

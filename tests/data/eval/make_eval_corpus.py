"""Regenerate the fixture corpus ``tests/data/eval_corpus`` (three short texts, every layer).

Run ``/work/venv/bin/python tests/data/eval/make_eval_corpus.py`` after editing
the texts or annotations below; offsets are computed here from the strings,
never typed.  The texts are synthetic, written for the test suite (CC0), so
they can be changed freely; the expected figures in tests/test_evaluate.py and
tests/test_baseline.py depend on them.

Shape of the corpus, chosen so the benchmark tests exercise every rule:

* doc A (train) has boilerplate zones that contain a kb alias ("Russie") and
  a name no one annotates ("Facebook"): baselines must skip them;
* kb entities are linked from one, two or three documents, so the
  leave-one-document-out gazetteer finds some names and misses others;
* every entity type, timex type, NOM and PRO mentions, a span argument, a
  span source and a nested attribution occur at least once.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent / "eval_corpus"
sys.path.insert(0, str(HERE.parents[2] / "src"))

from milcontacts.io import dump_yaml, write_atomic  # noqa: E402
from milcontacts.validate import on_token_boundaries  # noqa: E402

RIGHTS = "Synthetic text written for the MilContacts-FR test suite (CC0); not a real article."


class Doc:
    """A text with a helper that turns (string, occurrence) into a span."""

    def __init__(self, doc_id: str, text: str):
        self.id = doc_id
        self.text = text

    def span(self, s: str, nth: int = 0) -> dict:
        """The ``nth`` occurrence of ``s`` on token boundaries, as a span dict."""
        pos, seen = self.text.find(s), -1
        while pos != -1:
            if on_token_boundaries(self.text, pos, pos + len(s)):
                seen += 1
                if seen == nth:
                    return {"start": pos, "end": pos + len(s), "text": s}
            pos = self.text.find(s, pos + 1)
        raise ValueError(f"{self.id}: occurrence {nth} of {s!r} not found")

    def zones(self, types: list[str]) -> list[dict]:
        """One zone per blank-line separated paragraph, in order."""
        out, pos = [], 0
        paras = [p for p in self.text.split("\n\n") if p.strip()]
        assert len(paras) == len(types), (self.id, len(paras))
        for i, (para, kind) in enumerate(zip(paras, types), 1):
            para = para.strip("\n")
            start = self.text.index(para, pos)
            out.append({"id": f"z{i}", "type": kind, "start": start, "end": start + len(para), "text": para})
            pos = start + len(para)
        return out

    def mention(self, s: str, nth: int = 0, kind: str = "NAM") -> dict:
        return {**self.span(s, nth), "kind": kind}


def entity(ident: str, etype: str, kb: str | None, mentions: list[dict]) -> dict:
    return {"id": ident, "type": etype, "kb": kb, "mentions": mentions}


def timex(doc: Doc, ident: str, s: str, ttype: str, value: str, nth: int = 0) -> dict:
    sp = doc.span(s, nth)
    return {"id": ident, "type": ttype, "start": sp["start"], "end": sp["end"], "text": sp["text"], "value": value}


def event(ident: str, etype: str, trigger: dict, args: list[dict], kb: str | None = None,
          modality: str = "asserted") -> dict:
    return {"id": ident, "type": etype, "trigger": trigger, "modality": modality, "kb": kb, "arguments": args}


def attribution(ident: str, atype: str, source: dict, cue: dict, content: list[dict],
                nested_in: str | None = None) -> dict:
    return {"id": ident, "type": atype, "source": source, "cue": cue, "content": content, "nested_in": nested_in}


def header(doc: Doc, title: str, agency: str | None, published: str, zones: list[str]) -> dict:
    return {
        "schema_version": 1,
        "document": {
            "id": doc.id,
            "text_sha256": hashlib.sha256(doc.text.encode("utf-8")).hexdigest(),
            "source_file": None,
            "language": "fr",
            "title": title,
            "publisher": None,
            "agency": agency,
            "url": None,
            "published": {"value": published, "precision": "day", "evidence": "Synthetic fixture."},
            "truncated": False,
            "rights": RIGHTS,
        },
        "review": {"status": "draft", "passes": 0},
        "zones": doc.zones(zones),
    }


def doc_a() -> tuple[Doc, dict]:
    d = Doc("2017-02-16-fixture-dunford-gerasimov-bakou", (
        "Accueil > International > Russie\n\n"
        "Les chefs militaires américain et russe se rencontrent à Bakou\n\n"
        "AFP | 16.02.2017\n\n"
        "Le chef d'état-major américain, le général Joe Dunford, a rencontré jeudi à Bakou son homologue "
        "russe Valery Gerasimov pour discuter de la sécurité en Syrie, a indiqué le Pentagone. "
        "« Nous voulons éviter les incidents », a déclaré Joe Dunford selon un communiqué. "
        "La rencontre a duré trois heures.\n\n"
        "Partager sur Facebook\n"))
    data = header(d, "Les chefs militaires américain et russe se rencontrent à Bakou", "AFP", "2017-02-16",
                  ["boilerplate", "headline", "byline", "body", "boilerplate"])
    data["entities"] = [
        entity("e1", "PER", "joe-dunford", [d.mention("Joe Dunford"), d.mention("Joe Dunford", 1),
                                             d.mention("Le chef d'état-major américain", kind="NOM")]),
        entity("e2", "PER", "valery-gerasimov", [d.mention("Valery Gerasimov"),
                                                  d.mention("son homologue russe", kind="NOM")]),
        entity("e3", "GPE", "bakou", [d.mention("Bakou"), d.mention("Bakou", 1)]),
        entity("e4", "ORG", "pentagone", [d.mention("Pentagone")]),
        entity("e5", "NORP", "americains", [d.mention("américain"), d.mention("américain", 1)]),
        entity("e6", "NORP", "russes", [d.mention("russe"), d.mention("russe", 1)]),
        entity("e7", "ORG", "afp", [d.mention("AFP")]),
        entity("e8", "GPE", "syrie", [d.mention("Syrie")]),
    ]
    data["timexes"] = [
        timex(d, "t1", "16.02.2017", "DATE", "2017-02-16"),
        timex(d, "t2", "jeudi", "DATE", "2017-02-16"),
        timex(d, "t3", "trois heures", "DURATION", "PT3H"),
    ]
    data["events"] = [
        event("v1", "CONTACT.MEET", d.span("se rencontrent"), [{"role": "place", "ref": "e3"}],
              kb="meeting-bakou-2017-02-16"),
        event("v2", "CONTACT.MEET", d.span("rencontré"), [
            {"role": "participant", "ref": "e1"}, {"role": "participant", "ref": "e2"},
            {"role": "place", "ref": "e3"}, {"role": "time", "ref": "t2"},
            {"role": "topic", **d.span("la sécurité en Syrie")}], kb="meeting-bakou-2017-02-16"),
        event("v3", "MILITARY.INCIDENT", d.span("incidents"), [], modality="hypothetical"),
        event("v4", "CONTACT.MEET", d.span("rencontre"), [{"role": "time", "ref": "t3"}],
              kb="meeting-bakou-2017-02-16"),
    ]
    data["attributions"] = [
        attribution("a1", "indirect", {"ref": "e4"}, d.span("a indiqué"), [d.span(
            "Le chef d'état-major américain, le général Joe Dunford, a rencontré jeudi à Bakou son homologue "
            "russe Valery Gerasimov pour discuter de la sécurité en Syrie")]),
        attribution("a2", "direct", {"ref": "e1"}, d.span("a déclaré"),
                    [d.span("Nous voulons éviter les incidents")], nested_in="a3"),
        attribution("a3", "indirect", d.span("un communiqué"), d.span("selon"),
                    [d.span("« Nous voulons éviter les incidents », a déclaré Joe Dunford")]),
    ]
    return d, data


def doc_b() -> tuple[Doc, dict]:
    d = Doc("2021-09-25-fixture-milley-gerasimov-helsinki", (
        "Le général Mark Milley a rencontré Valery Gerasimov à Helsinki\n\n"
        "Sputnik | 25.09.2021\n\n"
        "Les Etats-Unis et la Russie maintiennent des canaux de déconfliction en Syrie depuis 2015, "
        "a rappelé le Pentagone mercredi. Selon lui, les deux généraux ont parlé chaque semaine de la "
        "sécurité en Europe. Washington a suspendu la coopération militaire avec Moscou après "
        "l'annexion de la Crimée.\n"))
    data = header(d, "Le général Mark Milley a rencontré Valery Gerasimov à Helsinki", None, "2021-09-25",
                  ["headline", "byline", "body"])
    data["entities"] = [
        entity("e1", "PER", "mark-milley", [d.mention("Mark Milley")]),
        entity("e2", "PER", "valery-gerasimov", [d.mention("Valery Gerasimov")]),
        entity("e3", "GPE", "helsinki", [d.mention("Helsinki")]),
        entity("e4", "ORG", "sputnik", [d.mention("Sputnik")]),
        entity("e5", "GPE", "etats-unis", [d.mention("Etats-Unis")]),
        entity("e6", "GPE", "russie", [d.mention("Russie")]),
        entity("e7", "GPE", "syrie", [d.mention("Syrie")]),
        entity("e8", "ORG", "pentagone", [d.mention("Pentagone"), d.mention("lui", kind="PRO")]),
        entity("e9", "LOC", "europe", [d.mention("Europe")]),
        entity("e10", "GPE", "washington", [d.mention("Washington")]),
        entity("e11", "GPE", "moscou", [d.mention("Moscou")]),
        entity("e12", "GPE", "crimee", [d.mention("Crimée")]),
    ]
    data["timexes"] = [
        timex(d, "t1", "25.09.2021", "DATE", "2021-09-25"),
        timex(d, "t2", "2015", "DATE", "2015"),
        timex(d, "t3", "mercredi", "DATE", "2021-09-22"),
        timex(d, "t4", "chaque semaine", "SET", "P1W"),
    ]
    data["events"] = [
        event("v1", "CONTACT.MEET", d.span("rencontré"), [
            {"role": "participant", "ref": "e1"}, {"role": "participant", "ref": "e2"},
            {"role": "place", "ref": "e3"}], kb="meeting-helsinki-2021-09-22"),
        event("v2", "CONTACT.CHANNEL", d.span("canaux de déconfliction"), [
            {"role": "participant", "ref": "e5"}, {"role": "participant", "ref": "e6"},
            {"role": "place", "ref": "e7"}, {"role": "time", "ref": "t2"}]),
        event("v3", "COOPERATION.SUSPEND", d.span("suspendu"), [
            {"role": "agent", "ref": "e10"}, {"role": "target", "ref": "e11"}]),
        event("v4", "POLITICAL.ANNEXATION", d.span("annexion"), [{"role": "target", "ref": "e12"}]),
    ]
    data["attributions"] = [
        attribution("a1", "indirect", {"ref": "e8"}, d.span("a rappelé"), [d.span(
            "Les Etats-Unis et la Russie maintiennent des canaux de déconfliction en Syrie depuis 2015")]),
        attribution("a2", "indirect", {"ref": "e8"}, d.span("Selon"), [d.span(
            "les deux généraux ont parlé chaque semaine de la sécurité en Europe")]),
    ]
    return d, data


def doc_c() -> tuple[Doc, dict]:
    d = Doc("2015-09-19-fixture-carter-choigou-telephone", (
        "Ashton Carter et Sergueï Choïgou se sont entretenus par téléphone\n\n"
        "Le secrétaire américain à la Défense Ashton Carter s'est entretenu vendredi avec le ministre russe "
        "de la Défense, Sergueï Choïgou, a annoncé le Pentagone. Ils ont aussi évoqué l'accord de paix de "
        "Minsk, le sommet du G20 et le gazoduc Nord Stream 2 ainsi que la situation au Moyen-Orient, "
        "a précisé l'OTAN.\n"))
    data = header(d, "Ashton Carter et Sergueï Choïgou se sont entretenus par téléphone", None, "2015-09-19",
                  ["headline", "body"])
    data["entities"] = [
        entity("e1", "PER", "ashton-carter", [d.mention("Ashton Carter"), d.mention("Ashton Carter", 1)]),
        entity("e2", "PER", "sergei-choigou", [d.mention("Sergueï Choïgou"), d.mention("Sergueï Choïgou", 1)]),
        entity("e3", "NORP", "americains", [d.mention("américain")]),
        entity("e4", "NORP", "russes", [d.mention("russe")]),
        entity("e5", "ORG", "pentagone", [d.mention("Pentagone")]),
        entity("e6", "MISC", "accord-minsk", [d.mention("accord de paix de Minsk")]),
        entity("e7", "EVENT", "g20", [d.mention("G20")]),
        entity("e8", "FAC", "nord-stream-2", [d.mention("Nord Stream 2")]),
        entity("e9", "LOC", "moyen-orient", [d.mention("Moyen-Orient")]),
        entity("e10", "ORG", "otan", [d.mention("OTAN")]),
    ]
    data["timexes"] = [timex(d, "t1", "vendredi", "DATE", "2015-09-18")]
    data["events"] = [
        event("v1", "CONTACT.CALL", d.span("entretenus par téléphone"), [
            {"role": "participant", "ref": "e1"}, {"role": "participant", "ref": "e2"}]),
        event("v2", "CONTACT.CALL", d.span("entretenu"), [
            {"role": "participant", "ref": "e1"}, {"role": "participant", "ref": "e2"},
            {"role": "time", "ref": "t1"}]),
    ]
    data["attributions"] = [
        attribution("a1", "indirect", {"ref": "e5"}, d.span("a annoncé"), [d.span(
            "Le secrétaire américain à la Défense Ashton Carter s'est entretenu vendredi avec le ministre russe "
            "de la Défense, Sergueï Choïgou")]),
        attribution("a2", "indirect", {"ref": "e10"}, d.span("a précisé"), [d.span(
            "Ils ont aussi évoqué l'accord de paix de Minsk, le sommet du G20 et le gazoduc Nord Stream 2 "
            "ainsi que la situation au Moyen-Orient")]),
    ]
    return d, data


def kb_entity(ident: str, etype: str, name: str, aliases: list[str]) -> dict:
    return {"id": ident, "type": etype, "name": name, "aliases": aliases, "wikidata": None}


KB = {
    "schema_version": 1,
    "entities": [
        kb_entity("afp", "ORG", "Agence France-Presse", ["AFP"]),
        kb_entity("americains", "NORP", "américains", ["américain", "américaine", "américaines"]),
        kb_entity("accord-minsk", "MISC", "accord de paix de Minsk", ["accords de Minsk"]),
        kb_entity("ashton-carter", "PER", "Ashton Carter", ["Carter"]),
        kb_entity("bakou", "GPE", "Bakou", []),
        kb_entity("crimee", "GPE", "Crimée", []),
        kb_entity("etats-unis", "GPE", "États-Unis", ["Etats-Unis"]),
        kb_entity("europe", "LOC", "Europe", []),
        kb_entity("g20", "EVENT", "G20", []),
        kb_entity("helsinki", "GPE", "Helsinki", []),
        kb_entity("joe-dunford", "PER", "Joseph Dunford", ["Joe Dunford", "Dunford"]),
        kb_entity("mark-milley", "PER", "Mark Milley", ["Milley"]),
        kb_entity("moscou", "GPE", "Moscou", []),
        kb_entity("moyen-orient", "LOC", "Moyen-Orient", []),
        kb_entity("nord-stream-2", "FAC", "Nord Stream 2", []),
        kb_entity("otan", "ORG", "OTAN", ["Organisation du traité de l'Atlantique nord"]),
        kb_entity("pentagone", "ORG", "Pentagone", ["département de la Défense"]),
        kb_entity("russes", "NORP", "russes", ["russe"]),
        kb_entity("russie", "GPE", "Russie", []),
        kb_entity("sergei-choigou", "PER", "Sergueï Choïgou", ["Choïgou"]),
        kb_entity("sputnik", "ORG", "Sputnik", []),
        kb_entity("syrie", "GPE", "Syrie", []),
        kb_entity("valery-gerasimov", "PER", "Valery Gerasimov", ["Gerasimov", "Valéri Guérassimov"]),
        kb_entity("washington", "GPE", "Washington", []),
    ],
    "events": [
        {"id": "meeting-bakou-2017-02-16", "type": "CONTACT.MEET", "name": "Dunford–Gerasimov meeting in Baku",
         "date": "2017-02-16", "wikidata": None},
        {"id": "meeting-helsinki-2021-09-22", "type": "CONTACT.MEET", "name": "Milley–Gerasimov meeting in Helsinki",
         "date": "2021-09-22", "wikidata": None},
    ],
}

SPLITS = """\
# Fixture splits (tests/data/eval/make_eval_corpus.py).
splits:
  train:
    - 2017-02-16-fixture-dunford-gerasimov-bakou
  test:
    - 2015-09-19-fixture-carter-choigou-telephone
    - 2021-09-25-fixture-milley-gerasimov-helsinki
"""


def write(path: Path, content: str) -> None:
    write_atomic(path, content)
    path.chmod(0o644)  # write_atomic's temporary file is created 0600


def main() -> None:
    (ROOT / "annotations").mkdir(parents=True, exist_ok=True)
    (ROOT / "corpus").mkdir(parents=True, exist_ok=True)
    head = "Generated by tests/data/eval/make_eval_corpus.py: edit that script, not this file."
    for make in (doc_a, doc_b, doc_c):
        d, data = make()
        write(ROOT / "corpus" / f"{d.id}.txt", d.text)
        write(ROOT / "annotations" / f"{d.id}.yaml", dump_yaml(data, head))
    write(ROOT / "annotations" / "kb.yaml", dump_yaml(KB, head))
    write(ROOT / "splits.yaml", SPLITS)


if __name__ == "__main__":
    main()

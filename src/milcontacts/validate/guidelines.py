"""Level 5: the rules of docs/guidelines.md that code can check (§8.1).

Guidelines 1.2 settled rules that earlier annotations applied in some places
and not in others; these checks keep a pull request from bringing them back:

* G001 a nested attribution's cue and content lie inside its parent's content
  (§6: the report inside a report is part of what the outer source said);
* G002 a part-of-day value uses the TIMEX3 suffixes TMO/TAF/TEV/TNI, and the
  one that the word in the text names ("soir" is TEV, not TNI) (§4);
* G003 a trigger of several words whose head is a single-word trigger is too
  long (§5.1, minimal extent): a warning, since a new compound may deserve a
  place on the closed multi-word list.

The word lists are the guidelines' own; a docs-in-sync test keeps
:data:`SINGLE_WORD_HEADS` equal to the list printed in §5.1.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Callable, Sequence

from .. import checks
from ..diagnostics import Diagnostic
from ..spans import is_span, items
from .registry import emits

Locator = Callable[[Sequence[Any]], "tuple[int, int]"]

#: Word forms that are always one-word triggers (guidelines §5.1, "Single-word trigger heads").
SINGLE_WORD_HEADS = frozenset("""
abattant accident adopté adoptés annexion arrivé bombardement bombarder collaborer combats
communications communication communiquer conflits contact contacts conversation convenu convenus
conviennent coopération débarquement déploiement déployé dialogue dialoguer discussion discussions
discuté échangé élargissement élection entretenu entretenus entretien envoi fracassant frappes gel
incident incidents installer interaction intervenir nouer parler réchauffer réduction rencontre
rencontré rencontrer rendez-vous renouer renoué restaurer réunion sanctions supprimé supprimant
suspendu venu visites voyage voyageant
""".split())

# What comes before the head and is not it (§5.1): clitic pronouns and the forms
# of avoir/être that build compound tenses and passives.
_CLITICS = frozenset({"se", "s'", "s’"})
_AUXILIARIES = frozenset("""
ai as a avons avez ont avais avait avions aviez avaient aurai auras aura aurons aurez auront
aurais aurait aurions auriez auraient aie aies ait ayons ayez aient eu ayant avoir
suis es est sommes êtes sont étais était étions étiez étaient serai seras sera serons serez seront
serais serait serions seriez seraient sois soit soyons soyez soient été étant être
""".split())
# A word: letters and digits, hyphenated compounds kept whole, an elided form
# keeps its apostrophe ("s'", "l'").
_WORD = re.compile(r"\w+(?:-\w+)*['’]?")

#: Part-of-day suffixes of TIMEX3 values allowed by the guidelines (§4).
PART_OF_DAY = {"MO": "matin", "AF": "après-midi", "EV": "soir", "NI": "nuit"}
# A point in time with a part of day: "2015-09-17TEV", "XXXX-WXX-4TNI"; not a
# duration ("PTXH" is X hours).
_SUFFIX = re.compile(r"\A(?!P)[^T]*T([A-Z]{2})\Z")
# The word in the text that names a part of the day, and the suffix it takes.
_PART_WORDS = [(re.compile(r"\bmatin(?:ée)?s?\b", re.I), "MO"),
               (re.compile(r"\baprès-midi\b", re.I), "AF"),
               (re.compile(r"\bsoir(?:ée)?s?\b", re.I), "EV"),
               (re.compile(r"\bnuits?\b", re.I), "NI")]
_CLOCK = re.compile(r"T\d")


def trigger_head(text: str) -> tuple[str | None, int]:
    """(head, number of words) of a trigger: its first word after clitics and
    auxiliaries, lower-cased and NFC-normalised (§5.1)."""
    words = [w.lower() for w in _WORD.findall(unicodedata.normalize("NFC", text))]
    rest = list(words)
    while rest and (rest[0] in _CLITICS or rest[0] in _AUXILIARIES):
        rest.pop(0)
    return (rest[0] if rest else None), len(words)


@emits("G001", "G002", "G003")
def check_guidelines(data: dict, display: str, locate: Locator) -> list[Diagnostic]:
    """Every mechanical rule of guidelines §8.1 on one parsed annotation file."""
    return (_check_nesting(data, display, locate) + _check_part_of_day(data, display, locate)
            + _check_trigger_extent(data, display, locate))


def _inside(span: dict, parents: list[dict]) -> bool:
    return any(p["start"] <= span["start"] and span["end"] <= p["end"] for p in parents)


def _check_nesting(data: dict, display: str, locate: Locator) -> list[Diagnostic]:
    attributions = {a.get("id"): a for _, a in items(data, "attributions")}
    out = []
    for i, attr in items(data, "attributions"):
        parent = attributions.get(attr.get("nested_in"))
        if parent is None or parent is attr:
            continue  # no nesting, or a dangling one (R002 reports it)
        contents = [c for c in parent.get("content") or [] if is_span(c)]
        cue = attr.get("cue")
        parts = ([("cue", (), cue)] if is_span(cue) else []) + [
            ("content", (j,), c) for j, c in enumerate(attr.get("content") or []) if is_span(c)]
        for what, sub, span in parts:
            if not _inside(span, contents):
                line, col = locate(("attributions", i, what) + sub)
                out.append(checks.make("G001", display, line, col, subject=f"{attr.get('id')}:{what}",
                                       id=attr.get("id"), what=what, text=span["text"],
                                       parent=parent.get("id")))
    return out


def _check_part_of_day(data: dict, display: str, locate: Locator) -> list[Diagnostic]:
    out = []
    for i, timex in items(data, "timexes"):
        value, text = timex.get("value"), timex.get("text")
        if not isinstance(value, str):
            continue
        problem = None
        suffix = _SUFFIX.search(value)
        if suffix and suffix.group(1) not in PART_OF_DAY:
            problem = f"uses the suffix T{suffix.group(1)}, which is not one of TMO, TAF, TEV, TNI"
        elif isinstance(text, str) and not _CLOCK.search(value):
            named = [code for pattern, code in _PART_WORDS if pattern.search(text)]
            if len(named) == 1 and not (suffix and suffix.group(1) == named[0]):
                problem = (f"does not end in T{named[0]}, the value of "
                           f"{PART_OF_DAY[named[0]]!r} in the text {text!r}")
        if problem:
            line, col = locate(("timexes", i, "value"))
            out.append(checks.make("G002", display, line, col, subject=f"{timex.get('id')}:{value}",
                                   id=timex.get("id"), value=value, problem=problem))
    return out


def _check_trigger_extent(data: dict, display: str, locate: Locator) -> list[Diagnostic]:
    out = []
    for i, event in items(data, "events"):
        trigger = event.get("trigger")
        if not is_span(trigger):
            continue
        head, words = trigger_head(trigger["text"])
        if words > 1 and head in SINGLE_WORD_HEADS:
            line, col = locate(("events", i, "trigger"))
            out.append(checks.make("G003", display, line, col, subject=f"{event.get('id')}:{trigger['text']}",
                                   id=event.get("id"), text=trigger["text"], head=head))
    return out

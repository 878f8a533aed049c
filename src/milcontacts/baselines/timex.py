"""``timex``: a rule-based French TIMEX3 tagger and normaliser.

Regular expressions find the expressions (guidelines §4: the span without
the preposition that introduces it); values are resolved against the
publication date of the document (``document.published``):

* calendar dates with a month name ("19 septembre 2015", "vendredi 24
  septembre", "décembre 2019") are read by ``dateparser`` (French, the
  publication date as the relative base, so a date without a year takes the
  publication year); the value has the precision written (day, or month);
* numeric dates and times ("17.02.2017 08h39", "19 h 55, le 19 septembre
  2015", "2021-09"), years ("2014");
* a weekday is the nearest such day not after publication (the day itself
  included), "hier"/"aujourd'hui"/"demain" are relative to it; with a
  publication date known only to the month they are left ``XXXX-XX-XX``;
  a weekday followed by a part of the day is a TIME with the guidelines'
  suffixes TMO (matin, matinée), TAF (après-midi), TEV (soir, soirée),
  TNI (nuit);
* durations ("une heure" PT1H, "plusieurs mois" PXM, "plus d'un an" P1Y,
  "quelques heures" PTXH), "il y a N jours" (a DATE N days before
  publication), sets ("quotidiennement" P1D), and the vague references
  PRESENT_REF ("maintenant", "actuellement", "désormais", "présent" in "à
  présent"), PAST_REF ("récemment", "depuis peu"), FUTURE_REF ("bientôt").

Nothing is learned; the rules are the guidelines' conventions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable, Sequence

from ..model import Document
from .common import scored_zones

LAYERS = ("timexes",)
LEARNS = False

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
           "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "vingt": 20, "trente": 30,
           "une dizaine de": 10, "une quinzaine de": 15, "une vingtaine de": 20, "une centaine de": 100}
VAGUE_NUMBERS = ("plusieurs", "quelques", "de nombreux", "de nombreuses")
#: unit -> (ISO letter, time part?)
UNITS = {"minute": ("M", True), "heure": ("H", True), "jour": ("D", False), "semaine": ("W", False),
         "mois": ("M", False), "an": ("Y", False), "année": ("Y", False)}
PARTS_OF_DAY = {"matin": "TMO", "matinée": "TMO", "après-midi": "TAF", "soirée": "TEV", "soir": "TEV",
                "nuit": "TNI"}

WD = "|".join(WEEKDAYS)
MO = "|".join(MONTHS) + "|fevrier|aout|decembre"
NUM = "|".join(sorted((re.escape(k) for k in NUMBERS), key=len, reverse=True)) + r"|\d+"
UNIT = r"minutes?|heures?|jours?|semaines?|mois|ans|an|années?"
HM = r"(?P<h>\d{1,2}) ?h ?(?P<mi>\d{2})"
DMY = rf"(?P<d>\d{{1,2}}|1er) (?P<mo>{MO})(?: (?P<y>\d{{4}}))?"


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    type: str
    value: str | None


@dataclass(frozen=True)
class Pub:
    """The publication date and its precision (day, month, year or unknown)."""

    day: date | None
    month: str | None      # "YYYY-MM" when known to the month at least


def publication(doc: Document) -> Pub:
    published = doc.meta.get("published") or {}
    value = str(published.get("value") or "")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        d = date.fromisoformat(value)
        return Pub(d, value[:7])
    return Pub(None, value[:7] if re.fullmatch(r"\d{4}-\d{2}(-.*)?", value) else None)


def _parse_fr(text: str, pub: Pub) -> Any:
    """A calendar date written with a month name, read by dateparser (French, relative to publication)."""
    import datetime as dt

    import dateparser

    settings: dict[str, Any] = {"PREFER_DATES_FROM": "past", "REQUIRE_PARTS": []}
    if pub.day is not None:
        settings["RELATIVE_BASE"] = dt.datetime(pub.day.year, pub.day.month, pub.day.day)
    elif pub.month is not None:
        settings["RELATIVE_BASE"] = dt.datetime(int(pub.month[:4]), int(pub.month[5:7]), 28)
    return dateparser.parse(text, languages=["fr"], settings=settings)


def _weekday(name: str, pub: Pub) -> str:
    if pub.day is None:
        return "XXXX-XX-XX"
    back = (pub.day.weekday() - WEEKDAYS.index(name.lower())) % 7
    return (pub.day - timedelta(days=back)).isoformat()


def _count(words: str) -> int | None:
    words = words.lower()
    if words.isdigit():
        return int(words)
    return NUMBERS.get(words)


def _unit(word: str) -> tuple[str, bool]:
    word = word.lower()
    base = word if word in UNITS else word[:-1] if word[:-1] in UNITS else "an"
    return UNITS[base]


def _duration(n: int | None, unit: str) -> str:
    letter, is_time = _unit(unit)
    return f"P{'T' if is_time else ''}{'X' if n is None else n}{letter}"


def _date_iso(d: Any, precision: str) -> str:
    return f"{d.year:04d}-{d.month:02d}" if precision == "month" else f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


# Each rule: (pattern, type, value function(match, pub)).  Longer rules come
# first; overlapping matches are resolved leftmost-longest.

def _v_time_date(m: re.Match, pub: Pub) -> str | None:
    d = _parse_fr(f"{m['d']} {m['mo']} {m['y'] or ''}".strip(), pub)
    return None if d is None else f"{_date_iso(d, 'day')}T{int(m['h']):02d}:{m['mi']}"


def _v_numeric(m: re.Match, pub: Pub) -> str:
    value = f"{m['y']}-{m['mo']}-{m['d']}"
    return value + (f"T{m['h']}:{m['mi']}" if m["h"] else "")


def _v_dmy(m: re.Match, pub: Pub) -> str | None:
    d = _parse_fr(m.group(0), pub)
    return None if d is None else _date_iso(d, "day")


def _v_my(m: re.Match, pub: Pub) -> str | None:
    d = _parse_fr(m.group(0), pub)
    return None if d is None else _date_iso(d, "month")


def _v_weekday_part(m: re.Match, pub: Pub) -> str:
    return _weekday(m["wd"], pub) + PARTS_OF_DAY[m["part"].lower()]


def _v_relative_day(m: re.Match, pub: Pub) -> str:
    if pub.day is None:
        return "XXXX-XX-XX"
    shift = {"avant-hier": -2, "hier": -1, "aujourd'hui": 0, "aujourd’hui": 0, "demain": 1}[m.group(0).lower()]
    return (pub.day + timedelta(days=shift)).isoformat()


def _v_ago(m: re.Match, pub: Pub) -> str | None:
    n = _count(m["n"])
    letter, is_time = _unit(m["u"])
    if pub.day is None or n is None or is_time:
        return None
    if letter == "D":
        return (pub.day - timedelta(days=n)).isoformat()
    if letter == "W":
        return (pub.day - timedelta(weeks=n)).isoformat()
    if letter == "M":
        months = pub.day.year * 12 + pub.day.month - 1 - n
        return f"{months // 12:04d}-{months % 12 + 1:02d}"
    return f"{pub.day.year - n:04d}"


def _v_duration(m: re.Match, pub: Pub) -> str:
    return _duration(None if m["n"].lower() in VAGUE_NUMBERS else _count(m["n"]), m["u"])


RULES: list[tuple[str, str, Callable[[re.Match, Pub], str | None]]] = [
    (rf"{HM}, le {DMY}", "TIME", _v_time_date),
    (rf"le (?P<d>\d{{1,2}}|1er) (?P<mo>{MO}) (?P<y>\d{{4}}) à (?P<h>\d{{1,2}}) ?h ?(?P<mi>\d{{2}})", "TIME",
     lambda m, p: _v_time_date(m, p)),
    (r"(?P<d>\d{2})\.(?P<mo>\d{2})\.(?P<y>\d{4})(?: (?P<h>\d{2})h(?P<mi>\d{2}))?", "DATE", _v_numeric),
    (r"(?P<y>(?:19|20)\d{2})-(?P<mo>\d{2})(?:-(?P<d>\d{2}))?", "DATE",
     lambda m, p: m.group(0)),
    (rf"(?:(?:{WD}) )?{DMY}", "DATE", _v_dmy),
    (rf"(?:{MO}) (?:19|20)\d{{2}}", "DATE", _v_my),
    (rf"(?P<wd>{WD}) (?P<part>{'|'.join(sorted(PARTS_OF_DAY, key=len, reverse=True))})", "TIME",
     _v_weekday_part),
    (rf"il y a (?P<n>{NUM}) (?P<u>{UNIT})", "DATE", _v_ago),
    (rf"(?:plus d'|plus d’|moins d'|moins d’|près d'|près d’)?(?P<n>{NUM}|{'|'.join(VAGUE_NUMBERS)}) (?P<u>{UNIT})",
     "DURATION", _v_duration),
    (rf"(?P<wd>{WD})", "DATE", lambda m, p: _weekday(m["wd"], p)),
    (r"avant-hier|hier|aujourd'hui|aujourd’hui|demain", "DATE", _v_relative_day),
    (r"(?:19|20)\d{2}", "DATE", lambda m, p: m.group(0)),
    (r"quotidiennement|chaque jour|tous les jours", "SET", lambda m, p: "P1D"),
    (r"chaque semaine|toutes les semaines|hebdomadairement", "SET", lambda m, p: "P1W"),
    (r"chaque mois|tous les mois|mensuellement", "SET", lambda m, p: "P1M"),
    (r"chaque année|tous les ans|annuellement", "SET", lambda m, p: "P1Y"),
    (r"maintenant|actuellement|désormais|(?<=à )présent", "DATE", lambda m, p: "PRESENT_REF"),
    (r"récemment|depuis peu", "DATE", lambda m, p: "PAST_REF"),
    (r"bientôt|prochainement", "DATE", lambda m, p: "FUTURE_REF"),
]

COMPILED = [(re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.IGNORECASE), ttype, fn)
            for pattern, ttype, fn in RULES]


def tag(text: str, zones: Sequence[tuple[int, int]], pub: Pub) -> list[Found]:
    """Time expressions of ``text`` inside ``zones``: leftmost-longest, never overlapping."""
    candidates: list[tuple[int, int, int, str, Callable]] = []
    for zstart, zend in zones:
        for rank, (rx, ttype, fn) in enumerate(COMPILED):
            for m in rx.finditer(text, zstart, zend):
                candidates.append((m.start(), -(m.end() - m.start()), rank, ttype, fn))
    candidates.sort()
    out: list[Found] = []
    taken_until = -1
    for start, neg_len, rank, ttype, fn in candidates:
        end = start - neg_len
        if start < taken_until:
            continue
        m = COMPILED[rank][0].match(text, start, end)
        if m is None or m.end() != end:
            continue
        value = fn(m, pub)
        if ttype == "DATE" and value is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}T.*", value):
            ttype = "TIME"
        out.append(Found(start, end, ttype, value))
        taken_until = end
    return out


def train(docs: Sequence[Document], kb: dict) -> None:
    return None


def predict(state: None, doc: Document) -> dict[str, list]:
    found = tag(doc.text, scored_zones(doc), publication(doc))
    return {"timexes": [{"start": f.start, "end": f.end, "type": f.type, "value": f.value} for f in found]}

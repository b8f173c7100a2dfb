"""How dates are written in news pages, and finding them in a text before
their year is resolved (search/ingest/dates.py decides which is the
publication date).

Month names come in families: English (with abbreviations), Egyptian/Gulf
(يناير), Levantine/Iraqi (كانون الثاني: January; تشرين الثاني: November),
Maghrebi (جانفي) and Moroccan (شتنبر). A date is a day and a month with an
optional year, weekday before and relative word after ("21 سبتمبر الماضي");
two month names joined by "/" or brackets are one date when they agree
(«13 يناير/كانون الثاني»). Numbers: d/m/yyyy, d.m.yyyy, d-m-yyyy and
yyyy-mm-dd, with either digit system.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyarabic.araby as araby

# Text normalisation for matching (ingest does not import the analysis
# package, which loads Whoosh): digits to ASCII, no diacritics, tatweel or
# direction marks, one alef, ة as ه, ى as ي. Every step maps one character to
# at most one, so lines stay lines.
_NORMALISE: dict[int, str | None] = {
    ord(c): None for group in (araby.DIACRITICS, araby.SMALL, araby.TATWEEL) for c in group
}
_NORMALISE |= {
    ord(c): None
    for c in "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\ufeff\u00ad"
}
_NORMALISE |= {ord(c): "ا" for c in "أإآٱ"}
_NORMALISE |= {ord("ة"): "ه", ord("ى"): "ي", ord("ی"): "ي"}
_NORMALISE |= {ord(d): str(i) for digits in (araby.NUMBERS_EAST, araby.NUMBERS_PERS) for i, d in enumerate(digits)}


def normalise(text: str) -> str:
    """The text as the date patterns read it.

    >>> normalise("نُشِرَ فِي ١٠ أكتـــوبَر ٢٠٢٠")
    'نشر في 10 اكتوبر 2020'
    """
    return text.translate(_NORMALISE)


# Month names as normalise() leaves them.
ARABIC_MONTHS = {
    "egyptian": "يناير فبراير مارس ابريل مايو يونيو|يونيه يوليو|يوليه اغسطس سبتمبر اكتوبر نوفمبر ديسمبر",
    "levantine": "كانون_الثاني|كانون_ثاني شباط اذار نيسان ايار حزيران تموز اب ايلول تشرين_الاول|تشرين_اول "
    "تشرين_الثاني|تشرين_ثاني كانون_الاول|كانون_اول",
    "maghrebi": "جانفي فيفري مارس افريل ماي جوان جويليه اوت سبتمبر اكتوبر نوفمبر ديسمبر",
    "moroccan": "يناير فبراير مارس ابريل ماي يونيو يوليوز غشت شتنبر اكتوبر نونبر دجنبر",
}
ENGLISH_MONTHS = "january february march april may june july august september october november december"


def _month_numbers() -> dict[str, int]:
    numbers: dict[str, int] = {}
    for names in ARABIC_MONTHS.values():
        for number, spellings in enumerate(names.split(), 1):
            for spelling in spellings.split("|"):
                numbers[spelling.replace("_", " ")] = number
    for number, name in enumerate(ENGLISH_MONTHS.split(), 1):
        numbers[name] = numbers[name[:3]] = number
    numbers["sept"] = 9
    return numbers


MONTHS = _month_numbers()


def _month_pattern() -> str:
    alternatives: list[str] = []
    for name in sorted(MONTHS, key=len, reverse=True):
        if name.isascii():
            # English: capitalised or upper case, so that "may" the verb is not May.
            alternatives.append(f"{name[0].upper()}(?i:{name[1:]})\\.?")
        else:
            alternatives.append(name.replace(" ", r"\s+"))
    firsts = {name[0].upper() if name.isascii() else name[0] for name in MONTHS}
    return _first_of(firsts) + "(?:" + "|".join(alternatives) + ")"


def _first_of(characters: Iterable[str]) -> str:
    """A lookahead for the first character of an alternation: the same
    matches, but the regex engine leaves a position at one character test
    instead of trying every alternative there (a 1.4k-character page's
    dates are read in a third of the time)."""
    return "(?=[" + "".join(sorted(re.escape(c) for c in characters)) + "])"


_MONTH = _month_pattern()
_WEEKDAYS = {
    **{name: i for i, name in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())},
    **{name: i for i, name in enumerate("mon tue wed thu fri sat sun".split())},
    **{name: i for i, name in enumerate("الاثنين الثلاثاء الاربعاء الخميس الجمعه السبت الاحد".split())},
}
_WEEKDAY = (
    _first_of({c for name in _WEEKDAYS for c in (name[0].lower(), name[0].upper())})
    + "(?i:"
    + "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
    + r")\.?"
)
_RELATIVE_WORDS = {
    "الماضي": "past",
    "المنصرم": "past",
    "الفائت": "past",
    "السابق": "past",
    "الجاري": "current",
    "الحالي": "current",
    "المقبل": "next",
    "القادم": "next",
    "last": "past",
    "this": "current",
    "next": "next",
}
_ARABIC_RELATIVE = "|".join(w for w in _RELATIVE_WORDS if not w.isascii())
_DAY = r"(?<![\d:/.\-])(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?!\d)"
_YEAR = r"(?P<year>\d{4})(?!\d)"
_SECOND_MONTH = rf"(?:\s*[/\\|]\s*(?P<month2>{_MONTH})|\s*\(\s*(?P<month3>{_MONTH})\s*\))?"
_RELATIVE_AFTER = (
    rf"\s+(?:(?P<rel_month>{_ARABIC_RELATIVE})(?!\w)"
    rf"|(?:من\s+)?(?:العام|السنه)\s+(?P<rel_year>{_ARABIC_RELATIVE})(?!\w)"
    r"|(?P<rel_year_en>last|this|next)\s+year\b)"
)
# A day and month without a year must end at punctuation or the line's end
# (a dateline's "14 يناير." or "31 ديسمبر /أ ش أ/", "Friday, March 29 at 10:30"):
# مارس is also a verb ("practised") and "may" a word.
_YEARLESS_END = r"(?=[ \t]*(?:[.,،:;/()\[\]|\"«»\-–—]|\n|$|at\s))"
_DAY_MONTH_YEAR = re.compile(
    rf"(?:(?P<weekday>{_WEEKDAY})[\s,،]+)?{_DAY}\s*(?:of\s+|من\s+)?[\s\-–]*(?P<month>{_MONTH}){_SECOND_MONTH}"
    rf"(?:(?:[\s,،\-–]*(?:من\s+)?(?:عام\s+|سنه\s+)?{_YEAR})|{_RELATIVE_AFTER}|{_YEARLESS_END})",
)
_MONTH_DAY_YEAR = re.compile(  # English: "Friday, March 29", "Jan. 14, 2021", "last September 21"
    rf"(?:(?P<weekday>{_WEEKDAY})[\s,]+)?(?:(?P<rel_before>[Ll]ast|[Tt]his|[Nn]ext)\s+)?(?P<month>{_MONTH})\s+"
    rf"{_DAY}(?:,?\s+{_YEAR}|,?{_RELATIVE_AFTER}|(?(rel_before)(?!\w)|{_YEARLESS_END}))"
)
_NUMERIC_DAY_FIRST = re.compile(
    r"(?<![\d./\-])(?P<a>\d{1,2})(?P<sep>[./\-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4})(?!\d)"
)
_NUMERIC_YEAR_FIRST = re.compile(
    r"(?<![\d./\-])(?P<year>\d{4})(?P<sep>[./\-])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?!\d)"
)
_US_MARKERS = re.compile(rf"\b(?:E|C|M|P)[SD]?T\b|(?:{_MONTH})\s+[0-3]?\d,\s+\d{{4}}")


@dataclass(frozen=True)
class WrittenDate:
    """A date as written, before its year is resolved."""

    start: int
    end: int
    day: int
    month: int
    year: int | None
    relative: str | None = None  # "past", "current", "next"
    relative_unit: str = "month"
    weekday: int | None = None


def _from_name_match(match: re.Match[str]) -> WrittenDate | None:
    groups = match.groupdict()
    month = MONTHS[_month_key(groups["month"])]
    second = groups.get("month2") or groups.get("month3")
    if second and MONTHS[_month_key(second)] != month:
        return None  # "13 يناير/شباط": not one date
    relative: str | None = None
    unit = "month"
    if groups.get("rel_before"):
        relative = _RELATIVE_WORDS[groups["rel_before"].lower()]
    elif groups.get("rel_month"):
        relative = _RELATIVE_WORDS[groups["rel_month"]]
    elif groups.get("rel_year") or groups.get("rel_year_en"):
        relative, unit = _RELATIVE_WORDS[groups.get("rel_year") or groups["rel_year_en"]], "year"
    weekday = _WEEKDAYS.get(groups["weekday"].lower().rstrip(".")) if groups.get("weekday") else None
    year = int(groups["year"]) if groups.get("year") else None
    return WrittenDate(match.start(), match.end(), int(groups["day"]), month, year, relative, unit, weekday)


def _month_key(name: str) -> str:
    return re.sub(r"\s+", " ", name.lower().rstrip("."))


def is_valid_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _from_numeric_match(match: re.Match[str], month_first: bool) -> WrittenDate | None:
    """d/m/yyyy (m/d/yyyy in a US text); the other order when only it is a real date."""
    a, b, year = int(match["a"]), int(match["b"]), int(match["year"])
    orders = [(b, a), (a, b)] if month_first else [(a, b), (b, a)]
    for day, month in orders:
        if is_valid_date(year, month, day):
            return WrittenDate(match.start(), match.end(), day, month, year)
    return None


def reads_month_first(text: str) -> bool:
    """Whether numeric dates in ``text`` (normalised) are read month first:
    an English text with US signs (a "January 14, 2021" date, an EST time)."""
    english = len(re.findall(r"[A-Za-z]", text)) > len(re.findall(r"[\u0600-\u06ff]", text))
    return english and bool(_US_MARKERS.search(text))


def written_dates(text: str, month_first: bool | None = None) -> list[WrittenDate]:
    """Every date written in ``text`` (normalised), in order, overlaps
    removed; numeric dates month first when ``month_first`` (by default,
    as ``reads_month_first`` reads the text)."""
    if month_first is None:
        month_first = reads_month_first(text)
    found: list[WrittenDate | None] = [
        _from_name_match(m) for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR) for m in pattern.finditer(text)
    ]
    found += [_from_numeric_match(m, month_first) for m in _NUMERIC_DAY_FIRST.finditer(text)]
    found += [
        WrittenDate(m.start(), m.end(), int(m["day"]), int(m["month"]), int(m["year"]))
        for m in _NUMERIC_YEAR_FIRST.finditer(text)
    ]
    kept: list[WrittenDate] = []
    end = -1
    for written in sorted(filter(None, found), key=lambda w: (w.start, w.start - w.end)):
        if written.start >= end:
            kept.append(written)
            end = written.end
    return kept

"""Find the headline of a text saved from a web page.

Pages saved as text start with site chrome: a live-ticker label, a menu of
section names, a date line, share buttons. The headline is the first line
that reads like one (a handful of words, no closing full stop) and is
followed, past any chrome, by body text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from typing import TypeVar

# What pick_title gives when it finds no headline: the caller's fallback, of its type.
_Fallback = TypeVar("_Fallback", str, str | None)

MIN_HEADLINE_WORDS = 4
MAX_HEADLINE_WORDS = 30
MIN_PARAGRAPH_WORDS = 20
# Only the top of the text is searched for a headline.
LINES_TO_SCAN = 60

_BULLET = re.compile(r"^\s*(?:[•·▪►*+-]|\d+[.)])\s")
_MENU = re.compile(r"\s[|»›/]\s")
_SHARE_WORDS = re.compile(
    r"\b(?:facebook|twitter|whatsapp|telegram|linkedin|pinterest|tumblr|share|print|email)\b"
    r"|شارك|مشاركة|طباعة|تويتر|فيسبوك|واتساب",
    re.IGNORECASE,
)
# Words a date line is made of: weekdays, months (Gregorian and Levantine),
# and the labels around them ("Updated", "GMT", "آخر تحديث").
DATE_WORDS = set(
    """monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec updated published posted last at on
    gmt utc am pm الإثنين الاثنين الثلاثاء الأربعاء الاربعاء الخميس الجمعة السبت الأحد الاحد
    يناير فبراير مارس أبريل ابريل إبريل مايو يونيو يوليو أغسطس اغسطس سبتمبر أكتوبر اكتوبر نوفمبر
    ديسمبر كانون الثاني شباط آذار اذار نيسان أيار ايار حزيران تموز آب اب أيلول ايلول تشرين الأول
    آخر اخر تحديث نشر في بتوقيت غرينتش مكة ص م""".split()
)
_DATE_TOKEN = re.compile(r"\w+")


def _is_date_line(line: str) -> bool:
    words = _DATE_TOKEN.findall(line.lower())
    has_number = any(word.isdigit() for word in words)
    return has_number and all(word.isdigit() or word in DATE_WORDS for word in words)


_SENTENCE_END = re.compile(r"[.!؟?:]\s*$")


def _words(line: str) -> list[str]:
    return line.split()


def menu_items(lines: Iterable[str]) -> set[str]:
    """The text of the bulleted lines: a page repeats its menu items bare too."""
    return {_BULLET.sub("", line, count=1).strip() for line in lines if _BULLET.match(line)}


def _is_chrome(line: str, menu: Collection[str] = frozenset()) -> bool:
    words = _words(line)
    return (
        line in menu
        or len(words) < MIN_HEADLINE_WORDS
        or bool(_BULLET.match(line))
        or bool(_MENU.search(line))
        or bool(_SHARE_WORDS.search(line))
        or _is_date_line(line)
    )


def _reads_like_headline(line: str, menu: Collection[str] = frozenset()) -> bool:
    words = _words(line)
    return (
        MIN_HEADLINE_WORDS <= len(words) <= MAX_HEADLINE_WORDS
        and not _is_chrome(line, menu)
        and not _SENTENCE_END.search(line)
    )


def _body_follows(lines: Sequence[str], i: int, menu: Collection[str]) -> bool:
    """Whether body text comes after lines[i]: past repeats of it and site
    chrome, a paragraph, with at most one subheading straight after it."""
    headline, subheading_allowed = lines[i], True
    for line in lines[i + 1 :]:
        if line == headline:
            continue
        if len(_words(line)) >= MIN_PARAGRAPH_WORDS and not _is_chrome(line, menu):
            return True
        if subheading_allowed and _reads_like_headline(line, menu):
            subheading_allowed = False
            continue
        if not _is_chrome(line, menu):
            return False
        subheading_allowed = False
    return False


def pick_title(text: str, fallback: _Fallback) -> str | _Fallback:
    """Return the headline of ``text``, or ``fallback`` when none is found.

    >>> pick_title("عاجل\\nالرئيسية\\nاقتصاد\\nارتفاع أسعار النفط في الأسواق العالمية\\n"
    ...            + "ارتفعت أسعار النفط اليوم " * 5, "f")
    'ارتفاع أسعار النفط في الأسواق العالمية'
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    head = lines[:LINES_TO_SCAN]
    menu = menu_items(head)
    for i, line in enumerate(head):
        if _reads_like_headline(line, menu) and _body_follows(lines, i, menu):
            return line
    for line in head:
        if not _is_chrome(line, menu):
            return line[:200]
    return fallback

"""Find the headline of a text saved from a web page.

Pages saved as text start with site chrome: a live-ticker label, a menu of
section names, a date line, share buttons. The headline is the first line
that reads like one (a handful of words, no closing full stop) and is
followed, past any chrome, by body text.
"""

import re

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
_DATE_LINE = re.compile(
    r"^\W*(?:\d{1,4}[\W_]*)*"
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|"
    r"الإثنين|الاثنين|الثلاثاء|الأربعاء|الخميس|الجمعة|السبت|الأحد)?[\w.,/ -]{0,30}?\d{1,4}\W*$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!؟?:]\s*$")


def _words(line):
    return line.split()


def _is_chrome(line):
    words = _words(line)
    return (
        len(words) < MIN_HEADLINE_WORDS
        or bool(_BULLET.match(line))
        or bool(_MENU.search(line))
        or bool(_SHARE_WORDS.search(line))
        or bool(_DATE_LINE.match(line))
    )


def _reads_like_headline(line):
    words = _words(line)
    return (
        MIN_HEADLINE_WORDS <= len(words) <= MAX_HEADLINE_WORDS
        and not _is_chrome(line)
        and not _SENTENCE_END.search(line)
    )


def _next_content_line(lines, start, skip):
    for line in lines[start:]:
        if line != skip and not _is_chrome(line):
            return line
    return ""


def pick_title(text, fallback):
    """Return the headline of ``text``, or ``fallback`` when none is found.

    >>> pick_title("عاجل\\nالرئيسية\\nاقتصاد\\nارتفاع أسعار النفط في الأسواق العالمية\\n"
    ...            + "ارتفعت أسعار النفط اليوم " * 5, "f")
    'ارتفاع أسعار النفط في الأسواق العالمية'
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    head = lines[:LINES_TO_SCAN]
    for i, line in enumerate(head):
        if not _reads_like_headline(line):
            continue
        following = _next_content_line(lines, i + 1, skip=line)
        if len(_words(following)) >= MIN_PARAGRAPH_WORDS:
            return line
    for line in head:
        if len(_words(line)) >= 2 and not _is_chrome(line):
            return line[:200]
    return fallback

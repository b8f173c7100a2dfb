"""The publication date of a document: from the page's metadata, from a date
written near the top of its text, or from the file's modification time.

``find_date`` asks them in that order. Page metadata is read by htmldate
(meta tags, JSON-LD, ``<time>``), which is told not to read the URL. The text
is read here: news pages in Arabic write their dates with three families of
month names (Egyptian/Gulf يناير, Levantine/Iraqi كانون الثاني, Maghrebi
جانفي) and two families of digits, which dateparser does not find in running
text well (bench/quality/dates_eval.py measures it: see RESULTS.md).

Which date in the text is the publication date (``date_from_text``): the
first rule that finds one wins, and within a rule the first in the text.

1. a full date (day, month, year) in the top of the text that is prominent:
   on a date line ("الخميس 14 يناير 2021 - 10:30 ص"), after a label
   ("Published", "نشر", "آخر تحديث", "الموافق") or opening its line (a
   dateline: "القاهرة في 14 يناير 2021", "LONDON, March 3, 2017");
2. a prominent day and month without a year in the top ("أستانا. 14 يناير.
   كازتاج", "Friday, March 29"), its year inferred (``infer_year``);
3. any full date in the top of the text;
4. a prominent full date anywhere in the first ``MAX_SCAN_CHARS`` (a footer
   "Published 14 January 2021");
5. any day and month in the top with a year inferred, relative forms
   included ("21 سبتمبر الماضي": the event it dates came before the page).

A full date deeper in the body names an event (a birth, a law, the coming
election), not the publication, so it is never chosen; the first one serves
as the anchor that dates a yearless date line. A future relative form
("المقبل", "next") is never chosen. Dates after the reference + 1 day (today
+ 1 day without one) or before 1900 are dropped before choosing; so is an
inferred date whose weekday, written beside it, disagrees. The top of the
text is its first ``TOP_LINES`` non-empty lines, ending sooner after
``TOP_PARAGRAPHS`` paragraphs (lines of ``PARAGRAPH_WORDS`` words or more).
A date line is a line holding the date, words of dates (title.DATE_WORDS:
weekdays, labels, times) and at most ``DATE_LINE_OTHER_WORDS`` other words.
Numbers are read day first (14/1/2021), month first in an English text with
US signs (a "January 14, 2021" date, an EST/PDT time zone), and the other way
round when only that is a real date; a year has four digits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .date_patterns import WrittenDate, is_valid_date, normalise, reads_month_first, written_dates
from .title import DATE_WORDS

EARLIEST_YEAR = 1900
# The first 100 KB hold the date of any page; the rest is not read (linear time, bounded).
MAX_SCAN_CHARS = 100_000
_YEAR_DIGITS = re.compile(r"\d{4}")
TOP_LINES = 15
TOP_PARAGRAPHS = 2
PARAGRAPH_WORDS = 20
# A date line holds the date, words of dates (weekday, label, time) and at
# most this many other words: a city, an agency, a byline.
DATE_LINE_OTHER_WORDS = 3
# A dateline opens a paragraph: "القاهرة في 14 يناير", "LONDON, March 3".
DATELINE_WORDS_BEFORE = 3
LABEL_REACH = 40  # characters before a date in which a label counts
LATEST_ALLOWANCE = dt.timedelta(days=1)  # a file saved just after midnight, in another time zone


@dataclass(frozen=True)
class FoundDate:
    """A document's publication date and where it came from: "html" (page
    metadata), "text", "mtime" (the file's modification time) or "none"."""

    date: dt.date | None
    source: str


@dataclass(frozen=True)
class TextDate:
    """A date written in a text, resolved: ``date`` is None when its year
    cannot be told. ``kind`` is "full", "yearless" or "relative" (الماضي,
    المقبل, "next year"); ``future`` marks a relative date ahead of the page."""

    date: dt.date | None
    kind: str
    line: int
    in_top: bool
    prominent: bool
    future: bool = False


_LABEL = re.compile(
    r"(?i:published|posted|updated|date[d]?|last modified)|نشر|تاريخ|تحديث|الموافق|محدث",
)
_LETTERS = re.compile(r"[^\W\d_]+")
# title.DATE_WORDS (weekdays, month names, labels, time words) and a few more, as normalise() leaves them.
_DATE_LINE_WORDS = frozenset(normalise(word) for word in DATE_WORDS) | set(
    "الموافق ه تاريخ بتاريخ النشر الساعه date posted by edt est et pdt pst cet a p of the".split()
)


def infer_year(
    day: int,
    month: int,
    reference: dt.date | None = None,
    anchor: dt.date | None = None,
    relative: str | None = None,
    relative_unit: str = "month",
) -> dt.date | None:
    """The date a day and month without a year stand for, or None.

    ``reference`` is an upper bound (the file's modification date): a plain
    day-month is the latest one not after it, which is right when the file
    was saved within a year of the page. ``anchor`` is a full date written
    elsewhere in the same text: when there is one, the day-month is the one
    nearest it (and not after the reference). Relative words count from the reference, else
    the anchor: "الماضي"/"last" is the most recent such month strictly before
    the base's month, "الجاري"/"this" the base's month or the latest before,
    "المقبل"/"next" the first strictly after; "من العام الماضي"/"last year"
    is the base's year - 1. With neither, the year is unknown: None.
    """
    base = reference or anchor
    if base is None:
        return None
    year: int | None
    if relative_unit == "year":
        assert relative is not None  # a date relative to a year says which (written_dates)
        year = base.year + {"past": -1, "current": 0, "next": 1}[relative]
        return dt.date(year, month, day) if is_valid_date(year, month, day) else None
    if relative == "past":
        year = base.year if month < base.month else base.year - 1
    elif relative == "current":
        year = base.year if month <= base.month else base.year - 1
    elif relative == "next":
        year = base.year if month > base.month else base.year + 1
    elif reference is not None and anchor is None:
        latest = reference + LATEST_ALLOWANCE
        year = next((y for y in range(latest.year, latest.year - 9, -1) if _fits(y, month, day, latest)), None)
    else:
        assert anchor is not None  # without a reference, the base is the anchor
        years = [y for y in range(anchor.year - 1, anchor.year + 2) if is_valid_date(y, month, day)]
        if reference is not None:
            years = [y for y in years if dt.date(y, month, day) <= reference + LATEST_ALLOWANCE]
        year = min(years, key=lambda y: abs((dt.date(y, month, day) - anchor).days), default=None)
    return dt.date(year, month, day) if year is not None and is_valid_date(year, month, day) else None


def _fits(year: int, month: int, day: int, latest: dt.date) -> bool:
    return is_valid_date(year, month, day) and dt.date(year, month, day) <= latest


def _top_line_count(lines: Sequence[str]) -> int:
    """How many lines form the top of the text (module docstring)."""
    non_empty = paragraphs = 0
    for number, line in enumerate(lines):
        if line.strip():
            non_empty += 1
            paragraphs += len(line.split()) >= PARAGRAPH_WORDS
        if non_empty >= TOP_LINES or paragraphs >= TOP_PARAGRAPHS:
            return number + 1
    return len(lines)


def _is_prominent(text: str, written: WrittenDate, line_start: int, line_end: int) -> bool:
    """On a date line (few other words), after a publication label, or
    opening its line (a dateline)."""
    line = text[line_start:line_end]
    start, end = written.start - line_start, written.end - line_start
    words_before = _LETTERS.findall(line[:start])
    other_words = [w for w in words_before + _LETTERS.findall(line[end:]) if w.lower() not in _DATE_LINE_WORDS]
    before = line[max(0, start - LABEL_REACH) : start]
    return (
        len(other_words) <= DATE_LINE_OTHER_WORDS
        or len(words_before) <= DATELINE_WORDS_BEFORE
        or bool(_LABEL.search(before))
    )


def _in_bounds(date: dt.date | None, latest: dt.date) -> bool:
    return date is not None and date.year >= EARLIEST_YEAR and date <= latest


def dates_in_text(text: str, reference: dt.date | None = None, skim: bool = True) -> list[TextDate]:
    """Every date written in the first ``MAX_SCAN_CHARS`` of ``text``, resolved
    (``TextDate``), in order; those after ``reference`` + 1 day (today + 1
    day without one) or before 1900 are left out."""
    whole = normalise(text[:MAX_SCAN_CHARS])
    latest = (reference or dt.date.today()) + LATEST_ALLOWANCE
    lines = whole.split("\n")
    top_lines = _top_line_count(lines)
    # Past the top, only a line with a year can hold a date the rules use (a
    # full date: a deeper one without a year is never chosen): the others
    # are blanked, every line kept in its place, so that the patterns read a
    # fraction of a long text (``skim=False`` reads every line: the plain
    # computation the tests hold it equal to).
    keep = (lambda n, line: n < top_lines or _YEAR_DIGITS.search(line)) if skim else (lambda n, line: True)
    window = "\n".join(line if keep(n, line) else "" for n, line in enumerate(lines))
    line_starts = [0] + [m.end() for m in re.finditer("\n", window)]
    found_written = written_dates(window, reads_month_first(whole))
    anchor = next(
        (
            dt.date(w.year, w.month, w.day)
            for w in found_written
            if w.year and is_valid_date(w.year, w.month, w.day) and _in_bounds(dt.date(w.year, w.month, w.day), latest)
        ),
        None,
    )
    found: list[TextDate] = []
    line = 0
    for written in found_written:
        while line + 1 < len(line_starts) and line_starts[line + 1] <= written.start:
            line += 1
        line_end = line_starts[line + 1] - 1 if line + 1 < len(line_starts) else len(window)
        date: dt.date | None
        if written.year is not None:
            kind = "full"
            valid = is_valid_date(written.year, written.month, written.day)
            date = dt.date(written.year, written.month, written.day) if valid else None
        else:
            kind = "relative" if written.relative else "yearless"
            date = infer_year(written.day, written.month, reference, anchor, written.relative, written.relative_unit)
            if date is not None and written.weekday is not None and date.weekday() != written.weekday:
                date = None  # the weekday written beside it says the inferred year is wrong
        if written.relative != "next" and not _in_bounds(date, latest):
            continue
        found.append(
            TextDate(
                date,
                kind,
                line,
                line < top_lines,
                _is_prominent(window, written, line_starts[line], line_end),
                future=written.relative == "next",
            )
        )
    return found


def date_from_text(text: str | None, reference: dt.date | None = None, skim: bool = True) -> dt.date | None:
    """The publication date written in ``text`` by the module's rules, or None.
    ``reference`` is the latest the page can be from (its file's date);
    ``skim`` as dates_in_text's."""
    found = [d for d in dates_in_text(text or "", reference, skim) if d.date is not None and not d.future]
    full = [d for d in found if d.kind == "full"]
    rules = (
        [d for d in full if d.in_top and d.prominent],
        [d for d in found if d.kind == "yearless" and d.in_top and d.prominent],
        [d for d in full if d.in_top],
        [d for d in full if d.prominent],
        [d for d in found if d.kind != "full" and d.in_top],
    )
    return next((chosen[0].date for chosen in rules if chosen), None)


def date_from_html(markup: str | bytes | None, reference: dt.date | None = None) -> dt.date | None:
    """The publication date in the page's metadata, read by htmldate, or None.

    htmldate reads a date from the page's URL when it finds one (the
    canonical link, og:url): a URL is where the page lives, not when it was
    written, so both are removed first and no URL is given. Any error, and a
    year before 1900 or a date after ``reference`` + 1 day (today + 1 day
    without one), give None.
    """
    if not markup:
        return None
    if isinstance(markup, str) and (markup.lstrip().startswith("http") or "<" not in markup):
        return None  # htmldate would download a URL
    latest = (reference or dt.date.today()) + LATEST_ALLOWANCE
    # Imported here: a serving process reads no files and loads none of this.
    import htmldate  # noqa: PLC0415
    from htmldate.utils import load_html  # noqa: PLC0415

    try:
        tree = load_html(markup)
        if tree is None:
            return None
        for element in tree.xpath('//link[@rel="canonical"] | //meta[@name="og:url" or @property="og:url"]'):
            element.drop_tree()
        found = htmldate.find_date(
            tree,
            extensive_search=False,
            original_date=True,
            outputformat="%Y-%m-%d",
            url="",
            min_date=dt.datetime(EARLIEST_YEAR, 1, 1),
            max_date=dt.datetime.combine(latest, dt.time.max),
        )
        date = dt.date.fromisoformat(found) if found else None
    except Exception:  # a parser's error on hostile markup must not stop indexing
        return None
    return date if _in_bounds(date, latest) else None


def mtime_date(mtime: float) -> dt.date | None:
    """The UTC date of a modification time in seconds, or None if it is not one."""
    try:
        return dt.datetime.fromtimestamp(mtime, tz=dt.UTC).date()
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def find_date(
    markup: str | bytes | None = None, text: str = "", mtime: float | None = None, html_date: dt.date | None = None
) -> FoundDate:
    """The publication date of a document: its HTML metadata, else its text
    (no later than its file's date), else its file's modification date.
    ``html_date`` is the metadata's date when the page was read elsewhere
    (the indexer's parse worker has the markup, not the file's date): held
    to the same bounds as ``date_from_html``'s."""
    reference = mtime_date(mtime) if mtime is not None else None
    if markup:
        date = date_from_html(markup, reference)
    else:
        date = html_date if _in_bounds(html_date, (reference or dt.date.today()) + LATEST_ALLOWANCE) else None
    if date is not None:
        return FoundDate(date, "html")
    date = date_from_text(text, reference)
    if date is not None:
        return FoundDate(date, "text")
    if reference is not None:
        return FoundDate(reference, "mtime")
    return FoundDate(None, "none")

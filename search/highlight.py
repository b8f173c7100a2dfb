"""Snippets and whole-document marking from token offsets.

Escape first, then mark: the text is HTML-escaped piece by piece and only
``<mark>`` is added, around each matched word exactly as it is written in
the document (article, clitics, diacritics and all).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Iterable, Sequence, Set
from dataclasses import dataclass
from functools import partial
from html import escape
from typing import TYPE_CHECKING

from .analysis.analyzers import word_spans

if TYPE_CHECKING:
    from whoosh.analysis import Analyzer

SNIPPET_CHARS = 260
MAX_FRAGMENTS = 3
# The matches of one document a snippet chooses from: the first ones of each
# matched term, so a document with tens of thousands of matches costs no more
# than one with a few hundred, and every term keeps its chance to be shown.
MAX_SPANS_PER_TERM = 64
MAX_SNIPPET_SPANS = 256
# Title repeats left out of snippets (a page repeating its title thousands
# of times is hostile, not a reason to scan them all).
MAX_TITLE_RANGES = 64
ELLIPSIS = "…"
_SPACE = re.compile(r"\s+")
_SPACES = re.compile(r"\s*")
_NEWLINES = re.compile(r"[\r\n]*")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    term: str


# A snippet's fragment: its start and end in the text, and the spans inside it.
Window = tuple[int, int, list[Span]]


def find_spans(text: str, terms: Collection[str], analyzer: Analyzer) -> list[Span]:
    """Spans of the words of ``text`` whose analysed form is in ``terms``, in
    order, one per word (a word indexed under two stems is one span)."""
    spans: list[Span] = []
    if not terms:
        return spans
    words = word_spans(text, analyzer)
    if words is not None:
        for start, end, word_terms in words:
            matched = next((term for term in word_terms if term in terms), None)
            if matched is not None:
                spans.append(Span(start, end, matched))
        return spans
    for t in analyzer(text, chars=True, mode="index"):
        if t.text in terms and not (spans and spans[-1].start == t.startchar):
            spans.append(Span(t.startchar, t.endchar, t.text))
    return spans


def _render(text: str, start: int, end: int, spans: Iterable[Span], first_id: str | None = None) -> str:
    """Escaped text[start:end] with each span in it wrapped in <mark>."""
    out: list[str] = []
    cursor = start
    for span in spans:
        if span.start < start or span.end > end:
            continue
        out.append(escape(text[cursor : span.start]))
        attribute = f' id="{first_id}"' if first_id and cursor == start and not out[:-1] else ""
        out.append(f"<mark{attribute}>{escape(text[span.start : span.end])}</mark>")
        cursor = span.end
    out.append(escape(text[cursor:end]))
    return "".join(out)


def mark_document(
    text: str, spans: Iterable[Span], start: int = 0, end: int | None = None, first_id: str | None = "first-match"
) -> str:
    """The text from ``start`` on (to ``end``), escaped, every span in it
    marked; the first mark carries ``id=first_id`` (unless None) so the page
    can scroll to it."""
    end = len(text) if end is None else end
    spans = [s for s in spans if s.start >= start and s.end <= end]
    if not spans:
        return escape(text[start:end])
    first, rest = spans[0], spans[1:]
    attribute = f' id="{first_id}"' if first_id else ""
    return (
        escape(text[start : first.start])
        + f"<mark{attribute}>{escape(text[first.start : first.end])}</mark>"
        + _render(text, first.end, end, rest)
    )


def after_leading_title(text: str, title: str) -> int:
    """Where the text goes on after the title, when it opens with it (a plain
    text file's first line); 0 otherwise. The page shows the title once."""
    stripped = text.lstrip()
    if not (title and stripped.startswith(title)):
        return 0
    end = len(text) - len(stripped) + len(title)
    newlines = _NEWLINES.match(text, end)
    assert newlines is not None  # [\r\n]* matches anywhere, if only the empty string
    return newlines.end()  # and the blank lines after it


# Farthest a fragment's edge moves to reach a word boundary: text with no
# spaces (a CSV line, minified JSON) is cut mid-run rather than scanned to its end.
MAX_BOUNDARY_WALK = 40


def _word_start(text: str, index: int, limit: int) -> int:
    """Move ``index`` back to the start of the word it falls in (not past
    limit, nor more than MAX_BOUNDARY_WALK characters)."""
    limit = max(limit, index - MAX_BOUNDARY_WALK)
    while index > limit and not text[index - 1].isspace():
        index -= 1
    return index


def _word_end(text: str, index: int, limit: int) -> int:
    """Move ``index`` on to the end of the word it falls in (not past limit,
    nor more than MAX_BOUNDARY_WALK characters)."""
    limit = min(limit, index + MAX_BOUNDARY_WALK)
    while index < limit and not text[index].isspace():
        index += 1
    return index


def title_ranges(text: str, title: str) -> list[tuple[int, int]]:
    """Where the title is repeated in the text (the first MAX_TITLE_RANGES
    times): snippets leave those parts out."""
    ranges: list[tuple[int, int]] = []
    start = text.find(title) if title else -1
    while start != -1 and len(ranges) < MAX_TITLE_RANGES:
        ranges.append((start, start + len(title)))
        start = text.find(title, start + len(title))
    return ranges


def snippet_spans(
    spans: Iterable[Span], limit_per_term: int = MAX_SPANS_PER_TERM, limit: int = MAX_SNIPPET_SPANS
) -> list[Span]:
    """The spans a snippet chooses from, in order: the first ``limit_per_term``
    of each term, at most ``limit`` in all."""
    kept: list[Span] = []
    seen: dict[str, int] = {}
    for span in spans:
        count = seen.get(span.term, 0)
        if count < limit_per_term:
            seen[span.term] = count + 1
            kept.append(span)
            if len(kept) == limit:
                break
    return kept


class _Skips:
    """The ranges a snippet leaves out (sorted, apart), found by binary search."""

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        self.ranges = sorted(ranges)
        self.starts = [start for start, _ in self.ranges]

    def covers(self, span: Span) -> bool:
        at = bisect.bisect_right(self.starts, span.start) - 1
        return at >= 0 and span.end <= self.ranges[at][1]

    def bounds(self, span: Span, low: int, high: int) -> tuple[int, int]:
        """The room around ``span``: from the end of the nearest range before
        it to the start of the nearest range after it."""
        at = bisect.bisect_right(self.starts, span.start)
        before = at - 1
        while before >= 0 and self.ranges[before][1] > span.start:  # overlaps the span
            before -= 1
        if before >= 0:
            low = max(low, self.ranges[before][1])
        after = at
        while after < len(self.ranges) and self.ranges[after][0] < span.end:
            after += 1
        if after < len(self.ranges):
            high = min(high, self.ranges[after][0])
        return low, high


def _window(text: str, spans: list[Span], starts: list[int], anchor: int, skips: _Skips, size: int) -> Window:
    """A fragment of about ``size`` characters around spans[anchor], on word
    boundaries, kept clear of the skip ranges, and the spans inside it
    (``starts``: the spans' start offsets, for binary search)."""
    span = spans[anchor]
    low, high = skips.bounds(span, 0, len(text))
    start = _word_start(text, max(low, span.start - size // 4), low)
    end = _word_end(text, min(high, start + size), high)
    end = max(end, span.end)
    first = bisect.bisect_left(starts, start)
    last = bisect.bisect_right(starts, end)
    inside = [s for s in spans[first:last] if s.end <= end]
    return start, end, inside


def plain_snippet(text: str, skip: Iterable[tuple[int, int]] = ()) -> str:
    """The opening of the text, after a leading title, as a snippet: for a
    hit with no match to show (or no time left to find one)."""
    skip = sorted(skip)
    start = skip[0][1] if skip and skip[0][0] < SNIPPET_CHARS else 0
    spaces = _SPACES.match(text, start)
    assert spaces is not None  # \s* matches anywhere, if only the empty string
    start = spaces.end()
    end = _word_end(text, min(len(text), start + SNIPPET_CHARS), len(text))
    html = _compact(escape(text[start:end]))
    return (f"{ELLIPSIS} " if start else "") + html + (f" {ELLIPSIS}" if end < len(text) else "")


def _compact(html: str) -> str:
    return _SPACE.sub(" ", html).strip()


def _gain(window: Window, covered: Set[str]) -> tuple[int, int, int]:
    """Rank a fragment: new distinct terms first, then matches, then earliness."""
    terms = {s.term for s in window[2]}
    return (len(terms - covered), len(window[2]), -window[0])


def _choose_fragments(
    text: str, spans: list[Span], skips: _Skips, fragments: int, size: int
) -> tuple[list[Window], set[str]]:
    """Greedily pick up to ``fragments`` windows of ``size`` characters, each
    adding query terms the others do not show."""
    starts = [span.start for span in spans]
    windows = [_window(text, spans, starts, i, skips, size) for i in range(len(spans))]
    chosen: list[Window] = []
    covered: set[str] = set()
    while windows and len(chosen) < fragments:
        best = max(windows, key=partial(_gain, covered=frozenset(covered)))
        if chosen and _gain(best, covered)[0] == 0:
            break
        chosen.append(best)
        covered |= {s.term for s in best[2]}
        windows = [w for w in windows if w[1] <= best[0] or w[0] >= best[1]]
    return sorted(chosen), covered


def make_snippet(text: str, spans: Iterable[Span], skip: Sequence[tuple[int, int]] = ()) -> str:
    """HTML snippet of about SNIPPET_CHARS: one passage when one shows every
    matched term, else up to MAX_FRAGMENTS shorter ones that together show
    the most distinct terms, in document order, joined with an ellipsis; the
    opening text when there is no match. Text in the ``skip`` ranges (the
    title) is left out, and no word is cut. The cost is bounded whatever the
    number of matches (see snippet_spans)."""
    skips = _Skips(skip)
    spans = snippet_spans(span for span in spans if not skips.covers(span))
    if not spans:
        return plain_snippet(text, skip)
    every_term = {s.term for s in spans}
    chosen, covered = _choose_fragments(text, spans, skips, 1, SNIPPET_CHARS)
    if covered != every_term:
        # How many passages it takes to show the terms, then passages sized to share the length.
        needed = len(_choose_fragments(text, spans, skips, MAX_FRAGMENTS, SNIPPET_CHARS // MAX_FRAGMENTS)[0])
        chosen, _ = _choose_fragments(text, spans, skips, needed, SNIPPET_CHARS // needed)
    pieces = [(start, end, _compact(_render(text, start, end, inside))) for start, end, inside in chosen]
    html = f" {ELLIPSIS} ".join(piece for _, _, piece in pieces)
    if pieces[0][0] > 0:
        html = f"{ELLIPSIS} {html}"
    if pieces[-1][1] < len(text.rstrip()):
        html = f"{html} {ELLIPSIS}"
    return html

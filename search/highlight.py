"""Snippets and whole-document marking from token offsets.

Escape first, then mark: the text is HTML-escaped piece by piece and only
``<mark>`` is added, around each matched word exactly as it is written in
the document (article, clitics, diacritics and all).
"""

import re
from dataclasses import dataclass
from html import escape

from .analysis.analyzers import word_spans

SNIPPET_CHARS = 260
MAX_FRAGMENTS = 3
ELLIPSIS = "…"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    term: str


def find_spans(text, terms, analyzer):
    """Spans of the words of ``text`` whose analysed form is in ``terms``, in
    order, one per word (a word indexed under two stems is one span)."""
    spans = []
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


def _render(text, start, end, spans, first_id=None):
    """Escaped text[start:end] with each span in it wrapped in <mark>."""
    out, cursor = [], start
    for span in spans:
        if span.start < start or span.end > end:
            continue
        out.append(escape(text[cursor : span.start]))
        attribute = f' id="{first_id}"' if first_id and cursor == start and not out[:-1] else ""
        out.append(f"<mark{attribute}>{escape(text[span.start : span.end])}</mark>")
        cursor = span.end
    out.append(escape(text[cursor:end]))
    return "".join(out)


def mark_document(text, spans, start=0):
    """The text from ``start`` on, escaped, every span in it marked; the first
    mark carries ``id="first-match"`` so the page can scroll to it."""
    spans = [s for s in spans if s.start >= start]
    if not spans:
        return escape(text[start:])
    first, rest = spans[0], spans[1:]
    return (
        escape(text[start : first.start])
        + f'<mark id="first-match">{escape(text[first.start : first.end])}</mark>'
        + _render(text, first.end, len(text), rest)
    )


def after_leading_title(text, title):
    """Where the text goes on after the title, when it opens with it (a plain
    text file's first line); 0 otherwise. The page shows the title once."""
    stripped = text.lstrip()
    if not (title and stripped.startswith(title)):
        return 0
    end = len(text) - len(stripped) + len(title)
    while end < len(text) and text[end] in "\r\n":  # and the blank lines after it
        end += 1
    return end


def _word_start(text, index, limit):
    """Move ``index`` back to the start of the word it falls in (not past limit)."""
    while index > limit and not text[index - 1].isspace():
        index -= 1
    return index


def _word_end(text, index, limit):
    while index < limit and not text[index].isspace():
        index += 1
    return index


def title_ranges(text, title):
    """Where the title is repeated in the text: snippets leave those parts out."""
    ranges, start = [], text.find(title) if title else -1
    while start != -1:
        ranges.append((start, start + len(title)))
        start = text.find(title, start + len(title))
    return ranges


def _window(text, spans, anchor, skip, size):
    """A fragment of about ``size`` characters around spans[anchor], on word
    boundaries, kept clear of the ``skip`` ranges, and the spans inside it."""
    span = spans[anchor]
    low, high = 0, len(text)
    for skip_start, skip_end in skip:
        if skip_end <= span.start:
            low = max(low, skip_end)
        elif skip_start >= span.end:
            high = min(high, skip_start)
    start = _word_start(text, max(low, span.start - size // 4), low)
    end = _word_end(text, min(high, start + size), high)
    end = max(end, span.end)
    inside = [s for s in spans if s.start >= start and s.end <= end]
    return start, end, inside


def _plain_start(text, skip):
    start = skip[0][1] if skip and skip[0][0] < SNIPPET_CHARS else 0
    while start < len(text) and text[start].isspace():
        start += 1
    end = _word_end(text, min(len(text), start + SNIPPET_CHARS), len(text))
    html = _compact(escape(text[start:end]))
    return (f"{ELLIPSIS} " if start else "") + html + (f" {ELLIPSIS}" if end < len(text) else "")


def _compact(html):
    return _SPACE.sub(" ", html).strip()


def _gain(window, covered):
    """Rank a fragment: new distinct terms first, then matches, then earliness."""
    terms = {s.term for s in window[2]}
    return (len(terms - covered), len(window[2]), -window[0])


def _choose_fragments(text, spans, skip, fragments, size):
    """Greedily pick up to ``fragments`` windows of ``size`` characters, each
    adding query terms the others do not show."""
    windows = [_window(text, spans, i, skip, size) for i in range(len(spans))]
    chosen, covered = [], set()
    while windows and len(chosen) < fragments:
        best = max(windows, key=lambda window, covered=frozenset(covered): _gain(window, covered))
        if chosen and _gain(best, covered)[0] == 0:
            break
        chosen.append(best)
        covered |= {s.term for s in best[2]}
        windows = [w for w in windows if w[1] <= best[0] or w[0] >= best[1]]
    return sorted(chosen), covered


def make_snippet(text, spans, skip=()):
    """HTML snippet of about SNIPPET_CHARS: one passage when one shows every
    matched term, else up to MAX_FRAGMENTS shorter ones that together show
    the most distinct terms, in document order, joined with an ellipsis; the
    opening text when there is no match. Text in the ``skip`` ranges (the
    title) is left out, and no word is cut."""
    skip = sorted(skip)
    spans = [s for s in spans if not any(a <= s.start and s.end <= b for a, b in skip)]
    if not spans:
        return _plain_start(text, skip)
    every_term = {s.term for s in spans}
    chosen, covered = _choose_fragments(text, spans, skip, 1, SNIPPET_CHARS)
    if covered != every_term:
        # How many passages it takes to show the terms, then passages sized to share the length.
        needed = len(_choose_fragments(text, spans, skip, MAX_FRAGMENTS, SNIPPET_CHARS // MAX_FRAGMENTS)[0])
        chosen, _ = _choose_fragments(text, spans, skip, needed, SNIPPET_CHARS // needed)
    pieces = [(start, end, _compact(_render(text, start, end, inside))) for start, end, inside in chosen]
    html = f" {ELLIPSIS} ".join(piece for _, _, piece in pieces)
    if pieces[0][0] > 0:
        html = f"{ELLIPSIS} {html}"
    if pieces[-1][1] < len(text.rstrip()):
        html = f"{html} {ELLIPSIS}"
    return html

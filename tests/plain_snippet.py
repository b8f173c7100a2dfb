"""The snippet chooser computed the plain way, for tests: every window
tested against every span and every title repeat (quadratic), over every
match. search/highlight.py must give the same snippet over the matches it
keeps (highlight.snippet_spans)."""

from search.highlight import (
    ELLIPSIS,
    MAX_FRAGMENTS,
    SNIPPET_CHARS,
    _compact,
    _render,
    _word_end,
    _word_start,
    plain_snippet,
)


def _window(text, spans, anchor, skip, size):
    span = spans[anchor]
    low, high = 0, len(text)
    for skip_start, skip_end in skip:
        if skip_end <= span.start:
            low = max(low, skip_end)
        elif skip_start >= span.end:
            high = min(high, skip_start)
    start = _word_start(text, max(low, span.start - size // 4), low)
    end = max(_word_end(text, min(high, start + size), high), span.end)
    return start, end, [s for s in spans if s.start >= start and s.end <= end]


def _gain(window, covered):
    terms = {s.term for s in window[2]}
    return (len(terms - covered), len(window[2]), -window[0])


def _choose(text, spans, skip, fragments, size):
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


def plain_make_snippet(text, spans, skip=()):
    skip = sorted(skip)
    spans = [s for s in spans if not any(a <= s.start and s.end <= b for a, b in skip)]
    if not spans:
        return plain_snippet(text, skip)
    every_term = {s.term for s in spans}
    chosen, covered = _choose(text, spans, skip, 1, SNIPPET_CHARS)
    if covered != every_term:
        needed = len(_choose(text, spans, skip, MAX_FRAGMENTS, SNIPPET_CHARS // MAX_FRAGMENTS)[0])
        chosen, _ = _choose(text, spans, skip, needed, SNIPPET_CHARS // needed)
    pieces = [_compact(_render(text, start, end, inside)) for start, end, inside in chosen]
    html = f" {ELLIPSIS} ".join(pieces)
    if chosen[0][0] > 0:
        html = f"{ELLIPSIS} {html}"
    if chosen[-1][1] < len(text.rstrip()):
        html = f"{html} {ELLIPSIS}"
    return html

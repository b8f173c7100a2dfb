"""Named analyzers. The same analyzer indexes a field and parses queries on it:
Whoosh stores it in the schema and the query parser takes it from there.

``bilingual_analyzer`` is one fused analyzer: it gives exactly the tokens of
the filter chain ``BilingualTokenizer | NormalizeFilter | BilingualStopFilter
| LightStemFilter`` (``bilingual_chain``, kept as the reference), but walks the
words once and takes each word's analysis from a memo, with no generator per
filter. Tests hold the two equal on any text, in every mode.
"""

from __future__ import annotations

import itertools
from collections.abc import Generator, Iterator, Sequence
from functools import lru_cache
from typing import Any, Literal, overload

from whoosh.analysis import Analyzer, CompositeAnalyzer, Token

from .filters import (
    BilingualStopFilter,
    LightStemFilter,
    NormalizeFilter,
    index_stems_of,
    is_stopword,
    normalize_word,
    stem_word,
    stopword_key,
)
from .memo import PLAN_CACHE_SIZE, WORD_CACHE_SIZE
from .tokenizer import WORD_PATTERN, BilingualTokenizer, script_of

# One normalised word of a written word's plan: (stopped, index texts, query text).
PlanEntry = tuple[bool, tuple[str, ...], str]
# A written word's plan (_word_plan): (entries, kept index texts, terms).
WordPlan = tuple[tuple[PlanEntry, ...], tuple[tuple[str, ...], ...], tuple[str, ...]]
# A word's (start, end) in the text, by position (index_postings's spans).
Spans = list[tuple[int, int]]


def bilingual_chain(stopwords: bool = True, stem: bool = True) -> CompositeAnalyzer:
    """The analysis as a Whoosh filter chain: the reference the fused
    analyzer is tested against (and what indexes built before it hold)."""
    analyzer = BilingualTokenizer() | NormalizeFilter()
    if stopwords:
        analyzer = analyzer | BilingualStopFilter()
    if stem:
        analyzer = analyzer | LightStemFilter()
    return analyzer


def _word_plan(surface: str, script: str, stopwords: bool, stem: bool) -> WordPlan:
    """What one written word becomes: ``(entries, kept, terms)``.

    ``entries`` has one ``(stopped, index_texts, query_text)`` per word the
    surface normalises to (a ligature such as ﷺ gives several, a stray mark
    none); ``kept`` the index texts of the entries that are not stopwords;
    ``terms`` those flattened (the word's index terms, for highlighting).
    """
    normalized = normalize_word(surface, script)
    keys: Sequence[str] = stopword_key(surface, script).split() if stopwords else ()
    entries: list[PlanEntry] = []
    for i, word in enumerate(normalized.split()):
        stopped = stopwords and is_stopword(keys[i] if i < len(keys) else word, script)
        if stem:
            entries.append((stopped, tuple(index_stems_of(word, script)), stem_word(word, script)))
        else:
            entries.append((stopped, (word,), word))
    kept = tuple(texts for stopped, texts, _ in entries if not stopped)
    return tuple(entries), kept, tuple(text for texts in kept for text in texts)


class _PlanCache(dict[str, WordPlan]):
    """Surface word -> its plan under one configuration. The surface alone is
    the key: a word the tokenizer matched has its script in its first letter.
    Bounded: when full, the older half is dropped (news vocabulary is
    Zipfian: the frequent words are asked for again soon, and re-entered)."""

    __slots__ = ("stopwords", "stem", "limit")

    def __init__(self, stopwords: bool, stem: bool, limit: int) -> None:
        super().__init__()
        self.stopwords, self.stem, self.limit = stopwords, stem, limit

    def __missing__(self, surface: str) -> WordPlan:
        plan = _word_plan(surface, script_of(surface[0]), self.stopwords, self.stem)
        if len(self) >= self.limit:
            for old in list(itertools.islice(self, self.limit // 2)):
                self.pop(old, None)  # another thread may have dropped it already
        self[surface] = plan
        return plan


_PLANS: dict[tuple[bool, bool], _PlanCache] = {}


def _plans(stopwords: bool, stem: bool) -> _PlanCache:
    cache = _PLANS.get((stopwords, stem))
    if cache is None:
        cache = _PLANS[(stopwords, stem)] = _PlanCache(stopwords, stem, PLAN_CACHE_SIZE)
    return cache


class BilingualAnalyzer(Analyzer):
    """Arabic and English words, each normalised, (optionally) stop-filtered
    and (optionally) stemmed by its own script's rules; token for token what
    ``bilingual_chain`` gives (texts, positions, offsets, boosts, stopped
    marks), in index and query mode, with every Whoosh analyzer option."""

    def __init__(self, stopwords: bool = True, stem: bool = True) -> None:
        self.stopwords = bool(stopwords)
        self.stem = bool(stem)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(stopwords={self.stopwords}, stem={self.stem})"

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        no_morph: bool = False,
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            return self._whole(t, value, positions, chars, start_pos, start_char, mode)
        return self._words(t, value, positions, chars, keeporiginal, start_pos, start_char, mode)

    def _words(
        self,
        t: Token,
        value: str,
        positions: bool,
        chars: bool,
        keeporiginal: bool,
        start_pos: int,
        start_char: int,
        mode: str,
    ) -> Iterator[Token]:
        plans = _plans(self.stopwords, self.stem)
        query = mode == "query"
        pos = start_pos  # the next word's position: one per normalised word, stopwords included
        for match in WORD_PATTERN.finditer(value):
            surface = match.group()
            entries = plans[surface][0]
            if not entries:
                continue
            t.script = match.lastgroup
            if keeporiginal:
                t.original = surface
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            pos = yield from self._emit(t, entries, pos, positions, query)

    def _whole(
        self, t: Token, value: str, positions: bool, chars: bool, start_pos: int, start_char: int, mode: str
    ) -> Iterator[Token]:
        # tokenize=False: the whole value is one word (as the chain's tokenizer does it).
        script = script_of(value)
        t.original = value
        t.script = script
        if chars:
            t.startchar = start_char
            t.endchar = start_char + len(value)
        entries = _word_plan(value, script, self.stopwords, self.stem)[0]
        yield from self._emit(t, entries, start_pos, positions, mode == "query")

    def _emit(
        self, t: Token, entries: Sequence[PlanEntry], pos: int, positions: bool, query: bool
    ) -> Generator[Token, None, int]:
        """The tokens of one word's plan (``_word_plan`` entries), its first
        normalised word at position ``pos``; returns the next word's
        position. Every normalised word takes a position, a stopword too,
        so that the fields with and without stopwords number words alike."""
        for stopped, texts, query_text in entries:
            if stopped and t.removestops:
                pos += 1
                continue
            t.stopped = stopped
            if positions:
                t.pos = pos
            pos += 1
            if query:
                t.text = query_text
                yield t
            else:
                for text in texts:
                    t.text = text
                    yield t
        return pos

    @overload
    def index_postings(
        self, value: str, chars: Literal[False] = False, spans: Spans | None = None
    ) -> dict[str, list[int]]: ...

    @overload
    def index_postings(
        self, value: str, chars: Literal[True], spans: Spans | None = None
    ) -> dict[str, list[tuple[int, int, int]]]: ...

    def index_postings(
        self, value: str, chars: bool = False, spans: Spans | None = None
    ) -> dict[str, list[int]] | dict[str, list[tuple[int, int, int]]]:
        """``{term: [position, ...]}`` (with ``chars``: ``[(position, start,
        end), ...]``) of ``value`` at index time (without its stopwords, when
        it filters them): what
        Whoosh's Positions/Characters formats gather from this analyzer's
        tokens, without making the tokens. A ``spans`` list is filled with
        each position's ``(start, end)`` in ``value``, indexed by position."""
        return _index_postings(value, (_plans(self.stopwords, self.stem),), chars, spans)[0]

    def index_postings_with(
        self, other: BilingualAnalyzer, value: str, spans: Spans | None = None
    ) -> list[dict[str, list[int]]]:
        """``[index_postings of this analyzer, of other]`` over ``value`` in
        one pass over its words: the stemmed and exact-form fields of one
        text (the exact forms may keep the stopwords the stems drop; both
        number the words alike)."""
        if not isinstance(other, BilingualAnalyzer):
            raise ValueError(f"{other!r} is not a {type(self).__name__}")
        plans = (_plans(self.stopwords, self.stem), _plans(other.stopwords, other.stem))
        return _index_postings(value, plans, False, spans)


def _index_postings(
    value: str, plan_caches: Sequence[_PlanCache], chars: bool, spans: Spans | None
) -> list[dict[str, list[Any]]]:
    """The postings of ``value`` under each of ``plan_caches`` (analyzers
    over the same normalisation), walking its words once. Each normalised
    word takes the next position, whether a plan keeps it or not. The loop
    runs once per written word: it is the indexer's hottest, so it is kept
    flat."""
    # Each term's positions, or (with chars) its (position, start, end) triples.
    all_postings: list[dict[str, list[Any]]] = [{} for _ in plan_caches]
    pos = 0
    for match in WORD_PATTERN.finditer(value):
        word = match.group()
        start, end = match.start(), match.end()
        first = pos
        for plans, postings in zip(plan_caches, all_postings, strict=True):
            entries = plans[word][0]
            pos = first
            for stopped, texts, _ in entries:
                if not stopped:
                    item = (pos, start, end) if chars else pos
                    for text in texts:
                        found = postings.get(text)
                        if found is None:
                            postings[text] = [item]
                        else:
                            found.append(item)
                pos += 1
        if spans is not None and pos > first:
            spans.extend([(start, end)] * (pos - first))
    return all_postings


def bilingual_analyzer(stopwords: bool = True, stem: bool = True) -> BilingualAnalyzer:
    """Arabic and English words, each normalised, stop-filtered and stemmed
    by its own script's rules.

    >>> [t.text for t in bilingual_analyzer()("والانتخابات observers OSCE")]
    ['انتخاب', 'observ', 'osc']
    """
    return BilingualAnalyzer(stopwords=stopwords, stem=stem)


def surface_analyzer() -> BilingualAnalyzer:
    """Normalised surface forms, stopwords kept, no stemming: for exact-form
    matching."""
    return bilingual_analyzer(stopwords=False, stem=False)


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _terms_of_word(surface: str, script: str, stem: bool) -> tuple[str, ...]:
    """The index terms one written word gives, as the analyzer would."""
    return _word_plan(surface, script, True, stem)[2]


def _chain_stemming(analyzer: Analyzer) -> tuple[bool] | None:
    """``(stem,)`` for a stop-filtering chain of our filters
    (``bilingual_chain``), else None."""
    items = getattr(analyzer, "items", ())
    if not items or not isinstance(items[0], BilingualTokenizer):
        return None
    if not any(isinstance(item, BilingualStopFilter) for item in items):
        return None  # only the stop-filtering chains are shortcut here
    return (any(isinstance(item, LightStemFilter) for item in items),)


def word_spans(text: str, analyzer: Analyzer) -> Iterator[tuple[int, int, tuple[str, ...]]] | None:
    """``(start, end, terms)`` for every word of ``text``, the terms being the
    ones ``analyzer`` indexes it under; None when ``analyzer`` is not one of
    ours. Much faster than running the analyzer (no token objects, and
    per-word results memoised), for highlighting stored text."""
    if isinstance(analyzer, BilingualAnalyzer):
        plans = _plans(analyzer.stopwords, analyzer.stem)
        return ((match.start(), match.end(), plans[match.group()][2]) for match in WORD_PATTERN.finditer(text))
    config = _chain_stemming(analyzer)
    if config is None:
        return None
    stem = config[0]
    return (
        (match.start(), match.end(), _terms_of_word(match.group(), match.lastgroup, stem))
        for match in WORD_PATTERN.finditer(text)
    )

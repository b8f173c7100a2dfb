"""Named analyzers. The same analyzer indexes a field and parses queries on it:
Whoosh stores it in the schema and the query parser takes it from there."""

from functools import lru_cache

from .filters import (
    WORD_CACHE_SIZE,
    BilingualStopFilter,
    LightStemFilter,
    NormalizeFilter,
    index_stems_of,
    is_stopword,
    normalize_word,
    stopword_key,
)
from .tokenizer import WORD_PATTERN, BilingualTokenizer


def bilingual_analyzer(stopwords=True, stem=True):
    """Arabic and English words, each normalised, stop-filtered and stemmed
    by its own script's rules.

    >>> [t.text for t in bilingual_analyzer()("والانتخابات observers OSCE")]
    ['انتخاب', 'observ', 'osc']
    """
    analyzer = BilingualTokenizer() | NormalizeFilter()
    if stopwords:
        analyzer = analyzer | BilingualStopFilter()
    if stem:
        analyzer = analyzer | LightStemFilter()
    return analyzer


def surface_analyzer():
    """Normalised surface forms, no stemming: for exact-form matching."""
    return bilingual_analyzer(stem=False)


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _terms_of_word(surface, script, stem):
    """The index terms one written word gives, as the analyzer would."""
    terms = []
    normalized = normalize_word(surface, script)
    keys = stopword_key(surface, script).split()
    for i, word in enumerate(normalized.split()):
        if is_stopword(keys[i] if i < len(keys) else word, script):
            continue
        terms.extend(index_stems_of(word, script) if stem else (word,))
    return tuple(terms)


def word_spans(text, analyzer):
    """``(start, end, terms)`` for every word of ``text``, the terms being the
    ones ``analyzer`` indexes it under; None when ``analyzer`` is not one of
    ours. Much faster than running the analyzer (no token objects, and
    per-word results memoised), for highlighting stored text."""
    items = getattr(analyzer, "items", ())
    if not items or not isinstance(items[0], BilingualTokenizer):
        return None
    stem = any(isinstance(item, LightStemFilter) for item in items)
    if not any(isinstance(item, BilingualStopFilter) for item in items):
        return None  # only the stop-filtering analyzers are shortcut here
    return (
        (match.start(), match.end(), _terms_of_word(match.group(), match.lastgroup, stem))
        for match in WORD_PATTERN.finditer(text)
    )

"""Named analyzers. The same analyzer indexes a field and parses queries on it:
Whoosh stores it in the schema and the query parser takes it from there."""

from .filters import BilingualStopFilter, LightStemFilter, NormalizeFilter
from .tokenizer import BilingualTokenizer


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

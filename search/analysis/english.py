"""English stopwords and Snowball stemming."""

import threading
from functools import lru_cache

import Stemmer
from whoosh.analysis import STOP_WORDS

from .memo import WORD_CACHE_SIZE

# Whoosh's list (close to Lucene's), less "us", "may" and "tbd": "US" is a
# country in news text and "May" a month.
ENGLISH_STOPWORDS = frozenset(STOP_WORDS - {"us", "may", "tbd"})

_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    # PyStemmer objects are not thread-safe: one per thread.
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


@lru_cache(maxsize=WORD_CACHE_SIZE)
def english_stem(word: str) -> str:
    """Snowball (Porter2) English stem of a lowercased word.

    >>> english_stem("observers")
    'observ'
    """
    return _stemmer().stemWord(word)

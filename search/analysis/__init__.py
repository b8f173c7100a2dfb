"""The Arabic/English analyzer: pure text processing, no Flask, no index."""

from .analyzers import bilingual_analyzer, surface_analyzer
from .arabic import index_stems, light_stem, normalize_arabic, query_stem
from .english import english_stem
from .filters import is_stopword, normalize_word, stem_word, stopword_key
from .tokenizer import BilingualTokenizer, script_of

__all__ = [
    "BilingualTokenizer",
    "bilingual_analyzer",
    "english_stem",
    "index_stems",
    "is_stopword",
    "light_stem",
    "normalize_arabic",
    "normalize_word",
    "query_stem",
    "script_of",
    "stem_word",
    "stopword_key",
    "surface_analyzer",
]

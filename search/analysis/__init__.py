"""The Arabic/English analyzer: pure text processing, no Flask, no index."""

from .analyzers import bilingual_analyzer, surface_analyzer
from .arabic import light_stem, normalize_arabic
from .english import english_stem
from .filters import is_stopword, normalize_word, stem_word
from .tokenizer import BilingualTokenizer, script_of

__all__ = [
    "BilingualTokenizer",
    "bilingual_analyzer",
    "english_stem",
    "is_stopword",
    "light_stem",
    "normalize_arabic",
    "normalize_word",
    "script_of",
    "stem_word",
    "surface_analyzer",
]

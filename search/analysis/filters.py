"""Token filters that dispatch on each token's script (``t.script``)."""

import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

from whoosh.analysis import Filter, Token

from .arabic import ARABIC_STOPWORDS, index_stems, normalize_arabic, query_stem, stop_key
from .english import ENGLISH_STOPWORDS, english_stem
from .memo import WORD_CACHE_SIZE
from .tokenizer import ARABIC_SCRIPT


@lru_cache(maxsize=WORD_CACHE_SIZE)
def normalize_word(word: str, script: str) -> str:
    """The matching form of one word: Arabic normalisation, or NFKC + casefold."""
    if script == ARABIC_SCRIPT:
        return normalize_arabic(word)
    return unicodedata.normalize("NFKC", word).casefold()


@lru_cache(maxsize=WORD_CACHE_SIZE)
def stopword_key(word: str, script: str) -> str:
    """What a surface word is looked up in the stop list by."""
    if script == ARABIC_SCRIPT:
        return stop_key(word)
    return normalize_word(word, script)


def is_stopword(key: str, script: str) -> bool:
    """Whether a word's stop key (see stopword_key) is a stopword."""
    stoplist = ARABIC_STOPWORDS if script == ARABIC_SCRIPT else ENGLISH_STOPWORDS
    return key in stoplist


def stem_word(normalized: str, script: str) -> str:
    """The stem a query word is searched by."""
    if script == ARABIC_SCRIPT:
        return query_stem(normalized)
    return english_stem(normalized)


def index_stems_of(normalized: str, script: str) -> tuple[str, ...]:
    """The stems a document word is indexed under (one, or two for a leading waw)."""
    if script == ARABIC_SCRIPT:
        return index_stems(normalized)
    return (english_stem(normalized),)


class NormalizeFilter(Filter):
    """Normalise each word by its script; drop words that normalise to nothing
    (a stray diacritic or tatweel). A ligature of several words (ﷺ) gives
    one token per word, all with the ligature's offsets. Positions count the
    words given: one each, stopwords included (they are kept in the
    exact-form fields and dropped, leaving their place, in the stemmed ones)."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        pos: int | None = None
        for t in tokens:
            surface = t.text
            if t.positions and pos is None:
                pos = t.pos
            normalized = normalize_word(surface, t.script)
            keys = stopword_key(surface, t.script).split()
            for i, word in enumerate(normalized.split()):
                t.text = word
                t.stopkey = keys[i] if i < len(keys) else word
                if t.positions:
                    assert pos is not None  # taken from the first token, which has positions too
                    t.pos = pos
                    pos += 1
                yield t


class BilingualStopFilter(Filter):
    """Remove Arabic and English stopwords, leaving their positions empty
    (unlike Whoosh's StopFilter, which renumbers), so that a phrase matches
    the words it was written with; with ``removestops=False`` mark them
    instead."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for t in tokens:
            if not is_stopword(getattr(t, "stopkey", t.text), t.script):
                t.stopped = False
                yield t
            elif not t.removestops:
                t.stopped = True
                yield t


class LightStemFilter(Filter):
    """Arabic light stemming or Snowball English stemming, by script. At
    index time a word may give two stems at the same position (see
    arabic.index_stems); a query word always gives one."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for t in tokens:
            if t.mode == "query":
                t.text = stem_word(t.text, t.script)
                yield t
                continue
            for stem in index_stems_of(t.text, t.script):
                t.text = stem
                yield t

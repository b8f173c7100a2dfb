"""A query's words, analysed once: the plan every pass of a search reads
(the engine's, the rewrites', the suggestion's, names across scripts'), and
what ``explain=1`` shows of it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .filters import is_stopword, normalize_word, stem_word, stopword_key
from .tokenizer import BilingualTokenizer

QUERY_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
QUERY_FIELDS = frozenset({"title", "body"})
# Query texts whose plans are kept: a request looks at its text from several
# passes, and the same texts come back (the page's links, popular queries).
PLANS_KEPT = 4096


@dataclass(frozen=True)
class QueryWord:
    surface: str
    script: str  # "ar" or "latin"
    start: int
    end: int
    normalized: str
    stopword: bool
    stem: str | None  # None for a stopword


@dataclass(frozen=True)
class QueryPlan:
    text: str
    words: tuple[QueryWord, ...]


@lru_cache(maxsize=PLANS_KEPT)
def plan_query(text: str) -> QueryPlan:
    """The QueryPlan of ``text``: its words (less operators and field names)
    with their offsets, normalised forms, stop marks and stems."""
    words = []
    for t in BilingualTokenizer()(text, chars=True):
        if t.text in QUERY_OPERATORS:
            continue
        if t.text in QUERY_FIELDS and text[t.endchar : t.endchar + 1] == ":":
            continue
        normalized = normalize_word(t.text, t.script)
        stopword = is_stopword(stopword_key(t.text, t.script), t.script)
        stem = None if stopword else stem_word(normalized, t.script)
        words.append(QueryWord(t.text, t.script, t.startchar, t.endchar, normalized, stopword, stem))
    return QueryPlan(text, tuple(words))


def query_words(text: str) -> list[tuple[str, str, int, int]]:
    """The words of a query with their offsets: ``[(word, script, start, end)]``."""
    return [(w.surface, w.script, w.start, w.end) for w in plan_query(text).words]


def content_words(text: str) -> list[tuple[str, str, int, int]]:
    """query_words less the function words (stopwords): the words a typo
    correction may replace (a function word is a real word, not a typo)."""
    return [(w.surface, w.script, w.start, w.end) for w in plan_query(text).words if not w.stopword]


def explain_words(text: str) -> list[dict[str, str | bool | None]]:
    """One entry per query word: its normalised form, its stem, and whether
    it is dropped as a stopword.

    >>> explain_words("الانتخابات في")[0]["stem"]
    'انتخاب'
    """
    return [
        {
            "word": w.surface,
            "script": "arabic" if w.script == "ar" else "latin",
            "normalized": w.normalized,
            "stem": w.stem,
            "stopword": w.stopword,
        }
        for w in plan_query(text).words
    ]

"""What analysis does to each word of a query, for ``explain=1``."""

from .filters import is_stopword, normalize_word, stem_word, stopword_key
from .tokenizer import BilingualTokenizer

QUERY_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
QUERY_FIELDS = frozenset({"title", "body"})


def query_words(text):
    """The words of a query with their offsets, less operators and field
    names: ``[(word, script, start, end)]``."""
    words = []
    for t in BilingualTokenizer()(text, chars=True):
        if t.text in QUERY_OPERATORS:
            continue
        if t.text in QUERY_FIELDS and text[t.endchar : t.endchar + 1] == ":":
            continue
        words.append((t.text, t.script, t.startchar, t.endchar))
    return words


def explain_words(text):
    """One entry per query word: its normalised form, its stem, and whether
    it is dropped as a stopword.

    >>> explain_words("الانتخابات في")[0]["stem"]
    'انتخاب'
    """
    entries = []
    for word, script, _, _ in query_words(text):
        normalized = normalize_word(word, script)
        stopword = is_stopword(stopword_key(word, script), script)
        entries.append(
            {
                "word": word,
                "script": "arabic" if script == "ar" else "latin",
                "normalized": normalized,
                "stem": None if stopword else stem_word(normalized, script),
                "stopword": stopword,
            }
        )
    return entries

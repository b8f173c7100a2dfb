"""Did-you-mean: a corrected query built from the index's own vocabulary.

Candidates are the normalised surface forms in the exact field within a small
edit distance of a query word that the index does not know. They are ranked
by an edit cost that knows how Arabic is mistyped: letters that sound alike
or sit on neighbouring keys substitute cheaply, and a doubled letter or a
dropped long vowel or hamza costs half an edit.
"""

import pyarabic.araby as araby

from .analysis import normalize_word, script_of, stem_word
from .analysis.explain import query_words

SUGGEST_BELOW = 3  # a query with fewer results than this gets a suggestion
MIN_WORD_CHARS = 4
MAX_WORD_CHARS = 30  # nothing longer is a misspelt word; and it would be slow
# A query with more unknown words than this is not a typo; no suggestion.
MAX_UNKNOWN_WORDS = 3

CONFUSABLE_GROUPS = ("ضظد", "ذدز", "سصث", "تطث", "قكغ", "حهخ", "اءي", "وء", "عغء", "aeiou", "ckq", "sz")
_CONFUSABLE = {(a, b) for group in CONFUSABLE_GROUPS for a in group for b in group if a != b}
CHEAP_TO_DROP = set("اويء") | {"h"}


def max_edits(word):
    """Allowed edits for a word: none below four letters, one up to seven, two from eight."""
    if not MIN_WORD_CHARS <= len(word) <= MAX_WORD_CHARS:
        return 0
    return 1 if len(word) < 8 else 2


def _indel_cost(word, i):
    char = word[i]
    doubled = (i > 0 and word[i - 1] == char) or (i + 1 < len(word) and word[i + 1] == char)
    return 0.5 if doubled or char in CHEAP_TO_DROP else 1.0


def edit_cost(typed, known):
    """Weighted Damerau-Levenshtein distance from ``typed`` to ``known``.

    >>> edit_cost("كازاخستتان", "كازاخستان")
    0.5
    >>> edit_cost("elecions", "elections")
    1.0
    """
    rows, cols = len(typed) + 1, len(known) + 1
    d = [[0.0] * cols for _ in range(rows)]
    for i in range(1, rows):
        d[i][0] = d[i - 1][0] + _indel_cost(typed, i - 1)
    for j in range(1, cols):
        d[0][j] = d[0][j - 1] + _indel_cost(known, j - 1)
    for i in range(1, rows):
        for j in range(1, cols):
            a, b = typed[i - 1], known[j - 1]
            substitution = 0.0 if a == b else (0.5 if (a, b) in _CONFUSABLE else 1.0)
            d[i][j] = min(
                d[i - 1][j] + _indel_cost(typed, i - 1),
                d[i][j - 1] + _indel_cost(known, j - 1),
                d[i - 1][j - 1] + substitution,
            )
            if i > 1 and j > 1 and a == known[j - 2] and typed[i - 2] == b:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 0.75)
    return d[-1][-1]


def is_known(reader, word):
    """Whether the index has the word, as a stem or as a normalised form."""
    script = script_of(word)
    normalized = normalize_word(word, script)
    if not normalized:
        return False
    stem = stem_word(normalized, script)
    return any(
        reader.doc_frequency(field, term)
        for field, term in (("body", stem), ("title", stem), ("body_exact", normalized))
        if field in reader.schema
    )


def best_correction(reader, word, script, field="body_exact"):
    """The index word closest to ``word`` (cheapest edit, then most documents), or None."""
    normalized = normalize_word(word, script)
    edits = max_edits(normalized)
    if not edits or field not in reader.schema:
        return None
    candidates = []
    for term in reader.terms_within(field, normalized, edits, prefix=0):
        term = term.decode("utf-8") if isinstance(term, bytes) else term
        cost = edit_cost(normalized, term)
        if term != normalized and cost <= edits:
            candidates.append((cost, -reader.doc_frequency(field, term), term))
    return min(candidates)[2] if candidates else None


def display_form(searcher, term, field="body_exact"):
    """How ``term`` (a normalised form) is written in a document that has it,
    without diacritics or tatweel, so a suggestion reads naturally."""
    from whoosh.query import Term

    analyzer = searcher.schema[field].analyzer
    for hit in searcher.search(Term(field, term), limit=1):
        text = hit["body"]
        for t in analyzer(text, chars=True):
            if t.text == term:
                return araby.strip_tatweel(araby.strip_tashkeel(text[t.startchar : t.endchar]))
    return term


def correct_query(searcher, text):
    """The query with each unknown word replaced by its best correction, or
    None when there is nothing to correct."""
    reader = searcher.reader()
    unknown = [w for w in query_words(text) if not is_known(reader, w[0])]
    if len(unknown) > MAX_UNKNOWN_WORDS:
        return None
    pieces, cursor, changed = [], 0, False
    for word, script, start, end in unknown:
        correction = best_correction(reader, word, script)
        if correction is None:
            continue
        pieces.append(text[cursor:start])
        pieces.append(display_form(searcher, correction))
        cursor, changed = end, True
    if not changed:
        return None
    pieces.append(text[cursor:])
    return "".join(pieces)

"""Did-you-mean: a corrected query built from the index's own vocabulary.

Candidates are the normalised surface forms in the exact field within a small
edit distance of a query word that the index does not know. They are ranked
by an edit cost that knows how Arabic is mistyped: letters that sound alike
or sit on neighbouring keys substitute cheaply, and a doubled letter or a
dropped long vowel or hamza costs half an edit.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING

import pyarabic.araby as araby
from cachetools import LRUCache
from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh.query import Term

from .analysis import normalize_word, script_of, stem_word
from .analysis.explain import content_words
from .index_identity import reader_version
from .postings.evaluate import Evaluator, top_documents
from .stored_spans import offsets_by_doc

if TYPE_CHECKING:
    from .deadline import Deadline
    from .postings.view import Reader, Searcher

SUGGEST_BELOW = 3  # a query with fewer results than this gets a suggestion
MIN_WORD_CHARS = 4
MAX_WORD_CHARS = 30  # nothing longer is a misspelt word; and it would be slow
# A query with more unknown words than this is not a typo; no suggestion.
MAX_UNKNOWN_WORDS = 3
CLOSEST_MEMO_SIZE = 4096  # corrections remembered per index version

CONFUSABLE_GROUPS = ("ضظد", "ذدز", "سصث", "تطث", "قكغ", "حهخ", "اءي", "وء", "عغء", "aeiou", "ckq", "sz")
_CONFUSABLE = {(a, b) for group in CONFUSABLE_GROUPS for a in group for b in group if a != b}
CHEAP_TO_DROP = set("اويء") | {"h"}


def max_edits(word: str) -> int:
    """Allowed edits for a word: none below four letters, one up to seven, two from eight."""
    if not MIN_WORD_CHARS <= len(word) <= MAX_WORD_CHARS:
        return 0
    return 1 if len(word) < 8 else 2


def _indel_cost(word: str, i: int) -> float:
    char = word[i]
    doubled = (i > 0 and word[i - 1] == char) or (i + 1 < len(word) and word[i + 1] == char)
    return 0.5 if doubled or char in CHEAP_TO_DROP else 1.0


def edit_cost(typed: str, known: str) -> float:
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


def is_known(reader: Reader, word: str) -> bool:
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


class Vocabulary:
    """A field's words, grouped by length, for finding the ones within a few
    edits of a word: rapidfuzz's C++ edit distance over the words of nearby
    lengths, instead of walking Whoosh's term dictionary with a Levenshtein
    automaton in Python (tenths of a second per word, more as the index grows).
    The distance is Damerau's (optimal string alignment), so a swap of two
    neighbouring letters is one edit."""

    def __init__(self, reader: Reader, field: str) -> None:
        self._reader, self._field = reader, field
        # For posting files without shape groups, built on first use.
        self._by_length: dict[int, list[str]] | None = None
        self._closest: LRUCache[str, str | None] = LRUCache(maxsize=CLOSEST_MEMO_SIZE)
        self._lock = threading.Lock()  # the memo, for threaded servers

    def _words_of_length(self, length: int) -> Sequence[str]:
        with self._lock:
            if self._by_length is None:
                by_length: defaultdict[int, list[str]] = defaultdict(list)
                for term in self._reader.lexicon(self._field):
                    word = term.decode("utf-8") if isinstance(term, bytes) else term
                    by_length[len(word)].append(word)
                self._by_length = dict(by_length)
        return self._by_length.get(length, ())

    def near(self, word: str, edits: int) -> list[tuple[str, int]]:
        """``[(word, distance)]`` of the words at most ``edits`` edits from
        ``word`` (itself included, at distance 0): the candidates the posting
        store's letter groups allow (no copy of the vocabulary), or, for
        older posting files, the words of nearby lengths."""
        near = getattr(self._reader, "terms_near", None)
        candidates = near(self._field, word, edits) if near else None
        groups: list[Sequence[str]]
        if candidates is not None:
            groups = [sorted(candidates)]
        else:
            groups = [self._words_of_length(length) for length in range(len(word) - edits, len(word) + edits + 1)]
        found: list[tuple[str, int]] = []
        for choices in groups:
            if choices:
                matches = process.extract(word, choices, scorer=OSA.distance, score_cutoff=edits, limit=None)
                found += [(choice, distance) for choice, distance, _ in matches]
        return found

    def within(self, word: str, edits: int) -> list[str]:
        """The words at most ``edits`` edits from ``word`` (itself included)."""
        return [choice for choice, _ in self.near(word, edits)]

    def closest(self, word: str, edits: int, doc_frequency: Callable[[str], int]) -> str | None:
        """The word cheapest to reach from ``word`` by ``edit_cost`` (at most
        ``edits``), then the one in most documents; None when there is none.
        Remembered, as one request may ask for the same word several times."""
        with self._lock:
            if word in self._closest:
                return self._closest[word]
        candidates = [
            (cost, -doc_frequency(term), term)
            for term in self.within(word, edits)
            if term != word and (cost := edit_cost(word, term)) <= edits
        ]
        best = min(candidates)[2] if candidates else None
        with self._lock:
            self._closest[word] = best
        return best


VERSIONS_KEPT = 2
# index version -> {field: Vocabulary}; the live index and the one before
_vocabularies: LRUCache[Hashable, dict[str, Vocabulary]] = LRUCache(maxsize=VERSIONS_KEPT)
_vocabularies_lock = threading.Lock()


def vocabulary(reader: Reader, field: str) -> Vocabulary:
    """The Vocabulary of ``field`` in this reader's index, built once per
    index version and field (did-you-mean asks for one field, typo
    tolerance for four: the vocabularies of the last two versions are kept
    whatever their fields)."""
    version = reader_version(reader)
    with _vocabularies_lock:
        fields = _vocabularies.get(version)
        if fields is None:
            fields = _vocabularies[version] = {}
        found = fields.get(field)
        if found is None:
            found = fields[field] = Vocabulary(reader, field)
        return found


def best_correction(reader: Reader, word: str, script: str, field: str = "body_exact") -> str | None:
    """The index word closest to ``word`` (cheapest edit, then most documents), or None."""
    normalized = normalize_word(word, script)
    edits = max_edits(normalized)
    if not edits or field not in reader.schema:
        return None
    return vocabulary(reader, field).closest(normalized, edits, lambda term: reader.doc_frequency(field, term))


def display_form(searcher: Searcher, term: str, field: str = "body_exact") -> str:
    """How ``term`` (a normalised form) is written in a document that has it,
    without diacritics or tatweel, so a suggestion reads naturally."""
    store = searcher.store
    found = Evaluator(store).matches(Term(field, term))
    if not len(found):
        return term
    # The best-ranked document that has the word, as a search for it ranks them.
    docnum = int(found.docs[top_documents(found, 1)[0]])
    text = searcher.stored_fields(docnum)["body"]
    offsets = offsets_by_doc(store, field, [term], [docnum], [text], limit_per_term=1)[docnum]
    if not offsets:
        return term
    start = min(offsets)
    return araby.strip_tatweel(araby.strip_tashkeel(text[start : offsets[start][0]]))


def correct_query(searcher: Searcher, text: str, deadline: Deadline | None = None) -> str | None:
    """The query with each unknown word replaced by its best correction, or
    None when there is nothing to correct (or, with a ``deadline``, no time
    left to finish it)."""
    reader = searcher.reader()
    unknown = [w for w in content_words(text) if not is_known(reader, w[0])]
    if len(unknown) > MAX_UNKNOWN_WORDS:
        return None
    pieces: list[str] = []
    cursor, changed = 0, False
    for word, script, start, end in unknown:
        if deadline is not None and not deadline.left():
            return None
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

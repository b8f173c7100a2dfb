"""Which Latin words are names, by the documents' evidence.

Precision comes first: a Latin word is a name when most (more than half)
of its mentions in the documents are capitalised in mid-sentence (the
``names`` field holds one token per such mention: ``names_in``, run on a
document's text when it is indexed), or when the index does not know it and
the reader typed it capitalised; an Arabic word's Latin matches must be
such names. The rest of this module reads that evidence from a reader (its
``frequency`` in the ``names`` and ``body_exact`` fields).

Nothing here imports Whoosh, the index or the query side: the indexer's
schema (search/schema.py, ``names_in``), the tables (search/names/tables.py)
and search/places.py (``name_share``) use it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the hints only: nothing of Whoosh or the index is loaded
    from whoosh.reading import IndexReader

    from ..postings.view import Reader

NAME_RATIO = 0.5  # share of a word's mentions written capitalised mid-sentence must exceed this
BIGRAM_JOINER = "_"  # two capitalised words in a row, one token of the names field

# A capitalised Latin word that does not open a sentence or a line.
_MID_SENTENCE_NAME = re.compile(r"(?<=[^\s.!?؟:\n])[ \t(\"'«—-]+([A-ZÀ-Þ][A-Za-zß-ÿ]+)")
_NEXT_CAPITALISED = re.compile(r" ([A-ZÀ-Þ][A-Za-zß-ÿ]+)")
# A capitalised word that opens a sentence or a line: no evidence either way.
_SENTENCE_START = re.compile(r"(?:^|[.!?؟:\n])[ \t(\"'«—-]*([A-ZÀ-Þ][A-Za-zß-ÿ]+)", re.MULTILINE)
SENTENCE_START = "^"  # marks the names field's tokens for those


def names_in(text: str) -> str:
    """The ``names`` field: one token per mention of a Latin word written
    capitalised in mid-sentence, so that a name's share of capitalised
    mentions can be counted; one (joined by ``_``) per two such words in a
    row (Abu Dhabi); and one (marked ``^``) per capitalised word opening a
    sentence, which says nothing either way.

    >>> names_in("Biden met Tokayev in Abu Dhabi.")
    '^biden abu abu_dhabi dhabi tokayev'
    """
    tokens = [SENTENCE_START + word.lower() for word in _SENTENCE_START.findall(text)]
    for match in _MID_SENTENCE_NAME.finditer(text):
        word = match.group(1).lower()
        tokens.append(word)
        following = _NEXT_CAPITALISED.match(text, match.end())
        if following:
            tokens.append(word + BIGRAM_JOINER + following.group(1).lower())
    return " ".join(sorted(tokens))


NAME, WEAK_NAME = "name", "weak"


def name_share(reader: Reader | IndexReader, normalized: str) -> float | None:
    """The share of a Latin word's mentions the documents write capitalised in
    mid-sentence, of those not opening a sentence; None when there are none
    (the index does not know the word, or only at a sentence's start)."""
    seen = reader.frequency("body_exact", normalized) - reader.frequency("names", SENTENCE_START + normalized)
    return min(1.0, reader.frequency("names", normalized) / seen) if seen > 0 else None


def name_evidence(reader: Reader | IndexReader, normalized: str, typed_capitalised: bool = False) -> str | None:
    """NAME when most of a Latin word's mentions are capitalised mid-sentence;
    WEAK_NAME when the documents say nothing either way and the reader typed
    it capitalised (or, for index words, ``typed_capitalised`` is True to
    ask whether it could be one); else None."""
    share = name_share(reader, normalized)
    if share is None:
        return WEAK_NAME if typed_capitalised else None
    return NAME if share > NAME_RATIO else None


def is_name(reader: Reader | IndexReader, normalized: str, typed_capitalised: bool) -> bool:
    """Whether a Latin word is a name by the index's evidence (or, with none,
    because the reader typed it capitalised)."""
    return name_evidence(reader, normalized, typed_capitalised) is not None


def _evidence(reader: Reader | IndexReader, name: str, typed_capitalised: bool) -> str | None:
    """name_evidence of one Latin word, or of two (with a space)."""
    if " " in name:
        if reader.frequency("names", name.replace(" ", BIGRAM_JOINER)):
            return NAME
        return WEAK_NAME if typed_capitalised else None
    return name_evidence(reader, name, typed_capitalised)

"""Matched words read from the word offsets in the posting store.

The store keeps, for every document, where each word position of its body
starts and how long the word is (search/postings). Marking a page of hits
then needs one positions lookup per query term, instead of re-analysing
every hit's text (Lucene's offsets-in-postings highlighter works the same
way). ``body`` and ``body_exact`` share positions: every word is numbered,
a stopword too (only the exact forms hold it). The spans equal the ones ``highlight.find_spans`` gets by
analysis; the tests hold the two side by side.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .analysis.tokenizer import WORD_PATTERN
from .highlight import Span, find_spans
from .postings.arrays import members
from .postings.build import MAX_STORED_WORD_CHARS

if TYPE_CHECKING:
    from whoosh.analysis import Analyzer

    from .postings.reader import IndexPostings

# Where matched words are in one document: {start: (end, {the query terms it matched})}.
Offsets = dict[int, tuple[int, set[str]]]


def _first_of_each_row(rows: np.ndarray, positions: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``limit`` positions of each row (rows ascending, as
    TermPostings.positions gives them)."""
    if len(rows) <= limit:
        return rows, positions
    row_starts = np.flatnonzero(np.diff(rows, prepend=-1))
    rank = np.arange(len(rows)) - np.repeat(row_starts, np.diff(np.append(row_starts, len(rows))))
    keep = rank < limit
    return rows[keep], positions[keep]


def offsets_by_doc(
    store: IndexPostings,
    fieldname: str,
    terms: Iterable[str],
    docnums: Sequence[int],
    texts: Sequence[str],
    limit_per_term: int | None = None,
) -> dict[int, Offsets]:
    """``{docnum: {start: (end, {terms})}}``: where each of ``terms`` occurs
    in ``fieldname`` of each of ``docnums`` (whose body texts are ``texts``);
    with ``limit_per_term``, only its first occurrences in each document."""
    found: dict[int, Offsets] = {docnum: {} for docnum in docnums}
    wanted = np.array(sorted(found), dtype=np.int64)
    text_of = dict(zip(docnums, texts, strict=True))
    words: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # docnum -> its word starts and lengths
    for term in terms:
        postings = store.term(fieldname, term)
        if not postings.doc_frequency or not len(wanted):
            continue
        holding = wanted[members(wanted, postings.docs)]
        if not len(holding):
            continue
        rows, positions = postings.positions(holding)
        if limit_per_term is not None:
            rows, positions = _first_of_each_row(rows, positions, limit_per_term)
        bounds = np.searchsorted(rows, np.arange(len(holding) + 1))
        for row, docnum in enumerate(holding.tolist()):
            if docnum not in words:
                words[docnum] = store.word_spans(docnum)
            starts, lengths = words[docnum]
            mine = positions[bounds[row] : bounds[row + 1]]
            mine = mine[mine < len(starts)]
            offsets = found[docnum]
            for start, length in zip(starts[mine].tolist(), lengths[mine].tolist(), strict=True):
                if length >= MAX_STORED_WORD_CHARS:  # a word longer than the stored length
                    match = WORD_PATTERN.match(text_of[docnum], start)
                    length = match.end() - start if match else length
                entry = offsets.get(start)
                if entry is None:
                    offsets[start] = (start + length, {term})
                else:
                    entry[1].add(term)
    return found


def spans_at(text: str, offsets: Mapping[int, tuple[int, set[str]]], analyzer: Analyzer) -> list[Span]:
    """Spans, in order, from one document's ``{start: (end, {terms})}``. A
    word indexed under several matched terms (a leading waw's two stems, a
    ligature's words) is one span, named by the term the analyzer gives first,
    as ``find_spans`` names it."""
    spans: list[Span] = []
    for start in sorted(offsets):
        end, terms = offsets[start]
        if len(terms) == 1:
            (term,) = terms
        else:
            # Rare: let the analyzer name it, over this one word.
            named = find_spans(text[start:end], terms, analyzer)
            term = named[0].term if named else min(terms)
        spans.append(Span(start, end, term))
    return spans

"""Phrase matching by position arithmetic.

Whoosh's phrase query (``SpanNear2``, ordered, ``mindist=1``) grows a span
word by word: the next word must stand after the span's end, at most
``slop`` positions on (slop 1: right after it). Here every candidate
document's spans are arrays of (row, start, end), and each next word joins
them by key lookups, one per allowed distance: no loop over documents or
positions in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .arrays import members as _members

if TYPE_CHECKING:
    from .reader import TermPostings

# Keys pack (candidate row, position) into one integer.
_ROW = np.int64(1) << np.int64(32)


def phrase_documents(candidates: np.ndarray, postings: Sequence[TermPostings], slop: int) -> npt.NDArray[np.bool_]:
    """A boolean mask over ``candidates`` (sorted global document numbers,
    each holding every word): the documents where the words of ``postings``
    (TermPostings, in phrase order) stand as a phrase."""
    slop = max(1, int(slop))
    rows, positions = postings[0].positions(candidates)
    starts, ends = positions, positions
    for word in postings[1:]:
        if not len(rows):
            break
        next_rows, next_positions = word.positions(candidates)
        # Sorted and unique already: rows ascend, and a document's positions ascend.
        next_keys = next_rows * _ROW + next_positions
        grown_rows: list[np.ndarray] = []
        grown_starts: list[np.ndarray] = []
        grown_ends: list[np.ndarray] = []
        for distance in range(1, slop + 1):
            found = _members(rows * _ROW + ends + distance, next_keys)
            if found.any():
                grown_rows.append(rows[found])
                grown_starts.append(starts[found])
                grown_ends.append(ends[found] + distance)
        if not grown_rows:
            rows = rows[:0]
            break
        rows = np.concatenate(grown_rows)
        starts = np.concatenate(grown_starts)
        ends = np.concatenate(grown_ends)
        if slop > 1:  # several ways to the same span count once
            spans = np.unique(np.stack([rows, starts, ends]), axis=1)
            rows, starts, ends = spans
    keep = np.zeros(len(candidates), dtype=bool)
    keep[rows] = True
    return keep

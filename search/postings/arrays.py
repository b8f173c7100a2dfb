"""Set operations on sorted arrays of unique integers (document numbers,
packed positions), without the sorts and hash tables of numpy's general
``unique`` and ``isin``: every input here is sorted already."""

import numpy as np
import numpy.typing as npt


def members(keys: np.ndarray, sorted_keys: np.ndarray) -> npt.NDArray[np.bool_]:
    """Which of ``keys`` are in ``sorted_keys`` (ascending, unique): one
    binary search each."""
    if not len(sorted_keys):
        return np.zeros(len(keys), dtype=bool)
    at = np.searchsorted(sorted_keys, keys)
    at[at == len(sorted_keys)] = 0
    return sorted_keys[at] == keys


def sum_by_document(docs: np.ndarray, scores: np.ndarray, doc_count: int) -> tuple[np.ndarray, np.ndarray]:
    """``(unique docs, summed scores)`` of possibly repeated ``docs``: by a
    dense count over every document number when the input is large for the
    index (two passes, no sort), by sorting when it is small."""
    if len(docs) * 16 >= doc_count:
        present = np.bincount(docs, minlength=doc_count) > 0
        totals = np.bincount(docs, weights=scores, minlength=doc_count)
        unique = np.flatnonzero(present)
        return unique, totals[unique]
    unique, inverse = np.unique(docs, return_inverse=True)
    return unique, np.bincount(inverse, weights=scores, minlength=len(unique))

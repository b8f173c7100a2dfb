"""BM25F as Whoosh 2.7 scores it (``whoosh.scoring.BM25F``), over arrays.

Robertson and Zaragoza, "The Probabilistic Relevance Framework: BM25 and
Beyond" (2009), per field, with Whoosh's choices kept so that rankings do not
move when the posting loop leaves Whoosh:

- idf = log(N / (df + 1)) + 1, N counting deleted documents not yet merged
  away, df counting their postings (Lucene and Whoosh both do);
- a term's weight in a document is its frequency times the field's boost;
- a document's field length is stored by Whoosh as one byte, a logarithmic
  approximation (``whoosh.util.numeric.length_to_byte``); the score uses the
  length that byte stands for, and the average is the exact total over N.
"""

from math import log

import numpy as np
import numpy.typing as npt
from whoosh.util.numeric import byte_to_length

K1 = 1.2
B = 0.75
# The lengths one length byte stands for, by byte.
_BYTE_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
_MAX_EXACT_LENGTH = byte_to_length(255)


def idf(doc_count: int, doc_frequency: int) -> float:
    return log(doc_count / (doc_frequency + 1)) + 1


def quantised_lengths(lengths: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """The field lengths a score sees: each length rounded up to the next one
    a length byte can stand for (``length_to_byte`` then ``byte_to_length``)."""
    lengths = np.asarray(lengths, dtype=np.float64)
    byte = np.searchsorted(_BYTE_LENGTHS, np.minimum(lengths, _MAX_EXACT_LENGTH), side="left")
    return _BYTE_LENGTHS[byte]


def term_scores(
    weights: np.ndarray, lengths: np.ndarray, idf_value: float, average_length: float, k1: float = K1, b: float = B
) -> np.ndarray:
    """BM25 of one term in one field, for arrays of the documents' weights
    (frequency times field boost) and quantised field lengths."""
    return idf_value * (weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths / average_length))

"""Near-duplicates: the same story saved from several sites, folded into one group.

How this is usually done (Broder 1997, "On the resemblance and containment
of documents"; Manber's and Heintze's fingerprinting before it; the web
crawlers' near-duplicate filters after it): a document is the set of its
*shingles*, the runs of k consecutive words; two documents resemble each
other by the Jaccard similarity of those sets (shared shingles over all
shingles). A MinHash keeps, for each of n random permutations of the
shingle space, the smallest permuted value of the set; two MinHashes agree
at a position with probability equal to the Jaccard similarity, so the
share of agreeing positions estimates it (standard error sqrt(J(1-J)/n)).
To avoid comparing every pair, locality-sensitive hashing (Indyk and
Motwani 1998; the banding of Mining of Massive Datasets, ch. 3) cuts the n
values into b bands of r rows: documents that agree on a whole band share a
bucket, and only those pairs are candidates. A pair of similarity s shares
some band with probability 1 - (1 - s^r)^b, an S-curve. Candidates are then
confirmed with the estimate itself (a shared band alone is not enough), and
confirmed pairs are joined into groups (union-find), so a chain of copies
A~B~C is one group even where A and C differ more.

Here:
- words are the exact-form fields' words (``surface_analyzer``: normalised
  by script, diacritics, tatweel, hamza seats, ta marbuta, alef maqsura,
  Arabic-Indic digits and case folded away; stopwords kept, as they carry
  the shape of a text; no stemming). Texts of different scripts share no
  shingle, so an Arabic story and its English translation never group;
- a text of fewer than MIN_WORDS words has no signature (``b""``): it is
  never folded with anything, so two short notes that say the same thing
  stay two results;
- the signature is datasketch's MinHash (affine32 scheme, fixed seed, SHA-1
  of each shingle's UTF-8 bytes: the same in every process and Python run),
  stored as NUM_PERM little-endian uint32 values;
- ``group`` bands the signature matrix with numpy, the same bands as
  datasketch's ``MinHashLSH(num_perm=NUM_PERM, params=(BANDS, ROWS))`` (a
  test holds the two equal): datasketch's index inserts and queries one
  document at a time in Python: 18.1 s against 1.9 s for 50,000 documents
  (bench/duplicates_speed.py), with the same groups.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from datasketch import LeanMinHash, MinHash

from .analysis import surface_analyzer

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

# Measured by bench/quality/duplicates_eval.py over 914 made pairs (558
# copies with 0-30% of the words edited, plus site chrome, a new headline and
# Arabic spelling variants; 356 not copies: hand-written stories of one event,
# same-topic and random pairs, translations, follow-ups three times as long):
# 2-word shingles at 0.5 fold no pair that is not a copy (the highest, a
# follow-up, estimates 0.39; a different story of the same event 0.10) and
# 100% / 100% / 97% / 91% / 76% of the copies edited 0 / 5 / 10 / 20 / 30%.
# 3-word shingles need 0.4 to fold 91% at 20%, closer to the follow-ups;
# single words bring stories of one event up to 0.31. bench/quality/RESULTS.md
# has the sweep.
SHINGLE = 2  # words per shingle
THRESHOLD = 0.5  # estimated Jaccard at and above which two texts are copies
NUM_PERM = 256  # MinHash permutations: 1,024 bytes a document; mean estimate error 0.015 (128: 0.024)
MIN_WORDS = 15  # fewer words than this: no signature, never folded
SEED = 1  # the permutations' seed; a signature is only comparable with the same seed
SCHEME = "affine32"
# LSH bands: 85 bands of 3 rows (255 of the 256 values). A pair at THRESHOLD
# shares a band with probability 1 - (1 - 0.5^3)^85 > 0.99998, so what the
# bands miss is negligible beside the estimate's own error; a pair of
# unrelated texts (J ~ 0.005-0.03) shares one with probability 1e-5 to
# 2e-3. 128 permutations in 2-row bands made 67 times as many candidates
# (bench/duplicates_speed.py, 10,000 documents).
BANDS, ROWS = 85, 3
SIGNATURE_BYTES = NUM_PERM * 4
_SIGNATURE_DTYPE = np.dtype("<u4")

_WORDS = surface_analyzer()


def words(text: str) -> list[str]:
    """The normalised words of ``text`` in order, stopwords included."""
    return [token.text for token in _WORDS(text)]


def words_from_postings(postings: Mapping[str, Sequence[int]]) -> list[str]:
    """The words in order from an exact-form field's postings (``{word:
    [position, ...]}``, as the indexer's analysis gives them): the same
    words as ``words`` of the text, without analysing it a second time."""
    if not postings:
        return []
    at: list[str | None] = [None] * (1 + max(max(positions) for positions in postings.values()))
    for word, positions in postings.items():
        for position in positions:
            if at[position] is None:
                at[position] = word
    return [word for word in at if word is not None]


def shingles(text: str, size: int = SHINGLE) -> set[bytes]:
    """The set of ``size``-word shingles of ``text`` (each the words joined
    by a space, UTF-8); empty for a text of fewer than MIN_WORDS words.

    >>> sorted(shingles("Wire copy: the same story, saved twice by sites far apart", size=5))[:1]
    []
    """
    return shingles_of_words(words(text), size)


def shingles_of_words(found: Sequence[str], size: int = SHINGLE) -> set[bytes]:
    """``shingles`` of a text's words."""
    if len(found) < max(MIN_WORDS, size):
        return set()
    return {" ".join(found[i : i + size]).encode("utf-8") for i in range(len(found) - size + 1)}


def minhash(text: str, size: int = SHINGLE, num_perm: int = NUM_PERM) -> MinHash | None:
    """The MinHash of ``text``'s shingles, or None for a short text."""
    return _minhash(shingles(text, size), num_perm)


def _minhash(found: Collection[bytes], num_perm: int) -> MinHash | None:
    if not found:
        return None
    sketch = MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME)
    sketch.update_batch(sorted(found))
    return sketch


def signature(text: str, size: int = SHINGLE, num_perm: int = NUM_PERM) -> bytes:
    """The stored form of ``text``'s MinHash: ``num_perm`` little-endian
    uint32 values; ``b""`` for a short text (never folded)."""
    return signature_of_words(words(text), size, num_perm)


def signature_of_words(found: Sequence[str], size: int = SHINGLE, num_perm: int = NUM_PERM) -> bytes:
    """``signature`` of a text's words (``words``, or ``words_from_postings``)."""
    sketch = _minhash(shingles_of_words(found, size), num_perm)
    if sketch is None:
        return b""
    return sketch.hashvalues.astype(_SIGNATURE_DTYPE).tobytes()


def from_signature(data: bytes) -> LeanMinHash | None:
    """The LeanMinHash a stored signature holds; None for ``b""``."""
    if not data:
        return None
    return LeanMinHash(seed=SEED, hashvalues=np.frombuffer(data, dtype=_SIGNATURE_DTYPE), scheme=SCHEME)


def similarity(a: bytes, b: bytes) -> float:
    """The estimated Jaccard similarity of two stored signatures; 0.0 when
    either has none."""
    first, second = from_signature(a), from_signature(b)
    if first is None or second is None:  # b"": no signature
        return 0.0
    return first.jaccard(second)


def group(
    signatures: Mapping[str, bytes], rank_key: Callable[[str], SupportsRichComparison] | None = None
) -> dict[str, str]:
    """``{doc_id: representative doc_id}`` for every doc id of
    ``signatures`` (doc id -> ``signature()`` bytes).

    Two documents are copies when their estimated Jaccard similarity is at
    least THRESHOLD; a group is what copies of copies join (union-find).
    Its representative is the member with the smallest ``rank_key(doc_id)``
    (ties, and no ``rank_key``: the smallest doc id). A document with no
    signature, or with no copy, is its own representative.
    """
    result = {doc_id: doc_id for doc_id in signatures}
    ids = sorted(doc_id for doc_id, data in signatures.items() if data)
    if len(ids) < 2:
        return result
    matrix = _signature_matrix([signatures[doc_id] for doc_id in ids])
    # Identical signatures agree everywhere (similarity 1.0): fold them first
    # so that buckets of verbatim copies do not make pairs by the square.
    unique, row_of_doc = np.unique(matrix, axis=0, return_inverse=True)
    row_of_doc = row_of_doc.ravel()
    pairs = confirmed_pairs(unique, candidate_pairs(unique))
    root = _union_find(len(unique), pairs)
    members: dict[int, list[str]] = {}  # root row -> its doc ids
    for doc_id, row in zip(ids, row_of_doc.tolist(), strict=True):
        members.setdefault(root[row], []).append(doc_id)
    for group_members in members.values():
        if len(group_members) < 2:
            continue
        if rank_key is None:
            representative = group_members[0]  # ids are sorted
        else:
            representative = min(group_members, key=lambda doc_id: (rank_key(doc_id), doc_id))
        for doc_id in group_members:
            result[doc_id] = representative
    return result


def _signature_matrix(datas: Sequence[bytes]) -> npt.NDArray[np.uint32]:
    wrong = {len(data) for data in datas} - {SIGNATURE_BYTES}
    if wrong:
        raise ValueError(
            f"signatures of {sorted(wrong)} bytes, expected {SIGNATURE_BYTES} "
            f"(NUM_PERM={NUM_PERM}): made with other settings; rebuild them"
        )
    return np.frombuffer(b"".join(datas), dtype=_SIGNATURE_DTYPE).reshape(len(datas), NUM_PERM)


def candidate_pairs(matrix: np.ndarray, bands: int = BANDS, rows: int = ROWS) -> npt.NDArray[np.int64]:
    """``(k, 2)`` array of row pairs ``i < j`` of ``matrix`` (one signature a
    row) that agree on every value of at least one band: the candidates
    MinHashLSH would return for the same bands, each pair once."""
    n = len(matrix)
    found = [np.empty(0, dtype=np.int64)]
    for band in range(bands):
        values = matrix[:, band * rows : (band + 1) * rows]
        # Rows sorted by the band's values, column by column (sorting them as
        # one opaque key of rows * 4 bytes was ten times slower): equal runs
        # are the band's buckets.
        order = np.lexsort(values.T[::-1])
        ordered = values[order]
        starts = np.flatnonzero(np.r_[True, (ordered[1:] != ordered[:-1]).any(axis=1)])
        sizes = np.diff(np.r_[starts, n])
        for size in np.unique(sizes[sizes > 1]).tolist():
            # All buckets of one size at once: their members as a (buckets, size) table.
            table = order[starts[sizes == size][:, None] + np.arange(size)]
            first, second = np.triu_indices(size, k=1)
            a, b = table[:, first].ravel(), table[:, second].ravel()
            found.append(np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b))
    codes = np.unique(np.concatenate(found))
    return np.stack([codes // n, codes % n], axis=1)


def confirmed_pairs(
    matrix: np.ndarray, pairs: np.ndarray, threshold: float = THRESHOLD, chunk: int = 65536
) -> np.ndarray:
    """The ``pairs`` (rows of ``matrix``) whose estimated Jaccard similarity
    (the share of agreeing values, as ``MinHash.jaccard`` computes it) is at
    least ``threshold``."""
    kept: list[np.ndarray] = []
    width = matrix.shape[1]
    for start in range(0, len(pairs), chunk):
        part = pairs[start : start + chunk]
        agreeing = np.count_nonzero(matrix[part[:, 0]] == matrix[part[:, 1]], axis=1)
        kept.append(part[agreeing / width >= threshold])
    return np.concatenate(kept) if kept else np.empty((0, 2), dtype=np.int64)


def _union_find(n: int, pairs: np.ndarray) -> list[int]:
    """The root of each of ``n`` items once ``pairs`` are joined."""
    parent = list(range(n))

    def find(item: int) -> int:
        while parent[item] != item:
            parent[item] = parent[parent[item]]  # path halving
            item = parent[item]
        return item

    for a, b in pairs.tolist():
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)
    return [find(item) for item in range(n)]


def band_hit_probability(similarity_value: float, bands: int = BANDS, rows: int = ROWS) -> float:
    """The chance that a pair of Jaccard similarity ``similarity_value``
    shares at least one band: the LSH S-curve."""
    return 1.0 - (1.0 - similarity_value**rows) ** bands

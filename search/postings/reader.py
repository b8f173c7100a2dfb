"""All the posting files of a Whoosh reader's segments, as one index view.

Document numbers are Whoosh's: a segment's documents follow the previous
segment's, in the reader's order, so a hit's number reads its stored fields
straight from Whoosh. Deleted documents stay in the postings (and in the
statistics, as in Whoosh and Lucene) until a merge drops them; ``live``
masks them out of results.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import os
import threading
import weakref
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from cachetools import LRUCache
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ..config import current as current_setting
from ..index_identity import IndexVersion, reader_version
from . import COLUMN_FIELDS
from .bm25f import quantised_lengths
from .build import CATEGORIES, FORMAT_VERSION, gather_ranges, letter_mask, postings_path, term_hash
from .segment_file import ArrayFile

if TYPE_CHECKING:
    from whoosh.fields import Schema
    from whoosh.reading import IndexReader

# Term postings a view keeps at hand: one request looks the same words up in
# several passes (all words, some words, rewrites, the suggestion). Bounded
# by entries and by the bytes of the arrays they hold (a worker's own memory).
# What a cached posting list costs beyond its arrays (the entry, its key, the object).
# (measured with tracemalloc: about 530 bytes for a list of a few documents).
TERM_ENTRY_BYTES = 640
_EMPTY = np.zeros(0, dtype=np.int64)


class SegmentTerms:
    """One field of one segment: its sorted terms and their postings."""

    def __init__(self, posting_file: ArrayFile, field: str) -> None:
        self.file = posting_file
        self.blob = posting_file[f"{field}.terms"]
        self.term_ends = posting_file[f"{field}.term_ends"]
        self.hashes = posting_file[f"{field}.hashes"]
        self.hash_terms = posting_file[f"{field}.hash_terms"]
        self.post_ends = posting_file[f"{field}.post_ends"]
        self.docs = posting_file[f"{field}.docs"]
        self.tfs = posting_file[f"{field}.tfs"]
        self.pos_ends = posting_file[f"{field}.pos_ends"]
        self.positions = posting_file[f"{field}.positions"]
        # Term ids grouped by first letter and length (build.shape_key); files
        # written before the groups existed have none (see IndexPostings.terms_within).
        self.has_shapes = f"{field}.letters" in posting_file
        if self.has_shapes:
            self.shapes = posting_file[f"{field}.shapes"]
            self.shape_ends = posting_file[f"{field}.shape_ends"]
            self.shape_terms = posting_file[f"{field}.shape_terms"]
            self.letters = posting_file[f"{field}.letters"]

    def __len__(self) -> int:
        return len(self.term_ends)

    def term_bytes(self, term_id: int) -> bytes:
        start = int(self.term_ends[term_id - 1]) if term_id else 0
        return self.blob[start : int(self.term_ends[term_id])].tobytes()

    def find(self, encoded: bytes, key: int) -> int:
        """The id of the term ``encoded`` (its hash ``key``), or -1."""
        at = int(np.searchsorted(self.hashes, np.uint64(key)))
        while at < len(self.hashes) and int(self.hashes[at]) == key:
            term_id = int(self.hash_terms[at])
            if self.term_bytes(term_id) == encoded:
                return term_id
            at += 1
        return -1

    def postings_range(self, term_id: int) -> tuple[int, int]:
        return (int(self.post_ends[term_id - 1]) if term_id else 0), int(self.post_ends[term_id])

    def positions_start(self, term_id: int) -> int:
        return int(self.pos_ends[term_id - 1]) if term_id else 0

    def counts(self, term_id: int) -> tuple[int, int]:
        """``(documents, occurrences)`` of a term, from its offsets alone."""
        start, end = self.postings_range(term_id)
        return end - start, int(self.pos_ends[term_id]) - self.positions_start(term_id)

    def prefix_range(self, prefix_bytes: bytes) -> tuple[int, int]:
        """``(first, end)``: the ids of the terms that start with ``prefix_bytes``
        (two binary searches; 0xFF never occurs in UTF-8, so every such term
        sorts before the prefix followed by it)."""
        ids = range(len(self))
        first = bisect.bisect_left(ids, prefix_bytes, key=self.term_bytes)
        return first, bisect.bisect_left(ids, prefix_bytes + b"\xff", lo=first, key=self.term_bytes)

    def terms_between(self, first: int, end: int) -> list[str]:
        """The terms with ids ``first`` to ``end`` - 1, as strings, cut from one
        copy of their bytes."""
        if first >= end:
            return []
        base = int(self.term_ends[first - 1]) if first else 0
        blob = self.blob[base : int(self.term_ends[end - 1])].tobytes()
        ends = (self.term_ends[first:end] - base).tolist()
        return [str(blob[start:stop], "utf-8") for start, stop in zip([0, *ends[:-1]], ends, strict=True)]

    def terms_near(
        self, lengths: Iterable[int], letters: int, edits: int, first_letter: str | None = None
    ) -> list[str]:
        """The terms whose length is in ``lengths`` (with ``first_letter``,
        only those that begin with it) and whose letters could be ``edits``
        edits from ``letters`` (a build.letter_mask), as strings: their
        groups (build.shape_key) gathered and filtered as numbers, only the
        survivors read."""
        wanted = np.array(sorted({min(length, 255) for length in lengths}), dtype=np.uint32)
        selected = np.isin(self.shapes & np.uint32(0xFF), wanted)
        if first_letter is not None:
            selected &= (self.shapes >> np.uint32(8)) == ord(first_letter)
        groups = np.flatnonzero(selected)
        if not len(groups):
            return []
        ends = self.shape_ends[groups]
        starts = np.where(groups > 0, self.shape_ends[np.maximum(groups - 1, 0)], 0)
        ids = self.shape_terms[gather_ranges(starts, ends - starts)]
        ids = ids[np.bitwise_count(self.letters[ids] ^ np.uint64(letters)) <= 2 * edits]
        return self._strings(ids)

    def _strings(self, ids: np.ndarray) -> list[str]:
        ends = self.term_ends[ids]
        starts = np.where(ids > 0, self.term_ends[np.maximum(ids - 1, 0)], 0)
        blob = memoryview(self.blob)  # type: ignore[arg-type]  # numpy gives ndarray __buffer__ on 3.12+ only
        return [str(blob[start:end], "utf-8") for start, end in zip(starts.tolist(), ends.tolist(), strict=True)]

    def doc_frequencies_between(self, first: int, end: int) -> npt.NDArray[np.int64]:
        """The document counts of the terms with ids ``first`` to ``end`` - 1."""
        ends = self.post_ends[max(first - 1, 0) : end].astype(np.int64)
        return np.diff(ends, prepend=0) if first == 0 else np.diff(ends)

    def all_terms(self) -> Iterator[str]:
        """Every term, in order (UTF-8 bytes order), one at a time, read from
        the mapped file in place, a chunk of offsets at a time (a merge over
        many segments holds no copy of their term lists)."""
        blob = memoryview(self.blob)  # type: ignore[arg-type]  # as in _strings
        start = 0
        for first in range(0, len(self.term_ends), TERMS_PER_CHUNK):
            for end in self.term_ends[first : first + TERMS_PER_CHUNK].tolist():
                yield str(blob[start:end], "utf-8")
                start = end

    def all_doc_frequencies(self) -> Iterator[int]:
        """Every term's document count, in term order, a chunk at a time."""
        previous = 0
        for first in range(0, len(self.post_ends), TERMS_PER_CHUNK):
            for end in self.post_ends[first : first + TERMS_PER_CHUNK].tolist():
                yield end - previous
                previous = end


# Term offsets turned into Python numbers at a time, when a vocabulary is walked.
TERMS_PER_CHUNK = 4096


class TermPostings:
    """One term of one field across every segment: its documents (global
    numbers, deleted ones included) and frequencies, and where in each
    segment its positions are."""

    __slots__ = ("docs", "tfs", "parts", "_offsets")

    def __init__(self, docs: np.ndarray, tfs: np.ndarray, parts: list[tuple[SegmentTerms, int, int, int]]) -> None:
        self.docs, self.tfs = docs, tfs
        # (SegmentTerms, term id, doc base, first index of the part in docs)
        self.parts = parts
        self._offsets: np.ndarray | None = None

    @property
    def doc_frequency(self) -> int:
        return len(self.docs)

    def positions(self, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(rows, positions)``: every position of the term in the documents
        ``wanted`` (sorted global numbers, each holding the term), ``rows``
        saying which of ``wanted`` each position belongs to."""
        if self._offsets is None:
            self._offsets = np.cumsum(self.tfs) - self.tfs
        at = np.searchsorted(self.docs, wanted)
        rows = np.repeat(np.arange(len(wanted)), self.tfs[at])
        starts = self._offsets[at]
        chunks = []
        for terms, term_id, _, first in self.parts:
            count = terms.counts(term_id)[0]
            mine = (at >= first) & (at < first + count)
            if not mine.any():
                continue
            base = terms.positions_start(term_id) - int(self._offsets[first])
            chunks.append(terms.positions[gather_ranges(starts[mine] + base, self.tfs[at[mine]])])
        positions = np.concatenate(chunks).astype(np.int64) if chunks else _EMPTY
        return rows, positions


def _term_bytes(postings: TermPostings) -> int:
    """What a cached list costs: its arrays, the offsets ``positions`` adds
    (8 bytes a document), and the entry itself."""
    return postings.docs.nbytes + postings.tfs.nbytes + 8 * len(postings.tfs) + TERM_ENTRY_BYTES


class SharedTerms:
    """The posting lists of one index version by (field, term), least
    recently used out first, up to SEARCH_TERM_CACHE_MB, with the lock that
    guards them (cachetools is not thread-safe)."""

    def __init__(self) -> None:
        self.cache: LRUCache[tuple[str, str | bytes], TermPostings] = LRUCache(
            maxsize=current_setting("TERM_CACHE_MB") * 2**20, getsizeof=_term_bytes
        )
        self.lock = threading.Lock()


# One SharedTerms a worker and index version, shared by the worker's threads'
# searchers of that version (each thread has its own searcher; a cache each
# would hold the same lists once a thread). Held by those searchers' stores
# only: once the last of them goes, so do the lists and the old generation's
# files they map (a pruned generation frees its disk space).
_term_caches: weakref.WeakValueDictionary[IndexVersion, SharedTerms] = weakref.WeakValueDictionary()
_term_caches_lock = threading.Lock()


def _term_cache(version: IndexVersion) -> SharedTerms:
    with _term_caches_lock:
        found = _term_caches.get(version)
        if found is None:
            found = _term_caches[version] = SharedTerms()
        return found


class IndexPostings:
    """The column fields of a Whoosh reader's segments, with the per-document
    arrays scoring needs, built once per reader (a worker reopens it only
    when the index changes)."""

    def __init__(self, whoosh_reader: IndexReader, folder: str | os.PathLike[str], schema: Schema) -> None:
        # Which index version this is: files written beside it after its
        # commit (search/duplicate_groups.py) are named after its generation.
        self.folder, self.generation = folder, whoosh_reader.generation()
        self.fields = [name for name in COLUMN_FIELDS if name in schema]
        self.field_boosts = {name: float(schema[name].format.field_boost) for name in self.fields}
        self.segments: list[tuple[ArrayFile, int, int]] = []  # (ArrayFile, doc base, doc count)
        deleted: list[int] = []
        for leaf, base in whoosh_reader.leaf_readers():
            segment = leaf.segment() if hasattr(leaf, "segment") else None
            if segment is None:  # an index with no segment yet (an empty folder)
                continue
            try:
                posting_file = _open_file(postings_path(folder, segment.segment_id()))
            except FileNotFoundError:
                raise FileNotFoundError(
                    f"segment {segment.segment_id()} has no posting file (an index built by an older version): "
                    "run 'python -m search index' to rebuild it"
                ) from None
            if posting_file.meta.get("version") != FORMAT_VERSION:
                raise FileNotFoundError(
                    f"segment {segment.segment_id()} has a posting file of format {posting_file.meta.get('version')} "
                    f"(this version reads {FORMAT_VERSION}): run 'python -m search index' to rebuild it"
                )
            count = posting_file.meta["doc_count"]
            self.segments.append((posting_file, base, count))
            if segment.has_deletions():
                deleted.extend(base + d for d in segment.deleted_docs())
        self.doc_count_all = sum(count for _, _, count in self.segments)
        self.live: npt.NDArray[np.bool_] | None = None
        if deleted:
            self.live = np.ones(self.doc_count_all, dtype=bool)
            self.live[np.array(deleted, dtype=np.int64)] = False
        self._terms = {name: [(SegmentTerms(f, name), base) for f, base, _ in self.segments] for name in self.fields}
        self.lengths: dict[str, np.ndarray] = {}
        self.average_lengths: dict[str, float] = {}
        for name in self.fields:
            exact = [f[f"{name}.lengths"] for f, _, _ in self.segments]
            self.lengths[name] = quantised_lengths(np.concatenate(exact)) if exact else _EMPTY
            total = sum(f.meta["field_lengths"][name] for f, _, _ in self.segments)
            self.average_lengths[name] = (total / (self.doc_count_all or 1)) or 1
        # Per-document values (build.DocumentValues): each category's values,
        # sorted, and every document's code into them; dates in days.
        self.category_values: dict[str, list[str]] = {}
        self.category_codes: dict[str, np.ndarray] = {}
        for name in CATEGORIES:
            values = sorted({v for f, _, _ in self.segments for v in f.meta["categories"][name]})
            position = {value: i for i, value in enumerate(values)}
            codes = [
                np.array([position[v] for v in f.meta["categories"][name]], dtype=np.uint32)[f[f"{name}_codes"]]
                for f, _, _ in self.segments
            ]
            self.category_values[name] = values
            self.category_codes[name] = np.concatenate(codes) if codes else np.zeros(0, np.uint32)
        dates = [f["dates"] for f, _, _ in self.segments]
        self.dates = np.concatenate(dates) if dates else np.zeros(0, np.int32)
        # The index version's duplicate groups once a search read them
        # (search/duplicate_groups.py); None until then.
        self.duplicate_groups: np.ndarray | None = None
        self._shared_terms = _term_cache(reader_version(whoosh_reader))
        self._cache, self._cache_lock = self._shared_terms.cache, self._shared_terms.lock
        self._lock = threading.Lock()
        # field -> its terms by (length, first letter): _terms_within_vocabulary
        self._vocabularies: dict[str, defaultdict[tuple[int, str], list[str]]] = {}

    # --- terms ------------------------------------------------------------------

    def term(self, field: str, text: str | bytes) -> TermPostings:
        """The TermPostings of ``text`` in ``field`` (empty when absent)."""
        key = (field, text)
        with self._cache_lock:
            found = self._cache.get(key)
        if found is not None:
            return found
        found = self._lookup(field, text)
        with self._cache_lock:
            try:
                self._cache[key] = found
            except ValueError:  # larger than the whole cache: answered, not kept
                pass
        return found

    def _lookup(self, field: str, text: str | bytes) -> TermPostings:
        if field not in self._terms:
            return TermPostings(_EMPTY, _EMPTY, [])
        encoded = text.encode("utf-8") if isinstance(text, str) else text
        key = term_hash(encoded)
        docs: list[np.ndarray] = []
        tfs: list[np.ndarray] = []
        parts: list[tuple[SegmentTerms, int, int, int]] = []
        first = 0
        for terms, base in self._terms[field]:
            term_id = terms.find(encoded, key)
            if term_id < 0:
                continue
            start, end = terms.postings_range(term_id)
            docs.append(terms.docs[start:end].astype(np.int64) + base)
            tfs.append(terms.tfs[start:end].astype(np.int64))
            parts.append((terms, term_id, base, first))
            first += end - start
        if not parts:
            return TermPostings(_EMPTY, _EMPTY, [])
        if len(parts) == 1:
            return TermPostings(docs[0], tfs[0], parts)
        return TermPostings(np.concatenate(docs), np.concatenate(tfs), parts)

    def _counts(self, field: str, text: str | bytes) -> tuple[int, int]:
        """``(documents, occurrences)`` of ``text`` in ``field``, from the
        term dictionaries alone (no postings read)."""
        encoded = text.encode("utf-8") if isinstance(text, str) else text
        key = term_hash(encoded)
        documents = occurrences = 0
        for terms, _ in self._terms.get(field, ()):
            term_id = terms.find(encoded, key)
            if term_id >= 0:
                found = terms.counts(term_id)
                documents += found[0]
                occurrences += found[1]
        return documents, occurrences

    def counts_of(self, field: str, texts: Iterable[str]) -> dict[str, tuple[int, int]]:
        """``{text: (documents, occurrences)}`` for many terms of ``field`` at
        once: their hashes looked up in each segment's table by one binary
        search over all of them (for the indexer's passes over a vocabulary)."""
        texts = list(dict.fromkeys(texts))
        encoded = [text.encode("utf-8") for text in texts]
        keys = np.fromiter((term_hash(term) for term in encoded), dtype=np.uint64, count=len(encoded))
        documents = np.zeros(len(texts), dtype=np.int64)
        occurrences = np.zeros(len(texts), dtype=np.int64)
        for terms, _ in self._terms.get(field, ()):
            if not len(terms) or not len(keys):
                continue
            at = np.minimum(np.searchsorted(terms.hashes, keys), len(terms.hashes) - 1)
            for i in np.flatnonzero(terms.hashes[at] == keys).tolist():
                term_id = terms.find(encoded[i], int(keys[i]))
                if term_id >= 0:
                    found = terms.counts(term_id)
                    documents[i] += found[0]
                    occurrences[i] += found[1]
        return dict(zip(texts, zip(documents.tolist(), occurrences.tolist(), strict=True), strict=True))

    def term_count(self, field: str) -> int:
        """How many terms ``field`` has, counted once per segment (at least
        the distinct terms: a cheap size of its vocabulary)."""
        return sum(len(terms) for terms, _ in self._terms.get(field, ()))

    def lexicon_frequencies(self, field: str) -> Iterator[tuple[str, int]]:
        """``(term, documents)`` for every term of ``field``, in order: the
        segments' sorted term lists merged, their counts added up (nothing
        the size of the vocabulary held)."""
        streams = [_with_counts(terms) for terms, _ in self._terms.get(field, ())]
        merged = heapq.merge(*streams, key=lambda pair: pair[0])
        for term, group in itertools.groupby(merged, key=lambda pair: pair[0]):
            yield term, sum(count for _, count in group)

    def doc_frequency(self, field: str, text: str | bytes) -> int:
        return self._counts(field, text)[0]

    def frequency(self, field: str, text: str | bytes) -> int:
        """How many times ``text`` occurs in ``field`` across the index."""
        return self._counts(field, text)[1]

    def expand_prefix(self, field: str, prefix: str) -> list[str]:
        """The terms of ``field`` that start with ``prefix``, in order."""
        return sorted(self.prefix_frequencies(field, prefix))

    def prefix_frequencies(self, field: str, prefix: str) -> dict[str, int]:
        """``{term: documents}`` for the terms of ``field`` that start with
        ``prefix``: each segment's run of them and their counts read from its
        sorted term list and offsets, no term looked up one at a time."""
        encoded = prefix.encode("utf-8")
        found: dict[str, int] = {}
        for terms, _ in self._terms.get(field, ()):
            first, end = terms.prefix_range(encoded)
            counts = terms.doc_frequencies_between(first, end).tolist()
            for term, count in zip(terms.terms_between(first, end), counts, strict=True):
                found[term] = found.get(term, 0) + count
        return found

    def lexicon(self, field: str) -> Iterator[str]:
        """Every term of ``field``, in order, once (a merge of the segments'
        sorted term lists: nothing held but one term per segment; strings
        compare in code point order, which is their UTF-8 bytes' order)."""
        merged = heapq.merge(*(terms.all_terms() for terms, _ in self._terms.get(field, ())))
        for term, _ in itertools.groupby(merged):
            yield term

    def terms_within(self, field: str, text: str, maxdist: int, prefix: int = 0) -> list[str]:
        """The terms of ``field`` at most ``maxdist`` Levenshtein edits from
        ``text`` that share its first ``prefix`` characters (what Whoosh's
        automaton finds), by rapidfuzz over terms_near's candidates that
        begin with the same letter: nothing built per searcher."""
        choices = self.terms_near(field, text, maxdist, same_first_letter=True) if prefix and text else None
        if choices is None:
            return self._terms_within_vocabulary(field, text, maxdist, prefix)
        if prefix > 1:
            choices = {term for term in choices if term[:prefix] == text[:prefix]}
        matches = process.extract(text, sorted(choices), scorer=Levenshtein.distance, score_cutoff=maxdist, limit=None)
        return sorted(choice for choice, _, _ in matches)

    def terms_near(self, field: str, text: str, edits: int, same_first_letter: bool = False) -> set[str] | None:
        """The terms of ``field`` (with ``same_first_letter``, only those that
        begin with ``text``'s) of a length within ``edits`` of ``text``'s and
        with letters that could be ``edits`` edits from its: every term
        within ``edits`` edits of it, by any measure where an edit changes
        one letter (Levenshtein, Damerau), and few others. None for posting
        files written before the shape groups (the caller walks the
        vocabulary instead)."""
        segments = self._terms.get(field, ())
        if not all(terms.has_shapes for terms, _ in segments):
            return None
        lengths = range(max(1, len(text) - edits), len(text) + edits + 1)
        letters, first_letter = letter_mask(text), (text[:1] if same_first_letter else None)
        found: set[str] = set()
        for terms, _ in segments:
            found.update(terms.terms_near(lengths, letters, edits, first_letter))
        return {term for term in found if abs(len(term) - len(text)) <= edits}

    def _terms_within_vocabulary(self, field: str, text: str, maxdist: int, prefix: int) -> list[str]:
        """terms_within over the field's whole vocabulary, grouped once per
        view: for posting files written before the shape groups."""
        with self._lock:
            grouped = self._vocabularies.get(field)
        if grouped is None:
            grouped = defaultdict(list)
            for term in self.lexicon(field):
                grouped[len(term), term[:1]].append(term)
            with self._lock:
                self._vocabularies[field] = grouped
        found: list[str] = []
        for length in range(len(text) - maxdist, len(text) + maxdist + 1):
            choices = grouped.get((length, text[:1]), ()) if prefix else self._all_of_length(grouped, length)
            if prefix > 1:
                choices = [term for term in choices if term[:prefix] == text[:prefix]]
            if choices:
                matches = process.extract(text, choices, scorer=Levenshtein.distance, score_cutoff=maxdist, limit=None)
                found += [choice for choice, _, _ in matches]
        return sorted(found)

    @staticmethod
    def _all_of_length(grouped: dict[tuple[int, str], list[str]], length: int) -> list[str]:
        return [term for (size, _), terms in grouped.items() if size == length for term in terms]

    # --- documents ----------------------------------------------------------------

    def segment_of(self, docnum: int) -> tuple[ArrayFile, int]:
        """``(ArrayFile, local number)`` of a global document number."""
        for posting_file, base, count in self.segments:
            if base <= docnum < base + count:
                return posting_file, docnum - base
        raise IndexError(f"no document {docnum}")

    def word_spans(self, docnum: int) -> tuple[np.ndarray, np.ndarray]:
        """``(starts, lengths)`` of the words at each position of the
        document's body (lengths are capped; see build.MAX_STORED_WORD_CHARS)."""
        posting_file, local = self.segment_of(docnum)
        counts = _span_offsets(posting_file)
        start, end = int(counts[local]), int(counts[local + 1])
        return posting_file["span_starts"][start:end], posting_file["span_lengths"][start:end]

    def signatures(self) -> npt.NDArray[np.uint8]:
        """Every document's near-duplicate signature, a row of bytes each
        (zeros: none), as one matrix (a copy: the indexer's, to group them)."""
        rows = [
            f["signatures"].reshape(count, -1) if f.meta["signature_bytes"] else np.zeros((count, 0), np.uint8)
            for f, _, count in self.segments
        ]
        width = max((row.shape[1] for row in rows), default=0)
        if not rows:
            return np.zeros((0, 0), np.uint8)
        return np.concatenate([np.pad(row, ((0, 0), (0, width - row.shape[1]))) for row in rows])


def _with_counts(terms: SegmentTerms) -> Iterator[tuple[str, int]]:
    return zip(terms.all_terms(), terms.all_doc_frequencies(), strict=True)


# Posting files open in this process, by path: each opened once while some
# index view uses it, and let go (unmapped, its descriptor closed) with the
# last view, so the files of merged segments and pruned generations free
# their disk space.
_files: weakref.WeakValueDictionary[str, ArrayFile] = weakref.WeakValueDictionary()
_files_lock = threading.Lock()


def _open_file(path: str) -> ArrayFile:
    """The ArrayFile at ``path`` (segment files never change once written,
    so a path always names the same contents)."""
    with _files_lock:
        found = _files.get(path)
        if found is None:
            found = _files[path] = ArrayFile(path)
        return found


def _span_offsets(posting_file: ArrayFile) -> np.ndarray:
    """Where each document's spans start, computed once per file."""
    offsets = getattr(posting_file, "span_offsets", None)
    if offsets is None:
        counts = posting_file["span_counts"].astype(np.int64)
        offsets = posting_file.span_offsets = np.concatenate([[0], np.cumsum(counts)])
    return offsets


__all__ = ["IndexPostings", "TermPostings"]

"""From documents to one segment's posting arrays.

Documents are analysed one at a time (the analyzer's ``index_postings``),
their postings appended to flat, compact arrays in document order; at the
end the postings are sorted by term once and the arrays written
(``segment_file``). Older segments merged into a new one come in as whole
"runs" of arrays, their deleted documents dropped and the rest renumbered,
and are merged with the same sort: no loop over postings in Python.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from array import array
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from . import COLUMN_FIELDS, OFFSETS_FIELD
from .segment_file import ArrayFile, write_arrays

if TYPE_CHECKING:
    from whoosh.analysis import Analyzer
    from whoosh.fields import Schema

FORMAT_VERSION = 2
# A word longer than this many characters stores this length; its end is
# found again from the text when a snippet marks it (words that long are rare).
MAX_STORED_WORD_CHARS = 255


def term_hash(encoded: bytes) -> int:
    """A term's 64-bit key in the per-field hash table."""
    return int.from_bytes(hashlib.blake2b(encoded, digest_size=8).digest(), "little")


def postings_path(storage_folder: str | os.PathLike[str], segment_id: str) -> str:
    return f"{storage_folder}/{segment_id}.postings"


# Per-document values kept beside the postings, for filters, facets, the
# date order and folding copies: each category as codes into the list of its
# values in the meta; the publication date as days since 1970-01-01 (NO_DATE
# when unknown); each document's near-duplicate signature (search/duplicates.py)
# as a row of bytes, zeros for a document without one.
CATEGORIES = ("lang", "source", "date_source")
NO_DATE = int(np.iinfo(np.int32).min)


def days_of(iso_date: str | None) -> int:
    """Days since 1970-01-01 of a ``YYYY-MM-DD`` date, or NO_DATE."""
    return int(np.datetime64(iso_date, "D").astype(np.int64)) if iso_date else NO_DATE


def _signature_of(postings: Mapping[str, Sequence[int]]) -> bytes:
    """search/duplicates.py's signature of the words of exact-form postings
    (imported here: datasketch is the indexer's, never a serving process's)."""
    from ..duplicates import signature_of_words, words_from_postings  # noqa: PLC0415

    return signature_of_words(words_from_postings(postings))


class DocumentValues:
    """The per-document values of a segment, in document order."""

    def __init__(self) -> None:
        self.categories: dict[str, list[str]] = {name: [] for name in CATEGORIES}
        self.dates = array("i")
        self.signatures: list[bytes] = []

    def add(self, values: Mapping[str, Any], signature: bytes = b"") -> None:
        """``values``: a document's fields (lang, source, date_source,
        date); ``signature`` its near-duplicate signature."""
        for name in CATEGORIES:
            self.categories[name].append(values.get(name) or "")
        self.dates.append(days_of(values.get("date")))
        self.signatures.append(signature)

    def add_segment(self, posting_file: ArrayFile, live: npt.NDArray[np.bool_]) -> None:
        """The values of an older segment's live documents."""
        meta = posting_file.meta
        for name in CATEGORIES:
            codes = posting_file[f"{name}_codes"][live]
            self.categories[name] += [meta["categories"][name][code] for code in codes.tolist()]
        self.dates.extend(posting_file["dates"][live].tolist())
        signatures = posting_file["signatures"].reshape(meta["doc_count"], -1)[live]
        self.signatures += [bytes(row) if row.any() else b"" for row in signatures]

    def arrays(self, meta: dict[str, Any]) -> Iterator[tuple[str, np.ndarray]]:
        """The arrays to write, the category lists put in ``meta``."""
        meta["categories"] = {}
        for name in CATEGORIES:
            values = self.categories[name]
            codes = sorted(set(values))
            meta["categories"][name] = codes
            code_of = {value: i for i, value in enumerate(codes)}
            dtype = np.uint8 if len(codes) <= 256 else np.uint32
            yield f"{name}_codes", np.fromiter((code_of[v] for v in values), dtype=dtype, count=len(values))
        yield "dates", np.frombuffer(self.dates, np.int32).copy() if self.dates else np.zeros(0, np.int32)
        width = max((len(s) for s in self.signatures), default=0)
        rows = b"".join(s.ljust(width, b"\0") for s in self.signatures)
        meta["signature_bytes"] = width
        yield "signatures", np.frombuffer(rows, np.uint8).copy() if rows else np.zeros(0, np.uint8)


@dataclass
class FieldRun:
    """One field's postings for a range of documents, sorted by term then
    document: ``terms`` (sorted by their UTF-8 bytes), ``dfs`` postings per
    term, ``docs`` and ``tfs`` per posting, ``positions`` in posting order."""

    terms: list[str]
    dfs: np.ndarray
    docs: np.ndarray
    tfs: np.ndarray
    positions: np.ndarray


class _FieldAccumulator:
    """Postings of one field appended document by document, in arrays of
    machine integers (four bytes each, not a Python object each)."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self.term_ids = array("i")
        self.docs = array("i")
        self.tfs = array("I")
        self.positions = array("I")

    def add(self, docnum: int, postings: Mapping[str, Sequence[int]]) -> int:
        """Add one document's ``{term: [position, ...]}``; return its length
        (tokens, as Whoosh counts a field's length)."""
        vocabulary = self.vocabulary
        ids = []
        for term in postings:
            term_id = vocabulary.get(term)
            if term_id is None:
                term_id = vocabulary[term] = len(vocabulary)
            ids.append(term_id)
        counts = list(map(len, postings.values()))
        self.term_ids.extend(ids)
        self.tfs.extend(counts)
        self.positions.extend(itertools.chain.from_iterable(postings.values()))
        self.docs.extend([docnum] * len(ids))
        return sum(counts)

    def run(self) -> FieldRun:
        """The accumulated postings as a FieldRun (sorted by term)."""
        terms = list(self.vocabulary)
        order = sorted(range(len(terms)), key=lambda i: terms[i].encode("utf-8"))
        rank = np.empty(len(terms), dtype=np.int32)
        rank[order] = np.arange(len(terms), dtype=np.int32)
        term_ranks = rank[np.frombuffer(self.term_ids, dtype=np.int32)] if self.term_ids else np.zeros(0, np.int32)
        return _sorted_run(
            [terms[i] for i in order],
            term_ranks,
            np.frombuffer(self.docs, dtype=np.int32),
            np.frombuffer(self.tfs, dtype=np.uint32),
            np.frombuffer(self.positions, dtype=np.uint32),
        )


def index_postings(analyzer: Analyzer, text: str, spans: list[tuple[int, int]] | None = None) -> dict[str, list[int]]:
    """``{term: [position, ...]}`` of ``text`` under ``analyzer``, filling
    ``spans`` (when given) with each position's ``(start, end)``: from our
    analyzer's one-pass method, or from any Whoosh analyzer's tokens."""
    if hasattr(analyzer, "index_postings"):
        return analyzer.index_postings(text, spans=spans)
    postings: dict[str, list[int]] = {}
    for token in analyzer(text, positions=True, chars=spans is not None, mode="index"):
        postings.setdefault(token.text, []).append(token.pos)
        if spans is not None and token.pos >= len(spans):
            spans.extend([(token.startchar, token.startchar)] * (token.pos - len(spans)))
            spans.append((token.startchar, token.endchar))
    return postings


def _pairable(analyzer: Analyzer, twin: Analyzer) -> bool:
    return hasattr(analyzer, "index_postings_with") and type(twin) is type(analyzer)


def gather_ranges(starts: npt.ArrayLike, counts: npt.ArrayLike) -> np.ndarray:
    """The indexes ``starts[i] .. starts[i] + counts[i]`` for every i,
    concatenated: a Python loop's worth of slices as one array (of 32-bit
    integers when they fit: this is the largest array a build makes)."""
    counts = np.asarray(counts)
    total = int(counts.sum(dtype=np.int64))
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.asarray(starts)
    small = total < 2**31 and int(starts.max()) + int(counts.max()) < 2**31
    dtype = np.int32 if small else np.int64
    counts = counts.astype(dtype, copy=False)
    ends = np.cumsum(counts, dtype=dtype)
    return np.repeat(starts.astype(dtype) - (ends - counts), counts) + np.arange(total, dtype=dtype)


def _sorted_run(
    terms: list[str], term_ranks: np.ndarray, docs: np.ndarray, tfs: np.ndarray, positions: np.ndarray
) -> FieldRun:
    """A FieldRun from postings in document order: one stable sort by term
    keeps each term's documents in order; positions follow their postings."""
    order = np.argsort(term_ranks, kind="stable")
    starts = np.cumsum(tfs, dtype=np.int64) - tfs
    sorted_tfs = tfs[order]
    return FieldRun(
        terms=terms,
        dfs=np.bincount(term_ranks, minlength=len(terms)).astype(np.int64),
        docs=docs[order],
        tfs=sorted_tfs,
        positions=positions[gather_ranges(starts[order], sorted_tfs)],
    )


def merge_runs(runs: Sequence[FieldRun], doc_bases: Sequence[int]) -> FieldRun:
    """One FieldRun from several, the documents of ``runs[i]`` moved up by
    ``doc_bases[i]`` (runs are in document order and do not overlap)."""
    pairs = [(run, base) for run, base in zip(runs, doc_bases, strict=True) if run.terms]
    if not pairs:
        return FieldRun([], np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.uint32))
    if len(pairs) == 1 and pairs[0][1] == 0:
        return pairs[0][0]
    runs = [run for run, _ in pairs]
    terms = sorted(set().union(*(run.terms for run in runs)), key=lambda t: t.encode("utf-8"))
    rank_of = {term: i for i, term in enumerate(terms)}
    term_ranks: list[np.ndarray] = []
    docs: list[np.ndarray] = []
    tfs: list[np.ndarray] = []
    positions: list[np.ndarray] = []
    for run, base in pairs:
        ranks = np.fromiter((rank_of[term] for term in run.terms), dtype=np.int64, count=len(run.terms))
        term_ranks.append(np.repeat(ranks, run.dfs))
        docs.append(run.docs + base)
        tfs.append(run.tfs)
        positions.append(run.positions)
    return _sorted_run(terms, *(np.concatenate(parts) for parts in (term_ranks, docs, tfs, positions)))


class SegmentBuilder:
    """The postings of the column fields for the documents of one segment,
    numbered from 0 in the order they are added (``add``) or merged in from
    older segments (``add_segment``)."""

    def __init__(self, schema: Schema) -> None:
        self.fields = [name for name in COLUMN_FIELDS if name in schema]
        self.analyzers = {name: schema[name].analyzer for name in self.fields}
        # A field and its exact-form twin, analysed in one pass when they can be.
        self._pairs = [
            (name, f"{name}_exact")
            for name in self.fields
            if f"{name}_exact" in self.analyzers and _pairable(self.analyzers[name], self.analyzers[f"{name}_exact"])
        ]
        paired = {name for pair in self._pairs for name in pair}
        self._single = [name for name in self.fields if name not in paired]
        self._fields = {name: _FieldAccumulator() for name in self.fields}
        self._lengths = {name: array("I") for name in self.fields}
        self._values = DocumentValues()
        self._span_starts, self._span_lengths, self._span_counts = array("I"), array("H"), array("I")
        # (base doc, {field: FieldRun}, doc arrays) merged from older segments
        self._runs: list[tuple[int, dict[str, FieldRun], dict[str, Any]]] = []
        self.doc_count = 0

    def add(self, values: Mapping[str, str | None], document_values: Mapping[str, Any]) -> None:
        """Add the next document: ``values`` maps a field to its text,
        ``document_values`` holds its per-document values (DocumentValues.add).
        Documents are added before any older segment is merged in (Whoosh's
        writer adds its documents, then merges at commit)."""
        if self._runs:
            raise RuntimeError("documents cannot be added after a segment was merged in")
        docnum = self.doc_count
        signature = b""
        for name, twin in self._pairs:
            text = values.get(name) or ""
            spans: list[tuple[int, int]] | None = [] if OFFSETS_FIELD in (name, twin) else None
            if text:
                postings, twin_postings = self.analyzers[name].index_postings_with(self.analyzers[twin], text, spans)
            else:
                postings = twin_postings = {}
            self._lengths[name].append(self._fields[name].add(docnum, postings))
            self._lengths[twin].append(self._fields[twin].add(docnum, twin_postings))
            if spans is not None:
                self._add_spans(spans)
            if name == OFFSETS_FIELD and twin_postings:
                # The near-duplicate signature, from the body's exact forms
                # just analysed (analysing the text again cost half as much
                # as indexing it).
                signature = _signature_of(twin_postings)
        for name in self._single:
            text = values.get(name) or ""
            spans = [] if name == OFFSETS_FIELD else None
            postings = index_postings(self.analyzers[name], text, spans) if text else {}
            self._lengths[name].append(self._fields[name].add(docnum, postings))
            if spans is not None:
                self._add_spans(spans)
        self._values.add(document_values, signature)
        self.doc_count += 1

    def _add_spans(self, spans: Sequence[tuple[int, int]]) -> None:
        starts = [start for start, _ in spans]
        self._span_starts.extend(starts)
        self._span_lengths.extend(min(end - start, MAX_STORED_WORD_CHARS) for start, end in spans)
        self._span_counts.append(len(spans))

    def add_segment(self, posting_file: ArrayFile, deleted: Collection[int]) -> None:
        """Merge in the live documents of an older segment (its ArrayFile and
        the set of its deleted document numbers), renumbered after the
        documents already here."""
        meta = posting_file.meta
        live = np.ones(meta["doc_count"], dtype=bool)
        if deleted:
            live[np.fromiter(deleted, dtype=np.int64)] = False
        renumber = np.cumsum(live) - 1
        runs: dict[str, FieldRun] = {}
        for name in self.fields:
            run = read_run(posting_file, name)
            keep = live[run.docs]
            if not keep.all():
                kept_tfs = np.where(keep, run.tfs, 0)
                positions = run.positions[gather_ranges(np.cumsum(run.tfs) - run.tfs, kept_tfs)]
                run_terms = np.repeat(np.arange(len(run.terms)), run.dfs)[keep]
                dfs = np.bincount(run_terms, minlength=len(run.terms))
                present = dfs > 0
                run = FieldRun(
                    terms=[t for t, p in zip(run.terms, present, strict=True) if p],
                    dfs=dfs[present].astype(np.int64),
                    docs=run.docs[keep],
                    tfs=run.tfs[keep],
                    positions=positions,
                )
            runs[name] = FieldRun(run.terms, run.dfs, renumber[run.docs], run.tfs, run.positions)
        counts = posting_file["span_counts"].astype(np.int64)
        span_rows = gather_ranges(np.cumsum(counts)[live] - counts[live], counts[live])
        docs = {
            "lengths": {name: posting_file[f"{name}.lengths"][live] for name in self.fields},
            "span_starts": posting_file["span_starts"][span_rows],
            "span_lengths": posting_file["span_lengths"][span_rows],
            "span_counts": counts[live],
        }
        self._values.add_segment(posting_file, live)
        self._runs.append((self.doc_count, runs, docs))
        self.doc_count += int(live.sum())

    def held_bytes(self) -> int:
        """About how much memory the documents added so far hold: what the
        indexer watches to start a new segment before a worker grows too big."""
        total = 0
        for accumulator in self._fields.values():
            total += 4 * len(accumulator.positions) + 12 * len(accumulator.docs) + 120 * len(accumulator.vocabulary)
        return total + 6 * len(self._span_starts)

    def _document_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """The per-document arrays and the segment's meta (field totals
        filled in as the fields are written)."""
        span_parts = [
            (
                np.frombuffer(self._span_starts, np.uint32),
                np.frombuffer(self._span_lengths, np.uint16),
                np.frombuffer(self._span_counts, np.uint32),
            )
        ]
        for _, _, docs in self._runs:
            span_parts.append((docs["span_starts"], docs["span_lengths"], docs["span_counts"]))
        meta: dict[str, Any] = {"version": FORMAT_VERSION, "doc_count": self.doc_count, "field_lengths": {}}
        arrays = dict(self._values.arrays(meta))
        arrays |= {
            "span_starts": np.concatenate([p[0] for p in span_parts]).astype(np.uint32),
            "span_lengths": np.concatenate([p[1] for p in span_parts]).astype(np.uint16),
            "span_counts": np.concatenate([p[2] for p in span_parts]).astype(np.uint32),
        }
        return arrays, meta

    def _field_arrays(self, name: str, meta: dict[str, Any]) -> Iterator[tuple[str, np.ndarray]]:
        """One field's arrays; its accumulated postings are freed as they are sorted."""
        lengths = np.concatenate(
            [np.frombuffer(self._lengths[name], np.uint32)] + [docs["lengths"][name] for _, _, docs in self._runs]
        ).astype(np.uint32)
        meta["field_lengths"][name] = int(lengths.sum(dtype=np.int64))
        yield f"{name}.lengths", lengths
        runs = [self._fields.pop(name).run()] + [runs.pop(name) for _, runs, _ in self._runs]
        yield from _field_arrays(name, merge_runs(runs, [0] + [base for base, _, _ in self._runs]))

    def write(self, path: str | os.PathLike[str]) -> None:
        """Write the segment's file, one array at a time (the builder is
        spent afterwards)."""
        arrays, meta = self._document_arrays()

        def every_array() -> Iterator[tuple[str, np.ndarray]]:
            yield from arrays.items()
            for name in self.fields:
                yield from self._field_arrays(name, meta)

        write_arrays(path, every_array(), meta)


def _smallest_unsigned(values: np.ndarray) -> type[np.unsignedinteger]:
    top = int(values.max()) if len(values) else 0
    return np.uint16 if top < 2**16 else np.uint32


def _field_arrays(name: str, run: FieldRun) -> Iterator[tuple[str, np.ndarray]]:
    """The arrays one field keeps on disk for ``run``, one at a time."""
    encoded = [term.encode("utf-8") for term in run.terms]
    hashes = np.fromiter((term_hash(term) for term in encoded), dtype=np.uint64, count=len(encoded))
    by_hash = np.argsort(hashes, kind="stable")
    yield f"{name}.hashes", hashes[by_hash]
    yield f"{name}.hash_terms", by_hash.astype(np.int32)
    del hashes, by_hash
    lengths = np.fromiter((len(term) for term in encoded), dtype=np.int64, count=len(encoded))
    yield f"{name}.term_ends", np.cumsum(lengths)
    yield f"{name}.terms", np.frombuffer(b"".join(encoded), dtype=np.uint8)
    del encoded, lengths
    yield from _shape_arrays(name, run.terms)
    post_ends = np.cumsum(run.dfs)
    yield f"{name}.post_ends", post_ends
    yield f"{name}.docs", run.docs.astype(np.int32)
    # Every term has a posting, so its positions end where its last posting's do.
    yield f"{name}.pos_ends", np.cumsum(run.tfs, dtype=np.int64)[post_ends - 1]
    yield f"{name}.tfs", run.tfs.astype(_smallest_unsigned(run.tfs))
    yield f"{name}.positions", run.positions.astype(_smallest_unsigned(run.positions), copy=False)


def shape_key(term: str) -> int:
    """A term's first letter (the high bits) and its length in letters,
    capped at 255 (the low eight), as one number: the terms a fuzzy word can
    reach with its first letter kept are in the groups of that letter and
    nearby lengths."""
    return (ord(term[:1] or "\0") << 8) | min(len(term), 255)


def letter_mask(term: str) -> int:
    """The letters a term has, each as one of 64 bits (by code point): one
    edit changes at most two bits, so two terms whose masks differ in more
    than 2k bits are more than k edits apart."""
    mask = 0
    for letter in set(term):
        mask |= 1 << (ord(letter) & 63)
    return mask


def _shape_arrays(name: str, terms: Sequence[str]) -> Iterator[tuple[str, np.ndarray]]:
    """The term ids grouped by shape_key: the sorted keys, where each group
    ends, and the ids in group order (in term order within a group); and
    each term's letter_mask, to rule out most of a group without reading it."""
    keys = np.fromiter((shape_key(term) for term in terms), dtype=np.uint32, count=len(terms))
    by_shape = np.argsort(keys, kind="stable")
    shapes, firsts = np.unique(keys[by_shape], return_index=True)
    yield f"{name}.shapes", shapes
    yield f"{name}.shape_ends", np.append(firsts[1:], len(keys)).astype(np.int64)
    yield f"{name}.shape_terms", by_shape.astype(np.int32)
    del keys, by_shape
    yield f"{name}.letters", np.fromiter((letter_mask(term) for term in terms), dtype=np.uint64, count=len(terms))


def read_run(posting_file: ArrayFile, name: str) -> FieldRun:
    """One field of a segment's file, back as a FieldRun."""
    blob = bytes(posting_file[f"{name}.terms"])
    ends = posting_file[f"{name}.term_ends"]
    starts = np.concatenate([[0], ends[:-1]]) if len(ends) else ends
    terms = [blob[s:e].decode("utf-8") for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]
    post_ends = posting_file[f"{name}.post_ends"]
    dfs = np.diff(np.concatenate([[0], post_ends])).astype(np.int64)
    return FieldRun(
        terms=terms,
        dfs=dfs,
        docs=posting_file[f"{name}.docs"].astype(np.int64),
        tfs=posting_file[f"{name}.tfs"].astype(np.int64),
        positions=np.asarray(posting_file[f"{name}.positions"], dtype=np.uint32),
    )


def open_posting_file(path: str | os.PathLike[str]) -> ArrayFile:
    return ArrayFile(path)

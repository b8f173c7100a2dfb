"""Everything that reaches into Whoosh 2.7.4's internals, in one place.

Whoosh keeps the schema, the stored documents, the query parser and the
generations; these pieces adapt its writer and its file reading, and they
use methods Whoosh does not document. Importing the module checks the
version they were written against.

1. ``Writer``: Whoosh's segment writer, with the postings of the column fields
   (search/postings) given to a SegmentBuilder and written beside the segment
   as arrays, instead of into Whoosh's posting pool; ``SegmentSeries`` and
   ``commit_with_segments`` commit segments written by several writers (or
   worker processes) in one table of contents, as Whoosh's multiprocessing
   writer does with its sub-writers'.

2. A segment's parts are read from one memory-mapped file through
   ``BufferFile``, which wrapped each part in ``BytesIO(memoryview)``: that
   copies the part, so every serving process held a private copy of its
   stored documents. A reader over the memoryview itself copies only the
   bytes each read returns, and the pages stay shared between processes and
   with the page cache.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from typing import TYPE_CHECKING, Any

import whoosh
from whoosh.filedb import structfile
from whoosh.index import LockError
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from .index_integrity import write_segment_checksums
from .index_store import IndexBusy
from .postings.build import SegmentBuilder, open_posting_file, postings_path

if TYPE_CHECKING:
    from whoosh.codec.base import Segment
    from whoosh.index import Index
    from whoosh.reading import IndexReader

WHOOSH_VERSION = "2.7.4"
if whoosh.versionstring() != WHOOSH_VERSION:
    raise ImportError(
        f"search needs Whoosh {WHOOSH_VERSION} (its writer internals are used), found {whoosh.versionstring()}"
    )

# Memory for a writer's posting pool (the fields Whoosh still indexes: id, lang).
WRITER_LIMIT_MB = 256
WORKER_LIMIT_MB = 64
# How much a segment's postings may hold in memory while they are gathered;
# sorting them at the end takes about as much again.
SEGMENT_BYTES = 112 * 2**20


class Writer(SegmentWriter):
    """Whoosh's segment writer, with the postings of the column fields
    (search/postings) gathered into a SegmentBuilder and written beside the
    segment as arrays, instead of into Whoosh's posting pool. Whoosh still
    stores every stored field and indexes the others (id, lang)."""

    def __init__(self, ix: Index, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self.ix = ix
        self.columns = SegmentBuilder(self.schema)
        self._column_fields = frozenset(self.columns.fields)

    def add_document(self, **fields: Any) -> None:
        # SegmentWriter.add_document (Whoosh 2.7.4) with the column fields
        # given to the builder; field spelling and vectors are never used here.
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        add_post = self.pool.add
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        columns = self._column_fields
        self.columns.add({name: fields.get(name) for name in columns}, fields)
        perdocwriter.start_doc(docnum)
        for fieldname in fieldnames:
            value = fields.get(fieldname)
            if value is None:
                continue
            field = schema[fieldname]
            if field.indexed and fieldname not in columns:
                fieldboost = self._field_boost(fields, fieldname, docboost)
                for tbytes, _, weight, vbytes in field.index(value):
                    add_post((fieldname, tbytes, docnum, weight * fieldboost, vbytes))
            if field.separate_spelling() or field.vector:
                raise NotImplementedError(f"field {fieldname!r}: spelling and vectors are not written by this writer")
            # Lengths of the column fields live in the posting store; the others are unscored.
            perdocwriter.add_field(fieldname, field, value if field.stored else None, 0)
            column = field.column_type
            if column:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def add_reader(self, reader: IndexReader) -> None:
        """Merge a segment's documents in (Whoosh's merge policy calls this),
        its column postings included, its deleted documents dropped."""
        super().add_reader(reader)
        segment = reader.segment()
        path = postings_path(self.storage.folder, segment.segment_id())
        deleted = set(segment.deleted_docs()) if segment.has_deletions() else set()
        self.columns.add_segment(open_posting_file(path), deleted)

    def _finalize_segment(self) -> Segment:
        segment = super()._finalize_segment()
        self.columns.write(postings_path(self.storage.folder, segment.segment_id()))
        write_segment_checksums(self.storage.folder, segment.segment_id())
        return segment


class SegmentSeries:
    """Documents written into new segments that each hold at most about
    SEGMENT_BYTES of postings while they are built, a new one begun whenever
    one is full, so that an indexer's memory does not grow with the corpus.
    The run's main writer deletes and commits; these segments join its
    commit, in order."""

    def __init__(self, ix: Index) -> None:
        self.ix = ix
        self.schema = ix.schema
        self.writer: Writer | None = None
        self.segments: list[Segment] = []

    def add(self, fields: dict[str, Any]) -> None:
        if self.writer is None:
            # The writers of a run share one temporary folder (Whoosh names it
            # after the index): the main writer's commit or cancel removes it.
            self.writer = Writer(self.ix, _lk=False, limitmb=WORKER_LIMIT_MB)
        self.writer.add_document(**fields)
        if self.writer.columns.held_bytes() >= SEGMENT_BYTES:
            self.segments.append(self.writer._finalize_segment())
            self.writer = None

    def finish(self) -> list[Segment]:
        """The segments written, in order."""
        if self.writer is not None:
            if self.writer.columns.doc_count:
                self.segments.append(self.writer._finalize_segment())
            else:
                self.writer._close_segment()  # its files are in no table of contents: the commit deletes them
        self.writer = None
        return self.segments


def open_writer(ix: Index, limitmb: int = WRITER_LIMIT_MB) -> Writer:
    """A writer holding the index's Whoosh lock (IndexBusy when another has it)."""
    try:
        return Writer(ix, limitmb=limitmb)
    except LockError:  # a writer outside these runs (a script, a tool)
        raise IndexBusy("another process holds the index's writer lock") from None


def abandon(writer: Writer) -> None:
    """Cancel ``writer`` whatever state its files are in: when closing them
    fails (a full disk), its lock is let go all the same, so that a later
    run in this process (the watcher, a test) can write."""
    if writer.is_closed:
        return
    try:
        writer.cancel()
    except Exception:  # its files are left to the next run's collection (index_leftovers.py)
        writer.is_closed = True
        if writer.writelock:
            writer.writelock.release()


def drop_segments(writer: Writer, segment_ids: Collection[str]) -> None:
    """Leave the segments ``segment_ids`` out of what ``writer`` reads,
    deletes from and commits: their documents are gone from its view, and
    its commit's table of contents no longer names them."""
    writer.segments = [segment for segment in writer.segments if segment.segment_id() not in segment_ids]
    writer._setup_doc_offsets()


# Tiered merging (Lucene's idea, kept simple): segments are grouped by the
# order of magnitude of their live documents; when one tier holds
# MERGE_AT_SEGMENTS of them, the smallest such tier is merged into the
# commit's segment, if the result holds at most MAX_MERGED_DOCS documents.
# A commit then rewrites only small segments (a segment of new files, a
# segment mostly deleted), and a merge's memory is bounded; the large
# segments a build writes stay as they are. Whoosh's own policy would fold
# about half of a 200,000-document index into one segment on the next small
# commit (it measured 89 s and 2.4 GB written for 100 new files).
MERGE_AT_SEGMENTS = 8
MAX_MERGED_DOCS = 20_000


def merge_small_segments(writer: Writer, segments: list[Segment]) -> list[Segment]:
    """A Whoosh merge policy: the segments to keep; the ones merged are
    given to ``writer.add_reader``."""
    tiers: dict[int, list[Segment]] = {}
    for segment in segments:
        tiers.setdefault(len(str(max(segment.doc_count(), 1))), []).append(segment)
    for _, group in sorted(tiers.items()):
        if len(group) >= MERGE_AT_SEGMENTS and sum(s.doc_count() for s in group) <= MAX_MERGED_DOCS:
            for segment in group:
                reader = SegmentReader(writer.storage, writer.schema, segment)
                writer.add_reader(reader)
                reader.close()
            return [segment for segment in segments if segment not in group]
    return segments


def commit_with_segments(writer: Writer, segments: list[Segment]) -> None:
    """Commit ``writer`` with ``segments`` (written by workers into the same
    index folder) after the existing ones, in one table of contents: what
    Whoosh's multiprocessing writer does with its sub-writers' segments."""
    writer._check_state()
    final = writer._merge_segments(merge_small_segments, None, None)
    final += segments
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(final)
    writer._finish()


# --- reading segments in place ---------------------------------------------------


class _ViewReader:
    """A read-only, seekable file over a memoryview, without copying it."""

    __slots__ = ("_view", "_pos", "closed")

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._pos = 0
        self.closed = False

    def _limit(self, size: int | None) -> int:
        end = len(self._view)
        return end if size is None or size < 0 else min(self._pos + size, end)

    def read(self, size: int | None = -1) -> bytes:
        start, end = self._pos, self._limit(size)
        if start >= end:
            return b""
        self._pos = end
        return bytes(self._view[start:end])

    def readline(self, size: int | None = -1) -> bytes:
        start, limit = self._pos, self._limit(size)
        end = start
        while end < limit:
            step = min(end + 4096, limit)
            cut = bytes(self._view[end:step]).find(b"\n")
            if cut >= 0:
                end += cut + 1
                break
            end = step
        return self.read(end - start)

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._view))[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self.closed = True


def _buffer_file_init(
    self: structfile.BufferFile,
    buf: memoryview | bytes,
    name: str | None = None,
    onclose: Callable[[structfile.StructFile], object] | None = None,
) -> None:
    self._buf = buf
    self._name = name
    self.file = _ViewReader(memoryview(buf))
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


structfile.BufferFile.__init__ = _buffer_file_init

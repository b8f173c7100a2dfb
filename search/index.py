"""The Whoosh index: open it, and bring it up to date with the docs folder.

Index and query time share one analyzer: it is stored in the schema
(search/schema.py) and Whoosh's query parser takes it from there. Where the
index lives and how runs are kept apart is in search/index_store.py.
"""

from __future__ import annotations

import errno
import json
import logging
import multiprocessing
import multiprocessing.queues
import os
import queue
import sqlite3
import threading
import time
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm
from whoosh import index as whoosh_index

from .duplicate_groups import groups_current, write_duplicate_groups
from .index_integrity import damaged_segments
from .index_leftovers import collect_uncommitted_files
from .index_store import (
    LAST_RUN_FILE,
    IndexBusy,
    clear_run_started,
    collect_stale_generations,
    live_dir,
    mark_run_started,
    new_generation_dir,
    publish,
    read_last_run,
    write_failed_run,
    write_last_run,
    writer_lock,
)
from .ingest import IngestError, read_document, source_hash, walk_folder
from .ingest.parse_worker import ParseWorker
from .lifetime import die_with_parent
from .names.tables import stored_tables_current, write_name_keys
from .postings.view import SearchIndex
from .schema import SHIPPED_PROFILE, document_fields, make_schema
from .whoosh_internals import SegmentSeries, abandon, commit_with_segments, drop_segments, open_writer

if TYPE_CHECKING:
    from whoosh.codec.base import Segment
    from whoosh.fields import Schema

    from .ingest import SourceFile
    from .whoosh_internals import Writer

run_log = logging.getLogger("search.index")
# How long an index run waits for another one to finish before giving up.
LOCK_WAIT_SECONDS = 30.0
# From this many files to (re)read, a run reads and analyses them in worker
# processes, one per core; below it, process start-up is not worth it.
PARALLEL_MIN_FILES = 200
MAX_PROCS = 4

__all__ = [
    "LAST_RUN_FILE",
    "IndexBusy",
    "IndexDiskFull",
    "IndexSummary",
    "IndexUnavailable",
    "index_exists",
    "make_schema",
    "open_index",
    "read_last_run",
    "update_index",
]


# Responses and records name no path of the machine (they may reach a client).
RUN_THE_INDEXER = "run 'python -m search index'"
NO_INDEX = f"no index in the index folder: {RUN_THE_INDEXER}"
# What an incremental run compares a file with: (size, mtime, sha256) by doc id.
Fingerprint = tuple[int, float, str]


class IndexUnavailable(Exception):
    """The index does not exist or cannot be opened."""


class IndexDiskFull(Exception):
    """The disk holding the index filled up during a run (the run was undone)."""


@dataclass
class IndexSummary:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # [(doc_id, reason)]
    documents: int = 0
    seconds: float = 0.0
    rebuilt: bool = False
    # [(segment_id, reason)]: damaged, dropped, re-read
    repaired: list[tuple[str, str]] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.unchanged} unchanged, {len(self.failed)} failed; "
            f"{self.documents} documents in the index ({self.seconds:.1f}s)"
            + (" [rebuilt]" if self.rebuilt else "")
            + (f" [repaired {len(self.repaired)} damaged segment(s)]" if self.repaired else "")
        )

    def log_fields(self) -> dict[str, int | float | bool]:
        """The run's counts for its log line (no document ids: a failed file's
        reason is in last_run.json)."""
        counts = {name: getattr(self, name) for name in ("added", "updated", "removed", "unchanged", "documents")}
        return counts | {
            "failed": len(self.failed),
            "repaired": len(self.repaired),
            "rebuilt": self.rebuilt,
            "seconds": round(self.seconds, 3),
        }

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["failed"] = [{"id": doc_id, "reason": reason} for doc_id, reason in self.failed]
        data["repaired"] = [{"segment": segment_id, "reason": reason} for segment_id, reason in self.repaired]
        return data


def open_index(index_dir: str | os.PathLike[str]) -> SearchIndex:
    """Open the live generation for searching, or raise IndexUnavailable."""
    path = live_dir(index_dir)
    if path is None:
        raise IndexUnavailable(NO_INDEX)
    try:
        return SearchIndex(whoosh_index.open_dir(str(path)))
    except (whoosh_index.EmptyIndexError, OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise IndexUnavailable(f"no usable index in the index folder ({reason}): {RUN_THE_INDEXER}") from None


def index_exists(index_dir: str | os.PathLike[str]) -> bool:
    path = live_dir(index_dir)
    return path is not None and whoosh_index.exists_in(str(path))


def _indexed_fingerprints(ix: Writer) -> dict[str, Fingerprint]:
    """{doc_id: (size, mtime, sha256)} of every document in the index (or in
    what a writer reads of it)."""
    with ix.reader() as reader:
        found: dict[str, Fingerprint] = {}
        if not reader.doc_count_all():  # no segment (Whoosh's empty reader has no columns)
            return found
        column = reader.column_reader("fingerprint", translate=False)
        for docnum in range(reader.doc_count_all()):
            if not reader.is_deleted(docnum):
                doc_id, size, mtime, sha256 = json.loads(column[docnum])
                found[doc_id] = (size, mtime, sha256)
        return found


# --- writing ------------------------------------------------------------------


# --- reading the folder -----------------------------------------------------------


def _plan(
    docs_dir: Path, known: Mapping[str, Fingerprint], summary: IndexSummary
) -> tuple[list[tuple[str, str]], list[SourceFile], list[SourceFile]]:
    """Which files to read: ``(walk_errors, sources, todo)``, the walk's
    refusals, every file found and those that are new or changed (by size
    or mtime, then by content hash)."""
    walk_errors: list[tuple[str, str]] = []
    sources = list(walk_folder(docs_dir, walk_errors))
    summary.failed.extend(walk_errors)
    todo = []
    for source in sources:
        previous = known.get(source.doc_id)
        if previous and previous[0] == source.size and previous[1] == source.mtime:
            summary.unchanged += 1
            continue
        todo.append(source)
    return walk_errors, sources, todo


def _changed(source: SourceFile, previous: Fingerprint | None, max_bytes: int | None) -> bool:
    """False when the content hash shows ``source`` unchanged since indexed."""
    return not previous or source_hash(source, max_bytes) != previous[2]


def _read_fields(
    source: SourceFile, schema: Schema, max_bytes: int | None, parser: ParseWorker | None
) -> dict[str, Any]:
    """The index fields of ``source``, or IngestError with the reason: every
    failure of one file is that file's, never the run's."""
    try:
        return document_fields(read_document(source, max_bytes=max_bytes, parser=parser), schema)
    except IngestError:
        raise
    except OSError as error:
        raise IngestError(error.strerror or str(error)) from None
    except Exception as error:  # RecursionError, MemoryError, UnicodeError, whatever: reported, not fatal
        raise IngestError(f"{type(error).__name__}: {error}"[:500]) from None


def _sync(
    writer: Writer,
    docs_dir: Path,
    known: Mapping[str, Fingerprint],
    summary: IndexSummary,
    max_bytes: int | None,
    progress: bool,
    procs: int = 1,
) -> list[Segment]:
    """Add, update and remove documents so the index matches the folder.
    Returns the new segments, for ``writer`` to commit."""
    _, sources, todo = _plan(docs_dir, known, summary)
    first_read_failure = len(summary.failed)
    bar = tqdm(total=len(sources), desc="indexing", unit="file", disable=None if progress else True, leave=False)
    bar.update(len(sources) - len(todo))
    segments: list[Segment] = []
    try:
        parallel = procs > 1 and len(todo) >= PARALLEL_MIN_FILES
        changed = _changed_sources(todo, known, summary, bar, max_bytes)
        if parallel and changed:
            segments = _read_in_parallel(writer, changed, known, summary, max_bytes, procs, bar)
        else:
            series = SegmentSeries(writer.ix)
            with ParseWorker() as parser:
                for source in changed:
                    bar.update(1)
                    try:
                        fields = _read_fields(source, writer.schema, max_bytes, parser)
                    except IngestError as error:
                        summary.failed.append((source.doc_id, str(error)))
                        continue
                    if source.doc_id in known:
                        writer.delete_by_term("id", source.doc_id)
                        summary.updated += 1
                    else:
                        summary.added += 1
                    series.add(fields)
            segments = series.finish()
    finally:
        bar.close()
    # A file that failed leaves the index with the ones that are gone: its
    # old text would otherwise stay searchable (emptied, made binary, become
    # a link leading out or a FIFO, vanished while read).
    # (The walk's own refusals are not among the sources; one that names a
    # source is a second file escaping to its name, and the first one stays.)
    read_failures = {doc_id for doc_id, _ in summary.failed[first_read_failure:]}
    present = {source.doc_id for source in sources} - read_failures
    for doc_id in sorted(set(known) - present):
        writer.delete_by_term("id", doc_id)
        summary.removed += 1
    return segments


# --- worker processes ---------------------------------------------------------------

PROGRESS_EVERY = 20


def worker_count() -> int:
    """Worker processes for a parallel run: the cores this process may use;
    one (no fork) when this process runs other threads (watch mode's file
    observer, a threaded server), since a forked child could inherit a lock
    one of them held and wait on it for ever."""
    if threading.active_count() > 1:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_PROCS))


def _index_part(
    folder: str,
    part: Sequence[SourceFile],
    number: int,
    max_bytes: int | None,
    messages: multiprocessing.queues.Queue[tuple[Any, ...]],
    parent: int,
) -> None:
    """A worker: read, analyse and write the files of ``part`` into segments
    of its own in the index at ``folder``; report progress, then
    ``("done", number, [segments], [doc_id indexed], [(doc_id, reason)])``."""
    die_with_parent(parent)  # never outlive the run's index lock
    try:
        series = SegmentSeries(whoosh_index.open_dir(folder))
        indexed: list[str] = []
        failed: list[tuple[str, str]] = []
        pending = 0
        with ParseWorker() as parser:
            for source in part:
                pending += 1
                if pending == PROGRESS_EVERY:
                    messages.put(("progress", pending))
                    pending = 0
                try:
                    fields = _read_fields(source, series.schema, max_bytes, parser)
                except IngestError as error:
                    failed.append((source.doc_id, str(error)))
                    continue
                series.add(fields)
                indexed.append(source.doc_id)
        messages.put(("progress", pending))
        messages.put(("done", number, series.finish(), indexed, failed))
    except BaseException:
        messages.put(("error", number, traceback.format_exc()))
    finally:
        messages.close()
        messages.join_thread()


def _changed_sources(
    todo: Iterable[SourceFile],
    known: Mapping[str, Fingerprint],
    summary: IndexSummary,
    bar: tqdm,
    max_bytes: int | None = None,
) -> list[SourceFile]:
    """The files of ``todo`` that are new or whose content hash changed; the
    unchanged ones, and those that cannot be hashed, are counted in ``summary``."""
    changed: list[SourceFile] = []
    for source in todo:
        try:
            if not _changed(source, known.get(source.doc_id), max_bytes):
                summary.unchanged += 1
                bar.update(1)
                continue
        except (IngestError, OSError) as error:
            summary.failed.append((source.doc_id, str(error)))
            bar.update(1)
            continue
        changed.append(source)
    return changed


def _read_in_parallel(
    writer: Writer,
    changed: Sequence[SourceFile],
    known: Mapping[str, Fingerprint],
    summary: IndexSummary,
    max_bytes: int | None,
    procs: int,
    bar: tqdm,
) -> list[Segment]:
    """Read and index ``changed`` in ``procs`` worker processes, each writing
    one segment of a contiguous share of the files (so documents keep the
    order a serial run gives them). Old versions of changed files are
    deleted through ``writer``. Returns the workers' segments, in order."""
    size = -(-len(changed) // procs)
    parts = [changed[i : i + size] for i in range(0, len(changed), size)]
    # The signatures' library, loaded once here rather than in every worker
    # (a third of a second each: datasketch loads scipy).
    import_module("search.duplicates")
    context = multiprocessing.get_context("fork")
    # ("progress", files), ("done", number, segments, indexed, failed) or ("error", number, traceback)
    messages: multiprocessing.queues.Queue[tuple[Any, ...]] = context.Queue()
    folder = writer.storage.folder
    workers = [
        context.Process(target=_index_part, args=(folder, part, number, max_bytes, messages, os.getpid()), daemon=True)
        for number, part in enumerate(parts)
    ]
    # worker number -> (its segments, the doc ids it indexed, its failures)
    results: dict[int, tuple[Any, ...]] = {}
    try:
        for worker in workers:
            worker.start()
        while len(results) < len(workers):
            try:
                message = messages.get(timeout=1.0)
            except queue.Empty:
                lost = [w for n, w in enumerate(workers) if n not in results and not w.is_alive()]
                if lost:
                    raise RuntimeError(f"an index worker died (exit code {lost[0].exitcode})") from None
                continue
            if message[0] == "progress":
                bar.update(message[1])
            elif message[0] == "error":
                raise RuntimeError(f"index worker {message[1]} failed:\n{message[2]}")
            else:
                results[message[1]] = message[2:]
        for worker in workers:
            worker.join()
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
                worker.join()
        messages.close()
    segments: list[Segment] = []
    for number in range(len(parts)):
        written, indexed, failed = results[number]
        segments.extend(written)
        summary.failed.extend(failed)
        for doc_id in indexed:
            if doc_id in known:
                writer.delete_by_term("id", doc_id)
                summary.updated += 1
            else:
                summary.added += 1
    return segments


def _open_live(index_dir: Path, schema: Schema) -> whoosh_index.Index | None:
    """The live index when it exists, can be opened and has ``schema``, else
    None (the run rebuilds)."""
    if not index_exists(index_dir):
        return None
    try:
        ix = open_index(index_dir).whoosh
    except IndexUnavailable:  # its table of contents is damaged: only a rebuild can mend it
        return None
    if ix.schema != schema:  # the analysis changed since it was built
        ix.close()
        return None
    return ix


def _repair(writer: Writer, summary: IndexSummary) -> None:
    """Verify every segment of the live index against its checksums; leave
    the damaged ones out of ``writer``, so that their documents are read
    again from the folder (they look new to the run) and the commit drops
    them. Reads the whole index once."""
    segment_ids = [segment.segment_id() for segment in writer.segments]
    damaged = damaged_segments(writer.storage.folder, segment_ids)
    if damaged:
        drop_segments(writer, set(damaged))
        summary.repaired.extend(sorted(damaged.items()))


def _bring_up_to_date(
    docs_dir: Path,
    index_dir: Path,
    schema: Schema,
    rebuild: bool,
    max_bytes: int | None,
    progress: bool,
    procs: int | None,
) -> IndexSummary:
    """One run's work, under the write lock: the summary, with the new
    generation (or None) to publish."""
    summary = IndexSummary()
    live = None if rebuild else _open_live(index_dir, schema)
    if live is None:
        previous = read_documents_count(index_dir)
        generation = new_generation_dir(index_dir)
        ix = whoosh_index.create_in(str(generation), schema)
        summary.rebuilt = True
    else:
        generation, ix = None, live
    try:
        writer = open_writer(ix)
        try:
            if generation is None:
                _repair(writer, summary)
            known = {} if generation else _indexed_fingerprints(writer)
            procs = worker_count() if procs is None else procs
            segments = _sync(writer, docs_dir, known, summary, max_bytes, progress, procs)
            changed = summary.added or summary.updated or summary.removed or summary.repaired
            if generation or changed:
                commit_with_segments(writer, segments)
                if "names" in schema:
                    write_name_keys(SearchIndex(ix), procs=procs)
                write_duplicate_groups(ix)
            else:
                writer.cancel()
                # A run killed between its commit and its names tables left them behind.
                if "names" in schema and not stored_tables_current(ix):
                    write_name_keys(SearchIndex(ix), procs=procs)
                if not groups_current(ix):
                    write_duplicate_groups(ix)
        except BaseException:
            abandon(writer)
            raise
        with ix.searcher() as searcher:
            summary.documents = searcher.doc_count()
    finally:
        ix.close()
    if generation:
        summary.removed = previous
        publish(index_dir, generation)
    return summary


def _collect_leftovers(index_dir: Path) -> None:
    """Remove what failed or killed runs left behind (under the write lock):
    half-built generations, and uncommitted files in the live one."""
    collect_stale_generations(index_dir)
    live = live_dir(index_dir)
    if live is not None:
        collect_uncommitted_files(live)


DISK_FULL = (
    "no space left on the disk that holds the index folder; the run was undone and the previous index "
    "still answers: free some space and run again"
)


DISK_FULL_ERRORS = (errno.ENOSPC, errno.EDQUOT)


def _disk_full(error: BaseException) -> bool:
    """Whether ``error`` is a full disk: raised here, or by a worker process
    (which reports its traceback as text, the exception on its last line)."""
    if isinstance(error, OSError):
        return error.errno in DISK_FULL_ERRORS
    if isinstance(error, sqlite3.Error):  # the names tables
        return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
    last = str(error).rstrip().rpartition("\n")[2]
    return any(last.startswith(f"OSError: [Errno {code}]") for code in DISK_FULL_ERRORS)


def describe_failure(error: BaseException) -> str:
    """What went wrong in a run, in one line that names no path of this
    machine (it is recorded, and shown over HTTP)."""
    if _disk_full(error) or isinstance(error, IndexDiskFull):
        return DISK_FULL
    if isinstance(error, OSError) and error.strerror:
        where = f" ({Path(error.filename).name})" if error.filename else ""
        return f"{error.strerror}{where}"
    lines = [line for line in str(error).splitlines() if line.strip()]
    # A worker's traceback ends with its exception; the frames before it name source paths.
    text = lines[-1].strip() if lines else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def update_index(
    docs_dir: str | os.PathLike[str],
    index_dir: str | os.PathLike[str],
    rebuild: bool = False,
    max_bytes: int | None = None,
    progress: bool = False,
    lock_wait: float = LOCK_WAIT_SECONDS,
    profile: str = SHIPPED_PROFILE,
    procs: int | None = None,
) -> IndexSummary:
    """Bring the index in ``index_dir`` up to date with ``docs_dir``.

    Incremental by default: a file is re-read only when its size or mtime
    changed, and re-indexed only when its content hash changed; files gone
    from the folder are removed. Every segment is checked against its
    checksums first; a damaged one is dropped and its files read again. With
    ``rebuild`` (or when the analysis changed, or the live index cannot be
    opened) every file is read into a new generation that replaces the live
    one in a single rename. One run writes at a time; another waits up to
    ``lock_wait`` seconds, then raises IndexBusy. ``profile`` names the
    analysis (see schema.PROFILES); only the quality harness uses another
    than the shipped one. ``procs`` is how many worker processes read and
    analyse the files when there are at least PARALLEL_MIN_FILES to read
    (default: one per core; 1 reads them in this process). Returns an
    IndexSummary.

    A run that fails leaves the previous index as it was, removes what it
    wrote, and records why in last_run.json (/healthz reports it); what a
    killed run left behind is removed by the next one. A full disk raises
    IndexDiskFull.
    """
    started = time.monotonic()
    docs_dir, index_dir = Path(docs_dir), Path(index_dir)
    if not docs_dir.is_dir():
        raise FileNotFoundError(errno.ENOENT, "docs folder not found", str(docs_dir))
    schema = make_schema(profile)
    with writer_lock(index_dir, lock_wait):
        try:
            _collect_leftovers(index_dir)
            mark_run_started(index_dir)
            summary = _bring_up_to_date(docs_dir, index_dir, schema, rebuild, max_bytes, progress, procs)
        except BaseException as error:
            _clean_up_after(index_dir, error, record=not isinstance(error, IndexBusy))
            _log_run({"error": type(error).__name__, "seconds": round(time.monotonic() - started, 3)})
            if _disk_full(error):
                raise IndexDiskFull(DISK_FULL) from error
            raise
        # Whoosh leaves a cancelled writer's empty files to the next commit: a run with nothing to commit removes them.
        _collect_leftovers(index_dir)
        summary.seconds = time.monotonic() - started
        write_last_run(index_dir, summary.as_dict())
    _log_run(summary.log_fields())
    return summary


def _log_run(fields: Mapping[str, Any]) -> None:
    """One JSON line per index run (search/request_log.py logs the requests)."""
    run_log.info(json.dumps({"event": "index_run", **fields}))


def _clean_up_after(index_dir: Path, error: BaseException, record: bool) -> None:
    """After a failed run: remove what it wrote, and record why it failed
    (not when another writer held the index: nothing went wrong with it)."""
    try:
        _collect_leftovers(index_dir)
        if record:
            write_failed_run(index_dir, describe_failure(error))
        else:
            clear_run_started(index_dir)
    except OSError:  # the disk may still be full; the next run collects and records
        pass


def read_documents_count(index_dir: str | os.PathLike[str]) -> int:
    """How many documents the live index holds (0 when there is none)."""
    try:
        ix = open_index(index_dir)
    except IndexUnavailable:
        return 0
    try:
        return ix.doc_count()
    finally:
        ix.close()

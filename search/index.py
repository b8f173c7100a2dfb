"""The Whoosh index: open it, and bring it up to date with the docs folder.

Index and query time share one analyzer: it is stored in the schema
(search/schema.py) and Whoosh's query parser takes it from there. Where the
index lives and how runs are kept apart is in search/index_store.py.
"""

import ctypes
import json
import multiprocessing
import os
import queue
import signal
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm import tqdm
from whoosh import index as whoosh_index

from .index_store import (
    LAST_RUN_FILE,
    IndexBusy,
    live_dir,
    new_generation_dir,
    publish,
    read_last_run,
    write_last_run,
    writer_lock,
)
from .ingest import IngestError, content_hash, read_document, walk_folder
from .names import stored_tables_current, write_name_keys
from .postings.view import SearchIndex
from .schema import SHIPPED_PROFILE, document_fields, make_schema
from .whoosh_internals import SegmentSeries, commit_with_segments, open_writer

# How long an index run waits for another one to finish before giving up.
LOCK_WAIT_SECONDS = 30.0
# From this many files to (re)read, a run reads and analyses them in worker
# processes, one per core; below it, process start-up is not worth it.
PARALLEL_MIN_FILES = 200
MAX_PROCS = 4

__all__ = [
    "LAST_RUN_FILE",
    "IndexBusy",
    "IndexSummary",
    "IndexUnavailable",
    "index_exists",
    "make_schema",
    "open_index",
    "read_last_run",
    "update_index",
]


class IndexUnavailable(Exception):
    """The index does not exist or cannot be opened."""


@dataclass
class IndexSummary:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list = field(default_factory=list)  # [(doc_id, reason)]
    documents: int = 0
    seconds: float = 0.0
    rebuilt: bool = False

    def line(self):
        return (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.unchanged} unchanged, {len(self.failed)} failed; "
            f"{self.documents} documents in the index ({self.seconds:.1f}s)" + (" [rebuilt]" if self.rebuilt else "")
        )

    def as_dict(self):
        data = asdict(self)
        data["failed"] = [{"id": doc_id, "reason": reason} for doc_id, reason in self.failed]
        return data


def open_index(index_dir):
    """Open the live generation for searching, or raise IndexUnavailable."""
    path = live_dir(index_dir)
    if path is None:
        raise IndexUnavailable(f"no index in {index_dir}: run 'python -m search index'")
    try:
        return SearchIndex(whoosh_index.open_dir(str(path)))
    except (whoosh_index.EmptyIndexError, OSError, ValueError) as error:
        raise IndexUnavailable(f"no usable index in {index_dir}: {error}") from None


def index_exists(index_dir):
    path = live_dir(index_dir)
    return path is not None and whoosh_index.exists_in(str(path))


def _indexed_fingerprints(ix):
    """{doc_id: (size, mtime, sha256)} of every document in the index."""
    with ix.reader() as reader:
        column = reader.column_reader("fingerprint", translate=False)
        found = {}
        for docnum in range(reader.doc_count_all()):
            if not reader.is_deleted(docnum):
                doc_id, size, mtime, sha256 = json.loads(column[docnum])
                found[doc_id] = (size, mtime, sha256)
        return found


# --- writing ------------------------------------------------------------------


# --- reading the folder -----------------------------------------------------------


def _plan(docs_dir, known, summary):
    """Which files to read: ``(sources, todo)``, every file found and those
    that are new or changed (by size or mtime, then by content hash)."""
    walk_errors = []
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


def _changed(source, previous):
    """False when the content hash shows ``source`` unchanged since indexed."""
    return not previous or content_hash(source.path) != previous[2]


def _sync(writer, docs_dir, known, summary, max_bytes, progress, procs=1):
    """Add, update and remove documents so the index matches the folder.
    Returns the new segments, for ``writer`` to commit."""
    walk_errors, sources, todo = _plan(docs_dir, known, summary)
    unreadable = {doc_id for doc_id, _ in walk_errors}
    bar = tqdm(total=len(sources), desc="indexing", unit="file", disable=None if progress else True, leave=False)
    bar.update(len(sources) - len(todo))
    segments = []
    try:
        parallel = procs > 1 and len(todo) >= PARALLEL_MIN_FILES
        changed = _changed_sources(todo, known, summary, bar)
        if parallel and changed:
            segments = _read_in_parallel(writer, changed, known, summary, max_bytes, procs, bar)
        else:
            series = SegmentSeries(writer.ix)
            for source in changed:
                bar.update(1)
                try:
                    document = read_document(source, max_bytes=max_bytes)
                except (IngestError, OSError) as error:
                    summary.failed.append((source.doc_id, str(error)))
                    continue
                if source.doc_id in known:
                    writer.delete_by_term("id", source.doc_id)
                    summary.updated += 1
                else:
                    summary.added += 1
                series.add(document_fields(document, writer.schema))
            segments = series.finish()
    finally:
        bar.close()
    seen = {source.doc_id for source in sources} | unreadable
    for doc_id in sorted(set(known) - seen):
        writer.delete_by_term("id", doc_id)
        summary.removed += 1
    return segments


# --- worker processes ---------------------------------------------------------------

_PR_SET_PDEATHSIG = 1
PROGRESS_EVERY = 20


def worker_count():
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


def _die_with_parent(parent):
    """Have the kernel kill this worker when the run that started it dies
    (even by SIGKILL), so that it never outlives the run's index lock."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def _index_part(folder, part, number, max_bytes, messages, parent):
    """A worker: read, analyse and write the files of ``part`` into segments
    of its own in the index at ``folder``; report progress, then
    ``("done", number, [segments], [doc_id indexed], [(doc_id, reason)])``."""
    _die_with_parent(parent)
    try:
        series = SegmentSeries(whoosh_index.open_dir(folder))
        indexed, failed, pending = [], [], 0
        for source in part:
            pending += 1
            if pending == PROGRESS_EVERY:
                messages.put(("progress", pending))
                pending = 0
            try:
                document = read_document(source, max_bytes=max_bytes)
            except (IngestError, OSError) as error:
                failed.append((source.doc_id, str(error)))
                continue
            series.add(document_fields(document, series.schema))
            indexed.append(source.doc_id)
        messages.put(("progress", pending))
        messages.put(("done", number, series.finish(), indexed, failed))
    except BaseException:
        messages.put(("error", number, traceback.format_exc()))
    finally:
        messages.close()
        messages.join_thread()


def _changed_sources(todo, known, summary, bar):
    """The files of ``todo`` that are new or whose content hash changed; the
    unchanged ones, and those that cannot be hashed, are counted in ``summary``."""
    changed = []
    for source in todo:
        try:
            if not _changed(source, known.get(source.doc_id)):
                summary.unchanged += 1
                bar.update(1)
                continue
        except OSError as error:
            summary.failed.append((source.doc_id, str(error)))
            bar.update(1)
            continue
        changed.append(source)
    return changed


def _read_in_parallel(writer, changed, known, summary, max_bytes, procs, bar):
    """Read and index ``changed`` in ``procs`` worker processes, each writing
    one segment of a contiguous share of the files (so documents keep the
    order a serial run gives them). Old versions of changed files are
    deleted through ``writer``. Returns the workers' segments, in order."""
    size = -(-len(changed) // procs)
    parts = [changed[i : i + size] for i in range(0, len(changed), size)]
    context = multiprocessing.get_context("fork")
    messages = context.Queue()
    folder = writer.storage.folder
    workers = [
        context.Process(target=_index_part, args=(folder, part, number, max_bytes, messages, os.getpid()), daemon=True)
        for number, part in enumerate(parts)
    ]
    results = {}
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
    segments = []
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


def _open_live(index_dir, schema):
    """The live index when it exists and has ``schema``, else None."""
    if not index_exists(index_dir):
        return None
    ix = open_index(index_dir).whoosh
    if ix.schema != schema:  # the analysis changed since it was built
        ix.close()
        return None
    return ix


def update_index(
    docs_dir,
    index_dir,
    rebuild=False,
    max_bytes=None,
    progress=False,
    lock_wait=LOCK_WAIT_SECONDS,
    profile=SHIPPED_PROFILE,
    procs=None,
):
    """Bring the index in ``index_dir`` up to date with ``docs_dir``.

    Incremental by default: a file is re-read only when its size or mtime
    changed, and re-indexed only when its content hash changed; files gone
    from the folder are removed. With ``rebuild`` (or when the analysis
    changed) every file is read into a new generation that replaces the live
    one in a single rename. One run writes at a time; another waits up to
    ``lock_wait`` seconds, then raises IndexBusy. ``profile`` names the
    analysis (see schema.PROFILES); only the quality harness uses another
    than the shipped one. ``procs`` is how many worker processes read and
    analyse the files when there are at least PARALLEL_MIN_FILES to read
    (default: one per core; 1 reads them in this process). Returns an
    IndexSummary.
    """
    started = time.monotonic()
    docs_dir, index_dir = Path(docs_dir), Path(index_dir)
    if not docs_dir.is_dir():
        raise FileNotFoundError(f"docs folder not found: {docs_dir}")
    schema = make_schema(profile)
    summary = IndexSummary()
    with writer_lock(index_dir, lock_wait):
        live = None if rebuild else _open_live(index_dir, schema)
        if live is None:
            previous = read_documents_count(index_dir)
            generation = new_generation_dir(index_dir)
            ix = whoosh_index.create_in(str(generation), schema)
            known, summary.rebuilt = {}, True
        else:
            generation, ix = None, live
            known = _indexed_fingerprints(ix)
        try:
            writer = open_writer(ix)
            try:
                procs = worker_count() if procs is None else procs
                segments = _sync(writer, docs_dir, known, summary, max_bytes, progress, procs)
            except BaseException:
                writer.cancel()
                raise
            if generation or summary.added or summary.updated or summary.removed:
                commit_with_segments(writer, segments)
                if "names" in schema:
                    write_name_keys(SearchIndex(ix), procs=procs)
            else:
                writer.cancel()
                # A run killed between its commit and its names tables left them behind.
                if "names" in schema and not stored_tables_current(ix):
                    write_name_keys(SearchIndex(ix), procs=procs)
            with ix.searcher() as searcher:
                summary.documents = searcher.doc_count()
        finally:
            ix.close()
        if generation:
            summary.removed = previous
            publish(index_dir, generation)
        summary.seconds = time.monotonic() - started
        write_last_run(index_dir, summary.as_dict())
    return summary


def read_documents_count(index_dir):
    """How many documents the live index holds (0 when there is none)."""
    try:
        ix = open_index(index_dir)
    except IndexUnavailable:
        return 0
    try:
        return ix.doc_count()
    finally:
        ix.close()

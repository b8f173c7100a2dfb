"""The Whoosh index: open it, and bring it up to date with the docs folder.

Index and query time share one analyzer: it is stored in the schema
(search/schema.py) and Whoosh's query parser takes it from there. Where the
index lives and how runs are kept apart is in search/index_store.py.
"""

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm import tqdm
from whoosh import index as whoosh_index
from whoosh.index import LockError

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
from .names import write_name_keys
from .schema import SHIPPED_PROFILE, document_fields, make_schema

# How long an index run waits for another one to finish before giving up.
LOCK_WAIT_SECONDS = 30.0

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
        return whoosh_index.open_dir(str(path))
    except (whoosh_index.EmptyIndexError, OSError, ValueError) as error:
        raise IndexUnavailable(f"no usable index in {index_dir}: {error}") from None


def index_exists(index_dir):
    path = live_dir(index_dir)
    return path is not None and whoosh_index.exists_in(str(path))


def _indexed_fingerprints(ix):
    """{doc_id: (size, mtime, sha256)} of every document in the index."""
    with ix.searcher() as searcher:
        return {
            fields["id"]: (fields["size"], fields["mtime"], fields["sha256"]) for fields in searcher.all_stored_fields()
        }


def _sync(writer, docs_dir, known, summary, max_bytes, progress):
    """Add, update and remove documents so the index matches the folder."""
    walk_errors = []
    sources = list(walk_folder(docs_dir, walk_errors))
    summary.failed.extend(walk_errors)
    unreadable = {doc_id for doc_id, _ in walk_errors}
    bar = tqdm(sources, desc="indexing", unit="file", disable=None if progress else True, leave=False)
    for source in bar:
        previous = known.get(source.doc_id)
        if previous and previous[0] == source.size and previous[1] == source.mtime:
            summary.unchanged += 1
            continue
        try:
            if previous and content_hash(source.path) == previous[2]:
                summary.unchanged += 1
                continue
            document = read_document(source, max_bytes=max_bytes)
        except (IngestError, OSError) as error:
            summary.failed.append((source.doc_id, str(error)))
            continue
        writer.update_document(**document_fields(document, writer.schema))
        if previous:
            summary.updated += 1
        else:
            summary.added += 1
    seen = {source.doc_id for source in sources} | unreadable
    for doc_id in sorted(set(known) - seen):
        writer.delete_by_term("id", doc_id)
        summary.removed += 1


def _open_live(index_dir, schema):
    """The live index when it exists and has ``schema``, else None."""
    if not index_exists(index_dir):
        return None
    ix = open_index(index_dir)
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
):
    """Bring the index in ``index_dir`` up to date with ``docs_dir``.

    Incremental by default: a file is re-read only when its size or mtime
    changed, and re-indexed only when its content hash changed; files gone
    from the folder are removed. With ``rebuild`` (or when the analysis
    changed) every file is read into a new generation that replaces the live
    one in a single rename. One run writes at a time; another waits up to
    ``lock_wait`` seconds, then raises IndexBusy. ``profile`` names the
    analysis (see schema.PROFILES); only the quality harness uses another
    than the shipped one. Returns an IndexSummary.
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
            try:
                writer = ix.writer(limitmb=256)
            except LockError:  # a writer outside these runs (a script, a tool)
                raise IndexBusy("another process holds the index's writer lock") from None
            try:
                _sync(writer, docs_dir, known, summary, max_bytes, progress)
            except BaseException:
                writer.cancel()
                raise
            if generation or summary.added or summary.updated or summary.removed:
                writer.commit()
                if "names" in schema:
                    write_name_keys(ix)
            else:
                writer.cancel()
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

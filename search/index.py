"""The Whoosh index on disk: schema, open/create, incremental update, rebuild.

Index and query time share one analyzer: it is stored in the schema below and
Whoosh's query parser takes it from there.
"""

import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm
from whoosh import index as whoosh_index
from whoosh.index import LockError
from whoosh.writing import CLEAR

from .ingest import IngestError, content_hash, read_document, walk_folder
from .schema import SHIPPED_PROFILE, document_fields, make_schema

LAST_RUN_FILE = "last_run.json"
# How long an index run waits for another one to finish before giving up.
LOCK_WAIT_SECONDS = 30.0


class IndexUnavailable(Exception):
    """The index does not exist or cannot be opened."""


class IndexBusy(Exception):
    """Another index run holds the lock."""


@dataclass
class IndexSummary:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list = field(default_factory=list)  # [(doc_id, reason)]
    documents: int = 0
    seconds: float = 0.0

    def line(self):
        return (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.unchanged} unchanged, {len(self.failed)} failed; "
            f"{self.documents} documents in the index ({self.seconds:.1f}s)"
        )

    def as_dict(self):
        data = asdict(self)
        data["failed"] = [{"id": doc_id, "reason": reason} for doc_id, reason in self.failed]
        return data


def open_index(index_dir):
    """Open the index for searching, or raise IndexUnavailable."""
    try:
        return whoosh_index.open_dir(str(index_dir))
    except (whoosh_index.EmptyIndexError, OSError, ValueError) as error:
        raise IndexUnavailable(f"no usable index in {index_dir}: {error}") from None


def index_exists(index_dir):
    return Path(index_dir).is_dir() and whoosh_index.exists_in(str(index_dir))


def read_last_run(index_dir):
    """The summary of the last index run, with its finish time, or None."""
    try:
        return json.loads((Path(index_dir) / LAST_RUN_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None


def _write_last_run(index_dir, summary):
    record = {"finished_at": datetime.now(UTC).isoformat(timespec="seconds"), **summary.as_dict()}
    target = Path(index_dir) / LAST_RUN_FILE
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(record, ensure_ascii=False, indent=1), "utf-8")
    os.replace(temporary, target)


def _indexed_fingerprints(ix):
    """{doc_id: (size, mtime, sha256)} of every document in the index."""
    with ix.searcher() as searcher:
        return {
            fields["id"]: (fields["size"], fields["mtime"], fields["sha256"]) for fields in searcher.all_stored_fields()
        }


def _open_writer(ix, lock_wait):
    try:
        return ix.writer(timeout=lock_wait, delay=0.25, limitmb=256)
    except LockError:
        raise IndexBusy(f"another index run is writing this index; gave up after waiting {lock_wait:.0f}s") from None


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
    changed, and re-indexed only when its content hash changed. With
    ``rebuild`` every file is read again and the old documents are dropped
    in the same commit, so searches see the old index until the new one is
    complete. ``profile`` names the analysis (see schema.PROFILES); only
    the quality harness uses another than the shipped one. Returns an
    IndexSummary.
    """
    started = time.monotonic()
    docs_dir, index_dir = Path(docs_dir), Path(index_dir)
    if not docs_dir.is_dir():
        raise FileNotFoundError(f"docs folder not found: {docs_dir}")
    summary = IndexSummary()
    if index_exists(index_dir):
        ix = open_index(index_dir)
        if ix.schema != make_schema(profile):
            # The analysis changed since this index was built: rebuild it.
            ix.close()
            return _rebuild_beside(docs_dir, index_dir, max_bytes, progress, started, profile)
    else:
        index_dir.mkdir(parents=True, exist_ok=True)
        ix = whoosh_index.create_in(str(index_dir), make_schema(profile))
    try:
        writer = _open_writer(ix, lock_wait)
        try:
            known = _indexed_fingerprints(ix)
            if rebuild:
                summary.removed = len(known)
                _sync(writer, docs_dir, {}, summary, max_bytes, progress)
                writer.commit(mergetype=CLEAR)
            else:
                _sync(writer, docs_dir, known, summary, max_bytes, progress)
                if summary.added or summary.updated or summary.removed:
                    writer.commit()
                else:
                    writer.cancel()
        except BaseException:
            writer.cancel()
            raise
        with ix.searcher() as searcher:
            summary.documents = searcher.doc_count()
    finally:
        ix.close()
    summary.seconds = time.monotonic() - started
    _write_last_run(index_dir, summary)
    return summary


def _rebuild_beside(docs_dir, index_dir, max_bytes, progress, started, profile):
    """Build a fresh index next to ``index_dir`` and swap it in."""
    building = index_dir.with_name(f"{index_dir.name}.building-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    summary = IndexSummary()
    ix = whoosh_index.create_in(str(building), make_schema(profile))
    try:
        writer = _open_writer(ix, 0)
        _sync(writer, docs_dir, {}, summary, max_bytes, progress)
        writer.commit()
        with ix.searcher() as searcher:
            summary.documents = searcher.doc_count()
    finally:
        ix.close()
    retired = index_dir.with_name(f"{index_dir.name}.old-{os.getpid()}")
    os.replace(index_dir, retired)
    os.replace(building, index_dir)
    shutil.rmtree(retired, ignore_errors=True)
    summary.seconds = time.monotonic() - started
    _write_last_run(index_dir, summary)
    return summary

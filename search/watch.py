"""Keep the index up to date while files come and go in the docs folder.

File-system events only say *that* something changed; the index run that
follows finds out *what* (it compares sizes, times and content hashes), so a
missed or duplicated event can never leave the index wrong. Events are
batched: a run starts once the folder has been quiet for ``quiet_seconds``,
or ``max_delay`` seconds after the first event of a burst at the latest, so
copying a thousand files makes one or two runs, not a thousand commits.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .index import IndexBusy, IndexSummary, update_index
from .ingest import SUPPORTED_SUFFIXES

log = logging.getLogger(__name__)


def is_relevant(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """Whether a change at ``path`` can change the index: a supported file or
    a folder, outside hidden folders."""
    try:
        parts = Path(path).relative_to(root).parts
    except ValueError:
        return False
    if any(part.startswith(".") for part in parts):
        return False
    suffix = Path(path).suffix.lower()
    return suffix in SUPPORTED_SUFFIXES or suffix == ""


class ChangeBatcher(FileSystemEventHandler):
    """Counts relevant events and remembers when the burst began and last moved."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self._lock = threading.Lock()
        self.events = 0
        # monotonic times of the burst's first and last events (None: no burst)
        self.first: float | None = None
        self.last: float | None = None

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write") or (event.is_directory and event.event_type == "modified"):
            return
        # Text paths: the folder is watched by a text path (watchdog types them bytes or text).
        paths = [os.fsdecode(event.src_path), os.fsdecode(getattr(event, "dest_path", "") or "")]
        if not any(p and is_relevant(p, self.root) for p in paths):
            return
        with self._lock:
            now = time.monotonic()
            self.events += 1
            self.first = self.first or now
            self.last = now

    def take_batch(self, quiet_seconds: float, max_delay: float) -> int:
        """The number of events in a finished burst (and reset), or 0."""
        with self._lock:
            if not self.events:
                return 0
            assert self.first is not None and self.last is not None  # set with the burst's first event
            now = time.monotonic()
            if now - self.last < quiet_seconds and now - self.first < max_delay:
                return 0
            events, self.events, self.first, self.last = self.events, 0, None, None
            return events


def watch(
    docs_dir: str | os.PathLike[str],
    index_dir: str | os.PathLike[str],
    quiet_seconds: float = 2.0,
    max_delay: float = 30.0,
    max_bytes: int | None = None,
    stop: threading.Event | None = None,
    on_run: Callable[[int, IndexSummary], object] | None = None,
) -> None:
    """Index ``docs_dir`` now, then again after every burst of changes, until
    ``stop`` (a threading.Event) is set. ``on_run(events, summary)`` is
    called after each run."""
    stop = stop or threading.Event()
    batcher = ChangeBatcher(docs_dir)
    observer = Observer()
    observer.schedule(batcher, str(Path(docs_dir).resolve()), recursive=True)
    observer.start()
    try:
        _run(docs_dir, index_dir, max_bytes, 0, on_run)
        while not stop.wait(0.2):
            events = batcher.take_batch(quiet_seconds, max_delay)
            if events:
                _run(docs_dir, index_dir, max_bytes, events, on_run)
    finally:
        observer.stop()
        observer.join()


def _run(
    docs_dir: str | os.PathLike[str],
    index_dir: str | os.PathLike[str],
    max_bytes: int | None,
    events: int,
    on_run: Callable[[int, IndexSummary], object] | None,
) -> None:
    try:
        summary = update_index(docs_dir, index_dir, max_bytes=max_bytes)
    except IndexBusy as error:
        log.warning("%s; the changes will be picked up by the next run", error)
        return
    except Exception:  # a full disk, a bug: log it and keep watching
        log.exception("index run failed; the changes will be picked up by the next run")
        return
    log.info("%d file events: %s", events, summary.line())
    for doc_id, reason in summary.failed:
        log.warning("skipped %s: %s", doc_id, reason)
    if on_run:
        on_run(events, summary)

"""Where an index lives on disk, and who may write it.

    index/                  SEARCH_INDEX_DIR
      current -> gen-...    symbolic link to the live generation
      previous -> gen-...   the generation it replaced, kept for workers still reading it
      gen-<time>-<pid>/     a Whoosh index; the live one and the one before it
      last_run.json         the summary of the last index run, or why it failed
      damage.json           segments a serving worker found damaged (search/health.py)
      .lock                 held by the one process that writes

Incremental runs commit into the live generation (a Whoosh commit is atomic:
readers see the old table of contents until the new one is renamed into
place). A rebuild writes a new generation beside it and swaps the ``current``
link with one rename, so searches never see a half-built index. The previous
generation is kept until the next swap, so that a worker still reading it is
not cut off; anything else (a generation a killed run left half-built) goes,
at the swap or at the start of the next run (``collect_stale_generations``).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

CURRENT_LINK = "current"
PREVIOUS_LINK = "previous"
GENERATION_PREFIX = "gen-"
LOCK_FILE = ".lock"
LAST_RUN_FILE = "last_run.json"


class IndexBusy(Exception):
    """Another index run holds the lock."""


def live_generation(index_dir: str | os.PathLike[str]) -> str | None:
    """The name of the live generation, or None (one readlink: cheap enough
    to ask on every request)."""
    try:
        return os.readlink(Path(index_dir) / CURRENT_LINK)
    except OSError:
        return None


def live_dir(index_dir: str | os.PathLike[str]) -> Path | None:
    name = live_generation(index_dir)
    return None if name is None else Path(index_dir) / name


def new_generation_dir(index_dir: str | os.PathLike[str]) -> Path:
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / f"{GENERATION_PREFIX}{time.time_ns():020d}-{os.getpid()}"
    path.mkdir()
    return path


def _point(index_dir: Path, link: str, generation_name: str) -> None:
    """Point ``link`` at ``generation_name`` with one rename."""
    temporary = index_dir / f".{link}.{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    os.symlink(generation_name, temporary)
    os.replace(temporary, index_dir / link)


def publish(index_dir: str | os.PathLike[str], generation_dir: str | os.PathLike[str]) -> None:
    """Make ``generation_dir`` the live generation, atomically; keep the one
    it replaces for workers still reading it, and delete every other."""
    index_dir = Path(index_dir)
    previous = live_generation(index_dir)
    if previous:
        _point(index_dir, PREVIOUS_LINK, previous)
    _point(index_dir, CURRENT_LINK, Path(generation_dir).name)
    prune(index_dir, keep={Path(generation_dir).name, previous})


def previous_generation(index_dir: str | os.PathLike[str]) -> str | None:
    """The generation the live one replaced (kept for workers still reading
    it), or None. An index published before the ``previous`` link existed:
    the newest generation older than the live one (names sort by time)."""
    index_dir = Path(index_dir)
    live = live_generation(index_dir)
    try:
        named = os.readlink(index_dir / PREVIOUS_LINK)
    except OSError:
        named = None
    if named and named != live:
        return named
    older = sorted(p.name for p in index_dir.glob(f"{GENERATION_PREFIX}*") if live and p.name < live)
    return older[-1] if older else None


def collect_stale_generations(index_dir: str | os.PathLike[str]) -> None:
    """Delete the generations a killed or failed rebuild left behind, and the
    temporary links of a killed swap; keep the live one and the one before
    it (called under the write lock, so that no rebuild is under way)."""
    index_dir = Path(index_dir)
    if not index_dir.is_dir():
        return
    prune(index_dir, keep={live_generation(index_dir), previous_generation(index_dir)})
    for name in (CURRENT_LINK, PREVIOUS_LINK, LAST_RUN_FILE):
        for temporary in index_dir.glob(f".{name}.*"):
            temporary.unlink(missing_ok=True)


def prune(index_dir: str | os.PathLike[str], keep: Collection[str | None]) -> None:
    """Delete every generation whose name is not in ``keep``: older ones, and
    any left half-built by a run that died (called under the write lock)."""
    for path in Path(index_dir).glob(f"{GENERATION_PREFIX}*"):
        if path.is_dir() and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


@contextmanager
def writer_lock(index_dir: str | os.PathLike[str], wait: float) -> Iterator[None]:
    """Hold the index's write lock, waiting at most ``wait`` seconds for it.
    The lock is a flock: it dies with its process, so a killed run never
    leaves the index locked."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK_FILE, "a+") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusy(
                        f"another index run is writing this index; gave up after waiting {wait:.0f}s"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_last_run(index_dir: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The summary of the last index run, with its finish time, or None."""
    try:
        return json.loads((Path(index_dir) / LAST_RUN_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_last_run(index_dir: str | os.PathLike[str], summary_dict: Mapping[str, Any]) -> None:
    """Record a run that finished (what it did, and when)."""
    _write_record(index_dir, {"finished_at": _now(), **summary_dict})


def mark_run_started(index_dir: str | os.PathLike[str]) -> None:
    """Note that a run is under way: a run killed before it finished leaves
    the note behind, and /healthz tells (the last good summary stays)."""
    record = read_last_run(index_dir) or {}
    _write_record(index_dir, {**record, "run_started_at": _now()})


def clear_run_started(index_dir: str | os.PathLike[str]) -> None:
    """Take back mark_run_started: the run did not go ahead (another writer
    held the index), so it was not interrupted either."""
    record = read_last_run(index_dir) or {}
    if "run_started_at" in record:
        _write_record(index_dir, {name: value for name, value in record.items() if name != "run_started_at"})


def write_failed_run(index_dir: str | os.PathLike[str], error: str) -> None:
    """Record a run that failed, with ``error`` (a message without paths),
    beside the summary of the last run that finished."""
    record = {name: value for name, value in (read_last_run(index_dir) or {}).items() if name != "run_started_at"}
    _write_record(index_dir, {**record, "failed_run": {"at": _now(), "error": error}})


def _write_record(index_dir: str | os.PathLike[str], record: Mapping[str, Any]) -> None:
    target = Path(index_dir) / LAST_RUN_FILE
    temporary = target.with_name(f".{LAST_RUN_FILE}.{os.getpid()}")
    temporary.write_text(json.dumps(record, ensure_ascii=False, indent=1), "utf-8")
    os.replace(temporary, target)

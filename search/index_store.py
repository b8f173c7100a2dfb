"""Where an index lives on disk, and who may write it.

    index/                  SEARCH_INDEX_DIR
      current -> gen-...    symbolic link to the live generation
      gen-<time>-<pid>/     a Whoosh index; the live one and the one before it
      last_run.json         the summary of the last index run
      .lock                 held by the one process that writes

Incremental runs commit into the live generation (a Whoosh commit is atomic:
readers see the old table of contents until the new one is renamed into
place). A rebuild writes a new generation beside it and swaps the ``current``
link with one rename, so searches never see a half-built index. The previous
generation is kept until the next swap, so that a worker still reading it is
not cut off; anything else (a generation a killed run left half-built) goes.
"""

import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

CURRENT_LINK = "current"
GENERATION_PREFIX = "gen-"
LOCK_FILE = ".lock"
LAST_RUN_FILE = "last_run.json"


class IndexBusy(Exception):
    """Another index run holds the lock."""


def live_generation(index_dir):
    """The name of the live generation, or None (one readlink: cheap enough
    to ask on every request)."""
    try:
        return os.readlink(Path(index_dir) / CURRENT_LINK)
    except OSError:
        return None


def live_dir(index_dir):
    name = live_generation(index_dir)
    return None if name is None else Path(index_dir) / name


def new_generation_dir(index_dir):
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / f"{GENERATION_PREFIX}{time.time_ns():020d}-{os.getpid()}"
    path.mkdir()
    return path


def publish(index_dir, generation_dir):
    """Make ``generation_dir`` the live generation, atomically; keep the one
    it replaces for workers still reading it, and delete every other."""
    index_dir = Path(index_dir)
    previous = live_generation(index_dir)
    temporary = index_dir / f".{CURRENT_LINK}.{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    os.symlink(Path(generation_dir).name, temporary)
    os.replace(temporary, index_dir / CURRENT_LINK)
    prune(index_dir, keep={Path(generation_dir).name, previous})


def prune(index_dir, keep):
    """Delete every generation whose name is not in ``keep``: older ones, and
    any left half-built by a run that died (called under the write lock)."""
    for path in Path(index_dir).glob(f"{GENERATION_PREFIX}*"):
        if path.is_dir() and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


@contextmanager
def writer_lock(index_dir, wait):
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


def read_last_run(index_dir):
    """The summary of the last index run, with its finish time, or None."""
    try:
        return json.loads((Path(index_dir) / LAST_RUN_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None


def write_last_run(index_dir, summary_dict):
    record = {"finished_at": datetime.now(UTC).isoformat(timespec="seconds"), **summary_dict}
    target = Path(index_dir) / LAST_RUN_FILE
    temporary = target.with_name(f".{LAST_RUN_FILE}.{os.getpid()}")
    temporary.write_text(json.dumps(record, ensure_ascii=False, indent=1), "utf-8")
    os.replace(temporary, target)

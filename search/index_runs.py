"""Index runs started over HTTP: each runs in a process of its own, and its
state lives on disk, so that any gunicorn worker can answer for it.

    index/                  SEARCH_INDEX_DIR (see index_store.py for the rest)
      .run.lock             flock held by the run started over HTTP, for its whole life
      runs/<id>.json        a run's record: running, then done (with the summary) or failed
      runs/<id>.log         the run process's output (a traceback, when it crashed)

The web worker takes the run lock, writes the record and starts
``python -m search.index_runs`` with the lock's descriptor, then answers. The
run process keeps that lock until it exits, and a flock dies with the last
process holding it: so the lock says whether the run is still alive even
when it was killed, where a pid could be a zombie or reused. Once started,
a record is written by its run process alone (its last write comes before it
lets the lock go), or, when that process died, by the next start, which marks
it failed. A run started from the command line or by the watcher holds only
the index's writer lock, and counts as running all the same.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import IO, Any, NoReturn

from .index import describe_failure, update_index
from .index_store import LOCK_FILE, IndexBusy

RUNS_DIR = "runs"
RUN_LOCK_FILE = ".run.lock"
# Records kept; older ones go when a run starts.
KEEP_RUNS = 20
# How long a start waits for the run lock while only status checks hold it.
START_WAIT_SECONDS = 1.0
RUN_ID = re.compile(r"\d{8}T\d{6}\.\d{6}Z")
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
INTERRUPTED = "interrupted: the run's process ended before it finished (killed, or the machine stopped)"
# A run's record (runs/<id>.json): id, state, rebuild, pid, times, summary, error.
RunRecord = dict[str, Any]


class RunConflict(Exception):
    """Another index run is under way; ``run`` is its record when it was started over HTTP."""

    def __init__(self, message: str, run: RunRecord | None = None) -> None:
        super().__init__(message)
        self.run = run


class RunStopped(Exception):
    """The run process was asked to stop (SIGTERM)."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _held(path: str | os.PathLike[str]) -> bool:
    """Whether a process holds ``path``'s flock exclusively. The check takes a
    shared lock and drops it at once: checks never wait on each other."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _take(handle: IO[str], path: Path, index_dir: Path, wait: float) -> bool:
    """Lock ``handle`` exclusively: False at once when a run holds the lock,
    or after ``wait`` seconds of status checks, or of a finished run's exit,
    in the way."""
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline or (_held(path) and _latest_is_running(index_dir)):
                return False
            time.sleep(0.01)


# --- records -----------------------------------------------------------------


def _record_path(index_dir: str | os.PathLike[str], run_id: str) -> Path:
    return Path(index_dir) / RUNS_DIR / f"{run_id}.json"


def _read(path: Path) -> RunRecord | None:
    try:
        record = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and "state" in record else None


def _write(index_dir: str | os.PathLike[str], record: Mapping[str, Any]) -> None:
    target = _record_path(index_dir, record["id"])
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    temporary.write_text(json.dumps(record, ensure_ascii=False, indent=1), "utf-8")
    os.replace(temporary, target)


def _interrupted(record: Mapping[str, Any]) -> RunRecord:
    return {**record, "state": "failed", "error": INTERRUPTED}


def read_run(index_dir: str | os.PathLike[str], run_id: str) -> RunRecord | None:
    """Run ``run_id``'s record as it stands, or None. A record still
    "running" whose process is gone is a run that was killed: failed."""
    if not RUN_ID.fullmatch(run_id):
        return None
    path = _record_path(index_dir, run_id)
    record = _read(path)
    if record is None or record["state"] != "running" or _held(Path(index_dir) / RUN_LOCK_FILE):
        return record
    # The run writes its last state before it exits and lets the lock go.
    record = _read(path)
    return _interrupted(record) if record and record["state"] == "running" else record


def _run_ids(index_dir: str | os.PathLike[str]) -> list[str]:
    return sorted(path.stem for path in (Path(index_dir) / RUNS_DIR).glob("*.json") if RUN_ID.fullmatch(path.stem))


def latest_run(index_dir: str | os.PathLike[str]) -> RunRecord | None:
    """The record of the run started last over HTTP, or None."""
    run_ids = _run_ids(index_dir)
    return read_run(index_dir, run_ids[-1]) if run_ids else None


def _latest_is_running(index_dir: str | os.PathLike[str]) -> bool:
    latest = latest_run(index_dir)
    return latest is not None and latest["state"] == "running"


def indexing(index_dir: str | os.PathLike[str]) -> bool:
    """Whether an index run is under way, whoever started it."""
    return _held(Path(index_dir) / LOCK_FILE) or _latest_is_running(index_dir)


def _settle_earlier_runs(index_dir: str | os.PathLike[str]) -> None:
    """Under the run lock no earlier run is alive: a record still "running"
    is a killed run's, and says so from now on. Keep only the newest records."""
    run_ids = _run_ids(index_dir)
    old, recent = run_ids[: -(KEEP_RUNS - 1)], run_ids[-(KEEP_RUNS - 1) :]
    for run_id in old:
        for suffix in (".json", ".log"):
            _record_path(index_dir, run_id).with_suffix(suffix).unlink(missing_ok=True)
    for run_id in recent:
        record = _read(_record_path(index_dir, run_id))
        if record and record["state"] == "running":
            _write(index_dir, _interrupted(record))


# --- starting a run (in the web worker) ----------------------------------------


def start_run(
    docs_dir: str | os.PathLike[str],
    index_dir: str | os.PathLike[str],
    rebuild: bool = False,
    max_bytes: int | None = None,
) -> RunRecord:
    """Start an index run in a process of its own and return its record at
    once; raise RunConflict when a run is under way, whoever started it."""
    index_dir = Path(index_dir).resolve()
    (index_dir / RUNS_DIR).mkdir(parents=True, exist_ok=True)
    lock_path = index_dir / RUN_LOCK_FILE
    # Closing this copy of the descriptor leaves the lock to the run process.
    with open(lock_path, "a+") as lock:
        if not _take(lock, lock_path, index_dir, START_WAIT_SECONDS):
            running = latest_run(index_dir)
            running = running if running and running["state"] == "running" else None
            raise RunConflict("an index run is already under way", running)
        if _held(index_dir / LOCK_FILE):
            raise RunConflict("an index run started from the command line or the watcher is writing this index")
        _settle_earlier_runs(index_dir)
        started = datetime.now(UTC)
        record: RunRecord = {
            "id": started.strftime("%Y%m%dT%H%M%S.%fZ"),
            "state": "running",
            "rebuild": rebuild,
            "pid": None,  # the run process writes it once it is up
            "started_at": started.isoformat(timespec="seconds"),
            "finished_at": None,
            "summary": None,
            "error": None,
        }
        _write(index_dir, record)
        try:
            process = _spawn(record["id"], Path(docs_dir).resolve(), index_dir, rebuild, max_bytes, lock.fileno())
        except OSError as error:
            failed = {"state": "failed", "finished_at": _now(), "error": f"not started: {describe_failure(error)}"}
            _write(index_dir, {**record, **failed})
            raise
    # Collect its exit status, so that a finished run leaves no zombie behind.
    threading.Thread(target=process.wait, name=f"index-run-{record['id']}", daemon=True).start()
    return record


def _spawn(
    run_id: str, docs_dir: Path, index_dir: Path, rebuild: bool, max_bytes: int | None, lock_fd: int
) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "search.index_runs", run_id, "--docs", str(docs_dir), "--index", str(index_dir)]
    command += ["--rebuild"] if rebuild else []
    command += [] if max_bytes is None else ["--max-bytes", str(max_bytes)]
    command += ["--lock-fd", str(lock_fd)]
    python_path = os.pathsep.join(filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")]))
    env = {name: value for name, value in os.environ.items() if name != "SEARCH_ADMIN_TOKEN"}  # not the run's to know
    with open(_record_path(index_dir, run_id).with_suffix(".log"), "wb") as log:
        # A process, not a thread: gunicorn kills a sync worker, threads and all, at its timeout or when it
        # recycles it; a session of its own keeps the run out of signals sent to the server's process group.
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(lock_fd,),
            start_new_session=True,
            env={**env, "PYTHONPATH": python_path},
        )


# --- the run process ---------------------------------------------------------


def _stop(signum: int, frame: FrameType | None) -> NoReturn:
    raise RunStopped(f"interrupted: stopped by {signal.Signals(signum).name}")


def _describe(error: BaseException) -> str:
    """The record's one line: no path of this machine (status responses show it)."""
    if isinstance(error, (RunStopped, IndexBusy)):
        return str(error)
    return describe_failure(error)


def run(
    run_id: str,
    docs_dir: str | os.PathLike[str],
    index_dir: str | os.PathLike[str],
    rebuild: bool = False,
    max_bytes: int | None = None,
    lock_fd: int | None = None,
) -> int:
    """The run process: bring the index up to date, write how it went, and
    let the run lock go (``lock_fd``, inherited from the web worker)."""
    record = _read(_record_path(index_dir, run_id)) or {"id": run_id, "rebuild": rebuild, "started_at": _now()}
    record = {**record, "state": "running", "pid": os.getpid()}
    previous_handler = signal.signal(signal.SIGTERM, _stop)  # stop cleanly: the writer cancelled, the record written
    failure: str | None = None
    outcome: dict[str, Any]
    try:
        _write(index_dir, record)  # with its pid: the run is up
        summary = update_index(docs_dir, index_dir, rebuild=rebuild, max_bytes=max_bytes)
        outcome = {"state": "done", "summary": summary.as_dict()}
    except Exception as error:
        outcome, failure = {"state": "failed", "error": _describe(error)}, traceback.format_exc()
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the last state is written whole
    try:
        _write(index_dir, {**record, **outcome, "finished_at": _now()})
    finally:
        # As it was: a caller in another process (a test) keeps its handler,
        # and the processes it starts later do not inherit an ignored SIGTERM.
        signal.signal(signal.SIGTERM, previous_handler)
    if lock_fd is not None:
        fcntl.flock(lock_fd, fcntl.LOCK_UN)  # a new run may start now, not only once this process is gone
    if failure:
        print(failure, file=sys.stderr)
    return 0 if failure is None else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m search.index_runs",
        description="One index run started by POST /admin/reindex (the API starts it; use 'python -m search index').",
    )
    parser.add_argument("run_id")
    parser.add_argument("--docs", required=True)
    parser.add_argument("--index", required=True)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--max-bytes", type=int)
    parser.add_argument("--lock-fd", type=int)
    args = parser.parse_args(argv)
    return run(args.run_id, args.docs, args.index, args.rebuild, args.max_bytes, args.lock_fd)


if __name__ == "__main__":
    sys.exit(main())

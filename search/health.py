"""What /healthz says beyond "the index opens": a failed or interrupted index
run, and segments found damaged.

Every check costs the same whatever the size of the index, because a health
check is asked often and must answer while searches are slow:

- the last run's outcome is read from last_run.json (a few hundred bytes);
  the run writes it having verified every segment against its checksums,
  and having repaired the damaged ones;
- damage found since the last run is read from damage.json, written by a
  serving worker when a search failed unexpectedly and the segments it read
  failed their checksums (``damage_behind_failure``). Verifying reads the
  whole index, so a worker does it only on that error path, once per segment
  (segment files never change), never per request. The file is shared by all
  the workers and holds until a commit leaves the damaged segments out.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cachetools import LRUCache
from flask import g

from .index_integrity import segment_damage
from .index_runs import indexing
from .index_store import live_generation, read_last_run

if TYPE_CHECKING:
    from .postings.view import Searcher

DAMAGE_FILE = "damage.json"
DAMAGED_MESSAGE = (
    "a segment of the search index is damaged and cannot be read; the next index run repairs it "
    "('python -m search index')"
)

# (folder, segment id) -> why it is damaged, or None: this worker's verdicts,
# for the segments of recent generations (older ones go first).
VERDICTS_KEPT = 1024
_verdicts: LRUCache[tuple[str, str], str | None] = LRUCache(maxsize=VERDICTS_KEPT)
_verdicts_lock = threading.Lock()


def _segment_ids(searcher: Searcher) -> list[str]:
    return [leaf.segment().segment_id() for leaf, _ in searcher.reader().leaf_readers() if hasattr(leaf, "segment")]


def _verdict(folder: str, segment_id: str) -> str | None:
    key = (folder, segment_id)
    with _verdicts_lock:
        if key in _verdicts:
            return _verdicts[key]
    reason = segment_damage(folder, segment_id)
    with _verdicts_lock:
        _verdicts[key] = reason
    return reason


def damage_behind_failure(index_dir: str) -> str | None:
    """After a search failed unexpectedly: why the segments it read are
    damaged (and damage.json says so for every worker), or None when they
    all match their checksums (the failure is a bug, not the disk)."""
    searcher = g.get("searcher")
    if searcher is None:
        return None
    try:
        damaged = {sid: why for sid in _segment_ids(searcher) if (why := _verdict(searcher.folder, sid))}
    except Exception:  # the index could not even be listed: leave the failure as it was
        return None
    if not damaged:
        return None
    record = {
        "generation": live_generation(index_dir),
        "segments": damaged,
        "found_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    try:
        target = Path(index_dir) / DAMAGE_FILE
        temporary = target.with_name(f".{DAMAGE_FILE}.{os.getpid()}")
        temporary.write_text(json.dumps(record), "utf-8")
        os.replace(temporary, target)
    except OSError:
        pass  # this response still says so; other workers find out on their own
    return "; ".join(f"segment {sid}: {why}" for sid, why in sorted(damaged.items()))


def _known_damage(index_dir: str, searcher: Searcher) -> str | None:
    try:
        record = json.loads((Path(index_dir) / DAMAGE_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("generation") != live_generation(index_dir):
        return None
    live = set(_segment_ids(searcher))
    damaged = {sid: why for sid, why in (record.get("segments") or {}).items() if sid in live}
    if not damaged:
        return None  # a commit has left them out since
    return f"{len(damaged)} segment(s) of the index fail their checksums; the next index run repairs them"


def degraded_reason(index_dir: str, searcher: Searcher) -> str | None:
    """Why the index serves in a degraded state, or None when all is well."""
    damage = _known_damage(index_dir, searcher)
    if damage:
        return damage
    running = indexing(index_dir)
    last_run = read_last_run(index_dir) or {}
    failed = last_run.get("failed_run")
    if failed:
        return f"the last index run failed ({failed.get('at')}): {failed.get('error')}"
    # Checked again after reading: a run that began meanwhile is no interrupted one.
    if last_run.get("run_started_at") and not running and not indexing(index_dir):
        return f"the last index run was interrupted before it finished (started {last_run['run_started_at']})"
    return None

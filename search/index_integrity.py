"""Checksums of a segment's files, and finding the segments that no longer
match them.

A segment is written once and never changed (deletions live in Whoosh's
table of contents), so a checksum taken when it is written holds for its
whole life. Our posting file carries a CRC-32 of each array in its header
(postings/segment_file.py); Whoosh's own files of the segment (its compound
``.seg``) get theirs in a small sidecar written beside them at the end of the
segment, ``{segment_id}.checksums``. The sidecar's name matches Whoosh's
segment-file pattern, so Whoosh deletes it with the segment.

Verifying a segment reads all its files once: an index run does it for every
segment (search/index.py), a serving worker only for the segments of a
search that failed unexpectedly (search/health.py), to tell a damaged index
from a bug.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .postings.build import postings_path
from .postings.segment_file import ArrayFile

CHECKSUMS_SUFFIX = ".checksums"
READ_CHUNK = 4 * 2**20


def checksums_path(folder: str | os.PathLike[str], segment_id: str) -> Path:
    return Path(folder) / f"{segment_id}{CHECKSUMS_SUFFIX}"


def _whoosh_files(folder: str | os.PathLike[str], segment_id: str) -> list[str]:
    """The segment's files that Whoosh writes (ours excluded)."""
    ours = {Path(postings_path(folder, segment_id)).name, checksums_path(folder, segment_id).name}
    prefix = f"{segment_id}."
    return sorted(name for name in os.listdir(folder) if name.startswith(prefix) and name not in ours)


def file_crc32(path: str | os.PathLike[str]) -> int:
    crc = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(READ_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc


def write_segment_checksums(folder: str | os.PathLike[str], segment_id: str) -> None:
    """Record the CRC-32 and size of each of the segment's Whoosh files, through
    a temporary name and a rename (called once the segment is complete)."""
    files: dict[str, dict[str, Any]] = {}
    for name in _whoosh_files(folder, segment_id):
        path = Path(folder) / name
        files[name] = {"size": path.stat().st_size, "crc32": file_crc32(path)}
    target = checksums_path(folder, segment_id)
    temporary = target.with_name(f"{target.name}.tmp")
    temporary.write_text(json.dumps({"files": files}), "utf-8")
    os.replace(temporary, target)


def posting_file_damage(posting_file: ArrayFile) -> str | None:
    """Why an opened posting file is damaged, or None."""
    damaged = posting_file.damaged()
    return f"its posting arrays fail their checksums ({', '.join(damaged)})" if damaged else None


def _whoosh_files_damage(folder: str | os.PathLike[str], segment_id: str) -> str | None:
    try:
        recorded = json.loads(checksums_path(folder, segment_id).read_text("utf-8"))["files"]
    except FileNotFoundError:
        return None  # written before checksums: nothing to hold it to
    except (OSError, ValueError, KeyError, TypeError):
        return "its checksum record is unreadable"
    for name, expected in recorded.items():
        path = Path(folder) / name
        try:
            if path.stat().st_size != expected["size"] or file_crc32(path) != expected["crc32"]:
                return f"its file {name} fails its checksum"
        except FileNotFoundError:
            return f"its file {name} is missing"
    return None


def segment_damage(
    folder: str | os.PathLike[str], segment_id: str, posting_file: ArrayFile | None = None
) -> str | None:
    """Why the segment ``segment_id`` in ``folder`` is damaged, or None when
    every file matches its checksum. Reads the whole segment."""
    try:
        posting_file = posting_file or ArrayFile(postings_path(folder, segment_id))
    except FileNotFoundError:
        return "its posting file is missing"
    except (OSError, ValueError, KeyError, TypeError) as error:
        return f"its posting file is unreadable ({type(error).__name__})"
    return posting_file_damage(posting_file) or _whoosh_files_damage(folder, segment_id)


def damaged_segments(folder: str | os.PathLike[str], segment_ids: Iterable[str]) -> dict[str, str]:
    """``{segment_id: reason}`` of the segments that fail their checksums."""
    found: dict[str, str] = {}
    for segment_id in segment_ids:
        reason = segment_damage(folder, segment_id)
        if reason:
            found[segment_id] = reason
    return found

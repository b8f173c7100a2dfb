"""Finding the files of the docs folder, and reading one without following
it anywhere else.

The walk decides which files to take; the read decides again, on the opened
file, because the folder may change in between (a link retargeted, a folder
swapped for a link, a file replaced by a FIFO). A file is opened component by
component from a descriptor of the docs folder with ``O_NOFOLLOW``, so no
link met on the way is followed; a link the walk took (one that stays inside
the folder) is resolved again and its target opened the same way. Only a
regular file is read, and at most ``max_bytes + 1`` bytes of it, so that a
device or a file that grows while read costs no more than the size limit.

Names that are not valid UTF-8 keep their bytes: the id escapes each byte
that does not decode as ``%XX`` (``caf%E9.txt``), so that Whoosh, JSON and
URLs only ever see valid text, and the same file always gets the same id.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class IngestError(Exception):
    """A file that cannot become a document; the message says why."""


@dataclass(frozen=True)
class SourceFile:
    """A file found in the docs folder, before it is read."""

    doc_id: str  # path relative to the docs folder, "/"-separated, undecodable bytes as %XX
    path: Path
    size: int
    mtime: float
    root: Path | None = None  # the docs folder; None: the file's own folder


_READ_BLOCK = 1 << 20
_UNDECODED_BYTE = re.compile("[\udc80-\udcff]")  # what os.fsdecode makes of a byte that is not UTF-8
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def escape_name(name: str) -> str:
    """``name`` with each byte the file system name did not decode written
    ``%XX``.

    >>> escape_name(os.fsdecode(b"caf\\xe9.txt"))
    'caf%E9.txt'
    """
    return _UNDECODED_BYTE.sub(lambda match: f"%{ord(match.group()) - 0xDC00:02X}", name)


def _not_regular(mode: int) -> str:
    kind = next((name for test, name in _KINDS if test(mode)), "not a file")
    return f"not a regular file ({kind})"


def _inside(root: str, path: str) -> bool:
    return os.path.commonpath([root, path]) == root


def walk_folder(root: str | os.PathLike[str], errors: list[tuple[str, str]] | None = None) -> Iterator[SourceFile]:
    """Yield a SourceFile for every supported file under ``root``, in a
    stable order (each folder's files by name, then its subfolders by name).
    Hidden files and folders (a leading dot: .git, .cache) are left out.

    Folders reached through symbolic links are not entered (no loops, nothing
    outside the folder); a linked file is taken only when it resolves to a
    regular file inside ``root``. FIFOs, devices and sockets are refused.
    Problems are appended to ``errors`` as ``(doc_id, reason)``.
    """
    from . import SUPPORTED_SUFFIXES

    root = Path(root).resolve()
    errors = [] if errors is None else errors
    seen: set[str] = set()

    def doc_id_of(path: str | os.PathLike[str]) -> str:
        return escape_name(Path(path).relative_to(root).as_posix())

    def on_error(error: OSError) -> None:
        errors.append((doc_id_of(error.filename) if error.filename else "?", error.strerror or str(error)))

    for folder, subfolders, names in os.walk(root, onerror=on_error):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(names):
            path = Path(folder) / name
            if path.suffix.lower() not in SUPPORTED_SUFFIXES or name.startswith("."):
                continue
            doc_id = doc_id_of(path)
            try:
                status = _status(root, path)
            except IngestError as error:
                errors.append((doc_id, str(error)))
                continue
            except (OSError, RuntimeError, ValueError) as error:
                errors.append((doc_id, getattr(error, "strerror", None) or str(error)))
                continue
            if doc_id in seen:  # two names that differ only where one holds a literal "%XX"
                errors.append((doc_id, "its escaped name is the name of another file in the folder"))
                continue
            seen.add(doc_id)
            yield SourceFile(doc_id, path, status.st_size, status.st_mtime, root)


def _status(root: Path, path: Path) -> os.stat_result:
    """The stat of the regular file ``path`` stands for, or IngestError."""
    status = os.lstat(path)
    if stat.S_ISLNK(status.st_mode):
        target = os.path.realpath(path)
        if not _inside(str(root), target):
            raise IngestError("symbolic link to a file outside the docs folder")
        status = os.stat(path)  # a loop raises ELOOP here
    if not stat.S_ISREG(status.st_mode):
        raise IngestError(_not_regular(status.st_mode))
    return status


def _parts_to_open(source: SourceFile) -> tuple[str, tuple[str, ...]]:
    """The docs folder and the path, inside it, of the file to open."""
    root = str(source.root or source.path.parent)
    path = str(source.path)
    if os.path.islink(path):
        path = os.path.realpath(path)
        if not _inside(root, path):
            raise IngestError("symbolic link to a file outside the docs folder")
    parts = Path(os.path.relpath(path, root)).parts
    if not parts or ".." in parts:
        raise IngestError("not a file inside the docs folder")
    return root, parts


def _open_beneath(root: str, parts: tuple[str, ...]) -> int:
    """A read descriptor of ``root/parts...``, opened one component at a time
    with O_NOFOLLOW, so that no link swapped in on the way is followed."""
    flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW
    folder = os.open(root, os.O_RDONLY | os.O_CLOEXEC | os.O_DIRECTORY)
    try:
        for part in parts[:-1]:
            inner = os.open(part, flags | os.O_DIRECTORY, dir_fd=folder)
            os.close(folder)
            folder = inner
        # O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer.
        return os.open(parts[-1], flags | os.O_NONBLOCK, dir_fd=folder)
    finally:
        os.close(folder)


def read_source_bytes(source: SourceFile, max_bytes: int | None = None) -> tuple[bytes, os.stat_result]:
    """Return ``(data, stat)`` of the regular file ``source`` names, opened
    without following any link out of the docs folder; IngestError when it is
    not a regular file, has become a link leading out, or is over
    ``max_bytes``."""
    root, parts = _parts_to_open(source)
    try:
        descriptor = _open_beneath(root, parts)
    except OSError as error:
        if error.errno == errno.ELOOP:  # a link where the walk saw none
            raise IngestError("replaced by a symbolic link while the folder was read") from None
        if error.errno == errno.ENXIO:  # what opening a socket gives
            raise IngestError("not a regular file (a socket)") from None
        raise IngestError(error.strerror or str(error)) from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise IngestError(_not_regular(status.st_mode))
        if max_bytes is not None and status.st_size > max_bytes:
            raise IngestError(f"larger than the {max_bytes:,}-byte limit ({status.st_size:,} bytes)")
        data = _read_at_most(descriptor, None if max_bytes is None else max_bytes + 1)
        if max_bytes is not None and len(data) > max_bytes:
            raise IngestError(f"larger than the {max_bytes:,}-byte limit (it grew while read)")
        return data, status
    except OSError as error:
        raise IngestError(error.strerror or str(error)) from None
    finally:
        os.close(descriptor)


def _read_at_most(descriptor: int, limit: int | None) -> bytes:
    blocks: list[bytes] = []
    left = limit
    while left is None or left > 0:
        block = os.read(descriptor, _READ_BLOCK if left is None else min(_READ_BLOCK, left))
        if not block:
            break
        blocks.append(block)
        if left is not None:
            left -= len(block)
    return b"".join(blocks)

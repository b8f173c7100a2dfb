"""One file of named numpy arrays, read back as views of a memory map.

    magic (8 bytes) | arrays, each aligned to 64 bytes | JSON header
    | header length (8 bytes, little-endian) | magic

The header, written last so that arrays can be written as they are made,
names each array's dtype, shape, offset and CRC-32, and carries a small
``meta`` mapping. numpy's own ``.npz`` cannot be memory-mapped, and one
``.npy`` per array would be dozens of files per segment.

The checksums find a file damaged on disk (a bad sector, a stray write):
``ArrayFile.damaged()`` reads every array once. CRC-32 rather than a
cryptographic hash: it guards against accidents, not attackers, and zlib's
runs at about twice blake2b's speed (bench/speed/integrity.py).
"""

from __future__ import annotations

import json
import mmap
import os
import zlib
from collections.abc import Iterable
from typing import Any

import numpy as np

MAGIC = b"SRCHPST1"
ALIGN = 64


def _aligned(offset: int) -> int:
    return -(-offset // ALIGN) * ALIGN


def _bytes_of(array: np.ndarray) -> np.ndarray:
    """A contiguous array's bytes, in place."""
    return array.reshape(-1).view(np.uint8)


def write_arrays(
    path: str | os.PathLike[str],
    arrays: dict[str, np.ndarray] | Iterable[tuple[str, np.ndarray]],
    meta: dict[str, Any],
) -> None:
    """Write ``arrays`` (a mapping, or pairs of name and ndarray, which may
    be made one at a time) and ``meta`` to ``path``, through a temporary
    name and a rename, so the file is whole or absent. ``meta`` is written
    last: the arrays may fill it in as they are made."""
    pairs = arrays.items() if isinstance(arrays, dict) else arrays
    entries: dict[str, dict[str, Any]] = {}
    temporary = f"{path}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(MAGIC)
        offset = _aligned(len(MAGIC))
        for name, array in pairs:
            array = np.ascontiguousarray(array)
            data = _bytes_of(array)
            entries[name] = {
                "dtype": array.dtype.str,
                "shape": list(array.shape),
                "offset": offset,
                "crc32": zlib.crc32(data),  # type: ignore[arg-type]  # numpy's stubs give ndarray __buffer__ on 3.12+ only
            }
            handle.seek(offset)
            handle.write(data)  # type: ignore[arg-type]  # as above: an ndarray is a buffer
            offset = _aligned(offset + array.nbytes)
            del array, data
        header = json.dumps({"meta": meta, "arrays": entries}, ensure_ascii=False).encode("utf-8")
        handle.seek(offset)
        handle.write(header)
        handle.write(len(header).to_bytes(8, "little"))
        handle.write(MAGIC)
    os.replace(temporary, path)


class ArrayFile:
    """The arrays of a file written by ``write_arrays``, as read-only views of
    one shared memory map; ``meta`` is the header's mapping."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.span_offsets: np.ndarray | None = None  # filled by the reader on first use
        self._checksums: dict[str, int] = {}
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            self._map = mmap.mmap(handle.fileno(), size, access=mmap.ACCESS_READ) if size else None
        tail = len(MAGIC) + 8
        if self._map is None or size < len(MAGIC) + tail or self._map[: len(MAGIC)] != MAGIC:
            raise ValueError(f"{path} is not a posting file")
        if self._map[size - len(MAGIC) :] != MAGIC:
            raise ValueError(f"{path} is cut short")
        length = int.from_bytes(self._map[size - tail : size - len(MAGIC)], "little")
        header = json.loads(self._map[size - tail - length : size - tail].decode("utf-8"))
        self.meta: dict[str, Any] = header["meta"]
        self.arrays: dict[str, np.ndarray] = {}
        for name, entry in header["arrays"].items():
            dtype, shape = np.dtype(entry["dtype"]), tuple(entry["shape"])
            count = int(np.prod(shape)) if shape else 1
            array = np.frombuffer(self._map, dtype=dtype, count=count, offset=entry["offset"])
            self.arrays[name] = array.reshape(shape)
            if "crc32" in entry:  # files written before checksums have none
                self._checksums[name] = entry["crc32"]

    @property
    def has_checksums(self) -> bool:
        return bool(self._checksums)

    def damaged(self) -> list[str]:
        """The names of the arrays whose bytes no longer match their
        checksum (reads the whole file once)."""
        return [
            name
            for name, expected in self._checksums.items()
            # numpy's stubs give ndarray __buffer__ on Python 3.12+ only: an ndarray is a buffer.
            if zlib.crc32(_bytes_of(self.arrays[name])) != expected  # type: ignore[arg-type]
        ]

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    def __contains__(self, name: object) -> bool:
        return name in self.arrays

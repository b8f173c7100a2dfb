"""One file of named numpy arrays, read back as views of a memory map.

    magic (8 bytes) | arrays, each aligned to 64 bytes | JSON header
    | header length (8 bytes, little-endian) | magic

The header, written last so that arrays can be written as they are made,
names each array's dtype, shape and offset, and carries a small ``meta``
mapping. numpy's own ``.npz`` cannot be memory-mapped, and one
``.npy`` per array would be dozens of files per segment.
"""

import json
import mmap
import os

import numpy as np

MAGIC = b"SRCHPST1"
ALIGN = 64


def _aligned(offset):
    return -(-offset // ALIGN) * ALIGN


def write_arrays(path, arrays, meta):
    """Write ``arrays`` (a mapping, or pairs of name and ndarray, which may
    be made one at a time) and ``meta`` to ``path``, through a temporary
    name and a rename, so the file is whole or absent. ``meta`` is written
    last: the arrays may fill it in as they are made."""
    pairs = arrays.items() if isinstance(arrays, dict) else arrays
    entries = {}
    temporary = f"{path}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(MAGIC)
        offset = _aligned(len(MAGIC))
        for name, array in pairs:
            array = np.ascontiguousarray(array)
            entries[name] = {"dtype": array.dtype.str, "shape": list(array.shape), "offset": offset}
            handle.seek(offset)
            if array.nbytes:
                handle.write(memoryview(array).cast("B"))
            offset = _aligned(offset + array.nbytes)
            del array
        header = json.dumps({"meta": meta, "arrays": entries}, ensure_ascii=False).encode("utf-8")
        handle.seek(offset)
        handle.write(header)
        handle.write(len(header).to_bytes(8, "little"))
        handle.write(MAGIC)
    os.replace(temporary, path)


class ArrayFile:
    """The arrays of a file written by ``write_arrays``, as read-only views of
    one shared memory map; ``meta`` is the header's mapping."""

    def __init__(self, path):
        self.span_offsets = None  # filled by the reader on first use
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
        self.meta = header["meta"]
        self.arrays = {}
        for name, entry in header["arrays"].items():
            dtype, shape = np.dtype(entry["dtype"]), tuple(entry["shape"])
            count = int(np.prod(shape)) if shape else 1
            array = np.frombuffer(self._map, dtype=dtype, count=count, offset=entry["offset"])
            self.arrays[name] = array.reshape(shape)

    def __getitem__(self, name):
        return self.arrays[name]

    def __contains__(self, name):
        return name in self.arrays

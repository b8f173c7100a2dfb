"""One file of named numpy arrays, read back as views of a memory map.

    magic (8 bytes) | header length (8 bytes, little-endian) | JSON header
    | arrays, each aligned to 64 bytes

The header names each array's dtype, shape and offset, and carries a small
``meta`` mapping. numpy's own ``.npz`` cannot be memory-mapped, and one
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
    """Write ``arrays`` (name -> ndarray) and ``meta`` to ``path``, through a
    temporary name and a rename, so the file is whole or absent."""
    entries, offset = {}, 0
    contiguous = {}
    for name, array in arrays.items():
        array = np.ascontiguousarray(array)
        contiguous[name] = array
        entries[name] = {"dtype": array.dtype.str, "shape": list(array.shape), "offset": offset}
        offset = _aligned(offset + array.nbytes)
    header = json.dumps({"meta": meta, "arrays": entries}, ensure_ascii=False).encode("utf-8")
    start = _aligned(len(MAGIC) + 8 + len(header))
    temporary = f"{path}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(MAGIC)
        handle.write(len(header).to_bytes(8, "little"))
        handle.write(header)
        for name, array in contiguous.items():
            handle.seek(start + entries[name]["offset"])
            handle.write(memoryview(array).cast("B") if array.nbytes else b"")
        handle.truncate(start + offset)
    os.replace(temporary, path)


class ArrayFile:
    """The arrays of a file written by ``write_arrays``, as read-only views of
    one shared memory map; ``meta`` is the header's mapping."""

    def __init__(self, path):
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            self._map = mmap.mmap(handle.fileno(), size, access=mmap.ACCESS_READ) if size else None
        if self._map is None or self._map[: len(MAGIC)] != MAGIC:
            raise ValueError(f"{path} is not a posting file")
        length = int.from_bytes(self._map[len(MAGIC) : len(MAGIC) + 8], "little")
        header_end = len(MAGIC) + 8 + length
        header = json.loads(self._map[len(MAGIC) + 8 : header_end].decode("utf-8"))
        self.meta = header["meta"]
        start = _aligned(header_end)
        self.arrays = {}
        for name, entry in header["arrays"].items():
            dtype, shape = np.dtype(entry["dtype"]), tuple(entry["shape"])
            count = int(np.prod(shape)) if shape else 1
            array = np.frombuffer(self._map, dtype=dtype, count=count, offset=start + entry["offset"])
            self.arrays[name] = array.reshape(shape)

    def __getitem__(self, name):
        return self.arrays[name]

    def __contains__(self, name):
        return name in self.arrays

"""Fixes to Whoosh 2.7.4 that this project depends on, applied on import.

1. AndNotMatcher (``word -excluded``) checks only whether its two sides start on
the same document; when the excluded side starts earlier it is never moved
forward, so a document containing the excluded word can still be returned
first. Moving the excluded side up before the first comparison, as every
later step already does, fixes it.

2. A segment's parts are read from one memory-mapped file through
BufferFile, which wrapped each part in ``BytesIO(memoryview)``: that copies
the part, so every serving process held a private copy of the postings and
the term dictionary (most of its memory, growing with the index). A reader
over the memoryview itself copies only the bytes each read returns, and the
pages stay shared between processes and with the page cache.
"""

from whoosh.filedb import structfile
from whoosh.matching import binary


def _find_first(self):
    if self.a.is_active() and self.b.is_active():
        self._find_next()


binary.AndNotMatcher._find_first = _find_first


class _ViewReader:
    """A read-only, seekable file over a memoryview, without copying it."""

    __slots__ = ("_view", "_pos", "closed")

    def __init__(self, view):
        self._view = view
        self._pos = 0
        self.closed = False

    def _limit(self, size):
        end = len(self._view)
        return end if size is None or size < 0 else min(self._pos + size, end)

    def read(self, size=-1):
        start, end = self._pos, self._limit(size)
        if start >= end:
            return b""
        self._pos = end
        return bytes(self._view[start:end])

    def readline(self, size=-1):
        start, limit = self._pos, self._limit(size)
        end = start
        while end < limit:
            step = min(end + 4096, limit)
            cut = bytes(self._view[end:step]).find(b"\n")
            if cut >= 0:
                end += cut + 1
                break
            end = step
        return self.read(end - start)

    def __iter__(self):
        while line := self.readline():
            yield line

    def seek(self, offset, whence=0):
        base = (0, self._pos, len(self._view))[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def tell(self):
        return self._pos

    def close(self):
        self.closed = True


def _buffer_file_init(self, buf, name=None, onclose=None):
    self._buf = buf
    self._name = name
    self.file = _ViewReader(memoryview(buf))
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


structfile.BufferFile.__init__ = _buffer_file_init

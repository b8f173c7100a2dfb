"""Which documents of an index version are copies of one another: the
duplicate groups search/refine.py folds results by.

The indexer groups the stored signatures of the live documents
(search/duplicates.py, kept in the posting store) once after each commit,
and writes the group of each document number to a file named after the
index's generation; a search reads it, memory-mapped, with the posting
store of that generation. Until the file is there (the moments between a
commit and its groups, or after a run killed between the two: the next run
writes them) a search shows every copy: grouping 50,000 signatures takes
seconds, which no request should wait for.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .postings.reader import IndexPostings

if TYPE_CHECKING:
    from whoosh.index import Index

GROUPS_FILE = "duplicate-groups-{generation}.npy"


def groups_path(folder: str | os.PathLike[str], generation: int) -> Path:
    return Path(folder) / GROUPS_FILE.format(generation=generation)


def group_numbers(
    signatures: npt.NDArray[np.uint8], live: npt.NDArray[np.bool_] | None = None
) -> npt.NDArray[np.int64]:
    """Each document's group, as the number of a document standing for it
    (its own number when it has no copies), from the signature matrix; a
    deleted document (False in ``live``) belongs to no group, so that an old
    version of a file never links its copies."""
    numbers = np.arange(len(signatures), dtype=np.int64)
    if not signatures.size:
        return numbers
    from .duplicates import group  # noqa: PLC0415  (datasketch, loaded only when documents have signatures)

    grouped_rows = signatures.any(axis=1)
    if live is not None:
        grouped_rows &= live
    present = np.flatnonzero(grouped_rows)
    grouped = group({str(docnum): signatures[docnum].tobytes() for docnum in present.tolist()})
    for docnum, representative in grouped.items():
        numbers[int(docnum)] = int(representative)
    return numbers


def write_duplicate_groups(ix: Index) -> None:
    """Group the documents of ``ix``'s current commit and store the groups
    beside it; the files of older generations go."""
    folder = Path(ix.storage.folder)
    with ix.reader() as reader:
        generation = reader.generation()
        store = IndexPostings(reader, str(folder), ix.schema)
        groups = group_numbers(store.signatures(), store.live)
    path = groups_path(folder, generation)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    with open(temporary, "wb") as out:
        np.save(out, groups.astype(np.int32))
    os.replace(temporary, path)
    for old in folder.glob(GROUPS_FILE.format(generation="*")):
        if old != path:
            old.unlink(missing_ok=True)


def groups_current(ix: Index) -> bool:
    """Whether the groups of ``ix``'s current commit are stored."""
    with ix.reader() as reader:
        return groups_path(ix.storage.folder, reader.generation()).exists()


def duplicate_groups(store: IndexPostings) -> np.ndarray | None:
    """The duplicate groups of a posting store's index version, as the
    indexer stored them; None while they are not there yet (looked for
    again at the next search)."""
    groups = getattr(store, "duplicate_groups", None)
    if groups is None:
        groups = _stored_groups(store)
        if groups is not None:
            store.duplicate_groups = groups
    return groups


def _stored_groups(store: IndexPostings) -> np.ndarray | None:
    try:
        groups = np.load(groups_path(store.folder, store.generation), mmap_mode="r")
    except (OSError, ValueError):
        return None
    return groups if len(groups) == store.doc_count_all else None

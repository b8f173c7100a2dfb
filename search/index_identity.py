"""Which index a reader reads: what caches and the indexer's side tables
(the names tables, search/names/tables.py; the result cache) are keyed by. The
index layer's, so that query-time code and the indexer both ask it here."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from whoosh.reading import IndexReader

    from .postings.view import Reader

# A reader's index: its generation, its segments' ids, its document count (deleted ones included).
IndexVersion = tuple[int, tuple[str, ...], int]


def reader_version(reader: Reader | IndexReader) -> IndexVersion:
    """What identifies the index a reader reads: its generation and segments."""
    return (
        reader.generation(),
        tuple(
            leaf.segment().segment_id()
            for leaf, _ in reader.leaf_readers()
            if hasattr(leaf, "segment") and leaf.segment() is not None
        ),
        reader.doc_count_all(),
    )

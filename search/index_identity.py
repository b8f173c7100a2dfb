"""Which index a reader reads: what caches and the indexer's side tables
(the names tables, search/names/tables.py; the result cache) are keyed by. The
index layer's, so that query-time code and the indexer both ask it here."""


def reader_version(reader):
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

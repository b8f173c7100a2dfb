"""Looking into an index from tests: which documents it holds, which a search finds."""

from search.engine import scoring, search
from search.index import open_index
from search.query import SearchRequest


def indexed_id_list(index_dir):
    """Every document id in the index, duplicates included (there must be none)."""
    ix = open_index(index_dir)
    try:
        with ix.searcher() as searcher:
            return [fields["id"] for fields in searcher.all_stored_fields()]
    finally:
        ix.close()


def found_ids(index_dir, text):
    """Ids of the documents the engine finds for ``text`` (first 50), the
    words themselves: no typo tolerance, no rewrite."""
    ix = open_index(index_dir)
    try:
        with ix.searcher(weighting=scoring()) as searcher:
            return {hit.doc_id for hit in search(searcher, SearchRequest(text, per_page=50, exact=True)).hits}
    finally:
        ix.close()

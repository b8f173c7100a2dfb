"""Looking into an index from tests: which documents it holds, which a search finds."""

from contextlib import contextmanager

from search.engine import scoring, search
from search.index import open_index, update_index
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
    words themselves: no typo tolerance, no rewrite, every copy of a story
    (no folding of near-duplicates)."""
    ix = open_index(index_dir)
    try:
        with ix.searcher(weighting=scoring()) as searcher:
            return {
                hit.doc_id
                for hit in search(searcher, SearchRequest(text, per_page=50, exact=True, collapse=False)).hits
            }
    finally:
        ix.close()


@contextmanager
def searcher_over(tmp_path_factory, name, documents):
    """A searcher over a real index of ``documents`` (path -> text), written
    to a folder of their own and indexed with update_index (every file
    indexed)."""
    docs = tmp_path_factory.mktemp(f"{name}-docs")
    for path, text in documents.items():
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        (docs / path).write_text(text, encoding="utf-8")
    folder = tmp_path_factory.mktemp(f"{name}-index")
    assert update_index(docs, folder).failed == []
    ix = open_index(folder)
    try:
        with ix.searcher(weighting=scoring()) as searcher:
            yield searcher
    finally:
        ix.close()


def hit_ids(searcher, text, **params):
    """Ids of the hits of the first page of ``text`` (SearchRequest ``params``)."""
    return [hit.doc_id for hit in search(searcher, SearchRequest(text, **params)).hits]

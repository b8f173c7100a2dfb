"""The per-worker caches (cachetools, sized in search/config.py) keep what
their setting allows and answer as the uncached computation does."""

import dataclasses

import pytest

from search.engine import scoring, search
from search.index import open_index, update_index
from search.postings import reader as reader_module
from search.query import SearchRequest, _parse, _ParseCache, make_parser
from search.schema import make_schema

WORDS = ["drought", "marathon", "observers", "الانتخابات", "الجفاف", "elections", "harbour"]


@pytest.fixture(scope="module")
def index(docs_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("caches") / "index"
    update_index(docs_dir, folder)
    return folder


def answers(index):
    ix = open_index(index)
    try:
        with ix.searcher(weighting=scoring()) as searcher:
            responses = [search(searcher, SearchRequest(word)) for word in WORDS * 2]
            return [dataclasses.replace(r, took_ms=0) for r in responses], searcher.store._cache
    finally:
        ix.close()


def test_the_term_cache_holds_at_most_its_megabytes_and_answers_the_same(index, monkeypatch):
    reader_module._term_caches.clear()
    cached, cache = answers(index)
    assert 0 < cache.currsize <= cache.maxsize == 16 * 2**20 and len(cache) > 0
    reader_module._term_caches.clear()
    monkeypatch.setenv("SEARCH_TERM_CACHE_MB", "0")
    uncached, nothing = answers(index)
    assert len(nothing) == 0 and nothing.maxsize == 0
    assert uncached == cached
    reader_module._term_caches.clear()


def test_a_workers_searchers_of_one_index_version_share_its_term_cache(index):
    ix = open_index(index)
    try:
        with ix.searcher(weighting=scoring()) as first, ix.searcher(weighting=scoring()) as second:
            assert first.store is not second.store and first.store._cache is second.store._cache
            assert first.store.term("body", "drought") is second.store.term("body", "drought")
    finally:
        ix.close()


def test_the_term_cache_drops_the_least_recently_used_lists_first(index):
    ix = open_index(index)
    try:
        with ix.searcher(weighting=scoring()) as searcher:
            store = searcher.store
            words = ("drought", "marathon", "observers")
            sizes = {word: store._cache.getsizeof(store.term("body", word)) for word in words}
            # Room for drought and either other list, never for all three.
            room = sizes["drought"] + max(sizes["marathon"], sizes["observers"])
            store._cache = type(store._cache)(maxsize=room, getsizeof=store._cache.getsizeof)
            store.term("body", "drought")
            store.term("body", "marathon")
            store.term("body", "drought")  # used again: marathon is now the older
            store.term("body", "observers")
            assert ("body", "drought") in store._cache and ("body", "marathon") not in store._cache
            assert store._cache.currsize <= room
    finally:
        ix.close()


def test_the_parse_cache_keeps_as_many_queries_as_its_setting():
    schema = make_schema()
    cache = _ParseCache(queries=3)
    texts = [f"word{i} drought" for i in range(6)]
    parsed = [cache.query(schema, text, True, 1.0) for text in texts]
    assert len(cache._queries) == 3
    assert all(cache.query(schema, text, True, 1.0) is query for text, query in zip(texts[3:], parsed[3:], strict=True))
    assert cache.query(schema, texts[0], True, 1.0) is not parsed[0]  # the oldest went first
    off = _ParseCache(queries=0)
    for text in texts:
        assert off.query(schema, text, True, 1.0) == _parse(make_parser(schema, True, 1.0), text, True)
    assert len(off._queries) == 0


def test_a_versions_term_cache_goes_with_its_last_searcher(index):
    import gc
    import weakref

    ix = open_index(index)
    with ix.searcher(weighting=scoring()) as searcher:
        searcher.store.term("body", "drought")
        shared = weakref.ref(searcher.store._shared_terms)
    ix.close()
    del searcher
    gc.collect()
    assert shared() is None  # nor the old generation's files its lists map

"""The result cache answers exactly what a fresh search would, and forgets
everything when the index changes."""

import dataclasses
from contextlib import contextmanager

import pytest

from search.deadline import Deadline
from search.engine import search
from search.index import open_index, update_index
from search.query import SearchRequest
from search.result_cache import ResultCache

REQUESTS = [
    SearchRequest("الانتخابات"),
    SearchRequest("الانتخابات", page=2, per_page=2),
    SearchRequest("الانتخابات", lang="ar", explain=True),
    SearchRequest("observers", exact=True),
    SearchRequest("hkjohfhj"),  # a keyboard-layout rewrite
    SearchRequest("الانتخابت"),  # a misspelling with a suggestion
    SearchRequest("Tokayev", cross_script=False),
]


def _without_time(response):
    """The response's results; what this request cost (its time, its passes
    over the index: none for a cached one) aside."""
    return dataclasses.replace(response, took_ms=0, passes=0)


@contextmanager
def searching(index):
    ix = open_index(index)
    try:
        with ix.searcher() as searcher:
            yield searcher
    finally:
        ix.close()


@pytest.fixture
def index(index_dir):
    """The session's index: these tests only read it."""
    return index_dir


@pytest.fixture
def own_index(docs_copy, tmp_path):
    """An index of a private copy of the documents, for a test that changes them."""
    update_index(docs_copy, tmp_path / "index")
    return tmp_path / "index"


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: r.text)
def test_a_cached_response_equals_an_uncached_one(index, request_):
    cache = ResultCache(16)
    with searching(index) as searcher:
        first = cache.search(searcher, request_)
        again = cache.search(searcher, request_)
        fresh = search(searcher, request_)
    assert (cache.misses, cache.hits) == (1, 1)
    assert again.passes == 0 and first.passes == fresh.passes >= 1
    assert _without_time(again) == _without_time(first) == _without_time(fresh)


def test_different_requests_are_different_entries(index):
    cache = ResultCache(16)
    with searching(index) as searcher:
        responses = [cache.search(searcher, request) for request in REQUESTS]
    assert cache.misses == len(REQUESTS) and cache.hits == 0 and len(cache) == len(REQUESTS)
    assert responses[0].per_page != responses[1].per_page


def test_a_reindex_makes_earlier_entries_unreachable(own_index, docs_copy):
    cache = ResultCache(16)
    request = SearchRequest("زلزال")
    with searching(own_index) as searcher:
        assert cache.search(searcher, request).total == 0
    (docs_copy / "quake.txt").write_text("زلزال قوي\nضرب زلزال المنطقة فجر اليوم\n", "utf-8")
    update_index(docs_copy, own_index)
    with searching(own_index) as searcher:
        assert cache.search(searcher, request).total == 1
    assert cache.hits == 0


def test_the_cache_keeps_the_most_recently_used_entries(index):
    cache = ResultCache(2)
    with searching(index) as searcher:
        for text in ("الانتخابات", "observers", "الانتخابات", "drought"):
            cache.search(searcher, SearchRequest(text))
        assert len(cache) == 2
        cache.search(searcher, SearchRequest("الانتخابات"))  # still there: used second to last
        assert cache.hits == 2
        cache.search(searcher, SearchRequest("observers"))  # evicted
        assert cache.hits == 2


def test_size_zero_turns_the_cache_off(index):
    cache = ResultCache(0)
    with searching(index) as searcher:
        cache.search(searcher, SearchRequest("الانتخابات"))
        cache.search(searcher, SearchRequest("الانتخابات"))
    assert len(cache) == 0 and cache.hits == 0


def test_the_app_serves_repeated_searches_from_its_cache(client, app):
    first = client.get("/search", query_string={"q": "الانتخابات"}).get_json()
    second = client.get("/search", query_string={"q": "الانتخابات"}).get_json()
    cache = app.extensions["result_cache"]
    assert cache.hits >= 1
    assert {**first, "took_ms": 0} == {**second, "took_ms": 0}


def test_the_cache_size_comes_from_the_environment():
    from search.config import from_environment

    assert from_environment({"SEARCH_RESULT_CACHE": "0"})["RESULT_CACHE_SIZE"] == 0
    assert from_environment({})["RESULT_CACHE_SIZE"] > 0


def test_a_partial_response_is_not_kept(index, monkeypatch):

    class Spent(Deadline):
        def left(self):  # the first pass runs; every later step finds the time spent
            self.expired = True
            return False

    cache = ResultCache(16)
    with searching(index) as searcher:
        first = cache.search(searcher, SearchRequest("الانتخابات"), deadline=Spent(60))
        cache.search(searcher, SearchRequest("الانتخابات"), deadline=Spent(60))
    assert first.partial and first.total
    assert len(cache) == 0 and cache.hits == 0

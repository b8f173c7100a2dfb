"""A bounded cache of search responses, per worker process.

Keyed by the index version a searcher reads and the whole request (words,
page, filters, switches), so a reindex makes every earlier entry unreachable:
a cached response is always the one the current index would give. Least
recently used entries go first. ``SEARCH_RESULT_CACHE=0`` turns it off.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Hashable
from typing import TYPE_CHECKING, TypedDict, Unpack

from cachetools import LRUCache
from flask import current_app

from .deadline import Deadline
from .engine import SearchResponse, search
from .index_identity import reader_version
from .metrics import count_cache_lookup
from .names.tables import tables_are_current

if TYPE_CHECKING:
    from flask import Flask

    from .postings.view import Searcher
    from .query import SearchRequest


class SearchSettings(TypedDict, total=False):
    """engine.search's settings: what a cached answer was searched with."""

    exact_boost: float
    deadline: Deadline | None
    max_words: int


class ResultCache:
    """Up to ``size`` responses, least recently used out first (cachetools)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.hits = self.misses = 0  # this cache's own, for tests; /metrics counts every worker's
        self._entries: LRUCache[Hashable, SearchResponse] = LRUCache(maxsize=max(size, 1))
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries) if self.size > 0 else 0

    def get(self, key: Hashable) -> SearchResponse | None:
        with self._lock:
            response = self._entries.get(key)
            if response is None:
                self.misses += 1
            else:
                self.hits += 1
        count_cache_lookup(hit=response is not None)
        return response

    def put(self, key: Hashable, response: SearchResponse) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[key] = response

    def search(self, searcher: Searcher, request: SearchRequest, **settings: Unpack[SearchSettings]) -> SearchResponse:
        """``engine.search(searcher, request, **settings)``, answered from the
        cache when this index version has answered this request before."""
        if self.size <= 0:
            return search(searcher, request, **settings)
        started = time.perf_counter()
        key = (reader_version(searcher.reader()), request)
        response = self.get(key)
        if response is None:
            response = search(searcher, request, **settings)
            # One cut short by the deadline is partial; one answered while the
            # names tables were the previous commit's may lack names the new one has.
            if not response.partial and tables_are_current(searcher.reader()):
                self.put(key, response)
            return response
        # This answer made no pass over the index: only the lookup's time is its own.
        return dataclasses.replace(response, took_ms=round((time.perf_counter() - started) * 1000, 2), passes=0)


def cached_search(searcher: Searcher, request: SearchRequest) -> SearchResponse:
    """Search through the app's result cache, within the app's deadline and
    query limits."""
    config = current_app.config
    return current_app.extensions["result_cache"].search(
        searcher,
        request,
        deadline=Deadline(config["QUERY_DEADLINE_SECONDS"]),
        max_words=config["MAX_QUERY_TERMS"],
    )


def init_app(app: Flask) -> None:
    app.extensions["result_cache"] = ResultCache(app.config["RESULT_CACHE_SIZE"])

"""A bounded cache of search responses, per worker process.

Keyed by the index version a searcher reads and the whole request (words,
page, filters, switches), so a reindex makes every earlier entry unreachable:
a cached response is always the one the current index would give. Least
recently used entries go first. ``SEARCH_RESULT_CACHE=0`` turns it off.
"""

import dataclasses
import threading
import time
from collections import OrderedDict

from flask import current_app

from .deadline import Deadline
from .engine import search
from .index_identity import reader_version
from .names.tables import tables_are_current


class ResultCache:
    def __init__(self, size):
        self.size = size
        self.hits = self.misses = 0
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self):
        return len(self._entries)

    def get(self, key):
        with self._lock:
            response = self._entries.get(key)
            if response is None:
                self.misses += 1
            else:
                self._entries.move_to_end(key)
                self.hits += 1
            return response

    def put(self, key, response):
        if self.size <= 0:
            return
        with self._lock:
            self._entries[key] = response
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def search(self, searcher, request, **settings):
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
        return dataclasses.replace(response, took_ms=round((time.perf_counter() - started) * 1000, 2))


def cached_search(searcher, request):
    """Search through the app's result cache, within the app's deadline and
    query limits."""
    config = current_app.config
    return current_app.extensions["result_cache"].search(
        searcher,
        request,
        deadline=Deadline(config["QUERY_DEADLINE_SECONDS"]),
        max_words=config["MAX_QUERY_TERMS"],
    )


def init_app(app):
    app.extensions["result_cache"] = ResultCache(app.config["RESULT_CACHE_SIZE"])

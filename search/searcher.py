"""One index handle per worker process, a searcher per thread reused until the
index changes (the flaskr db.py shape: get_searcher() and init_app()).

Every request asks two cheap questions: which generation is live (a readlink)
and whether it has a newer commit (Whoosh's up_to_date). Only when one of
them says so is a searcher reopened; so every worker sees a reindex on its
next request, without a restart and without opening the index per request.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from flask import current_app, g

from .engine import scoring
from .index import NO_INDEX, RUN_THE_INDEXER, IndexUnavailable, open_index
from .index_store import live_generation

if TYPE_CHECKING:
    from flask import Flask

    from .postings.view import Searcher, SearchIndex


class SharedIndex:
    """Opens the live generation lazily and keeps one searcher per thread."""

    def __init__(self, index_dir: str) -> None:
        self.index_dir = index_dir
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._generation: str | None = None
        self._local = threading.local()

    def _open(self, generation: str) -> SearchIndex:
        with self._lock:
            if self._index is None or self._generation != generation:
                self._index = open_index(self.index_dir)
                self._generation = generation
            return self._index

    def searcher(self) -> Searcher:
        generation = live_generation(self.index_dir)
        if generation is None:
            raise IndexUnavailable(NO_INDEX)
        searcher = getattr(self._local, "searcher", None)
        try:
            if searcher is None or self._local.generation != generation:
                searcher = self._open(generation).searcher(weighting=scoring())
            elif not searcher.up_to_date():
                searcher = searcher.refresh()
        except IndexUnavailable:
            raise
        except Exception as error:  # a generation removed or damaged under us
            self.reset()
            raise IndexUnavailable(
                f"the index could not be opened ({type(error).__name__}): {RUN_THE_INDEXER}"
            ) from None
        self._local.searcher, self._local.generation = searcher, generation
        return searcher

    def reset(self) -> None:
        with self._lock:
            self._index = None
        self._local.searcher = None


def get_searcher() -> Searcher:
    """The searcher for this request; raises IndexUnavailable."""
    if "searcher" not in g:
        g.searcher = current_app.extensions["search_index"].searcher()
    return g.searcher


def init_app(app: Flask) -> None:
    app.extensions["search_index"] = SharedIndex(app.config["INDEX_DIR"])

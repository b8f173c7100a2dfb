"""One index handle per worker process, a searcher per thread reused until the
index changes (the flaskr db.py shape: get_searcher() and init_app())."""

import threading

from flask import current_app, g

from .engine import scoring
from .index import IndexUnavailable, open_index


class SharedIndex:
    """Opens the index lazily and keeps one searcher per thread, refreshed
    when a newer index generation has been committed."""

    def __init__(self, index_dir):
        self.index_dir = index_dir
        self._lock = threading.Lock()
        self._index = None
        self._local = threading.local()

    def _open(self):
        with self._lock:
            if self._index is None:
                self._index = open_index(self.index_dir)
            return self._index

    def searcher(self):
        searcher = getattr(self._local, "searcher", None)
        try:
            if searcher is None:
                searcher = self._open().searcher(weighting=scoring())
            elif not searcher.up_to_date():
                searcher = searcher.refresh()
        except IndexUnavailable:
            raise
        except Exception as error:  # the index folder was replaced or damaged
            self.reset()
            raise IndexUnavailable(str(error)) from None
        self._local.searcher = searcher
        return searcher

    def reset(self):
        with self._lock:
            self._index = None
        self._local.searcher = None


def get_searcher():
    """The searcher for this request; raises IndexUnavailable."""
    if "searcher" not in g:
        g.searcher = current_app.extensions["search_index"].searcher()
    return g.searcher


def init_app(app):
    app.extensions["search_index"] = SharedIndex(app.config["INDEX_DIR"])

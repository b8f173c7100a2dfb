"""gunicorn settings, read from the environment through search/config.py:
gunicorn -c gunicorn.conf.py wsgi:app"""

import logging
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search.config import from_environment  # noqa: E402

search_settings = from_environment()

bind = search_settings["BIND"]
workers = search_settings["WORKERS"]
# Threads, so that a slow client holds one thread, not a whole worker; the
# worker bounds how long it may hold it (search/bounded_worker.py). Each
# thread keeps its own index searcher (search/searcher.py).
worker_class = "search.bounded_worker.BoundedThreadWorker"
threads = search_settings["THREADS"]
# With threads, gunicorn's timeout no longer kills a busy request: it is the
# time the worker's main loop may go silent before the worker is restarted,
# and (in BoundedThreadWorker) the longest a request's connection is kept,
# its answer included. A search ends by its own deadline (QUERY_DEADLINE_SECONDS,
# 2 s by default) with a partial answer or a JSON 503, far below this.
timeout = search_settings["TIMEOUT"]
query_deadline = search_settings["QUERY_DEADLINE_SECONDS"]
if timeout < 3 * query_deadline:
    raise SystemExit(f"SEARCH_TIMEOUT ({timeout} s) must be well above the query deadline ({query_deadline} s)")
graceful_timeout = 10
keepalive = 5
# A 500-character query of four-byte characters is 6,000 characters once
# percent-encoded: the request line may be gunicorn's largest, 8190.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = None if search_settings["ACCESS_LOG"] == "off" else search_settings["ACCESS_LOG"]
errorlog = "-"
loglevel = search_settings["LOG_LEVEL"]
# The app's own lines (one JSON line per request and per index run,
# search/request_log.py) go to the error log's stream as they are written;
# set up here, in the master, so every worker inherits it.
_search_log = logging.getLogger("search")
if not _search_log.handlers:
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(message)s"))
    _search_log.addHandler(_handler)
    _search_log.setLevel(loglevel.upper())
    _search_log.propagate = False
# Leave the index closed in the master; each worker opens its own handle.
preload_app = False
# gunicorn's control socket lives at one fixed path per user: several servers
# on one machine (tests, a second corpus) would fight over it. Off by default.
control_socket_disable = search_settings["CONTROL_SOCKET"] is None
if not control_socket_disable:
    control_socket = search_settings["CONTROL_SOCKET"]

# /metrics (search/metrics.py) adds up every worker's counts: each worker
# writes them to files in one folder (prometheus-client's multiprocess
# mode). The folder is set up when the server starts, before any worker is
# forked, so all of them inherit it; a reload reads this file again but does
# not start again. A folder of our own is removed when the server stops; a
# configured one (SEARCH_METRICS_DIR, one per server) keeps only count files.
_COUNT_FILE = re.compile(r"(counter|gauge_[a-z]+|histogram|summary)_\d+\.db")


def on_starting(server):
    folder = search_settings["METRICS_DIR"]
    own = folder is None
    if own:
        folder = tempfile.mkdtemp(prefix="search-metrics-")
    else:
        os.makedirs(folder, exist_ok=True)
        others = [name for name in os.listdir(folder) if not _COUNT_FILE.fullmatch(name)]
        if others:
            raise SystemExit(f"SEARCH_METRICS_DIR must hold only the metrics' count files, not {others[0]!r}")
        for name in os.listdir(folder):  # the last run's counts
            os.unlink(os.path.join(folder, name))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    server.search_metrics_dir = (folder, own)


def child_exit(server, worker):
    """A worker gone: its live gauges stop counting; its counters stay."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    folder, own = getattr(server, "search_metrics_dir", (None, False))
    if own:
        shutil.rmtree(folder, ignore_errors=True)

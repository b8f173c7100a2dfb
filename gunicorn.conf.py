"""gunicorn settings, read from the environment through search/config.py:
gunicorn -c gunicorn.conf.py wsgi:app"""

import logging
import os
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
# mode), named before any worker starts so that all of them inherit it.
# A folder of our own is emptied here and removed when the server stops.
_metrics_dir = search_settings["METRICS_DIR"]
_own_metrics_dir = _metrics_dir is None
if _own_metrics_dir:
    _metrics_dir = tempfile.mkdtemp(prefix="search-metrics-")
else:
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir, exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def child_exit(server, worker):
    """A worker gone: its live gauges stop counting; its counters stay."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _own_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)

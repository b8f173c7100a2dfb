"""Numbers to watch, at ``GET /metrics`` in Prometheus's text format.

Two kinds:

- **Counts of what the app did**, counted as it happens (prometheus-client):
  requests by route, method and status, their latency, searches and their
  passes over the index, rewrites by kind, partial answers, and the result
  cache's hits and misses. Under gunicorn each worker writes its counts to
  files in one folder (prometheus-client's multiprocess mode, set up in
  gunicorn.conf.py) and a scrape adds every worker's up, whichever worker
  answers it. Without it (the development server, tests) they are this
  process's.
- **The index as it is now**, read when scraped: documents, segments, bytes
  on disk, and the last index run's age, duration and failed files. They
  come from the live index and its last-run record, the same for every
  worker, so they are read, never counted.

``/metrics`` (search/api.py) is behind the admin token: it tells an
outsider how big the index is and when it changes. Prometheus sends the
token with ``authorization: {credentials_file: ...}``.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, ParamSpec

from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from .index import IndexUnavailable
from .index_store import live_dir, read_last_run

P = ParamSpec("P")
log = logging.getLogger(__name__)

# Methods a route label may carry; any other a client invents counts as "other".
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "unmatched"  # an answer no route gave (404, 405, a redirect): one label, whatever the path
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)

# No *_created series: gunicorn's workers (multiprocess mode) have none, and
# one process alone should answer the same names.
disable_created_metrics()

# Registered with no registry: each scrape builds its own (see registry()).
REQUESTS = Counter(
    "search_http_requests",
    "HTTP requests answered, by route, method and status",
    ["route", "method", "status"],
    registry=None,
)
LATENCY = Histogram(
    "search_http_request_duration_seconds",
    "Time from a request's arrival to its answer, by route",
    ["route"],
    buckets=LATENCY_BUCKETS,
    registry=None,
)
SEARCHES = Counter(
    "search_searches", "Searches answered (page and API), by outcome: full or partial", ["outcome"], registry=None
)
PASSES = Counter("search_index_passes", "Passes over the index made by searches (0 for a cached answer)", registry=None)
REWRITES = Counter(
    "search_rewrites", "Searches answered through a changed query, by kind (layout, typo)", ["kind"], registry=None
)
RESULT_CACHE = Counter(
    "search_result_cache_lookups", "Result cache lookups, by result: hit or miss", ["result"], registry=None
)
COUNTED = (REQUESTS, LATENCY, SEARCHES, PASSES, REWRITES, RESULT_CACHE)


def _never_failing(count: Callable[P, None]) -> Callable[P, None]:
    """``count``, which a request never fails by: counting is an aside (a
    metrics folder gone or full must not turn answers into 500s). The first
    failure in a process is logged; the others would repeat it."""

    @functools.wraps(count)
    def counting(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            count(*args, **kwargs)
        except Exception:
            if not _failures_logged:
                _failures_logged.append(True)
                log.exception("metrics could not be counted; answers go on without them")

    return counting


_failures_logged: list[bool] = []


@_never_failing
def observe_request(record: Mapping[str, Any]) -> None:
    """Count one answered request from its log record (search/request_log.py)."""
    route = record.get("route") or UNMATCHED_ROUTE
    method = record["method"] if record["method"] in KNOWN_METHODS else "other"
    REQUESTS.labels(route, method, str(record["status"])).inc()
    LATENCY.labels(route).observe(record["ms"] / 1000)
    if "passes" in record:
        SEARCHES.labels("partial" if record["partial"] else "full").inc()
        PASSES.inc(record["passes"])
        if record["rewrite"]:
            REWRITES.labels(record["rewrite"]).inc()


@_never_failing
def count_cache_lookup(hit: bool) -> None:
    RESULT_CACHE.labels("hit" if hit else "miss").inc()


def _seconds_since(stamp: str | None) -> float | None:
    if not stamp:
        return None
    try:
        return max(0.0, time.time() - datetime.fromisoformat(stamp).timestamp())
    except ValueError:
        return None


def _bytes_under(folder: Path | None) -> int:
    total = 0
    if folder is None:
        return total
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except OSError:  # removed under us by a prune
                pass
    return total


class IndexCollector(Collector):
    """The live index's size and its last run, read at each scrape."""

    def __init__(self, index_dir: str, searcher: Any) -> None:
        self.index_dir, self.searcher = index_dir, searcher

    def collect(self) -> Iterator[GaugeMetricFamily]:
        def gauge(name: str, documentation: str, value: float | None) -> Iterator[GaugeMetricFamily]:
            if value is not None:
                yield GaugeMetricFamily(name, documentation, value=value)

        try:
            searcher = self.searcher()
            documents: int | None = searcher.doc_count()
            segments: int | None = len(list(searcher.reader().leaf_readers()))
        except IndexUnavailable:
            documents = segments = None
        yield from gauge("search_index_up", "1 when the live index opens, else 0", int(documents is not None))
        yield from gauge("search_index_documents", "Documents in the live index", documents)
        yield from gauge("search_index_segments", "Segments of the live index", segments)
        size = _bytes_under(live_dir(self.index_dir)) if documents is not None else None
        yield from gauge("search_index_bytes", "Bytes on disk of the live index's generation", size)
        last = read_last_run(self.index_dir) or {}
        age = _seconds_since(last.get("finished_at"))
        yield from gauge("search_index_last_run_age_seconds", "Seconds since the last index run finished", age)
        if "seconds" in last:
            yield from gauge("search_index_last_run_duration_seconds", "How long the last run took", last["seconds"])
        if "failed" in last:
            yield from gauge("search_index_last_run_failed_files", "Files the last run skipped", len(last["failed"]))
        failed_at = (last.get("failed_run") or {}).get("at")
        failed = failed_at is not None and failed_at >= (last.get("finished_at") or "")
        yield from gauge("search_index_last_run_failed", "1 when the last run that ended failed", int(failed))


def registry(index_dir: str, searcher: Any) -> CollectorRegistry:
    """What one scrape reads: every worker's counts (or this process's), and
    the index as it is."""
    scraped = CollectorRegistry()
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:  # gunicorn.conf.py set it: add the workers' files up
        MultiProcessCollector(scraped)
    else:
        for metric in COUNTED:
            scraped.register(metric)
    scraped.register(IndexCollector(index_dir, searcher))
    return scraped


def exposition(index_dir: str, searcher: Any) -> tuple[bytes, str]:
    """The text of one scrape, and its content type: the classic text format
    (0.0.4), which every Prometheus reads; the names need none of 1.0.0's escaping."""
    return generate_latest(registry(index_dir, searcher)), CONTENT_TYPE_PLAIN_0_0_4

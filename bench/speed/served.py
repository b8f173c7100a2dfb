"""Served throughput: our index behind gunicorn on loopback, its trivial
route and /search measured by keep-alive client threads, and the workers'
memory and CPU read from /proc. Every wait is bounded."""

import bisect
import http.client
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from bench.common import free_port

from .latency import summarise
from .processes import clean_environment, log, start

# The cache-on served phase: share of requests that repeat an earlier query,
# and the exponent of the Zipf popularity that picks which one.
REPEAT_SHARE = 0.4
ZIPF_POPULARITY = 1.0
# A cached response reports the time of its cache lookup as took_ms; a search
# takes longer than this.
CACHED_TOOK_MS = 0.5
CLIENT_TIMEOUT = 120  # seconds one request may take, queueing included (gunicorn kills a worker after 30)
MAX_REQUESTS_PER_CLIENT = 50_000
TOOK_MS = re.compile(rb'"took_ms":\s*([0-9.]+)')


class Rotation:
    """The same paths in turn; each client starts at its own offset."""

    def __init__(self, paths):
        self.paths = paths

    def client(self, number):
        offset = number * 7
        counter = iter(range(MAX_REQUESTS_PER_CLIENT))
        return lambda: self.paths[(next(counter) + offset) % len(self.paths)]


class RequestStream:
    """One stream of query texts shared by all clients, in an order fixed by
    the seed: each request repeats an earlier query with probability
    ``repeat_share``, chosen among those already sent by Zipf popularity
    (the query of popularity rank k weighs 1/k^exponent; ranks are a seeded
    shuffle of the pool), and otherwise is the next query of ``texts`` never
    sent before. So the share of repeats is about ``repeat_share`` whatever
    the number of requests (until the pool runs out). Thread-safe; counts
    what it hands out."""

    def __init__(self, texts, repeat_share, seed, exponent=ZIPF_POPULARITY):
        self.paths = [f"/search?q={quote(text)}" for text in texts]
        self.repeat_share = repeat_share
        ranks = list(range(1, len(texts) + 1))
        random.Random(f"popularity-{seed}").shuffle(ranks)
        self.weights = [1.0 / rank**exponent for rank in ranks]
        self.rng = random.Random(f"stream-{seed}")
        self.first_sent = []  # pool indexes, in the order first sent
        self.cumulative = []  # their cumulative popularity weights
        self.requests = self.repeats = 0
        self.times_sent = Counter()
        self.lock = threading.Lock()

    def next_path(self):
        with self.lock:
            fresh = len(self.first_sent)
            if self.first_sent and (fresh >= len(self.paths) or self.rng.random() < self.repeat_share):
                pick = bisect.bisect_right(self.cumulative, self.rng.random() * self.cumulative[-1])
                index = self.first_sent[min(pick, fresh - 1)]
                self.repeats += 1
            else:
                index = fresh
                self.first_sent.append(index)
                self.cumulative.append((self.cumulative[-1] if self.cumulative else 0.0) + self.weights[index])
            self.requests += 1
            self.times_sent[index] += 1
            return self.paths[index]

    def client(self, number):
        return self.next_path

    def summary(self):
        top = self.times_sent.most_common(1)
        return {
            "repeat_share_target": self.repeat_share,
            "zipf_exponent": ZIPF_POPULARITY,
            "requests_issued": self.requests,
            "distinct_queries": len(self.first_sent),
            "pool": len(self.paths),
            "pool_exhausted": len(self.first_sent) >= len(self.paths),
            "repeat_share": round(self.repeats / self.requests, 4) if self.requests else None,
            "top_query_share": round(top[0][1] / self.requests, 4) if top else None,
        }


def _client(port, next_path, stop, latencies, errors, took):
    """Send requests on one keep-alive connection until ``stop`` is set;
    record each /search response's took_ms in ``took``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
    for _ in range(MAX_REQUESTS_PER_CLIENT):
        if stop.is_set():
            break
        path = next_path()
        started = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            errors.append(f"{type(error).__name__} {path}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
            continue
        if response.status != 200:
            errors.append(f"{response.status} {path}")
        else:
            latencies.append((time.perf_counter() - started) * 1000)
            if path.startswith("/search"):
                match = TOOK_MS.search(body)
                if match:
                    took.append(float(match.group(1)))
    connection.close()


def run_phase(port, source, clients, seconds):
    """``clients`` threads for ``seconds``, requesting the paths ``source``
    (a Rotation or a RequestStream) gives; requests in flight at the end are
    waited for and counted (the elapsed time includes them)."""
    stop = threading.Event()
    latencies, errors, took = [], [], []
    threads = [
        threading.Thread(target=_client, args=(port, source.client(i), stop, latencies, errors, took), daemon=True)
        for i in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    stop.wait(seconds)
    stop.set()
    deadline = time.monotonic() + CLIENT_TIMEOUT + 10  # the last requests in flight, at most
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    elapsed = time.perf_counter() - started
    result = {
        "requests": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:5],
        "seconds": round(elapsed, 2),
        "rps": round(len(latencies) / elapsed, 2),
        **summarise(latencies),
    }
    if took:
        # responses whose took_ms is that of a cache lookup, not of a search
        result["answered_from_cache"] = round(sum(t < CACHED_TOOK_MS for t in took) / len(took), 4)
    return result


def _children(pid):
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                children.append(int(stat.parent.name))
        return children


def _cpu_seconds(pids):
    """User + system CPU seconds the processes ``pids`` have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _memory_mb(pid):
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            values[key] = round(int(value.split()[0]) / 1024, 1)
    # RssFile: pages of mapped files (the index segments, libraries), shared
    # with the other workers and the page cache; RssAnon: the worker's own.
    return {
        "pid": pid,
        "rss_mb": values.get("VmRSS"),
        "peak_rss_mb": values.get("VmHWM"),
        "anon_mb": values.get("RssAnon"),
        "file_mb": values.get("RssFile"),
    }


def _wait_ready(port, server, server_log, seconds=120):
    """Wait until /healthz answers 200; raise, with what gunicorn logged last,
    if it exits or does not within ``seconds``."""
    deadline = time.monotonic() + seconds
    last = "no answer"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}{_log_tail(server_log)}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            last = f"{response.status} {response.read()[:200].decode('utf-8', 'replace')}"
            connection.close()
            if response.status == 200:
                return
        except (OSError, http.client.HTTPException) as error:
            last = f"{type(error).__name__}: {error}"
        time.sleep(0.2)
    tail = _log_tail(server_log)
    raise RuntimeError(f"gunicorn did not answer /healthz with 200 in {seconds} s (last: {last}){tail}")


def _log_tail(path):
    """What the server logged last: its last line first (a traceback's error), then the tail."""
    text = Path(path).read_text("utf-8", errors="replace").strip()
    return f": {text.splitlines()[-1]}\n{text[-1500:]}" if text else ""


def _stop(server):
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _measured_phase(server, port, source, clients, seconds):
    """run_phase, plus the workers' CPU time per request (what a shared
    machine disturbs least)."""
    workers = _children(server.pid)
    before = _cpu_seconds(workers)
    result = run_phase(port, source, clients, seconds)
    used = _cpu_seconds(workers) - before
    result["worker_cpu_ms_per_request"] = round(used * 1000 / result["requests"], 2) if result["requests"] else None
    return result


def serve_and_measure(docs, work, warm, source, workers, clients, seconds, trivial_seconds, cache):
    """Start gunicorn on our index (result cache of ``cache`` entries per
    worker, None for the shipped default); warm it up on ``warm``, then
    measure /healthz and /search (the paths of ``source``) and read the
    workers' memory."""
    port = free_port()
    settings = {
        "SEARCH_INDEX_DIR": str(work / "ours"),
        "SEARCH_DOCS_DIR": str(docs),
        "SEARCH_BIND": f"127.0.0.1:{port}",
        "SEARCH_WORKERS": str(workers),
        # gunicorn refuses an empty SEARCH_ACCESS_LOG ("'' isn't writable"): /dev/null is the off switch.
        "SEARCH_ACCESS_LOG": "/dev/null",
    }
    if cache is not None:
        settings["SEARCH_RESULT_CACHE"] = str(cache)
    label = f"result cache {'default' if cache is None else cache}"
    log_path = work / f"gunicorn-cache-{cache}.log"
    with open(log_path, "wb") as server_log:
        server = start(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            env=clean_environment(**settings),
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(port, server, log_path)
            log(f"  gunicorn ({workers} workers, {label}) on 127.0.0.1:{port}; warming up ...")
            run_phase(port, warm, clients, min(3.0, seconds))
            trivial = _measured_phase(server, port, Rotation(["/healthz"]), clients, trivial_seconds)
            log(f"  /healthz: {trivial['rps']} req/s, p50 {trivial['p50_ms']} ms, {trivial['errors']} errors")
            searches = _measured_phase(server, port, source, clients, seconds)
            log(
                f"  /search: {searches['rps']} req/s, p50 {searches['p50_ms']} p95 {searches['p95_ms']} ms, "
                f"{searches['errors']} errors"
            )
            worker_memory = [_memory_mb(pid) for pid in _children(server.pid)]
        finally:
            _stop(server)
    ratio = round(searches["rps"] / trivial["rps"], 4) if trivial["rps"] else None
    cpu_trivial, cpu_search = trivial["worker_cpu_ms_per_request"], searches["worker_cpu_ms_per_request"]
    log(
        f"  search/trivial {ratio:.1%}; worker RSS " + ", ".join(f"{w['rss_mb']} MB" for w in worker_memory)
        if ratio is not None
        else "  no /healthz request answered"
    )
    return {
        "workers": workers,
        "clients": clients,
        "seconds_healthz": trivial_seconds,
        "seconds_search": seconds,
        "healthz": trivial,
        "search": searches,
        "search_over_trivial": ratio,
        # the same ratio from worker CPU per request: the rate the search route
        # would reach relative to /healthz if the workers had the cores alone
        "search_over_trivial_by_cpu": round(cpu_trivial / cpu_search, 4) if cpu_trivial and cpu_search else None,
        "errors": trivial["errors"] + searches["errors"],
        "worker_memory": worker_memory,
    }


def measure_served_uncached(docs, work, queries, args):
    """The result cache off, the query set in rotation."""
    rotation = Rotation([f"/search?q={quote(query.text)}" for query in queries])
    log("  served, result cache off (SEARCH_RESULT_CACHE=0), the query set in rotation ...")
    served = serve_and_measure(docs, work, rotation, rotation, *_phase(args), cache=0)
    served["result_cache"] = 0
    return served


def measure_served_cached(docs, work, stream_texts, warm_texts, args):
    """The cache at its shipped size, a stream with repeats by Zipf popularity."""
    from search.config import default

    warm = Rotation([f"/search?q={quote(text)}" for text in warm_texts])
    stream = RequestStream(stream_texts, args.repeat_share, args.seed)
    cache_size = default("RESULT_CACHE_SIZE")
    log(
        f"  served, result cache on ({cache_size} entries per worker), {args.repeat_share:.0%} of requests "
        "repeating an earlier query by Zipf popularity ..."
    )
    cached = serve_and_measure(docs, work, warm, stream, *_phase(args), cache=None)
    cached["result_cache"] = cache_size
    cached["stream"] = stream.summary()
    log(
        f"  stream: {cached['stream']['requests_issued']} requests, {cached['stream']['distinct_queries']} distinct, "
        f"{cached['stream']['repeat_share']:.1%} repeats; "
        f"answered from a cache {cached['search'].get('answered_from_cache', 0):.1%}"
    )
    if cached["stream"]["pool_exhausted"]:
        log("  WARNING: the stream ran out of fresh queries; later requests were all repeats")
    return cached


def _phase(args):
    return args.workers, args.clients, args.serve_seconds, args.trivial_seconds

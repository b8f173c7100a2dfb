"""Query latency: the same queries through every engine, interleaved, with
the hits each one shows (and so its zero-hit queries, by kind of query).

Ours is the real Flask app's GET /search through its test client, result
cache off; FTS5 runs in this process; stock Whoosh and tantivy each answer
in a process of their own (bench/speed/peer_worker.py) and are timed there.
An engine that cannot start is reported and left out; the others run.
"""

import json
import signal
import sqlite3
import statistics
import sys
import time
from collections import Counter, defaultdict
from contextlib import contextmanager

from bench.common import percentile

from .build import FTS_TABLE
from .processes import PeerProcess, log

# ours: the app as shipped; ours_off: the same app with exact=1&cross_script=0
# (no typo tolerance, no layout or typo rewrite, no names across scripts);
# ours_exact: exact=1 only (no typo tolerance or rewrite): what tolerance costs.
ENGINES = ("ours", "ours_off", "ours_exact", "stock", "fts5", "tantivy")
OURS = ("ours", "ours_off", "ours_exact")
ENGINE_LABELS = {
    "ours": "ours",
    "ours_off": "ours, features off",
    "ours_exact": "ours, exact=1",
    "stock": "stock Whoosh",
    "fts5": "FTS5",
    "tantivy": "tantivy",
}
PEERS = ("stock", "tantivy")  # answered by bench/speed/peer_worker.py
FEATURES_OFF = {"exact": "1", "cross_script": "0"}
OURS_PARAMS = {"ours": {}, "ours_off": FEATURES_OFF, "ours_exact": {"exact": "1"}}
WARMUP_QUERIES = 6
# Longest one engine may take to answer one query (and a peer to start), in
# seconds: a query that takes longer is counted as an error.
QUERY_TIMEOUT = 60.0
PEER_START_TIMEOUT = 300.0
# FTS5 checks its deadline every this many SQLite VM steps.
FTS_PROGRESS_STEPS = 100_000


class QueryTimeout(Exception):
    pass


@contextmanager
def deadline(seconds):
    """Raise QueryTimeout in this (main) thread after ``seconds``: bounds a
    query answered in this process. It fires between Python bytecodes, so a
    single long C call is waited for."""

    def expire(signum, frame):
        raise QueryTimeout(f"no answer in {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Engines:
    """The ways to answer a query, each giving (wall ms, CPU ms, hits shown).
    ``names`` are the engines whose index was built; one that fails to open
    is left out, and why is in ``unavailable``."""

    def __init__(self, docs, work, names):
        self.unavailable = {}
        self.app = self.client = self.fts = None
        self.peers = {}
        if any(name in names for name in OURS):
            try:
                from search import create_app

                self.app = create_app(
                    {
                        "INDEX_DIR": str(work / "ours"),
                        "DOCS_DIR": str(docs),
                        "SEARCH_RATE_LIMIT": "",
                        "RESULT_CACHE_SIZE": 0,
                    }
                )
                self.client = self.app.test_client()
            except Exception as error:
                for name in OURS:
                    self.unavailable[name] = f"the app did not start: {type(error).__name__}: {error}"
        for name in PEERS:
            if name in names:
                try:
                    self.peers[name] = PeerProcess(
                        f"the {ENGINE_LABELS[name]} query process",
                        [sys.executable, "-m", "bench.speed.peer_worker", name, work / name],
                        work / f"{name}-queries.log",
                        PEER_START_TIMEOUT,
                    )
                except Exception as error:
                    self.unavailable[name] = f"{type(error).__name__}: {error}"
        if "fts5" in names:
            self.fts = sqlite3.connect(f"file:{work / 'fts5.db'}?mode=ro", uri=True)
            self.fts_deadline = float("inf")
            self.fts.set_progress_handler(lambda: time.monotonic() > self.fts_deadline, FTS_PROGRESS_STEPS)
        self.names = tuple(name for name in ENGINES if name in names and name not in self.unavailable)

    def ours(self, query, variant="ours"):
        """GET /search with the parameters of ``variant`` (OURS_PARAMS)."""
        params = {"q": query.text, **OURS_PARAMS[variant]}
        response = self.client.get("/search", query_string=params)
        if response.status_code != 200:
            raise RuntimeError(f"GET /search answered {response.status_code}: {response.get_data(as_text=True)[:200]}")
        return response

    def fts5(self, query):
        rows = self.fts.execute(
            f"SELECT rowid, title, snippet({FTS_TABLE}, 1, '<mark>', '</mark>', '…', 32) FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH ? ORDER BY rank LIMIT 10",
            (query.fts,),
        ).fetchall()
        if rows:
            ids = [row[0] for row in rows]
            marks = ",".join("?" * len(ids))
            self.fts.execute(f"SELECT id, path FROM paths WHERE id IN ({marks})", ids).fetchall()
        return rows

    def peer(self, name, query):
        """Timed in the peer's process around its search."""
        answer = json.loads(self.peers[name].ask(json.dumps(query.text), QUERY_TIMEOUT))
        if isinstance(answer, dict):
            raise RuntimeError(answer["error"])
        wall, cpu, shown, _ = answer
        return wall, cpu, shown

    def run(self, name, query):
        """(wall ms, CPU ms, hits shown) for ``query`` on engine ``name``. CPU
        time (this process, single-threaded here) is what a shared machine
        disturbs least."""
        if name in self.peers:
            return self.peer(name, query)
        if name == "fts5":
            self.fts_deadline = time.monotonic() + QUERY_TIMEOUT
            cpu, started = time.process_time(), time.perf_counter()
            try:
                rows = self.fts5(query)
            except sqlite3.OperationalError as error:
                if time.monotonic() > self.fts_deadline:
                    raise QueryTimeout(f"no answer in {QUERY_TIMEOUT:g} s") from None
                raise RuntimeError(f"FTS5: {error}") from None
            wall, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
            return wall, cpu, len(rows)
        with deadline(QUERY_TIMEOUT):
            cpu, started = time.process_time(), time.perf_counter()
            response = self.ours(query, name)
            wall, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
        return wall, cpu, len(response.get_json()["results"])

    def close(self):
        if self.fts is not None:
            self.fts.close()
        for peer in self.peers.values():
            peer.close()


def engine_order(engines, i):
    """The order the engines answer query ``i`` in: rotated by one each query
    and reversed every other round, so that each engine takes each place,
    and each one precedes each other one, equally often."""
    n = len(engines)
    order = engines[i % n :] + engines[: i % n]
    return order[::-1] if (i // n) % 2 else order


def summarise(latencies):
    return {
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p95_ms": round(percentile(latencies, 0.95), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "mean_ms": round(statistics.fmean(latencies), 2) if latencies else 0.0,
        "max_ms": round(max(latencies), 2) if latencies else 0.0,
    }


class Tally:
    """One engine's answers: latencies, hits, errors, by kind of query."""

    def __init__(self):
        self.wall, self.cpu, self.errors = [], [], []
        self.wall_by_kind = defaultdict(list)
        self.zero_hits_by_kind = Counter()
        self.with_results = 0

    def add(self, query, wall, cpu, hits):
        self.wall.append(wall)
        self.cpu.append(cpu)
        self.wall_by_kind[query.kind].append(wall)
        self.zero_hits_by_kind[query.kind] += hits == 0
        self.with_results += hits > 0

    def summary(self):
        return {
            **summarise(self.wall),
            "cpu": summarise(self.cpu),
            "queries": len(self.wall),
            "with_results": self.with_results,
            "zero_hits": sum(self.zero_hits_by_kind.values()),
            "zero_hits_by_kind": dict(sorted(self.zero_hits_by_kind.items())),
            "errors": len(self.errors),
            "error_samples": self.errors[:5],
            "p50_by_kind_ms": {
                kind: round(percentile(values, 0.5), 2) for kind, values in sorted(self.wall_by_kind.items())
            },
        }


def measure_queries(docs, work, queries, warmup, budget_seconds, names):
    """Every query through every engine of ``names`` that starts, engines
    interleaved; stops starting queries after ``budget_seconds``."""
    engines = Engines(docs, work, names)
    for name, why in engines.unavailable.items():
        log(f"  {ENGINE_LABELS[name]}: left out, {why[:500]}")
    names = engines.names
    tallies = {name: Tally() for name in names}
    done, started = 0, time.perf_counter()
    try:
        log(f"  warming up with {len(warmup)} other queries ...")
        for query in warmup:
            for name in names:
                try:
                    engines.run(name, query)
                except Exception as error:  # counted below, not fatal
                    tallies[name].errors.append(f"warm-up {query.text}: {type(error).__name__}: {error}")
        started = time.perf_counter()
        for i, query in enumerate(queries):
            if time.perf_counter() - started > budget_seconds:
                log(f"  query budget of {budget_seconds:.0f} s spent after {done} queries; stopping")
                break
            for name in engine_order(names, i):
                try:
                    tallies[name].add(query, *engines.run(name, query))
                except Exception as error:
                    tallies[name].errors.append(f"{query.text}: {type(error).__name__}: {error}")
            done += 1
            if done % 25 == 0:
                log(
                    f"  {done}/{len(queries)} queries; p50 so far "
                    + ", ".join(f"{n} {percentile(tallies[n].wall, 0.5):.1f} ms" for n in names)
                )
    finally:
        engines.close()
    result = {
        "queries_run": done,
        "seconds": round(time.perf_counter() - started, 1) if done else 0.0,
        "kinds": dict(sorted(Counter(q.kind for q in queries[:done]).items())),
        "result_cache": 0,
        "features_off_params": FEATURES_OFF,
        "unavailable": engines.unavailable,
        "skipped": [name for name in ENGINES if name not in names and name not in engines.unavailable],
        "query_timeout_seconds": QUERY_TIMEOUT,
    }
    result.update({name: tally.summary() for name, tally in tallies.items()})
    keys = ("p50_ms", "p95_ms", "p99_ms", "mean_ms")
    ours = result.get("ours")
    for peer in ("fts5", "tantivy", "stock"):
        other = result.get(peer)
        usable = ours and other and ours["queries"] and other["queries"]
        result[f"ratios_ours_over_{peer}"] = _ratios(ours, other, keys) if usable else None
        result[f"cpu_ratios_ours_over_{peer}"] = _ratios(ours["cpu"], other["cpu"], keys[:2]) if usable else None
    on, off = result.get("ours"), result.get("ours_off")
    if on and off and on["queries"] and off["queries"]:
        # what the features cost: latency with them on over off, minus 1
        result["features"] = {
            "p50_growth": _growth(on["p50_ms"], off["p50_ms"]),
            "p95_growth": _growth(on["p95_ms"], off["p95_ms"]),
            "cpu_p95_growth": _growth(on["cpu"]["p95_ms"], off["cpu"]["p95_ms"]),
        }
    exact = result.get("ours_exact")
    if on and exact and on["queries"] and exact["queries"]:
        # what typo tolerance costs: the app as shipped over exact=1 (issue 16: p95 at most 1.2x)
        result["tolerance"] = {
            "p50_ratio": round(on["p50_ms"] / exact["p50_ms"], 3) if exact["p50_ms"] else None,
            "p95_ratio": round(on["p95_ms"] / exact["p95_ms"], 3) if exact["p95_ms"] else None,
        }
    return result


def _ratios(ours, peer, keys):
    return {key: round(ours[key] / peer[key], 2) if peer[key] else None for key in keys}


def _growth(a, b):
    return round(a / b - 1, 4) if b else None

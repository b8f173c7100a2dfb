"""Speed benchmark: index build, unchanged reindex, query latency and served
throughput on synthetic Arabic/English corpora, against stock Whoosh and
SQLite FTS5.

    .venv/bin/python -m bench.speed.run [--sizes 1000,10000,50000] [--queries 200] [--out bench/results]

For each size: generate the corpus (bench/speed/corpus.py) into a temporary
folder; build our index (`python -m search index`), a stock-Whoosh index and
an FTS5 table, each in a fresh process (wall time, peak RSS, size on disk);
re-run our index on the unchanged folder; time the same queries, interleaved,
through our Flask app (GET /search) with the find-what-people-meant features
on and off (exact=1&cross_script=0), stock Whoosh (search.engine.search) and
FTS5 (bm25, snippet, LIMIT 10), the result cache off, stock Whoosh in a
process of its own; serve our index with
gunicorn on loopback and measure /healthz and /search throughput and worker
memory, once with the result cache off (SEARCH_RESULT_CACHE=0, the same
queries in rotation) and once with it on (its default size) under a stream
in which a stated share of requests repeats an earlier query, by Zipf
popularity. Writes <out>/speed-<size>.json and bench/RESULTS.md (every size
found in <out>, then bench/speed/NOTES.md). Everything runs on loopback,
bounded in time; temporary folders are removed, and the builds and servers
it starts die with it.
"""

import argparse
import bisect
import ctypes
import hashlib
import http.client
import importlib
import io
import json
import os
import platform
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote

from bench.common import free_port, markdown_table, percentile

from .build import FTS_TABLE
from .corpus import SEED, Query, Vocabulary, make_queries, write_corpus

ROOT = Path(__file__).resolve().parent.parent.parent
# Every process of a run imports the project from one copy taken when the run
# starts (see snapshot_code); set by main().
CODE = ROOT
SNAPSHOT = ("search", "templates", "static", "bench", "wsgi.py", "gunicorn.conf.py")
BUILD_TIMEOUT = 3 * 3600
WARMUP_QUERIES = 6
NOTES = Path(__file__).resolve().with_name("NOTES.md")  # hand-written, appended to the markdown
RUN_PREFIX = "search-speed-"
OWNER_FILE = "owner.pid"
# The query phase's variant with the find-what-people-meant features off: no
# layout or typo rewrite (exact), no names across scripts (cross_script).
FEATURES_OFF = {"exact": "1", "cross_script": "0"}
# The cache-on served phase: share of requests that repeat an earlier query,
# and the exponent of the Zipf popularity that picks which one.
REPEAT_SHARE = 0.4
ZIPF_POPULARITY = 1.0
# Distinct queries made for that stream beyond the query set (it never runs short).
STREAM_POOL = 8000
SERVED_WARMUP_QUERIES = 40
# A cached response reports the time of its cache lookup as took_ms; a search
# takes longer than this.
CACHED_TOOK_MS = 0.5
TARGETS = {
    "reindex_seconds": 10.0,  # unchanged folder, at most
    "p50_ratio": 2.0,  # ours / FTS5, at most
    "p95_ratio": 3.0,
    "features_p95_growth": 0.20,  # p95 with the features on over off, minus 1, at most
    "served_ratio": 0.05,  # /search req/s over /healthz req/s, at least
    "errors": 0,
    "worker_rss_mb": 200.0,  # each gunicorn worker, at most
    "build_ratio": 2.0,  # our build's docs/s over stock Whoosh's, at least
    "indexer_rss_mb": 600.0,  # the indexer's peak (its largest process), at most
}


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def snapshot_code(dest, revision=None):
    """Copy the project's code to ``dest`` and import it from there, so that
    one run measures one version even while the working tree is edited;
    return its provenance (commit, modified files, hash of the copy).
    ``revision`` (a git revision) takes the code from there instead of the
    working tree; the benchmark itself (bench/speed) always comes from the
    working tree."""
    global CODE
    dest.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "results", "RESULTS.*")
    if revision:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", revision, *SNAPSHOT], cwd=ROOT, capture_output=True, check=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(dest, filter="data")
        shutil.rmtree(dest / "bench" / "speed", ignore_errors=True)
        shutil.copytree(Path(__file__).resolve().parent, dest / "bench" / "speed", ignore=ignore)
    else:
        for name in SNAPSHOT:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, dest / name, ignore=ignore)
            else:
                shutil.copy2(source, dest / name)
    digest = hashlib.sha256()
    for path in sorted((dest / "search").rglob("*.py")):
        digest.update(path.relative_to(dest).as_posix().encode() + b"\0" + path.read_bytes())
    CODE = dest
    sys.path.insert(0, str(dest))
    importlib.invalidate_caches()
    return {
        "commit": _git("rev-parse", revision or "HEAD"),
        "modified": [] if revision else _git("status", "--porcelain", "--", "search").splitlines(),
        "search_sha256": digest.hexdigest()[:16],
    }


def _git(*arguments):
    try:
        return subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError:
        return ""


def clean_environment(**extra):
    """This process's environment without any SEARCH_ setting, plus ``extra``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SEARCH_")}
    env.update(extra)
    return env


try:
    _LIBC = ctypes.CDLL(None, use_errno=True)  # loaded here: a forked child must not load libraries
except OSError:
    _LIBC = None
PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """preexec_fn of every build and server: the child gets SIGTERM when this
    process dies, even by SIGKILL, so none outlives a killed run (Linux)."""
    if _LIBC is not None and hasattr(_LIBC, "prctl"):
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_runs():
    """Remove the temporary folders of earlier runs that were killed before
    they could clean up (those whose owner.pid names no live process);
    folders without that file are left alone and listed."""
    others = []
    for folder in Path(tempfile.gettempdir()).glob(RUN_PREFIX + "*"):
        owner = folder / OWNER_FILE
        try:
            pid = int(owner.read_text().strip())
        except (OSError, ValueError):
            others.append(folder)
            continue
        if not _alive(pid):
            log(f"removing {folder}, left by a run (pid {pid}) that did not finish")
            shutil.rmtree(folder, ignore_errors=True)
    if others:
        log("other temporary folders of this benchmark, not removed: " + ", ".join(map(str, others)))


def run_measured(command, output, timeout=BUILD_TIMEOUT):
    """Run ``command`` in a fresh process; return its wall time and peak RSS
    (os.wait4 gives this one child's own resource usage)."""
    with open(output, "wb") as sink:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=CODE,
            env=clean_environment(),
            stdout=sink,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - started
            process.returncode = os.waitstatus_to_exitcode(status)
        finally:
            timer.cancel()
            if process.returncode is None:
                process.kill()
                process.wait()
    text = Path(output).read_text("utf-8", errors="replace").strip()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed ({process.returncode}): {text[-2000:]}")
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # ru_maxrss is in KiB on Linux
        "output": text.splitlines()[-1] if text else "",
    }


def disk_mb(path):
    path = Path(path)
    files = [path] if path.is_file() else (p for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return round(sum(p.stat().st_size for p in files) / 1e6, 1)


# -- index builds ------------------------------------------------------------


def build_all(docs, work, documents, stock=True):
    python = sys.executable
    builds = {}
    commands = {
        "ours": [python, "-m", "search", "index", "--docs", docs, "--index", work / "ours", "--quiet"],
        "stock": [python, "-m", "bench.speed.build", "stock", docs, work / "stock"],
        "fts5": [python, "-m", "bench.speed.build", "fts5", docs, work / "fts5.db"],
    }
    if not stock:
        del commands["stock"]
        log("  stock Whoosh: not built at this size (--skip-stock-above)")
    for name, command in commands.items():
        log(f"  building {name} ...")
        result = run_measured(command, work / f"build-{name}.log")
        result["docs_per_s"] = round(documents / result["seconds"], 1)
        result["docs_per_cpu_s"] = round(documents / result["cpu_seconds"], 1)
        result["index_mb"] = disk_mb(work / ("fts5.db" if name == "fts5" else name))
        builds[name] = result
        log(
            f"  {name}: {result['seconds']:.1f} s ({result['cpu_seconds']:.1f} s CPU), "
            f"{result['docs_per_s']:.0f} docs/s, peak RSS {result['peak_rss_mb']:.0f} MB, "
            f"{result['index_mb']:.0f} MB on disk  ({result['output']})"
        )
    log("  reindexing the unchanged folder ...")
    reindex = run_measured(commands["ours"], work / "reindex.log")
    log(f"  reindex: {reindex['seconds']:.2f} s, peak RSS {reindex['peak_rss_mb']:.0f} MB ({reindex['output']})")
    return builds, reindex


# -- query latency -----------------------------------------------------------


class Engines:
    """The ways to answer a query, each returning how many hits it shows.
    Our app runs with its result cache off: every query is searched. Stock
    Whoosh answers in a process of its own (bench/speed/stock_worker.py): in
    this one it would evict our index's per-index tables before each of our
    queries."""

    def __init__(self, docs, work, stock=True, fts5=True):
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
        self.stock = self._start_stock(work) if stock else None
        self.fts = sqlite3.connect(f"file:{work / 'fts5.db'}?mode=ro", uri=True) if fts5 else None

    @staticmethod
    def _start_stock(work):
        with open(work / "stock-queries.log", "wb") as errors:
            worker = subprocess.Popen(
                [sys.executable, "-m", "bench.speed.stock_worker", str(work / "stock")],
                cwd=CODE,
                env=clean_environment(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
                encoding="utf-8",
                preexec_fn=_die_with_parent,
            )
        if worker.stdout.readline().strip() != "ready":
            worker.kill()
            worker.wait()
            tail = (work / "stock-queries.log").read_text("utf-8", errors="replace")[-1500:]
            raise RuntimeError(f"the stock-Whoosh query process did not start: {tail}")
        return worker

    def ours(self, query, features=True):
        """GET /search; ``features=False`` adds exact=1&cross_script=0."""
        params = {"q": query.text} if features else {"q": query.text, **FEATURES_OFF}
        response = self.client.get("/search", query_string=params)
        if response.status_code != 200:
            raise RuntimeError(f"GET /search answered {response.status_code}")
        return response

    @staticmethod
    def ours_hits(response):
        return len(response.get_json()["results"])

    def stock_search(self, query):
        """(wall ms, CPU ms, hits shown), timed in the stock process around
        `search.engine.search`."""
        self.stock.stdin.write(json.dumps(query.text) + "\n")
        self.stock.stdin.flush()
        line = self.stock.stdout.readline()
        if not line:
            raise RuntimeError(f"the stock-Whoosh query process exited ({self.stock.poll()})")
        answer = json.loads(line)
        if isinstance(answer, dict):
            raise RuntimeError(answer["error"])
        return tuple(answer)

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

    def run(self, name, query):
        """(wall ms, CPU ms, hits shown) for ``query`` on engine ``name``. CPU
        time (this process, single-threaded here) is what a shared machine
        disturbs least."""
        if name == "stock":
            return self.stock_search(query)
        cpu, started = time.process_time(), time.perf_counter()
        if name in ("ours", "ours_off"):
            answer = self.ours(query, features=name == "ours")
        else:
            answer = self.fts5(query)
        wall, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
        if name in ("ours", "ours_off"):
            return wall, cpu, self.ours_hits(answer)
        return wall, cpu, len(answer)

    def close(self):
        if self.fts is not None:
            self.fts.close()
        if self.stock is not None:
            self.stock.stdin.close()
            try:
                self.stock.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.stock.kill()
                self.stock.wait()
            self.stock.stdout.close()


# ours: the app as shipped; ours_off: the same app with exact=1&cross_script=0.
ENGINES = ("ours", "ours_off", "stock", "fts5")
ENGINE_LABELS = {"ours": "ours", "ours_off": "ours, features off", "stock": "stock Whoosh", "fts5": "FTS5"}


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


def measure_queries(docs, work, queries, warmup, budget_seconds, stock=True):
    names = tuple(name for name in ENGINES if stock or name != "stock")
    engines = Engines(docs, work, stock=stock)
    latencies = {name: [] for name in names}
    cpu_times = {name: [] for name in names}
    by_kind = {name: defaultdict(list) for name in names}
    with_hits = Counter()
    errors = {name: [] for name in names}
    done = 0
    try:
        log(f"  warming up with {len(warmup)} other queries ...")
        for query in warmup:
            for name in names:
                try:
                    engines.run(name, query)
                except Exception as error:  # counted below, not fatal
                    errors[name].append(f"warm-up {query.text}: {error}")
        started = time.perf_counter()
        for i, query in enumerate(queries):
            if time.perf_counter() - started > budget_seconds:
                log(f"  query budget of {budget_seconds:.0f} s spent after {done} queries; stopping")
                break
            for name in engine_order(names, i):
                try:
                    milliseconds, cpu, hits = engines.run(name, query)
                except Exception as error:
                    errors[name].append(f"{query.text}: {type(error).__name__}: {error}")
                    continue
                latencies[name].append(milliseconds)
                cpu_times[name].append(cpu)
                by_kind[name][query.kind].append(milliseconds)
                with_hits[name] += hits > 0
            done += 1
            if done % 25 == 0:
                log(
                    f"  {done}/{len(queries)} queries; p50 so far "
                    + ", ".join(f"{n} {percentile(latencies[n], 0.5):.1f} ms" for n in names)
                )
    finally:
        engines.close()
    result = {
        "queries_run": done,
        "seconds": round(time.perf_counter() - started, 1) if done else 0.0,
        "kinds": dict(Counter(q.kind for q in queries[:done])),
        "result_cache": 0,
        "features_off_params": FEATURES_OFF,
        "skipped": [name for name in ENGINES if name not in names],
    }
    for name in names:
        result[name] = {
            **summarise(latencies[name]),
            "cpu": summarise(cpu_times[name]),
            "queries": len(latencies[name]),
            "with_results": with_hits[name],
            "errors": len(errors[name]),
            "error_samples": errors[name][:5],
            "p50_by_kind_ms": {
                kind: round(percentile(values, 0.5), 2) for kind, values in sorted(by_kind[name].items())
            },
        }
    keys = ("p50_ms", "p95_ms", "p99_ms", "mean_ms")
    result["ratios_ours_over_fts5"] = {key: _ratio(result["ours"][key], result["fts5"][key]) for key in keys}
    result["cpu_ratios_ours_over_fts5"] = {
        key: _ratio(result["ours"]["cpu"][key], result["fts5"]["cpu"][key]) for key in ("p50_ms", "p95_ms")
    }
    result["ratios_ours_over_stock"] = (
        {key: _ratio(result["ours"][key], result["stock"][key]) for key in keys} if stock else None
    )
    on, off = result["ours"], result["ours_off"]
    result["features"] = {
        # what the features cost: latency with them on over off, minus 1
        "p50_growth": _growth(on["p50_ms"], off["p50_ms"]),
        "p95_growth": _growth(on["p95_ms"], off["p95_ms"]),
        "mean_growth": _growth(on["mean_ms"], off["mean_ms"]),
        "cpu_p50_growth": _growth(on["cpu"]["p50_ms"], off["cpu"]["p50_ms"]),
        "cpu_p95_growth": _growth(on["cpu"]["p95_ms"], off["cpu"]["p95_ms"]),
    }
    return result


def _growth(a, b):
    return round(a / b - 1, 4) if b else None


def _ratio(a, b):
    return round(a / b, 2) if b else None


# -- served throughput -------------------------------------------------------


CLIENT_TIMEOUT = 300  # seconds one request may take, queueing included
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
    for thread in threads:
        thread.join(timeout=CLIENT_TIMEOUT + 10)
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
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            tail = Path(server_log).read_text("utf-8", errors="replace")[-1500:]
            raise RuntimeError(f"gunicorn exited with {server.returncode}: {tail}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            status = connection.getresponse().status
            connection.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")


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
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=CODE,
            env=clean_environment(**settings),
            stdout=server_log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
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


def measure_served(docs, work, queries, stream_texts, warm_texts, args):
    """Two servers: the result cache off, the query set in rotation; then the
    cache at its shipped size, a stream with repeats by Zipf popularity."""
    from search.config import SETTINGS

    warm = Rotation([f"/search?q={quote(text)}" for text in warm_texts])
    rotation = Rotation([f"/search?q={quote(query.text)}" for query in queries])
    phase = (args.workers, args.clients, args.serve_seconds, args.trivial_seconds)
    log("  served, result cache off (SEARCH_RESULT_CACHE=0), the query set in rotation ...")
    served = serve_and_measure(docs, work, rotation, rotation, *phase, cache=0)
    served["result_cache"] = 0
    stream = RequestStream(stream_texts, args.repeat_share, args.seed)
    cache_size = SETTINGS["RESULT_CACHE_SIZE"][1]
    log(
        f"  served, result cache on ({cache_size} entries per worker), {args.repeat_share:.0%} of requests "
        "repeating an earlier query by Zipf popularity ..."
    )
    cached = serve_and_measure(docs, work, warm, stream, *phase, cache=None)
    cached["result_cache"] = cache_size
    cached["stream"] = stream.summary()
    log(
        f"  stream: {cached['stream']['requests_issued']} requests, {cached['stream']['distinct_queries']} distinct, "
        f"{cached['stream']['repeat_share']:.1%} repeats; "
        f"answered from a cache {cached['search'].get('answered_from_cache', 0):.1%}"
    )
    if cached["stream"]["pool_exhausted"]:
        log("  WARNING: the stream ran out of fresh queries; later requests were all repeats")
    return served, cached


# -- one size ----------------------------------------------------------------


def with_typos(queries):
    """``queries`` and each one again with two letters of its longest word
    swapped: warming up on misspellings builds what corrections and rewrites
    build once per index (not per query) before any query is timed."""
    typos = []
    for query in queries:
        word = max(query.text.strip('"').split(), key=len)
        if len(word) >= 4:
            typo = word[:1] + word[2] + word[1] + word[3:]
            text = query.text.replace(word, typo, 1)
            typos.append(Query(f"{query.kind} typo", query.lang, text, '"' + text.strip('"').replace('"', "") + '"'))
    return [*queries, *typos]


def stream_pool(vocabulary, phrases, queries, seed, avoid):
    """Distinct query texts for the cache-on stream: the query set first, then
    more made the same way; none of ``avoid`` (the warm-up queries)."""
    extra = make_queries(vocabulary, phrases, STREAM_POOL, seed + 2)
    seen, texts = set(avoid), []
    for query in [*queries, *extra]:
        if query.text not in seen:
            seen.add(query.text)
            texts.append(query.text)
    return texts


def run_size(size, args, run_dir):
    log(f"== {size:,} documents ==")
    work = run_dir / f"size-{size}"
    work.mkdir()
    load = {"start": os.getloadavg()}
    stock = not (args.skip_stock_above and size > args.skip_stock_above)
    timings = {}
    size_started = time.perf_counter()
    try:
        docs = work / "docs"
        vocabulary = Vocabulary(args.seed)
        started = time.perf_counter()
        stats = write_corpus(docs, size, args.seed, vocabulary)
        generate_seconds = timings["corpus"] = time.perf_counter() - started
        log(
            f"  corpus: {stats.documents} files ({stats.arabic} ar, {stats.english} en), "
            f"{stats.words / stats.documents:.0f} words per document, {stats.bytes / 1e6:.1f} MB "
            f"in {generate_seconds:.1f} s"
        )
        started = time.perf_counter()
        builds, reindex = build_all(docs, work, stats.documents, stock=stock)
        timings["builds"] = time.perf_counter() - started
        queries = make_queries(vocabulary, stats.phrases, args.queries, args.seed)
        warmup = with_typos(make_queries(vocabulary, stats.phrases, WARMUP_QUERIES, args.seed + 1))
        log(
            f"  {len(queries)} queries through ours (Flask GET /search, result cache off), ours with "
            f"{'&'.join(f'{k}={v}' for k, v in FEATURES_OFF.items())}, "
            + ("stock Whoosh, " if stock else "")
            + "FTS5 ..."
        )
        load["before_queries"] = os.getloadavg()
        started = time.perf_counter()
        latency = measure_queries(docs, work, queries, warmup, args.query_budget, stock=stock)
        timings["queries"] = time.perf_counter() - started
        for name in ENGINES:
            if name not in latency:
                continue
            figures = latency[name]
            log(
                f"  {name}: p50 {figures['p50_ms']} p95 {figures['p95_ms']} p99 {figures['p99_ms']} "
                f"mean {figures['mean_ms']} ms; {figures['with_results']} with results, {figures['errors']} errors"
            )
        growth = latency["features"]["p95_growth"]
        log(f"  features on vs off: p95 {'+' if growth >= 0 else ''}{growth:.1%} (target ≤ +20%)")
        load["before_served"] = os.getloadavg()
        warm_texts = list(
            dict.fromkeys(q.text for q in make_queries(vocabulary, stats.phrases, SERVED_WARMUP_QUERIES, args.seed + 3))
        )
        stream_texts = stream_pool(vocabulary, stats.phrases, queries, args.seed, warm_texts)
        started = time.perf_counter()
        served, served_cached = measure_served(docs, work, queries, stream_texts, warm_texts, args)
        timings["served"] = time.perf_counter() - started
        load["end"] = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    timings["total"] = time.perf_counter() - size_started
    log(
        f"  {size:,} documents took {timings['total'] / 60:.1f} min ("
        + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items() if k != "total")
        + ")"
    )
    result = {
        "size": size,
        "seed": args.seed,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            # 1/5/15-minute load averages: the machine is shared
            "loadavg": {phase: [round(x, 2) for x in values] for phase, values in load.items()},
        },
        "code": args.code,
        "corpus": {
            "documents": stats.documents,
            "arabic": stats.arabic,
            "english": stats.english,
            "words": stats.words,
            "mean_words": round(stats.words / stats.documents, 1),
            "mb": round(stats.bytes / 1e6, 1),
            "generate_seconds": round(generate_seconds, 1),
        },
        "build": builds,
        "stock_skipped": None if stock else f"--skip-stock-above {args.skip_stock_above}",
        "reindex": reindex,
        "queries": latency,
        "served": served,
        "served_cached": served_cached,
        "seconds": {key: round(value, 1) for key, value in timings.items()},
    }
    result["command"] = args.command
    result["targets"] = check_targets(result)
    return result


def check_targets(result):
    latency, served, cached = result["queries"], result["served"], result["served_cached"]
    memory = served["worker_memory"] + cached["worker_memory"]
    worker_rss = max((w["rss_mb"] or 0 for w in memory), default=None)
    figures = {
        "reindex_seconds": (result["reindex"]["seconds"], "<"),
        "p50_ratio": (latency["ratios_ours_over_fts5"]["p50_ms"], "<="),
        "p95_ratio": (latency["ratios_ours_over_fts5"]["p95_ms"], "<="),
        "features_p95_growth": (latency["features"]["p95_growth"], "<="),
        "served_ratio": (served["search_over_trivial"], ">="),
        "errors": (
            served["errors"] + cached["errors"] + sum(latency[name]["errors"] for name in ENGINES if name in latency),
            "==",
        ),
        "worker_rss_mb": (worker_rss, "<="),
        "indexer_rss_mb": (result["build"]["ours"]["peak_rss_mb"], "<="),
    }
    stock = result["build"].get("stock")
    if stock and stock.get("docs_per_s"):
        figures["build_ratio"] = (round(result["build"]["ours"]["docs_per_s"] / stock["docs_per_s"], 2), ">=")
    checks = {}
    for name, (value, op) in figures.items():
        target = TARGETS[name]
        met = (
            value is not None
            and {
                "<": value < target,
                "<=": value <= target,
                ">=": value >= target,
                "==": value == target,
            }[op]
        )
        checks[name] = {"value": value, "target": f"{op} {target:g}", "met": met}
    return checks


# -- report ------------------------------------------------------------------


NA = "–"


def _mark(check, text):
    if not check:
        return NA
    return f"{'✅' if check['met'] else '❌'} {text}"


def _latency(figures):
    if not figures:
        return NA
    return f"{figures['p50_ms']:.1f} / {figures['p95_ms']:.1f} / {figures['p99_ms']:.1f} / {figures['mean_ms']:.1f}"


def _build(figures, skipped=None):
    if not figures:
        return f"not built ({skipped})" if skipped else NA
    cpu = figures["cpu_seconds"]
    return (
        f"{figures['seconds']:.1f} s ({cpu:.{0 if cpu >= 10 else 1}f} s CPU) · {figures['docs_per_s']:.0f} docs/s · "
        f"{figures['peak_rss_mb']:.0f} MB RSS · {figures['index_mb']:.0f} MB"
    )


def _times(ratio, digits=1):
    return f"{ratio:.{digits}f}×" if ratio is not None else NA


def _signed(fraction):
    return f"{'+' if fraction >= 0 else '−'}{abs(fraction):.0%}" if fraction is not None else NA


def _rss(served):
    """Each worker's RSS, and how much of it is the worker's own (the rest is
    pages of the mapped index and libraries, shared between workers)."""

    def one(worker):
        if worker.get("anon_mb") is None:
            return f"{worker['rss_mb']:.0f}"
        return f"{worker['rss_mb']:.0f} ({worker['anon_mb']:.0f} own)"

    return ", ".join(one(w) for w in served["worker_memory"]) + " MB"


def _served_row(docs, s, t=None):
    return [
        docs,
        f"{s['healthz']['rps']:.1f}",
        f"{s['search']['rps']:.1f}",
        f"{s['search']['p50_ms']:.0f} / {s['search']['p95_ms']:.0f}",
        _mark(t["served_ratio"], f"{s['search_over_trivial']:.1%}") if t else f"{s['search_over_trivial']:.1%}",
        f"{s['search_over_trivial_by_cpu']:.1%}" if s.get("search_over_trivial_by_cpu") else NA,
        str(s["errors"]),
        _rss(s),
    ]


def markdown(results, command, notes=None):
    """bench/RESULTS.md from the per-size results, smallest first, then
    ``notes`` (hand-written) as they are. Results written before a column
    existed show –."""
    rows_build, rows_query, rows_served, rows_cached, rows_targets, rows_load = [], [], [], [], [], []
    for r in results:
        t, b, q, s = {**r["targets"], **check_targets(r)}, r["build"], r["queries"], r["served"]
        c = r.get("served_cached")
        features = q.get("features") or {}
        docs = f"{r['size']:,}"
        rows_build.append(
            [
                docs,
                f"{r['corpus']['mb']:.0f} MB · {r['corpus']['mean_words']:.0f} words/doc",
                _build(b["ours"]),
                _build(b.get("stock"), r.get("stock_skipped")),
                _build(b["fts5"]),
                _mark(t["reindex_seconds"], f"{r['reindex']['seconds']:.1f} s"),
            ]
        )
        by_stock = q.get("ratios_ours_over_stock")
        rows_query.append(
            [
                docs,
                q["queries_run"],
                _latency(q["ours"]),
                _latency(q.get("ours_off")),
                _latency(q.get("stock")),
                _latency(q["fts5"]),
                _mark(t["p50_ratio"], _times(t["p50_ratio"]["value"])),
                _mark(t["p95_ratio"], _times(t["p95_ratio"]["value"])),
                f"{_times(q['cpu_ratios_ours_over_fts5']['p50_ms'], 0)} / "
                f"{_times(q['cpu_ratios_ours_over_fts5']['p95_ms'], 0)}",
                f"{_times(by_stock['p50_ms'])} / {_times(by_stock['p95_ms'])}" if by_stock else NA,
                " / ".join(str(q[name]["with_results"]) if q.get(name) else NA for name in ENGINES),
            ]
        )
        rows_served.append(_served_row(docs, s, t))
        if c:
            stream = c["stream"]
            rows_cached.append(
                [
                    *_served_row(docs, c)[:6],
                    f"{stream['repeat_share']:.0%} of {stream['requests_issued']} "
                    f"({stream['distinct_queries']} distinct)",
                    f"{c['search']['answered_from_cache']:.0%}" if "answered_from_cache" in c["search"] else NA,
                    str(c["errors"]),
                    _rss(c),
                ]
            )
        rows_targets.append(
            [
                docs,
                _mark(t["reindex_seconds"], f"{t['reindex_seconds']['value']:.1f} s"),
                _mark(t["p50_ratio"], _times(t["p50_ratio"]["value"])),
                _mark(t["p95_ratio"], _times(t["p95_ratio"]["value"])),
                _mark(
                    t.get("features_p95_growth"),
                    f"{_signed(features.get('p95_growth'))} "
                    f"({q['ours']['p95_ms']:.0f} vs {q['ours_off']['p95_ms']:.0f} ms)"
                    if q.get("ours_off")
                    else NA,
                ),
                _mark(t["served_ratio"], f"{t['served_ratio']['value']:.1%}"),
                _mark(t["errors"], str(t["errors"]["value"])),
                _mark(t["worker_rss_mb"], f"{t['worker_rss_mb']['value']:.0f} MB"),
                _mark(t["build_ratio"], _times(t["build_ratio"]["value"])) if "build_ratio" in t else NA,
                _mark(t["indexer_rss_mb"], f"{t['indexer_rss_mb']['value']:.0f} MB"),
            ]
        )
        load = r["machine"].get("loadavg", {})
        rows_load.append([docs] + [" / ".join(f"{x:.1f}" for x in load.get(phase, [])) or NA for phase in LOAD_PHASES])
    first = results[0]
    served = first["served"]
    cached = next((r["served_cached"] for r in results if r.get("served_cached")), None)
    code = first.get("code") or {}
    modified = len(code.get("modified", []))
    commits = {(r.get("code") or {}).get("commit", "?")[:10] for r in results}
    lines = [
        "# Speed",
        "",
        f"Synthetic corpora (70% Arabic, 30% English, ~550 words a document, Zipfian words; "
        f"`bench/speed/corpus.py`, seed {first['seed']}) on a {first['machine']['cpus']}-core machine shared "
        f"with the load generator; Python {first['machine']['python']}, SQLite {first['machine']['sqlite']}. "
        f"Code measured: commit {code.get('commit', '?')[:10]}"
        + (f" with {modified} modified file(s) in `search/`" if modified else "")
        + f" (copied when the run started; `search/` sha256 {code.get('search_sha256', '?')})"
        + (f"; the sizes were measured on different commits ({', '.join(sorted(commits))})" if len(commits) > 1 else "")
        + f". Reproduce with `{command}`.",
        "",
        "## Index build",
        "",
        "Each build in a fresh process: wall time · documents per second · peak RSS · size on disk. "
        "Ours is `python -m search index` (stemmed and exact-form fields); stock is Whoosh's StandardAnalyzer "
        "through the same `update_index`; FTS5 is `fts5(title, body, tokenize='unicode61 remove_diacritics 2')` "
        "with one transaction and a final `optimize`.",
        "",
        markdown_table(
            rows_build,
            [
                "docs",
                "corpus",
                "ours",
                "stock Whoosh",
                "SQLite FTS5",
                "reindex, unchanged (target < 10 s)",
            ],
        ),
        "",
        "## Query latency",
        "",
        "p50 / p95 / p99 / mean in ms over the same queries (40% single words with clitic, diacritic and hamza "
        "variants, 30% two-word AND, 30% two-word phrases; 70% Arabic; words drawn by corpus frequency), "
        "engines interleaved (each takes each place in turn). Ours is the real Flask app's `GET /search` "
        "through its test client (top 10, snippets, JSON) with the result cache off (`RESULT_CACHE_SIZE` 0), "
        'so that every query is searched; "features off" is the same app and queries with '
        "`exact=1&cross_script=0` (no layout or typo rewrite, no names across scripts; the did-you-mean "
        "suggestion is still computed); stock is "
        "`search.engine.search` on the stock index (same engine, snippets); FTS5 is `MATCH` with `bm25` "
        "ranking, `snippet()` and `LIMIT 10`. Stock answers in a process of its own (timed there), so that our "
        "app's per-index tables stay those of our index, as in a served worker. "
        "The last column counts queries with at least one result "
        "(ours / features off / stock / FTS5).",
        "",
        markdown_table(
            rows_query,
            [
                "docs",
                "queries",
                "ours",
                "ours, features off",
                "stock Whoosh",
                "FTS5",
                "p50 ours/FTS5 (target ≤ 2×)",
                "p95 ours/FTS5 (target ≤ 3×)",
                "CPU-time p50 / p95 ours/FTS5",
                "ours/stock p50 / p95",
                "queries with results",
            ],
        ),
        "",
        "## Served, result cache off",
        "",
        f"gunicorn, {served['workers']} sync workers, `SEARCH_RESULT_CACHE=0`, access log to /dev/null, "
        f"loopback; {served['clients']} keep-alive client threads for {served['seconds_healthz']:g} s on "
        f"`/healthz`, then {served['seconds_search']:g} s on `/search` with the query set in rotation; worker "
        "RSS read from /proc after the search phase.",
        "",
        markdown_table(
            rows_served,
            [
                "docs",
                "/healthz req/s",
                "/search req/s",
                "/search p50 / p95 ms",
                "search/trivial (target ≥ 5%)",
                "same, by worker CPU per request",
                "errors",
                "worker RSS",
            ],
        ),
        "",
    ]
    if cached:
        stream = cached["stream"]
        lines += [
            "## Served, result cache on",
            "",
            f"A second server, the result cache at its shipped size ({cached['result_cache']} responses per "
            f"worker), the same clients and phases. The requests are one stream, fixed by the seed: each "
            f"repeats an earlier query with probability {stream['repeat_share_target']:.0%} (which one by Zipf "
            f"popularity, weight 1/rank^{stream['zipf_exponent']:g} over a seeded ranking), otherwise it is a "
            'query not sent before (the query set first, then more made the same way). "Repeats" is the '
            "share of the requests actually sent that repeat an earlier one; a repeat is answered from the "
            'cache only when the same worker answered it before, and "from cache" counts the responses '
            f"whose `took_ms` is a cache lookup's (under {CACHED_TOOK_MS:g} ms). search/trivial is against "
            "this server's own `/healthz` rate.",
            "",
            markdown_table(
                rows_cached,
                [
                    "docs",
                    "/healthz req/s",
                    "/search req/s",
                    "/search p50 / p95 ms",
                    "search/trivial",
                    "same, by worker CPU per request",
                    "repeats in the stream",
                    "from cache",
                    "errors",
                    "worker RSS",
                ],
            ),
            "",
        ]
    lines += [
        "## Targets",
        "",
        "Errors count every phase; worker memory is the largest worker of either served phase.",
        "",
        markdown_table(
            rows_targets,
            [
                "docs",
                "reindex < 10 s",
                "p50 ≤ 2× FTS5",
                "p95 ≤ 3× FTS5",
                "p95, features on vs off ≤ +20%",
                "search ≥ 5% of trivial (cache off)",
                "0 errors",
                "worker ≤ 200 MB",
                "build ≥ 2× stock docs/s",
                "indexer ≤ 600 MB",
            ],
        ),
        "",
        "## Machine load",
        "",
        "1 / 5 / 15-minute load averages when each phase began (2 cores; other work was running on the same "
        "machine). CPU-time figures above are the ones such load disturbs least.",
        "",
        markdown_table(rows_load, ["docs", *LOAD_PHASES]),
        "",
    ]
    if notes and notes.strip():
        lines += [notes.strip(), ""]
    return "\n".join(lines)


LOAD_PHASES = ("start", "before_queries", "before_served", "end")


def write_markdown(out, path, command):
    results = []
    for file in out.glob("speed-*.json"):
        try:
            results.append(json.loads(file.read_text("utf-8")))
        except ValueError:
            continue
    results.sort(key=lambda r: r["size"])
    notes = NOTES.read_text("utf-8") if NOTES.is_file() else None
    if results:
        path.write_text(markdown(results, command, notes), "utf-8")


def _terminate(signum, frame):
    """SIGTERM or SIGINT: leave through the finally blocks, which stop every
    process this run started and remove its temporary folders."""
    log(f"stopped by signal {signum}; cleaning up")
    raise SystemExit(128 + signum)


def main(argv=None):
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="corpus sizes, comma-separated")
    parser.add_argument("--queries", type=int, default=200, help="queries per size")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"), help="folder for speed-<size>.json")
    parser.add_argument("--markdown", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--code", dest="code_revision", help="measure this git revision (default: the working tree)")
    parser.add_argument("--serve-seconds", type=float, default=15.0, help="served /search phase")
    parser.add_argument("--trivial-seconds", type=float, default=5.0, help="served /healthz phase")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--query-budget",
        type=float,
        default=600.0,
        help="seconds of the query phase per size, at most (the queries left are not run)",
    )
    parser.add_argument(
        "--repeat-share",
        type=float,
        default=REPEAT_SHARE,
        help="cache-on served phase: share of requests that repeat an earlier query",
    )
    parser.add_argument(
        "--skip-stock-above",
        type=int,
        default=0,
        metavar="N",
        help="do not build or query stock Whoosh for sizes above N documents (0: always build it); "
        "at 50,000 documents its build takes over 10 minutes and a few GB of temporary files",
    )
    args = parser.parse_args(argv)
    if not 0 <= args.repeat_share < 1:
        parser.error("--repeat-share must be in [0, 1)")
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    given = sys.argv[1:] if argv is None else argv
    command = args.command = " ".join([".venv/bin/python -m bench.speed.run", *given])
    started = time.perf_counter()
    errors = 0
    remove_stale_runs()
    run_dir = Path(tempfile.mkdtemp(prefix=RUN_PREFIX))
    try:
        (run_dir / OWNER_FILE).write_text(str(os.getpid()))
        if args.skip_stock_above:
            skipped = [size for size in sizes if size > args.skip_stock_above]
            if skipped:
                log(f"stock Whoosh will not be built at {', '.join(f'{n:,}' for n in skipped)} documents")
        args.code = snapshot_code(run_dir / "code", args.code_revision)
        log(f"code: {args.code['commit'][:10]} + {len(args.code['modified'])} modified files, copied to {run_dir}")
        for size in sizes:
            errors += run_one(size, args, run_dir, out, command)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    log(f"done in {time.perf_counter() - started:.0f} s; {args.markdown}")
    return 1 if errors else 0


def run_one(size, args, run_dir, out, command):
    """Measure one size, write its JSON and the markdown; return its error count."""
    result = run_size(size, args, run_dir)
    path = out / f"speed-{size}.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False), "utf-8")
    write_markdown(out, Path(args.markdown), command)
    met = {name: check["met"] for name, check in result["targets"].items()}
    log(f"  wrote {path}; targets: " + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in met.items()))
    return result["targets"]["errors"]["value"]


if __name__ == "__main__":
    sys.exit(main())

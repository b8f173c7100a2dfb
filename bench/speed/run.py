"""Speed benchmark: index build, unchanged reindex, query latency and served
throughput on synthetic Arabic/English corpora, against stock Whoosh and
SQLite FTS5.

    .venv/bin/python -m bench.speed.run [--sizes 1000,10000,50000] [--queries 200] [--out bench/results]

For each size: generate the corpus (bench/speed/corpus.py) into a temporary
folder; build our index (`python -m search index`), a stock-Whoosh index and
an FTS5 table, each in a fresh process (wall time, peak RSS, size on disk);
re-run our index on the unchanged folder; time the same queries through our
Flask app (GET /search), stock Whoosh (search.engine.search) and FTS5 (bm25,
snippet, LIMIT 10); serve our index with gunicorn on loopback and measure
/healthz and /search throughput and worker memory. Writes
<out>/speed-<size>.json and bench/RESULTS.md (every size found in <out>).
Everything runs on loopback, bounded in time; temporary folders are removed.
"""

import argparse
import hashlib
import http.client
import importlib
import io
import json
import os
import platform
import shutil
import signal
import socket
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

from .build import FTS_TABLE
from .corpus import SEED, Vocabulary, make_queries, write_corpus

ROOT = Path(__file__).resolve().parent.parent.parent
# Every process of a run imports the project from one copy taken when the run
# starts (see snapshot_code); set by main().
CODE = ROOT
SNAPSHOT = ("search", "templates", "static", "bench", "wsgi.py", "gunicorn.conf.py")
BUILD_TIMEOUT = 3 * 3600
WARMUP_QUERIES = 6
TARGETS = {
    "reindex_seconds": 10.0,  # unchanged folder, at most
    "p50_ratio": 2.0,  # ours / FTS5, at most
    "p95_ratio": 3.0,
    "served_ratio": 0.05,  # /search req/s over /healthz req/s, at least
    "errors": 0,
    "worker_rss_mb": 200.0,  # each gunicorn worker, at most
}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


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


def run_measured(command, output, timeout=BUILD_TIMEOUT):
    """Run ``command`` in a fresh process; return its wall time and peak RSS
    (os.wait4 gives this one child's own resource usage)."""
    with open(output, "wb") as sink:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=CODE, env=clean_environment(), stdout=sink, stderr=subprocess.STDOUT)
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


def build_all(docs, work, documents):
    python = sys.executable
    builds = {}
    commands = {
        "ours": [python, "-m", "search", "index", "--docs", docs, "--index", work / "ours", "--quiet"],
        "stock": [python, "-m", "bench.speed.build", "stock", docs, work / "stock"],
        "fts5": [python, "-m", "bench.speed.build", "fts5", docs, work / "fts5.db"],
    }
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
    """The three ways to answer a query, each returning how many hits it shows."""

    def __init__(self, docs, work, stock=True, fts5=True):
        from search import create_app
        from search.engine import scoring
        from search.index import open_index

        self.app = create_app({"INDEX_DIR": str(work / "ours"), "DOCS_DIR": str(docs), "SEARCH_RATE_LIMIT": ""})
        self.client = self.app.test_client()
        self.stock_index = open_index(work / "stock") if stock else None
        self.stock = self.stock_index.searcher(weighting=scoring()) if stock else None
        self.fts = sqlite3.connect(f"file:{work / 'fts5.db'}?mode=ro", uri=True) if fts5 else None

    def ours(self, query):
        response = self.client.get("/search", query_string={"q": query.text})
        if response.status_code != 200:
            raise RuntimeError(f"GET /search answered {response.status_code}")
        return response

    @staticmethod
    def ours_hits(response):
        return len(response.get_json()["results"])

    def stock_search(self, query):
        from search.engine import search
        from search.query import SearchRequest

        return search(self.stock, SearchRequest(text=query.text, per_page=10))

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
        cpu, started = time.process_time(), time.perf_counter()
        if name == "ours":
            answer = self.ours(query)
        elif name == "stock":
            answer = self.stock_search(query)
        else:
            answer = self.fts5(query)
        wall, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
        if name == "ours":
            return wall, cpu, self.ours_hits(answer)
        return wall, cpu, len(answer.hits if name == "stock" else answer)

    def close(self):
        for handle in (self.stock, self.stock_index, self.fts):
            if handle is not None:
                handle.close()


ENGINES = ("ours", "stock", "fts5")


def summarise(latencies):
    return {
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p95_ms": round(percentile(latencies, 0.95), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "mean_ms": round(statistics.fmean(latencies), 2) if latencies else 0.0,
        "max_ms": round(max(latencies), 2) if latencies else 0.0,
    }


def measure_queries(docs, work, queries, warmup, budget_seconds):
    engines = Engines(docs, work)
    latencies = {name: [] for name in ENGINES}
    cpu_times = {name: [] for name in ENGINES}
    by_kind = {name: defaultdict(list) for name in ENGINES}
    with_hits = Counter()
    errors = {name: [] for name in ENGINES}
    try:
        log(f"  warming up with {len(warmup)} other queries ...")
        for query in warmup:
            for name in ENGINES:
                try:
                    engines.run(name, query)
                except Exception as error:  # counted below, not fatal
                    errors[name].append(f"warm-up {query.text}: {error}")
        started = time.perf_counter()
        done = 0
        for i, query in enumerate(queries):
            if time.perf_counter() - started > budget_seconds:
                log(f"  query budget of {budget_seconds:.0f} s spent after {done} queries; stopping")
                break
            order = ENGINES[i % 3 :] + ENGINES[: i % 3]  # no engine always first
            for name in order:
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
                    + ", ".join(f"{n} {percentile(latencies[n], 0.5):.1f} ms" for n in ENGINES)
                )
    finally:
        engines.close()
    result = {"queries_run": done, "kinds": dict(Counter(q.kind for q in queries[:done]))}
    for name in ENGINES:
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
    result["ratios_ours_over_fts5"] = {
        key: _ratio(result["ours"][key], result["fts5"][key]) for key in ("p50_ms", "p95_ms", "p99_ms", "mean_ms")
    }
    result["cpu_ratios_ours_over_fts5"] = {
        key: _ratio(result["ours"]["cpu"][key], result["fts5"]["cpu"][key]) for key in ("p50_ms", "p95_ms")
    }
    result["ratios_ours_over_stock"] = {
        key: _ratio(result["ours"][key], result["stock"][key]) for key in ("p50_ms", "p95_ms", "p99_ms", "mean_ms")
    }
    return result


def _ratio(a, b):
    return round(a / b, 2) if b else None


# -- served throughput -------------------------------------------------------


CLIENT_TIMEOUT = 300  # seconds one request may take, queueing included
MAX_REQUESTS_PER_CLIENT = 50_000


def _client(port, paths, offset, stop, latencies, errors):
    """Send requests on one keep-alive connection until ``stop`` is set."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
    for i in range(MAX_REQUESTS_PER_CLIENT):
        if stop.is_set():
            break
        path = paths[(i + offset) % len(paths)]
        started = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as error:
            errors.append(f"{type(error).__name__} {path}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
            continue
        if response.status != 200:
            errors.append(f"{response.status} {path}")
        else:
            latencies.append((time.perf_counter() - started) * 1000)
    connection.close()


def run_phase(port, paths, clients, seconds):
    """``clients`` threads for ``seconds``; requests in flight at the end are
    waited for and counted (the elapsed time includes them)."""
    stop = threading.Event()
    latencies, errors = [], []
    threads = [
        threading.Thread(target=_client, args=(port, paths, i * 7, stop, latencies, errors), daemon=True)
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
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:5],
        "seconds": round(elapsed, 2),
        "rps": round(len(latencies) / elapsed, 2),
        **summarise(latencies),
    }


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
        if key in ("VmRSS", "VmHWM"):
            values[key] = round(int(value.split()[0]) / 1024, 1)
    return {"pid": pid, "rss_mb": values.get("VmRSS"), "peak_rss_mb": values.get("VmHWM")}


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


def _measured_phase(server, port, paths, clients, seconds):
    """run_phase, plus the workers' CPU time per request (what a shared
    machine disturbs least)."""
    workers = _children(server.pid)
    before = _cpu_seconds(workers)
    result = run_phase(port, paths, clients, seconds)
    used = _cpu_seconds(workers) - before
    result["worker_cpu_ms_per_request"] = round(used * 1000 / result["requests"], 2) if result["requests"] else None
    return result


def measure_served(docs, work, queries, workers, clients, seconds, trivial_seconds):
    port = free_port()
    env = clean_environment(
        SEARCH_INDEX_DIR=str(work / "ours"),
        SEARCH_DOCS_DIR=str(docs),
        SEARCH_BIND=f"127.0.0.1:{port}",
        SEARCH_WORKERS=str(workers),
        # gunicorn refuses an empty SEARCH_ACCESS_LOG ("'' isn't writable"): /dev/null is the off switch.
        SEARCH_ACCESS_LOG="/dev/null",
    )
    search_paths = [f"/search?q={quote(query.text)}" for query in queries]
    with open(work / "gunicorn.log", "wb") as server_log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=CODE,
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(port, server, work / "gunicorn.log")
            log(f"  gunicorn ({workers} workers) on 127.0.0.1:{port}; warming up ...")
            run_phase(port, search_paths, clients, min(3.0, seconds))
            trivial = _measured_phase(server, port, ["/healthz"], clients, trivial_seconds)
            log(f"  /healthz: {trivial['rps']} req/s, p50 {trivial['p50_ms']} ms, {trivial['errors']} errors")
            searches = _measured_phase(server, port, search_paths, clients, seconds)
            log(f"  /search: {searches['rps']} req/s, p50 {searches['p50_ms']} ms, {searches['errors']} errors")
            worker_memory = [_memory_mb(pid) for pid in _children(server.pid)]
        finally:
            _stop(server)
    ratio = round(searches["rps"] / trivial["rps"], 4) if trivial["rps"] else None
    cpu_trivial, cpu_search = trivial["worker_cpu_ms_per_request"], searches["worker_cpu_ms_per_request"]
    log(f"  search/trivial {ratio:.1%}; worker RSS " + ", ".join(f"{w['rss_mb']} MB" for w in worker_memory))
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


# -- one size ----------------------------------------------------------------


def run_size(size, args, run_dir):
    log(f"== {size:,} documents ==")
    work = run_dir / f"size-{size}"
    work.mkdir()
    load = {"start": os.getloadavg()}
    try:
        docs = work / "docs"
        vocabulary = Vocabulary(args.seed)
        started = time.perf_counter()
        stats = write_corpus(docs, size, args.seed, vocabulary)
        generate_seconds = time.perf_counter() - started
        log(
            f"  corpus: {stats.documents} files ({stats.arabic} ar, {stats.english} en), "
            f"{stats.words / stats.documents:.0f} words per document, {stats.bytes / 1e6:.1f} MB "
            f"in {generate_seconds:.1f} s"
        )
        builds, reindex = build_all(docs, work, stats.documents)
        queries = make_queries(vocabulary, stats.phrases, args.queries, args.seed)
        warmup = make_queries(vocabulary, stats.phrases, WARMUP_QUERIES, args.seed + 1)
        log(f"  {len(queries)} queries through ours (Flask GET /search), stock Whoosh, FTS5 ...")
        load["before_queries"] = os.getloadavg()
        latency = measure_queries(docs, work, queries, warmup, args.query_budget)
        for name in ENGINES:
            figures = latency[name]
            log(
                f"  {name}: p50 {figures['p50_ms']} p95 {figures['p95_ms']} p99 {figures['p99_ms']} "
                f"mean {figures['mean_ms']} ms; {figures['with_results']} with results, {figures['errors']} errors"
            )
        load["before_served"] = os.getloadavg()
        served = measure_served(
            docs, work, queries, args.workers, args.clients, args.serve_seconds, args.trivial_seconds
        )
        load["end"] = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)
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
        "reindex": reindex,
        "queries": latency,
        "served": served,
    }
    result["command"] = args.command
    result["targets"] = check_targets(result)
    return result


def check_targets(result):
    latency, served = result["queries"], result["served"]
    worker_rss = max((w["rss_mb"] or 0 for w in served["worker_memory"]), default=None)
    figures = {
        "reindex_seconds": (result["reindex"]["seconds"], "<"),
        "p50_ratio": (latency["ratios_ours_over_fts5"]["p50_ms"], "<="),
        "p95_ratio": (latency["ratios_ours_over_fts5"]["p95_ms"], "<="),
        "served_ratio": (served["search_over_trivial"], ">="),
        "errors": (served["errors"] + sum(latency[name]["errors"] for name in ENGINES), "=="),
        "worker_rss_mb": (worker_rss, "<="),
    }
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


def _mark(check, text):
    return f"{'✅' if check['met'] else '❌'} {text}"


def _latency(figures):
    return f"{figures['p50_ms']:.1f} / {figures['p95_ms']:.1f} / {figures['p99_ms']:.1f} / {figures['mean_ms']:.1f}"


def _build(figures):
    cpu = figures["cpu_seconds"]
    return (
        f"{figures['seconds']:.1f} s ({cpu:.{0 if cpu >= 10 else 1}f} s CPU) · {figures['docs_per_s']:.0f} docs/s · "
        f"{figures['peak_rss_mb']:.0f} MB RSS · {figures['index_mb']:.0f} MB"
    )


def markdown(results, command):
    """bench/RESULTS.md from the per-size results, smallest first."""
    rows_build, rows_query, rows_served, rows_targets, rows_load = [], [], [], [], []
    for r in results:
        t, b, q, s = r["targets"], r["build"], r["queries"], r["served"]
        docs = f"{r['size']:,}"
        rss = ", ".join(f"{w['rss_mb']:.0f}" for w in s["worker_memory"])
        rows_build.append(
            [
                docs,
                f"{r['corpus']['mb']:.0f} MB · {r['corpus']['mean_words']:.0f} words/doc",
                _build(b["ours"]),
                _build(b["stock"]),
                _build(b["fts5"]),
                _mark(t["reindex_seconds"], f"{r['reindex']['seconds']:.1f} s"),
            ]
        )
        rows_query.append(
            [
                docs,
                q["queries_run"],
                _latency(q["ours"]),
                _latency(q["stock"]),
                _latency(q["fts5"]),
                _mark(t["p50_ratio"], f"{t['p50_ratio']['value']:.1f}×"),
                _mark(t["p95_ratio"], f"{t['p95_ratio']['value']:.1f}×"),
                f"{q['cpu_ratios_ours_over_fts5']['p50_ms']:.0f}× / {q['cpu_ratios_ours_over_fts5']['p95_ms']:.0f}×",
                f"{q['ratios_ours_over_stock']['p50_ms']:.1f}× / {q['ratios_ours_over_stock']['p95_ms']:.1f}×",
                f"{q['ours']['with_results']} / {q['stock']['with_results']} / {q['fts5']['with_results']}",
            ]
        )
        rows_served.append(
            [
                docs,
                f"{s['healthz']['rps']:.1f}",
                f"{s['search']['rps']:.1f}",
                f"{s['search']['p50_ms']:.0f} / {s['search']['p95_ms']:.0f}",
                _mark(t["served_ratio"], f"{s['search_over_trivial']:.1%}"),
                f"{s['search_over_trivial_by_cpu']:.1%}" if s.get("search_over_trivial_by_cpu") else "–",
                _mark(t["errors"], str(t["errors"]["value"])),
                _mark(t["worker_rss_mb"], f"{rss} MB"),
            ]
        )
        rows_targets.append(
            [
                docs,
                _mark(t["reindex_seconds"], f"{t['reindex_seconds']['value']:.1f} s"),
                _mark(t["p50_ratio"], f"{t['p50_ratio']['value']:.1f}×"),
                _mark(t["p95_ratio"], f"{t['p95_ratio']['value']:.1f}×"),
                _mark(t["served_ratio"], f"{t['served_ratio']['value']:.1%}"),
                _mark(t["errors"], str(t["errors"]["value"])),
                _mark(t["worker_rss_mb"], f"{t['worker_rss_mb']['value']:.0f} MB"),
            ]
        )
        load = r["machine"].get("loadavg", {})
        rows_load.append([docs] + [" / ".join(f"{x:.1f}" for x in load.get(phase, [])) or "–" for phase in LOAD_PHASES])
    first = results[0]
    served = first["served"]
    code = first.get("code") or {}
    modified = len(code.get("modified", []))
    lines = [
        "# Speed",
        "",
        f"Synthetic corpora (70% Arabic, 30% English, ~550 words a document, Zipfian words; "
        f"`bench/speed/corpus.py`, seed {first['seed']}) on a {first['machine']['cpus']}-core machine shared "
        f"with the load generator; Python {first['machine']['python']}, SQLite {first['machine']['sqlite']}. "
        f"Code measured: commit {code.get('commit', '?')[:10]}"
        + (f" with {modified} modified file(s) in `search/`" if modified else "")
        + f" (copied when the run started; `search/` sha256 {code.get('search_sha256', '?')}). "
        f"Reproduce with `{command}`.",
        "",
        "## Index build",
        "",
        "Each build in a fresh process: wall time · documents per second · peak RSS · size on disk. "
        "Ours is `python -m search index` (stemmed and exact-form fields); stock is Whoosh's StandardAnalyzer "
        "through the same `update_index`; FTS5 is `fts5(title, body, tokenize='unicode61 remove_diacritics 2')` "
        "with one transaction and a final `optimize`.",
        "",
        _table(
            [
                "docs",
                "corpus",
                "ours",
                "stock Whoosh",
                "SQLite FTS5",
                "reindex, unchanged (target < 10 s)",
            ],
            rows_build,
        ),
        "",
        "## Query latency",
        "",
        "p50 / p95 / p99 / mean in ms over the same queries (40% single words with clitic, diacritic and hamza "
        "variants, 30% two-word AND, 30% two-word phrases; 70% Arabic; words drawn by corpus frequency), "
        "engines interleaved. Ours is the real Flask app's `GET /search` through its test client (top 10, "
        "snippets, JSON); stock is `search.engine.search` on the stock index (same engine, snippets); "
        "FTS5 is `MATCH` with `bm25` ranking, `snippet()` and `LIMIT 10`. The last column counts queries "
        "with at least one result (ours / stock / FTS5).",
        "",
        _table(
            [
                "docs",
                "queries",
                "ours",
                "stock Whoosh",
                "FTS5",
                "p50 ours/FTS5 (target ≤ 2×)",
                "p95 ours/FTS5 (target ≤ 3×)",
                "CPU-time p50 / p95 ours/FTS5",
                "ours/stock p50 / p95",
                "queries with results",
            ],
            rows_query,
        ),
        "",
        "## Served",
        "",
        f"gunicorn, {served['workers']} sync workers, access log to /dev/null, loopback; {served['clients']} "
        f"keep-alive client threads for {served['seconds_healthz']:g} s on `/healthz`, then "
        f"{served['seconds_search']:g} s on `/search` with the same queries in rotation; worker RSS read from "
        "/proc after the search phase.",
        "",
        _table(
            [
                "docs",
                "/healthz req/s",
                "/search req/s",
                "/search p50 / p95 ms",
                "search/trivial (target ≥ 5%)",
                "same, by worker CPU per request",
                "errors (target 0)",
                "worker RSS (target ≤ 200 MB)",
            ],
            rows_served,
        ),
        "",
        "## Targets",
        "",
        _table(
            [
                "docs",
                "reindex < 10 s",
                "p50 ≤ 2× FTS5",
                "p95 ≤ 3× FTS5",
                "search ≥ 5% of trivial",
                "0 errors",
                "worker ≤ 200 MB",
            ],
            rows_targets,
        ),
        "",
        "## Machine load",
        "",
        "1 / 5 / 15-minute load averages when each phase began (2 cores; other work was running on the same "
        "machine). CPU-time figures above are the ones such load disturbs least.",
        "",
        _table(["docs", *LOAD_PHASES], rows_load),
        "",
    ]
    return "\n".join(lines)


LOAD_PHASES = ("start", "before_queries", "before_served", "end")


def _table(columns, rows):
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_markdown(out, path, command):
    results = []
    for file in out.glob("speed-*.json"):
        try:
            results.append(json.loads(file.read_text("utf-8")))
        except ValueError:
            continue
    results.sort(key=lambda r: r["size"])
    if results:
        path.write_text(markdown(results, command), "utf-8")


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
    parser.add_argument("--query-budget", type=float, default=1800.0, help="seconds of queries per size, at most")
    args = parser.parse_args(argv)
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    given = sys.argv[1:] if argv is None else argv
    command = args.command = " ".join([".venv/bin/python -m bench.speed.run", *given])
    started = time.perf_counter()
    errors = 0
    run_dir = Path(tempfile.mkdtemp(prefix="search-speed-"))
    try:
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

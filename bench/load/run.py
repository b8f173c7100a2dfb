"""Load test: the real gunicorn server on loopback, mixed Arabic and English
searches from concurrent clients, while files change, a reindex runs and
slow clients (slowloris: half-sent request heads) hold connections open.

    .venv/bin/python -m bench.load.run [--seconds 20] [--clients 8] [--workers 2] [--slowloris 2]

Runs the server as configured (gunicorn.conf.py: threaded workers with a
bound on slow clients) and, as the baseline in the same run, with the sync
workers it used before. Bounded in time and requests, loopback only. Writes
bench/results/load.json and bench/results/LOAD.md. The same server's trivial
route (/healthz) is measured in the same run, so the search rate can be read
as a ratio.
"""

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

from bench.common import free_port, percentile
from bench.speed.served import _children, _memory_mb

ROOT = Path(__file__).resolve().parent.parent.parent
RESULTS = ROOT / "bench" / "results"
QUERIES = [
    "انتخابات",
    "الانتخابات الرئاسية",
    "إنتخابات",
    "قوات حفظ السلام",
    '"حفظ السلام"',
    "اسعار النفط",
    "الجفاف المياه",
    "الذكاء الاصطناعي",
    "كازاخستان",
    "مستشفي",
    "elections",
    "oil prices",
    '"central bank"',
    "drought water Jordan",
    "artificial intelligence",
    "Kazakhstan wheat",
    "peacekeepers withdrawal",
    "OSCE كازاخستان",
    "كازاخستتان",
    "elect*",
]
MAX_REQUESTS_PER_CLIENT = 20_000
TOKEN = "load-test-token"
CLIENT_TIMEOUT = 10  # seconds a client waits for an answer before it counts a timeout
CONFIGURATIONS = {
    # name: (extra gunicorn arguments, extra environment)
    "threaded": ((), {}),
    "sync (before)": (("--worker-class", "sync", "--threads", "1"), {"SEARCH_THREADS": "1"}),
}


class Client(threading.Thread):
    """Sends requests on one keep-alive connection until ``stop`` is set."""

    def __init__(self, port, paths, stop, offset):
        super().__init__(daemon=True)
        self.port, self.paths, self.stop, self.offset = port, paths, stop, offset
        self.latencies, self.errors, self.timeouts = [], [], 0

    def run(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=CLIENT_TIMEOUT)
        for i in range(MAX_REQUESTS_PER_CLIENT):
            if self.stop.is_set():
                break
            path = self.paths[(i + self.offset) % len(self.paths)]
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    self.errors.append(f"{response.status} {path}")
            except (OSError, http.client.HTTPException) as error:
                self.timeouts += isinstance(error, TimeoutError)
                self.errors.append(f"{type(error).__name__} {path}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=CLIENT_TIMEOUT)
                continue
            self.latencies.append((time.perf_counter() - started) * 1000)
        connection.close()


class Slowloris(threading.Thread):
    """A connection that sends half a request head, then a header byte every
    ``every`` seconds, never finishing it; reconnects when the server cuts it
    off, until ``stop`` is set. Counts the times it was cut off."""

    def __init__(self, port, stop, every=0.5):
        super().__init__(daemon=True)
        self.port, self.stop, self.every, self.cut_off = port, stop, every, 0

    def run(self):
        while not self.stop.is_set():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
                    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                    while not self.stop.wait(self.every):
                        sock.sendall(b"a")
            except OSError:
                self.cut_off += 1
                self.stop.wait(0.1)


def run_phase(port, paths, clients, seconds, during=None, slowloris=0):
    stop = threading.Event()
    slow = [Slowloris(port, stop) for _ in range(slowloris)]
    for thread in slow:
        thread.start()
    if slow:
        time.sleep(1.0)  # they hold their threads (or workers) before the clients start
    threads = [Client(port, paths, stop, offset=i * 3) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    side = threading.Thread(target=during, args=(stop,), daemon=True) if during else None
    if side:
        side.start()
    stop.wait(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    if side:
        side.join(timeout=120)
    for thread in slow:
        thread.join(timeout=10)
    elapsed = time.perf_counter() - started
    latencies = [value for thread in threads for value in thread.latencies]
    errors = [error for thread in threads for error in thread.errors]
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "timeouts": sum(thread.timeouts for thread in threads),
        "error_samples": errors[:5],
        "seconds": round(elapsed, 2),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p95_ms": round(percentile(latencies, 0.95), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "mean_ms": round(statistics.fmean(latencies), 2) if latencies else 0.0,
        "slowloris": slowloris,
        "slowloris_cut_off": sum(thread.cut_off for thread in slow),
    }


def change_files_and_reindex(docs, port, log):
    """While searches run: edit, add and delete files, then reindex over HTTP."""

    def during(stop):
        round_number = 0
        while not stop.is_set() and round_number < 20:
            round_number += 1
            files = sorted(docs.rglob("*.txt"))
            for path in files[round_number % 7 :: 9]:
                with path.open("a", encoding=_encoding_of(path), errors="replace") as handle:
                    handle.write(f"\nتحديث رقم {round_number}: تابع المراقبون الانتخابات. update {round_number}.\n")
            (docs / f"new-{round_number}.txt").write_text(
                f"خبر جديد رقم {round_number} عن الانتخابات والاقتصاد\n" + "نص الخبر الجديد. " * 40, "utf-8"
            )
            stale = docs / f"new-{round_number - 2}.txt"
            if stale.exists():
                stale.unlink()
            started = time.perf_counter()
            status, body = _admin(port, "POST", "/admin/reindex")
            run = body.get("run") or {}
            # The run goes on in the background (202): follow its status URL until it ends, at most 120 s.
            deadline = time.monotonic() + 120
            while status == 202 and run.get("state") == "running" and time.monotonic() < deadline:
                stop.wait(0.2)
                _, polled = _admin(port, "GET", body["status_url"])
                run = polled.get("run") or run
            log.append(
                {
                    "status": status,
                    "state": run.get("state"),
                    "ms": round((time.perf_counter() - started) * 1000),
                    "added": (run.get("summary") or {}).get("added"),
                }
            )
            stop.wait(1.0)

    return during


def _admin(port, method, path):
    """(status, JSON body) of an admin request with the bench's token."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
    try:
        connection.request(method, path, headers={"Authorization": f"Bearer {TOKEN}"})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    except (OSError, http.client.HTTPException) as error:
        return type(error).__name__, {}
    finally:
        connection.close()


def _encoding_of(path):
    data = path.read_bytes()
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1256" if "/ar/" in str(path) else "cp1252"


def measure(configuration, args, work, port):
    """The three phases against gunicorn run as ``configuration``, over a fresh copy of the corpus."""
    gunicorn_args, extra_env = CONFIGURATIONS[configuration]
    docs, index = work / "docs", work / "index"
    shutil.rmtree(docs, ignore_errors=True)
    shutil.rmtree(index, ignore_errors=True)
    shutil.copytree(ROOT / "corpus", docs)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCH_")}
    env.update(
        SEARCH_DOCS_DIR=str(docs),
        SEARCH_INDEX_DIR=str(index),
        SEARCH_BIND=f"127.0.0.1:{port}",
        SEARCH_WORKERS=str(args.workers),
        SEARCH_ADMIN_TOKEN=TOKEN,
        SEARCH_ACCESS_LOG="",
        **extra_env,
    )
    subprocess.run([sys.executable, "-m", "search", "index", "--quiet"], cwd=ROOT, env=env, check=True)
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null"]
    server = subprocess.Popen(
        [*command, *gunicorn_args, "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        search_paths = [f"/search?q={quote(q)}" for q in QUERIES]
        run_phase(port, search_paths, args.clients, 3)  # warm up every worker
        trivial = run_phase(port, ["/healthz"], args.clients, args.seconds / 2)
        steady = run_phase(port, search_paths, args.clients, args.seconds)
        memory = [_memory_mb(pid) for pid in _children(server.pid)]
        reindexes = []
        during = run_phase(
            port,
            search_paths,
            args.clients,
            args.seconds,
            change_files_and_reindex(docs, port, reindexes),
            slowloris=args.slowloris,
        )
    finally:
        server.terminate()
        server.wait(timeout=60)
    return {
        "trivial_route": trivial,
        "search": steady,
        "search_during_reindex_and_slowloris": during,
        "reindex_runs": reindexes,
        "workers_memory": memory,
        "search_rate_vs_trivial": round(steady["rps"] / trivial["rps"], 4) if trivial["rps"] else None,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--slowloris", type=int, default=2, help="slow connections held during the reindex phase")
    parser.add_argument("--no-baseline", action="store_true", help="skip the sync-worker baseline")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="search-load-"))
    names = ["threaded"] if args.no_baseline else list(CONFIGURATIONS)
    try:
        runs = {name: measure(name, args, work, free_port()) for name in names}
    finally:
        shutil.rmtree(work, ignore_errors=True)

    threaded = runs["threaded"]
    baseline = runs.get("sync (before)")
    results = {"machine": {"cpus": os.cpu_count()}, "settings": vars(args), "runs": runs}
    if baseline:
        results["threaded_vs_sync_search_rate"] = round(threaded["search"]["rps"] / baseline["search"]["rps"], 3)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), "utf-8")
    (RESULTS / "LOAD.md").write_text(report(args, runs, results), "utf-8")
    print(report(args, runs, results))
    during = threaded["search_during_reindex_and_slowloris"]
    return 0 if threaded["search"]["errors"] == 0 and during["errors"] == 0 and during["timeouts"] == 0 else 1


def report(args, runs, results):
    table = [
        "| server | phase | requests | req/s | p50 ms | p95 ms | p99 ms | errors | timeouts |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    phases = [
        ("trivial_route", "`/healthz` (trivial route)"),
        ("search", "`/search`"),
        ("search_during_reindex_and_slowloris", f"`/search` while reindexing, {args.slowloris} slowloris"),
    ]
    for name, run in runs.items():
        for key, label in phases:
            r = run[key]
            table.append(
                f"| {name} | {label} | {r['requests']} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} "
                f"| {r['errors']} | {r['timeouts']} |"
            )
    threaded = runs["threaded"]
    during = threaded["search_during_reindex_and_slowloris"]
    ok = [r for r in threaded["reindex_runs"] if r["status"] == 202 and r["state"] == "done"]
    memory = ", ".join(f"{m['rss_mb']} MB ({m['anon_mb']} MB its own)" for m in threaded["workers_memory"])
    lines = [
        "# Load test",
        "",
        f"gunicorn with {args.workers} workers on loopback, {args.clients} concurrent keep-alive clients, "
        f"{args.seconds:g} s per search phase, over the bundled corpus ({len(QUERIES)} Arabic, English and "
        f"mixed queries in rotation), on a {os.cpu_count()}-core machine shared with the load generator; "
        f'clients give up on an answer after {CLIENT_TIMEOUT} s (a timeout). "threaded" is the server as '
        'configured (gunicorn.conf.py: threaded workers, slow clients bounded); "sync (before)" the sync '
        "workers it used before, as the baseline in the same run. Reproduce with "
        "`.venv/bin/python -m bench.load.run`.",
        "",
        *table,
        "",
        f"Threaded: searches run at {threaded['search_rate_vs_trivial']:.1%} of the trivial-route rate. During "
        f"the last phase {args.slowloris} slowloris connections held half-sent request heads (cut off and "
        f"reopened {during['slowloris_cut_off']} times) while {len(threaded['reindex_runs'])} reindex runs went "
        f"through `POST /admin/reindex` ({len(ok)} started with a 202 and followed to `done`), each after "
        f"editing, adding and deleting files: {during['errors']} errors, {during['timeouts']} timeouts. "
        f"Worker memory after the search phase (RSS): {memory}.",
    ]
    if "threaded_vs_sync_search_rate" in results:
        lines += [
            "",
            f"Search rate, threaded / sync: {results['threaded_vs_sync_search_rate']:.2f}× (no slow clients).",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())

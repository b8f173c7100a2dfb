"""Load test: the real gunicorn server on loopback, mixed Arabic and English
searches from concurrent clients, while files change and a reindex runs.

    .venv/bin/python -m bench.load.run [--seconds 20] [--clients 8] [--workers 2]

Bounded in time and requests, loopback only. Writes bench/results/load.json
and bench/results/LOAD.md. The same server's trivial route (/healthz) is
measured in the same run, so the search rate can be read as a ratio.
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


class Client(threading.Thread):
    """Sends requests on one keep-alive connection until ``stop`` is set."""

    def __init__(self, port, paths, stop, offset):
        super().__init__(daemon=True)
        self.port, self.paths, self.stop, self.offset = port, paths, stop, offset
        self.latencies, self.errors = [], []

    def run(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
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
                self.errors.append(f"{type(error).__name__} {path}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            self.latencies.append((time.perf_counter() - started) * 1000)
        connection.close()


def run_phase(port, paths, clients, seconds, during=None):
    stop = threading.Event()
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
    elapsed = time.perf_counter() - started
    latencies = [value for thread in threads for value in thread.latencies]
    errors = [error for thread in threads for error in thread.errors]
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:5],
        "seconds": round(elapsed, 2),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p95_ms": round(percentile(latencies, 0.95), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "mean_ms": round(statistics.fmean(latencies), 2) if latencies else 0.0,
    }


def change_files_and_reindex(docs, port, log):
    """While searches run: edit, add and delete files, then reindex over HTTP."""

    def during(stop):
        round_number = 0
        while not stop.is_set() and round_number < 20:
            round_number += 1
            files = sorted(docs.rglob("*.txt"))
            for path in files[round_number % 7 :: 9]:
                with path.open("a", encoding=_encoding_of(path)) as handle:
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
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, headers={"Authorization": f"Bearer {TOKEN}"})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="search-load-"))
    docs, index = work / "docs", work / "index"
    shutil.copytree(ROOT / "corpus", docs)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCH_")}
    env.update(
        SEARCH_DOCS_DIR=str(docs),
        SEARCH_INDEX_DIR=str(index),
        SEARCH_BIND=f"127.0.0.1:{port}",
        SEARCH_WORKERS=str(args.workers),
        SEARCH_ADMIN_TOKEN=TOKEN,
        SEARCH_ACCESS_LOG="",
    )
    subprocess.run([sys.executable, "-m", "search", "index", "--quiet"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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
        reindexes = []
        during = run_phase(
            port, search_paths, args.clients, args.seconds, change_files_and_reindex(docs, port, reindexes)
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    results = {
        "machine": {"cpus": os.cpu_count()},
        "settings": vars(args),
        "trivial_route": trivial,
        "search": steady,
        "search_during_reindex": during,
        "reindex_runs": reindexes,
        "search_rate_vs_trivial": round(steady["rps"] / trivial["rps"], 4) if trivial["rps"] else None,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), "utf-8")
    rows = [("`/healthz` (trivial route)", trivial), ("`/search`", steady), ("`/search` while reindexing", during)]
    table = ["| phase | requests | req/s | p50 ms | p95 ms | p99 ms | errors |", "|---|---|---|---|---|---|---|"]
    table += [
        f"| {name} | {r['requests']} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['errors']} |"
        for name, r in rows
    ]
    ok = [r for r in reindexes if r["status"] == 202 and r["state"] == "done"]
    text = "\n".join(
        [
            "# Load test",
            "",
            f"gunicorn with {args.workers} sync workers on loopback, {args.clients} concurrent keep-alive clients, "
            f"{args.seconds:g} s per search phase, over the bundled corpus ({len(QUERIES)} Arabic, English and "
            f"mixed queries in rotation), on a {os.cpu_count()}-core machine shared with the load generator. "
            "Reproduce with `.venv/bin/python -m bench.load.run`.",
            "",
            *table,
            "",
            f"Searches run at {results['search_rate_vs_trivial']:.1%} of the same server's trivial-route rate. "
            f"During the last phase {len(reindexes)} reindex runs went through `POST /admin/reindex` "
            f"({len(ok)} started with a 202 and followed to `done`), each after editing, adding and deleting files; "
            f"errors during that phase: {during['errors']}.",
            "",
        ]
    )
    (RESULTS / "LOAD.md").write_text(text, "utf-8")
    print(text)
    return 0 if steady["errors"] == 0 and during["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

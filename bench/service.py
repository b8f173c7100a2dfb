"""What running it as a service costs a request: Flask-Limiter's per-client
search limit, and the /metrics counting, each against the same app without
it, in one run (ratios: the machines are shared and noisy).

    .venv/bin/python -m bench.service [--requests 3000]

A cached search (the same words again: the result cache answers, so the
time is the request's path through the app, not the engine's) is timed
through Flask's test client, in rounds that alternate between the apps.
Writes bench/results/service.json and SERVICE.md.
"""

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from search import metrics, request_log
from search.app import create_app
from search.index import update_index

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def per_request_us(client, path, count):
    """Microseconds per request, from ``count`` requests spread over 200
    client addresses (so that a limit of 120 a minute is not reached in a round)."""
    addresses = [{"REMOTE_ADDR": f"10.0.{i}.1"} for i in range(200)]
    started = time.perf_counter()
    for i in range(count):
        client.get(path, environ_base=addresses[i % len(addresses)])
    return (time.perf_counter() - started) / count * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-service-"))
    try:
        update_index(ROOT / "corpus", work / "index")
        settings = {"DOCS_DIR": str(ROOT / "corpus"), "INDEX_DIR": str(work / "index")}
        apps = {
            "plain": create_app(settings),
            # A typical limit, which no client of this run reaches: every request is counted and checked.
            "rate limited": create_app({**settings, "SEARCH_RATE_LIMIT": "120/minute"}),
        }
        clients = {name: app.test_client() for name, app in apps.items()}
        path = "/search?q=%D8%A7%D9%86%D8%AA%D8%AE%D8%A7%D8%A8%D8%A7%D8%AA"
        for client in clients.values():
            client.get(path)  # the answer is cached from here on
        timings = {name: [] for name in [*clients, "metrics off"]}
        for _ in range(arguments.rounds):
            for name, client in clients.items():
                timings[name].append(per_request_us(client, path, arguments.requests))
            request_log.observe_request = lambda record: None  # the counting for /metrics, off
            timings["metrics off"].append(per_request_us(clients["plain"], path, arguments.requests))
            request_log.observe_request = metrics.observe_request
        medians = {name: statistics.median(values) for name, values in timings.items()}
        report = {
            "requests_per_round": arguments.requests,
            "rounds": arguments.rounds,
            "median_us_per_request": {name: round(value, 1) for name, value in medians.items()},
            "rate_limit_vs_plain": round(medians["rate limited"] / medians["plain"], 3),
            "metrics_counting_vs_none": round(medians["plain"] / medians["metrics off"], 3),
        }
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "service.json").write_text(json.dumps(report, indent=1) + "\n", "utf-8")
        lines = [
            "# What running it as a service costs a request",
            "",
            f"`python -m bench.service --requests {arguments.requests}`: a cached search through Flask's test",
            f"client, median of {arguments.rounds} rounds alternating between the apps, on a shared 2-core machine.",
            "",
            "| app | µs per cached search |",
            "| --- | --- |",
            *(f"| {name} | {value:.0f} |" for name, value in medians.items()),
            "",
            f"- Flask-Limiter's moving window at 120/minute (only when `SEARCH_RATE_LIMIT` is set): "
            f"{report['rate_limit_vs_plain']}× a cached search, "
            f"{medians['rate limited'] - medians['plain']:.0f} µs a request.",
            f"- Counting for /metrics: {report['metrics_counting_vs_none']}× "
            f"({medians['plain'] - medians['metrics off']:.0f} µs a request).",
            "",
            "Why the limit costs what it does (profiled): the limits library's memory storage starts a timer",
            "thread every 10 ms while requests come, which sweeps every key for expired events, and",
            "Flask-Limiter evaluates a request's limits in its middleware and again in the view's wrapper. It",
            "is kept: the cost is paid only when a limit is set, it stays under a millisecond beside searches",
            "that take milliseconds, and its keys expire one by one (the hand-written limiter it replaced",
            "cleared every count when it held too many clients).",
        ]
        (RESULTS / "SERVICE.md").write_text("\n".join(lines) + "\n", "utf-8")
        print("\n".join(lines))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

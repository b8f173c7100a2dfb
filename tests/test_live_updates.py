"""A fresh index while serving: the real gunicorn with two workers answers
searches without a single failure while documents are added, changed and
deleted, reindexed through /admin/reindex (in the background, followed on its
status URL) and rebuilt from the command line; after each run every worker
answers from the new index."""

import re
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from .reindexing import bearer, finished_run
from .serving import gunicorn, index_with_cli, run_cli, server_env

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ADMIN_TOKEN = "live-updates-token"
LOOP_LIMIT_SECONDS = 30
REQUEST_TIMEOUT = 5
# Requests made after a run until both workers have answered some.
MAX_PROBES = 120
CLOSE = {"Connection": "close"}

EN_MARATHON = "en/sports/city-marathon.txt"
EN_SANITISER = "en/tech/snippet-sanitiser.txt"
EN_NEW = "en/science/magnetometer.txt"
AR_NEW = "ar/environment/sandstorm.txt"
EN_EMPTY = "en/empty.txt"
# Documents the changes never touch: their answers must stay the same throughout.
STEADY_QUERIES = ("انتخابات", "drought", "observers", "الأمطار", "OSCE")


class Server:
    def __init__(self, base_url, process, log_path, env):
        self.base_url, self.process, self.log_path, self.env = base_url, process, log_path, env

    def get(self, path, **params):
        return requests.get(f"{self.base_url}{path}", params=params, headers=CLOSE, timeout=REQUEST_TIMEOUT)

    def search_ids(self, text, **params):
        # exact=1: the words themselves, not the words a typo away.
        response = self.get("/search", q=text, per_page="50", exact="1", **params)
        assert response.status_code == 200, response.text
        return {result["id"] for result in response.json()["results"]}

    def log(self):
        return self.log_path.read_text("utf-8", errors="replace")

    def probe_pids(self, offset):
        """Worker pid of every probe request logged after ``offset``."""
        text = self.log_path.read_bytes()[offset:].decode("utf-8", errors="replace")
        return {int(pid) for pid in re.findall(r"^<(\d+)> GET /search\?\S*probe=", text, re.MULTILINE)}

    def log_size(self):
        return self.log_path.stat().st_size


@pytest.fixture
def server(docs_copy, tmp_path):
    env, port = server_env(docs_copy, tmp_path / "index", SEARCH_ADMIN_TOKEN=ADMIN_TOKEN)
    assert " 0 failed" in index_with_cli(env)
    log_path = tmp_path / "gunicorn.log"
    # Which worker answered each request: the pid first on the access log line.
    pid_first = ("--access-logformat", "%(p)s %(m)s %(U)s?%(q)s %(s)s")
    with gunicorn(env, port, log_path, pid_first) as (base_url, process):
        yield Server(base_url, process, log_path, env)


class SearchLoop(threading.Thread):
    """Searches in a loop (Arabic and English) until stopped or for at most
    LOOP_LIMIT_SECONDS; records every status, exception and wrong answer."""

    def __init__(self, server, expected):
        super().__init__(name="search-loop", daemon=True)
        self.server, self.expected = server, expected
        self.stop = threading.Event()
        self.statuses = []
        self.answered = []  # (sent, received) of every 200
        self.failures = []
        self.stopped_by_limit = False

    def run(self):
        deadline = time.monotonic() + LOOP_LIMIT_SECONDS
        turn = 0
        while not self.stop.is_set():
            if time.monotonic() > deadline:
                self.stopped_by_limit = True
                return
            text = STEADY_QUERIES[turn % len(STEADY_QUERIES)]
            turn += 1
            sent = time.monotonic()
            try:
                response = self.server.get("/search", q=text, per_page="50")
            except requests.RequestException as error:
                self.failures.append((text, repr(error)))
                continue
            self.statuses.append(response.status_code)
            if response.status_code != 200:
                self.failures.append((text, response.status_code, response.text[:300]))
                continue
            try:
                ids = {result["id"] for result in response.json()["results"]}
            except (ValueError, KeyError, TypeError) as error:
                self.failures.append((text, "bad JSON", repr(error)))
                continue
            if ids != self.expected[text]:
                self.failures.append((text, "answer changed", sorted(ids)))
                continue
            self.answered.append((sent, time.monotonic()))

    def answered_during(self, start, end):
        return sum(1 for sent, received in self.answered if sent < end and received > start)

    def finish(self):
        self.stop.set()
        self.join(REQUEST_TIMEOUT * 2)
        assert not self.is_alive(), "the search loop did not stop"


@pytest.fixture
def search_loop(server):
    expected = {text: server.search_ids(text) for text in STEADY_QUERIES}
    assert all(expected.values()), expected
    loop = SearchLoop(server, expected)
    loop.start()
    yield loop
    loop.stop.set()
    loop.join(REQUEST_TIMEOUT * 2)


def probe_until_both_workers_answered(server, check):
    """Send sequential searches (a new connection each) until both workers
    have answered some; ``check(probe_number)`` asserts on every answer."""
    offset = server.log_size()
    for number in range(MAX_PROBES):
        check(number)
        if number >= 19 and len(server.probe_pids(offset)) >= 2:
            return number + 1
    pytest.fail(f"{MAX_PROBES} requests were all answered by one worker: {server.probe_pids(offset)}")


def search_ids(server, text, probe):
    response = server.get("/search", q=text, per_page="50", exact="1", probe=str(probe))
    assert response.status_code == 200, response.text
    return {result["id"] for result in response.json()["results"]}


def healthz(server):
    response = server.get("/healthz")
    assert response.status_code == 200, response.text
    return response.json()


def test_searches_never_fail_and_every_worker_sees_reindex_and_rebuild(server, search_loop, docs_copy, documents):
    started = datetime.now(UTC)
    health = healthz(server)
    assert (health["status"], health["documents"], health["last_run_failures"]) == ("ok", len(documents), 0)
    first_indexed = datetime.fromisoformat(health["last_indexed"])
    assert started - timedelta(minutes=5) < first_indexed <= started + timedelta(seconds=1)
    time.sleep(0.5)  # the loop is running before anything changes

    # Add (one English, one Arabic), change, delete; and an empty file, which fails.
    (docs_copy / EN_NEW).parent.mkdir(parents=True, exist_ok=True)
    (docs_copy / EN_NEW).write_text(
        "A magnetometer maps buried walls\nArchaeologists used a magnetometer to map walls under the field.\n",
        "utf-8",
    )
    (docs_copy / AR_NEW).write_text(
        "عاصفة رملية تغلق الطرق الصحراوية\nأغلقت السلطات الطرق الصحراوية بعد عاصفة رملية قوية حجبت الرؤية.\n",
        "utf-8",
    )
    (docs_copy / EN_MARATHON).write_text(
        "Hundreds swim in the harbour triathlon\n"
        "Hundreds of athletes swam, cycled and ran in the harbour triathlon on Saturday morning.\n",
        "utf-8",
    )
    (docs_copy / EN_SANITISER).unlink()
    (docs_copy / EN_EMPTY).write_bytes(b"")
    expected_count = len(documents) + 1

    unauthorised = requests.post(f"{server.base_url}/admin/reindex", headers=CLOSE, timeout=REQUEST_TIMEOUT)
    assert unauthorised.status_code == 401
    windows = {}
    windows["reindex"] = [time.monotonic()]
    admin = {**bearer(ADMIN_TOKEN), **CLOSE}
    reindex = requests.post(f"{server.base_url}/admin/reindex", headers=admin, timeout=REQUEST_TIMEOUT)
    assert reindex.status_code == 202, reindex.text
    status_url = f"{server.base_url}{reindex.json()['status_url']}"
    run = finished_run(lambda: requests.get(status_url, headers=admin, timeout=REQUEST_TIMEOUT).json())
    windows["reindex"].append(time.monotonic())
    assert run["state"] == "done", run
    summary = run["summary"]
    assert (summary["added"], summary["updated"], summary["removed"]) == (2, 1, 1)
    assert [failure["id"] for failure in summary["failed"]] == [EN_EMPTY]
    assert summary["documents"] == expected_count

    def sees_the_reindex(probe):
        assert search_ids(server, "magnetometer", probe) == {EN_NEW}, f"probe {probe}"
        assert search_ids(server, "عاصفة", probe) == {AR_NEW}, f"probe {probe}"
        assert search_ids(server, "triathlon", probe) == {EN_MARATHON}, f"probe {probe}"
        assert search_ids(server, "marathon", probe) == set(), f"probe {probe}"
        assert search_ids(server, "sanitiser", probe) == set(), f"probe {probe}"

    probe_until_both_workers_answered(server, sees_the_reindex)
    for _ in range(4):  # whichever worker answers
        health = healthz(server)
        assert health["documents"] == expected_count
        assert health["last_run_failures"] == 1
        assert datetime.fromisoformat(health["last_indexed"]) >= first_indexed
    answers = {text: server.search_ids(text) for text in ("magnetometer", "عاصفة", "triathlon", "انتخابات", "drought")}

    # Two rebuilds from the command line in a row, while the loop searches:
    # the second one retires the generation the workers first read.
    for attempt in range(2):
        windows[f"rebuild {attempt + 1}"] = [time.monotonic()]
        rebuild = run_cli(server.env, "index", "--rebuild", "--quiet")
        windows[f"rebuild {attempt + 1}"].append(time.monotonic())
        assert rebuild.returncode == 0, rebuild.stderr
        assert f"{expected_count} documents in the index" in rebuild.stdout, rebuild.stdout

        def sees_the_same_documents(probe, attempt=attempt):
            for text, ids in answers.items():
                assert search_ids(server, text, probe) == ids, f"rebuild {attempt + 1}, probe {probe}: {text}"

        probe_until_both_workers_answered(server, sees_the_same_documents)
    for _ in range(4):
        health = healthz(server)
        assert (health["status"], health["documents"], health["last_run_failures"]) == ("ok", expected_count, 1)
        assert datetime.fromisoformat(health["last_indexed"]) > first_indexed

    search_loop.finish()
    assert search_loop.failures == [], search_loop.failures[:10]
    # The loop was answered while each run was under way (it stops by itself
    # after LOOP_LIMIT_SECONDS, so on a very slow machine the last rebuild
    # may come after it).
    overlaps = {name: search_loop.answered_during(*window) for name, window in windows.items()}
    assert overlaps["reindex"] >= 1, overlaps
    assert overlaps["rebuild 1"] >= 3, overlaps
    assert search_loop.stopped_by_limit or overlaps["rebuild 2"] >= 3, overlaps
    assert len(search_loop.statuses) >= 20, "the loop hardly searched while the index changed"
    assert set(search_loop.statuses) == {200}
    assert "Traceback" not in server.log()
    assert server.process.poll() is None, "gunicorn died"

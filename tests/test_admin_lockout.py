"""The admin lockout: wrong tokens are counted per client across every
worker, in a file in the index folder, and refused with 429 past the limit;
the right token is never refused."""

import sqlite3

import pytest
import requests

from search.api import ADMIN_FAILURES_FILE
from search.ratelimit import SharedFailureLog

from .reindexing import bearer, finished_run
from .serving import gunicorn, index_with_cli, server_env

TOKEN = "lockout-test-token"
WRONG = bearer("not-the-token")


class Clock:
    def __init__(self, now=1_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


def test_failures_past_the_limit_wait_for_the_oldest_to_expire(tmp_path):
    clock = Clock()
    log = SharedFailureLog(tmp_path / "failures.sqlite", limit=3, window=100, clock=clock)
    assert [log.fail("10.0.0.1") for _ in range(3)] == [0, 0, 0]
    assert log.fail("10.0.0.1") == 101  # refused, and not counted
    clock.now += 40
    assert log.fail("10.0.0.1") == 61
    assert log.fail("10.0.0.2") == 0  # another client has its own count
    clock.now += 61  # the first three expire
    assert log.fail("10.0.0.1") == 0


def test_two_logs_on_one_file_count_the_same_failures(tmp_path):
    """Two workers: each opens the file on its own."""
    first, second = (SharedFailureLog(tmp_path / "failures.sqlite", limit=4, window=900) for _ in range(2))
    assert [first.fail("c"), second.fail("c"), first.fail("c"), second.fail("c")] == [0, 0, 0, 0]
    assert first.fail("c") > 0 and second.fail("c") > 0


def test_failures_are_bounded_under_a_flood_of_addresses(tmp_path):
    clock = Clock()
    log = SharedFailureLog(tmp_path / "failures.sqlite", limit=2, window=900, clock=clock, max_entries=50)
    for number in range(200):
        clock.now += 0.01
        assert log.fail(f"10.1.{number // 256}.{number % 256}") == 0

    with sqlite3.connect(tmp_path / "failures.sqlite") as database:
        assert database.execute("SELECT count(*) FROM failures").fetchone() == (50,)
        assert database.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_two_apps_on_one_index_folder_share_the_lockout_and_never_refuse_the_token(make_app, docs_copy, tmp_path):
    index = tmp_path / "index"
    workers = [make_app(docs_copy, index, admin_token=TOKEN).test_client() for _ in range(2)]
    answers = [workers[n % 2].get("/admin/reindex/latest", headers=WRONG).status_code for n in range(5)]
    assert answers == [401] * 5
    for worker in workers:
        refused = worker.get("/admin/reindex/latest", headers=WRONG)
        assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 15 * 60
        assert worker.get("/admin/reindex/latest", headers=bearer(TOKEN)).status_code == 404  # no run yet: let in
    assert (index / ADMIN_FAILURES_FILE).is_file()


def test_failures_that_cannot_be_counted_refuse_wrong_tokens_only(make_app, docs_copy, tmp_path):
    index = tmp_path / "index"
    (index / ADMIN_FAILURES_FILE).mkdir(parents=True)  # not a database: every count fails
    client = make_app(docs_copy, index, admin_token=TOKEN).test_client()
    refused = client.get("/admin/reindex/latest", headers=WRONG)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert client.get("/admin/reindex/latest", headers=bearer(TOKEN)).status_code == 404


@pytest.fixture
def two_servers(docs_copy, tmp_path):
    """Two real gunicorn servers, one worker process each, on one index
    folder: which worker of one server takes a connection is the kernel's
    choice (a threaded worker may take them all), so two servers make sure
    two processes answer in turn."""
    index = tmp_path / "index"
    first_env, first_port = server_env(docs_copy, index, workers=1, SEARCH_ADMIN_TOKEN=TOKEN, SEARCH_THREADS="2")
    index_with_cli(first_env)
    second_env, second_port = server_env(docs_copy, index, workers=1, SEARCH_ADMIN_TOKEN=TOKEN, SEARCH_THREADS="2")
    with (
        gunicorn(first_env, first_port, tmp_path / "first.log") as (first_url, _),
        gunicorn(second_env, second_port, tmp_path / "second.log") as (second_url, _),
    ):
        yield first_url, second_url


def test_lockout_holds_across_two_real_gunicorn_processes(two_servers):
    urls = two_servers

    def ask(n, token_headers, path="/admin/reindex/latest"):
        return requests.get(f"{urls[n % 2]}{path}", headers=token_headers, timeout=10)

    assert [ask(n, WRONG).status_code for n in range(5)] == [401] * 5
    statuses = []
    for n in range(6):
        wrong = ask(n, WRONG)
        statuses.append(wrong.status_code)
        assert 1 <= int(wrong.headers["Retry-After"]) <= 15 * 60
        statuses.append(ask(n + 1, bearer(TOKEN)).status_code)
    # Counting per process would answer 401 where fewer failures were seen, and 429 to the token.
    assert statuses == [429, 404] * 6
    started = requests.post(f"{urls[0]}/admin/reindex", headers=bearer(TOKEN), timeout=10)
    assert started.status_code == 202
    run = finished_run(lambda: ask(1, bearer(TOKEN), started.json()["status_url"]).json())
    assert run["state"] == "done"

"""Index runs started over HTTP (search/index_runs.py) through Flask's test
client: each runs in a process of its own, one at a time, and its state is
read from disk; a run that is killed is reported failed, not running."""

import json
import os
import signal
import threading
import time

import pytest

from search import index_runs
from search.index import update_index
from search.index_store import writer_lock

from .reindexing import RUN_TIMEOUT_SECONDS, bearer, finished_run, reindex, running_pid, started

ADMIN_TOKEN = "test-token"  # what conftest's apps are configured with
AUTH = bearer(ADMIN_TOKEN)


@pytest.fixture
def index(docs_copy, tmp_path):
    """An index of ``docs_copy`` that a test may change."""
    update_index(docs_copy, tmp_path / "index")
    return tmp_path / "index"


@pytest.fixture
def client(make_app, docs_copy, index):
    return make_app(docs_copy, index).test_client()


@pytest.fixture
def session_client(make_app, docs_dir, index_dir):
    """A client over the session's index, for requests that must not start a run."""
    return make_app(docs_dir, index_dir).test_client()


def status(client, run_id):
    response = client.get(f"/admin/reindex/{run_id}", headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["run"]


def wait_until_exited(pid):
    """Wait until ``pid`` is gone (its zombie collected by the app's reaper thread)."""
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.02)
    pytest.fail(f"process {pid} did not exit")


def test_second_start_while_a_run_is_going_is_a_409_that_says_where_to_follow_it(client, index, documents):
    first = started(client.post("/admin/reindex", headers=AUTH))
    # The run process waits for the index's writer lock as long as the test holds it.
    with writer_lock(index, wait=5):
        second = client.post("/admin/reindex", headers=AUTH)
        assert second.status_code == 409
        assert second.get_json()["error"]["code"] == "conflict"
        assert first["status_url"] in second.get_json()["error"]["message"]
        assert status(client, first["run"]["id"])["state"] == "running"
        assert client.get("/admin/reindex/latest", headers=AUTH).get_json()["run"]["id"] == first["run"]["id"]
        assert client.get("/healthz").get_json()["indexing"] is True
    run = finished_run(lambda: client.get(first["status_url"], headers=AUTH).get_json())
    assert (run["state"], run["summary"]["unchanged"], run["summary"]["added"]) == ("done", len(documents), 0)
    assert client.get("/healthz").get_json()["indexing"] is False
    reindex(client, ADMIN_TOKEN)  # the next start is accepted as soon as the run is done


def test_starts_at_the_same_instant_start_one_run(make_app, docs_copy, index, client):
    clients = [make_app(docs_copy, index).test_client() for _ in range(4)]
    barrier, answers = threading.Barrier(len(clients)), []

    def start(each):
        barrier.wait()
        answers.append(each.post("/admin/reindex", headers=AUTH))

    # The run that starts holds the run lock from before its process starts (a
    # few hundred milliseconds) until it ends: all four ask well within that.
    threads = [threading.Thread(target=start, args=(each,)) for each in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(RUN_TIMEOUT_SECONDS)
    assert sorted(answer.status_code for answer in answers) == [202, 409, 409, 409]
    (accepted,) = [answer.get_json() for answer in answers if answer.status_code == 202]
    assert finished_run(lambda: client.get(accepted["status_url"], headers=AUTH).get_json())["state"] == "done"
    assert len(list((index / index_runs.RUNS_DIR).glob("*.json"))) == 1


@pytest.mark.parametrize(
    ("stop", "error"),
    [(signal.SIGKILL, "interrupted: the run's process ended"), (signal.SIGTERM, "interrupted: stopped by SIGTERM")],
)
def test_a_killed_run_is_reported_failed_and_does_not_block_the_next(client, index, stop, error):
    body = started(client.post("/admin/reindex", headers=AUTH))
    with writer_lock(index, wait=5):
        assert body["run"]["pid"] is None
        pid = running_pid(lambda: client.get(body["status_url"], headers=AUTH).get_json())
        assert status(client, body["run"]["id"])["state"] == "running"
        os.kill(pid, stop)
        wait_until_exited(pid)
        killed = status(client, body["run"]["id"])
        assert killed["state"] == "failed"
        assert killed["error"].startswith(error)
        assert killed["summary"] is None
    assert client.get("/healthz").get_json()["indexing"] is False
    reindex(client, ADMIN_TOKEN)  # the killed run holds nothing back
    assert status(client, body["run"]["id"])["state"] == "failed"


def test_a_record_left_running_by_a_killed_run_is_settled_when_the_next_starts(client, index):
    killed = started(client.post("/admin/reindex", headers=AUTH))
    with writer_lock(index, wait=5):
        pid = running_pid(lambda: client.get(killed["status_url"], headers=AUTH).get_json())
        os.kill(pid, signal.SIGKILL)
        wait_until_exited(pid)
    record = json.loads((index / "runs" / f"{killed['run']['id']}.json").read_text("utf-8"))
    assert record["state"] == "running"  # as the killed process left it
    following = started(client.post("/admin/reindex", headers=AUTH))
    with writer_lock(index, wait=5):
        # The run lock is held again, now by the next run: the record itself must say failed.
        assert status(client, killed["run"]["id"])["state"] == "failed"
        assert status(client, following["run"]["id"])["state"] == "running"
    assert finished_run(lambda: client.get(following["status_url"], headers=AUTH).get_json())["state"] == "done"


def test_only_the_newest_run_records_are_kept(client, index):
    runs = index / index_runs.RUNS_DIR
    runs.mkdir()
    for day in range(1, 26):
        run_id = f"202601{day:02d}T120000.000000Z"
        (runs / f"{run_id}.json").write_text(json.dumps({"id": run_id, "state": "done"}), "utf-8")
        (runs / f"{run_id}.log").write_text("", "utf-8")
    newest = reindex(client, ADMIN_TOKEN)
    kept = sorted(path.stem for path in runs.glob("*.json"))
    assert len(kept) == index_runs.KEEP_RUNS
    assert kept[-1] == newest["id"]
    assert kept[0] == "20260107T120000.000000Z"
    assert sorted(path.stem for path in runs.glob("*.log")) == kept


def test_rebuild_flag_rebuilds_the_index(client, documents):
    run = reindex(client, ADMIN_TOKEN, rebuild="1")
    assert (run["rebuild"], run["summary"]["rebuilt"]) == (True, True)
    assert run["summary"]["documents"] == len(documents)
    assert reindex(client, ADMIN_TOKEN)["summary"]["rebuilt"] is False


def test_rebuild_flag_that_is_not_a_flag_is_a_400(session_client):
    response = session_client.post("/admin/reindex", headers=AUTH, query_string={"rebuild": "yes please"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_a_run_that_fails_reports_its_error(make_app, tmp_path):
    client = make_app(tmp_path / "no-such-folder", tmp_path / "index").test_client()
    run = reindex(client, ADMIN_TOKEN, state="failed")
    assert run["error"].startswith("docs folder not found")
    assert run["summary"] is None


def test_unknown_run_is_a_404(client):
    known = reindex(client, ADMIN_TOKEN)  # a runs folder with a record in it
    unknown = ["20990101T000000.000000Z", "nope", "..%2Flast_run", f"{known['id']}.json", "%2E%2E", ".run.lock"]
    for run_id in unknown:
        response = client.get(f"/admin/reindex/{run_id}", headers=AUTH)
        assert response.status_code == 404, run_id
        assert response.get_json()["error"]["code"] == "not_found"


def test_latest_run_is_a_404_before_any_run(session_client):
    response = session_client.get("/admin/reindex/latest", headers=AUTH)
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/admin/reindex/latest", "/admin/reindex/20990101T000000.000000Z"])
def test_run_status_needs_the_admin_token(make_app, docs_dir, index_dir, path):
    client = make_app(docs_dir, index_dir).test_client()
    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer("wrong-token")).status_code == 401
    disabled = make_app(docs_dir, index_dir, admin_token=None).test_client()
    assert disabled.get(path, headers=AUTH).status_code == 403

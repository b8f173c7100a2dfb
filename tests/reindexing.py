"""Following an index run started with POST /admin/reindex, from tests:
through Flask's test client or over HTTP."""

import time

# The longest a test waits for a background run of its few documents.
RUN_TIMEOUT_SECONDS = 60


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def finished_run(get_status, timeout=RUN_TIMEOUT_SECONDS):
    """Poll ``get_status()`` (the JSON of a run's status URL) until the run
    is no longer running; return the run."""
    deadline = time.monotonic() + timeout
    while True:
        run = get_status()["run"]
        if run["state"] != "running":
            return run
        assert time.monotonic() < deadline, f"the index run is still running after {timeout}s: {run}"
        time.sleep(0.05)


def running_pid(get_status, timeout=RUN_TIMEOUT_SECONDS):
    """The run's pid, once its process has written it (it is up, and stops
    cleanly on SIGTERM from then on)."""
    deadline = time.monotonic() + timeout
    while (run := get_status()["run"])["pid"] is None:
        assert run["state"] == "running", run
        assert time.monotonic() < deadline, f"the run process did not start within {timeout}s"
        time.sleep(0.02)
    return run["pid"]


def started(response):
    """The body of a POST /admin/reindex that started a run (a 202)."""
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.get_json()


def reindex(client, token, state="done", **params):
    """Start a run through the test client, wait for it to end in ``state``, return it."""
    body = started(client.post("/admin/reindex", headers=bearer(token), query_string=params))
    run = finished_run(lambda: client.get(body["status_url"], headers=bearer(token)).get_json())
    assert run["state"] == state, run
    return run

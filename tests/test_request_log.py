"""One JSON line per request and per index run, and the request id header
(issue 18's structured logs)."""

import json
import logging

import pytest

from search.index import update_index


def log_lines(caplog, logger):
    return [json.loads(record.getMessage()) for record in caplog.records if record.name == logger]


def test_a_search_logs_one_line_with_its_id_route_status_time_and_query_length(client, caplog):
    caplog.set_level(logging.INFO, logger="search.requests")
    response = client.get("/search", query_string={"q": "انتخابات كازاخستتان"})
    (line,) = log_lines(caplog, "search.requests")
    assert response.headers["X-Request-Id"] == line["request_id"] and len(line["request_id"]) == 32
    assert (line["event"], line["method"], line["route"], line["status"]) == ("request", "GET", "/search", 200)
    assert line["query_chars"] == len("انتخابات كازاخستتان") and "query" not in line
    assert line["ms"] >= 0 and line["passes"] >= 1 and line["partial"] is False


def test_the_query_text_is_logged_only_when_asked(make_app, docs_dir, index_dir, caplog):
    caplog.set_level(logging.INFO, logger="search.requests")
    make_app(docs_dir, index_dir, LOG_QUERIES=True).test_client().get("/search?q=elections")
    assert log_lines(caplog, "search.requests")[0]["query"] == "elections"


def test_a_logged_query_cannot_reorder_its_line_on_a_terminal(make_app, docs_dir, index_dir, caplog):
    caplog.set_level(logging.INFO, logger="search.requests")
    text = "\u202eevil\u202c \u2067انتخابات\u2069 \x85next"
    make_app(docs_dir, index_dir, LOG_QUERIES=True).test_client().get("/search", query_string={"q": text})
    (message,) = [record.getMessage() for record in caplog.records if record.name == "search.requests"]
    assert not any(character in message for character in "\u202e\u202c\u2067\u2069\x85")
    assert "\\u202e" in message and "انتخابات" in message  # escaped, and Arabic kept as it is
    assert json.loads(message)["query"] == text


def test_a_rewrite_is_logged_by_its_kind(client, caplog):
    caplog.set_level(logging.INFO, logger="search.requests")
    client.get("/search", query_string={"q": "hkjohfhj"})
    assert log_lines(caplog, "search.requests")[0]["rewrite"] == "layout"


@pytest.mark.parametrize(
    ("offered", "kept"), [("abc-123.x", True), ("bad id with spaces", False), ("<script>", False), ("x" * 65, False)]
)
def test_a_plain_request_id_from_the_client_is_kept_and_any_other_replaced(client, offered, kept, caplog):
    caplog.set_level(logging.INFO, logger="search.requests")
    response = client.get("/healthz", headers={"X-Request-Id": offered})
    assert (response.headers["X-Request-Id"] == offered) is kept
    (line,) = log_lines(caplog, "search.requests")
    assert line["request_id"] == response.headers["X-Request-Id"] and line["route"] == "/healthz"


def test_errors_and_pages_are_logged_too(client, caplog):
    caplog.set_level(logging.INFO, logger="search.requests")
    client.get("/search", query_string={"q": "x", "page": "0"})
    client.get("/no/such/page")
    statuses = [line["status"] for line in log_lines(caplog, "search.requests")]
    assert statuses == [400, 404]


def test_an_index_run_logs_one_line_with_its_counts(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="search.index")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("A note about the harbour and its new bridge.\n", "utf-8")
    (docs / "b.bin.txt").write_bytes(b"")
    update_index(docs, tmp_path / "index")
    (line,) = log_lines(caplog, "search.index")
    assert line["event"] == "index_run" and (line["added"], line["failed"], line["documents"]) == (1, 1, 1)
    assert line["rebuilt"] is True and line["seconds"] >= 0


def test_under_gunicorn_each_request_is_one_json_line_in_the_error_log(docs_dir, index_dir, tmp_path):
    import time
    import urllib.request

    from .serving import gunicorn, server_env

    env, port = server_env(docs_dir, index_dir, workers=2)
    log_path = tmp_path / "gunicorn.log"
    with gunicorn(env, port, log_path) as (base_url, _):
        request = urllib.request.Request(f"{base_url}/search?q=elections", headers={"X-Request-Id": "trace-42"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.headers["X-Request-Id"] == "trace-42"
        for _ in range(50):  # the line is written after the answer is sent
            lines = [line for line in log_path.read_text(errors="replace").splitlines() if '"trace-42"' in line]
            if lines:
                break
            time.sleep(0.1)
    (line,) = lines
    record = json.loads(line)
    assert (record["route"], record["status"], record["query_chars"]) == ("/search", 200, len("elections"))

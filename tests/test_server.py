"""End to end: index with ``python -m search index``, serve with the real
gunicorn and its config file, and talk to it over HTTP on the loopback
interface."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from bs4 import BeautifulSoup

from search.index_store import writer_lock

from .reindexing import bearer, finished_run, running_pid
from .serving import gunicorn, index_with_cli, server_env

ROOT = Path(__file__).resolve().parent.parent
ADMIN_TOKEN = "server-test-token"


@pytest.fixture
def server(docs_dir, tmp_path):
    """Base URL of gunicorn serving a fresh index of the session documents."""
    env, port = server_env(docs_dir, tmp_path / "index")
    assert " 0 failed" in index_with_cli(env)
    with gunicorn(env, port, tmp_path / "gunicorn.log") as (base_url, _):
        yield base_url


@pytest.fixture
def admin_server(docs_copy, tmp_path):
    """(base URL, master pid) of gunicorn (two workers) with admin endpoints on, over ``docs_copy``."""
    env, port = server_env(docs_copy, tmp_path / "index", SEARCH_ADMIN_TOKEN=ADMIN_TOKEN)
    assert " 0 failed" in index_with_cli(env)
    with gunicorn(env, port, tmp_path / "gunicorn.log") as (base_url, process):
        yield base_url, process.pid


def test_gunicorn_serves_bilingual_search_over_http(server, documents):
    health = requests.get(f"{server}/healthz", timeout=5)
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert health.json()["documents"] == len(documents)

    # Several requests, so that both workers are likely to answer some.
    for _ in range(6):
        arabic = requests.get(f"{server}/search", params={"q": "انتخابات"}, timeout=5)
        assert arabic.status_code == 200
        assert arabic.headers["Content-Type"].startswith("application/json")
        data = arabic.json()
        assert data["total"] == 3
        assert data["results"][0]["id"] == "ar/politics/2024/parliament-elections.txt"
        snippets = " ".join(result["snippet"] for result in data["results"])
        assert "<mark>الانتخابات</mark>" in snippets
        assert "<mark>للانتخابات</mark>" in snippets

    english = requests.get(f"{server}/search", params={"q": "observer", "lang": "en"}, timeout=5).json()
    assert [result["lang"] for result in english["results"]] == ["en", "en"]
    assert "<mark>observers</mark>" in english["results"][0]["snippet"]

    bad = requests.get(f"{server}/search", params={"q": "drought", "page": "0"}, timeout=5)
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "bad_request"

    page = requests.get(f"{server}/", params={"q": "OSCE"}, timeout=5)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.select_one("input[name=q]")["value"] == "OSCE"
    assert {(article["lang"], article["dir"]) for article in soup.select("article.result")} == {
        ("ar", "rtl"),
        ("en", "ltr"),
    }
    assert len(soup.select("article.result .snippet mark")) == 2

    document = requests.get(f"{server}{data['results'][0]['url']}", timeout=5)
    assert document.status_code == 200
    assert BeautifulSoup(document.text, "html.parser").select(".document-body mark")


def test_a_serving_process_does_not_load_the_document_readers(index_dir):
    """Reading PDF, Word, HTML and legacy encodings is the indexer's job; a
    worker that only searches keeps those libraries (about 35 MB) out."""
    code = (
        "import sys\n"
        "from search import create_app\n"
        f"app = create_app({{'INDEX_DIR': {str(index_dir)!r}}})\n"
        "assert app.test_client().get('/search?q=election').status_code == 200\n"
        "assert app.test_client().get('/?q=election').status_code == 200\n"
        "print(sorted(m for m in ('pypdf', 'docx', 'bs4', 'charset_normalizer', 'markdown') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def parent_pid(pid):
    """The parent of ``pid``, from /proc (the field after the parenthesised name)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rpartition(")")[2].split()[1])


def test_reindex_over_gunicorn_runs_in_the_background_and_outlives_its_worker(
    admin_server, docs_copy, tmp_path, documents
):
    base_url, master = admin_server
    (docs_copy / "en" / "glacier-retreat.txt").write_text(
        "Glaciers retreat faster than forecast\nThe glaciers above the valley lost a tenth of their ice.\n", "utf-8"
    )
    headers = {**bearer(ADMIN_TOKEN), "Connection": "close"}  # each request to whichever worker is free

    def get(path):
        response = requests.get(f"{base_url}{path}", headers=headers, timeout=5)
        assert response.status_code == 200, response.text
        return response.json()

    accepted = requests.post(f"{base_url}/admin/reindex", headers=headers, timeout=5)
    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    assert accepted.headers["Location"] == body["status_url"]
    # Hold the run back behind the index's writer lock, and kill the worker that started it.
    with writer_lock(tmp_path / "index", wait=5):
        conflict = requests.post(f"{base_url}/admin/reindex", headers=headers, timeout=5)
        assert conflict.status_code == 409
        assert body["status_url"] in conflict.json()["error"]["message"]
        worker = parent_pid(running_pid(lambda: get(body["status_url"])))
        assert parent_pid(worker) == master
        os.kill(worker, signal.SIGKILL)
        for _ in range(4):
            assert get(body["status_url"])["run"]["state"] == "running"
            assert get("/healthz")["indexing"] is True
    run = finished_run(lambda: get(body["status_url"]))
    assert (run["state"], run["summary"]["added"], run["summary"]["documents"]) == ("done", 1, len(documents) + 1)
    for _ in range(4):
        assert [result["id"] for result in get("/search?q=glaciers")["results"]] == ["en/glacier-retreat.txt"]
        assert get("/healthz")["indexing"] is False
    assert get("/admin/reindex/latest")["run"]["id"] == run["id"]

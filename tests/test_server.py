"""End to end: index with ``python -m search index``, serve with the real
gunicorn and its config file, and talk to it over HTTP on the loopback
interface."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from bs4 import BeautifulSoup

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 20


def free_loopback_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(base_url, process, log_path):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            if requests.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except (requests.RequestException, OSError):  # not listening yet, or a worker still booting
            pass
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer /healthz within {STARTUP_SECONDS}s:\n{log_path.read_text(errors='replace')}")


@pytest.fixture
def server(docs_dir, tmp_path):
    """Base URL of gunicorn serving a fresh index of the session documents."""
    port = free_loopback_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("SEARCH_")}
    env.pop("WEB_CONCURRENCY", None)
    env.update(
        SEARCH_DOCS_DIR=str(docs_dir),
        SEARCH_INDEX_DIR=str(tmp_path / "index"),
        SEARCH_BIND=f"127.0.0.1:{port}",
        SEARCH_WORKERS="2",
    )
    indexing = subprocess.run(
        [sys.executable, "-m", "search", "index", "--quiet"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert indexing.returncode == 0, indexing.stderr
    assert " 0 failed" in indexing.stdout

    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_healthy(base_url, process, log_path)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


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

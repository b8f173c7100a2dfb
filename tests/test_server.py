"""End to end: index with ``python -m search index``, serve with the real
gunicorn and its config file, and talk to it over HTTP on the loopback
interface."""

import subprocess
import sys
from pathlib import Path

import pytest
import requests
from bs4 import BeautifulSoup

from .serving import gunicorn, index_with_cli, server_env

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def server(docs_dir, tmp_path):
    """Base URL of gunicorn serving a fresh index of the session documents."""
    env, port = server_env(docs_dir, tmp_path / "index")
    assert " 0 failed" in index_with_cli(env)
    with gunicorn(env, port, tmp_path / "gunicorn.log") as (base_url, _):
        yield base_url


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

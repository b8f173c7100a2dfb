"""Schemathesis fuzzes the live app from its own OpenAPI document
(search/openapi.py): every answer must be one the document describes (its
status, media type, body and headers) and none may be a 5xx.

The app searches a real index on disk: the test documents and a near copy of
one (so that results fold copies), with the admin token set, so that the
admin routes answer past the token check. Its query deadline is long, so
that a busy machine cannot turn a search into a 503 query_timeout; that
answer, the index missing, the rate limit and the admin token's refusals
are the seeded cases below, each checked against the document the same way.

POST /admin/reindex is left out of the fuzzing: each call it accepts starts
a real index run in a process of its own (a second of CPU, and an index
that changes under the other requests), and the fuzzing would call it
dozens of times. The seeded cases start one run, are refused a second while
it runs, and follow it to its end.

The fuzzing is bounded and reproducible: the documented examples, the
coverage phase's boundary cases and 50 generated examples per route,
derandomized, with no example database. This file takes about 12 seconds
on two busy CPUs.
"""

import shutil
from urllib.parse import quote

import pytest
import schemathesis
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

from search import create_app
from search.api import ADMIN_FAILURES_FILE
from search.config import from_environment
from search.index import update_index
from search.openapi import openapi_document

from .conftest import ADMIN_TOKEN, DOCUMENTS, write_documents
from .reindexing import bearer, finished_run

CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
]
# The checks for an answer the document gives a 5xx for, asked for on purpose.
CHECKS_BUT_SERVER_ERROR = [check for check in CHECKS if check is not checks.not_a_server_error]
FUZZING = {
    "generation": {"mode": "all", "max-examples": 50, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
    "suppress-health-check": ["all"],
    "auth": {"openapi": {"adminToken": {"bearer": ADMIN_TOKEN}}},
}
# The bounds the app enforces (the tests' apps leave them as the environment sets them).
LIMITS = from_environment()
ORIGINAL = "ar/politics/2024/parliament-elections.txt"
NEAR_COPY = "ar/news/parliament-elections-copy.txt"

# The document as the app builds it, loaded when the module is: a schema
# loaded from a fixture's app (schemathesis.pytest.from_fixture) needs a
# pytest older than 9.2. The first test holds it equal to the one served.
schema = schemathesis.openapi.from_dict(openapi_document(LIMITS), config=SchemathesisConfig.from_dict(FUZZING)).exclude(
    method="POST", path="/admin/reindex"
)


@pytest.fixture(scope="module")
def fuzzed_folders(tmp_path_factory):
    """A docs folder (the test documents and a near copy of one) and its index."""
    base = tmp_path_factory.mktemp("fuzzed")
    near_copy = DOCUMENTS[ORIGINAL].replace("يوم الأحد", "يوم السبت")
    docs = write_documents(base / "docs", {**DOCUMENTS, NEAR_COPY: near_copy})
    summary = update_index(docs, base / "index")
    assert summary.failed == [], summary.failed
    return docs, base / "index"


def make_app(docs, index, **settings):
    config = {
        "DOCS_DIR": str(docs),
        "INDEX_DIR": str(index),
        "ADMIN_TOKEN": ADMIN_TOKEN,
        "TESTING": True,
        "QUERY_DEADLINE_SECONDS": 30.0,
        "BASE_URL": "http://search.test",
    }
    return create_app({**config, **settings})


@pytest.fixture(scope="module")
def fuzzed_app(fuzzed_folders):
    return make_app(*fuzzed_folders)


@pytest.fixture
def own_app(fuzzed_folders, tmp_path):
    """``own_app(**settings)``: an app over a copy of the index, with its own
    count of failed admin logins."""
    docs, index = fuzzed_folders
    failures = shutil.ignore_patterns(ADMIN_FAILURES_FILE + "*")  # the fuzzing's wrong tokens
    copy = shutil.copytree(index, tmp_path / "index", symlinks=True, ignore=failures)
    return lambda **settings: make_app(docs, copy, **settings)


def test_the_fuzzed_document_is_the_one_served(fuzzed_app):
    assert fuzzed_app.test_client().get("/openapi.json").get_json() == schema.raw_schema


@schema.parametrize()
def test_the_app_answers_as_its_document_says(case, fuzzed_app):
    case.call_and_validate(checks=CHECKS, app=fuzzed_app)


def operation(path, method="GET"):
    return schema[path][method]


def call(app, path, expected_status, method="GET", checks=CHECKS, **request):
    """A seeded case, sent and checked like a fuzzed one."""
    case = operation(path, method).Case(**request)
    response = case.call(app=app)
    case.validate_response(response, checks=checks)
    assert response.status_code == expected_status, response.text
    return response


def header(response, name):
    """A header of a case's response (Schemathesis keeps them lowercased, in lists)."""
    return response.headers[name.lower()][0]


def call_raw(app, path, url, expected_status, path_parameters=None):
    """A request the case would encode otherwise (raw bytes in the URL),
    checked against the document of ``path``."""
    response = app.test_client().get(url)
    operation(path).Case(path_parameters=path_parameters).validate_response(response, checks=CHECKS)
    assert response.status_code == expected_status, response.get_data(as_text=True)
    return response


LONG_WORD = ("الانتخابات" * LIMITS["MAX_QUERY_CHARS"])[: LIMITS["MAX_QUERY_CHARS"]]  # one word, the most characters
# name -> (text, the API's status, the page's status)
SEEDED_QUERIES = {
    "arabic": ("الانتخابات", 200, 200),
    "hamza": ("إنتخابات", 200, 200),
    "diacritics": ("الاِنْتِخَابَاتُ", 200, 200),
    "bidi controls": ("\u200fالانتخابات\u200f \u202eobservers\u202c \u2066OSCE\u2069", 200, 200),
    "zero-width non-joiner": ("الانتخا\u200cبات", 200, 200),
    "mixed scripts": ("انتخابات OSCE observers", 200, 200),
    "other keyboard layout": ("hkjohfhj", 200, 200),
    "syntax": ('"الانتخابات البرلمانية" -محلية observ* elections~1 OR (drought AND title:report)', 200, 200),
    "unbalanced syntax": ('"(((title: -', 200, 200),
    "at the length limit": (LONG_WORD, 200, 200),
    "over the length limit": (LONG_WORD + "ة", 400, 400),
    "too many words": (" ".join(f"word{n}" for n in range(LIMITS["MAX_QUERY_TERMS"] + 1)), 400, 400),
    "only white space": (" \u00a0\t\u2003", 400, 200),  # the page: the empty search page
    "a NUL": ("الانتخابات\x00", 400, 400),
    "a control character": ("elections\x1b[31m", 400, 400),
    "U+FFFD": ("elections\ufffd", 400, 400),
}


@pytest.mark.parametrize("name", SEEDED_QUERIES)
def test_seeded_queries_on_the_api_and_the_page(fuzzed_app, name):
    text, api_status, page_status = SEEDED_QUERIES[name]
    call(fuzzed_app, "/search", api_status, query={"q": text, "explain": "1"})
    call(fuzzed_app, "/", page_status, query={"q": text})
    call(fuzzed_app, "/doc/{doc_id}", 200, path_parameters={"doc_id": ORIGINAL}, query={"q": text})


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"similar_to": ORIGINAL, "collapse": "0"}, 200),
        ({"similar_to": "no/such/document.txt"}, 400),
        ({"similar_to": "x" * 513}, 400),
        ({"source": "ar\x00"}, 400),
        ({"lang": "ar", "year": "٢٠٢٤", "sort": "date", "date_from": "٢٠٢٤-٠١-٠١"}, 200),
        ({"date_from": "2024-12-31", "date_to": "2024-01-01"}, 400),
        ({"date_from": "20240101"}, 400),
        ({"year": "0000"}, 400),
        ({"per_page": str(LIMITS["MAX_PER_PAGE"] + 1)}, 400),
        ({"page": str(LIMITS["MAX_RESULT_DEPTH"] + 1), "per_page": "1"}, 400),
        ({"page": "9" * 5000}, 400),
        ({"explain": "yes"}, 400),
        ({"lang": "fr"}, 400),
    ],
)
def test_seeded_parameters(fuzzed_app, query, status):
    call(fuzzed_app, "/search", status, query={"q": "الانتخابات", **query})


def test_copies_are_folded_with_a_link_to_them(fuzzed_app):
    body = call(fuzzed_app, "/search", 200, query={"q": "الانتخابات البرلمانية"}).json()
    folded = [result for result in body["results"] if result["similar"]]
    assert folded and folded[0]["similar_url"].startswith("/search?")


@pytest.mark.parametrize(
    "escapes",
    ["%FF", "%C0%AF", "%E2%82", "%ED%A0%80", "%D8%A7%00", "%00"],
    ids=["invalid byte", "overlong", "truncated", "surrogate", "NUL after Arabic", "NUL"],
)
def test_raw_query_strings(fuzzed_app, escapes):
    call_raw(fuzzed_app, "/search", f"/search?q={escapes}", 400)
    call_raw(fuzzed_app, "/", f"/?q={escapes}", 400)
    call_raw(fuzzed_app, "/doc/{doc_id}", f"/doc/{quote(ORIGINAL)}?q={escapes}", 200, {"doc_id": ORIGINAL})


def test_seeded_paths(fuzzed_app):
    arabic_id = "ar/رياضة/cup-final.html"
    call(fuzzed_app, "/doc/{doc_id}", 200, path_parameters={"doc_id": arabic_id}, query={"q": "\u200fالمنتخب"})
    call(fuzzed_app, "/doc/{doc_id}", 404, path_parameters={"doc_id": "ar/politics/no-such-story.txt"})
    call(fuzzed_app, "/doc/{doc_id}", 404, path_parameters={"doc_id": "\u202e" + "x" * 5000})
    call_raw(fuzzed_app, "/doc/{doc_id}", "/doc/%FF%00", 404, {"doc_id": "\ufffd\x00"})
    call_raw(fuzzed_app, "/doc/{doc_id}", "/doc//" + quote(ORIGINAL), 308, {"doc_id": "/" + ORIGINAL})
    call(fuzzed_app, "/static/{filename}", 200, path_parameters={"filename": "style.css"})
    call(fuzzed_app, "/static/{filename}", 404, path_parameters={"filename": "no-such-file.css"})
    for run_id in ("20261205T190856.557023Z", "latest" * 100):
        call(
            fuzzed_app, "/admin/reindex/{run_id}", 404, path_parameters={"run_id": run_id}, headers=bearer(ADMIN_TOKEN)
        )


def test_the_interface_language_and_the_request_id(fuzzed_app):
    response = call(fuzzed_app, "/", 200, query={"q": "elections", "ui": "ar"}, headers={"X-Request-Id": "abc-1"})
    assert header(response, "X-Request-Id") == "abc-1"
    response = call(fuzzed_app, "/search", 200, query={"q": "elections"}, headers={"X-Request-Id": "\u202e" * 80})
    assert len(header(response, "X-Request-Id")) == 32
    call(fuzzed_app, "/opensearch.xml", 200, cookies={"ui": "ar"}, headers={"Accept-Language": "ar;q=0.9, *;q=0"})


def test_admin_token_refusals(own_app):
    app = own_app(ADMIN_FAILURES_ALLOWED=2)
    for path in ("/admin/reindex/latest", "/metrics"):
        call(own_app(ADMIN_TOKEN=None), path, 403, headers=bearer(ADMIN_TOKEN))
    call(app, "/admin/reindex/latest", 401)
    call(app, "/admin/reindex/latest", 401, headers=bearer("wrong"))
    response = call(app, "/admin/reindex/latest", 429, headers={"Authorization": "Basic x"})
    assert int(header(response, "Retry-After")) > 0
    call(app, "/admin/reindex/latest", 404, headers=bearer(ADMIN_TOKEN))  # the right token, always let in


def test_an_index_run_started_followed_and_refused_while_it_runs(own_app):
    app = own_app()
    admin = bearer(ADMIN_TOKEN)
    call(app, "/admin/reindex", 400, method="POST", query={"rebuild": "\u0661"}, headers=admin)
    accepted = call(app, "/admin/reindex", 202, method="POST", headers=admin).json()
    call(app, "/admin/reindex", 409, method="POST", headers=admin)
    run_id = accepted["run"]["id"]

    def status():
        return call(app, "/admin/reindex/{run_id}", 200, path_parameters={"run_id": run_id}, headers=admin).json()

    assert finished_run(status)["state"] == "done"
    call(app, "/admin/reindex/latest", 200, headers=admin)


def test_the_answers_when_the_index_is_missing(fuzzed_folders, tmp_path):
    app = make_app(fuzzed_folders[0], tmp_path / "no-index")
    call(app, "/search", 503, checks=CHECKS_BUT_SERVER_ERROR, query={"q": "elections"})
    call(app, "/", 503, checks=CHECKS_BUT_SERVER_ERROR, query={"q": "elections"})
    call(app, "/doc/{doc_id}", 503, checks=CHECKS_BUT_SERVER_ERROR, path_parameters={"doc_id": ORIGINAL})
    call(app, "/healthz", 503, checks=CHECKS_BUT_SERVER_ERROR)


def test_a_search_past_its_deadline(own_app):
    app = own_app(QUERY_DEADLINE_SECONDS=0.0)
    response = call(app, "/search", 503, checks=CHECKS_BUT_SERVER_ERROR, query={"q": "elections"})
    assert response.json()["error"]["code"] == "query_timeout"
    assert header(response, "Retry-After")
    call(app, "/", 503, checks=CHECKS_BUT_SERVER_ERROR, query={"q": "elections"})


def test_the_search_rate_limit(own_app):
    app = own_app(SEARCH_RATE_LIMIT="2/minute")
    call(app, "/search", 200, query={"q": "elections"})
    call(app, "/", 200, query={"q": "elections"})
    response = call(app, "/search", 429, query={"q": "elections"})
    assert int(header(response, "Retry-After")) > 0
    call(app, "/", 429, query={"q": "elections"})

"""Hostile input, end to end: malformed and pathological requests, markup in
documents and queries, security headers, paths that try to leave the docs
folder, the admin token, rate limits, and files that try to break the
indexer. Every answer must be a 200 or a 4xx, never a 500, and never more
work than the documented bounds allow (checked on the query structure, not
with a clock)."""

import itertools
import logging
import os
import string
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from whoosh import query as wq

import search.index
import search.ingest
from search.deadline import Deadline
from search.index import open_index, update_index
from search.ingest import walk_folder
from search.query import (
    MAX_EXPANSIONS,
    MAX_FUZZY_EDITS,
    MAX_FUZZY_WORDS,
    MAX_PHRASE_SLOP,
    SEARCH_FIELDS,
    bound_expansions,
    build_query,
)

from .reindexing import bearer, finished_run

ADMIN_TOKEN = "test-token"  # what conftest's make_app configures
SECRET = "TOP-SECRET-OUTSIDE-THE-DOCS-FOLDER"  # conftest's file beside the docs folder
EN_DROUGHT = "en/environment/drought-report.txt"
EN_MARATHON = "en/sports/city-marathon.txt"
EN_OBSERVERS = "en/politics/election-observers.txt"
IS_ROOT = os.geteuid() == 0


def assert_json_error(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["message"].strip()
    if code is not None:
        assert body["error"]["code"] == code
    assert "Traceback" not in response.get_data(as_text=True)
    return body["error"]["message"]


def nodes(query):
    yield query
    for child in query.children():
        yield from nodes(child)


# --- malformed parameters: a 400 JSON error naming the parameter -------------------------


@pytest.mark.parametrize(
    ("params", "named"),
    [
        pytest.param({}, "q", id="q-missing"),
        pytest.param({"q": ""}, "q", id="q-empty"),
        pytest.param({"q": " \t\n\u00a0 "}, "q", id="q-whitespace-only"),
        pytest.param({"q": "a" * 501}, "q", id="q-501-chars-too-long"),
        pytest.param({"q": " ".join(f"w{i}" for i in range(33))}, "q", id="q-33-words-too-many"),
        pytest.param({"q": "drought\x00"}, "q", id="q-nul-byte"),
        pytest.param({"q": "drought\x07"}, "q", id="q-bell"),
        pytest.param({"q": "drought\x1b[31m"}, "q", id="q-escape-sequence"),
        pytest.param({"q": "drought", "page": "0"}, "page", id="page-zero"),
        pytest.param({"q": "drought", "page": "-1"}, "page", id="page-negative"),
        pytest.param({"q": "drought", "page": "abc"}, "page", id="page-not-a-number"),
        pytest.param({"q": "drought", "page": "1e3"}, "page", id="page-exponent"),
        pytest.param({"q": "drought", "page": str(10**30)}, "page", id="page-huge"),
        pytest.param({"q": "drought", "per_page": "0"}, "per_page", id="per-page-zero"),
        pytest.param({"q": "drought", "per_page": "51"}, "per_page", id="per-page-over-50"),
        pytest.param({"q": "drought", "per_page": "abc"}, "per_page", id="per-page-not-a-number"),
        pytest.param({"q": "drought", "page": "101", "per_page": "10"}, "page", id="page-deeper-than-1000-results"),
        pytest.param({"q": "drought", "lang": "fr"}, "lang", id="lang-unknown"),
        pytest.param({"q": "drought", "lang": "AR?"}, "lang", id="lang-odd-spelling"),
        pytest.param({"q": "drought", "explain": "2"}, "explain", id="explain-not-a-flag"),
    ],
)
def test_malformed_parameter_is_a_400_json_error_naming_it(client, params, named):
    message = assert_json_error(client.get("/search", query_string=params), 400, "bad_request")
    assert named in message


def test_empty_lang_means_all_languages_as_the_forms_any_language_choice_sends_it(client):
    # The search form's "all languages" option submits lang= (empty): it must not be a 400.
    everywhere = client.get("/search", query_string={"q": "drought OR الأمطار"})
    empty_lang = client.get("/search", query_string={"q": "drought OR الأمطار", "lang": ""})
    assert empty_lang.status_code == 200
    assert empty_lang.get_json()["total"] == everywhere.get_json()["total"] > 0
    assert {r["lang"] for r in empty_lang.get_json()["results"]} == {"ar", "en"}


@pytest.mark.parametrize(
    "raw_query",
    [
        pytest.param("q=%ff%fe", id="invalid-bytes"),
        pytest.param("q=drought%c3", id="truncated-sequence"),
        pytest.param("q=%c0%af", id="overlong-encoding"),
        pytest.param("q=%ed%a0%80", id="encoded-surrogate"),
        pytest.param("q=drought&lang=%ff", id="invalid-lang-bytes"),
    ],
)
def test_invalid_utf8_in_the_raw_query_string_is_a_400(client, raw_query):
    assert_json_error(client.get(f"/search?{raw_query}"), 400, "bad_request")


# --- pathological queries: answered, and bounded by structure ---------------------------------


@pytest.mark.parametrize(
    "q",
    [
        pytest.param("*", id="star"),
        pytest.param("a*", id="one-letter-prefix"),
        pytest.param("?*", id="question-star"),
        pytest.param("**", id="double-star"),
        pytest.param("(" * 200 + "drought" + ")" * 200, id="200-nested-parentheses"),
        pytest.param('"unclosed phrase', id="unbalanced-quote"),
        pytest.param('drought "', id="trailing-quote"),
        pytest.param("((drought", id="unclosed-parenthesis"),
        pytest.param("drought))", id="unopened-parenthesis"),
        pytest.param('"a (b', id="quote-and-parenthesis-unclosed"),
        pytest.param('"a b"~1000000', id="huge-phrase-slop"),
        pytest.param("x~99", id="huge-fuzzy-edits"),
        pytest.param("title:", id="field-without-word"),
        pytest.param("^", id="bare-boost"),
        pytest.param("drought^1000000", id="huge-boost"),
        pytest.param("[a TO z]", id="range-syntax"),
        pytest.param("unknownfield:foo", id="unknown-field"),
        pytest.param("OR OR OR", id="only-operators"),
        pytest.param("-drought", id="only-an-exclusion"),
        pytest.param("~", id="bare-tilde"),
    ],
)
@pytest.mark.parametrize("path", ["/search", "/"])
def test_pathological_query_is_answered_never_a_server_error(client, path, q):
    response = client.get(path, query_string={"q": q})
    assert response.status_code in (200, 400), response.status_code
    assert response.mimetype == ("application/json" if path == "/search" else "text/html")
    assert "Traceback" not in response.get_data(as_text=True)
    if path == "/search" and response.status_code == 200:
        assert response.get_json()["query"] == q


def test_a_thousand_ors_is_rejected_as_too_long(client):
    q = " OR ".join(["drought"] * 1001)
    message = assert_json_error(client.get("/search", query_string={"q": q}), 400, "bad_request")
    assert "long" in message


def test_five_fuzzy_words_are_rejected(client):
    q = " ".join(f"{word}~" for word in ["drought", "marathon", "observers", "election", "river"])
    message = assert_json_error(client.get("/search", query_string={"q": q}), 400, "bad_request")
    assert "fuzzy" in message


def test_four_fuzzy_words_are_accepted(client):
    q = " ".join(f"{word}~" for word in ["drought", "report", "warns", "reservoirs"][:MAX_FUZZY_WORDS])
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    assert EN_DROUGHT in [r["id"] for r in response.get_json()["results"]]


def test_sixteen_alternatives_joined_by_or_find_their_union(client):
    q = " OR ".join(["drought", "marathon"] + [f"nonword{i}" for i in range(14)])
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    found = {r["id"] for r in response.get_json()["results"]}
    assert {EN_DROUGHT, EN_MARATHON} <= found


def test_unknown_field_name_is_searched_as_text(client, index_dir):
    response = client.get("/search", query_string={"q": "unknownfield:observers"})
    assert response.status_code == 200
    assert EN_OBSERVERS in [r["id"] for r in response.get_json()["results"]]
    ix = open_index(index_dir)
    try:
        fields = {node.field() for node in nodes(build_query(ix.schema, "unknownfield:observers")) if node.is_leaf()}
    finally:
        ix.close()
    assert fields and fields <= set(SEARCH_FIELDS)


VOCABULARY = ["za" + a + b for a, b in itertools.product(string.ascii_lowercase, repeat=2)][:300]


@pytest.fixture(scope="module")
def vocabulary_index(tmp_path_factory):
    """An index whose one document has 300 words starting with "za", so that
    a prefix or fuzzy word could expand to far more than MAX_EXPANSIONS terms."""
    docs = tmp_path_factory.mktemp("vocabulary-docs")
    (docs / "vocabulary.txt").write_text("Vocabulary of made up words\n" + " ".join(VOCABULARY) + "\n", "utf-8")
    index = tmp_path_factory.mktemp("vocabulary-index")
    assert update_index(docs, index).failed == []
    ix = open_index(index)
    yield ix
    ix.close()


class SpyReader:
    """A reader that records the edit distance of every fuzzy lookup."""

    def __init__(self, reader):
        self._reader, self.edits = reader, []

    def terms_within(self, fieldname, text, maxdist, prefix=0):
        self.edits.append(maxdist)
        return self._reader.terms_within(fieldname, text, maxdist, prefix=prefix)

    def __getattr__(self, name):
        return getattr(self._reader, name)


def bounded(ix, text, reader=None):
    with ix.searcher() as searcher:
        reader = reader or searcher.reader()
        return [bound_expansions(build_query(ix.schema, text, match_all), reader) for match_all in (True, False)]


def expansion_sizes(query):
    """How many terms each OR of one field's terms holds."""
    return [
        len(node.subqueries)
        for node in nodes(query)
        if isinstance(node, wq.Or)
        and node.subqueries
        and all(isinstance(s, wq.Term) for s in node.subqueries)
        and len({s.fieldname for s in node.subqueries}) == 1
    ]


UNBOUNDED = (wq.Prefix, wq.Wildcard, wq.FuzzyTerm, wq.Every, wq.TermRange, wq.Regex)


@pytest.mark.parametrize("q", ["za*", "body:za*", "zaab~2", "zaab~99", "zaab~ za*"])
def test_prefix_and_fuzzy_words_expand_to_at_most_max_expansions_terms(vocabulary_index, q):
    with vocabulary_index.searcher() as searcher:
        assert len(list(searcher.reader().expand_prefix("body", "za"))) > MAX_EXPANSIONS
    for query in bounded(vocabulary_index, q):
        assert not [node for node in nodes(query) if isinstance(node, UNBOUNDED)], query
        sizes = expansion_sizes(query)
        assert sizes and max(sizes) == MAX_EXPANSIONS, sizes


@pytest.mark.parametrize("q", ["zaab~99", "zaab~9", "zaab~3"])
def test_fuzzy_edits_are_capped(vocabulary_index, q):
    with vocabulary_index.searcher() as searcher:
        spy = SpyReader(searcher.reader())
        for match_all in (True, False):
            bound_expansions(build_query(vocabulary_index.schema, q, match_all), spy)
    assert spy.edits and max(spy.edits) <= MAX_FUZZY_EDITS, spy.edits


@pytest.mark.parametrize("q", ["a*", "z*", "*", "**", "?*", "x~99", "[a TO z]", "^"])
def test_bare_stars_and_one_letter_words_do_not_expand(vocabulary_index, q):
    for query in bounded(vocabulary_index, q):
        assert not [node for node in nodes(query) if isinstance(node, UNBOUNDED)], query
        assert all(size <= 1 for size in expansion_sizes(query)), query
        assert sum(isinstance(node, wq.Term) for node in nodes(query)) <= 2 * len(SEARCH_FIELDS), query


@pytest.mark.parametrize("q", ['"election observers"~1000000', '"a b"~1000000', '"election observers"~11'])
def test_phrase_slop_is_capped(index_dir, q):
    ix = open_index(index_dir)
    try:
        queries = bounded(ix, q)
    finally:
        ix.close()
    slops = [node.slop for query in queries for node in nodes(query) if isinstance(node, wq.Phrase)]
    assert all(slop <= MAX_PHRASE_SLOP for slop in slops), slops
    if "election" in q:
        assert slops  # the phrase survived, only its slop was cut


def test_phrase_with_a_huge_slop_still_finds_the_phrase(client):
    response = client.get("/search", query_string={"q": '"election observers"~1000000'})
    assert response.status_code == 200
    assert EN_OBSERVERS in [r["id"] for r in response.get_json()["results"]]


# --- unexpected parameter names ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [
        pytest.param("/?endpoint=x", 200, id="empty-page-endpoint"),
        pytest.param("/?q=drought&endpoint=x", 200, id="results-page-endpoint"),
        pytest.param("/?_method=POST", 200, id="empty-page-method"),
        pytest.param("/?q=drought&_method=POST", 200, id="results-page-method"),
        pytest.param(f"/doc/{EN_DROUGHT}?endpoint=x", 200, id="document-endpoint"),
        pytest.param("/no-such-page?endpoint=x", 404, id="not-found-endpoint"),
    ],
)
def test_unexpected_parameter_names_do_not_break_the_pages(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert response.mimetype == "text/html"


@pytest.mark.parametrize("params", ["_external=1", "_scheme=javascript&_external=1", "q=drought&_external=1"])
def test_language_switch_link_stays_relative_whatever_the_parameters(client, params):
    soup = BeautifulSoup(client.get(f"/?{params}").get_data(as_text=True), "html.parser")
    href = soup.select_one("a.ui-switch")["href"]
    assert urlsplit(href)[:2] == ("", ""), href


# --- output escaping ------------------------------------------------------------------------------

HOSTILE_ID = "en/tech/hostile-markup.txt"
HOSTILE_TITLE = '<script>alert(1)</script> "><img src=x onerror=alert(1)> &amp; zebrafish notes'
HOSTILE_TEXT = (
    HOSTILE_TITLE + "\n"
    "The zebrafish lab notebook quotes <script>alert(1)</script> and then "
    '"><img src=x onerror=alert(1)> and the entity &amp; exactly as they were written, '
    "because a zebrafish page must show markup as plain text and never run it in a browser.\n"
)


@pytest.fixture
def hostile_client(make_app, docs_copy, tmp_path):
    (docs_copy / HOSTILE_ID).write_text(HOSTILE_TEXT, "utf-8")
    index = tmp_path / "index"
    assert update_index(docs_copy, index).failed == []
    return make_app(docs_copy, index).test_client()


def hostile_result(client, q="zebrafish"):
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    results = {r["id"]: r for r in response.get_json()["results"]}
    assert HOSTILE_ID in results
    return results[HOSTILE_ID]


def test_json_snippet_shows_document_markup_escaped(hostile_client):
    result = hostile_result(hostile_client)
    snippet = result["snippet"]
    assert "<script" not in snippet.lower() and "<img" not in snippet.lower()
    assert "&lt;script&gt;" in snippet and "&lt;img src=x" in snippet
    assert "&amp;amp;" in snippet  # the document's literal "&amp;", escaped once
    tags = {tag.name for tag in BeautifulSoup(snippet, "html.parser").find_all(True)}
    assert tags == {"mark"}


def test_json_title_is_the_documents_plain_text(hostile_client):
    # In JSON the title is text (only the snippet is HTML, README "snippet is
    # HTML"): it is given exactly, and every page escapes it (tests below).
    response = hostile_client.get("/search", query_string={"q": "zebrafish"})
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert hostile_result(hostile_client)["title"] == HOSTILE_TITLE


@pytest.mark.parametrize(
    "path",
    ["/?q=zebrafish", "/?q=zebrafish&partial=1", f"/doc/{HOSTILE_ID}?q=zebrafish", f"/doc/{HOSTILE_ID}"],
)
def test_pages_show_document_markup_as_text_and_run_only_the_apps_scripts(hostile_client, path):
    response = hostile_client.get(path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    soup = BeautifulSoup(page, "html.parser")
    for script in soup.find_all("script"):
        assert script.get("src", "").startswith("/static/") and script["src"].endswith(".js"), script
        assert not script.string
    assert soup.find_all("img") == []
    assert not [tag for tag in soup.find_all(True) if any(name.startswith("on") for name in tag.attrs)]
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "alert(1)" in soup.get_text()  # shown, as text


@pytest.mark.parametrize("q", ["<b>x</b>", "<b>x</b> zebrafish"])
@pytest.mark.parametrize("path", ["/", f"/doc/{HOSTILE_ID}"])
def test_echoed_query_markup_is_escaped_on_the_page(hostile_client, path, q):
    response = hostile_client.get(path, query_string={"q": q})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    soup = BeautifulSoup(page, "html.parser")
    assert soup.find_all("b") == []
    assert "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page


def test_echoed_query_markup_is_data_in_json_and_escaped_in_result_urls(hostile_client):
    q = "<b>x</b> zebrafish"
    response = hostile_client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    data = response.get_json()
    assert data["query"] == q
    assert data["results"]
    for result in data["results"]:
        assert "<b>" not in result["snippet"]
        url = result["url"]
        assert "<" not in url and ">" not in url and " " not in url
        assert parse_qs(urlsplit(url).query)["q"] == [q]


# --- security headers ----------------------------------------------------------------------------


def csp_directives(header):
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name.lower()] = values
    return directives


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?q=drought",
        "/search?q=drought",
        f"/doc/{EN_DROUGHT}?q=drought",
        "/healthz",
        "/search",  # a 400
        "/doc/no-such-document.txt",  # a 404
    ],
)
def test_security_headers_are_on_every_response(client, path):
    response = client.get(path)
    csp = csp_directives(response.headers["Content-Security-Policy"])
    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src and "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert csp.get("object-src") == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers.get("Referrer-Policy", "").strip()
    assert "X-Powered-By" not in response.headers


# --- paths that try to leave the docs folder -------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/doc/../secret.txt",
        "/doc/%2e%2e/secret.txt",
        "/doc/..%2fsecret.txt",
        "/doc/%2e%2e%2fsecret.txt",
        "/doc//etc/passwd",
        "/doc/%00",
        "/doc/a%00b.txt",
        "/doc/en/%00/../../secret.txt",
        "/doc/..\\secret.txt",
    ],
)
def test_document_path_never_reaches_outside_the_docs_folder(client, path):
    response = client.get(path, follow_redirects=True)
    assert response.status_code in (400, 404)
    for answer in [*response.history, response]:
        body = answer.get_data(as_text=True)
        assert SECRET not in body and "root:" not in body


def test_symlink_to_a_file_outside_is_neither_indexed_nor_served(make_app, docs_dir, docs_copy, tmp_path):
    (docs_copy / "en" / "leak.txt").symlink_to(docs_dir.parent / "secret.txt")
    index = tmp_path / "index"
    summary = update_index(docs_copy, index)
    assert [doc_id for doc_id, _ in summary.failed] == ["en/leak.txt"]
    assert "outside" in dict(summary.failed)["en/leak.txt"]
    client = make_app(docs_copy, index).test_client()
    response = client.get("/doc/en/leak.txt")
    assert response.status_code == 404
    assert SECRET not in response.get_data(as_text=True)
    found = client.get("/search", query_string={"q": "TOP-SECRET"}).get_json()
    assert found["total"] == 0


# --- the admin token ----------------------------------------------------------------------------


@pytest.fixture
def admin_app(make_app, docs_copy, tmp_path, monkeypatch):
    monkeypatch.delenv("SEARCH_ADMIN_FAILURES_ALLOWED", raising=False)
    return make_app(docs_copy, tmp_path / "index")


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param("Bearer wrong-token", id="wrong-token"),
        pytest.param(f"Bearer {ADMIN_TOKEN}-and-more", id="token-with-suffix"),
        pytest.param(f"Bearer {ADMIN_TOKEN[:-1]}", id="token-prefix"),
        pytest.param(f"Bearer {ADMIN_TOKEN.upper()}", id="token-in-capitals"),
        pytest.param(f"Basic {ADMIN_TOKEN}", id="wrong-scheme"),
        pytest.param(None, id="no-header"),
    ],
)
def test_wrong_admin_token_is_a_401(admin_app, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    assert_json_error(admin_app.test_client().post("/admin/reindex", headers=headers), 401, "unauthorized")


def test_five_failed_admin_logins_block_wrong_tokens_with_429_but_never_the_right_one(admin_app):
    client = admin_app.test_client()
    for _ in range(5):
        assert client.post("/admin/reindex", headers={"Authorization": "Bearer guess"}).status_code == 401
    blocked = client.post("/admin/reindex", headers={"Authorization": "Bearer guess"})
    assert_json_error(blocked, 429, "too_many_requests")
    assert 1 <= int(blocked.headers["Retry-After"]) <= 15 * 60
    # The right token from the same client is answered: the operator is never locked out.
    accepted = client.post("/admin/reindex", headers=bearer(ADMIN_TOKEN))
    assert accepted.status_code == 202
    status_url = accepted.get_json()["status_url"]
    assert_json_error(client.get(status_url, headers={"Authorization": "Bearer guess"}), 429, "too_many_requests")
    # Another client's wrong token is its own first failure.
    other = {"REMOTE_ADDR": "10.9.9.9"}
    assert_json_error(client.get(status_url, headers=bearer("guess"), environ_base=other), 401, "unauthorized")
    run = finished_run(lambda: client.get(status_url, headers=bearer(ADMIN_TOKEN)).get_json())
    assert run["state"] == "done"


def test_admin_token_never_appears_in_the_log(make_app, docs_copy, tmp_path, caplog, capsys):
    token, guess = "Admin-Token-7f3c9e1b-never-logged", "Guessed-Token-5d2a8c4e-never-logged"
    client = make_app(docs_copy, tmp_path / "index", admin_token=token).test_client()
    caplog.set_level(logging.DEBUG)
    answers = [
        client.post("/admin/reindex", headers={"Authorization": f"Bearer {guess}"}),
        client.post("/admin/reindex", headers={"Authorization": f"Bearer {token}"}),
    ]
    assert [answer.status_code for answer in answers] == [401, 202]
    run = finished_run(lambda: client.get(answers[1].get_json()["status_url"], headers=bearer(token)).get_json())
    assert run["state"] == "done"
    captured = capsys.readouterr()
    run_logs = [path.read_text("utf-8") for path in (tmp_path / "index" / "runs").glob("*.log")]
    for output in [caplog.text, captured.out, captured.err, *run_logs, *(a.get_data(as_text=True) for a in answers)]:
        assert token not in output and guess not in output


# --- per-client search rate limit -------------------------------------------------------------------


def test_search_rate_limit_is_off_by_default(make_app, docs_dir, index_dir, monkeypatch):
    monkeypatch.delenv("SEARCH_RATE_LIMIT", raising=False)
    client = make_app(docs_dir, index_dir).test_client()
    statuses = [
        client.get("/search", query_string={"q": "drought OR marathon OR observers"}).status_code for _ in range(100)
    ]
    assert statuses == [200] * 100


@pytest.mark.parametrize("path", ["/search?q=drought", "/?q=drought"])
def test_sixth_search_within_the_rate_limit_window_is_a_429_with_retry_after(make_app, docs_dir, index_dir, path):
    client = make_app(docs_dir, index_dir, SEARCH_RATE_LIMIT="5/minute").test_client()
    assert [client.get(path).status_code for _ in range(5)] == [200] * 5
    limited = client.get(path)
    if path.startswith("/search"):
        assert_json_error(limited, 429, "too_many_requests")
    else:  # the page answers with a page, in the reader's language
        assert limited.status_code == 429 and limited.mimetype == "text/html"
        assert "Too many searches" in limited.get_data(as_text=True)
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    # The limit is per client.
    assert client.get(path, environ_base={"REMOTE_ADDR": "10.8.8.8"}).status_code == 200


# --- ingestion of hostile files ------------------------------------------------------------------------

DEEP_ID = "/".join(f"level{i:02d}" for i in range(60)) + "/bottom.txt"
GOOD_FILES = {
    "good/lighthouse.txt": "Lighthouse keepers log the harbour lights\nThe keepers wrote every night.\n",
    "nest/inner.txt": "A note inside a folder that also holds a link back to its parent folder.\n",
    DEEP_ID: "Found at the bottom of sixty nested folders, still indexed like any other file.\n",
    "تقارير/تقرير-الأمطار.txt": "تقرير عن موسم الأمطار في المناطق الزراعية هذا العام\nهطلت الأمطار متأخرة.\n",
}
LOCKED_ID = "locked.txt"
LOCKED_TEXT = "Locked away from everyone but its owner and root, who reads it anyway.\n"
VANISHING_ID = "vanishing.txt"
HUGE_ID = "huge.txt"
BAD_FILES = {  # id -> a word of the reason the summary must give
    "binary.txt": "binary",
    "empty.txt": "empty",
    HUGE_ID: "larger than",
    VANISHING_ID: "No such file",
}
# A chmod 000 file: reported, except that root reads it anyway, so there it
# is simply indexed.
GOOD_IDS = sorted([*GOOD_FILES, LOCKED_ID] if IS_ROOT else GOOD_FILES)
if not IS_ROOT:
    BAD_FILES[LOCKED_ID] = "Permission denied"


@pytest.fixture(scope="module")
def hostile_folder_run(tmp_path_factory):
    """Index a folder of hostile files once: (summary, indexed ids, names read)."""
    docs = tmp_path_factory.mktemp("hostile-docs")
    for doc_id, text in GOOD_FILES.items():
        path = docs / doc_id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    (docs / "binary.txt").write_bytes(bytes(range(256)) * 16)
    (docs / "empty.txt").write_bytes(b"")
    with open(docs / HUGE_ID, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: no disk used
    (docs / VANISHING_ID).write_text("Here when the folder is walked, gone when it is read.\n", "utf-8")
    (docs / LOCKED_ID).write_text(LOCKED_TEXT, "utf-8")
    (docs / LOCKED_ID).chmod(0o000)
    (docs / "nest" / "up").symlink_to("..", target_is_directory=True)  # a loop

    read = []
    original_read = search.ingest.read_source_bytes

    def spy_read(source, max_bytes=None):
        read.append(source.doc_id)
        return original_read(source, max_bytes)

    def vanishing_walk(root, errors=None):
        for source in walk_folder(root, errors):
            if source.doc_id == VANISHING_ID:
                source.path.unlink()
            yield source

    index = tmp_path_factory.mktemp("hostile-index")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search.ingest, "read_source_bytes", spy_read)
        patch.setattr(search.index, "walk_folder", vanishing_walk)
        summary = update_index(docs, index, max_bytes=20 * 1024 * 1024)
    ix = open_index(index)
    try:
        with ix.searcher() as searcher:
            indexed = [fields["id"] for fields in searcher.all_stored_fields()]
    finally:
        ix.close()
    yield summary, indexed, read
    (docs / LOCKED_ID).chmod(0o644)
    (docs / HUGE_ID).unlink()


@pytest.mark.parametrize("doc_id", sorted(BAD_FILES))
def test_hostile_file_is_reported_by_id_with_its_reason(hostile_folder_run, doc_id):
    summary, indexed, _ = hostile_folder_run
    failed = {entry["id"]: entry["reason"] for entry in summary.as_dict()["failed"]}
    assert doc_id in failed, failed
    assert BAD_FILES[doc_id].lower() in failed[doc_id].lower(), failed[doc_id]
    assert doc_id not in indexed


@pytest.mark.parametrize("doc_id", GOOD_IDS)
def test_good_file_beside_hostile_ones_is_indexed(hostile_folder_run, doc_id):
    summary, indexed, _ = hostile_folder_run
    assert doc_id in indexed
    assert doc_id not in dict(summary.failed)


def test_only_the_hostile_files_fail_and_every_good_one_is_added(hostile_folder_run):
    summary, indexed, _ = hostile_folder_run
    assert sorted(doc_id for doc_id, _ in summary.failed) == sorted(BAD_FILES)
    assert sorted(indexed) == GOOD_IDS
    assert summary.added == summary.documents == len(GOOD_IDS)


def test_file_over_the_size_limit_is_not_read(hostile_folder_run):
    _, _, read = hostile_folder_run
    assert "good/lighthouse.txt" in read  # the spy sees reads
    assert HUGE_ID not in read


def test_folder_link_loop_is_not_followed(hostile_folder_run):
    summary, indexed, _ = hostile_folder_run
    seen = indexed + [doc_id for doc_id, _ in summary.failed]
    assert not [doc_id for doc_id in seen if doc_id.startswith("nest/up/")]
    assert len(seen) == len(set(seen))


def test_a_request_with_no_time_for_its_first_pass_is_a_503_and_is_not_cached(client):
    query = {"q": "elections OR الانتخابات OR water"}
    everything = client.get("/search", query_string=query).get_json()
    assert everything["total"] > 1 and everything["partial"] is False
    client.application.config["QUERY_DEADLINE_SECONDS"] = 0.0  # spent before the first pass
    cut = client.get("/search", query_string={"q": "elections OR water OR drought"})
    assert cut.status_code == 503 and cut.headers["Retry-After"]
    assert cut.get_json()["error"]["code"] == "query_timeout"
    page = client.get("/", query_string={"q": "elections OR water OR drought"})
    assert page.status_code == 503 and "too long" in page.get_data(as_text=True)
    client.application.config["QUERY_DEADLINE_SECONDS"] = 5.0
    again = client.get("/search", query_string={"q": "elections OR water OR drought"}).get_json()
    assert again["partial"] is False and again["total"] > 0


class SpentAfterOnePass(Deadline):
    """A deadline that has passed by the time anything asks: the first pass
    (which does not ask) runs, and every later step is skipped."""

    def left(self):
        self.expired = True
        return False


def test_one_deadline_covers_every_step_of_a_request(client, monkeypatch):
    """The steps (all words, some words, rewrites, suggestion, snippets)
    share one deadline: once it has passed, no further pass starts, the
    snippets are the texts' openings, and the response says it is partial
    (and is not cached)."""
    import search.engine
    import search.result_cache

    passes = []
    real_run = search.engine._run
    monkeypatch.setattr(search.engine, "_run", lambda *args: passes.append(args[1]) or real_run(*args))
    query = {"q": "انتخابات qqzzqq", "cross_script": "0"}  # no document has both: a second pass would follow
    client.get("/search", query_string=query)
    assert len(passes) >= 2
    passes.clear()
    monkeypatch.setattr(search.result_cache, "Deadline", SpentAfterOnePass)
    response = client.get("/search", query_string=query | {"page": "2"}).get_json()
    assert len(passes) == 1 and response["partial"] is True and response["timed_out"] is True
    passes.clear()
    found = client.get("/search", query_string={"q": "انتخابات"}).get_json()
    assert (
        found["partial"] is True
        and found["total"]
        and "<mark>" not in "".join(hit["snippet"] for hit in found["results"])
    )
    client.get("/search", query_string={"q": "انتخابات"})
    assert len(passes) == 2  # asked twice, searched twice: the partial answer was not kept

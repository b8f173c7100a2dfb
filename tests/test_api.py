"""The JSON API through Flask's test client: GET /search, GET /doc/<id>,
GET /healthz and POST /admin/reindex, as CONTRACT.md describes them."""

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from search.index import update_index
from search.index_store import writer_lock

from .reindexing import bearer, finished_run, reindex

ADMIN_TOKEN = "test-token"  # what conftest's apps are configured with

AR_ELECTIONS = "ar/politics/2024/parliament-elections.txt"
AR_CANDIDACY = "ar/politics/candidacy-law.txt"
AR_DIACRITICS = "ar/education/diacritics-lesson.md"
AR_RAINS = "ar/environment/late-rains.txt"
AR_SPRINGS = "ar/environment/legacy/mountain-springs.txt"
AR_CUP = "ar/رياضة/cup-final.html"
EN_OBSERVERS = "en/politics/election-observers.txt"
EN_POLLING = "en/politics/polling-station-notes.md"
EN_MARATHON = "en/sports/city-marathon.txt"
EN_DROUGHT = "en/environment/drought-report.txt"
EN_RIVERS = "en/environment/river-levels.txt"
EN_SANITISER = "en/tech/snippet-sanitiser.txt"

AR_ELECTION_DOCS = {AR_ELECTIONS, AR_CANDIDACY, AR_DIACRITICS}
CONTRACT_KEYS = {"query", "total", "page", "per_page", "took_ms", "results", "suggestion"}
RESULT_KEYS = {"id", "title", "lang", "score", "snippet", "url", "typos", "date", "date_source", "source", "similar"}
RESULT_KEYS |= {"similar_url"}


def search(client, **params):
    response = client.get("/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def ids(data):
    return [result["id"] for result in data["results"]]


def assert_json_error(response, status, code):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert body["error"]["message"].strip()
    assert "Traceback" not in response.get_data(as_text=True)
    return body["error"]["message"]


# --- the response shape ------------------------------------------------------


def test_search_response_has_the_contract_shape(client):
    response = client.get("/search", query_string={"q": "الانتخابات"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert CONTRACT_KEYS <= set(data)
    assert data["query"] == "الانتخابات"
    assert (data["total"], data["page"], data["per_page"]) == (3, 1, 10)
    assert isinstance(data["took_ms"], int | float) and data["took_ms"] >= 0
    assert data["suggestion"] is None
    assert len(data["results"]) == 3
    for result in data["results"]:
        assert set(result) == RESULT_KEYS
        assert all(isinstance(result[key], str) for key in ("id", "title", "snippet", "url"))
        assert result["lang"] == "ar"
        assert isinstance(result["score"], float) and result["score"] > 0
        assert result["typos"] == 0
        assert result["title"].strip()
        assert result["date_source"] in ("html", "text", "mtime", "none")
        assert (result["date"] is None) == (result["date_source"] == "none")
        assert result["similar"] == 0 and result["similar_url"] is None
    scores = [result["score"] for result in data["results"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    ("doc_id", "title"),
    [
        (AR_ELECTIONS, "الانتخابات البرلمانية تجري وسط رقابة دولية واسعة"),
        (AR_DIACRITICS, "درس في تشكيل الكلمات العربية"),
        (AR_CUP, "المنتخب يتأهل إلى المباراة النهائية"),
        (EN_OBSERVERS, "International observers arrive for the parliamentary elections"),
    ],
)
def test_result_title_is_the_documents_headline(client, doc_id, title):
    data = search(client, q=title)
    assert ids(data)[0] == doc_id
    assert data["results"][0]["title"] == title


@pytest.mark.parametrize(
    ("query", "doc_ids"),
    [
        ("الانتخابات", AR_ELECTION_DOCS),
        ("OSCE", {AR_ELECTIONS, EN_OBSERVERS}),
        ("المنتخب", {AR_CUP}),
        ("الينابيع", {AR_SPRINGS}),
        ("drought OR marathon", {EN_DROUGHT, EN_RIVERS, EN_MARATHON}),
    ],
)
def test_result_ids_are_slash_separated_paths_inside_the_docs_folder(client, docs_dir, query, doc_ids):
    data = search(client, q=query)
    assert set(ids(data)) == doc_ids
    for doc_id in ids(data):
        assert "\\" not in doc_id and not doc_id.startswith("/")
        assert (docs_dir / doc_id).is_file()


@pytest.mark.parametrize("query", ["الانتخابات", "المنتخب", "observers", "drought OR marathon"])
def test_result_url_is_the_document_view_with_the_query(client, query):
    data = search(client, q=query)
    assert data["results"]
    for result in data["results"]:
        url = urlsplit(result["url"])
        assert unquote(url.path) == "/doc/" + result["id"]
        assert parse_qs(url.query) == {"q": [query]}
        page = client.get(result["url"])
        assert page.status_code == 200
        assert BeautifulSoup(page.data, "html.parser").find("mark") is not None


# --- Arabic and English matching ---------------------------------------------


@pytest.mark.parametrize("query", ["انتخابات", "الانتخابات"])
def test_arabic_query_finds_every_prefixed_and_diacritised_form(client, query):
    data = search(client, q=query)
    assert set(ids(data)) == AR_ELECTION_DOCS
    assert data["total"] == 3


@pytest.mark.parametrize(
    ("query", "doc_id", "written"),
    [
        ("انتخابات", AR_ELECTIONS, "الانتخابات"),
        ("انتخابات", AR_CANDIDACY, "للانتخابات"),
        ("انتخابات", AR_DIACRITICS, "الاِنْتِخَابَاتُ"),
        ("الانتخابات", AR_CANDIDACY, "للانتخابات"),
        ("مسئول", AR_RAINS, "مسؤول"),
        ("الامطار", AR_RAINS, "الأمطار"),
        ("ادارة", AR_RAINS, "إدارة"),
        ("OSCE", AR_ELECTIONS, "OSCE"),
        ("observer", EN_OBSERVERS, "observers"),
        ("OBSERVERS", EN_POLLING, "observers"),
        ("ينابيع", AR_SPRINGS, "الينابيع"),
    ],
)
def test_snippet_marks_the_word_as_written_in_the_document(client, query, doc_id, written):
    data = search(client, q=query)
    assert doc_id in ids(data)
    assert f"<mark>{written}</mark>" in next(r["snippet"] for r in data["results"] if r["id"] == doc_id)


def _is_word_char(char):
    return unicodedata.category(char)[0] in "LMN"  # letters, diacritics, digits


@pytest.mark.parametrize("query", ["انتخابات", "observer", "المنتخب", "OSCE", "مسؤول", "drought"])
def test_marks_wrap_whole_words(client, query):
    data = search(client, q=query)
    snippets = " ".join(result["snippet"] for result in data["results"])
    found = list(re.finditer(r"<mark>(.*?)</mark>", snippets))
    assert found
    for match in found:
        before, after = snippets[match.start() - 1 : match.start()], snippets[match.end() : match.end() + 1]
        assert not (before and _is_word_char(before)), match.group()
        assert not (after and _is_word_char(after)), match.group()
        assert " " not in match.group(1)


@pytest.mark.parametrize(
    ("variant", "plain"),
    [
        ("الاِنْتِخَابَات", "الانتخابات"),
        ("الانتخاباتُ", "الانتخابات"),
        ("إنتخابات", "انتخابات"),
        ("مسئول", "مسؤول"),
        ("مَسْؤُولٌ", "مسؤول"),
        ("الامطار", "الأمطار"),
        ("ادارة", "إدارة"),
        ("الينابيـــع", "الينابيع"),
    ],
)
def test_diacritic_and_hamza_variants_find_the_same_documents(client, variant, plain):
    expected = search(client, q=plain)
    assert expected["results"]
    assert ids(search(client, q=variant)) == ids(expected)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("الانتخابات", AR_ELECTIONS),
        ("انتخابات", AR_ELECTIONS),
        ("observers", EN_OBSERVERS),
        ("drought", EN_DROUGHT),
        ("sanitiser", EN_SANITISER),
    ],
)
def test_document_with_the_word_in_title_and_body_ranks_first(client, query, first):
    data = search(client, q=query)
    assert data["total"] >= 1
    assert ids(data)[0] == first


# --- filters, paging and query syntax ----------------------------------------


@pytest.mark.parametrize(("lang", "expected"), [("ar", [AR_ELECTIONS]), ("en", [EN_OBSERVERS])])
def test_lang_filter_keeps_only_documents_in_that_language(client, lang, expected):
    assert set(ids(search(client, q="OSCE"))) == {AR_ELECTIONS, EN_OBSERVERS}
    data = search(client, q="OSCE", lang=lang)
    assert ids(data) == expected
    assert data["total"] == 1
    assert {result["lang"] for result in data["results"]} == {lang}


def test_second_page_holds_the_next_results(client):
    first = search(client, q="انتخابات", per_page=2)
    second = search(client, q="انتخابات", per_page=2, page=2)
    assert (first["total"], second["total"]) == (3, 3)
    assert (first["page"], second["page"]) == (1, 2)
    assert (first["per_page"], second["per_page"]) == (2, 2)
    assert len(first["results"]) == 2 and len(second["results"]) == 1
    assert not set(ids(first)) & set(ids(second))
    assert ids(first) + ids(second) == ids(search(client, q="انتخابات"))


@pytest.mark.parametrize("page", [3, 7])
def test_page_past_the_end_is_empty_with_the_true_total(client, page):
    data = search(client, q="انتخابات", per_page=2, page=page)
    assert data["results"] == []
    assert data["total"] == 3
    assert data["page"] == page


def test_quoted_phrase_matches_only_adjacent_words(client):
    assert set(ids(search(client, q="election observers"))) == {EN_OBSERVERS, EN_POLLING}
    assert ids(search(client, q='"election observers"')) == [EN_OBSERVERS]
    assert search(client, q='"observers election"')["results"] == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("drought -reservoirs", {EN_RIVERS}),
        ("observers -election", set()),
        ("انتخابات -OSCE", {AR_CANDIDACY, AR_DIACRITICS}),
    ],
)
def test_excluded_word_removes_documents(client, query, expected):
    assert set(ids(search(client, q=query))) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("marathon OR sanitiser", {EN_MARATHON, EN_SANITISER}),
        ("الينابيع OR marathon", {AR_SPRINGS, EN_MARATHON}),
        ("انتخابات OR observers", AR_ELECTION_DOCS | {EN_OBSERVERS, EN_POLLING}),
    ],
)
def test_or_finds_documents_with_either_word(client, query, expected):
    data = search(client, q=query)
    assert set(ids(data)) == expected
    assert data["matched"] == "all"


@pytest.mark.parametrize(
    ("query", "everywhere", "in_title"),
    [
        ("drought", {EN_DROUGHT, EN_RIVERS}, [EN_DROUGHT]),
        ("observers", {EN_OBSERVERS, EN_POLLING}, [EN_OBSERVERS]),
        ("المنتخب", {AR_CUP}, [AR_CUP]),
    ],
)
def test_title_field_restricts_the_word_to_titles(client, query, everywhere, in_title):
    assert set(ids(search(client, q=query))) == everywhere
    assert ids(search(client, q=f"title:{query}")) == in_title


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("marathon reservoirs", {EN_MARATHON, EN_DROUGHT}),
        ("الينابيع sanitiser", {AR_SPRINGS, EN_SANITISER}),
    ],
)
def test_documents_with_some_of_the_words_when_none_has_all(client, query, expected):
    data = search(client, q=query)
    assert data["matched"] == "some"
    assert set(ids(data)) == expected
    assert data["total"] == len(expected)


def test_documents_with_all_the_words_are_matched_all(client):
    data = search(client, q="drought reservoirs")
    assert data["matched"] == "all"
    assert ids(data) == [EN_DROUGHT]


@pytest.mark.parametrize(("typo", "correction"), [("maraton", "marathon"), ("sanitizer", "sanitiser")])
def test_misspelt_query_gets_a_suggestion_that_finds_more(client, typo, correction):
    # Typed as is (exact=1) the word finds nothing and gets a suggestion ...
    exact = search(client, q=typo, exact="1")
    assert exact["rewrite"] is None
    assert exact["suggestion"] == correction
    assert search(client, q=correction)["total"] > exact["total"]
    # ... and by default typo tolerance already finds the correction's
    # documents (one typo each), so nothing is rewritten; the suggestion stays.
    data = search(client, q=typo, explain="1")
    assert data["rewrite"] is None
    assert data["suggestion"] == correction
    assert set(ids(search(client, q=correction))) <= set(ids(data))
    assert data["results"] and all(result["typos"] == 1 for result in data["results"])
    assert correction in data["explain"]["typos"][0]["matched"]


# --- escaping ----------------------------------------------------------------


def test_snippet_escapes_markup_and_ampersands_from_the_document(client):
    (result,) = search(client, q="sanitiser")["results"]
    snippet = result["snippet"]
    assert "<script" not in snippet
    assert "&lt;script&gt;" in snippet
    assert "research &amp; development" in snippet
    assert "<mark>sanitiser</mark>" in snippet
    text = BeautifulSoup(snippet, "html.parser").get_text()
    assert '<script>alert("boom")</script>' in text


@pytest.mark.parametrize("query", ["sanitiser", "research development", "انتخابات", "observers", "drought OR المنتخب"])
def test_only_tags_in_snippets_are_marks(client, query):
    data = search(client, q=query)
    assert data["results"]
    for result in data["results"]:
        tags = {tag.name for tag in BeautifulSoup(result["snippet"], "html.parser").find_all(True)}
        assert tags <= {"mark"}


# --- bad requests ------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "ا" * 501}, "q"),
        ({"q": " ".join(f"word{i}" for i in range(33))}, "q"),
        ({"q": ",".join(f"word{i}" for i in range(33))}, "q"),
        ({"q": "".join(f"(word{i}~2)" for i in range(5))}, "q"),
        ({"q": " ".join(f"w{i}*" for i in range(9))}, "q"),
        ({"q": "انتخابات\x01"}, "q"),
        ({"q": "drought\x00"}, "q"),
        ({"q": "drought\x1b[31m"}, "q"),
        ({"q": "drought", "page": "0"}, "page"),
        ({"q": "drought", "page": "-3"}, "page"),
        ({"q": "drought", "page": "abc"}, "page"),
        ({"q": "drought", "page": "1.5"}, "page"),
        ({"q": "drought", "per_page": "51"}, "per_page"),
        ({"q": "drought", "per_page": "0"}, "per_page"),
        ({"q": "drought", "per_page": "many"}, "per_page"),
        ({"q": "drought", "lang": "fr"}, "lang"),
        ({"q": "drought", "page": "101"}, "page"),
        ({"q": "drought", "page": "21", "per_page": "50"}, "page"),
        ({"q": "drought", "page": "9" * 30}, "page"),
    ],
)
def test_bad_search_parameters_are_a_400_json_error(client, params, named):
    message = assert_json_error(client.get("/search", query_string=params), 400, "bad_request")
    assert named in message


@pytest.mark.parametrize(
    "params",
    [
        {"q": "ا" * 500},
        {"q": " ".join(["drought"] * 32)},
        {"q": "drought", "per_page": "50"},
        {"q": "drought", "page": "100", "per_page": "10"},
        {"q": "drought\tOR\nmarathon"},
        {"q": "drought", "lang": ""},
    ],
)
def test_parameters_at_the_limits_are_accepted(client, params):
    assert client.get("/search", query_string=params).status_code == 200


@pytest.mark.parametrize("query", ['"unclosed phrase', "title:", "-", "OR", "((", "a*", "*", "~2", "في"])
def test_odd_query_syntax_is_never_a_server_error(client, query):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code in (200, 400)
    assert response.mimetype == "application/json"
    if response.status_code == 200:
        assert response.get_json()["query"] == query


@pytest.mark.parametrize("path", ["/search/unknown", "/search/", "/healthz/details", "/admin/unknown"])
def test_unknown_api_route_is_a_404_json_error(client, path):
    assert_json_error(client.get(path), 404, "not_found")


def test_reindex_with_get_is_a_405_json_error(client):
    assert_json_error(client.get("/admin/reindex"), 405, "method_not_allowed")


# --- documents ---------------------------------------------------------------


def test_unknown_document_is_a_404(client):
    assert client.get("/doc/en/politics/no-such-article.txt").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/doc/../secret.txt",
        "/doc/en/../../secret.txt",
        "/doc/%2e%2e%2fsecret.txt",
        "/doc/%2e%2e/secret.txt",
        "/doc/..%2fsecret.txt",
        "/doc/en%2f..%2f..%2fsecret.txt",
        "/doc//etc/passwd",
        "/doc/%2fetc%2fpasswd",
        "/doc/..%5csecret.txt",
    ],
)
def test_document_path_cannot_reach_outside_the_docs_folder(client, path):
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "TOP-SECRET" not in body
    assert "root:" not in body


@pytest.mark.parametrize("target", ["secret.txt", "docs/" + AR_ELECTIONS])
def test_absolute_path_is_not_a_document_id(client, docs_dir, target):
    absolute = (docs_dir.parent / target).resolve()
    response = client.get(f"/doc/{absolute}", follow_redirects=True)
    assert response.status_code == 404
    assert "TOP-SECRET" not in response.get_data(as_text=True)


# --- health ------------------------------------------------------------------


def test_healthz_reports_the_document_count(client, documents):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert data["status"] == "ok"
    assert data["documents"] == len(documents)
    assert data["indexing"] is False


@pytest.mark.parametrize("index_name", ["empty", "missing"])
def test_healthz_is_503_json_when_the_index_is_unusable(make_app, docs_dir, tmp_path, index_name):
    (tmp_path / "empty").mkdir()
    client = make_app(docs_dir, tmp_path / index_name).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.mimetype == "application/json"
    assert response.get_json()["status"] != "ok"


def test_search_is_503_json_when_the_index_is_unusable(make_app, docs_dir, tmp_path):
    (tmp_path / "empty").mkdir()
    client = make_app(docs_dir, tmp_path / "empty").test_client()
    assert_json_error(client.get("/search", query_string={"q": "drought"}), 503, "index_unavailable")


# --- admin -------------------------------------------------------------------


@pytest.fixture
def own_index(docs_copy, tmp_path):
    """An index of ``docs_copy`` that a test may change."""
    index = tmp_path / "index"
    update_index(docs_copy, index)
    return index


@pytest.mark.parametrize("headers", [{}, {"Authorization": f"Bearer {ADMIN_TOKEN}"}, {"Authorization": "Bearer "}])
def test_reindex_is_403_when_no_token_is_configured(make_app, docs_dir, index_dir, headers):
    client = make_app(docs_dir, index_dir, admin_token=None).test_client()
    assert_json_error(client.post("/admin/reindex", headers=headers), 403, "forbidden")


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer wrong-token",
        f"Basic {ADMIN_TOKEN}",
        ADMIN_TOKEN,
        f"Bearer {ADMIN_TOKEN}x",
    ],
)
def test_reindex_is_401_without_the_right_token(make_app, docs_copy, own_index, authorization):
    client = make_app(docs_copy, own_index).test_client()
    headers = {} if authorization is None else {"Authorization": authorization}
    assert_json_error(client.post("/admin/reindex", headers=headers), 401, "unauthorized")


def test_reindex_runs_in_the_background_and_makes_a_new_document_searchable(make_app, docs_copy, own_index, documents):
    client = make_app(docs_copy, own_index).test_client()
    assert search(client, q="glaciers")["results"] == []
    new_file = docs_copy / "en" / "environment" / "glacier-retreat.txt"
    new_file.write_text(
        "Glaciers retreat faster than forecast\n"
        "Survey teams found that the glaciers above the valley lost a tenth of their ice in two summers.\n",
        "utf-8",
    )
    response = client.post("/admin/reindex", headers=bearer(ADMIN_TOKEN))
    assert response.status_code == 202
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] == "accepted"
    assert body["status_url"] == f"/admin/reindex/{body['run']['id']}"
    assert response.headers["Location"] == body["status_url"]
    assert (body["run"]["state"], body["run"]["rebuild"], body["run"]["summary"]) == ("running", False, None)
    started_at = datetime.fromisoformat(body["run"]["started_at"])
    assert abs(datetime.now(UTC) - started_at) < timedelta(minutes=1)

    run = finished_run(lambda: client.get(body["status_url"], headers=bearer(ADMIN_TOKEN)).get_json())
    assert (run["id"], run["state"], run["error"]) == (body["run"]["id"], "done", None)
    summary = run["summary"]
    assert (summary["added"], summary["updated"], summary["removed"]) == (1, 0, 0)
    assert summary["unchanged"] == len(documents)
    assert summary["failed"] == []
    assert summary["documents"] == len(documents) + 1
    assert summary["seconds"] > 0
    assert started_at <= datetime.fromisoformat(run["finished_at"])
    data = search(client, q="glaciers")
    assert ids(data) == ["en/environment/glacier-retreat.txt"]
    assert "<mark>glaciers</mark>" in data["results"][0]["snippet"]
    health = client.get("/healthz").get_json()
    assert (health["documents"], health["indexing"]) == (len(documents) + 1, False)


def test_reindex_drops_a_deleted_document_from_results(make_app, docs_copy, own_index):
    client = make_app(docs_copy, own_index).test_client()
    assert ids(search(client, q="sanitiser")) == [EN_SANITISER]
    (docs_copy / EN_SANITISER).unlink()
    run = reindex(client, ADMIN_TOKEN)
    assert run["summary"]["removed"] == 1
    assert search(client, q="sanitiser")["results"] == []
    assert client.get("/doc/" + EN_SANITISER).status_code == 404


def test_reindex_reports_unreadable_files_in_its_summary(make_app, docs_copy, own_index, documents):
    client = make_app(docs_copy, own_index).test_client()
    (docs_copy / "en" / "empty.txt").write_bytes(b"")
    summary = reindex(client, ADMIN_TOKEN)["summary"]
    assert [failure["id"] for failure in summary["failed"]] == ["en/empty.txt"]
    assert "empty" in summary["failed"][0]["reason"]
    assert summary["unchanged"] == len(documents)


def test_reindex_while_a_command_line_run_holds_the_index_is_a_409(make_app, docs_copy, own_index):
    client = make_app(docs_copy, own_index).test_client()
    with writer_lock(own_index, wait=5):  # what `python -m search index` holds while it runs
        assert client.get("/healthz").get_json()["indexing"] is True
        conflict = client.post("/admin/reindex", headers=bearer(ADMIN_TOKEN))
        assert_json_error(conflict, 409, "conflict")
        assert "command line" in conflict.get_json()["error"]["message"]
        assert search(client, q="sanitiser")["total"] == 1
    assert client.get("/healthz").get_json()["indexing"] is False
    reindex(client, ADMIN_TOKEN)


@pytest.mark.parametrize("query", ["drought -Jordan", "elections -observers", "OSCE -الانتخابات"])
def test_total_with_an_excluded_word_counts_only_the_documents_shown(client, query):
    every = search(client, q=query, per_page="50")
    assert every["total"] == len(every["results"])
    assert search(client, q=query, per_page="1")["total"] == every["total"]

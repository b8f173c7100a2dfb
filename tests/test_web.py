"""The search page and the document view, parsed and checked for structure
(datasette's test_html style), never by substring of the markup."""

from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

AR_ELECTIONS = "ar/politics/2024/parliament-elections.txt"
AR_DIACRITICS = "ar/education/diacritics-lesson.md"
EN_OBSERVERS = "en/politics/election-observers.txt"
EN_SANITISER = "en/tech/snippet-sanitiser.txt"
DIRECTION = {"ar": "rtl", "en": "ltr"}


def get_page(client, path="/", status=200, **params):
    response = client.get(path, query_string=params)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return BeautifulSoup(response.data, "html.parser")


def articles(soup):
    return soup.select("article.result")


def result_ids(soup):
    """Document ids of the results, from their title links."""
    return [doc_id_of(article.select_one("a[href^='/doc/']")["href"]) for article in articles(soup)]


def doc_id_of(href):
    return unquote(urlsplit(href).path).removeprefix("/doc/")


def query_of(href):
    return {name: values[0] for name, values in parse_qs(urlsplit(href).query).items()}


# --- the empty page ----------------------------------------------------------


def test_empty_page_has_a_search_form_with_a_labelled_box(client):
    soup = get_page(client)
    form = soup.select_one("form[role=search]")
    assert form is not None
    assert form.get("method", "get").lower() == "get"
    box = form.select_one("input[name=q]")
    assert box is not None
    assert box["dir"] == "auto"
    label = soup.find("label", attrs={"for": box["id"]})
    assert label is not None and label.get_text(strip=True)
    assert not box.get("value")
    assert articles(soup) == []
    assert soup.select("[role=alert]") == []


def test_empty_page_offers_the_language_filter(client):
    soup = get_page(client)
    options = {option["value"]: option for option in soup.select("form select[name=lang] option")}
    assert set(options) == {"", "ar", "en"}
    assert options[""].has_attr("selected")


# --- results -----------------------------------------------------------------


@pytest.mark.parametrize("query", ["OSCE", "انتخابات OR observers", "drought OR المنتخب"])
def test_each_result_is_an_article_with_its_language_and_direction(client, query):
    soup = get_page(client, q=query)
    data = client.get("/search", query_string={"q": query}).get_json()
    assert len(articles(soup)) == len(data["results"]) > 0
    for article, result in zip(articles(soup), data["results"], strict=True):
        assert article["lang"] == result["lang"]
        assert article["dir"] == DIRECTION[result["lang"]]
    assert result_ids(soup) == [result["id"] for result in data["results"]]


def test_results_in_both_languages_get_both_directions(client):
    soup = get_page(client, q="OSCE")
    assert {(article["lang"], article["dir"]) for article in articles(soup)} == {("ar", "rtl"), ("en", "ltr")}


@pytest.mark.parametrize(
    ("query", "written"), [("انتخابات", "الانتخابات"), ("observer", "observers"), ("مسئول", "مسؤول")]
)
def test_result_snippet_marks_the_matched_word(client, query, written):
    soup = get_page(client, q=query)
    assert articles(soup)
    for article in articles(soup):
        assert article.select_one(".snippet mark") is not None
    assert written in {mark.get_text() for mark in soup.select("article.result mark")}


@pytest.mark.parametrize("query", ["انتخابات", "OSCE"])
def test_result_title_links_to_the_document_view(client, query):
    soup = get_page(client, q=query)
    for article in articles(soup):
        link = article.select_one("h2 a")
        assert urlsplit(link["href"]).path.startswith("/doc/")
        assert query_of(link["href"])["q"] == query
        assert link.get_text(strip=True)
        assert client.get(link["href"]).status_code == 200


def test_snippet_markup_from_the_document_is_shown_as_text(client):
    soup = get_page(client, q="sanitiser")
    (article,) = articles(soup)
    assert soup.select("article script") == []
    assert '<script>alert("boom")</script>' in article.select_one(".snippet").get_text()


def test_query_is_escaped_in_the_page(client):
    query = '<b id="injected">drought</b>'
    soup = get_page(client, q=query)
    assert soup.select("#injected") == []
    assert soup.select_one("input[name=q]")["value"] == query


# --- pagination and the language filter --------------------------------------


def test_pagination_links_lead_to_the_other_pages(client):
    first = get_page(client, q="انتخابات", per_page=2)
    nav = first.select_one("nav.pagination")
    assert nav is not None
    assert nav.select_one("[aria-current=page]").get_text(strip=True) == "1"
    assert nav.select_one("a[rel=prev]") is None
    next_link = nav.select_one("a[rel=next]")
    assert query_of(next_link["href"])["page"] == "2"

    second = get_page(client, urlsplit(next_link["href"]).path, **query_of(next_link["href"]))
    assert len(result_ids(first)) == 2
    assert len(result_ids(second)) == 1
    assert not set(result_ids(first)) & set(result_ids(second))
    assert second.select_one("nav.pagination a[rel=prev]") is not None
    assert second.select_one("nav.pagination a[rel=next]") is None


def test_single_page_of_results_has_no_pagination(client):
    soup = get_page(client, q="OSCE")
    assert soup.select("nav.pagination") == []


@pytest.mark.parametrize(("lang", "expected"), [("ar", [AR_ELECTIONS]), ("en", [EN_OBSERVERS])])
def test_language_filter_keeps_its_selection(client, lang, expected):
    soup = get_page(client, q="OSCE", lang=lang)
    (selected,) = soup.select("select[name=lang] option[selected]")
    assert selected["value"] == lang
    assert soup.select_one("input[name=q]")["value"] == "OSCE"
    assert result_ids(soup) == expected
    assert {article["lang"] for article in articles(soup)} == {lang}


def test_pagination_links_keep_the_language_filter(client):
    soup = get_page(client, q="انتخابات OR observers", lang="en", per_page=1)
    links = soup.select("nav.pagination a")
    assert links
    assert all(query_of(link["href"]).get("lang") == "en" for link in links)
    for article in articles(soup):
        assert query_of(article.select_one("h2 a")["href"]).get("lang") == "en"


def test_no_results_shows_the_empty_state(client):
    soup = get_page(client, q="zqxwvy")
    assert articles(soup) == []
    empty = soup.select_one(".empty")
    assert empty is not None
    assert "No documents match" in empty.get_text(" ", strip=True)
    assert empty.select_one("bdi").get_text() == "zqxwvy"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page": "abc"}, "This search could not be run: page must be a positive whole number"),
        ({"page": "0"}, "This search could not be run: page must be a positive whole number"),
        ({"page": "-3"}, "This search could not be run: page must be a positive whole number"),
        ({"per_page": "500"}, "This search could not be run: at most 50 results per page"),
        ({"lang": "fr"}, "This search could not be run: unknown language filter"),
    ],
)
def test_bad_parameter_shows_an_error_message_not_a_stack_trace(client, params, message):
    response = client.get("/", query_string={"q": "drought", **params})
    assert response.status_code == 400
    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.select_one("[role=alert]").get_text(strip=True) == message
    assert "Traceback" not in soup.get_text()
    assert articles(soup) == []
    assert soup.select_one("input[name=q]")["value"] == "drought"


def test_unknown_page_is_an_html_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert BeautifulSoup(response.data, "html.parser").select_one("[role=alert]") is not None


# --- the JSON twin -----------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"q": "OSCE"},
        {"q": "OSCE", "lang": "ar"},
        {"q": "انتخابات", "per_page": "2", "page": "2"},
    ],
)
def test_results_page_links_its_json_twin(client, params):
    soup = get_page(client, **params)
    link = soup.select_one('head link[rel=alternate][type="application/json"]')
    assert link is not None
    response = client.get(link["href"])
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert data["query"] == params["q"]
    assert [result["id"] for result in data["results"]] == result_ids(soup)


# --- the document view -------------------------------------------------------


def test_document_view_shows_the_whole_document_with_marks(client, documents):
    soup = get_page(client, "/doc/" + AR_ELECTIONS, q="انتخابات")
    document = soup.select_one("article.document")
    assert (document["lang"], document["dir"]) == ("ar", "rtl")
    body = document.select_one(".document-body")
    headline = document.select_one("h1").get_text()
    assert headline + "\n" + body.get_text() == documents[AR_ELECTIONS]
    marked = [mark.get_text() for mark in body.find_all("mark")]
    assert set(marked) == {"الانتخابات", "للانتخابات", "والانتخابات"}
    assert (
        len(marked)
        == body.get_text().count("انتخابات")
        == documents[AR_ELECTIONS].count("انتخابات") - headline.count("انتخابات")
    )


def test_document_view_marks_a_diacritised_word_as_written(client):
    soup = get_page(client, "/doc/" + AR_DIACRITICS, q="الانتخابات")
    marked = [mark.get_text() for mark in soup.select(".document-body mark")]
    assert marked == ["الاِنْتِخَابَاتُ"]


def test_document_view_without_query_has_no_marks(client, documents):
    soup = get_page(client, "/doc/" + EN_OBSERVERS)
    assert soup.select(".document-body mark") == []
    # The headline opening the file is shown once, as the page's h1.
    headline, body = soup.select_one("article.document h1").get_text(), soup.select_one(".document-body").get_text()
    assert headline + "\n" + body == documents[EN_OBSERVERS]
    assert soup.select_one("article.document")["dir"] == "ltr"


def test_document_view_links_back_to_the_results(client):
    soup = get_page(client, "/doc/" + EN_OBSERVERS, q="observers", page="2", lang="en")
    back = soup.select("nav.back a[href]")
    assert back
    assert urlsplit(back[0]["href"]).path == "/"
    assert query_of(back[0]["href"]) == {"q": "observers", "page": "2", "lang": "en"}


def test_document_view_shows_markup_in_the_document_as_text(client, documents):
    soup = get_page(client, "/doc/" + EN_SANITISER, q="sanitiser")
    body = soup.select_one(".document-body")
    assert body.find("script") is None
    assert soup.select_one("article.document h1").get_text() + "\n" + body.get_text() == documents[EN_SANITISER]


def test_document_view_does_not_mark_excluded_words(client):
    soup = get_page(client, "/doc/en/environment/drought-report.txt", q="drought -reservoirs")
    marked = {mark.get_text().lower() for mark in soup.select(".document-body mark")}
    assert marked == {"drought"}


@pytest.mark.parametrize("path", ["/", "/doc/" + EN_OBSERVERS])
def test_unusable_index_shows_an_error_page_not_a_stack_trace(make_app, docs_dir, tmp_path, path):
    client = make_app(docs_dir, tmp_path / "no-index").test_client()
    response = client.get(path, query_string={"q": "drought"})
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.select_one("[role=alert]").get_text(strip=True)
    assert "Traceback" not in soup.get_text()

"""The OpenSearch description: absolute URLs from the configured base URL
(or the loopback address served), never from the Host header a client sends."""

import pytest
from bs4 import BeautifulSoup

from search.config import from_environment, public_url

ATTACKER = "evil.example"


def description(client, **headers):
    response = client.get("/opensearch.xml", headers={"Host": ATTACKER, **headers})
    return response, BeautifulSoup(response.data, "xml")


def templates(soup):
    return {url["type"]: url["template"] for url in soup.find_all("Url")}


def test_configured_base_url_makes_every_url_whatever_the_host_header(make_app, docs_dir, index_dir):
    client = make_app(docs_dir, index_dir, BASE_URL="https://search.example.org/find").test_client()
    response, soup = description(client, **{"X-Forwarded-Host": ATTACKER})
    assert response.status_code == 200
    assert response.mimetype == "application/opensearchdescription+xml"
    assert templates(soup) == {
        "text/html": "https://search.example.org/find/?q={searchTerms}",
        "application/json": "https://search.example.org/find/search?q={searchTerms}",
    }
    assert soup.find("SearchForm").text == "https://search.example.org/find/"
    assert ATTACKER not in response.get_data(as_text=True)


def test_without_a_base_url_the_loopback_address_served_is_used(make_app, docs_dir, index_dir):
    client = make_app(docs_dir, index_dir, BASE_URL=None, BIND="127.0.0.1:8123").test_client()
    response, soup = description(client)
    assert templates(soup)["text/html"] == "http://127.0.0.1:8123/?q={searchTerms}"
    assert ATTACKER not in response.get_data(as_text=True)


@pytest.mark.parametrize("bind", ["0.0.0.0:8000", "[::]:8000", "unix:/run/search.sock"])
def test_without_a_base_url_or_a_loopback_address_it_is_not_offered(make_app, docs_dir, index_dir, bind):
    client = make_app(docs_dir, index_dir, BASE_URL=None, BIND=bind).test_client()
    response, _ = description(client)
    assert response.status_code == 404
    page = BeautifulSoup(client.get("/").data, "html.parser")
    assert page.select('link[rel="search"]') == []


def test_the_page_links_the_description_when_it_is_offered(make_app, docs_dir, index_dir):
    client = make_app(docs_dir, index_dir, BASE_URL="https://search.example.org").test_client()
    links = BeautifulSoup(client.get("/").data, "html.parser").select('link[rel="search"]')
    assert [link["href"] for link in links] == ["/opensearch.xml"]


@pytest.mark.parametrize("value", ["search.example.org", "ftp://search.example.org", "https://", "https://a.b/?x=1"])
def test_a_base_url_that_is_no_web_address_is_refused_at_start(value):
    with pytest.raises(ValueError, match="SEARCH_BASE_URL"):
        from_environment({"SEARCH_BASE_URL": value})


def test_base_url_loses_its_trailing_slash():
    assert public_url(" https://search.example.org/ ") == "https://search.example.org"

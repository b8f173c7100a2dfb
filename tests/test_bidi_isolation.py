"""Titles and file names from documents are isolated wherever they are
shown, so that a direction control in one (an RLO) reorders nothing around
it: <bdi> in the page and the document view, FSI…PDI in <title>, and file
names with their controls written out."""

import pytest
from bs4 import BeautifulSoup

from search.bidi import isolate, visible_controls
from search.index import update_index

RLO, PDF, FSI, PDI = "\u202e", "\u202c", "\u2068", "\u2069"
SPOOFED_NAME = f"en/invoice{RLO}txt.exe.txt"
TITLE = f"Quarterly drought report {RLO}gnidaeL"


@pytest.fixture(scope="module")
def bidi_client(tmp_path_factory):
    from search import create_app

    docs = tmp_path_factory.mktemp("bidi-docs")
    (docs / "en").mkdir()
    (docs / SPOOFED_NAME).write_text(f"{TITLE}\nThe drought report covers the northern valleys.\n", "utf-8")
    (docs / "ar.txt").write_text("تقرير الجفاف\nيغطي تقرير الجفاف الوديان الشمالية.\n", "utf-8")
    index = tmp_path_factory.mktemp("bidi-index")
    assert update_index(docs, index).failed == []
    return create_app({"DOCS_DIR": str(docs), "INDEX_DIR": str(index), "TESTING": True}).test_client()


def soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.data, "html.parser")


def test_result_titles_and_paths_are_isolated_and_paths_show_their_controls(bidi_client):
    page = soup(bidi_client.get("/", query_string={"q": "drought report"}))
    result = next(r for r in page.select("article.result") if "Quarterly" in r.get_text())
    title = result.select_one(".result-title a > bdi")
    assert title is not None and title.get_text() == TITLE
    path = result.select_one("bdi.path")
    assert path["dir"] == "ltr"
    assert path.get_text() == "en/invoice[U+202E]txt.exe.txt"
    assert RLO not in path.get_text()


def test_page_title_isolates_the_query(bidi_client):
    page = soup(bidi_client.get("/", query_string={"q": f"drought {RLO}report"}))
    assert page.title.get_text().startswith(f"{FSI}drought report{PDI} – ")


def test_document_view_isolates_its_title_everywhere(bidi_client):
    found = bidi_client.get("/search", query_string={"q": "Quarterly"}).get_json()
    document = soup(bidi_client.get(found["results"][0]["url"]))
    assert document.title.get_text().startswith(f"{FSI}Quarterly drought report gnidaeL{PDI} – ")
    heading = document.select_one("article.document h1 > bdi")
    assert heading is not None and heading.get_text() == TITLE
    assert document.select_one("bdi.path").get_text() == "en/invoice[U+202E]txt.exe.txt"


@pytest.mark.parametrize(
    ("text", "isolated"),
    [
        ("plain", f"{FSI}plain{PDI}"),
        (f"a{RLO}b", f"{FSI}ab{PDI}"),
        (f"a{PDI}{RLO}b", f"{FSI}ab{PDI}"),  # its own PDI cannot end the isolate early
        (f"a{PDF}b", f"{FSI}ab{PDI}"),
        ("انتخابات", f"{FSI}انتخابات{PDI}"),
    ],
)
def test_isolate_keeps_exactly_one_balanced_isolate(text, isolated):
    assert isolate(text) == isolated


def test_visible_controls_writes_out_marks_and_overrides_and_keeps_letters():
    assert visible_controls("ملف\u200f-\u2066x\u2069.txt") == "ملف[U+200F]-[U+2066]x[U+2069].txt"

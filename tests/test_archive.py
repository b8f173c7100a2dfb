"""A news archive through the real index and the real app (issue 17):
article text only, dates, filters, the date order, facets and copies
folded, kept up to date by incremental runs.

The pages under tests/data/archive were written for these tests: two saves
of one wire story from two sites (wire/, daily/), a later piece on the same
event (weekly/), an Arabic page with a «اقرأ أيضاً» teaser of another story
(gazette/rain-harvest.txt), and an HTML page with a menu, a share bar,
comments and metadata (gazette/old-harbour.html).
"""

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from search.index import update_index

ARCHIVE = Path(__file__).resolve().parent / "data" / "archive"
WIRE, DAILY, WEEKLY = "wire/harbour-bridge.txt", "daily/velmora-bridge-opens.txt", "weekly/bridge-review.txt"
RAIN, MARKET = "gazette/rain-harvest.txt", "gazette/old-harbour.html"
# A file's modification time, far from every date written in the pages.
MTIME = 1_700_000_000  # 2023-11-14


def copy_archive(folder):
    shutil.copytree(ARCHIVE, folder)
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, (MTIME, MTIME))
    return folder


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("archive")
    docs, index = copy_archive(root / "docs"), root / "index"
    assert update_index(docs, index).failed == []
    return docs, index


@pytest.fixture
def api(make_app, archive):
    client = make_app(*archive).test_client()

    def get(q, expect=200, **params):
        response = client.get("/search", query_string={"q": q, **params})
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    return get


def ids(body):
    return [result["id"] for result in body["results"]]


# --- article text only ---------------------------------------------------------------


@pytest.mark.parametrize("chrome", ["facebook", "whatsapp", "Pinterest", '"Leave A Reply"', "newsletter", "التعليقات"])
def test_chrome_and_comment_prompts_find_nothing(api, chrome):
    assert api(chrome, exact=1)["total"] == 0


@pytest.mark.parametrize(("words", "doc"), [("suspension bridge tolls", WIRE), ("القمح السدود", RAIN)])
def test_the_article_text_is_still_found(api, words, doc):
    assert doc in ids(api(words, collapse=0))


def test_a_teaser_of_another_story_is_left_out_of_the_article(api):
    # The teaser's headline and lead (a book fair) are not this page's story.
    assert RAIN not in ids(api("معرض الكتاب", exact=1))


def test_the_html_page_is_its_article_without_menu_share_bar_or_comments(api):
    assert ids(api("restoration iron roof")) == [MARKET]
    for chrome in ("Sport", "Pinterest", "comment"):
        assert MARKET not in ids(api(chrome, exact=1))


def test_a_headline_only_match_shows_the_lead_not_the_chrome(api):
    body = api("long-awaited", exact=1, collapse=0)
    snippet = next(r["snippet"] for r in body["results"] if r["id"] == DAILY)
    assert snippet.lstrip("… ").startswith("The harbour city of Velmora opened")
    assert "Menu" not in snippet and "Opinion" not in snippet and "<mark>" not in snippet


def test_the_document_view_keeps_the_left_out_lines_apart(make_app, archive):
    page = make_app(*archive).test_client().get(f"/doc/{RAIN}?q=القمح").get_data(as_text=True)
    assert 'class="boilerplate"' in page
    folded = page.split('class="boilerplate"', 1)[1]
    assert "معرض الكتاب" in page and "معرض الكتاب" in folded
    assert "<mark" in page
    assert '<time class="date" datetime="2022-03-03"' in page


# --- dates -------------------------------------------------------------------------------


def test_each_result_carries_its_date_and_where_it_came_from(api):
    results = {r["id"]: r for r in api("Velmora OR harbour OR القمح", collapse=0, per_page=20)["results"]}
    assert (results[WIRE]["date"], results[WIRE]["date_source"]) == ("2021-01-14", "text")
    assert (results[WEEKLY]["date"], results[WEEKLY]["date_source"]) == ("2022-03-02", "text")
    assert (results[RAIN]["date"], results[RAIN]["date_source"]) == ("2022-03-03", "text")
    assert (results[MARKET]["date"], results[MARKET]["date_source"]) == ("2019-06-20", "html")


def test_a_file_without_a_written_date_takes_its_modification_time(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "note.txt").write_text("A short note about the garden committee and its spring meeting.\n", "utf-8")
    os.utime(docs / "note.txt", (MTIME, MTIME))
    update_index(docs, tmp_path / "index")
    from search.index import open_index

    ix = open_index(tmp_path / "index")
    with ix.searcher() as searcher:
        stored = searcher.stored_fields(0)
    ix.close()
    assert (stored["date"], stored["date_source"]) == ("2023-11-14", "mtime")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"date_from": "2021-01-01", "date_to": "2021-12-31"}, {WIRE, DAILY}),
        ({"date_from": "2022-01-01"}, {WEEKLY}),
        ({"date_to": "2020-12-31"}, set()),
        ({"date_from": "2021-01-15", "date_to": "2021-01-15"}, {DAILY}),
        ({"date_to": "2021-01-14"}, {WIRE}),
    ],
)
def test_date_filters_are_inclusive(api, params, expected):
    assert set(ids(api("Velmora", collapse=0, **params))) == expected


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2021-13-01"},
        {"date_to": "yesterday"},
        {"date_from": "2022-01-02", "date_to": "2022-01-01"},
        {"date_from": "20210101"},
        {"date_from": "2021-W01-1"},
        {"date_to": "2021-1-1"},
    ],
)
def test_a_bad_date_is_a_400_with_a_message(api, params):
    body = api("Velmora", expect=400, **params)
    assert "date" in body["error"]["message"]


def test_sort_by_date_puts_the_newest_first(api):
    body = api("Velmora OR harbour", sort="date", collapse=0)
    dates = [r["date"] for r in body["results"]]
    assert dates == sorted(dates, reverse=True)
    assert ids(body)[0] == WEEKLY


def test_an_unknown_sort_is_a_400(api):
    assert api("Velmora", expect=400, sort="oldest")["error"]["code"] == "bad_request"


# --- facets -------------------------------------------------------------------------------


def test_facets_count_the_whole_match_set_by_language_year_and_source(api):
    body = api("Velmora OR harbour OR القمح", per_page=1, collapse=0)
    assert body["total"] == 5 and len(body["results"]) == 1
    assert body["facets"]["lang"] == {"en": 4, "ar": 1}
    assert body["facets"]["year"] == {"2021": 2, "2022": 2, "2019": 1}
    assert body["facets"]["source"] == {"The Gazette": 1, "daily": 1, "gazette": 1, "weekly": 1, "wire": 1}


def test_a_facet_filter_narrows_the_results_and_keeps_its_own_counts(api):
    body = api("Velmora OR harbour OR القمح", year="2022", collapse=0)
    assert set(ids(body)) == {WEEKLY, RAIN}
    assert body["facets"]["year"] == {"2021": 2, "2022": 2, "2019": 1}
    assert body["facets"]["lang"] == {"ar": 1, "en": 1}
    assert set(ids(api("Velmora", source="daily", collapse=0))) == {DAILY}


# --- copies folded ------------------------------------------------------------------------


def test_two_saves_of_one_story_take_one_result_with_the_other_folded_in(api):
    body = api("Velmora bridge")
    found = ids(body)
    assert len({WIRE, DAILY} & set(found)) == 1
    shown = next(r for r in body["results"] if r["id"] in (WIRE, DAILY))
    assert shown["similar"] == 1 and shown["similar_url"]
    # A different story about the same event is not folded.
    assert WEEKLY in found
    assert next(r for r in body["results"] if r["id"] == WEEKLY)["similar"] == 0


def test_collapse_0_shows_every_copy(api):
    assert {WIRE, DAILY, WEEKLY} <= set(ids(api("Velmora bridge", collapse=0)))


def test_the_similar_link_lists_the_copies(api, make_app, archive):
    shown = next(r for r in api("Velmora bridge")["results"] if r["similar"])
    copies = make_app(*archive).test_client().get(shown["similar_url"]).get_json()
    assert set(ids(copies)) == {WIRE, DAILY}


def test_similar_to_an_unknown_document_is_a_400(api):
    assert api("Velmora", expect=400, similar_to="no/such.txt")["error"]["code"] == "bad_request"


# --- incremental --------------------------------------------------------------------------


def test_a_changed_file_updates_its_text_date_facets_and_group(tmp_path, make_app):
    docs, index = copy_archive(tmp_path / "docs"), tmp_path / "index"
    update_index(docs, index)
    client = make_app(docs, index).test_client()

    def search(**params):
        return client.get("/search", query_string={"q": "Velmora bridge", **params}).get_json()

    assert any(r["similar"] == 1 for r in search()["results"])
    # The daily's save becomes a different story, dated otherwise.
    changed = docs / DAILY
    changed.write_text(
        "Velmora's river festival draws a record crowd\n4 August 2023\n"
        + "Boats, bands and food stalls filled both banks near the bridge for three days of the summer festival, "
        "and the organisers counted more visitors than in any year since the festival began in the old port. "
        "Volunteers cleaned the quays every night, and the tram ran until two in the morning. " * 2,
        "utf-8",
    )
    update_index(docs, index)
    body = search(collapse=0)
    daily = next(r for r in body["results"] if r["id"] == DAILY)
    assert daily["date"] == "2023-08-04" and daily["similar"] == 0
    assert "2023" in body["facets"]["year"]
    assert all(r["similar"] == 0 for r in search()["results"])
    # A deleted copy leaves its group; the wire story stays found.
    (docs / WIRE).unlink()
    update_index(docs, index)
    body = search(collapse=0)
    assert WIRE not in ids(body) and body["facets"]["source"].get("wire") is None


# --- the stored duplicate groups ------------------------------------------------------------


def test_the_groups_the_indexer_stores_equal_grouping_at_search_time(archive):
    from search.duplicate_groups import duplicate_groups, group_numbers, groups_path
    from search.index import open_index
    from search.postings.view import SearchIndex

    _, index = archive
    ix = SearchIndex(open_index(index))
    with ix.searcher() as searcher:
        store = searcher.store
        assert groups_path(store.folder, store.generation).exists()
        stored = np.asarray(duplicate_groups(store))
        computed = group_numbers(store.signatures(), store.live)
        assert stored.tolist() == computed.tolist()
        # The two saves of the wire story share a group; nothing else does.
        ids = [searcher.stored_fields(n)["id"] for n in range(store.doc_count_all)]
        sizes = np.bincount(stored, minlength=len(ids))
        assert {ids[n] for n in range(len(ids)) if sizes[stored[n]] > 1} == {WIRE, DAILY}


SENTENCES = [
    "The river authority opened the northern flood gates on Monday after three days of heavy rain upstream.",
    "Farmers along the lower valley moved their cattle to higher ground before the water reached the fields.",
    "Engineers said the old embankment near the mill had held, although two culverts were blocked by debris.",
    "The mayor asked residents of the riverside streets to stay away from the quays until the level falls.",
    "Schools in four villages closed for the week and the regional bus service changed its routes.",
    "Volunteers filled sandbags in the market square through the night, helped by soldiers from the barracks.",
    "Forecasters expect the rain to ease on Thursday, but warned that the ground is already saturated.",
]


def test_an_edited_file_leaves_the_group_its_old_version_linked(tmp_path, make_app):
    """C shares most of its text with V, and V's new version most with V's
    old one; C and the new V are no copies. The old version, deleted but
    still in its segment, must not link them."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "c.txt").write_text(
        "Flood gates opened on the northern river\n\n" + " ".join(SENTENCES[0:5]) + "\n", "utf-8"
    )
    (docs / "v.txt").write_text(
        "Valley flood report after three days of rain\n\n" + " ".join(SENTENCES[1:6]) + "\n", "utf-8"
    )
    update_index(docs, tmp_path / "index")
    client = make_app(docs, tmp_path / "index").test_client()

    def similar(q):
        body = client.get("/search", query_string={"q": q}).get_json()
        return {r["id"]: r["similar"] for r in body["results"]}

    assert similar("flood") in ({"c.txt": 1}, {"v.txt": 1})
    (docs / "v.txt").write_text(
        "Valley flood report after three days of rain\n\n" + " ".join(SENTENCES[2:7]) + "\n", "utf-8"
    )
    update_index(docs, tmp_path / "index")
    assert similar("flood") == {"c.txt": 0, "v.txt": 0}


def test_a_date_or_year_typed_with_arabic_indic_digits_is_the_same_date(api):
    written = api("Velmora", collapse=0, date_from="٢٠٢١-٠١-٠١", date_to="2021-12-31")
    assert set(ids(written)) == {WIRE, DAILY}
    assert set(ids(api("Velmora OR harbour OR القمح", collapse=0, year="٢٠٢٢"))) == {WEEKLY, RAIN}


@pytest.mark.parametrize("year", ["0000", "21", "2021a", "１９９９"])
def test_a_year_that_is_not_four_digits_is_a_400(api, year):
    assert api("Velmora", expect=400, year=year)["error"]["code"] == "bad_request"


def test_the_similar_link_keeps_the_requests_filters(api, make_app, archive):
    body = api("Velmora bridge", date_from="2021-01-01", lang="en")
    shown = next(r for r in body["results"] if r["similar"])
    assert "date_from=2021-01-01" in shown["similar_url"] and "lang=en" in shown["similar_url"]
    copies = make_app(*archive).test_client().get(shown["similar_url"]).get_json()
    assert set(ids(copies)) == {WIRE, DAILY} and copies["total"] == shown["similar"] + 1


def test_a_metadata_date_after_the_file_was_saved_gives_way_to_the_texts(tmp_path):
    from search.ingest import read_document, walk_folder

    # Later than the file's time (2023-11-14), earlier than today: only the file's time rules it out.
    page = (ARCHIVE / MARKET).read_text("utf-8").replace("2019-06-20T08:00:00Z", "2025-05-05T08:00:00Z")
    path = tmp_path / "page.html"
    path.write_text(page.replace("<article>", "<article><p>Published 19 June 2019</p>"), "utf-8")
    os.utime(path, (MTIME, MTIME))
    (source,) = walk_folder(tmp_path)
    document = read_document(source)
    assert (document.date, document.date_source) == ("2019-06-19", "text")
    os.utime(path, (MTIME * 1.05, MTIME * 1.05))  # saved in 2026: the metadata's date stands
    (source,) = walk_folder(tmp_path)
    assert (read_document(source).date, read_document(source).date_source) == ("2025-05-05", "html")

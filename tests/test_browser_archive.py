"""The news archive's page in a real browser (Debian's Chromium driven by
Playwright) against the real gunicorn: facets people click, the date order
and range, copies folded behind a link, and the boilerplate the document
view sets apart (issue 17). The pages are tests/data/archive's."""

import pytest
from playwright.sync_api import expect

from . import test_browser
from .serving import gunicorn, index_with_cli, server_env
from .test_archive import ARCHIVE, DAILY, RAIN, WEEKLY, WIRE, copy_archive
from .test_browser import RESULT, RESULT_LINK, query_params, url_for

# The browser fixtures of the page's own tests, shared.
browser, new_context, page = test_browser.browser, test_browser.new_context, test_browser.page

ALL_WORDS = "Velmora OR harbour OR القمح"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("browser-archive")
    docs = copy_archive(workdir / "docs")
    env, port = server_env(docs, workdir / "index")
    assert " 0 failed" in index_with_cli(env)
    with gunicorn(env, port, workdir / "gunicorn.log") as (base_url, _):
        yield base_url


def shown_ids(page):
    return [
        href.split("/doc/", 1)[1].split("?", 1)[0]
        for href in page.locator(RESULT_LINK).evaluate_all("links => links.map(a => a.getAttribute('href'))")
    ]


def test_archive_pages_are_not_a_copy_of_another_folder():
    assert (ARCHIVE / WIRE).is_file() and (ARCHIVE / RAIN).is_file()


def test_a_year_facet_is_clicked_to_narrow_and_clicked_again_to_widen(server, page):
    page.goto(url_for(server, q=ALL_WORDS, collapse=0))
    year = page.locator(".facet[data-facet=year] a.facet-value", has_text="2022")
    expect(year).to_contain_text("2")
    before = page.locator(RESULT).count()
    with page.expect_navigation():
        year.click()
    assert query_params(page.url)["year"] == "2022"
    assert set(shown_ids(page)) == {WEEKLY, RAIN}
    chosen = page.locator(".facet[data-facet=year] a.chosen")
    expect(chosen).to_have_attribute("aria-current", "true")
    # The other years stay in view with their counts, to switch to.
    expect(page.locator(".facet[data-facet=year] a.facet-value", has_text="2021")).to_be_visible()
    with page.expect_navigation():
        chosen.click()
    assert "year" not in query_params(page.url)
    expect(page.locator(RESULT)).to_have_count(before)


def test_a_source_facet_keeps_the_query_and_the_other_filters(server, page):
    page.goto(url_for(server, q=ALL_WORDS, collapse=0, lang="en"))
    with page.expect_navigation():
        page.locator(".facet[data-facet=source] a.facet-value", has_text="weekly").click()
    params = query_params(page.url)
    assert (params["q"], params["lang"], params["source"], params["collapse"]) == (ALL_WORDS, "en", "weekly", "0")
    assert shown_ids(page) == [WEEKLY]


def test_newest_first_is_chosen_from_the_order_select_and_each_result_shows_its_date(server, page):
    page.goto(url_for(server, q="Velmora OR harbour", collapse=0))
    with page.expect_navigation():
        page.locator("#sort").select_option("date")  # no button press: the script submits
    assert query_params(page.url)["sort"] == "date"
    dates = page.locator(f"{RESULT} time.date").evaluate_all("times => times.map(t => t.getAttribute('datetime'))")
    assert len(dates) == page.locator(RESULT).count() >= 3
    assert dates == sorted(dates, reverse=True)
    assert shown_ids(page)[0] == WEEKLY


def test_a_date_range_typed_in_the_form_keeps_only_that_period(server, page):
    page.goto(url_for(server, q="Velmora", collapse=0))
    page.locator("#date_from").fill("2021-01-01")
    page.locator("#date_to").fill("2021-12-31")
    with page.expect_navigation():
        page.locator("form.search-form button[type=submit]").click()
    params = query_params(page.url)
    assert (params["date_from"], params["date_to"]) == ("2021-01-01", "2021-12-31")
    assert set(shown_ids(page)) == {WIRE, DAILY}
    expect(page.locator("#date_from")).to_have_value("2021-01-01")


def test_a_bad_date_in_the_address_is_an_alert_with_status_400(server, page):
    response = page.goto(url_for(server, q="Velmora", date_from="2021-02-30"))
    assert response.status == 400
    expect(page.locator(".error[role=alert]")).to_contain_text("date")


def test_copies_are_folded_behind_a_link_that_lists_them(server, page):
    page.goto(url_for(server, q="Velmora bridge"))
    shown = shown_ids(page)
    assert len({WIRE, DAILY} & set(shown)) == 1 and WEEKLY in shown
    link = page.locator(f"{RESULT} a.similar")
    expect(link).to_have_count(1)
    expect(link).to_contain_text("1 similar copy")
    with page.expect_navigation():
        link.click()
    assert query_params(page.url)["collapse"] == "0"
    assert set(shown_ids(page)) == {WIRE, DAILY}
    expect(page.locator(".copies-note")).to_be_visible()


def test_the_document_view_folds_the_boilerplate_greyed_and_opens_it_on_demand(server, page):
    page.goto(url_for(server, f"/doc/{RAIN}", q="القمح"))
    expect(page.locator(".document-body mark").first).to_be_visible()
    folded = page.locator("details.boilerplate")
    assert folded.count() >= 2
    teaser = folded.filter(has_text="معرض الكتاب")
    expect(teaser).to_have_count(1)
    expect(teaser.locator("p")).to_be_hidden()
    teaser.locator("summary").click()
    expect(teaser.locator("p")).to_be_visible()
    color = teaser.evaluate("d => getComputedStyle(d).color")
    body_color = page.locator(".document-body").evaluate("d => getComputedStyle(d).color")
    assert color != body_color  # set apart: greyed

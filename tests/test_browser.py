"""The search page in a real browser (Debian's Chromium driven by Playwright)
against the real gunicorn serving an index of the bundled sample corpus.

Screenshots of the results page and the document view are written to
``test-artifacts/`` (git-ignored) for people to look at; the tests only check
that they were written.
"""

import re
import shutil
import unicodedata
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import expect, sync_playwright

from .serving import gunicorn, index_with_cli, server_env

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
ACTION_TIMEOUT_MS = 10_000
EXPECT_TIMEOUT_MS = 5_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
ENGLISH_UI = {"Accept-Language": "en"}
ARABIC_UI = {"Accept-Language": "ar"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

RESULT = "article.result"
RESULT_LINK = "article.result .result-title a"
SNIPPET_MARK = "article.result .snippet mark"

expect.set_options(timeout=EXPECT_TIMEOUT_MS)


# --- the server and the browser ------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Base URL of the real gunicorn serving a fresh index of the bundled corpus."""
    workdir = tmp_path_factory.mktemp("browser")
    env, port = server_env(ROOT / "corpus", workdir / "index")
    assert " 0 failed" in index_with_cli(env)
    with gunicorn(env, port, workdir / "gunicorn.log") as (base_url, _):
        yield base_url


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is not on PATH"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_context(browser):
    """Make a fresh browser context (closed after the test)."""
    contexts = []

    def make(**options):
        settings = {**DESKTOP, "extra_http_headers": ENGLISH_UI, **options}
        context = browser.new_context(**settings)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh desktop context with an English interface."""
    return new_context().new_page()


# --- helpers ----------------------------------------------------------------


def url_for(base_url, path="/", **params):
    return f"{base_url}{path}" + (f"?{urlencode(params)}" if params else "")


def query_params(url):
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def search_by_typing(page, text):
    """Type ``text`` in the search box and press Enter; wait for the results page."""
    box = page.locator("#q")
    box.click()
    box.press_sequentially(text)
    with page.expect_navigation():
        box.press("Enter")
    assert query_params(page.url).get("q") == text


def result_hrefs(page):
    return page.locator(RESULT_LINK).evaluate_all("links => links.map(a => a.getAttribute('href'))")


def is_word_char(char):
    return bool(char) and unicodedata.category(char)[0] in "LMN"


def marks_with_neighbours(page, results=RESULT):
    """For every mark in a snippet of ``results``: (character before, marked
    text, character after)."""
    return page.locator(f"{results} .snippet").evaluate_all(
        """snippets => snippets.flatMap(snippet => Array.from(snippet.querySelectorAll('mark'), mark => {
            const before = document.createRange();
            before.setStart(snippet, 0);
            before.setEndBefore(mark);
            const text = snippet.textContent;
            const start = before.toString().length;
            const end = start + mark.textContent.length;
            return [text.slice(Math.max(0, start - 1), start), mark.textContent, text.slice(end, end + 1)];
        }))"""
    )


def assert_marks_are_whole_words(page, stem):
    """Every mark is a whole word; in the results matched by the words
    themselves (no typo badge), a form of ``stem``. A result matched
    through a typo marks the index word it has instead."""
    marks = marks_with_neighbours(page)
    assert marks, "no <mark> in any snippet"
    for before, word, after in marks:
        assert word.strip() == word and word, f"empty or padded mark {word!r}"
        assert not is_word_char(before), f"mark {word!r} starts inside a word (after {before!r})"
        assert not is_word_char(after), f"mark {word!r} ends inside a word (before {after!r})"
    exact_marks = marks_with_neighbours(page, f"{RESULT}:not(:has(.typo-badge))")
    assert exact_marks, "no <mark> in a result matched by the words themselves"
    for _, word, _ in exact_marks:
        assert stem in word.casefold(), f"mark {word!r} is not a form of {stem!r}"


def focused_outline(page):
    return page.evaluate("getComputedStyle(document.activeElement).outlineStyle")


def tab_until(page, locator, limit=20):
    """Press Tab until ``locator`` has the focus; fail after ``limit`` presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return presses
    active = page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
    pytest.fail(f"{limit} presses of Tab never reached {locator}; focus is on {active}")


def parse_css_colour(value):
    match = re.fullmatch(r"rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)", value.strip())
    assert match, f"unexpected computed colour {value!r}"
    red, green, blue, alpha = match.groups()
    return float(red), float(green), float(blue), 1.0 if alpha is None else float(alpha)


def composite(top, bottom):
    """``top`` (r, g, b, a) painted over the opaque ``bottom`` (r, g, b)."""
    *rgb, alpha = top
    return tuple(alpha * t + (1 - alpha) * b for t, b in zip(rgb, bottom, strict=True))


def relative_luminance(rgb):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first, second):
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def rendered_colours(page, selector):
    """The text colour of the first ``selector`` and the background colours from
    it up to the root element, as computed by the browser."""
    return page.locator(selector).first.evaluate(
        """element => {
            const backgrounds = [];
            for (let node = element; node; node = node.parentElement) {
                backgrounds.push(getComputedStyle(node).backgroundColor);
            }
            return {colour: getComputedStyle(element).color, backgrounds};
        }"""
    )


def contrast_of(page, selector):
    colours = rendered_colours(page, selector)
    background = (255.0, 255.0, 255.0)  # the canvas
    for layer in reversed(colours["backgrounds"]):
        background = composite(parse_css_colour(layer), background)
    return contrast_ratio(composite(parse_css_colour(colours["colour"]), background), background)


def horizontal_overflow(page):
    return page.evaluate(
        """() => ({
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            widest: Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5
                          || e.getBoundingClientRect().left < -0.5)
                .slice(0, 5).map(e => e.tagName + '.' + e.className),
        })"""
    )


def save_screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    path.unlink(missing_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


# --- searching ---------------------------------------------------------------


def test_arabic_query_typed_and_entered_shows_snippets_with_whole_words_marked(server, page):
    page.goto(url_for(server))
    search_by_typing(page, "انتخابات")

    expect(page.locator(RESULT).first).to_be_visible()
    expect(page.locator(SNIPPET_MARK).first).to_be_visible()
    assert_marks_are_whole_words(page, "نتخاب")


def test_english_query_typed_and_entered_shows_snippets_with_whole_words_marked(server, page):
    page.goto(url_for(server))
    search_by_typing(page, "elections")

    expect(page.locator(RESULT).first).to_be_visible()
    expect(page.locator(SNIPPET_MARK).first).to_be_visible()
    assert_marks_are_whole_words(page, "election")


def test_each_result_declares_its_language_and_direction_and_its_snippet_flows_that_way(server, page):
    page.goto(url_for(server, q="OSCE"))  # matches Arabic and English documents
    expect(page.locator(RESULT).first).to_be_visible()

    results = page.locator(RESULT).evaluate_all(
        """articles => articles.map(a => ({
            lang: a.getAttribute('lang'),
            dir: a.getAttribute('dir'),
            snippet: getComputedStyle(a.querySelector('.snippet')).direction,
        }))"""
    )
    assert {result["lang"] for result in results} == {"ar", "en"}, results
    for result in results:
        expected = {"ar": "rtl", "en": "ltr"}[result["lang"]]
        assert result["dir"] == expected, result
        assert result["snippet"] == expected, result


def test_query_box_has_dir_auto_and_keeps_the_query_after_submit(server, page):
    page.goto(url_for(server))
    box = page.locator("#q")
    expect(box).to_have_attribute("dir", "auto")

    for text, direction in (("انتخابات", "rtl"), ("elections", "ltr")):
        box.fill("")
        search_by_typing(page, text)
        expect(box).to_have_value(text)
        expect(box).to_have_attribute("dir", "auto")
        assert box.evaluate("input => getComputedStyle(input).direction") == direction


def test_pagination_next_shows_page_two_with_other_results_and_previous_comes_back(server, page):
    page.goto(url_for(server, q="Kazakhstan", per_page=3))  # 11 results: 4 pages
    pagination = page.locator("nav.pagination")
    expect(pagination).to_be_visible()
    for n in (2, 3, 4):
        expect(pagination.locator(f'a[aria-label="Page {n}"]')).to_have_count(1)
    expect(pagination.locator("[aria-current=page]")).to_have_text("1")
    expect(pagination.locator("a[rel=prev]")).to_have_count(0)
    first_page = result_hrefs(page)
    assert len(first_page) == 3

    with page.expect_navigation():
        pagination.locator("a[rel=next]").click()
    assert query_params(page.url) == {"q": "Kazakhstan", "page": "2", "per_page": "3"}
    expect(page.locator("nav.pagination [aria-current=page]")).to_have_text("2")
    second_page = result_hrefs(page)
    assert len(second_page) == 3
    assert not set(first_page) & set(second_page), (first_page, second_page)

    with page.expect_navigation():
        page.locator("nav.pagination a[rel=prev]").click()
    assert query_params(page.url) == {"q": "Kazakhstan", "page": "1", "per_page": "3"}
    expect(page.locator("nav.pagination [aria-current=page]")).to_have_text("1")
    assert result_hrefs(page) == first_page


def test_choosing_english_in_the_language_select_submits_and_shows_only_english_results(server, page):
    page.goto(url_for(server, q="OSCE"))
    expect(page.locator(f"{RESULT}[lang=ar]").first).to_be_visible()

    with page.expect_navigation():
        page.locator("#lang").select_option("en")  # no button press: the script submits
    assert query_params(page.url).get("lang") == "en"
    assert query_params(page.url).get("q") == "OSCE"
    expect(page.locator(RESULT).first).to_be_visible()
    expect(page.locator(f"{RESULT}:not([lang=en])")).to_have_count(0)
    expect(page.locator("#lang")).to_have_value("en")
    expect(page.locator("#q")).to_have_value("OSCE")


def test_did_you_mean_link_for_misspelt_kazakhstan_leads_to_its_results(server, page):
    # Searched exactly as typed (exact=1) the word finds nothing, so the page offers the correction.
    page.goto(url_for(server, q="كازاخستتان", exact="1"))
    suggestion = page.locator(".suggestion a")
    expect(suggestion).to_have_text("كازاخستان")

    with page.expect_navigation():
        suggestion.click()
    assert query_params(page.url).get("q") == "كازاخستان"
    expect(page.locator("#q")).to_have_value("كازاخستان")
    expect(page.locator(RESULT).first).to_be_visible()
    expect(page.locator(SNIPPET_MARK).first).to_be_visible()
    assert_marks_are_whole_words(page, "كازاخستان")


def test_misspelt_query_shows_typo_matches_a_suggestion_and_a_way_to_the_exact_words(server, page):
    page.goto(url_for(server, q="كازاخستتان"))
    # Typo tolerance finds the documents with the word meant, each marked
    # as matched with a typo; the page says which word it read and offers
    # the correction and the words exactly as typed.
    expect(page.locator("p.rewrite")).to_have_count(0)
    note = page.locator("p.typo-matches")
    expect(note).to_contain_text("Also showing close spellings")
    expect(note.locator(".typo-match bdi").nth(0)).to_have_text("كازاخستتان")
    expect(note.locator(".typo-match bdi").nth(1)).to_have_text("كازاخستان")
    results = page.locator(RESULT)
    expect(results.first).to_be_visible()
    expect(results.first.locator(".typo-badge")).to_have_text("matched with 1 typo")
    marked = [word for _, word, _ in marks_with_neighbours(page)]
    assert marked and all("كازاخستان" in word for word in marked), marked
    expect(page.locator(".suggestion a")).to_have_text("كازاخستان")
    with page.expect_navigation():
        note.locator("a").click()
    assert query_params(page.url).get("q") == "كازاخستتان"
    assert query_params(page.url).get("exact") == "1"
    expect(page.locator("p.typo-matches")).to_have_count(0)
    expect(page.locator(RESULT)).to_have_count(0)
    expect(page.locator(".suggestion a")).to_have_text("كازاخستان")


def test_a_word_typed_on_the_other_layout_is_rewritten_with_a_way_back(server, page):
    page.goto(url_for(server, q="hgsghl"))
    rewrite = page.locator("p.rewrite")
    expect(rewrite).to_contain_text("Showing results for")
    links = rewrite.locator("a")
    expect(links.first).to_have_text("السلام")
    expect(page.locator(RESULT).first).to_be_visible()
    with page.expect_navigation():
        links.nth(1).click()
    assert query_params(page.url).get("q") == "hgsghl"
    assert query_params(page.url).get("exact") == "1"
    expect(page.locator("p.rewrite")).to_have_count(0)


def test_nonsense_query_shows_no_match_message_and_tips(server, page):
    response = page.goto(url_for(server, q="zzqxv blorf"))
    assert response.status == 200
    empty = page.locator("#results-area .empty")
    expect(empty).to_be_visible()
    expect(empty).to_contain_text("No documents match")
    expect(empty.locator("bdi")).to_have_text("zzqxv blorf")
    expect(empty.locator("li").first).to_contain_text("Check the spelling")
    expect(empty.locator("li")).to_contain_text(["Check the spelling", "Use OR between alternatives"])
    expect(page.locator(RESULT)).to_have_count(0)


def test_invalid_page_parameter_shows_an_alert_without_stack_trace_and_status_400(server, page):
    response = page.goto(url_for(server, q="drought", page="abc"))
    assert response.status == 400
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("page must be a positive whole number")
    text = page.locator("body").inner_text()
    for leak in ("Traceback", 'File "', ".py", "Exception", "Error:"):
        assert leak not in text, f"{leak!r} shown on the error page"
    expect(page.locator(RESULT)).to_have_count(0)


# --- the document view --------------------------------------------------------


def test_result_title_opens_whole_document_scrolled_to_first_match_and_back_link_returns(server, new_context):
    page = new_context(**PHONE).new_page()
    # The only result on page 2 first mentions "investors" near its end.
    page.goto(url_for(server, q="investors", page=2, per_page=1))
    results = result_hrefs(page)
    assert len(results) == 1
    snippet = page.locator(f"{RESULT} .snippet").inner_text()

    with page.expect_navigation():
        page.locator(RESULT_LINK).click()
    assert urlsplit(page.url).path.startswith("/doc/")
    body = page.locator(".document-body")
    expect(body).to_be_visible()
    assert len(body.inner_text()) > 2 * len(snippet), "the document view does not show the whole document"
    matches = int(re.search(r"(\d+) matches for", page.locator(".document .meta").inner_text()).group(1))
    expect(body.locator("mark")).to_have_count(matches)
    assert matches >= 1

    first = page.locator("#first-match")
    expect(first).to_have_count(1)
    expect(first).to_be_in_viewport()
    geometry = first.evaluate(
        """mark => {
            const box = mark.getBoundingClientRect();
            return {top: box.top, bottom: box.bottom, scrollY: window.scrollY, height: window.innerHeight};
        }"""
    )
    # Without scrolling the mark would be below the fold: the page scrolled to it.
    assert geometry["top"] + geometry["scrollY"] > geometry["height"], geometry
    assert 0 <= geometry["top"] and geometry["bottom"] <= geometry["height"], geometry

    with page.expect_navigation():
        page.locator("nav.back a").click()
    assert query_params(page.url) == {"q": "investors", "page": "2", "per_page": "1"}
    assert result_hrefs(page) == results


# --- keyboard, scripts off, search as you type --------------------------------


def test_keyboard_only_skip_link_search_box_results_and_document_with_visible_focus(server, page):
    page.goto(url_for(server))

    skip_link = page.locator("a.skip-link")
    tab_until(page, skip_link)
    assert focused_outline(page) != "none"
    box = skip_link.bounding_box()
    assert box and box["y"] >= 0, f"the focused skip link is off screen: {box}"

    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    assert focused_outline(page) != "none"
    page.keyboard.type("elections")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert query_params(page.url).get("q") == "elections"

    first_result = page.locator(RESULT_LINK).first
    tab_until(page, first_result)
    assert focused_outline(page) != "none"
    href = first_result.get_attribute("href")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == url_for(server, href)
    expect(page.locator(".document-body mark").first).to_be_visible()


def test_with_javascript_disabled_the_form_submits_and_results_render_server_side_with_marks(server, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(url_for(server))
    page.locator("#q").fill("انتخابات")
    with page.expect_navigation():
        page.locator("#q").press("Enter")
    assert query_params(page.url).get("q") == "انتخابات"
    expect(page.locator(RESULT).first).to_be_visible()
    expect(page.locator(SNIPPET_MARK).first).to_be_visible()
    assert_marks_are_whole_words(page, "نتخاب")


def test_typing_slowly_updates_results_in_place_without_a_page_load_and_the_url_follows(server, page):
    page.goto(url_for(server))
    loads = []
    page.on("domcontentloaded", lambda loaded: loads.append(loaded.url))
    page.evaluate("window.__sameDocument = 'still here'")
    expect(page.locator(RESULT)).to_have_count(0)

    page.locator("#q").press_sequentially("elections", delay=120)

    expect(page.locator(f"#results-area {RESULT}").first).to_be_visible()
    expect(page.locator(SNIPPET_MARK).first).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]q=elections(&|$)"))
    assert page.evaluate("window.__sameDocument") == "still here"
    assert loads == [], f"the page was loaded again: {loads}"


# --- interface language, OpenSearch, network ------------------------------------


def test_arabic_interface_from_accept_language_and_switch_to_english_sticks(server, new_context):
    context = new_context(extra_http_headers=ARABIC_UI)
    page = context.new_page()
    page.goto(url_for(server, q="انتخابات"))
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    expect(page.locator("form.search-form button")).to_have_text("بحث")

    switch = page.locator("a.ui-switch")
    expect(switch).to_have_text("English")
    with page.expect_navigation():
        switch.click()
    expect(html).to_have_attribute("lang", "en")
    expect(html).to_have_attribute("dir", "ltr")
    expect(page.locator("form.search-form button")).to_have_text("Search")
    assert query_params(page.url).get("q") == "انتخابات"

    page.goto(url_for(server, q="elections"))  # no ui= any more: the cookie decides
    expect(html).to_have_attribute("lang", "en")
    expect(html).to_have_attribute("dir", "ltr")
    expect(page.locator("form.search-form button")).to_have_text("Search")
    assert {(c["name"], c["value"]) for c in context.cookies(server)} >= {("ui", "en")}


def test_opensearch_link_in_head_and_description_served_with_its_media_type(server, page):
    page.goto(url_for(server))
    link = page.locator('head link[rel="search"]')
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("type", "application/opensearchdescription+xml")
    href = link.get_attribute("href")

    response = page.request.get(url_for(server, href))
    assert response.status == 200
    assert response.headers["content-type"].split(";")[0].strip() == "application/opensearchdescription+xml"
    body = response.text()
    assert "<OpenSearchDescription" in body
    assert f'template="{server}/?q={{searchTerms}}"' in body


def test_no_request_leaves_the_test_server(server, new_context):
    context = new_context(extra_http_headers=ARABIC_UI)
    urls = []
    context.on("request", lambda request: urls.append(request.url))
    page = context.new_page()

    page.goto(url_for(server))
    page.locator("#q").press_sequentially("انتخابات", delay=80)
    expect(page.locator(RESULT).first).to_be_visible()  # filled in by search as you type
    with page.expect_navigation():
        page.locator("#q").press("Enter")
    with page.expect_navigation():
        page.locator(RESULT_LINK).first.click()
    expect(page.locator("#first-match")).to_be_visible()

    assert any("partial=1" in url for url in urls), urls
    assert any("/static/" in url for url in urls), urls
    strangers = [url for url in urls if not url.startswith(f"{server}/")]
    assert not strangers, strangers


# --- looks: contrast, phone width, screenshots ------------------------------------


@pytest.mark.parametrize("ui", ["en", "ar"])
def test_text_links_summary_and_marks_have_contrast_of_at_least_4_5(server, page, ui):
    page.goto(url_for(server, q="انتخابات", ui=ui))
    expect(page.locator(SNIPPET_MARK).first).to_be_visible()
    elements = {
        "body text": f"{RESULT} .snippet",
        "link": RESULT_LINK,
        "muted summary": "p.summary",
        "marked text": SNIPPET_MARK,
    }
    ratios = {name: round(contrast_of(page, selector), 2) for name, selector in elements.items()}
    low = {name: ratio for name, ratio in ratios.items() if ratio < 4.5}
    assert not low, f"contrast below 4.5:1: {low} (all: {ratios})"


@pytest.mark.parametrize("headers", [ENGLISH_UI, ARABIC_UI], ids=["en-ui", "ar-ui"])
def test_phone_width_results_and_document_do_not_scroll_sideways(server, new_context, headers):
    page = new_context(**PHONE, extra_http_headers=headers).new_page()
    pages = [
        url_for(server, q="Kazakhstan", per_page=50),  # long English paths
        url_for(server, q="انتخابات"),
    ]
    for address in pages:
        page.goto(address)
        expect(page.locator(RESULT).first).to_be_visible()
        overflow = horizontal_overflow(page)
        assert overflow["innerWidth"] == PHONE["viewport"]["width"], (address, overflow)
        assert overflow["scrollWidth"] <= overflow["innerWidth"], (address, overflow)

        with page.expect_navigation():
            page.locator(RESULT_LINK).first.click()
        expect(page.locator(".document-body")).to_be_visible()
        overflow = horizontal_overflow(page)
        assert overflow["innerWidth"] == PHONE["viewport"]["width"], (page.url, overflow)
        assert overflow["scrollWidth"] <= overflow["innerWidth"], (page.url, overflow)


def test_screenshots_of_results_and_document_at_desktop_and_phone_in_both_interfaces(server, new_context):
    written = []
    for width_name, device in (("desktop", DESKTOP), ("phone", PHONE)):
        for ui_name, headers in (("en", ENGLISH_UI), ("ar", ARABIC_UI)):
            page = new_context(**device, extra_http_headers=headers).new_page()
            page.goto(url_for(server, q="انتخابات"))
            expect(page.locator(SNIPPET_MARK).first).to_be_visible()
            written.append(save_screenshot(page, f"results-{width_name}-{ui_name}-ui.png"))
            with page.expect_navigation():
                page.locator(RESULT_LINK).first.click()
            expect(page.locator("#first-match")).to_be_in_viewport()
            written.append(save_screenshot(page, f"document-{width_name}-{ui_name}-ui.png"))

    for path in written:
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE), path
        assert len(data) > 1000, path

"""Snippets and whole-document marking (search/highlight.py), on texts written
here, with the index analyzer."""

import re
from html import unescape

import pytest

from search.analysis import bilingual_analyzer
from search.highlight import ELLIPSIS, find_spans, make_snippet, mark_document, title_ranges

ANALYZER = bilingual_analyzer()
TAG = re.compile(r"<[^>]*>")
MARK = re.compile(r"<mark>(.*?)</mark>")

FILLER_EN = (
    "The ferry timetable changed again this spring, and the cafes along the quay now open an hour "
    "later than they did when the old pier was still standing beside the fish market. "
)
FILLER_AR = "وتواصل البلدية أعمال الرصف في الشوارع القديمة قرب السوق الشعبي حيث يبيع التجار الخضار والفواكه كل صباح. "

# Term A early and often, term B once near the end.
EN_TITLE = "Lantern festival draws crowds"
EN_TEXT = (
    f"{EN_TITLE}\n"
    + "Every lantern on the bridge was lit at dusk, and each lantern carried a wish. " * 6
    + FILLER_EN * 5
    + "At midnight a single violinist played from a rowing boat. "
    + FILLER_EN
)
AR_TITLE = "مهرجان الفوانيس يجذب الزوار"
AR_TEXT = (
    f"{AR_TITLE}\n"
    + "علق الأطفال الفوانيس على الجسر، وأضاءت الفوانيس الملونة ضفاف النهر حتى الفجر. " * 6
    + FILLER_AR * 5
    + "وفي منتصف الليل عزف موسيقي على الكمان من قارب صغير. "
    + FILLER_AR
)
CASES = {
    "english": (EN_TEXT, EN_TITLE, "lantern violinist"),
    "arabic": (AR_TEXT, AR_TITLE, "الفوانيس الكمان"),
}


def terms_of(query):
    return {t.text for t in ANALYZER(query)}


def snippet_for(text, query, title=None):
    spans = find_spans(text, terms_of(query), ANALYZER)
    return make_snippet(text, spans, title_ranges(text, title) if title else ())


def plain(html):
    return unescape(TAG.sub("", html))


def fragments(snippet):
    return [piece.strip() for piece in plain(snippet).split(ELLIPSIS) if piece.strip()]


def compact(text):
    return " ".join(text.split())


# --- make_snippet ---------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_snippet_shows_every_distinct_term_even_a_rare_late_one(case):
    text, title, query = CASES[case]
    snippet = snippet_for(text, query, title)
    marked = {t.text for word in MARK.findall(snippet) for t in ANALYZER(unescape(word))}
    assert marked == terms_of(query)


@pytest.mark.parametrize("case", CASES)
def test_snippet_fragments_are_joined_by_an_ellipsis(case):
    text, title, query = CASES[case]
    snippet = snippet_for(text, query, title)
    assert f" {ELLIPSIS} " in snippet
    assert len(fragments(snippet)) >= 2
    assert all(MARK.search(piece) for piece in snippet.split(ELLIPSIS) if piece.strip())


@pytest.mark.parametrize(
    ("case", "query"),
    [
        ("english", "lantern violinist"),
        ("english", "ferry"),
        ("english", "quay boat wish"),
        ("english", "nothing-matches-here"),
        ("arabic", "الفوانيس الكمان"),
        ("arabic", "السوق"),
        ("arabic", "الجسر قارب التجار"),
    ],
)
def test_snippet_never_cuts_a_word(case, query):
    text, title, _ = CASES[case]
    words = compact(text)
    for fragment in fragments(snippet_for(text, query, title)):
        at = words.find(fragment)
        assert at != -1, fragment
        end = at + len(fragment)
        assert at == 0 or words[at - 1] == " ", fragment
        assert end == len(words) or words[end] == " ", fragment


@pytest.mark.parametrize(
    ("case", "query"),
    [
        ("english", "lantern violinist"),
        ("english", "ferry"),
        ("english", "nothing-matches-here"),
        ("arabic", "الفوانيس الكمان"),
        ("arabic", "السوق"),
    ],
)
def test_snippet_of_a_long_document_is_a_few_hundred_characters(case, query):
    text, title, _ = CASES[case]
    assert len(text) > 1000
    assert 200 <= len(plain(snippet_for(text, query, title))) <= 400


@pytest.mark.parametrize("case", CASES)
def test_snippet_leaves_out_the_title_repeated_at_the_top(case):
    text, title, _ = CASES[case]
    title_word = title.split()[1]  # "festival" is only in the title, "الفوانيس" in both
    snippet = snippet_for(text, title_word, title)
    assert title not in plain(snippet)
    body = compact(text[len(title) :])
    assert all(fragment in body for fragment in fragments(snippet))


def test_title_ranges_finds_each_repetition_of_the_title():
    text = "Quiet harbour\nQuiet harbour reopens. Later: Quiet harbour again."
    starts = [0, 14, text.rindex("Quiet")]
    assert title_ranges(text, "Quiet harbour") == [(start, start + 13) for start in starts]
    assert title_ranges(text, "") == []


def test_a_match_only_in_the_title_is_not_marked():
    text = "Lantern makers\nThe workshop on the hill sells paper and glue to schools."
    snippet = snippet_for(text, "lantern", "Lantern makers")
    assert "<mark>" not in snippet
    assert plain(snippet).lstrip(f"{ELLIPSIS} ").startswith("The workshop")


@pytest.mark.parametrize("case", CASES)
def test_without_a_match_the_snippet_is_the_opening_text_after_the_title(case):
    text, title, _ = CASES[case]
    snippet = snippet_for(text, "zebra", title)
    assert "<mark>" not in snippet
    body = compact(text[len(title) :])
    opening = fragments(snippet)[0]
    assert body.startswith(opening)
    assert len(opening) > 100


def test_without_a_match_or_title_a_short_text_is_whole():
    text = "A short note about the pier."
    assert make_snippet(text, []) == text


HOSTILE = (
    "Safety notes\n"
    'The page showed <script>alert("x")</script> next to the lantern & the <b>bold</b> '
    "label, with <img src=x onerror='y'> after it. " + FILLER_EN * 4
)


@pytest.mark.parametrize("query", ["lantern", "script", "zebra", "bold"])
def test_snippet_escapes_html_and_adds_only_mark_tags(query):
    snippet = snippet_for(HOSTILE, query, "Safety notes")
    assert set(TAG.findall(snippet)) <= {"<mark>", "</mark>"}
    assert "<script" not in snippet and "<img" not in snippet and "<b>" not in snippet
    assert "&lt;" in snippet and "&amp;" in snippet
    assert '<script>alert("x")</script>' in plain(snippet)


# --- mark_document ------------------------------------------------------------


DOCUMENT = (
    "الوزير يفتتح المكتبة\n"
    "افتتح الوزير المكتبة الجديدة، وقال الوزير إن <المكتبة> ستفتح أبوابها للطلاب & الباحثين "
    'كل يوم. The minister said "the library" opens daily; the minister smiled.\n'
)


@pytest.mark.parametrize(("query", "count"), [("الوزير", 3), ("minister", 2), ("الوزير minister", 5), ("zebra", 0)])
def test_mark_document_marks_every_occurrence(query, count):
    html = mark_document(DOCUMENT, find_spans(DOCUMENT, terms_of(query), ANALYZER))
    assert len(re.findall(r"<mark[ >]", html)) == count
    assert len(re.findall(r'<mark id="first-match">', html)) == min(count, 1)
    if count:
        assert html.index('<mark id="first-match">') == html.index("<mark")


@pytest.mark.parametrize("query", ["الوزير", "المكتبة library", "zebra", "the"])
def test_mark_document_keeps_the_text_and_escapes_it(query):
    html = mark_document(DOCUMENT, find_spans(DOCUMENT, terms_of(query), ANALYZER))
    assert unescape(TAG.sub("", html)) == DOCUMENT
    assert set(re.findall(r"<[^>]*>", html)) <= {"<mark>", "</mark>", '<mark id="first-match">'}
    assert "<المكتبة>" not in html
    assert "&lt;" in html and "&gt;" in html and "&amp;" in html and "&quot;" in html


def test_mark_document_marks_the_word_as_written():
    html = mark_document(DOCUMENT, find_spans(DOCUMENT, terms_of("وزير"), ANALYZER))
    assert re.findall(r"<mark[^>]*>(.*?)</mark>", html) == ["الوزير", "الوزير", "الوزير"]


# --- find_spans -----------------------------------------------------------------


@pytest.mark.parametrize("text", ["وزير الزراعة", "قال وزير إن وزير المالية"])
def test_a_word_indexed_under_two_stems_is_one_span(text):
    stems = [t.text for t in ANALYZER("وزير", mode="index")]
    assert len(stems) == 2  # وزير is indexed under وزير and زير
    spans = find_spans(text, set(stems), ANALYZER)
    assert len(spans) == text.split().count("وزير")
    assert len({span.start for span in spans}) == len(spans)
    assert mark_document(text, spans).count("<mark") == len(spans)


def test_spans_cover_the_whole_written_word_with_its_clitics():
    text = "وقالت إن والانتخابات وبدأت الاستعدادات للانتخابات بالانتخابات"
    spans = find_spans(text, terms_of("انتخابات"), ANALYZER)
    assert [text[s.start : s.end] for s in spans] == ["والانتخابات", "للانتخابات", "بالانتخابات"]


def test_no_terms_give_no_spans():
    assert find_spans("any text at all", set(), ANALYZER) == []

"""Query syntax over the bundled corpus: prefix*, fuzzy~ and fuzzy~2 with their
bounded expansion, explain=1, and phrases matched on normalised forms."""

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from whoosh import query as wq

from search.analysis import normalize_arabic
from search.index import open_index, update_index
from search.query import MAX_EXPANSIONS, bound_expansions, build_query, positive_terms

ROOT = Path(__file__).resolve().parent.parent

AR_ELECTIONS = {
    "ar/politics/kz-early-elections.txt",
    "ar/news/breaking-kz-results.txt",
    "ar/politics/kz-observers-osce.txt",
}
EN_ELECTIONS = {"en/politics/kz-election-observers.txt", "en/news/chrome-jordan-elections.txt"}
AR_KAZAKHSTAN = {
    "ar/politics/kz-early-elections.txt",
    "ar/economy/kz-tenge-rate-hike.txt",
    "ar/space/baikonur-soyuz-launch.txt",
    "ar/politics/kz-peacekeepers-withdrawal.txt",
}
MARK = re.compile(r"<mark>(.*?)</mark>")


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("features-corpus-index")
    summary = update_index(ROOT / "corpus", folder)
    assert summary.failed == []
    return folder


@pytest.fixture
def corpus_client(make_app, corpus_index):
    return make_app(ROOT / "corpus", corpus_index).test_client()


@pytest.fixture(scope="module")
def corpus_searcher(corpus_index):
    with open_index(corpus_index).searcher() as searcher:
        yield searcher


def search(client, query, status=200, **params):
    response = client.get("/search", query_string={"q": query, "per_page": 50, **params})
    assert response.status_code == status, response.get_json()
    return response.get_json()


def ids(data):
    return {result["id"] for result in data["results"]}


def is_letter(char):
    return char.isalpha() or char.isdigit()


def marks_are_whole_words(snippet):
    """Every <mark> starts and ends at a word boundary of the snippet."""
    for match in MARK.finditer(snippet):
        before = snippet[match.start() - 1] if match.start() else " "
        after = snippet[match.end()] if match.end() < len(snippet) else " "
        if is_letter(before) or is_letter(after):
            return False
    return True


def expansions(query):
    """The Or groups bound_expansions made, by field."""
    groups = []

    def walk(node):
        if isinstance(node, wq.Or) and node.subqueries and all(isinstance(q, wq.Term) for q in node.subqueries):
            groups.append(node)
        for child in node.children():
            walk(child)

    walk(query)
    return groups


# --- prefix* ------------------------------------------------------------------


def test_an_arabic_prefix_finds_the_election_articles(corpus_client):
    data = search(corpus_client, "انتخ*")
    assert AR_ELECTIONS <= ids(data)
    assert {result["lang"] for result in data["results"]} == {"ar"}


@pytest.mark.parametrize("query", ["انتخ*", "Elect*", "elect*"])
def test_a_prefix_marks_whole_words_in_snippets(corpus_client, query):
    data = search(corpus_client, query)
    snippets = [result["snippet"] for result in data["results"]]
    assert any(MARK.search(snippet) for snippet in snippets)
    for snippet in snippets:
        assert marks_are_whole_words(snippet), snippet


def test_an_arabic_prefix_marks_the_full_written_word(corpus_client):
    data = search(corpus_client, "انتخ*")
    marked = {word for result in data["results"] for word in MARK.findall(result["snippet"])}
    assert "الانتخابات" in marked
    assert all("انتخ" in normalize_arabic(word) for word in marked), marked
    assert "انتخ" not in marked


@pytest.mark.parametrize("query", ["Elect*", "elect*"])
def test_an_english_prefix_finds_the_election_articles(corpus_client, query):
    data = search(corpus_client, query)
    assert EN_ELECTIONS <= ids(data)
    assert {result["lang"] for result in data["results"]} == {"en"}


@pytest.mark.parametrize("query", ["a*", "ا*", "م*"])
def test_a_one_letter_prefix_is_searched_as_the_letter_itself(corpus_client, corpus_searcher, query):
    bound = bound_expansions(build_query(corpus_searcher.schema, query), corpus_searcher.reader())
    assert {text for _, text in positive_terms(bound)} == {query[0]}
    # Found: only documents that have the letter itself as a word, in some field.
    reader = corpus_searcher.reader()
    holding = sum(reader.doc_frequency(field, query[0]) for field in ("title", "body", "title_exact", "body_exact"))
    assert search(corpus_client, query, exact="1")["total"] <= holding


@pytest.mark.parametrize(
    ("query", "field"),
    [("ال*", "body_exact"), ("ال*", "title_exact"), ("وا*", "body_exact"), ("وت*", "body"), ("مسل~2", "body")],
)
def test_an_expansion_never_has_more_than_max_expansions_terms(corpus_searcher, query, field):
    reader = corpus_searcher.reader()
    parsed = build_query(corpus_searcher.schema, query)
    raw = next(q for q in parsed.leaves() if q.fieldname == field)
    if isinstance(raw, wq.FuzzyTerm):
        prefix = max(raw.prefixlength, 1)  # even with the first letter fixed
        available = list(reader.terms_within(field, raw.text, raw.maxdist, prefix=prefix))
    else:
        available = list(reader.expand_prefix(field, raw.text))
    assert len(available) > MAX_EXPANSIONS  # the prefix would exceed the bound
    groups = expansions(bound_expansions(parsed, reader))
    assert groups and all(len(group.subqueries) <= MAX_EXPANSIONS for group in groups)
    assert any(len(group.subqueries) == MAX_EXPANSIONS and group.subqueries[0].fieldname == field for group in groups)


@pytest.mark.parametrize(("query", "field"), [("ال*", "body_exact"), ("وت*", "body")])
def test_an_expansion_keeps_the_most_frequent_terms(corpus_searcher, query, field):
    reader = corpus_searcher.reader()
    parsed = build_query(corpus_searcher.schema, query)
    group = next(g for g in expansions(bound_expansions(parsed, reader)) if g.subqueries[0].fieldname == field)
    kept = {term.text for term in group.subqueries}
    available = {t.decode() if isinstance(t, bytes) else t for t in reader.expand_prefix(field, query[:-1])}
    frequency = {term: reader.doc_frequency(field, term) for term in available}
    assert min(frequency[term] for term in kept) >= max(frequency[term] for term in available - kept)


# --- fuzzy~ -------------------------------------------------------------------


def test_a_fuzzy_arabic_word_finds_the_kazakhstan_articles(corpus_client):
    data = search(corpus_client, "كازاخستتان~")
    assert AR_KAZAKHSTAN <= ids(data)


def test_a_fuzzy_english_word_finds_the_election_articles(corpus_client):
    assert EN_ELECTIONS <= ids(search(corpus_client, "elecions~"))


@pytest.mark.parametrize(("query", "written"), [("كازاخستتان~", "كازاخستان"), ("elecions~", "elections")])
def test_a_fuzzy_match_is_marked_in_the_snippet(corpus_client, query, written):
    data = search(corpus_client, query)
    marked = {word.casefold() for result in data["results"] for word in MARK.findall(result["snippet"])}
    assert written in marked


@pytest.mark.parametrize(("one_edit", "two_edits"), [("elecins~", "elecins~2"), ("كزاخستتان~", "كزاخستتان~2")])
def test_tilde_two_allows_two_edits(corpus_client, one_edit, two_edits):
    # exact=1: the words as typed, so no typo rewrite steps in
    assert search(corpus_client, one_edit, exact="1")["total"] == 0
    assert search(corpus_client, two_edits, exact="1")["total"] > 0


def test_tilde_two_finds_the_same_articles_as_the_word(corpus_client):
    assert EN_ELECTIONS <= ids(search(corpus_client, "elecins~2"))


# --- explain ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("والانتخابات في", [("والانتخابات", "انتخاب", False), ("في", None, True)]),
        ("Observers of", [("observers", "observ", False), ("of", None, True)]),
        ("الإنتخابات", [("الانتخابات", "انتخاب", False)]),
    ],
)
def test_explain_gives_each_word_its_normalised_form_stem_and_stopword(corpus_client, query, expected):
    words = search(corpus_client, query, explain=1)["explain"]["words"]
    assert [(w["normalized"], w["stem"], w["stopword"]) for w in words] == expected
    assert [w["word"] for w in words] == query.split()


@pytest.mark.parametrize("params", [{}, {"explain": "0"}, {"explain": "false"}])
def test_no_explain_key_without_explain(corpus_client, params):
    assert "explain" not in search(corpus_client, "والانتخابات في", **params)


@pytest.mark.parametrize("value", ["abc", "2", "yes"])
def test_an_invalid_explain_is_a_bad_request(corpus_client, value):
    data = search(corpus_client, "elections", status=400, explain=value)
    assert "explain" in data["error"]["message"]
    assert corpus_client.get("/", query_string={"q": "elections", "explain": value}).status_code == 400


def test_the_page_explains_the_query_in_a_details_table(corpus_client):
    response = corpus_client.get("/", query_string={"q": "والانتخابات في"})
    assert response.status_code == 200
    details = BeautifulSoup(response.data, "html.parser").select_one("details")
    assert details is not None and details.find("summary") is not None
    rows = [[cell.get_text(strip=True) for cell in row.find_all("td")] for row in details.select("table tbody tr")]
    assert [row[0] for row in rows] == ["والانتخابات", "في"]
    assert rows[0][2] == "انتخاب"
    assert rows[1][2] in ("", "—")  # a stopword has no stem
    assert rows[1][3] and not rows[0][3]  # only the stopword carries a note


# --- phrases on normalised forms ----------------------------------------------


@pytest.mark.parametrize(
    ("diacritised", "plain"),
    [
        ('"الانْتِخَابَاتُ الرِّئَاسِيَّةُ"', '"الانتخابات الرئاسية"'),
        ('"مَهْرَجَانُ الشِّعْرِ"', '"مهرجان الشعر"'),
    ],
)
def test_a_diacritised_phrase_matches_like_the_plain_one(corpus_client, diacritised, plain):
    expected = ids(search(corpus_client, plain))
    assert expected
    assert ids(search(corpus_client, diacritised)) == expected


def test_a_diacritised_phrase_matches_undiacritised_text(corpus_client):
    data = search(corpus_client, '"الانْتِخَابَاتُ الرِّئَاسِيَّةُ"')
    assert "ar/politics/kz-early-elections.txt" in ids(data)
    assert (ROOT / "corpus/ar/politics/kz-early-elections.txt").read_text("utf-8").count("الانتخابات الرئاسية")


def test_a_phrase_keeps_its_word_order(corpus_client):
    assert search(corpus_client, '"الرِّئَاسِيَّةُ الانْتِخَابَاتُ"')["total"] == 0

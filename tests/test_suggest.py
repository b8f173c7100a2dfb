"""Did-you-mean: the weighted edit cost, the edit budget, and suggestions over
the bundled corpus (through the JSON API and the search page)."""

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyarabic.araby as araby
import pytest
from bs4 import BeautifulSoup

from search.analysis import normalize_word
from search.index import open_index, update_index
from search.suggest import best_correction, correct_query, edit_cost, max_edits, vocabulary

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("suggest-corpus-index")
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


def suggestion(client, query):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    return response.get_json()["suggestion"]


def ar(word):
    """The normalised form the suggester compares (hamza seats folded, ة → ه…)."""
    return normalize_word(word, "ar")


# --- edit_cost ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "known"),
    [("كازاخستتان", "كازاخستان"), ("مدرسسة", "مدرسة"), ("elecctions", "elections")],
)
def test_a_doubled_letter_costs_half_an_edit(typed, known):
    assert edit_cost(typed, known) == 0.5


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        ("كتب", "كتاب"),  # dropped alef
        ("مسول", ar("مسؤول")),  # dropped hamza (on its seat, folded to ء)
        ("قراة", "قراءة"),  # dropped bare hamza
        ("سعد", "سعيد"),  # dropped yaa
        ("مطار", ar("أمطار")),  # dropped initial hamza-alef
    ],
)
def test_a_dropped_long_vowel_or_hamza_costs_half_an_edit(typed, known):
    assert edit_cost(typed, known) == 0.5


@pytest.mark.parametrize(("a", "b"), [("ضرب", "ظرب"), ("سيف", "صيف"), ("تين", "طين"), ("قلب", "كلب"), ("حر", "هر")])
def test_confusable_letters_substitute_for_half_an_edit(a, b):
    assert edit_cost(a, b) == 0.5


@pytest.mark.parametrize(("typed", "known"), [("كتبا", "كتاب"), ("from", "form"), ("مرد", "مدر")])
def test_a_transposition_costs_three_quarters(typed, known):
    assert edit_cost(typed, known) == 0.75


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        ("كتاس", "كتاب"),  # unrelated substitution
        ("ضرب", "سرب"),  # ض and س are not confusable
        ("كازاخسان", "كازاخستان"),  # dropped consonant that is not doubled
        ("elecions", "elections"),
        ("abxd", "abcd"),
    ],
)
def test_an_unrelated_letter_costs_a_whole_edit(typed, known):
    assert edit_cost(typed, known) == 1.0


@pytest.mark.parametrize("word", ["كازاخستان", "elections", ""])
def test_a_word_costs_nothing_against_itself(word):
    assert edit_cost(word, word) == 0


@pytest.mark.parametrize(
    ("a", "b"),
    [("كازاخستتان", "كازاخستان"), ("كتب", "كتاب"), ("سيف", "صيف"), ("كتبا", "كتاب"), ("elecions", "elections")],
)
def test_edit_cost_is_symmetric(a, b):
    assert edit_cost(a, b) == edit_cost(b, a)


def test_costs_add_up_over_several_edits():
    assert edit_cost("كازاخستتاان", "كازاخستان") == 1.0


# --- max_edits ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "edits"),
    [
        ("", 0),
        ("abc", 0),
        ("كتب", 0),
        ("abcd", 1),
        ("كتاب", 1),
        ("abcdefg", 1),
        ("abcdefgh", 2),
        ("مستشفيات", 2),
        ("abcdefghijklmnop", 2),
    ],
)
def test_max_edits_grows_with_word_length(word, edits):
    assert max_edits(word) == edits


# --- suggestions over the corpus ----------------------------------------------


@pytest.mark.parametrize(("query", "expected"), [("كازاخستتان", "كازاخستان"), ("elecions", "elections")])
def test_a_misspelt_word_gets_the_corpus_word(corpus_client, query, expected):
    assert suggestion(corpus_client, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("انتخابات كازاخستتان", "انتخابات كازاخستان"),
        ("Baikonur elecions", "Baikonur elections"),
    ],
    ids=["arabic-with-a-common-word", "english-with-a-rare-word"],
)
def test_only_the_misspelt_word_of_a_query_is_replaced(corpus_client, query, expected):
    assert suggestion(corpus_client, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("انتخابات كازاخستتان", "انتخابات كازاخستان"),
        ('"كازاخستتان" OR Baikonur', '"كازاخستان" OR Baikonur'),
        ("title:elecions", "title:elections"),
        ("كازاخستتان elecions", "كازاخستان elections"),
    ],
)
def test_correct_query_keeps_the_rest_of_the_text(corpus_searcher, query, expected):
    assert correct_query(corpus_searcher, query) == expected


@pytest.mark.parametrize("query", ["كازاخستان", "elections", "الانتخابات البرلمانية", "Kazakhstan"])
def test_a_correctly_spelt_query_with_results_has_no_suggestion(corpus_client, query):
    data = corpus_client.get("/search", query_string={"q": query}).get_json()
    assert data["total"] > 0
    assert data["suggestion"] is None


@pytest.mark.parametrize("query", ["qqqqzzzz", "zzzzqqqqxx", "ظظظظغغغغ"])
def test_a_query_with_no_close_word_has_no_suggestion(corpus_client, query):
    assert suggestion(corpus_client, query) is None


def test_a_correction_that_finds_nothing_in_the_chosen_language_is_not_offered(corpus_client):
    assert suggestion(corpus_client, "elecions") == "elections"
    data = corpus_client.get("/search", query_string={"q": "elecions", "lang": "ar"}).get_json()
    assert data["total"] == 0
    assert data["suggestion"] is None


def surface_forms(searcher, term, field="body_exact"):
    """How ``term`` is written in the documents that have it."""
    analyzer = searcher.schema[field].analyzer
    forms = set()
    for _, stored in searcher.reader().iter_docs():
        text = stored["body"]
        forms |= {text[t.startchar : t.endchar] for t in analyzer(text, chars=True) if t.text == term}
    return forms


# The corpus writes these words only with tatweel (نهائـــي) or only fully
# diacritised (الشَّاعِرَةُ); the suggestion must read plainly.
@pytest.mark.parametrize(("query", "expected"), [("نهائيي", "نهائي"), ("الشاعررة", "الشاعرة")])
def test_the_suggestion_is_written_without_diacritics_or_tatweel(corpus_client, corpus_searcher, query, expected):
    forms = surface_forms(corpus_searcher, ar(expected))
    assert forms and all(araby.strip_tatweel(araby.strip_tashkeel(form)) != form for form in forms)
    suggested = suggestion(corpus_client, query)
    assert suggested == expected
    assert not any(araby.is_tashkeel(char) or char == araby.TATWEEL for char in suggested)


def test_the_page_offers_did_you_mean_with_a_link_that_searches_the_suggestion(corpus_client):
    # exact=1: the words as typed (no rewrite), so the page offers the correction
    response = corpus_client.get("/", query_string={"q": "كازاخستتان", "exact": "1"})
    assert response.status_code == 200
    soup = BeautifulSoup(response.data, "html.parser")
    paragraph = soup.select_one("p.suggestion")
    assert paragraph is not None
    assert "Did you mean" in paragraph.get_text()
    link = paragraph.find("a")
    assert link.get_text(strip=True) == "كازاخستان"
    href = urlsplit(link["href"])
    assert href.path == "/"
    assert parse_qs(href.query)["q"] == ["كازاخستان"]


def test_the_page_has_no_did_you_mean_for_a_correct_query(corpus_client):
    response = corpus_client.get("/", query_string={"q": "كازاخستان"})
    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.select("p.suggestion") == []
    assert "Did you mean" not in soup.get_text()


def _osa(a, b):
    """Optimal string alignment distance, written out plainly for the test."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


@pytest.mark.parametrize("word", ["الانتخابت", "انتخابات", "elecions", "obsevrers", "الزرقاء", "الجفاف", "draught"])
def test_the_vocabulary_finds_every_index_word_within_the_edits(corpus_searcher, word):
    reader = corpus_searcher.reader()
    typed = normalize_word(word, "ar" if araby.is_arabicrange(word[0]) else "latin")
    edits = max_edits(typed)
    every = {term.decode() for term in reader.lexicon("body_exact")}
    expected = {term for term in every if abs(len(term) - len(typed)) <= edits and _osa(typed, term) <= edits}
    assert set(vocabulary(reader, "body_exact").within(typed, edits)) == expected
    assert expected  # each of these words has neighbours in the corpus


def test_the_vocabulary_is_built_once_per_index_version(corpus_searcher):
    reader = corpus_searcher.reader()
    assert vocabulary(reader, "body_exact") is vocabulary(reader, "body_exact")
    assert vocabulary(reader, "body_exact") is not vocabulary(reader, "title_exact")


@pytest.mark.parametrize(("word", "typed"), [("الزرقاء", "الرزقاء"), ("elections", "elecitons")])
def test_a_swap_of_two_neighbouring_letters_is_corrected(corpus_searcher, word, typed):
    reader = corpus_searcher.reader()
    script = "ar" if araby.is_arabicrange(word[0]) else "latin"
    known, swapped = normalize_word(word, script), normalize_word(typed, script)
    assert reader.doc_frequency("body_exact", known) and not reader.doc_frequency("body_exact", swapped)
    assert best_correction(reader, typed, script) == known

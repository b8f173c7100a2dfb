"""Finding what people meant: a query typed with the other keyboard layout, or
with a misspelt word the index does not know, is searched as the words the
index does know, and the response says so (JSON, explain, the page, the CLI);
exact=1 searches the words as typed. The committed targets over the sample
corpus are checked here too: typos.json rescue, layout rescue over corpus
words, and no layout rewrite of a judged query."""

import json
import random
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from bench.quality.run import (
    corpus_words,
    judged_rewrites,
    layout_rescue,
    layout_rescued,
    load_judgments,
    load_typos,
    typed_with_arabic_layout,
    typed_with_latin_layout,
    typo_rescue,
)
from search import tolerance
from search.analysis import normalize_word, script_of
from search.engine import scoring, search
from search.index import open_index, update_index
from search.query import SearchRequest
from search.rewrite import Rewrite, layout_rewrite, swap_layout, swap_layout_readings, typo_rewrite

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
TYPOS = ROOT / "bench" / "quality" / "typos.json"
JUDGMENTS = ROOT / "bench" / "quality" / "judgments.json"
TYPO_TARGET = 0.90
LAYOUT_TARGET = 0.95
LAYOUT_SAMPLE = 300

AR_PEACE = "ar/peace.txt"
AR_GRID = "ar/grid.txt"
EN_ELECTIONS = "en/elections.txt"
EN_SUMMER = "en/summer.txt"
# A small library written for these tests. "hot sun" typed with the Arabic
# layout active comes out as "اخف سعى", two real Arabic words that are also
# here (أخف: lighter, سعى: strove), so each side is the other's layout typo.
DOCUMENTS = {
    AR_PEACE: (
        "قوات حفظ السلام تبدأ الانسحاب بعد الانتخابات\n"
        "بدأت قوات حفظ السلام انسحابها من البلاد بعد انتهاء مهمتها، وقال قائد القوات إن الانتخابات "
        "المقبلة ستجري في موعدها وإن السلام بات راسخا في المدن والقرى.\n"
    ),
    AR_GRID: (
        "حمل أخف على شبكة الكهرباء هذا الصيف\n"
        "كان الحمل على شبكة الكهرباء أخف من المتوقع هذا الأسبوع، فقد سعى المهندسون إلى خفض الاستهلاك "
        "في ساعات الذروة، وقالت الشركة إن الشبكة تعمل بكامل طاقتها.\n"
    ),
    EN_ELECTIONS: (
        "Observers arrive for the elections\n"
        "International observers arrived in the capital on Friday ahead of Sunday's elections, and the "
        "mission said its observers would visit every region.\n"
    ),
    EN_SUMMER: (
        "A hot sun over the valley\n"
        "The hot sun dried the fields early this summer, and farmers in the valley watched the sky every "
        "morning for rain.\n"
    ),
}


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """(docs folder, index folder) of DOCUMENTS."""
    base = tmp_path_factory.mktemp("rewrite-library")
    docs = base / "docs"
    for relative, text in DOCUMENTS.items():
        (docs / relative).parent.mkdir(parents=True, exist_ok=True)
        (docs / relative).write_text(text, "utf-8")
    summary = update_index(docs, base / "index")
    assert summary.failed == []
    return docs, base / "index"


@pytest.fixture(scope="module")
def searcher(library):
    with open_index(library[1]).searcher(weighting=scoring()) as searcher:
        yield searcher


@pytest.fixture
def client(make_app, library):
    return make_app(*library).test_client()


@pytest.fixture(scope="module")
def corpus_searcher(tmp_path_factory):
    """The sample corpus, indexed once for this module."""
    folder = tmp_path_factory.mktemp("rewrite-corpus-index")
    assert update_index(CORPUS, folder).failed == []
    with open_index(folder).searcher(weighting=scoring()) as searcher:
        yield searcher


def api(client, query, **params):
    response = client.get("/search", query_string={"q": query, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def ids(data):
    return [result["id"] for result in data["results"]]


# --- swap_layout ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("hkjohfhj", "انتخابات"), ("hgsghl", "السلام"), ("HKJOHFHJ", "انتخابات"), ("hgsghl ugd;l", "السلام عليكم")],
)
def test_latin_keys_typed_for_arabic_read_as_the_arabic_letters(typed, meant):
    assert swap_layout(typed) == meant


def test_arabic_letters_typed_for_english_read_as_the_latin_keys():
    assert swap_layout("ثمثؤفهخىس") == "elections"
    assert swap_layout("خلاسثقرثقس") == "observers"


@pytest.mark.parametrize(
    ("keys", "letters"),
    [(";", "ك"), ("'", "ط"), (",", "و"), (".", "ز"), ("[", "ج"), ("]", "د"), ("];j,v", "دكتور")],
)
def test_punctuation_keys_are_letters_on_the_arabic_layout(keys, letters):
    assert swap_layout(keys) == letters
    assert swap_layout(letters) == keys


def test_lam_alef_reads_as_the_b_key_or_as_g_then_h():
    assert swap_layout("b") == "لا"
    assert list(swap_layout_readings("السلام")) == ["hgsbl", "hgsghl"]
    assert swap_layout("السلام") == "hgsbl"  # the first reading: the lam-alef key
    assert swap_layout("hgsbl") == swap_layout("hgsghl") == "السلام"


def test_every_lam_alef_doubles_the_readings():
    readings = list(swap_layout_readings("لا لا"))
    assert readings == ["b b", "b gh", "gh b", "gh gh"]


# --- the harness's retyping is swap_layout reversed --------------------------------


@pytest.mark.parametrize("word", ["انتخابات", "السلام", "الأحساء", "دكتور", "مؤتمر", "الإليزيه"])
def test_an_arabic_word_typed_with_the_latin_layout_swaps_back_to_itself(word):
    typed = typed_with_latin_layout(word)
    assert typed.isascii()
    assert swap_layout(typed).replace("أ", "ا").replace("إ", "ا") == word.replace("أ", "ا").replace("إ", "ا")


def test_the_harness_types_lam_alef_with_the_b_key():
    assert typed_with_latin_layout("السلام") == "hgsbl"
    assert typed_with_latin_layout("انتخابات") == "hkjohfhj"


@pytest.mark.parametrize("word", ["elections", "Kazakhstan", "observers"])
def test_an_english_word_typed_with_the_arabic_layout_swaps_back_to_itself(word):
    typed = typed_with_arabic_layout(word)
    assert not typed.isascii()
    assert swap_layout(typed) == word.lower()


def test_g_then_h_typed_with_the_arabic_layout_is_lam_alef_and_reads_back_both_ways():
    typed = typed_with_arabic_layout("drought")
    assert typed == "يقخعلاف"
    assert list(swap_layout_readings(typed)) == ["droubt", "drought"]


def test_corpus_words_are_typable_words_of_their_own_language_without_stopwords():
    words, untypable = corpus_words(CORPUS)
    assert {"انتخابات", "كازاخستان"} <= set(words["ar"])
    assert {"elections", "kazakhstan"} <= set(words["en"])
    assert not {"the", "and", "في", "على", "إلى"} & (set(words["ar"]) | set(words["en"]))
    assert "osce" in words["en"] and "osce" not in words["ar"]  # Latin words of Arabic documents are left out
    assert all(len(word) >= 3 and word.isalpha() for group in words.values() for word in group)
    assert "josé" in untypable["en"] and "josé" not in words["en"]


# --- layout_rewrite ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("hkjohfhj", "انتخابات"),
        ("hgsghl", "السلام"),
        ("hgsbl", "السلام"),
        ("r,hj pt/ hgsghl", "قوات حفظ السلام"),
        ("ثمثؤفهخىس", "elections"),
        ("خلاسثقرثقس ثمثؤفهخىس", "observers elections"),
    ],
)
def test_layout_rewrite_fires_when_no_word_is_known_and_every_retyped_word_is(searcher, typed, meant):
    assert layout_rewrite(searcher.reader(), typed) == Rewrite(typed, meant, "layout")


def test_layout_rewrite_does_not_fire_when_one_original_word_is_known(searcher):
    assert layout_rewrite(searcher.reader(), "elections hgsghl") is None
    assert search(searcher, SearchRequest("elections hgsghl")).rewrite is None


def test_layout_rewrite_does_not_fire_when_one_retyped_word_is_unknown(searcher):
    assert swap_layout("qqqq") == "ضضضض"
    assert layout_rewrite(searcher.reader(), "hgsghl qqqq") is None
    assert search(searcher, SearchRequest("hgsghl qqqq")).rewrite is None


@pytest.mark.parametrize(("query", "expected"), [("hot sun", EN_SUMMER), ("hot", EN_SUMMER), ("أخف", AR_GRID)])
def test_a_real_query_whose_other_layout_reading_is_also_known_is_not_rewritten(searcher, query, expected):
    # The other reading exists in the index too ("hot sun" <-> "اخف سعى") ...
    reader = searcher.reader()
    assert all(reader.doc_frequency("body_exact", normalize_word(w, script_of(w))) for w in swap_layout(query).split())
    # ... but the query's own words are known, so they are searched as typed.
    assert layout_rewrite(searcher.reader(), query) is None
    response = search(searcher, SearchRequest(query))
    assert response.rewrite is None
    assert [hit.doc_id for hit in response.hits] == [expected]


@pytest.mark.parametrize("query", ["السلام", "قوات حفظ السلام", "الانتخابات", "elections", "observers elections"])
def test_a_real_query_is_never_rewritten(searcher, query):
    response = search(searcher, SearchRequest(query))
    assert response.total > 0
    assert response.rewrite is None


# --- typo_rewrite --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "corrected", "expected"),
    [
        ("observers elestions", "observers elections", EN_ELECTIONS),
        ("قوات حفظ السلامم", "قوات حفظ السلام", AR_PEACE),
    ],
)
def test_typo_rewrite_replaces_only_the_unknown_word_and_keeps_the_known_ones(searcher, query, corrected, expected):
    assert typo_rewrite(searcher, query) == Rewrite(query, corrected, "typo")
    # Searched, typo tolerance finds the document already (one typo): no
    # rewrite is needed, and the correction is offered as a suggestion.
    response = search(searcher, SearchRequest(query))
    assert response.rewrite is None
    assert response.matched == "all"
    assert [(hit.doc_id, hit.typos) for hit in response.hits] == [(expected, 1)]
    assert response.suggestion == corrected


@pytest.fixture
def no_tolerance(monkeypatch):
    """Typo tolerance that reaches no word (as past MAX_TOLERANT_WORDS words,
    or with the deadline gone): what the typo rewrite is still there for."""
    monkeypatch.setattr(tolerance, "MAX_TOLERANT_WORDS", 0)


def test_the_typo_rewrite_stays_for_what_tolerance_cannot_find(searcher, no_tolerance):
    response = search(searcher, SearchRequest("observers elestions"))
    assert response.rewrite == Rewrite("observers elestions", "observers elections", "typo")
    assert response.hits and all(hit.typos == 0 for hit in response.hits)


def test_a_word_under_four_letters_is_not_corrected(searcher):
    # "sin" is one cheap vowel away from "sun", but three letters is too short.
    assert typo_rewrite(searcher, "sin") is None
    response = search(searcher, SearchRequest("sin"))
    assert response.rewrite is None
    assert response.total == 0
    # Four letters is long enough: "hott" is corrected to "hot" (searched, typo
    # tolerance finds "hot" first, with the correction as the suggestion).
    assert typo_rewrite(searcher, "hott") == Rewrite("hott", "hot", "typo")
    response = search(searcher, SearchRequest("hott"))
    assert response.suggestion == "hot" and response.hits[0].typos == 1


# --- exact=1, JSON, explain, the page, the CLI ------------------------------------------


@pytest.mark.parametrize(
    ("query", "rewritten", "reason", "expected"),
    [
        ("hgsghl", "السلام", "layout", [AR_PEACE]),
        ("observers elestions", "observers elections", "typo", [EN_ELECTIONS]),
    ],
)
def test_json_rewrite_is_an_object_with_from_to_and_reason(client, query, rewritten, reason, expected, no_tolerance):
    data = api(client, query)
    assert data["rewrite"] == {"from": query, "to": rewritten, "reason": reason}
    assert data["query"] == query
    assert ids(data) == (expected or ids(api(client, rewritten)))
    assert ids(data)


def test_json_rewrite_is_null_for_a_query_searched_as_typed(client):
    data = api(client, "elections")
    assert "rewrite" in data
    assert data["rewrite"] is None


@pytest.mark.parametrize("query", ["hgsghl", "hkjohfhj", "ثمثؤفهخىس"])
def test_exact_searches_a_layout_typo_as_typed(client, query):
    assert api(client, query)["rewrite"]["reason"] == "layout"
    data = api(client, query, exact="1")
    assert data["rewrite"] is None
    assert data["total"] == 0
    assert data["results"] == []


def test_exact_searches_a_misspelt_word_as_typed(client):
    data = api(client, "observers elestions", exact="1")
    assert data["rewrite"] is None
    # The words as typed: only "observers" is in the index.
    assert data["matched"] == "some"
    assert ids(data) == [EN_ELECTIONS]
    assert data["suggestion"] == "observers elections"


def test_explain_includes_the_rewrite_and_the_rewritten_words(client):
    data = api(client, "hgsghl", explain="1")
    rewrite = data["explain"]["rewrite"]
    shown = {key: rewrite[key] for key in ("from", "to", "reason")}
    assert shown == {"from": "hgsghl", "to": "السلام", "reason": "layout"}
    assert [word["word"] for word in rewrite["words"]] == ["السلام"]
    assert [word["word"] for word in data["explain"]["words"]] == ["hgsghl"]


def test_explain_has_no_rewrite_with_exact(client):
    assert "rewrite" not in api(client, "hgsghl", explain="1", exact="1")["explain"]


def page(client, **params):
    response = client.get("/", query_string=params)
    assert response.status_code == 200
    return BeautifulSoup(response.data, "html.parser")


def test_the_page_shows_results_for_the_rewrite_with_a_link_to_search_the_original_exactly(client):
    soup = page(client, q="hgsghl")
    line = soup.select_one("p.rewrite")
    assert line is not None
    text = " ".join(line.get_text().split())
    assert text.startswith("Showing results for السلام")
    assert "search instead for hgsghl" in text
    rewritten, original = line.find_all("a")
    assert rewritten.get_text(strip=True) == "السلام"
    assert parse_qs(urlsplit(rewritten["href"]).query) == {"q": ["السلام"]}
    assert original.get_text(strip=True) == "hgsghl"
    assert parse_qs(urlsplit(original["href"]).query) == {"q": ["hgsghl"], "exact": ["1"]}
    # The results are those of the rewrite; no "did you mean" besides.
    assert soup.select("article.result")
    assert soup.select("p.suggestion") == []


def test_the_page_with_exact_has_no_rewrite_line(client):
    soup = page(client, q="hgsghl", exact="1")
    assert soup.select("p.rewrite") == []
    assert soup.select("article.result") == []


def test_the_cli_query_prints_the_rewrite_and_exact_turns_it_off(runner, library):
    index = str(library[1])
    result = runner(["query", "hgsghl", "--index", index])
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first == "showing results for السلام (layout); search instead for hgsghl with --exact"
    assert AR_PEACE in result.stdout
    exact = runner(["query", "hgsghl", "--index", index, "--exact"])
    assert exact.exit_code == 0, exact.output
    assert "showing results for" not in exact.stdout
    assert exact.stdout.startswith("0 results")


def test_the_cli_json_has_the_rewrite_and_explain(runner, library, monkeypatch):
    tolerated = json.loads(
        runner(["query", "observers elestions", "--index", str(library[1]), "--json", "--explain"]).stdout
    )
    assert tolerated["rewrite"] is None
    assert tolerated["explain"]["typos"] == [{"word": "elestions", "matched": ["elections"], "typos": 1}]
    monkeypatch.setattr(tolerance, "MAX_TOLERANT_WORDS", 0)
    result = runner(["query", "observers elestions", "--index", str(library[1]), "--json", "--explain"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["rewrite"] == {"from": "observers elestions", "to": "observers elections", "reason": "typo"}
    assert data["explain"]["rewrite"]["to"] == "observers elections"


# --- the committed targets over the sample corpus -----------------------------------------


def test_typos_file_has_one_misspelt_word_per_query_over_real_documents():
    typos = load_typos(TYPOS)
    assert len(typos) >= 110
    assert len({t["id"] for t in typos}) == len(typos)
    langs = [t["intended"].split("/")[0] for t in typos]
    assert langs.count("ar") >= 55 and langs.count("en") >= 45
    for t in typos:
        assert (CORPUS / t["intended"]).is_file(), t
        assert t["kind"] in ("dropped", "doubled", "swapped", "substituted"), t
        typed, correct = t["query"].split(), t["correct"].split()
        assert len(typed) == len(correct), t
        changed = [(a, b) for a, b in zip(typed, correct, strict=True) if a != b]
        assert len(changed) == 1, t
        (misspelt, word), length = changed[0], {"dropped": -1, "doubled": 1}.get(t["kind"], 0)
        assert min(len(misspelt), len(word)) >= 4, t
        assert len(misspelt) - len(word) == length, t
        if t["kind"] == "swapped":
            assert sorted(misspelt) == sorted(word), t


def test_typo_queries_find_their_intended_document_in_the_top_10(corpus_searcher):
    typos = load_typos(TYPOS)
    found = typo_rescue(corpus_searcher, typos)
    missed = [f"{t['id']} {t['query']} (meant {t['correct']})" for t in typos if not found[t["id"]]]
    assert sum(found.values()) / len(typos) >= TYPO_TARGET, missed


def test_corpus_words_typed_with_the_other_layout_are_searched_as_meant(corpus_searcher):
    words, _ = corpus_words(CORPUS)
    for lang in ("ar", "en"):
        sample = random.Random(f"layout-{lang}").sample(words[lang], LAYOUT_SAMPLE)
        result = layout_rescue(corpus_searcher, sample)
        assert result["words"] == LAYOUT_SAMPLE
        assert result["rate"] >= LAYOUT_TARGET, (lang, result["missed"])


def test_a_layout_rescue_is_counted_only_for_a_layout_rewrite_to_the_word_meant(searcher):
    rescued, typed, response = layout_rescued(searcher, "السلام")
    assert (rescued, typed, response.rewrite) == (True, "hgsbl", Rewrite("hgsbl", "السلام", "layout"))
    # A word the index does not have: its retyping finds nothing, no rescue.
    rescued, typed, response = layout_rescued(searcher, "كازاخستان")
    assert (rescued, typed, response.rewrite) == (False, ";h.hosjhk", None)


def test_no_judged_query_gets_a_layout_rewrite(corpus_searcher):
    queries, _ = load_judgments(JUDGMENTS)
    assert judged_rewrites(corpus_searcher, queries)["layout"] == []


def test_only_the_misspelt_judged_queries_get_a_typo_rewrite(corpus_searcher):
    queries, _ = load_judgments(JUDGMENTS)
    rewrites = judged_rewrites(corpus_searcher, queries)["typo"]
    assert [r for r in rewrites if r["kind"] != "typo"] == []


def test_the_misspelt_judged_queries_are_found_through_a_typo_or_a_rewrite(corpus_searcher):
    queries, _ = load_judgments(JUDGMENTS)
    misspelt = [q["query"] for q in queries if q["kind"] == "typo"]
    rescued = 0
    for text in misspelt:
        response = search(corpus_searcher, SearchRequest(text))
        rescued += bool(response.rewrite or any(hit.typos for hit in response.hits))
    assert rescued >= len(misspelt) - 2


def test_explain_lists_only_the_typos_of_the_query_the_results_come_from(corpus_searcher):
    # The suggestion's own search (for انتخابات, which has fewer documents than
    # a page) runs with tolerance too; its words are not the ones the
    # results were matched with.
    response = search(corpus_searcher, SearchRequest("انتخبات", explain=True))
    assert response.suggestion == "انتخابات"
    assert [entry["word"] for entry in response.explain["typos"]] == ["انتخبات"]
    assert response.typo_matches == response.explain["typos"]

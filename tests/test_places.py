"""Place names across languages (search/places.py): the CLDR table, and
Egypt / مصر, Jordan / والأردن, United States / الولايات المتحدة and Oman /
Amman / عمان found across languages on a small real index, ranked below
the query's own language, with common words left alone."""

import pytest

from bench.quality.places_eval import TARGETS, evaluate_places, places_section
from search.engine import search
from search.names.matching import cross_script_matches
from search.places import matched_places, place_matches, place_table, query_key
from search.query import SearchRequest

from .indexes import hit_ids as ids
from .indexes import searcher_over

DOCUMENTS = {
    "ar/egypt-wheat.txt": "القمح في الأسواق\nاشترت مصر شحنة قمح كبيرة من موانئ البحر الأسود هذا الشهر.\n",
    "ar/cairo-metro.txt": "مترو جديد\nافتتح خط مترو جديد في القاهرة يربط وسط المدينة بأحيائها الشرقية.\n",
    # The name only with a proclitic: والأردن, للأردن.
    "ar/jordan-water.txt": "أزمة المياه\nتعاني سوريا والأردن من جفاف طويل، وقدمت منظمات دعما للأردن لحفر آبار.\n",
    "ar/us-rates.txt": "الفائدة\nأبقى البنك المركزي في الولايات المتحدة أسعار الفائدة على حالها.\n",
    "ar/oman-port.txt": "ميناء جديد\nافتتحت سلطنة عمان ميناء جديدا على بحر العرب.\n",
    "ar/amman-heat.txt": "حر شديد\nسجلت العاصمة عمان أعلى حرارة في تموز منذ سنوات.\n",
    "ar/turkey-quake.txt": "بيوت جديدة\nسلمت تركيا آلاف المساكن لعائلات فقدت بيوتها في الزلزال.\n",
    "ar/left-behind.txt": "رحيل\nترك الصيادون قواربهم على الشاطئ بعد العاصفة.\n",
    "en/egypt-grain.txt": "Grain deals\nBuyers in Egypt signed new grain contracts with suppliers this month.\n",
    "en/cairo-museum.txt": "A museum opens\nThe new museum near Cairo opened its doors to visitors on Saturday.\n",
    "en/jordan-swap.txt": "Water for power\nOfficials said Jordan would buy desalinated water under the new deal.\n",
    "en/us-chips.txt": "Chip plants\nThree chip plants broke ground in the United States this year.\n",
    "en/oman-rally.txt": "Desert rally\nForty crews raced across the deserts of Oman for five days.\n",
    "en/amman-citadel.txt": "The citadel\nArchaeologists restored the palace on the citadel hill in Amman.\n",
    # turkey the bird, in lower case: the index's evidence says it is a common word.
    "en/roast-dinner.txt": "Dinner\nWe roasted a turkey with herbs, and the turkey fed twelve people.\n",
}


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    with searcher_over(tmp_path_factory, "places", DOCUMENTS) as searcher:
        yield searcher


# --- the table ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("english", "arabic"),
    [("Egypt", "مصر"), ("Jordan", "الأردن"), ("United States", "الولايات المتحدة"), ("Cairo", "القاهرة")],
)
def test_the_table_links_a_place_both_ways(english, arabic):
    table = place_table()
    assert query_key(arabic) in {query_key(place.arabic) for place in table.latin[query_key(english)]}
    assert query_key(english) in {query_key(place.english) for place in table.arabic[query_key(arabic)]}


def test_oman_and_amman_are_both_kept_under_the_one_arabic_key():
    assert query_key("عُمان") == query_key("عمّان") == ("عمان",)
    assert {place.english for place in place_table().arabic[("عمان",)]} == {"Oman", "Amman"}


def test_codes_that_are_not_places_are_left_out():
    codes = {place.code for places in place_table().latin.values() for place in places}
    assert not codes & {"ZZ", "EU", "UN", "001"}
    assert ("world",) not in place_table().latin


# --- search across languages ----------------------------------------------------


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Egypt", "ar/egypt-wheat.txt"),
        ("egypt", "ar/egypt-wheat.txt"),
        ("Cairo", "ar/cairo-metro.txt"),
        ("Jordan", "ar/jordan-water.txt"),  # written only والأردن and للأردن
        ("united states", "ar/us-rates.txt"),
        ('"united states"', "ar/us-rates.txt"),
        ('"الولايات المتحدة"', "en/us-chips.txt"),
        ("مصر", "en/egypt-grain.txt"),
        ("القاهرة", "en/cairo-museum.txt"),
        ("بالقاهرة", "en/cairo-museum.txt"),
        ("الأردن", "en/jordan-swap.txt"),
        ("الولايات المتحدة", "en/us-chips.txt"),
    ],
)
def test_a_place_finds_the_document_that_names_it_in_the_other_language(searcher, query, found):
    assert found in ids(searcher, query)


def test_a_multi_word_name_is_matched_as_a_phrase_on_every_word(searcher):
    matches = place_matches(searcher.reader(), "united states")
    assert matches == {"united": ["الولايات المتحده"], "states": ["الولايات المتحده"]}
    assert place_matches(searcher.reader(), "الولايات المتحدة")["الولايات"] == ["united states"]
    assert place_matches(searcher.reader(), "united") == {}


def test_oman_and_amman_find_every_arabic_document_of_their_spelling_and_back(searcher):
    for query in ("Oman", "Amman"):
        assert {"ar/oman-port.txt", "ar/amman-heat.txt"} <= set(ids(searcher, query))
    assert {"en/oman-rally.txt", "en/amman-citadel.txt"} <= set(ids(searcher, "عمان"))


def test_the_longest_name_wins_over_the_names_inside_it(searcher):
    matched = matched_places(searcher.reader(), "south africa")
    assert {word: [place.code for place in places] for word, places in matched.items()} == {
        "south": ["ZA"],
        "africa": ["ZA"],
    }


def test_the_proclitic_forms_the_index_holds_are_added(searcher):
    assert set(place_matches(searcher.reader(), "Jordan")["jordan"]) == {"والاردن", "للاردن"}


def test_a_place_ranks_below_the_documents_of_the_query_language(searcher):
    hits = search(searcher, SearchRequest("Egypt", per_page=10)).hits
    assert hits[0].doc_id == "en/egypt-grain.txt"
    arabic = next(hit for hit in hits if hit.doc_id == "ar/egypt-wheat.txt")
    assert arabic.score < hits[0].score


def test_cross_script_off_turns_places_off(searcher):
    assert "ar/egypt-wheat.txt" not in ids(searcher, "Egypt", cross_script=False)
    assert "en/us-chips.txt" not in ids(searcher, "الولايات المتحدة", cross_script=False)


def test_places_join_the_cross_script_matches_the_explain_shows(searcher):
    assert cross_script_matches(searcher.reader(), "Cairo") == {"cairo": ["القاهره"]}
    explain = search(searcher, SearchRequest("Cairo", explain=True)).explain
    assert explain["cross_script"] == {"cairo": ["القاهره"]}


def test_a_passed_deadline_adds_no_place(searcher):
    class Passed:
        def left(self):
            return 0

    assert place_matches(searcher.reader(), "Egypt", Passed()) == {}


# --- common words ---------------------------------------------------------------


def test_a_word_the_index_writes_in_lower_case_is_not_expanded(searcher):
    assert "ar/turkey-quake.txt" not in ids(searcher, "turkey")
    assert place_matches(searcher.reader(), "Turkey") == {}  # the documents' evidence outweighs the capital


def test_a_dictionary_word_the_index_lacks_is_expanded_only_typed_capitalised(searcher):
    assert matched_places(searcher.reader(), "china") == {}
    assert [place.code for place in matched_places(searcher.reader(), "China")["china"]] == ["CN"]
    assert [place.code for place in matched_places(searcher.reader(), "egypt")["egypt"]] == ["EG"]


@pytest.mark.parametrize("word", ["ترك", "water", "market", "الحكومة", "العالم", "world"])
def test_common_words_are_not_expanded(searcher, word):
    assert place_matches(searcher.reader(), word) == {}


# --- the evaluation -------------------------------------------------------------


def test_the_evaluation_finds_every_place_both_ways_and_expands_no_common_word(tmp_path):
    result = evaluate_places(workdir=tmp_path)
    assert result["names"] >= TARGETS["names"]
    assert result["misses"] == [] and result["names_found"] == result["names"]
    assert result["cases_found_cross_script_off"] == 0
    for figures in result["common_words"].values():
        assert figures["all"]["percent"] <= 100 * TARGETS["common_words_expanded"]
    section, figures = places_section(result)
    assert section.startswith("## Place names across languages")
    assert figures["places_found"] == figures["places"] == result["names"]

"""Every word counts: function words are searchable, a phrase matches its
function words exactly, and beside content words they rank, never exclude.
A small real index of documents written for these cases."""

import pytest

from search.analysis import is_stopword, stopword_key
from search.engine import search
from search.query import SearchRequest

from .indexes import hit_ids as ids
from .indexes import searcher_over

DOCUMENTS = {
    # Arabic: one document with the phrase as written, two with its content
    # words one word apart (another word between them).
    "ar/exact.txt": "آية\nثم إلى ربكم مرة وإليه ترجعون فينبئكم بما كنتم تعملون إنه عليم",
    "ar/apart1.txt": "نص\nقالوا مرة أخرى ترجعون إلى الديار بعد الحرب",
    "ar/apart2.txt": "نص آخر\nفي كل مرة ثم ترجعون خائبين من السوق",
    "ar/pronouns.txt": "ضمائر\nتوكل عليه إنه هو السميع العليم",
    "ar/behind.txt": "خلف\nوقف الحارس خلفه ينتظر الأمر وجميع الجنود معه",
    "ar/bianna.txt": "خبر\nأعلن الوزير بأنه سيزور المدينة غدا",
    # English: the famous line in one document only; "who" with and without "the".
    "en/hamlet.txt": "Hamlet\nTo be, or not to be, that is the question.",
    "en/band.txt": "Concert\nThe Who played a long concert in the park last night.",
    "en/doctor.txt": "Clinic\nA doctor who works nights at the clinic spoke.",
    "en/elections.txt": "Vote\nElections in Kazakhstan were held early this year.",
    "en/elections2.txt": "Vote again\nThe elections Kazakhstan held were watched by observers.",
    # "rivers" many times but no "of": BM25 prefers it; the words rule does not.
    "en/rivers.txt": "Rivers rivers\nrivers rivers rivers rivers flood rivers",
    "en/north.txt": "North\nsome rivers of stone and sand lie north",
}


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    with searcher_over(tmp_path_factory, "function-words", DOCUMENTS) as searcher:
        yield searcher


@pytest.mark.parametrize(
    ("query", "first"),
    [("to be or not to be", "en/hamlet.txt"), ("عليه إنه هو", "ar/pronouns.txt"), ("بأنه", "ar/bianna.txt")],
)
def test_a_query_of_function_words_finds_the_documents_that_have_them(searcher, query, first):
    assert all(
        is_stopword(stopword_key(word, "ar" if word[0] > "z" else "en"), "ar" if word[0] > "z" else "en")
        for word in query.split()
    )
    found = ids(searcher, query, exact=True)
    assert found and found[0] == first


def test_a_phrase_matches_its_function_words_exactly(searcher):
    assert ids(searcher, '"مرة وإليه ترجعون"', exact=True) == ["ar/exact.txt"]
    assert ids(searcher, '"كنتم تعملون إنه"', exact=True) == ["ar/exact.txt"]


def test_a_phrase_does_not_match_across_a_word_it_does_not_have(searcher):
    # "elections Kazakhstan" are next to each other in one document only;
    # in the other, "in" stands between them.
    assert ids(searcher, '"elections Kazakhstan"', exact=True) == ["en/elections2.txt"]
    assert ids(searcher, '"elections in Kazakhstan"', exact=True) == ["en/elections.txt"]


def test_function_words_beside_content_words_rank_and_never_exclude(searcher):
    response = search(searcher, SearchRequest("the who", exact=True))
    found = [hit.doc_id for hit in response.hits]
    # "who" is the content word: both documents with it are found, the one
    # that also has "the" first; a document with only "the" is not.
    assert found == ["en/band.txt", "en/doctor.txt"]
    assert response.matched == "all"
    assert "en/hamlet.txt" not in found


def test_documents_with_more_of_the_words_rank_first_then_by_score(searcher):
    response = search(searcher, SearchRequest("rivers of", exact=True))
    assert [hit.doc_id for hit in response.hits] == ["en/north.txt", "en/rivers.txt"]
    # the shown score is BM25's, without the bonus that ranked the first one first
    assert response.hits[0].score < response.hits[1].score


def test_an_arabic_function_word_beside_content_words_never_empties_the_results(searcher):
    # No document has الحارس and عن, but the function word is optional.
    assert ids(searcher, "الحارس عن", exact=True) == ["ar/behind.txt"]


@pytest.mark.parametrize("word", ["خلفه", "جميع", "لعلنا", "فكأين"])
def test_a_reviewed_or_clitic_word_alone_is_never_rewritten_into_another(searcher, word):
    response = search(searcher, SearchRequest(word))
    assert response.rewrite is None
    if word in ("خلفه", "جميع"):
        assert [hit.doc_id for hit in response.hits][:1] == ["ar/behind.txt"]


def test_the_reviewed_content_words_are_no_longer_stopwords():
    for word in ("خلفه", "أمامه", "مرة", "ربك", "الأعلى"):
        assert not is_stopword(stopword_key(word, "ar"), "ar"), word
    for word in ("في", "عليه", "إنه", "هو", "بأنه", "لعلنا", "جميع"):
        assert is_stopword(stopword_key(word, "ar"), "ar"), word

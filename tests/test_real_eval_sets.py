"""The generators of bench/quality's real-text sets (real_typos.py,
function_words.py) on a tiny text made here: deterministic and well formed.
No download: the real texts are fetched only when the sets are measured."""

import json
from pathlib import Path

import pytest

from bench.quality import function_words, real_text, real_typos

QUALITY = Path(__file__).resolve().parent.parent / "bench" / "quality"

# A made-up diacritised text in Tanzil's "sura|aya|text" layout.
ARABIC = """\
1|1|ذَهَبَ الْكَاتِبُ إِلَى الْمَدْرَسَةِ فِي الصَّبَاحِ
1|2|وَقَرَأَ الطُّلَّابُ كُتُبَهُمْ عَلَيْهِ إِنَّهُ هُوَ الْمُعَلِّمُ
1|3|كَتَبَ الْمُعَلِّمُ دَرْسًا جَدِيدًا عَنِ الْبِحَارِ
2|1|رَسَمَ الْفَنَّانُ لَوْحَةً جَمِيلَةً لِلْبَحْرِ
2|2|وَسَافَرَ التَّاجِرُ بِأَنَّهُ يُرِيدُ الْمَالَ مِنَ الْبَحْرِ إِلَى الْمَدِينَةِ
2|3|الْكُتُبُ فِي الْمَكْتَبَةِ وَالْمَكْتُوبَةُ عَلَى الْجِدَارِ
3|1|سَمِعَ الْوَلَدُ صَوْتَ الْمَطَرِ فِي الْمَدِينَةِ وَالْقَرْيَةِ
3|2|الْمَدْرَسَةِ فِي الْقَرْيَةِ وَالْمَدِينَةِ عَلَى الْبَحْرِ
# a comment line, as the real file ends with
"""
ENGLISH = """\
To be or not to be, that is the question.
%
The rain in Spain stays mainly in the plain.
%
The plain truth is that the rain never stays.
%
A question of rain and of the plain in spring.
%
"""


def arabic_documents():
    return real_text.quran_documents(real_text.parse_quran(ARABIC), per_document=2)


def english_documents():
    return real_text.fortune_documents({"tiny": ENGLISH})


def test_collections_are_split_as_documented():
    verses = real_text.parse_quran(ARABIC)
    assert len(verses) == 8 and verses[0][:2] == (1, 1)
    documents = arabic_documents()
    assert [d.doc_id for d in documents] == [
        "ar/001-001.html",
        "ar/001-003.html",
        "ar/002-001.html",
        "ar/002-003.html",
        "ar/003-001.html",
    ]
    assert documents[0].title == "1:1-2" and "ذَهَبَ" in documents[0].body  # diacritics kept
    english = english_documents()
    assert [d.doc_id for d in english] == [f"en/tiny-{n:04d}.html" for n in range(1, 5)]
    assert english[0].body.startswith("To be or not to be")


def test_letters_carry_their_diacritics():
    assert real_typos.clusters("كَتَبَ") == ["كَ", "تَ", "بَ"]
    variants = dict(real_typos.typo_variants("كَتَبَ", "dropped", arabic=True))
    assert variants == {1: "كَبَ", 2: "كَتَ"}  # never the first letter, never a mark alone
    swapped = dict(real_typos.typo_variants("كَتَبَ", "swapped", arabic=True))
    assert swapped == {1: "كَبَتَ"}
    assert dict(real_typos.typo_variants("rain", "doubled", arabic=False))[2] == "raiin"


def _generate():
    vocabulary = real_typos.Vocabulary(arabic_documents())
    counts = {"natural": {"dropped": 4, "swapped": 4}, "targeted": {"substituted": 2, "doubled": 2, "crowded": 2}}
    return vocabulary, real_typos.make_queries(vocabulary, max_df=3, **counts)


def test_typo_queries_are_deterministic_and_well_formed():
    vocabulary, queries = _generate()
    assert queries == _generate()[1]
    assert len(queries) >= 10
    assert len({q["id"] for q in queries}) == len(queries)
    for q in queries:
        word = q["word"]
        assert real_typos.normalized_of(q["correct"]) == word
        assert real_typos.normalized_of(q["query"]) != word
        assert q["meant"] == sorted(vocabulary.docs[word]) and 1 <= len(q["meant"]) <= 3
        assert q["query"][0] == q["correct"][0]  # the first letter is kept
        letters = len(real_typos.clusters(real_text.strip_marks(q["correct"])))
        typed = len(real_typos.clusters(real_text.strip_marks(q["query"])))
        assert typed == letters + {"dropped": -1, "swapped": 0, "substituted": 0, "doubled": 1}[q["op"]]
        assert q["diacritised"] == (q["correct"] != real_text.strip_marks(q["correct"]))
        assert q["class"] == real_typos.classify(q["query"], word, vocabulary)
        if q["kind"] == "crowded":
            assert not vocabulary.is_word(q["query"]) and q["neighbours"] >= 2
    assert {q["kind"] for q in queries} >= {"dropped", "swapped", "substituted", "doubled"}
    assert any(q["diacritised"] for q in queries) and not all(q["diacritised"] for q in queries)


def test_a_misspelling_that_is_an_index_word_is_classed_so():
    vocabulary = real_typos.Vocabulary(arabic_documents())
    # الكتب (the books) is a word of the text: a typo landing on it is a real word.
    assert real_typos.classify("الكتب", "الكاتب", vocabulary) == "real_word"
    assert real_typos.classify("المدرسهه", "المدرسه", vocabulary) != "real_word"
    assert "المدينه" in vocabulary.neighbours("المدينة".replace("ة", "ه") + "ا")


def test_function_words_by_their_clitic_forms():
    for word in ("بانه", "عليه", "فكاين", "انه", "هو", "وإليه"):
        assert function_words.is_function_word(real_typos.normalized_of(word), "ar"), word
    for word in ("كتاب", "المدينه", "البحر"):
        assert not function_words.is_function_word(word, "ar"), word
    assert function_words.is_function_word("not", "en") and not function_words.is_function_word("rain", "en")


def _function_queries():
    counts = {"phrase": 3, "stopword_phrase": 2, "stopword_query": 2, "single": 2}
    out = []
    for documents, lang in ((arabic_documents(), "ar"), (english_documents(), "en")):
        collection = function_words.Collection(documents, lang)
        out.append((collection, function_words.make_queries(collection, counts)))
    return out


def test_function_word_queries_are_deterministic_and_find_one_document():
    first, second = _function_queries(), _function_queries()
    assert [q for _, qs in first for q in qs] == [q for _, qs in second for q in qs]
    found = {q["kind"] for _, qs in first for q in qs}
    assert {"stopword_phrase", "single"} <= found
    for collection, queries in first:
        assert function_words.check_labels(collection, queries) == []
        for q in queries:
            norms = function_words._query_norms(q["query"], q["lang"])
            assert all(function_words.is_function_word(n, q["lang"]) for n in norms) == (q["kind"] != "phrase")
            assert q["query"].startswith('"') == (q["kind"] in ("phrase", "stopword_phrase"))
    arabic = [q for q in first[0][1] if q["kind"] == "stopword_phrase"]
    assert any(q["query"] == '"عليه إنه هو"' and q.get("source") == "issue 16" for q in arabic)


def test_a_changed_text_makes_a_label_stale():
    collection, queries = _function_queries()[1]
    moved = [dict(queries[0], meant="en/tiny-0009.html")]
    assert function_words.check_labels(collection, moved) == [queries[0]["id"]]


@pytest.mark.parametrize(
    ("name", "minimum"), [("function_words.json", 30), ("real_typos.json", 300), ("typos_real_words.json", 40)]
)
def test_committed_sets_are_well_formed(name, minimum):
    data = json.loads((QUALITY / name).read_text("utf-8"))
    queries = data["queries"] if isinstance(data, dict) else data
    assert len(queries) >= minimum
    assert len({q["id"] for q in queries}) == len(queries)
    if name == "function_words.json":
        assert {q["lang"] for q in queries} == {"ar", "en"}
        assert all(q["kind"] in function_words.KINDS and q["meant"] for q in queries)
    elif name == "real_typos.json":
        kinds = {kind: sum(q["kind"] == kind for q in queries) for kind in real_typos.KINDS}
        assert kinds == real_typos.NATURAL | real_typos.TARGETED
        assert all(q["query"] != q["correct"] and q["meant"] for q in queries)
    else:
        assert {q["kind"] for q in queries} == {"real_word", "crowded"}
        assert all(q["intended"] and q["query"] != q["correct"] for q in queries)

"""Names across scripts (search/names/): skeletons and vocalic forms, the
``names`` field, and Tokayev / توكاييف over the bundled corpus, measured with
bench/quality/names_eval.py."""

import re
from pathlib import Path

import pytest

from bench.quality.names_eval import NAMES, TARGETS, Corpus, evaluate_names, load_names
from search import index as index_module
from search.engine import scoring, search
from search.index import open_index, update_index
from search.names import tables as names_tables
from search.names.evidence import names_in
from search.names.matching import cross_script_matches
from search.names.readings import reads_alike, skeletons
from search.query import SearchRequest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
BIDEN_EN = "en/politics/biden-central-asia-summit.txt"


@pytest.fixture(scope="module")
def names_searcher(tmp_path_factory):
    folder = tmp_path_factory.mktemp("names-corpus-index")
    summary = update_index(CORPUS, folder)
    assert summary.failed == []
    with open_index(folder).searcher(weighting=scoring()) as searcher:
        yield searcher


@pytest.fixture(scope="module")
def corpus():
    return Corpus(CORPUS)


@pytest.fixture(scope="module")
def evaluation(names_searcher):
    return evaluate_names(names_searcher, CORPUS)


def hits(searcher, text, **options):
    return search(searcher, SearchRequest(text, per_page=10, **options)).hits


# --- skeletons and vocalic forms ----------------------------------------------


@pytest.mark.parametrize(
    ("latin", "arabic", "key"),
    [
        ("Tokayev", "توكاييف", "tkf"),
        ("Biden", "بايدن", "btn"),
        ("Kazakhstan", "كازاخستان", "ksxstn"),
        ("Washington", "واشنطن", "$ntn"),
        ("Macron", "ماكرون", "mkrn"),
        ("Moscow", "موسكو", "msk"),
        ("Baikonur", "بايكونور", "bknr"),
    ],
)
def test_a_name_and_its_arabic_spelling_share_a_key_and_read_alike(latin, arabic, key):
    assert key in skeletons(latin)
    assert key in skeletons(arabic)
    assert reads_alike(latin, arabic) and reads_alike(arabic, latin)


@pytest.mark.parametrize(
    ("latin", "arabic"),
    [("Tokayev", "ثقافة"), ("Almaty", "علامات"), ("Astana", "الاصطناعي"), ("Macron", "مقارنة")],
)
def test_a_word_with_a_names_skeleton_but_other_vowels_does_not_read_alike(latin, arabic):
    assert set(skeletons(latin)) & set(skeletons(arabic))  # the skeleton alone would confuse them
    assert not reads_alike(latin, arabic)
    assert not reads_alike(arabic, latin)


def test_names_in_takes_capitalised_words_in_mid_sentence_not_at_a_sentence_start():
    text = (
        "Observers met Tokayev in Astana on Monday. The mission said Almaty was calm.\n"
        "Officials from the OSCE (Vienna) praised the count."
    )
    tokens = names_in(text).split()
    assert sorted(set(tokens) - {t for t in tokens if t.startswith("^")}) == [
        "almaty",
        "astana",
        "monday",
        "osce",
        "tokayev",
        "vienna",
    ]
    assert {"^observers", "^the", "^officials"} <= set(tokens)  # sentence starts: no evidence either way


# --- over the corpus ----------------------------------------------------------


def test_a_latin_name_finds_every_arabic_document_that_writes_it_in_the_top_10(names_searcher, corpus):
    writers = corpus.writers("توكاييف", "ar")
    assert len(writers) >= 5
    top = {hit.doc_id for hit in hits(names_searcher, "Tokayev")}
    assert set(writers) <= top


def test_an_arabic_name_finds_the_english_article_that_writes_it(names_searcher):
    assert BIDEN_EN in [hit.doc_id for hit in hits(names_searcher, "بايدن")]


def test_cross_script_off_finds_only_documents_with_the_typed_spelling(names_searcher, corpus):
    latin_writers = corpus.writers("Tokayev", "en") | corpus.writers("Tokayev", "ar")
    found = hits(names_searcher, "Tokayev", cross_script=False)
    assert found and {hit.doc_id for hit in found} <= set(latin_writers)
    assert not [hit for hit in found if hit.lang == "ar"]
    assert [hit.lang for hit in hits(names_searcher, "بايدن", cross_script=False)] == ["ar"]


def test_explain_lists_the_cross_script_matches_only_when_they_are_on(names_searcher):
    on = search(names_searcher, SearchRequest("Tokayev", explain=True))
    assert on.explain["cross_script"] == {"tokayev": ["توكاييف"]}
    assert "توكاييف^0.3" in on.explain["parsed"]
    off = search(names_searcher, SearchRequest("Tokayev", explain=True, cross_script=False))
    assert "cross_script" not in off.explain
    assert "توكاييف" not in off.explain["parsed"]


@pytest.mark.parametrize(("query", "own_lang"), [("Tokayev", "en"), ("بايدن", "ar")])
def test_cross_script_hits_rank_below_the_same_script_hits(names_searcher, query, own_lang):
    langs = [hit.lang for hit in hits(names_searcher, query)]
    assert own_lang in langs and set(langs) == {"ar", "en"}
    first_other = next(rank for rank, lang in enumerate(langs) if lang != own_lang)
    assert all(lang != own_lang for lang in langs[first_other:])


def test_a_misspelt_arabic_name_is_corrected_not_expanded_across_scripts(names_searcher, corpus):
    misspelt = "توكايف"  # توكاييف with one yaa dropped: same skeleton as Tokayev
    assert skeletons(misspelt) == skeletons("Tokayev") and reads_alike(misspelt, "Tokayev")
    assert cross_script_matches(names_searcher.reader(), misspelt) == {}
    response = search(names_searcher, SearchRequest(misspelt))
    # Typo tolerance finds the name's documents (one typo), and the
    # correction is offered; no English document comes through the skeleton.
    assert response.suggestion == "توكاييف"
    assert response.hits[0].doc_id in corpus.writers("توكاييف", "ar")
    assert response.hits[0].typos == 1
    assert {hit.lang for hit in response.hits} == {"ar"}


def test_name_keys_come_from_the_indexer_and_are_read_once_for_many_queries(names_searcher, monkeypatch):
    built, loaded = [], []
    original_init, original_load = names_tables.NameKeys.__init__, names_tables._load

    def counting_init(self, reader=None, **tables):
        if reader is not None:
            built.append(reader)  # a walk over the whole vocabulary
        original_init(self, reader, **tables)

    def counting_load(folder, version):
        keys = original_load(folder, version)
        loaded.append(keys)
        return keys

    monkeypatch.setattr(names_tables.NameKeys, "__init__", counting_init)
    monkeypatch.setattr(names_tables, "_load", counting_load)
    names_tables._cache.clear()
    for query in ("Tokayev", "بايدن", "Macron", "water", "موسكو"):
        search(names_searcher, SearchRequest(query))
    assert built == []  # the indexer stored the tables beside the index
    assert len(loaded) == 1 and loaded[0] is not None and loaded[0][1]  # once, and for this commit


def test_a_worker_reads_the_previous_tables_until_the_indexer_writes_the_new_ones(tmp_path, monkeypatch):
    """Between a commit and the indexer's new tables (seconds), a search uses
    the previous commit's tables, never a walk over the whole vocabulary; it
    takes the new ones as soon as they are written."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Tokayev visit\nPresident Tokayev met officials.\n", "utf-8")
    (docs / "b.txt").write_text("زيارة\nالتقى الرئيس توكاييف المسؤولين.\n", "utf-8")
    update_index(docs, tmp_path / "index")
    written = names_tables.write_name_keys
    monkeypatch.setattr(index_module, "write_name_keys", lambda *args, **kwargs: None)  # the indexer is "still at it"
    (docs / "c.txt").write_text("زيارة أخرى\nوصل توكاييف إلى المدينة.\n", "utf-8")
    update_index(docs, tmp_path / "index")
    built = []
    monkeypatch.setattr(names_tables, "NameKeys", _counting(names_tables.NameKeys, built))
    monkeypatch.setattr(names_tables, "STALE_RECHECK_SECONDS", 0.0)
    names_tables._cache.clear()
    ix = open_index(tmp_path / "index")
    try:
        with ix.searcher() as searcher:
            stale = {hit.doc_id for hit in hits(searcher, "Tokayev")}
            assert "b.txt" in stale and built == []  # the old tables, not a vocabulary walk
            written(ix)  # the indexer catches up
            fresh = {hit.doc_id for hit in hits(searcher, "Tokayev")}
            assert {"b.txt", "c.txt"} <= fresh and built == []
    finally:
        ix.close()


def _counting(cls, built):
    class Counting(cls):
        def __init__(self, reader=None, **tables):
            if reader is not None:
                built.append(reader)
            super().__init__(reader, **tables)

    return Counting


def test_a_hyphenated_name_is_searched_not_read_as_an_exclusion(names_searcher):
    found = [hit.doc_id for hit in hits(names_searcher, "Jean-Luc Bernard")]
    assert "en/politics/macron-coalition-talks.txt" in found


# --- the evaluation (bench/quality/names_eval.py) -----------------------------


def test_names_file_has_enough_names_and_every_name_the_corpus_writes_in_both_scripts():
    data = load_names(NAMES)
    section = (ROOT / "docs" / "corpus.md").read_text("utf-8").split("## Cross-script names")[1].split("## ")[0]
    documented = re.findall(r"([A-Z][\w -]*?)/", section.replace("\n", " "))
    latin = {name["latin"] for name in data["names"]}
    assert len(documented) == 43
    assert {name.strip() for name in documented} <= latin
    assert len(data["names"]) >= 60 and len(latin) == len(data["names"])
    assert {name["kind"] for name in data["names"]} <= {"person", "city", "country", "organisation", "place"}
    assert len(set(data["common_words"])) >= 100


# Measured on this corpus when the feature landed: 64 of 173 cases (37%);
# with vowel slots, letter classes, clitics, two-consonant keys and pairs of
# words: 123 of 173 (71.1%). The target is 70% (TARGETS). This guards
# the level reached against regressions.
MEASURED_NAMES_FOUND = 0.70


def test_names_found_across_scripts_do_not_fall_below_the_level_reached(evaluation):
    found = evaluation["names_found"]
    misses = [f"{m['query']} ({m['cause']})" for m in found["misses"]]
    assert found["cases"] >= 150
    assert found["found"] / found["cases"] >= MEASURED_NAMES_FOUND, misses


def test_few_common_lowercase_words_are_expanded_to_arabic(evaluation):
    lowercase = evaluation["common_words"]["lowercase"]
    assert lowercase["words"] >= 100
    assert lowercase["expanded"] / lowercase["words"] <= TARGETS["common_words_expanded_lowercase"], lowercase["list"]


def test_cross_script_matching_finds_more_than_with_it_off(evaluation):
    assert evaluation["names_found"]["found"] >= evaluation["names_found_cross_script_off"]["found"] + 50


# The common words of names.json "false_friends" linked to the other script:
# 51 of 142 before the ع, final ة, majority and closest-reading rules, 22 after
# (4 Latin: middle, gulf, tuesday, friday, which the documents only write
# capitalised; 18 Arabic, mostly their mirror and Rabat/Kuwait-like readings).
MEASURED_FALSE_FRIENDS_LINKED = 0.16


def test_few_false_friends_are_linked_across_scripts(evaluation):
    false_friends = evaluation["false_friends"]
    assert false_friends["latin→arabic"]["words"] >= 40 and false_friends["arabic→latin"]["words"] >= 40
    everything = false_friends["all"]
    assert everything["linked"] / everything["words"] <= MEASURED_FALSE_FRIENDS_LINKED, false_friends
    for word in ("west", "group", "email", "valley"):
        assert word not in false_friends["latin→arabic"]["list"]
    for word in ("وسط", "غرب", "معدل", "سعر", "أعمال", "فعالية", "رابطة", "التكييف"):
        assert word not in false_friends["arabic→latin"]["list"]


def test_the_vocabulary_audit_lists_every_link_both_ways(evaluation):
    audit = evaluation["audit"]
    assert audit["latin_candidates"] > 100 and audit["arabic_words"] > 1000
    assert audit["links"]["latin→arabic"]["tokayev"] == ["توكاييف"]
    assert "tokayev" in audit["links"]["arabic→latin"]["توكاييف"]
    assert audit["linked"] == {direction: len(links) for direction, links in audit["links"].items()}


def test_an_incremental_run_keys_only_the_words_it_adds(tmp_path, monkeypatch):
    monkeypatch.setattr(names_tables, "BATCH_WORDS", 2)  # the vocabulary walked and joined in many batches
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("زيارة\nالتقى الرئيس توكاييف المسؤولين في أستانا.\n", "utf-8")
    update_index(docs, tmp_path / "index")
    keyed = []
    original = names_tables._skeletons_of
    monkeypatch.setattr(names_tables, "_skeletons_of", lambda words, pool: keyed.extend(words) or original(words, pool))
    (docs / "b.txt").write_text("خبر\nوصل ماكرون إلى أستانا.\n", "utf-8")
    update_index(docs, tmp_path / "index")
    assert "ماكرون" in keyed and not {"توكاييف", "المسوولين"} & set(keyed)
    ix = open_index(tmp_path / "index")
    try:
        with ix.searcher() as searcher:
            reader = searcher.reader()
            stored, fresh = names_tables._load(names_tables.index_folder(searcher), names_tables.reader_version(reader))
            in_memory = names_tables.NameKeys(reader)  # every word keyed afresh
            assert fresh and in_memory.arabic
            for key, words in in_memory.arabic.items():
                assert stored.arabic.get(key) == words[: names_tables.MAX_CANDIDATES]
    finally:
        ix.close()

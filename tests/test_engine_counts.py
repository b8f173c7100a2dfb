"""The numpy core ranks and counts what the plain computation does: every
judged query, with and without a language filter, gives the same total, the
same page and the same scores as tests/plain_bm25f.py, which analyses each
document's text again and scores BM25F with dictionaries and loops."""

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search import engine
from search.deadline import Deadline
from search.postings.arrays import members, sum_by_document
from search.query import SearchRequest

from .plain_bm25f import PlainIndex, shown_score

PROJECT = Path(__file__).resolve().parent.parent
QUERIES = [case["query"] for case in json.loads((PROJECT / "bench/quality/judgments.json").read_text("utf-8"))]
EXTRA = [
    '"قوات حفظ السلام"',
    '"peacekeeping forces"~3',
    "انتخ*",
    "elecions~2",
    "water -drought",
    "-water",
    "title:observers",
]


@pytest.fixture(scope="module")
def corpus(bundled_searcher):
    return bundled_searcher, PlainIndex(bundled_searcher)


@pytest.mark.parametrize("lang", [None, "ar", "en"])
@pytest.mark.parametrize("text", QUERIES + EXTRA)
def test_total_page_and_scores_equal_the_plain_computation(corpus, text, lang):
    searcher, plain = corpus
    request = SearchRequest(text, lang=lang, per_page=5)
    query, _, ran = engine._find(searcher, text, request, Deadline(60))
    total, page = ran.total, ran.page
    expected = plain.ranked(query, lang)
    if total == 0:  # the fallback to some words found nothing either
        assert expected == []
        return
    assert total == len(expected)
    assert [hit.docnum for hit in page] == [docnum for docnum, _ in expected[:5]]
    assert [hit.score for hit in page] == pytest.approx([shown_score(score) for _, score in expected[:5]], rel=1e-9)


TYPO_QUERIES = [
    "elecions",
    "انتخبات",
    "observres OSCE",
    "الجفف",
    "Kazakstan elections",
    "scholarhips -water",
    "elections",
]


@pytest.mark.parametrize("lang", [None, "ar"])
@pytest.mark.parametrize("text", TYPO_QUERIES + QUERIES[:20])
def test_typo_tiers_equal_the_plain_computation(corpus, text, lang):
    """With typo tolerance, the page's documents, scores and typos are what
    the plain computation gives: fewest typos first, then score."""
    searcher, plain = corpus
    request = SearchRequest(text, lang=lang, per_page=8)
    tolerance = engine.Tolerance(searcher.reader())
    query, _, ran = engine._find(searcher, text, request, Deadline(60), tolerance=tolerance)
    total, exact_total, page = ran.total, ran.exact_total, ran.page
    expected = plain.ranked(query, lang)
    assert total == len(expected)
    assert exact_total == sum(1 for _, value in expected if not getattr(value, "typos", 0))
    assert [hit.docnum for hit in page] == [docnum for docnum, _ in expected[:8]]
    assert [hit.typos for hit in page] == [getattr(value, "typos", 0) for _, value in expected[:8]]
    assert [hit.score for hit in page] == pytest.approx([shown_score(value) for _, value in expected[:8]], rel=1e-6)


def test_the_typo_queries_compared_match_through_typos(corpus):
    searcher, _ = corpus
    found = []
    for text in TYPO_QUERIES:
        tolerance = engine.Tolerance(searcher.reader())
        _, _, ran = engine._find(searcher, text, SearchRequest(text), Deadline(60), tolerance=tolerance)
        found.append(ran.total - ran.exact_total)
    assert sum(count > 0 for count in found) >= 5


def test_the_counts_compared_are_not_all_small(corpus):
    searcher, _ = corpus
    totals = [engine._find(searcher, t, SearchRequest(t, per_page=5), Deadline(60))[2].total for t in QUERIES]
    assert sum(total > 5 for total in totals) >= 10


def test_a_posting_file_cut_short_is_refused(tmp_path):
    from search.postings.segment_file import ArrayFile, write_arrays

    path = tmp_path / "x.postings"
    write_arrays(path, iter([("a", np.arange(5, dtype=np.int32)), ("b", np.zeros(0, np.uint16))]), {"k": 1})
    read = ArrayFile(path)
    assert read.meta == {"k": 1} and read["a"].tolist() == [0, 1, 2, 3, 4] and len(read["b"]) == 0
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(ValueError, match="cut short"):
        ArrayFile(path)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    st.lists(st.tuples(st.integers(0, 400), st.floats(0, 50, allow_nan=False)), max_size=120),
    st.sampled_from([401, 5000, 10**6]),
)
def test_sums_by_document_equal_a_dictionary_both_ways(pairs, doc_count):
    """Dense counting (many postings for the index) and sorting (few) give
    what adding scores up in a dictionary gives."""
    expected = {}
    for doc, score in pairs:
        expected[doc] = expected.get(doc, 0.0) + score
    docs = np.array([doc for doc, _ in pairs], dtype=np.int64)
    scores = np.array([score for _, score in pairs], dtype=np.float64)
    unique, sums = sum_by_document(docs, scores, doc_count)
    assert unique.tolist() == sorted(expected)
    assert sums.tolist() == pytest.approx([expected[doc] for doc in sorted(expected)])


@given(st.sets(st.integers(0, 10**9), max_size=50), st.lists(st.integers(0, 10**9), max_size=50))
def test_members_of_a_sorted_array_equal_set_membership(present, keys):
    keys = keys + list(present)[:10]
    found = members(np.array(keys, dtype=np.int64), np.array(sorted(present), dtype=np.int64))
    assert found.tolist() == [key in present for key in keys]


def test_a_posting_file_that_vanished_under_a_new_reader_is_opened_again(bundled_searcher, monkeypatch):
    """A commit may delete a merged segment's files while a reader opens them:
    the searcher is opened again on the newer commit."""
    from search.postings import view

    real, failures = view.IndexPostings, []

    def flaky(*args, **kwargs):
        if len(failures) < 2:
            failures.append(1)
            raise FileNotFoundError("MAIN_x.postings")
        return real(*args, **kwargs)

    monkeypatch.setattr(view, "IndexPostings", flaky)
    searcher = view.open_searcher(bundled_searcher._whoosh._ix.searcher, bundled_searcher.folder)
    assert len(failures) == 2 and searcher.store.doc_count_all == bundled_searcher.store.doc_count_all


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    st.integers(0, 64),
    st.integers(0, 8),
    st.integers(0, 32),
    st.floats(0, 2000, allow_nan=False),
)
def test_typos_and_the_bm25_score_come_back_from_the_ranking_score(typos, stem_typos, words, raw):
    """The score a Tolerant and Counted query ranks by holds its typos, its
    stem-only typos and its word bonuses above BM25; split_typos gives back
    the typos and BM25."""
    from search.postings.evaluate import STEM_TYPO_PENALTY, TYPO_PENALTY, WORD_BONUS, split_typos

    score = raw + words * WORD_BONUS - typos * TYPO_PENALTY - stem_typos * STEM_TYPO_PENALTY
    got_typos, got_raw = split_typos(score)
    assert got_typos == typos
    assert got_raw == pytest.approx(raw, abs=1e-6)

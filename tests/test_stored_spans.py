"""Snippets from the word offsets in the posting store must mark exactly
what analysing each hit's text marks (search/stored_spans.py)."""

import json
from pathlib import Path

import pytest

from search import engine
from search.deadline import Deadline
from search.engine import matched_spans, page_spans, search
from search.index import open_index, update_index
from search.query import SearchRequest

PROJECT = Path(__file__).resolve().parent.parent
QUALITY = PROJECT / "bench" / "quality"

# Beyond the judged and misspelt queries: prefix and fuzzy expansions, a
# phrase, names across scripts, words a leading waw indexes under two stems,
# a ligature of several words, and excluded words (not marked).
EXTRA_QUERIES = [
    "انتخ*",
    "observ*",
    "الانتخابت~",
    '"الانتخابات البرلمانية"',
    "Tokayev",
    "توكاييف",
    "وصل",
    "وزير وزارة",
    "صلى الله عليه وسلم",
    "الجفاف -الأمطار",
    "OSCE",
    "water drought",
]


def _queries():
    judged = [case["query"] for case in json.loads((QUALITY / "judgments.json").read_text("utf-8"))]
    typos = [case["query"] for case in json.loads((QUALITY / "typos.json").read_text("utf-8"))]
    return list(dict.fromkeys(judged + typos + EXTRA_QUERIES))


QUERIES = _queries()


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("stored-spans") / "index"
    update_index(PROJECT / "corpus", index_dir)
    ix = open_index(index_dir)
    yield ix
    ix.close()


@pytest.mark.parametrize("text", QUERIES)
def test_offsets_from_storage_equal_offsets_from_analysis(corpus_index, text):
    with corpus_index.searcher(weighting=engine.scoring()) as searcher:
        query, _, ran = engine._find(
            searcher,
            text,
            SearchRequest(text, per_page=20),
            Deadline(60),
            tolerance=engine.Tolerance(searcher.reader()),
        )
        page = ran.page
        stored = page_spans(searcher, query, page)
        analysed = [matched_spans(searcher.schema, query, hit["body"]) for hit in page]
    assert stored == analysed


def test_the_offset_queries_mark_something(corpus_index):
    """The comparison above is not between two empty lists."""
    marked = 0
    with corpus_index.searcher(weighting=engine.scoring()) as searcher:
        for text in QUERIES[:40]:
            query, _, ran = engine._find(searcher, text, SearchRequest(text), Deadline(60))
            page = ran.page
            marked += sum(len(spans) for spans in page_spans(searcher, query, page))
    assert marked > 200


def test_a_word_under_two_matched_stems_is_one_span_named_as_analysis_names_it(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    # وصل is indexed under وصل and صل (a leading waw may be the conjunction).
    (docs / "a.txt").write_text("عنوان\nوصل الوفد أمس ثم صل الجميع وصلوا\n", "utf-8")
    update_index(docs, tmp_path / "index")
    ix = open_index(tmp_path / "index")
    try:
        with ix.searcher() as searcher:
            query, _, ran = engine._find(searcher, "وصل صل", SearchRequest("وصل صل"), Deadline(60))
            page = ran.page
            stored = page_spans(searcher, query, page)
            assert stored == [matched_spans(searcher.schema, query, hit["body"]) for hit in page]
            starts = [span.start for span in stored[0]]
            assert len(starts) == len(set(starts)) and len(starts) >= 2
    finally:
        ix.close()


def test_search_marks_hits_without_analysing_their_text(corpus_index, monkeypatch):
    def no_analysis(*args, **kwargs):
        raise AssertionError("a hit's text was analysed")

    monkeypatch.setattr(engine, "find_spans", no_analysis)
    with corpus_index.searcher(weighting=engine.scoring()) as searcher:
        response = search(searcher, SearchRequest("الانتخابات"))
    assert response.hits and all("<mark>" in hit.snippet for hit in response.hits)


def test_an_index_of_another_profile_is_marked_from_its_offsets_too(tmp_path, docs_dir):
    update_index(docs_dir, tmp_path / "index", profile="normalise+stem+stopwords")
    ix = open_index(tmp_path / "index")
    try:
        with ix.searcher() as searcher:
            query, _, ran = engine._find(searcher, "الانتخابات", SearchRequest("الانتخابات"), Deadline(60))
            page = ran.page
            assert page_spans(searcher, query, page) == [
                matched_spans(searcher.schema, query, hit["body"]) for hit in page
            ]
            response = search(searcher, SearchRequest("الانتخابات"))
        assert response.hits and "<mark>" in response.hits[0].snippet
    finally:
        ix.close()


def test_offsets_are_read_right_across_several_segments(tmp_path):
    import shutil

    docs = tmp_path / "docs"
    shutil.copytree(PROJECT / "corpus", docs)
    update_index(docs, tmp_path / "index", procs=1)
    (docs / "late.txt").write_text("خبر متأخر\nالانتخابات والجفاف والمياه في خبر أضيف بعد البناء الأول\n", "utf-8")
    update_index(docs, tmp_path / "index", procs=1)  # a second segment
    ix = open_index(tmp_path / "index")
    try:
        with ix.searcher(weighting=engine.scoring()) as searcher:
            assert len(searcher.reader().leaf_readers()) > 1
            found = set()
            for text in ["الانتخابات", "الجفاف المياه", "water drought", '"الانتخابات البرلمانية"']:
                query, _, ran = engine._find(searcher, text, SearchRequest(text, per_page=50), Deadline(60))
                page = ran.page
                assert page_spans(searcher, query, page) == [
                    matched_spans(searcher.schema, query, hit["body"]) for hit in page
                ]
                found |= {hit["id"] for hit in page}
            assert "late.txt" in found  # the second segment's document was marked too
    finally:
        ix.close()


@pytest.mark.parametrize("text", EXTRA_QUERIES + ["الانتخابات", "elections observers"])
def test_the_document_view_marks_what_analysing_the_document_marks(corpus_index, text, monkeypatch):
    """The document view reads its marks from the store: the same spans as
    analysing the whole text; past the cap, the first ones of each term."""
    with corpus_index.searcher(weighting=engine.scoring()) as searcher:
        query = engine.parse_for_marking(searcher, text)
        documents = [(docnum, searcher.stored_fields(docnum)) for docnum in range(searcher.doc_count_all())]
        analysed = [matched_spans(searcher.schema, query, fields["body"]) for _, fields in documents]
        stored = [engine.document_spans(searcher, docnum, fields, text) for docnum, fields in documents]
        assert stored == analysed
        monkeypatch.setattr(engine, "MAX_DOCUMENT_MARKS_PER_TERM", 1)
        for (docnum, fields), every in zip(documents, analysed, strict=True):
            capped = engine.document_spans(searcher, docnum, fields, text)
            assert set(capped) <= set(every) and capped[:1] == every[:1]
            assert len(capped) <= 2 * len({span.term for span in every})

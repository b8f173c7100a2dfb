"""One matching pass ranks and counts: the engine's totals and pages equal
what Whoosh finds when it scores every match (no block skipping, which in
Whoosh 2.7.4 can drop a better document when a filter is in the query)."""

import json
from pathlib import Path

import pytest
from whoosh import query as wq

from search import engine
from search.index import open_index, update_index
from search.query import SearchRequest

PROJECT = Path(__file__).resolve().parent.parent
QUERIES = [case["query"] for case in json.loads((PROJECT / "bench/quality/judgments.json").read_text("utf-8"))]


@pytest.fixture(scope="module")
def corpus_searcher(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("counts") / "index"
    update_index(PROJECT / "corpus", index_dir)
    ix = open_index(index_dir)
    with ix.searcher(weighting=engine.scoring()) as searcher:
        yield searcher
    ix.close()


@pytest.mark.parametrize("lang", [None, "ar", "en"])
@pytest.mark.parametrize("text", QUERIES)
def test_total_and_page_equal_whooshs_default_collector(corpus_searcher, text, lang):
    request = SearchRequest(text, lang=lang, per_page=5)
    query, _, total, page = engine._find(corpus_searcher, text, request)
    if lang:
        query = wq.And([query, wq.ConstantScoreQuery(wq.Term("lang", lang), score=0.0)])
    every = corpus_searcher.search(query, limit=None)
    assert total == len(list(corpus_searcher.docs_for_query(query))) == every.scored_length()
    assert [(hit.docnum, round(hit.score, 6)) for hit in page] == [
        (hit.docnum, round(hit.score, 6)) for hit in every[:5]
    ]


def test_the_counts_compared_are_not_all_small(corpus_searcher):
    totals = [engine._find(corpus_searcher, text, SearchRequest(text, per_page=5))[2] for text in QUERIES]
    assert sum(total > 5 for total in totals) >= 10

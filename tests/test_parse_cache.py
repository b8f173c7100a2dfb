"""Parsed queries are shared between requests: the shared query must equal a
fresh parse, stay unchanged by searching, and never cross schemas."""

import json
from pathlib import Path

import pytest

from search.engine import scoring, search
from search.index import open_index, update_index
from search.query import SearchRequest, _parse, build_query, make_parser
from search.schema import make_schema

PROJECT = Path(__file__).resolve().parent.parent
QUERIES = [case["query"] for case in json.loads((PROJECT / "bench/quality/judgments.json").read_text("utf-8"))]
QUERIES += ["انتخ*", "الانتخابت~", '"الانتخابات البرلمانية"~3', "الجفاف -الأمطار", "title:drought"]


@pytest.mark.parametrize("match_all", [True, False])
def test_a_shared_parse_equals_a_fresh_one(match_all):
    schema = make_schema()
    for text in QUERIES:
        first = build_query(schema, text, match_all)
        assert build_query(schema, text, match_all) is first  # shared
        assert first == _parse(make_parser(schema, match_all), text, match_all)


def test_schemas_with_other_analyzers_do_not_share_parses():
    shipped, stock = make_schema(), make_schema("stock-standard")
    text = "والانتخابات observers"
    assert build_query(shipped, text) != build_query(stock, text)
    assert build_query(stock, text) == make_parser(stock).parse(text)


def test_searching_leaves_the_shared_query_unchanged(docs_dir, tmp_path):
    update_index(docs_dir, tmp_path / "index")
    ix = open_index(tmp_path / "index")
    try:
        with ix.searcher(weighting=scoring()) as searcher:
            for text in QUERIES:
                before = repr(build_query(searcher.schema, text))
                first = search(searcher, SearchRequest(text, explain=True))
                assert repr(build_query(searcher.schema, text)) == before
                again = search(searcher, SearchRequest(text, explain=True))
                assert [hit.doc_id for hit in again.hits] == [hit.doc_id for hit in first.hits]
    finally:
        ix.close()

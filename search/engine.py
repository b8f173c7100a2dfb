"""run a SearchRequest against a searcher: the ranked page of hits with
snippets. No Flask, no HTML pages here (snippets are HTML fragments)."""

import time
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.scoring import BM25F

from .highlight import find_spans, make_snippet, title_ranges
from .query import bound_expansions, build_query, positive_terms


@dataclass(frozen=True)
class Hit:
    doc_id: str
    title: str
    lang: str
    score: float
    snippet: str


@dataclass
class SearchResponse:
    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    hits: list = field(default_factory=list)
    suggestion: str | None = None
    # "all": every hit has all the words; "some": none had them all, so these
    # have some of them; "none": nothing matched.
    matched: str = "all"


def _filter_for(request):
    return wq.Term("lang", request.lang) if request.lang else None


def _run(searcher, query, request):
    """Return (total, hits of the requested page)."""
    results = searcher.search(query, limit=request.page * request.per_page, filter=_filter_for(request))
    first = (request.page - 1) * request.per_page
    return len(results), results[first : first + request.per_page]


def query_terms(query):
    return {text for _, text in positive_terms(query)}


def search(searcher, request):
    """Run ``request`` and return a SearchResponse."""
    started = time.perf_counter()
    schema = searcher.schema
    reader = searcher.reader()
    query = bound_expansions(build_query(schema, request.text, match_all=True), reader)
    matched = "all"
    total, page = _run(searcher, query, request)
    if total == 0:
        loose = bound_expansions(build_query(schema, request.text, match_all=False), reader)
        if loose != query:
            query, matched = loose, "some"
            total, page = _run(searcher, query, request)
    if total == 0:
        matched = "none"
    terms = query_terms(query)
    analyzer = schema["body"].analyzer
    hits = []
    for hit in page:
        body = hit["body"]
        hits.append(
            Hit(
                doc_id=hit["id"],
                title=hit["title"],
                lang=hit["lang"],
                score=round(hit.score, 4),
                snippet=make_snippet(body, find_spans(body, terms, analyzer), title_ranges(body, hit["title"])),
            )
        )
    return SearchResponse(
        query=request.text,
        total=total,
        page=request.page,
        per_page=request.per_page,
        took_ms=round((time.perf_counter() - started) * 1000, 2),
        hits=hits,
        matched=matched,
    )


def scoring():
    """BM25F with Whoosh's usual parameters; the title's boost is in the schema."""
    return BM25F(B=0.75, K1=1.2)

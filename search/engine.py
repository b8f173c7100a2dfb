"""run a SearchRequest against a searcher: the ranked page of hits with
snippets. No Flask, no HTML pages here (snippets are HTML fragments)."""

import time
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.scoring import BM25F

from .analysis.explain import explain_words
from .highlight import find_spans, make_snippet, title_ranges
from .query import EXACT_BOOST, bound_expansions, build_query, positive_terms
from .suggest import SUGGEST_BELOW, correct_query


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
    explain: dict | None = None


def _filter_for(request):
    return wq.Term("lang", request.lang) if request.lang else None


def _run(searcher, query, request):
    """Return (total, hits of the requested page)."""
    results = searcher.search(query, limit=request.page * request.per_page, filter=_filter_for(request))
    first = (request.page - 1) * request.per_page
    return len(results), results[first : first + request.per_page]


def _find(searcher, text, request, exact_boost=EXACT_BOOST):
    """Return (query, matched, total, hits of the requested page): documents
    with all the words; when there are none, documents with some of them."""
    reader = searcher.reader()
    query = None
    for match_all, matched in ((True, "all"), (False, "some")):
        candidate = bound_expansions(build_query(searcher.schema, text, match_all, exact_boost), reader)
        if candidate == query:
            break
        query = candidate
        total, page = _run(searcher, query, request)
        if total:
            return query, matched, total, page
    return query, "none", 0, []


def suggest(searcher, request, total):
    """A corrected query when this one finds little and the correction finds more."""
    if total >= SUGGEST_BELOW:
        return None
    corrected = correct_query(searcher, request.text)
    if corrected and _find(searcher, corrected, request)[2] > total:
        return corrected
    return None


def query_terms(query):
    return {text for _, text in positive_terms(query)}


def search(searcher, request, exact_boost=EXACT_BOOST):
    """Run ``request`` and return a SearchResponse. ``exact_boost`` weighs the
    exact-form fields against the stems (the quality harness varies it)."""
    started = time.perf_counter()
    schema = searcher.schema
    query, matched, total, page = _find(searcher, request.text, request, exact_boost)
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
    suggestion = suggest(searcher, request, total)
    explain = None
    if request.explain:
        explain = {"words": explain_words(request.text), "parsed": str(query)}
    return SearchResponse(
        query=request.text,
        total=total,
        page=request.page,
        per_page=request.per_page,
        took_ms=round((time.perf_counter() - started) * 1000, 2),
        hits=hits,
        matched=matched,
        suggestion=suggestion,
        explain=explain,
    )


def scoring():
    """BM25F with Whoosh's usual parameters; the title's boost is in the schema."""
    return BM25F(B=0.75, K1=1.2)

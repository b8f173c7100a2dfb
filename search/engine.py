"""run a SearchRequest against a searcher: the ranked page of hits with
snippets. No Flask, no HTML pages here (snippets are HTML fragments)."""

import logging
import time
from dataclasses import dataclass, field

from whoosh.scoring import BM25F

from .analysis import script_of
from .analysis.explain import explain_words
from .analysis.filters import index_stems_of
from .highlight import find_spans, make_snippet, title_ranges
from .names import add_cross_script, cross_script_matches, index_folder
from .postings import bm25f
from .postings.evaluate import BudgetExceeded, Evaluator, Matches, top_documents
from .query import EXACT_BOOST, bound_expansions, build_query, positive_terms
from .rewrite import candidate_rewrites, resolve_conjunction_waw
from .stored_spans import offsets_by_doc, spans_at
from .suggest import SUGGEST_BELOW, correct_query

log = logging.getLogger(__name__)
# Longest one request may spend matching documents, over all its passes
# (all words, some words, rewrites, the suggestion), in seconds.
QUERY_TIME_BUDGET = 5.0


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
    # Set when the results come from a changed query (search.rewrite.Rewrite).
    rewrite: object | None = None
    # True when the time budget ran out: the results may be incomplete.
    timed_out: bool = False


class Budget:
    """The time a request may still spend matching, shared by its passes."""

    def __init__(self, seconds=None):
        self.deadline = time.monotonic() + (QUERY_TIME_BUDGET if seconds is None else seconds)
        self.exceeded = False

    def left(self):
        if time.monotonic() >= self.deadline:
            self.exceeded = True
        return not self.exceeded


@dataclass(frozen=True)
class Found:
    """One ranked document: its number, score and stored fields."""

    docnum: int
    score: float
    fields: dict

    def __getitem__(self, name):
        return self.fields[name]


def _run(searcher, query, request, budget):
    """Return (total, hits of the requested page) of ``query``: every match
    scored and counted, the page picked by a partial sort."""
    store = searcher.store
    try:
        found = Evaluator(store, deadline=budget.deadline).matches(query)
    except BudgetExceeded:
        budget.exceeded = True
        log.warning("query ran out of its %.1fs budget: %s", QUERY_TIME_BUDGET, query)
        return 0, []
    language = store.language_filter(request.lang)
    if language is not None and len(found):
        keep = language[found.docs]
        found = Matches(found.docs[keep], found.scores[keep])
    best = top_documents(found, request.page * request.per_page)
    first = (request.page - 1) * request.per_page
    page = []
    for at in best[first : first + request.per_page].tolist():
        docnum = int(found.docs[at])
        page.append(Found(docnum, float(found.scores[at]), searcher.stored_fields(docnum)))
    return len(found), page


def _find(searcher, text, request, budget, exact_boost=EXACT_BOOST):
    """Return (query, matched, total, hits of the requested page): documents
    with all the words; when there are none, documents with some of them."""
    reader = searcher.reader()
    names = cross_script_matches(reader, text, index_folder(searcher)) if request.cross_script else {}
    query = None
    for match_all, matched in ((True, "all"), (False, "some")):
        candidate = bound_expansions(build_query(searcher.schema, text, match_all, exact_boost), reader)
        candidate = add_cross_script(candidate, names)
        if candidate == query or not budget.left():
            break
        query = candidate
        total, page = _run(searcher, query, request, budget)
        if total:
            return query, matched, total, page
    return query, "none", 0, []


def suggest(searcher, request, total, matched, budget=None):
    """A corrected query when this one finds little, or finds documents with
    only some of its words, and the correction does better: more documents,
    or documents with all the words."""
    budget = budget or Budget()
    if total >= SUGGEST_BELOW and matched == "all":
        return None
    if not budget.left():
        return None
    corrected = correct_query(searcher, request.text)
    if not corrected:
        return None
    _, corrected_matched, corrected_total, _ = _find(searcher, corrected, request, budget)
    if corrected_total > total or (matched != "all" and corrected_matched == "all"):
        return corrected
    return None


def _needs_surface_pass(surface_terms, stem_terms):
    """Surface terms whose stems the stem pass would not find (fuzzy or
    prefix words that matched only an exact-form field)."""
    return {term for term in surface_terms if not set(index_stems_of(term, script_of(term))) & stem_terms}


def marking_terms(schema, query):
    """(terms to mark in ``body``, terms to mark in ``body_exact``): every
    stem the query matched, and the surface forms the stems do not cover."""
    stem_terms, surface_terms = set(), set()
    for fieldname, term in positive_terms(query):
        (surface_terms if fieldname.endswith("_exact") else stem_terms).add(term)
    extra = _needs_surface_pass(surface_terms, stem_terms) if "body_exact" in schema else set()
    return stem_terms, extra


def _merge(stem_spans, surface_spans):
    """One span per word, in order; a stem match wins over a surface one."""
    if not surface_spans:
        return stem_spans
    by_start = {span.start: span for span in surface_spans}
    by_start.update({span.start: span for span in stem_spans})
    return [by_start[start] for start in sorted(by_start)]


def matched_spans(schema, query, text):
    """The spans of ``text`` to mark for ``query``, by analysing the text:
    words whose stem matched a stemmed field, and words whose normalised form
    matched an exact field."""
    stem_terms, extra = marking_terms(schema, query)
    spans = find_spans(text, stem_terms, schema["body"].analyzer)
    return _merge(spans, find_spans(text, extra, schema["body_exact"].analyzer) if extra else [])


def page_spans(searcher, query, page):
    """matched_spans for each hit of ``page``, read from the word offsets in
    the posting store (no analysis of the hits' text)."""
    schema = searcher.schema
    stem_terms, extra = marking_terms(schema, query)
    docnums, texts = [hit.docnum for hit in page], [hit["body"] for hit in page]
    stems = offsets_by_doc(searcher.store, "body", stem_terms, docnums, texts)
    surfaces = offsets_by_doc(searcher.store, "body_exact", extra, docnums, texts)
    surface_analyzer = schema["body_exact"].analyzer if "body_exact" in schema else None
    return [
        _merge(
            spans_at(hit["body"], stems[hit.docnum], schema["body"].analyzer),
            spans_at(hit["body"], surfaces[hit.docnum], surface_analyzer),
        )
        for hit in page
    ]


def parse_for_marking(searcher, text):
    """The bounded query for ``text`` (all words), to mark a document with."""
    return bound_expansions(build_query(searcher.schema, text), searcher.reader())


def search(searcher, request, exact_boost=EXACT_BOOST):
    """Run ``request`` and return a SearchResponse. ``exact_boost`` weighs the
    exact-form fields against the stems (the quality harness varies it)."""
    started = time.perf_counter()
    budget = Budget()
    text = resolve_conjunction_waw(searcher.reader(), request.text)
    query, matched, total, page = _find(searcher, text, request, budget, exact_boost)
    rewrite = None
    if matched != "all" and not request.exact:
        for candidate in candidate_rewrites(searcher, text):
            if not budget.left():
                break
            found = _find(searcher, candidate.rewritten, request, budget, exact_boost)
            if found[1] == "all" or (total == 0 and found[2]):
                (query, matched, total, page), rewrite = found, candidate
                break
    hits = []
    for hit, spans in zip(page, page_spans(searcher, query, page) if page else [], strict=True):
        body = hit["body"]
        hits.append(
            Hit(
                doc_id=hit["id"],
                title=hit["title"],
                lang=hit["lang"],
                score=round(hit.score, 4),
                snippet=make_snippet(body, spans, title_ranges(body, hit["title"])),
            )
        )
    # A rewritten query is also the "did you mean" of the original one.
    suggestion = rewrite.rewritten if rewrite else suggest(searcher, request, total, matched, budget)
    explain = None
    if request.explain:
        explain = {"words": explain_words(request.text), "parsed": str(query)}
        if request.cross_script:
            explain["cross_script"] = cross_script_matches(
                searcher.reader(), rewrite.rewritten if rewrite else request.text
            )
        if rewrite:
            explain["rewrite"] = rewrite.as_dict() | {"words": explain_words(rewrite.rewritten)}
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
        rewrite=rewrite,
        timed_out=budget.exceeded,
    )


def scoring():
    """BM25F with the parameters the posting store scores with
    (search/postings/bm25f.py), for code that still asks Whoosh to score."""
    return BM25F(B=bm25f.B, K1=bm25f.K1)

"""run a SearchRequest against a searcher: the ranked page of hits with
snippets. No Flask, no HTML pages here (snippets are HTML fragments)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np
from whoosh.scoring import BM25F

from . import config
from .analysis import script_of
from .analysis.explain import explain_words
from .analysis.filters import index_stems_of
from .deadline import Deadline, QueryTimeout
from .duplicate_groups import duplicate_groups
from .highlight import MAX_SPANS_PER_TERM, find_spans, make_snippet, plain_snippet, title_ranges
from .names.matching import add_cross_script, cross_script_matches
from .names.tables import index_folder
from .postings import bm25f
from .postings.arrays import members
from .postings.evaluate import BudgetExceeded, Evaluator, split_typos, top_documents
from .query import (
    EXACT_BOOST,
    BadRequest,
    Expander,
    add_clitic_forms,
    bound_expansions,
    build_query,
    check_shape,
    positive_terms,
)
from .refine import newest_first, refine
from .rewrite import candidate_rewrites, resolve_conjunction_waw
from .stored_spans import offsets_by_doc, spans_at
from .suggest import SUGGEST_BELOW, correct_query
from .tolerance import Tolerance, add_typo_tolerance, typo_candidates, without_typo_tiers

if TYPE_CHECKING:
    from whoosh.fields import Schema
    from whoosh.query import Query

    from .highlight import Span
    from .postings.reader import IndexPostings
    from .postings.view import Searcher
    from .query import Expansions, SearchRequest
    from .rewrite import Rewrite

log = logging.getLogger(__name__)
# Longest one request may take, over all its steps (parsing, expansion,
# matching, rewrites, the suggestion, snippets), in seconds, and the most
# words a query may have, when the caller passes none: the config's
# defaults (the app passes its config's values).
QUERY_DEADLINE_SECONDS = config.default("QUERY_DEADLINE_SECONDS")
MAX_QUERY_WORDS = config.default("MAX_QUERY_TERMS")
# Matches of each query term marked in the document view (a 19 MB text can
# have hundreds of thousands; the page marks the first ones).
MAX_DOCUMENT_MARKS_PER_TERM = 10_000


@dataclass(frozen=True)
class Hit:
    doc_id: str
    title: str
    lang: str
    score: float
    snippet: str
    # Typos the document was matched with (search/tolerance.py): 0 when it
    # has the words themselves.
    typos: int = 0
    # Its publication date (YYYY-MM-DD, or None) and where that came from
    # (search/ingest/dates.py), and its source (site name or top folder).
    date: str | None = None
    date_source: str | None = None
    source: str | None = None
    # Near-duplicates of it among the matches, folded into it (search/refine.py).
    similar: int = 0


class TypoMatch(TypedDict):
    """A query word that matched index words a typo or two away (search/tolerance.py)."""

    word: str
    matched: list[str]
    typos: int


@dataclass
class SearchResponse:
    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None
    # "all": every hit has all the words; "some": none had them all, so these
    # have some of them; "none": nothing matched.
    matched: str = "all"
    explain: dict[str, Any] | None = None
    # Set when the results come from a changed query (search.rewrite.Rewrite).
    rewrite: Rewrite | None = None
    # True when the deadline passed before every step was done: some passes,
    # the rewrite, the suggestion or some snippets were skipped.
    partial: bool = False
    # The query words that matched index words a typo or two away, in the
    # results shown: [{"word", "matched": [...], "typos"}] (search/tolerance.py).
    typo_matches: list[TypoMatch] = field(default_factory=list)
    # {"lang": {...}, "year": {...}, "source": {...}}: documents of the whole
    # match set by facet value (search/refine.py).
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # Passes over the index this answer took (the words, typo tiers, fewer
    # words, rewrites, the suggestion's): for the request log.
    passes: int = 0


@dataclass(frozen=True)
class Found:
    """One ranked document: its number, score, stored fields, and the typos
    it was matched with."""

    docnum: int
    score: float
    fields: dict[str, Any]
    typos: int = 0
    similar: int = 0

    def __getitem__(self, name: str) -> Any:
        return self.fields[name]


@dataclass(frozen=True)
class Ran:
    """One pass's answer: the matches (after filters and folding), those
    without a typo, the requested page (Found), and the facet counts."""

    total: int
    exact_total: int
    page: list[Found]
    facets: dict[str, dict[str, int]]


NOTHING_FOUND = Ran(0, 0, [], {})


def _run(searcher: Searcher, query: Query, request: SearchRequest, deadline: Deadline) -> Ran:
    """Return the Ran of ``query``: every match scored, filtered, folded and
    counted (search/refine.py), the page picked by a partial sort; the exact
    total counts the matches without a typo. Raises BudgetExceeded when the
    deadline passes first."""
    store = searcher.store
    deadline.passes += 1
    try:
        found = Evaluator(store, deadline=deadline.at).matches(query)
    except BudgetExceeded:
        deadline.expired = True
        log.warning("query ran out of its %.1fs deadline: %s", deadline.seconds, query)
        raise
    group_of = duplicate_groups(store) if request.collapse or request.similar_to is not None else None
    similar_group = None
    if request.similar_to is not None:
        docnum = searcher.document_number(id=request.similar_to)
        if docnum is None:
            raise BadRequest("similar_to names no document of the index", "similar_to_unknown")
        # While the groups of a new commit are not written yet, a document's copies are itself.
        similar_group = group_of[docnum] if group_of is not None else docnum
    refined = refine(store, found, request, group_of, similar_group)
    found, depth = refined.found, request.page * request.per_page
    best = newest_first(store, found, depth) if request.sort == "date" else top_documents(found, depth)
    first = (request.page - 1) * request.per_page
    page: list[Found] = []
    for at in best[first : first + request.per_page].tolist():
        # A stored document is read whole (a 20 MB text takes a third of a
        # second): once the deadline has passed, the page ends at the hits read.
        if page and not deadline.left():
            break
        docnum = int(found.docs[at])
        typos, score = split_typos(float(found.scores[at]))
        page.append(Found(docnum, score, searcher.stored_fields(docnum), typos, int(refined.similar[at])))
    return Ran(len(found), int(np.count_nonzero(found.scores >= 0)), page, refined.facets)


def _find(
    searcher: Searcher,
    text: str,
    request: SearchRequest,
    deadline: Deadline,
    exact_boost: float = EXACT_BOOST,
    max_words: int = MAX_QUERY_WORDS,
    expansions: Expansions | None = None,
    tolerance: Tolerance | None = None,
) -> tuple[Query | None, str, Ran]:
    """Return (query, matched, Ran): documents with all the words (with ``tolerance``, a Tolerance,
    when they do not fill the page, also through words a typo away, ranked
    after them); when there are none, documents with some of them. BadRequest when the parsed query has too
    many words; BudgetExceeded when the deadline passes before the first
    pass is done (a later pass cut short leaves the first one's answer)."""
    reader = searcher.reader()
    shape = check_shape(build_query(searcher.schema, text, True, exact_boost), max_words)
    names = cross_script_matches(reader, text, index_folder(searcher), deadline) if request.cross_script else {}
    expander = Expander(reader, shape.expansion_cap(), deadline, expansions)
    query = None
    depth = request.page * request.per_page
    for match_all, matched in ((True, "all"), (False, "some")):
        parsed = add_clitic_forms(build_query(searcher.schema, text, match_all, exact_boost), reader)
        plain = bound_expansions(parsed, reader, expander)
        candidate = add_cross_script(plain, names)
        if candidate == query:
            break
        if query is not None and not deadline.left():
            break
        try:
            ran = _run(searcher, candidate, request, deadline)
        except BudgetExceeded:
            if query is None:
                raise
            break
        query = candidate
        # Typo matches rank after every match of the words themselves: they
        # are looked for only when those do not fill the page asked for.
        if tolerance is not None and ran.total < depth and deadline.left():
            tolerant = add_cross_script(add_typo_tolerance(plain, tolerance), names)
            if tolerant != candidate:
                try:
                    found = _run(searcher, tolerant, request, deadline)
                except BudgetExceeded:
                    found = NOTHING_FOUND
                if found.total > ran.total:
                    query, ran = tolerant, found
        if ran.total:
            return query, matched, ran
    return query, "none", NOTHING_FOUND


def suggest(
    searcher: Searcher,
    request: SearchRequest,
    total: int,
    matched: str,
    deadline: Deadline | None = None,
    max_words: int = MAX_QUERY_WORDS,
    expansions: Expansions | None = None,
    tolerance: Tolerance | None = None,
) -> str | None:
    """A corrected query when this one finds little (``total`` counts the
    documents found without a typo), or finds documents with only some of
    its words, and the correction does better: more documents, or
    documents with all the words."""
    deadline = deadline or Deadline(QUERY_DEADLINE_SECONDS)
    if total >= SUGGEST_BELOW and matched == "all":
        return None
    if not deadline.left():
        return None
    corrected = correct_query(searcher, request.text, deadline)
    if not corrected or not deadline.left():
        return None
    try:
        found = _find(
            searcher, corrected, request, deadline, max_words=max_words, expansions=expansions, tolerance=tolerance
        )
        _, corrected_matched, corrected_ran = found
    except (BudgetExceeded, BadRequest):
        return None
    if corrected_ran.exact_total > total or (matched != "all" and corrected_matched == "all"):
        return corrected
    return None


def _needs_surface_pass(surface_terms: set[str], stem_terms: set[str]) -> set[str]:
    """Surface terms whose stems the stem pass would not find (fuzzy or
    prefix words that matched only an exact-form field)."""
    return {term for term in surface_terms if not set(index_stems_of(term, script_of(term))) & stem_terms}


def marking_terms(schema: Schema, query: Query) -> tuple[set[str], set[str]]:
    """(terms to mark in ``body``, terms to mark in ``body_exact``): every
    stem the query matched, and the surface forms the stems do not cover."""
    stem_terms: set[str] = set()
    surface_terms: set[str] = set()
    for fieldname, term in positive_terms(query):
        (surface_terms if fieldname.endswith("_exact") else stem_terms).add(term)
    extra = _needs_surface_pass(surface_terms, stem_terms) if "body_exact" in schema else set()
    return stem_terms, extra


def _merge(stem_spans: list[Span], surface_spans: list[Span]) -> list[Span]:
    """One span per word, in order; a stem match wins over a surface one."""
    if not surface_spans:
        return stem_spans
    by_start = {span.start: span for span in surface_spans}
    by_start.update({span.start: span for span in stem_spans})
    return [by_start[start] for start in sorted(by_start)]


def matched_spans(schema: Schema, query: Query, text: str) -> list[Span]:
    """The spans of ``text`` to mark for ``query``, by analysing the text:
    words whose stem matched a stemmed field, and words whose normalised form
    matched an exact field."""
    stem_terms, extra = marking_terms(schema, query)
    spans = find_spans(text, stem_terms, schema["body"].analyzer)
    return _merge(spans, find_spans(text, extra, schema["body_exact"].analyzer) if extra else [])


def page_spans(
    searcher: Searcher, query: Query, page: Sequence[Found], limit_per_term: int = MAX_SPANS_PER_TERM
) -> list[list[Span]]:
    """matched_spans for each hit of ``page``, read from the word offsets in
    the posting store (no analysis of the hits' text); by default only the
    first matches of each term, all a snippet chooses from
    (highlight.snippet_spans)."""
    schema = searcher.schema
    stem_terms, extra = marking_terms(schema, query)
    docnums, texts = [hit.docnum for hit in page], [hit["body"] for hit in page]
    stems = offsets_by_doc(searcher.store, "body", stem_terms, docnums, texts, limit_per_term)
    surfaces = offsets_by_doc(searcher.store, "body_exact", extra, docnums, texts, limit_per_term)
    surface_analyzer = schema["body_exact"].analyzer if "body_exact" in schema else None
    return [
        _merge(
            spans_at(hit["body"], stems[hit.docnum], schema["body"].analyzer),
            spans_at(hit["body"], surfaces[hit.docnum], surface_analyzer),
        )
        for hit in page
    ]


def document_spans(searcher: Searcher, docnum: int, fields: dict[str, Any], text: str) -> list[Span]:
    """The words of a stored document that the query ``text`` matched (the
    first MAX_DOCUMENT_MARKS_PER_TERM of each term), read from the posting
    store: no analysis of the text, whose cost grows with its size."""
    query = parse_for_marking(searcher, text)
    return page_spans(searcher, query, [Found(docnum, 0.0, fields)], MAX_DOCUMENT_MARKS_PER_TERM)[0]


def parse_for_marking(searcher: Searcher, text: str) -> Query:
    """The bounded query for ``text`` (all words), to mark a document with."""
    query = build_query(searcher.schema, text)
    reader = searcher.reader()
    expander = Expander(reader, check_shape(query, MAX_QUERY_WORDS).expansion_cap())
    return bound_expansions(add_clitic_forms(query, reader), reader, expander)


def _snippets(searcher: Searcher, query: Query | None, page: list[Found], deadline: Deadline) -> list[str]:
    """Each hit's snippet: around its matched words; once the deadline has
    passed, the opening of the text (cheap, and still a fair preview)."""
    if not page:
        return []
    if not deadline.left():
        return [plain_snippet(hit["body"], title_ranges(hit["body"], hit["title"])) for hit in page]
    # A hit matched by the words themselves marks them only; a hit matched
    # through a typo marks the index words a typo away too.
    spans_of: dict[int, list[Span]] = {}
    for with_typos in (False, True):
        hits = [hit for hit in page if bool(hit.typos) == with_typos]
        if hits:
            marking = query if with_typos else without_typo_tiers(query)
            spans_of.update(zip((hit.docnum for hit in hits), page_spans(searcher, marking, hits), strict=True))
    snippets = []
    for hit in page:
        spans = spans_of[hit.docnum]
        body, skip = hit["body"], title_ranges(hit["body"], hit["title"])
        snippets.append(make_snippet(body, spans, skip) if deadline.left() else plain_snippet(body, skip))
    return snippets


class _Steps(TypedDict):
    """What every pass of one search shares (``_find``'s settings)."""

    exact_boost: float
    max_words: int
    expansions: Expansions
    tolerance: Tolerance | None


def search(
    searcher: Searcher,
    request: SearchRequest,
    exact_boost: float = EXACT_BOOST,
    deadline: Deadline | None = None,
    max_words: int = MAX_QUERY_WORDS,
) -> SearchResponse:
    """Run ``request`` and return a SearchResponse. ``exact_boost`` weighs the
    exact-form fields against the stems (the quality harness varies it).
    Every step shares ``deadline`` (by default QUERY_DEADLINE_SECONDS from
    now); the steps it leaves no time for are skipped and the response is
    marked partial. QueryTimeout when not even the first pass finished;
    BadRequest when the parsed query has more than ``max_words`` words (or
    too many fuzzy or prefix words)."""
    started = time.perf_counter()
    deadline = deadline or Deadline(QUERY_DEADLINE_SECONDS)
    expansions: Expansions = {}  # the prefix and fuzzy words' terms, shared by every pass (query.Expander)
    # Typo tolerance, shared by every pass the same way; exact=1 turns it off.
    tolerance = None if request.exact else Tolerance(searcher.reader(), deadline)
    steps: _Steps = {
        "exact_boost": exact_boost,
        "max_words": max_words,
        "expansions": expansions,
        "tolerance": tolerance,
    }
    text = resolve_conjunction_waw(searcher.reader(), request.text)
    try:
        query, matched, ran = _find(searcher, text, request, deadline, **steps)
    except BudgetExceeded:
        raise QueryTimeout(
            f"the query took longer than its {deadline.seconds:g} s limit; try fewer or more specific words"
        ) from None
    rewrite = None
    # The layout rewrite is tried when no document has the words as typed
    # (typo matches of a word typed on the wrong layout are noise); the
    # typo rewrite, which replaces only words no document has, only when not
    # even typo tolerance found documents with all the words.
    if (matched != "all" or ran.exact_total == 0) and not request.exact:
        for candidate in candidate_rewrites(searcher, text, deadline):
            if not deadline.left() or (candidate.reason == "typo" and matched == "all"):
                break
            try:
                found = _find(searcher, candidate.rewritten, request, deadline, **steps)
            except (BudgetExceeded, BadRequest):
                break
            if matched == "all":  # through typos only: the rewrite must find the words themselves
                better = found[1] == "all" and found[2].exact_total > 0
            else:
                better = found[1] == "all" or (ran.total == 0 and found[2].total > 0)
            if better:
                (query, matched, ran), rewrite = found, candidate
                break
    hits = [
        Hit(
            doc_id=hit["id"],
            title=hit["title"],
            lang=hit["lang"],
            score=round(hit.score, 4),
            snippet=snippet,
            typos=hit.typos,
            date=hit.fields.get("date"),
            date_source=hit.fields.get("date_source"),
            source=hit.fields.get("source"),
            similar=hit.similar,
        )
        for hit, snippet in zip(ran.page, _snippets(searcher, query, ran.page, deadline), strict=True)
    ]
    # A rewritten query is also the "did you mean" of the original one. Typo
    # matches do not count as found: a query found only through them gets
    # a suggestion.
    suggestion = (
        rewrite.rewritten
        if rewrite
        else suggest(searcher, request, ran.exact_total, matched, deadline, max_words, expansions, tolerance)
    )
    typo_matches = _typo_matches(searcher.store, query, ran.page)
    explain: dict[str, Any] | None = None
    if request.explain:
        explain = {"words": explain_words(request.text), "parsed": str(query)}
        if request.cross_script:
            explain["cross_script"] = cross_script_matches(
                searcher.reader(), rewrite.rewritten if rewrite else request.text, deadline=deadline
            )
        if rewrite:
            explain["rewrite"] = rewrite.as_dict() | {"words": explain_words(rewrite.rewritten)}
        explain["typos"] = typo_matches
    return SearchResponse(
        query=request.text,
        total=ran.total,
        page=request.page,
        per_page=request.per_page,
        took_ms=round((time.perf_counter() - started) * 1000, 2),
        hits=hits,
        matched=matched,
        suggestion=suggestion,
        explain=explain,
        rewrite=rewrite,
        partial=deadline.expired,
        typo_matches=typo_matches,
        facets=ran.facets,
        passes=deadline.passes,
    )


def _typo_matches(store: IndexPostings, query: Query | None, page: list[Found]) -> list[TypoMatch]:
    """``[{"word", "matched", "typos"}]``: each word of ``query`` (the one
    the page's hits come from) that matched them through index words a typo
    or two away, with those words (their exact forms; stems when only a
    stem matched)."""
    with_typos = np.array(sorted(hit.docnum for hit in page if hit.typos), dtype=np.int64)
    if query is None or not len(with_typos):
        return []
    matches: list[TypoMatch] = []
    for word, candidates in typo_candidates(query).items():
        found: dict[bool, dict[str, int]] = {}
        for (fieldname, term), typos in candidates.items():
            docs = store.term(fieldname, term).docs
            if len(docs) and members(with_typos, docs).any():
                found.setdefault(fieldname.endswith("_exact"), {}).setdefault(term, typos)
        terms = found.get(True) or found.get(False)
        if terms:
            ordered = sorted(terms, key=lambda term: (terms[term], term))
            matches.append({"word": word, "matched": ordered, "typos": min(terms.values())})
    return matches


def scoring() -> BM25F:
    """BM25F with the parameters the posting store scores with
    (search/postings/bm25f.py), for code that still asks Whoosh to score."""
    return BM25F(B=bm25f.B, K1=bm25f.K1)

"""From request parameters to a validated SearchRequest, and from its text to
a Whoosh query.

Query syntax: plain words (all must match; when no document has them all,
documents with some of them are returned), "quoted phrases", -excluded
words, OR between alternatives, title: / body: before a word or phrase,
prefix* (at least two letters, bounded expansion) and fuzzy~ or fuzzy~2.

Each word is looked up in the stemmed fields and, boosted, in the exact
(normalised surface form) fields where the schema has them.
"""

from __future__ import annotations

import datetime
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import unquote_to_bytes

import numpy as np
from cachetools import LRUCache
from whoosh import query as wq
from whoosh.qparser import AndGroup, MultifieldParser, OrGroup, PlusMinusPlugin, plugins

from .analysis import script_of
from .analysis.arabic import PROCLITICS
from .config import current as current_setting
from .postings.evaluate import Counted

if TYPE_CHECKING:
    from whoosh.fields import Schema
    from whoosh.qparser import QueryParser

    from .deadline import Deadline
    from .postings.view import Reader

SEARCH_FIELDS = ("title", "body", "title_exact", "body_exact")
EXACT_BOOST = 1.0
LANGUAGES = ("ar", "en")
SORT_ORDERS = ("relevance", "date")
# The longest source or document id a filter may name.
MAX_FILTER_CHARS = 512
# Most index terms one prefix or fuzzy word may expand to (the most frequent win).
MAX_EXPANSIONS = 64
MIN_PREFIX_CHARS = 2
# Bounds that keep a hostile query cheap: edits a fuzzy word may make, the
# longest word fuzzy matching is tried on, and the widest phrase slop.
MAX_FUZZY_EDITS = 2
MAX_FUZZY_WORD_CHARS = 30
MIN_FUZZY_WORD_CHARS = 3
MAX_PHRASE_SLOP = 10
MAX_FUZZY_WORDS = 4
MAX_PREFIX_WORDS = 8
# Most index terms all the prefix and fuzzy words of one request may expand
# to, over every field they are looked up in (each gets an equal share, at
# most MAX_EXPANSIONS).
MAX_TOTAL_EXPANSIONS = 1024
# One request's expansions, shared by its passes (Expander's memo): (cap,
# Prefix or FuzzyTerm, field, text, maxdist, prefixlength) -> index terms.
Expansions = dict[tuple[int, type, str, str, int, int], list[str]]


class BadRequest(ValueError):
    """A request parameter is invalid; the message says which and why.
    ``key`` and ``params`` let the page say it in the reader's language."""

    def __init__(self, message: str, key: str = "bad_request", **params: object) -> None:
        super().__init__(message)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class SearchRequest:
    text: str
    page: int = 1
    per_page: int = 10
    lang: str | None = None
    explain: bool = False
    # Search the words exactly as typed: no layout or typo rewrite.
    exact: bool = False
    # Also match names written in the other script (Tokayev / توكاييف).
    cross_script: bool = True
    # Filters (search/refine.py): the source (site name or top folder), the
    # publication year, and an inclusive date range in days since 1970-01-01.
    source: str | None = None
    year: int | None = None
    date_from: int | None = None
    date_to: int | None = None
    # "relevance" or "date" (newest first).
    sort: str = "relevance"
    # One result per group of near-duplicates; False shows every copy.
    collapse: bool = True
    # Only the copies of this document (its duplicate group), every one shown.
    similar_to: str | None = None


def _positive_int(params: Mapping[str, str | None], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise BadRequest(f"{name} must be a positive integer", "positive_integer", name=name) from None
    if value < 1:
        raise BadRequest(f"{name} must be a positive integer", "positive_integer", name=name)
    return value


def _check_text(text: str | None, config: Mapping[str, Any]) -> str:
    if text is None or not text.strip():
        raise BadRequest("q is required: the words to search for", "q_required")
    if len(text) > config["MAX_QUERY_CHARS"]:
        limit = config["MAX_QUERY_CHARS"]
        raise BadRequest(f"q is too long: at most {limit} characters", "q_too_long", limit=limit)
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in text):
        raise BadRequest("q must not contain control characters", "q_control")
    if "\ufffd" in text:
        raise BadRequest("q is not valid UTF-8", "q_encoding")
    # Words, fuzzy words and prefix words are counted on the parsed query
    # (check_shape), whatever joins them; the length limit bounds the parse.
    return text.strip()


def require_utf8(raw_query_string: bytes) -> None:
    """Refuse a query string whose percent-escapes are not UTF-8 (the web
    framework would otherwise pass them on as literal text)."""
    try:
        unquote_to_bytes(raw_query_string.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("q is not valid UTF-8", "q_encoding") from None


def parse_request(params: Mapping[str, str | None], config: Mapping[str, Any]) -> SearchRequest:
    """Validate request parameters (a mapping) into a SearchRequest."""
    text = _check_text(params.get("q"), config)
    page = _positive_int(params, "page", 1)
    per_page = _positive_int(params, "per_page", 10)
    if per_page > config["MAX_PER_PAGE"]:
        limit = config["MAX_PER_PAGE"]
        raise BadRequest(f"per_page must be at most {limit}", "per_page_too_large", limit=limit)
    if page * per_page > config["MAX_RESULT_DEPTH"]:
        limit = config["MAX_RESULT_DEPTH"]
        message = f"page is too deep: results beyond the first {limit} are not served"
        raise BadRequest(message, "page_too_deep", limit=limit)
    lang = params.get("lang") or None
    if lang in ("all", "any"):
        lang = None
    if lang is not None and lang not in LANGUAGES:
        raise BadRequest("lang must be 'ar' or 'en'", "lang_unknown")
    flags: dict[str, bool] = {}
    for name, default in (("explain", "0"), ("exact", "0"), ("cross_script", "1"), ("collapse", "1")):
        value = params.get(name) or default
        if value not in ("0", "1", "true", "false"):
            raise BadRequest(f"{name} must be 0 or 1", f"{name}_flag")
        flags[name] = value in ("1", "true")
    return SearchRequest(
        text,
        page,
        per_page,
        lang,
        explain=flags["explain"],
        exact=flags["exact"],
        cross_script=flags["cross_script"],
        collapse=flags["collapse"],
        **_archive_params(params),
    )


# Arabic-Indic and Eastern Arabic-Indic digits read as ASCII in date and
# year parameters: a date typed on an Arabic keyboard is the same date.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _day(params: Mapping[str, str | None], name: str) -> int | None:
    """An ISO date parameter (``YYYY-MM-DD``, nothing else that Python's
    ISO reader takes, such as 20210101 or 2021-W01-1) as days since
    1970-01-01."""
    raw = params.get(name) or None
    if raw is None:
        return None
    text = raw.translate(_DIGITS)
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return (datetime.date.fromisoformat(text) - datetime.date(1970, 1, 1)).days
    except (TypeError, ValueError):
        raise BadRequest(f"{name} must be a date written YYYY-MM-DD", "date_format", name=name) from None


class _ArchiveParams(TypedDict, total=False):
    """The SearchRequest fields ``_archive_params`` reads (year only when given)."""

    date_from: int | None
    date_to: int | None
    year: int
    sort: str
    source: str | None
    similar_to: str | None


def _filter_value(params: Mapping[str, str | None], name: str) -> str | None:
    """The ``source`` or ``similar_to`` filter: at most MAX_FILTER_CHARS printable characters."""
    value = params.get(name) or None
    if value is not None and (len(value) > MAX_FILTER_CHARS or any(unicodedata.category(c) == "Cc" for c in value)):
        raise BadRequest(f"{name} must be at most {MAX_FILTER_CHARS} printable characters", "filter_value", name=name)
    return value


def _archive_params(params: Mapping[str, str | None]) -> _ArchiveParams:
    """The filters and order of a news archive: source, year, date_from,
    date_to, sort and similar_to (search/refine.py)."""
    found: _ArchiveParams = {"date_from": _day(params, "date_from"), "date_to": _day(params, "date_to")}
    if found["date_from"] is not None and found["date_to"] is not None and found["date_from"] > found["date_to"]:
        raise BadRequest("date_from must not be after date_to", "date_range")
    year = params.get("year") or None
    if year is not None:
        year = year.translate(_DIGITS)
        if not (len(year) == 4 and year.isascii() and year.isdigit() and year != "0000"):
            raise BadRequest("year must be a year written with four digits", "year_format")
        found["year"] = int(year)
    sort = params.get("sort") or "relevance"
    if sort not in SORT_ORDERS:
        raise BadRequest("sort must be 'relevance' or 'date'", "sort_unknown")
    found["sort"] = sort
    found["source"] = _filter_value(params, "source")
    found["similar_to"] = _filter_value(params, "similar_to")
    return found


def make_parser(schema: Schema, match_all: bool = True, exact_boost: float = EXACT_BOOST) -> QueryParser:
    """A query parser over the text fields with only the syntax we document."""
    fields = [name for name in SEARCH_FIELDS if name in schema]
    boosts = {name: exact_boost for name in fields if name.endswith("_exact")}
    parser = MultifieldParser(fields, schema, fieldboosts=boosts, group=AndGroup if match_all else OrGroup)
    for plugin in (
        plugins.WildcardPlugin,
        plugins.RangePlugin,
        plugins.BoostPlugin,
        plugins.EveryPlugin,
        plugins.SingleQuotePlugin,
        plugins.FieldsPlugin,
    ):
        parser.remove_plugin_class(plugin)
    parser.add_plugin(plugins.FieldsPlugin(expr=r"(?P<text>title|body):"))
    # A minus excludes only at the start of a word: COVID-19, Al-Farabi and
    # Russian-led are words, not exclusions.
    parser.add_plugin(PlusMinusPlugin(minusexpr=r"(?<![^\s(])-"))
    parser.add_plugin(plugins.PrefixPlugin())
    parser.add_plugin(plugins.FuzzyTermPlugin())
    return parser


_OPERATORS = re.compile(r"\b(AND|OR|NOT|ANDNOT|ANDMAYBE)\b")


def _parse(parser: QueryParser, text: str, match_all: bool = True) -> wq.Query:
    """Whoosh's parse of ``text``, function words placed (``place_function_words``).
    Its parser fails on some operator sequences (``x NOT NOT y`` raises
    IndexError); those are parsed again with the operators read as plain
    words, and if that fails too the query is refused."""
    for attempt in (text, _OPERATORS.sub(lambda match: match.group().lower(), text)):
        try:
            parsed = parser.parse(attempt, normalize=False)
        except Exception:  # noqa: BLE001  (any failure inside Whoosh's parser)
            continue
        return place_function_words(parsed, match_all).normalize()
    raise BadRequest("q could not be parsed; check its quotes, brackets and operators", "q_unparsable")


def _is_exact_field(fieldname: str) -> bool:
    return fieldname.endswith("_exact")


def _is_function_word(group: wq.Query) -> bool:
    """Whether a word's group of field lookups is a function word's: the
    stemmed fields, which leave stopwords out, gave it nothing, and only
    the exact forms (which keep them) look it up."""
    if not isinstance(group, wq.Or) or not group.subqueries:
        return False
    return all(isinstance(leaf, wq.Term) and _is_exact_field(leaf.fieldname) for leaf in group.subqueries)


def _exact_phrase(group: wq.Query) -> wq.Query:
    """A phrase's group with only its exact-form phrases when the phrase has
    function words (the stemmed phrases, without them, would match the
    content words with anything between); else the group unchanged."""
    if not isinstance(group, wq.Or) or not any(isinstance(child, wq.Phrase) for child in group.subqueries):
        return group
    sizes = {
        _is_exact_field(child.fieldname): len(child.words) if isinstance(child, wq.Phrase) else 1
        for child in group.subqueries
        if isinstance(child, wq.Phrase | wq.Term)
    }
    if sizes.get(True, 0) <= sizes.get(False, 0):
        return group
    exact = [child for child in group.subqueries if _is_exact_field(getattr(child, "fieldname", ""))]
    return wq.Or(exact, boost=group.boost)


CLITIC_FORM_BOOST = 0.9


def add_clitic_forms(query: wq.Query, reader: Reader) -> wq.Query:
    """Each Arabic function word of ``query`` that no document has as typed
    matches its forms with a proclitic (analysis.arabic.PROCLITICS: وعليه,
    فإنه, بأنه are the same function words) that the index holds instead (a
    function word is searched in its exact form, where no stemmer joins
    them: جميع then finds وجميع), boosted a little lower. A function word
    the index has is searched as typed: its clitic forms, rarer, would
    outscore it."""

    def visit(node: wq.Query) -> wq.Query:
        if _is_function_word(node):
            if any(reader.doc_frequency(term.fieldname, term.text) for term in node.subqueries):
                return node
            extra = [
                wq.Term(term.fieldname, form, boost=term.boost * CLITIC_FORM_BOOST)
                for term in node.subqueries
                if script_of(term.text) == "ar"
                for form in (prefix + term.text for prefix in PROCLITICS)
                if reader.doc_frequency(term.fieldname, form)
            ]
            return wq.Or([*node.subqueries, *extra], boost=node.boost) if extra else node
        if node.is_leaf() or isinstance(node, wq.Not):
            return node
        return node.apply(visit)

    return visit(query)


def place_function_words(query: wq.Query, match_all: bool = True) -> wq.Query:
    """Function words (stopwords) are searched in the exact-form fields
    only. Where a query also has content words, its function words rank
    the documents that have them higher, and never exclude one: they
    become the optional side of an AndMaybe, each Counted, so that the
    documents with more of them rank first (then by score). A query of function words
    only needs them all (or, in the some-words pass, any); a phrase with
    function words matches them exactly."""

    def optional(node: wq.Query, children: list[wq.Query], joined: Callable[..., wq.Query]) -> wq.Query:
        words = [child for child in children if _is_function_word(child)]
        content = [child for child in children if not _is_function_word(child)]
        if not words or not any(not isinstance(child, wq.Not) for child in content):
            return node
        return wq.AndMaybe(joined(content, boost=node.boost), wq.Or([Counted(word) for word in words]))

    def visit(node: wq.Query, top: bool = False) -> wq.Query:
        node = _exact_phrase(node)
        if node.is_leaf():
            return node
        node = node.apply(visit)
        if isinstance(node, wq.And):
            return optional(node, node.subqueries, wq.And)
        if top and not match_all and isinstance(node, wq.Or):
            return optional(node, node.subqueries, wq.Or)
        return node

    return visit(query, top=True)


class _ParseCache:
    """Parsers per schema and parsed queries per text, least recently used
    out first. Whoosh's parser costs milliseconds to build and to run, and a
    request parses the same words several times (all words, then any word;
    the rewrites; the page's links). Parsed queries are never changed in
    place (bound_expansions and add_cross_script build new ones), so one
    can be shared. The schema is kept with its entries, so its id is not
    reused while they exist."""

    def __init__(self, parsers: int = 8, queries: int = 4096) -> None:
        # (schema id, match_all, exact_boost) -> (schema, parser); (those settings, text) -> (schema, query)
        self._parsers: LRUCache[tuple[int, bool, float], tuple[Schema, QueryParser]] = LRUCache(maxsize=parsers)
        self._queries: LRUCache[tuple[tuple[int, bool, float], str], tuple[Schema, wq.Query]] = LRUCache(
            maxsize=max(queries, 1)
        )
        self._keep_queries = queries > 0
        self._lock = threading.Lock()

    def query(self, schema: Schema, text: str, match_all: bool, exact_boost: float) -> wq.Query:
        settings = (id(schema), match_all, exact_boost)
        with self._lock:
            found = self._queries.get((settings, text))
            if found is not None:
                return found[1]
            entry = self._parsers.get(settings)
        if entry is None:
            entry = (schema, make_parser(schema, match_all, exact_boost))
        query = _parse(entry[1], text, match_all)
        with self._lock:
            self._parsers[settings] = entry
            if self._keep_queries:
                self._queries[(settings, text)] = (schema, query)
        return query


_parse_cache = _ParseCache(queries=current_setting("PARSE_CACHE_SIZE"))


def build_query(schema: Schema, text: str, match_all: bool = True, exact_boost: float = EXACT_BOOST) -> wq.Query:
    """The Whoosh query for ``text``; NullQuery when nothing searchable is left
    (only stopwords or only excluded words)."""
    return _parse_cache.query(schema, text, match_all, exact_boost)


def _kind(leaf: wq.Query) -> str:
    if isinstance(leaf, wq.FuzzyTerm):
        return "fuzzy"
    if isinstance(leaf, wq.Prefix):
        return "prefix"
    return "word"


def _leaf_words(leaf: wq.Query) -> list[str]:
    if isinstance(leaf, wq.Phrase):
        return leaf.words
    text = getattr(leaf, "text", None)
    return [text] if isinstance(text, str) else []


@dataclass(frozen=True)
class QueryShape:
    """What a parsed query costs, counted on the query itself whatever the
    punctuation that joined its words (``(w~2)``, ``a,b,c``, ``w~2/1``): its
    words, fuzzy words and prefix words (a word is counted once however many
    fields it is looked up in), and the prefix and fuzzy lookups to expand."""

    words: int
    fuzzy: int
    prefix: int
    expansions: int

    def expansion_cap(self) -> int:
        """Terms each prefix or fuzzy lookup may expand to, so that all of them
        together stay within MAX_TOTAL_EXPANSIONS."""
        return max(1, min(MAX_EXPANSIONS, MAX_TOTAL_EXPANSIONS // max(1, self.expansions)))


def query_shape(query: wq.Query) -> QueryShape:
    """The QueryShape of a parsed query. Words are counted per field and by
    where they were typed, and the larger count is taken: ``a,b,c`` is one
    place but three words in each field; ``title:a body:b`` is one word per
    field but two places."""
    per_field: defaultdict[str, defaultdict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    places: defaultdict[str, set[tuple[int, int]]] = defaultdict(set)
    lookups: set[tuple[str, str, str, int]] = set()
    for leaf in query.leaves():
        words, kind = _leaf_words(leaf), _kind(leaf)
        if not words:
            continue
        for counted in {kind, "all"}:
            per_field[leaf.fieldname][counted].update(words)
            if getattr(leaf, "startchar", None) is not None:
                places[counted].add((leaf.startchar, leaf.endchar))
        if kind != "word":
            lookups.add((kind, leaf.fieldname, leaf.text, getattr(leaf, "maxdist", 0)))

    def count(kind: str) -> int:
        return max([len(places[kind])] + [len(kinds[kind]) for kinds in per_field.values()])

    return QueryShape(words=count("all"), fuzzy=count("fuzzy"), prefix=count("prefix"), expansions=len(lookups))


def check_shape(query: wq.Query, max_words: int) -> QueryShape:
    """The QueryShape of ``query``; BadRequest when it has more words, fuzzy
    words or prefix words than allowed."""
    shape = query_shape(query)
    if shape.words > max_words:
        raise BadRequest(f"q has too many words: at most {max_words}", "q_too_many_words", limit=max_words)
    if shape.fuzzy > MAX_FUZZY_WORDS:
        raise BadRequest(
            f"q has too many fuzzy words: at most {MAX_FUZZY_WORDS}", "q_too_many_fuzzy", limit=MAX_FUZZY_WORDS
        )
    if shape.prefix > MAX_PREFIX_WORDS:
        raise BadRequest(
            f"q has too many prefix words: at most {MAX_PREFIX_WORDS}", "q_too_many_prefix", limit=MAX_PREFIX_WORDS
        )
    return shape


def _expansions(query: wq.Prefix | wq.FuzzyTerm, reader: Reader, cap: int) -> list[str]:
    """The at most ``cap`` index terms a prefix or fuzzy word stands for, the
    most frequent first."""
    if isinstance(query, wq.Prefix):
        if len(query.text) < MIN_PREFIX_CHARS:
            return [query.text]
        frequency = reader.prefix_frequencies(query.fieldname, query.text)
    elif not MIN_FUZZY_WORD_CHARS <= len(query.text) <= MAX_FUZZY_WORD_CHARS:
        return [query.text]
    else:
        edits = min(query.maxdist, MAX_FUZZY_EDITS)
        # The first letter must match: it keeps the candidates few and typos
        # rarely hit it (hamza and alef variants are normalised already).
        found = reader.terms_within(query.fieldname, query.text, edits, prefix=max(query.prefixlength, 1))
        candidates = [term.decode("utf-8") if isinstance(term, bytes) else term for term in found]
        frequency = {term: reader.doc_frequency(query.fieldname, term) for term in candidates}
    return most_frequent(frequency, cap)


def most_frequent(frequency: Mapping[str, int], count: int) -> list[str]:
    """The ``count`` terms of ``{term: documents}`` in most documents, ties
    in term order: sorted in numpy (a two-letter prefix has tens of
    thousands of terms; numpy's string order is Python's, by code point)."""
    if not frequency:
        return []
    terms = np.array(list(frequency))
    counts = np.fromiter(frequency.values(), dtype=np.int64, count=len(frequency))
    return terms[np.lexsort((terms, -counts))[:count]].tolist()


class Expander:
    """Expands the prefix and fuzzy words of one request's queries: each
    lookup once however many passes ask for it (``memo``, a dict the
    request's passes share: all words, some words, rewrites, the
    suggestion), at most ``cap`` terms each, and none once the request's
    deadline has passed (those words then match nothing, and the deadline
    says the answer is partial)."""

    def __init__(
        self,
        reader: Reader,
        cap: int = MAX_EXPANSIONS,
        deadline: Deadline | None = None,
        memo: Expansions | None = None,
    ) -> None:
        self.reader, self.cap, self.deadline = reader, cap, deadline
        self._done: Expansions = {} if memo is None else memo

    def terms(self, query: wq.Prefix | wq.FuzzyTerm) -> list[str]:
        key = (
            self.cap,
            type(query),
            query.fieldname,
            query.text,
            getattr(query, "maxdist", 0),
            getattr(query, "prefixlength", 0),
        )
        if key not in self._done:
            if self.deadline is not None and not self.deadline.left():
                return []
            self._done[key] = _expansions(query, self.reader, self.cap)
        return self._done[key]


def bound_expansions(query: wq.Query, reader: Reader, expander: Expander | None = None) -> wq.Query:
    """Replace prefix and fuzzy words by an OR of at most MAX_EXPANSIONS index
    terms (fewer when the request has many of them: see QueryShape), so that
    ``a*`` or ``x~2`` cannot expand to the whole vocabulary; cap fuzzy edits
    and phrase slop."""
    expander = expander or Expander(reader)
    if isinstance(query, wq.Phrase) and query.slop > MAX_PHRASE_SLOP:
        return wq.Phrase(query.fieldname, query.words, slop=MAX_PHRASE_SLOP, boost=query.boost)
    if isinstance(query, wq.Prefix | wq.FuzzyTerm):
        terms = expander.terms(query)
        if not terms:
            return wq.NullQuery
        boost = query.boost * (0.9 if isinstance(query, wq.FuzzyTerm) else 1.0)
        return wq.Or([wq.Term(query.fieldname, term) for term in terms], boost=boost)
    if query.is_leaf():
        return query
    return query.apply(lambda child: bound_expansions(child, reader, expander))


def positive_terms(query: wq.Query) -> Iterator[tuple[str, str]]:
    """The (field, term) pairs a matching document may contain: the query's
    terms less the excluded ones, phrase words included."""
    if isinstance(query, wq.Not):
        return
    if isinstance(query, wq.AndNot):
        yield from positive_terms(query.a)
        return
    if isinstance(query, wq.Term | wq.Prefix | wq.FuzzyTerm):
        yield query.fieldname, query.text
    elif isinstance(query, wq.Phrase):
        for word in query.words:
            yield query.fieldname, word
    for child in query.children():
        yield from positive_terms(child)

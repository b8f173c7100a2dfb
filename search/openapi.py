"""The OpenAPI 3.1 document of the HTTP interface, served at GET /openapi.json.

It describes every route as the app answers it: the JSON API (/search,
/healthz, the admin endpoints, /metrics), the HTML pages, the OpenSearch
description, the static files and this document; each parameter with the
type and bounds the app enforces (search/query.py), each response with its
status, media type, body and headers, errors included.

It is data, written by hand: a client reads it, and the tests hold it to
the app (tests/test_openapi.py: the same routes and methods, every
parameter a route reads; tests/test_schemathesis.py: Schemathesis fuzzes the
app from it and finds no 5xx and no answer the document does not describe).
The bounds that are settings (query length and words, page size and depth)
are filled in from the app's config when the document is served, so that
it says what this server enforces.
"""

from __future__ import annotations

from itertools import cycle, islice
from typing import Any

from flask import Blueprint, Response, current_app

from .query import LANGUAGES, MAX_FILTER_CHARS, SORT_ORDERS
from .renderer import json_response

bp = Blueprint("openapi", __name__)

JSON = "application/json"
HTML = "text/html"
Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


# --- parameters ----------------------------------------------------------------

# No control character (Unicode category Cc) but tab, newline and carriage
# return, and no U+FFFD (what a byte that is not UTF-8 decodes to).
TEXT_CHAR = r"[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFD]"
FILTER_CHAR = r"[^\u0000-\u001F\u007F-\u009F]"
# Dates and years may be written with Arabic-Indic or Eastern Arabic-Indic digits.
DIGIT = r"[0-9\u0660-\u0669\u06F0-\u06F9]"
ZERO = r"[0\u0660\u06F0]"
FLAG = ["0", "1", "true", "false"]

# Words for the long example query: diacritised, so that a query of the
# most words allowed comes near the most characters allowed.
LONG_QUERY_WORDS = (
    "الاِنْتِخَابَاتُ",
    "البَرْلَمَانِيَّةُ",
    "وَالمُرَاقِبُونَ",
    "الدَّوْلِيُّونَ",
    "international",
    "observers",
    "لِلاِنْتِخَابَاتِ",
    "parliamentary",
)


def long_query(max_chars: int, max_words: int) -> str:
    """A query of at most ``max_words`` words and ``max_chars`` characters,
    as near to them as the words above allow."""
    text = ""
    for word in islice(cycle(LONG_QUERY_WORDS), max_words):
        if len(text) + 1 + len(word) > max_chars:
            break
        text = f"{text} {word}".lstrip()
    return text


def query_examples(config: dict) -> dict[str, Schema]:
    examples = {
        "arabic": ("An Arabic word", "الانتخابات"),
        "hamza": ("A hamza spelling (إ for ا), found all the same", "إنتخابات"),
        "diacritics": ("Fully diacritised: the marks are ignored", "الاِنْتِخَابَات"),
        "rlm": ("With right-to-left marks (U+200F), ignored", "\u200fالانتخابات\u200f"),
        "rlo": ("A right-to-left override (U+202E … U+202C) around Latin words", "\u202eelections\u202c observers"),
        "isolates": ("A left-to-right isolate (U+2066 … U+2069) in Arabic text", "\u2066Tokayev\u2069 توكاييف"),
        "zwnj": ("A zero-width non-joiner (U+200C) inside a word", "الانتخا\u200cبات"),
        "mixed": ("Arabic and Latin together", "انتخابات OSCE observers"),
        "syntax": ("Phrase, exclusion, prefix and fuzzy syntax", '"الانتخابات البرلمانية" -محلية observ* elections~1'),
        "layout": ("Typed with the other keyboard layout active", "hkjohfhj"),
        "long": (
            "Near the longest query allowed",
            long_query(config["MAX_QUERY_CHARS"], config["MAX_QUERY_TERMS"]),
        ),
    }
    return {name: {"summary": summary, "value": value} for name, (summary, value) in examples.items()}


def query_text_schema(config: dict) -> Schema:
    return {
        "type": "string",
        "minLength": 1,
        "maxLength": config["MAX_QUERY_CHARS"],
        # At least one character that is not white space.
        "pattern": rf"^{TEXT_CHAR}*[^\s\u0000-\u001F\u007F-\u009F\uFFFD]{TEXT_CHAR}*$",
    }


def param(name: str, where: str, schema: Schema, description: str, **more: Any) -> Schema:
    return {"name": name, "in": where, "schema": schema, "description": description, **more}


def optional(name: str, schema: Schema, description: str, **more: Any) -> Schema:
    """An optional query parameter; given empty, it is as if not given."""
    return param(name, "query", schema, description, allowEmptyValue=True, **more)


def flag(name: str, default: str, description: str) -> Schema:
    return optional(name, {"type": "string", "enum": FLAG, "default": default}, description)


def search_parameters(config: dict, q_required: bool = True) -> list[Schema]:
    """The parameters of a search (search/query.py parse_request)."""
    q_description = (
        f"The words to search for (query syntax in the README): at most {config['MAX_QUERY_CHARS']} characters "
        f"and {config['MAX_QUERY_TERMS']} words, not only white space, no control characters but tab and line "
        "breaks, UTF-8 in the URL. Otherwise a 400."
    )
    if q_required:
        q = param("q", "query", query_text_schema(config), q_description, required=True)
    else:
        schema = {"type": "string", "maxLength": config["MAX_QUERY_CHARS"]}
        q = param("q", "query", schema, q_description + " Empty or absent: the empty search page.")
    q["examples"] = query_examples(config)
    depth = config["MAX_RESULT_DEPTH"]
    return [
        q,
        optional(
            "page",
            {"type": "integer", "minimum": 1, "maximum": max(1, depth), "default": 1},
            f"The page of results, from 1; page × per_page at most {depth} (deeper is a 400).",
        ),
        optional(
            "per_page",
            {"type": "integer", "minimum": 1, "maximum": max(1, config["MAX_PER_PAGE"]), "default": 10},
            "Results on a page.",
        ),
        optional(
            "lang",
            {"type": "string", "enum": [*LANGUAGES, "all", "any"]},
            "Only documents in this language; `all` or `any`: every language.",
        ),
        flag("explain", "0", "`1` or `true` adds `explain` to the response."),
        flag("exact", "0", "`1` or `true` searches the words as typed: no typo tolerance and no rewrite."),
        flag("cross_script", "1", "`0` or `false` stops matching names and places written in the other script."),
        flag("collapse", "1", "`0` or `false` shows every copy of a near-duplicate document."),
        optional(
            "date_from",
            {"type": "string", "format": "date", "pattern": rf"^{DIGIT}{{4}}-{DIGIT}{{2}}-{DIGIT}{{2}}$"},
            "Only documents dated on or after this day (YYYY-MM-DD); undated documents are left out.",
        ),
        optional(
            "date_to",
            {"type": "string", "format": "date", "pattern": rf"^{DIGIT}{{4}}-{DIGIT}{{2}}-{DIGIT}{{2}}$"},
            "Only documents dated on or before this day (YYYY-MM-DD); before date_from is a 400.",
        ),
        optional(
            "year",
            {"type": "string", "pattern": rf"^(?!{ZERO}{{4}}$){DIGIT}{{4}}$", "examples": ["2024", "٢٠٢٤"]},
            "Only documents of this year (four digits).",
        ),
        optional(
            "sort", {"type": "string", "enum": list(SORT_ORDERS), "default": "relevance"}, "`date`: newest first."
        ),
        optional(
            "source",
            {"type": "string", "maxLength": MAX_FILTER_CHARS, "pattern": f"^{FILTER_CHAR}*$"},
            "Only documents from this source (a site's name, or the top folder of the file).",
        ),
        optional(
            "similar_to",
            {"type": "string", "maxLength": MAX_FILTER_CHARS, "pattern": f"^{FILTER_CHAR}*$"},
            "Only the copies of this document (its id); no document with this id is a 400.",
        ),
    ]


REQUEST_ID_PARAMETER = {"$ref": "#/components/parameters/RequestId"}
PAGE_LANGUAGE_PARAMETERS = [
    {"$ref": "#/components/parameters/InterfaceLanguage"},
    {"$ref": "#/components/parameters/InterfaceLanguageCookie"},
    {"$ref": "#/components/parameters/AcceptLanguage"},
]


# --- responses -----------------------------------------------------------------

REQUEST_ID_HEADER = {"X-Request-Id": {"$ref": "#/components/headers/RequestId"}}
RETRY_AFTER_HEADER = {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}}
# Flask-Limiter's, on the searches when SEARCH_RATE_LIMIT is set.
RATE_LIMIT_HEADERS = {
    name: {"$ref": "#/components/headers/RateLimitCount"} for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining")
} | {"X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}}


def response(description: str, content: dict | None = None, headers: dict | None = None) -> Schema:
    answer: Schema = {"description": description, "headers": {**REQUEST_ID_HEADER, **(headers or {})}}
    if content is not None:
        answer["content"] = content
    return answer


def json_body(schema_name: str) -> dict:
    return {JSON: {"schema": ref(schema_name)}}


def html_page() -> dict:
    return {HTML: {"schema": {"type": "string"}}}


def error(description: str, headers: dict | None = None) -> Schema:
    return response(description, json_body("Error"), headers)


def page_error(description: str, headers: dict | None = None) -> Schema:
    return response(description, html_page(), headers)


# Werkzeug's answer to a path with doubled slashes (``/doc//x``): the path with them merged.
MERGED_SLASHES = response(
    "The same path with its doubled slashes merged.",
    html_page(),
    {"Location": {"description": "The path with the slashes merged.", "required": True, "schema": {"type": "string"}}},
)


TOO_MANY_SEARCHES = (
    "Too many searches from this client (only when SEARCH_RATE_LIMIT is set; counted per worker, the API and "
    "the page together)."
)
ADMIN_ERRORS = {
    "401": error("No token, or a wrong one."),
    "403": error("The admin endpoints are off: SEARCH_ADMIN_TOKEN is not set."),
    "429": error(
        "This client has sent too many wrong tokens (SEARCH_ADMIN_FAILURES_ALLOWED in 15 minutes), or failures "
        "cannot be counted now; the right token is always let in.",
        RETRY_AFTER_HEADER,
    ),
}
ADMIN_SECURITY: list[dict[str, list[str]]] = [{"adminToken": []}]


# --- the document ----------------------------------------------------------------


def paths(config: dict) -> dict:
    search = search_parameters(config)
    page_search = search_parameters(config, q_required=False)
    run_id = param(
        "run_id",
        "path",
        {"type": "string", "pattern": r"^[0-9]{8}T[0-9]{6}\.[0-9]{6}Z$", "examples": ["20261205T190856.557023Z"]},
        "The run's id, as its status URL gives it (another id is a 404).",
        required=True,
    )
    return {
        "/search": {
            "get": {
                "operationId": "search",
                "tags": ["search"],
                "summary": "Search the documents",
                "parameters": [*search, REQUEST_ID_PARAMETER],
                "responses": {
                    "200": response("The page of results asked for.", json_body("SearchResponse"), RATE_LIMIT_HEADERS),
                    "400": error(
                        "A parameter is invalid (the message says which and why), the query string is not "
                        "UTF-8, or the query has too many words, fuzzy or prefix words, or cannot be parsed."
                    ),
                    "429": error(TOO_MANY_SEARCHES, {**RETRY_AFTER_HEADER, **RATE_LIMIT_HEADERS}),
                    "503": error(
                        "`query_timeout`: not even the first pass over the index finished within the deadline "
                        "(with Retry-After); `index_unavailable`: there is no usable index; `index_damaged`: "
                        "the index is damaged on disk.",
                        RETRY_AFTER_HEADER,
                    ),
                },
            }
        },
        "/healthz": {
            "get": {
                "operationId": "health",
                "tags": ["service"],
                "summary": "Whether the index serves, and its last run",
                "parameters": [REQUEST_ID_PARAMETER],
                "responses": {
                    "200": response("The index serves (`ok`, or `degraded` with its reason).", json_body("Health")),
                    "503": response(
                        "The index is unusable: `unavailable` with the error, or `index_damaged`.",
                        {JSON: {"schema": {"anyOf": [ref("Health"), ref("Error")]}}},
                    ),
                },
            }
        },
        "/admin/reindex": {
            "post": {
                "operationId": "startReindex",
                "tags": ["admin"],
                "summary": "Start an index run in the background",
                "security": ADMIN_SECURITY,
                "parameters": [
                    flag("rebuild", "0", "`1` or `true` re-reads every file and replaces the index."),
                    REQUEST_ID_PARAMETER,
                ],
                "responses": {
                    "202": response(
                        "The run started; follow it at `status_url`.",
                        json_body("RunAccepted"),
                        {"Location": {"description": "The run's status URL.", "schema": {"type": "string"}}},
                    ),
                    "400": error("`rebuild` is not 0, 1, true or false."),
                    **ADMIN_ERRORS,
                    "409": error(
                        "A run is already under way (the message gives its status URL), or the command line or "
                        "the watcher is writing the index."
                    ),
                    "503": error("The run could not be started (`unavailable`)."),
                },
            }
        },
        "/admin/reindex/latest": {
            "get": {
                "operationId": "latestReindex",
                "tags": ["admin"],
                "summary": "The last run started over HTTP",
                "security": ADMIN_SECURITY,
                "parameters": [REQUEST_ID_PARAMETER],
                "responses": {
                    "200": response("The run.", json_body("RunStatus")),
                    **ADMIN_ERRORS,
                    "404": error("No run has been started over HTTP yet."),
                },
            }
        },
        "/admin/reindex/{run_id}": {
            "get": {
                "operationId": "reindexStatus",
                "tags": ["admin"],
                "summary": "A run's state: running, done (with its summary) or failed (with the error)",
                "security": ADMIN_SECURITY,
                "parameters": [run_id, REQUEST_ID_PARAMETER],
                "responses": {
                    "200": response("The run.", json_body("RunStatus")),
                    **ADMIN_ERRORS,
                    "404": error("No run with this id."),
                },
            }
        },
        "/metrics": {
            "get": {
                "operationId": "metrics",
                "tags": ["admin"],
                "summary": "Counters and timings, in Prometheus' text format",
                "security": ADMIN_SECURITY,
                "parameters": [REQUEST_ID_PARAMETER],
                "responses": {
                    "200": response(
                        "Prometheus' text exposition format (version 0.0.4).",
                        {"text/plain": {"schema": {"type": "string"}}},
                    ),
                    **ADMIN_ERRORS,
                },
            }
        },
        "/": {
            "get": {
                "operationId": "searchPage",
                "tags": ["pages"],
                "summary": "The search page (works without JavaScript), with the results of `q`",
                "description": (
                    "The parameters are those of /search, checked only when `q` is given; an invalid one is the "
                    "page again with the error, and a 400."
                ),
                "parameters": [
                    *page_search,
                    optional(
                        "partial",
                        {"type": "string", "enum": ["1"]},
                        "`1`: only the results section, for the search-as-you-type script.",
                    ),
                    *PAGE_LANGUAGE_PARAMETERS,
                    REQUEST_ID_PARAMETER,
                ],
                "responses": {
                    "200": response("The page.", html_page(), RATE_LIMIT_HEADERS),
                    "400": page_error("The page with the error: a parameter is invalid."),
                    "429": page_error(TOO_MANY_SEARCHES, {**RETRY_AFTER_HEADER, **RATE_LIMIT_HEADERS}),
                    "503": page_error("The search timed out, or the index is unavailable or damaged."),
                },
            }
        },
        "/doc/{doc_id}": {
            "get": {
                "operationId": "documentPage",
                "tags": ["pages"],
                "summary": "One document, with the matches of `q` marked",
                "parameters": [
                    param(
                        "doc_id",
                        "path",
                        {"type": "string", "examples": ["ar/politics/kz-early-elections.txt"]},
                        "The document's id (its path in the docs folder; slashes included).",
                        required=True,
                    ),
                    param(
                        "q",
                        "query",
                        {"type": "string"},
                        "The search whose matches to mark (one that does not parse only loses its marks).",
                    ),
                    *(
                        param(name, "query", {"type": "string"}, "Kept for the link back to the results.")
                        for name in ("page", "per_page", "lang")
                    ),
                    *PAGE_LANGUAGE_PARAMETERS,
                    REQUEST_ID_PARAMETER,
                ],
                "responses": {
                    "200": response("The document.", html_page()),
                    "308": MERGED_SLASHES,
                    "404": page_error("No document has this id."),
                    "503": page_error("The index is unavailable or damaged."),
                },
            }
        },
        "/opensearch.xml": {
            "get": {
                "operationId": "openSearchDescription",
                "tags": ["pages"],
                "summary": "The OpenSearch description, for browsers",
                "parameters": [*PAGE_LANGUAGE_PARAMETERS, REQUEST_ID_PARAMETER],
                "responses": {
                    "200": response(
                        "The description, with absolute URLs.",
                        {"application/opensearchdescription+xml": {"schema": {"type": "string"}}},
                    ),
                    "404": page_error("No public address is known: set SEARCH_BASE_URL."),
                },
            }
        },
        "/static/{filename}": {
            "get": {
                "operationId": "staticFile",
                "tags": ["pages"],
                "summary": "The pages' style sheet and scripts",
                "parameters": [
                    param(
                        "filename",
                        "path",
                        {"type": "string", "examples": ["style.css", "search.js"]},
                        "The file's name.",
                        required=True,
                    ),
                    REQUEST_ID_PARAMETER,
                ],
                "responses": {
                    "200": response("The file.", {"*/*": {"schema": {}}}),
                    "308": MERGED_SLASHES,
                    "404": page_error("No such file."),
                },
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "tags": ["service"],
                "summary": "This document",
                "parameters": [REQUEST_ID_PARAMETER],
                "responses": {"200": response("The OpenAPI document.", {JSON: {"schema": {"type": "object"}}})},
            }
        },
    }


SCHEMAS: dict[str, Schema] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "additionalProperties": False,
                "properties": {
                    "code": {
                        "type": "string",
                        "description": (
                            "bad_request, unauthorized, forbidden, not_found, method_not_allowed, conflict, "
                            "too_many_requests, query_timeout, index_unavailable, index_damaged, unavailable, "
                            "or another HTTP status's name in snake case."
                        ),
                        "examples": ["bad_request"],
                    },
                    "message": {"type": "string", "examples": ["page must be a positive integer"]},
                },
            }
        },
    },
    "SearchResponse": {
        "type": "object",
        "required": [
            "query",
            "total",
            "page",
            "per_page",
            "took_ms",
            "matched",
            "results",
            "facets",
            "suggestion",
            "rewrite",
            "partial",
            "timed_out",
        ],
        "additionalProperties": False,
        "properties": {
            "query": {"type": "string", "description": "The query, as searched (white space trimmed)."},
            "total": {"type": "integer", "minimum": 0, "description": "Results in all (copies folded)."},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "took_ms": {"type": "number", "minimum": 0},
            "matched": {
                "enum": ["all", "some", "none"],
                "description": "`all`: every result has all the words; `some`: no document had them all; "
                "`none`: nothing matched.",
            },
            "results": {"type": "array", "items": ref("Result")},
            "facets": ref("Facets"),
            "suggestion": {
                "type": ["string", "null"],
                "description": "A corrected query (did you mean) that finds more.",
            },
            "rewrite": nullable(ref("Rewrite")),
            "partial": {
                "type": "boolean",
                "description": "The deadline passed before every step was done: some were skipped.",
            },
            "timed_out": {"type": "boolean", "description": "`partial`, under its earlier name."},
            "explain": ref("Explain"),
        },
    },
    "Result": {
        "type": "object",
        "required": [
            "id",
            "title",
            "lang",
            "score",
            "snippet",
            "typos",
            "url",
            "date",
            "date_source",
            "source",
            "similar",
            "similar_url",
        ],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "description": "The document's path in the docs folder."},
            "title": {"type": "string"},
            "lang": {"enum": list(LANGUAGES)},
            "score": {"type": "number"},
            "snippet": {"type": "string", "description": "HTML: the text escaped, each match in `<mark>`."},
            "typos": {"type": "integer", "minimum": 0, "maximum": 2},
            "url": {"type": "string", "description": "The document view, with the query's matches marked."},
            "date": {"type": ["string", "null"], "format": "date", "description": "The publication date."},
            "date_source": {"enum": ["html", "text", "mtime", "none", None]},
            "source": {"type": ["string", "null"]},
            "similar": {"type": "integer", "minimum": 0, "description": "Matching copies folded into this one."},
            "similar_url": {"type": ["string", "null"], "description": "The search that lists those copies."},
        },
    },
    "Facets": {
        "type": "object",
        "description": "Documents of the whole match set by language, year and source, each facet with every "
        "filter applied but its own. Empty when nothing was searched.",
        "additionalProperties": False,
        "properties": {name: ref("FacetCounts") for name in ("lang", "year", "source")},
    },
    "FacetCounts": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1}},
    "Rewrite": {
        "type": "object",
        "required": ["from", "to", "reason"],
        "properties": {
            "from": {"type": "string"},
            "to": {"type": "string"},
            "reason": {
                "enum": ["layout", "typo"],
                "description": "`layout`: typed with the other keyboard layout; `typo`: a word replaced by its "
                "closest index word.",
            },
        },
    },
    "ExplainedWord": {
        "type": "object",
        "required": ["word", "script", "normalized", "stem", "stopword"],
        "additionalProperties": False,
        "properties": {
            "word": {"type": "string"},
            "script": {"enum": ["arabic", "latin"]},
            "normalized": {"type": "string"},
            "stem": {"type": ["string", "null"], "description": "null for a stopword."},
            "stopword": {"type": "boolean"},
        },
    },
    "Explain": {
        "type": "object",
        "description": "With `explain=1`: how the query was read.",
        "required": ["words", "parsed", "typos"],
        "additionalProperties": False,
        "properties": {
            "words": {"type": "array", "items": ref("ExplainedWord")},
            "parsed": {"type": "string", "description": "The parsed query."},
            "cross_script": {
                "type": "object",
                "description": "Each word's matches in the other script (names and places); absent with "
                "`cross_script=0`.",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
            "rewrite": {
                "allOf": [ref("Rewrite")],
                "properties": {"words": {"type": "array", "items": ref("ExplainedWord")}},
            },
            "typos": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["word", "matched", "typos"],
                    "additionalProperties": False,
                    "properties": {
                        "word": {"type": "string"},
                        "matched": {"type": "array", "items": {"type": "string"}},
                        "typos": {"type": "integer", "minimum": 1, "maximum": 2},
                    },
                },
            },
        },
    },
    "Health": {
        "type": "object",
        "required": ["status", "documents", "indexing"],
        "additionalProperties": False,
        "properties": {
            "status": {"enum": ["ok", "degraded", "unavailable"]},
            "documents": {"type": "integer", "minimum": 0},
            "last_indexed": {"type": ["string", "null"], "description": "When the last index run finished."},
            "last_run_failures": {"type": "integer", "minimum": 0},
            "indexing": {"type": "boolean", "description": "Whether an index run is going."},
            "reason": {"type": "string", "description": "Why the index is degraded."},
            "error": {"type": "string", "description": "Why the index is unavailable."},
        },
    },
    "RunAccepted": {
        "type": "object",
        "required": ["status", "run", "status_url"],
        "additionalProperties": False,
        "properties": {"status": {"const": "accepted"}, "run": ref("Run"), "status_url": {"type": "string"}},
    },
    "RunStatus": {
        "type": "object",
        "required": ["run", "status_url"],
        "additionalProperties": False,
        "properties": {"run": ref("Run"), "status_url": {"type": "string"}},
    },
    "Run": {
        "type": "object",
        "required": ["id", "state", "rebuild", "pid", "started_at", "finished_at", "summary", "error"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"},
            "state": {"enum": ["running", "done", "failed"]},
            "rebuild": {"type": "boolean"},
            "pid": {"type": ["integer", "null"], "description": "The run's process, once it is up."},
            "started_at": {"type": "string"},
            "finished_at": {"type": ["string", "null"]},
            "summary": nullable(ref("RunSummary")),
            "error": {
                "type": ["string", "null"],
                "description": "Why the run failed; `interrupted: …` when its process was stopped or killed.",
            },
        },
    },
    "RunSummary": {
        "type": "object",
        "required": ["added", "updated", "removed", "unchanged", "failed", "documents", "seconds", "rebuilt"],
        "properties": {
            **{name: {"type": "integer", "minimum": 0} for name in ("added", "updated", "removed", "unchanged")},
            "documents": {"type": "integer", "minimum": 0},
            "seconds": {"type": "number", "minimum": 0},
            "rebuilt": {"type": "boolean"},
            "failed": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "reason"],
                    "properties": {"id": {"type": "string"}, "reason": {"type": "string"}},
                },
            },
            "repaired": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["segment", "reason"],
                    "properties": {"segment": {"type": "string"}, "reason": {"type": "string"}},
                },
            },
        },
    },
}

COMPONENT_PARAMETERS = {
    "RequestId": param(
        "X-Request-Id",
        "header",
        {"type": "string"},
        "The request's id for the logs: kept when plain (1 to 64 of A-Z a-z 0-9 . _ : -), else a new one.",
    ),
    "InterfaceLanguage": param(
        "ui",
        "query",
        {"type": "string", "enum": ["en", "ar"]},
        "The language of the page's own words; remembered in the `ui` cookie.",
    ),
    "InterfaceLanguageCookie": param(
        "ui", "cookie", {"type": "string"}, "The interface language picked before (`en` or `ar`)."
    ),
    "AcceptLanguage": param(
        "Accept-Language", "header", {"type": "string"}, "The browser's languages: the page's when none was picked."
    ),
}

COMPONENT_HEADERS = {
    "RequestId": {
        "description": "This request's id: the client's when it sent a plain one, else a new one.",
        "required": True,
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,64}$"},
    },
    "RetryAfter": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer", "minimum": 0}},
    "RateLimitCount": {"description": "The search limit, and what is left of it.", "schema": {"type": "integer"}},
    "RateLimitReset": {"description": "When the limit resets (Unix time).", "schema": {"type": "number"}},
}


def openapi_document(config: dict) -> dict:
    """The document, with the bounds ``config`` (the app's) sets."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Bilingual search",
            "version": "1",
            "summary": "Full-text search over Arabic and English documents.",
            "description": (
                'Errors of the JSON endpoints are `{"error": {"code": …, "message": …}}`; the pages answer '
                "theirs in HTML. Every GET route also answers HEAD, every route OPTIONS; another method is a 405."
            ),
        },
        "tags": [
            {"name": "search", "description": "The search API."},
            {"name": "pages", "description": "The HTML pages and what they load."},
            {"name": "admin", "description": "Reindexing and metrics, behind SEARCH_ADMIN_TOKEN."},
            {"name": "service", "description": "Health and this document."},
        ],
        "paths": paths(config),
        "components": {
            "schemas": SCHEMAS,
            "parameters": COMPONENT_PARAMETERS,
            "headers": COMPONENT_HEADERS,
            "securitySchemes": {
                "adminToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "SEARCH_ADMIN_TOKEN, as `Authorization: Bearer <token>`.",
                }
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json() -> Response:
    return json_response(openapi_document(current_app.config))

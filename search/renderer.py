"""The one place that owns the JSON shapes: a search response and an error."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from flask import jsonify

if TYPE_CHECKING:
    from flask import Response

    from .engine import SearchResponse
    from .query import SearchRequest


def document_url(doc_id: str, query_text: str | None = None) -> str:
    url = "/doc/" + quote(doc_id, safe="/")
    if query_text:
        url += "?q=" + quote(query_text, safe="")
    return url


EPOCH = date(1970, 1, 1)


def request_params(request: SearchRequest | None) -> dict[str, str | int]:
    """The parameters of a SearchRequest that narrow or order its matches,
    as a URL writes them (defaults left out)."""
    if request is None:
        return {}
    days = {name: getattr(request, name) for name in ("date_from", "date_to")}
    params = {
        "lang": request.lang,
        "source": request.source,
        "year": request.year,
        "exact": "1" if request.exact else None,
        "cross_script": "0" if not request.cross_script else None,
        "sort": request.sort if request.sort != "relevance" else None,
        **{name: (EPOCH + timedelta(days=value)).isoformat() for name, value in days.items() if value is not None},
    }
    return {name: value for name, value in params.items() if value is not None}


def similar_url(query_text: str, doc_id: str, request: SearchRequest | None = None) -> str:
    """The API request for every copy folded into ``doc_id`` (its duplicate
    group) among the matches of the same request."""
    params = {"q": query_text, **request_params(request), "similar_to": doc_id, "collapse": "0"}
    return "/search?" + urlencode(params)


def search_json(response: SearchResponse, request: SearchRequest | None = None) -> dict[str, Any]:
    """The body of GET /search (and of `query --json`) as a plain dict;
    ``request`` (the SearchRequest) carries its filters into the links."""
    data: dict[str, Any] = {
        "query": response.query,
        "total": response.total,
        "page": response.page,
        "per_page": response.per_page,
        "took_ms": response.took_ms,
        "matched": response.matched,
        "results": [
            {
                "id": hit.doc_id,
                "title": hit.title,
                "lang": hit.lang,
                "score": hit.score,
                "snippet": hit.snippet,
                "typos": hit.typos,
                "url": document_url(hit.doc_id, response.query),
                "date": hit.date,
                "date_source": hit.date_source,
                "source": hit.source or None,
                "similar": hit.similar,
                "similar_url": similar_url(response.query, hit.doc_id, request) if hit.similar else None,
            }
            for hit in response.hits
        ],
        "facets": response.facets,
        "suggestion": response.suggestion,
        "rewrite": response.rewrite.as_dict() if response.rewrite else None,
        "partial": response.partial,
        # The same, under the name it had before (kept for existing clients).
        "timed_out": response.partial,
    }
    if response.explain is not None:
        data["explain"] = response.explain
    return data


def json_response(data: object, status: int = 200) -> Response:
    response = jsonify(data)
    response.status_code = status
    return response


def error_response(code: str, message: str, status: int) -> Response:
    return json_response({"error": {"code": code, "message": message}}, status)

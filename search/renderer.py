"""The one place that owns the JSON shapes: a search response and an error."""

from datetime import date, timedelta
from urllib.parse import quote, urlencode

from flask import jsonify


def document_url(doc_id, query_text=None):
    url = "/doc/" + quote(doc_id, safe="/")
    if query_text:
        url += "?q=" + quote(query_text, safe="")
    return url


EPOCH = date(1970, 1, 1)


def request_params(request):
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


def similar_url(query_text, doc_id, request=None):
    """The API request for every copy folded into ``doc_id`` (its duplicate
    group) among the matches of the same request."""
    params = {"q": query_text, **request_params(request), "similar_to": doc_id, "collapse": "0"}
    return "/search?" + urlencode(params)


def search_json(response, request=None):
    """The body of GET /search (and of `query --json`) as a plain dict;
    ``request`` (the SearchRequest) carries its filters into the links."""
    data = {
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


def json_response(data, status=200):
    response = jsonify(data)
    response.status_code = status
    return response


def error_response(code, message, status):
    return json_response({"error": {"code": code, "message": message}}, status)

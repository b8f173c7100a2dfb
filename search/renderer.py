"""The one place that owns the JSON shapes: a search response and an error."""

from urllib.parse import quote, urlencode

from flask import jsonify


def document_url(doc_id, query_text=None):
    url = "/doc/" + quote(doc_id, safe="/")
    if query_text:
        url += "?q=" + quote(query_text, safe="")
    return url


def similar_url(query_text, doc_id):
    """The API request for every copy folded into ``doc_id`` (its duplicate group)."""
    return "/search?" + urlencode({"q": query_text, "similar_to": doc_id, "collapse": "0"})


def search_json(response):
    """The body of GET /search (and of `query --json`) as a plain dict."""
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
                "similar_url": similar_url(response.query, hit.doc_id) if hit.similar else None,
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

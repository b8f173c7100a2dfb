"""The search page, the document view and the OpenSearch description,
server-rendered (the page works with JavaScript off)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from itertools import groupby
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from flask import Blueprint, abort, current_app, g, render_template, request, url_for
from markupsafe import escape
from werkzeug.exceptions import NotFound

from .bidi import isolate, visible_controls
from .deadline import QueryTimeout
from .engine import document_spans
from .highlight import after_leading_title, mark_document
from .i18n import UI_COOKIE, translate, ui_language
from .page_lines import Page
from .query import BadRequest, parse_request, require_utf8
from .renderer import document_url
from .result_cache import cached_search
from .searcher import get_searcher

if TYPE_CHECKING:
    from flask import Response
    from flask.typing import ResponseReturnValue

    from .highlight import Span
    from .query import SearchRequest

bp = Blueprint("web", __name__)
ONE_YEAR = 365 * 24 * 3600


def direction(lang: str | None) -> str:
    return "rtl" if lang == "ar" else "ltr"


@bp.app_template_global()
def text_direction(lang: str | None) -> str:
    return direction(lang)


bp.add_app_template_filter(isolate, "isolate")
bp.add_app_template_filter(visible_controls, "visible_controls")


@bp.app_template_global()
def doc_url(doc_id: str, query_text: str | None = None) -> str:
    return document_url(doc_id, query_text)


@bp.app_template_global()
def switch_ui_url() -> str:
    """This page in the other interface language: the same path and
    parameters, with ``ui`` set (built by hand: request parameters must never
    reach url_for as its own arguments)."""
    other = "en" if g.get("ui_lang") == "ar" else "ar"
    params = [(key, value) for key, value in request.args.items(multi=True) if key not in ("ui", "partial")]
    return request.script_root + quote(request.path) + "?" + urlencode([*params, ("ui", other)])


# The search page's parameters a refining link keeps (page numbers restart).
SEARCH_PARAMS = (
    "q", "lang", "per_page", "exact", "source", "year", "date_from", "date_to", "sort", "collapse", "similar_to",
)  # fmt: skip


@bp.app_template_global()
def search_url(**changes: object) -> str:
    """This search with ``changes`` (a None value removes a parameter): the
    links of the facets, the order, the copies and the pages. Built by hand
    like switch_ui_url, from the parameters the page knows."""
    params: dict[str, object] = {key: request.args.get(key) for key in SEARCH_PARAMS if request.args.get(key)}
    params.update(changes)
    pairs = [(key, str(value)) for key, value in params.items() if value not in (None, "")]
    return url_for("web.search_page") + "?" + urlencode(pairs)


@bp.app_context_processor
def interface_language() -> dict[str, Any]:
    lang = g.get("ui_lang") or ui_language()
    return {"ui_lang": lang, "ui_dir": direction(lang), "t": lambda key, **params: translate(lang, key, **params)}


@bp.before_app_request
def remember_interface_language() -> None:
    g.ui_lang = ui_language()


@bp.after_app_request
def store_interface_language(response: Response) -> Response:
    chosen = request.args.get("ui")
    if chosen and chosen == g.get("ui_lang"):
        response.set_cookie(UI_COOKIE, chosen, max_age=ONE_YEAR, samesite="Lax", httponly=True)
    return response


def _results_page(search_request: SearchRequest) -> dict[str, Any]:
    # The page always carries the explanation, folded away in a <details>.
    response = g.search_response = cached_search(get_searcher(), replace(search_request, explain=True))
    assert response.explain is not None  # asked for
    return {
        "q": search_request.text,
        "response": response,
        "lang": search_request.lang,
        "pages": -(-response.total // search_request.per_page),
        "per_page": search_request.per_page,
        "exact": 1 if search_request.exact else None,
        "explained": response.explain["words"],
        "search_request": search_request,
    }


@bp.get("/")
def search_page() -> ResponseReturnValue:
    """The page; with ``partial=1`` only its results section, for the
    search-as-you-type script."""
    template = "_results.html" if request.args.get("partial") == "1" else "search.html"
    text = request.args.get("q", "")
    if not text.strip():
        return render_template(template, q="", response=None, error=None, lang=request.args.get("lang"))
    try:
        require_utf8(request.query_string)
        search_request = parse_request(request.args, current_app.config)
        results = _results_page(search_request)
    except BadRequest as error:
        message = translate(g.ui_lang, f"error.{error.key}", **error.params)
        return render_template(template, q=text, response=None, error=message, lang=None), 400
    except QueryTimeout:
        message = translate(g.ui_lang, "error.query_timeout")
        return render_template(template, q=text, response=None, error=message, lang=None), 503
    return render_template(template, error=None, **results)


@bp.get("/doc/<path:doc_id>")
def document_view(doc_id: str) -> ResponseReturnValue:
    searcher = get_searcher()
    docnum = searcher.document_number(id=doc_id)
    if docnum is None:
        abort(NotFound.code)
    fields = searcher.stored_fields(docnum)
    text = request.args.get("q", "").strip()
    spans: list[Span] = []
    if text:
        try:
            spans = document_spans(searcher, docnum, fields, text)
        except Exception:  # a query that does not parse only loses its marks
            spans = []
    start = after_leading_title(fields["body"], fields["title"])
    spans = [span for span in spans if span.start >= start]
    # Any: url_for's **values take anything, but mypy would match them against its _external flag too.
    back: dict[str, Any] = {key: request.args.get(key) for key in ("page", "per_page", "lang") if request.args.get(key)}
    return render_template(
        "document.html",
        doc=fields,
        parts=document_parts(fields["body"], fields.get("page"), spans, start),
        matches=len(spans),
        q=text,
        back_url=url_for("web.search_page", q=text, **back) if text else url_for("web.search_page"),
    )


def document_parts(body: str, page_json: str | None, spans: Sequence[Span], start: int) -> list[tuple[bool, str]]:
    """``[(is article, html)]``: the document view's text in order, the
    article's runs of lines marked, the lines left out of it
    (page_lines.Page) as they were, for the page to set apart."""
    if not page_json:
        return [(True, mark_document(body, spans, start))]
    parts: list[tuple[bool, str]] = []
    offset, marked = 0, False
    for kept, lines in groupby(Page.from_stored(page_json, body).blocks, key=lambda block: block[0]):
        text = "\n".join(line for _, line in lines)
        if not kept:
            parts.append((False, escape(text)))
            continue
        # The article's lines are ``body``, joined by newlines, in order.
        end = min(len(body), offset + len(text))
        if end > start:
            first_id = None if marked else "first-match"
            marked = marked or any(max(start, offset) <= span.start and span.end <= end for span in spans)
            parts.append((True, mark_document(body, spans, max(start, offset), end, first_id)))
        offset = end + 1
    return parts


def public_base_url(config: Mapping[str, Any]) -> str | None:
    """Where the service is reached: SEARCH_BASE_URL, or the loopback address
    gunicorn binds when it is unset; None when that is no address a browser
    can use (all interfaces, a Unix socket). Never the Host header: a client
    chooses that one."""
    if config.get("BASE_URL"):
        return config["BASE_URL"]
    host, _, port = (config.get("BIND") or "").rpartition(":")
    if host in ("127.0.0.1", "localhost", "[::1]") and port.isdigit():
        return f"http://{host}:{port}"
    return None


@bp.app_template_global()
def opensearch_offered() -> bool:
    return public_base_url(current_app.config) is not None


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """The OpenSearch description; its URLs must be absolute (browsers refuse
    relative ones), so they start with the configured base URL, and without
    one it is a 404."""
    base_url = public_base_url(current_app.config)
    if base_url is None:
        abort(NotFound.code, "set SEARCH_BASE_URL to offer the OpenSearch description")
    root = len(request.script_root)  # the base URL already says where the app is mounted
    body = render_template(
        "opensearch.xml",
        page_url=base_url + url_for("web.search_page")[root:],
        api_url=base_url + url_for("api.search_api")[root:],
    )
    return current_app.response_class(body, mimetype="application/opensearchdescription+xml")

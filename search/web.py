"""The search page and the document view, server-rendered."""

from flask import Blueprint, abort, current_app, render_template, request
from werkzeug.exceptions import NotFound

from .analysis.explain import explain_words
from .engine import query_terms, search
from .highlight import find_spans, mark_document
from .query import BadRequest, build_query, parse_request
from .renderer import document_url
from .searcher import get_searcher

bp = Blueprint("web", __name__)


def direction(lang):
    return "rtl" if lang == "ar" else "ltr"


@bp.app_template_global()
def text_direction(lang):
    return direction(lang)


@bp.app_template_global()
def doc_url(doc_id, query_text=None):
    return document_url(doc_id, query_text)


@bp.get("/")
def search_page():
    text = request.args.get("q", "")
    if not text.strip():
        return render_template("search.html", q="", response=None, error=None, lang=None)
    try:
        search_request = parse_request(request.args, current_app.config)
    except BadRequest as error:
        return render_template("search.html", q=text, response=None, error=str(error), lang=None), 400
    response = search(get_searcher(), search_request)
    pages = -(-response.total // search_request.per_page)
    return render_template(
        "search.html",
        q=search_request.text,
        response=response,
        error=None,
        lang=search_request.lang,
        pages=pages,
        per_page=search_request.per_page,
        explained=explain_words(search_request.text),
    )


@bp.get("/doc/<path:doc_id>")
def document_view(doc_id):
    searcher = get_searcher()
    fields = searcher.document(id=doc_id)
    if fields is None:
        abort(NotFound.code)
    text = request.args.get("q", "").strip()
    spans = []
    if text:
        try:
            terms = query_terms(build_query(searcher.schema, text))
        except Exception:  # a query that does not parse only loses its marks
            terms = set()
        spans = find_spans(fields["body"], terms, searcher.schema["body"].analyzer)
    return render_template(
        "document.html",
        doc=fields,
        body_html=mark_document(fields["body"], spans),
        matches=len(spans),
        q=text,
        back_page=request.args.get("page", ""),
        back_per_page=request.args.get("per_page", ""),
        back_lang=request.args.get("lang", ""),
    )

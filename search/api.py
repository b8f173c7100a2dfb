"""The JSON API: /search, /healthz and /admin/reindex."""

import hmac
import threading

from flask import Blueprint, current_app, request

from .index import IndexBusy, IndexUnavailable, read_last_run, update_index
from .query import BadRequest, parse_request, require_utf8
from .ratelimit import SlidingWindowLimiter, client_key, parse_rate
from .renderer import error_response, json_response, search_json
from .result_cache import cached_search
from .searcher import get_searcher

bp = Blueprint("api", __name__)
_reindex_running = threading.Lock()
ADMIN_FAILURE_WINDOW = 15 * 60


def init_limits(app):
    """Build the app's limiters from its config (one set per worker)."""
    rate = parse_rate(app.config["SEARCH_RATE_LIMIT"])
    app.extensions["search_limiter"] = SlidingWindowLimiter(*rate) if rate else None
    app.extensions["admin_failures"] = SlidingWindowLimiter(app.config["ADMIN_FAILURES_ALLOWED"], ADMIN_FAILURE_WINDOW)


def too_many_requests(limiter, key, message):
    response = error_response("too_many_requests", message, 429)
    response.headers["Retry-After"] = str(limiter.retry_after(key))
    return response


@bp.before_app_request
def limit_searches():
    limiter = current_app.extensions.get("search_limiter")
    if limiter is None or request.endpoint not in ("api.search_api", "web.search_page"):
        return None
    key = client_key()
    if not limiter.hit(key):
        return too_many_requests(limiter, key, "too many searches; slow down and try again shortly")
    return None


@bp.get("/search")
def search_api():
    require_utf8(request.query_string)
    search_request = parse_request(request.args, current_app.config)
    return json_response(search_json(cached_search(get_searcher(), search_request)))


@bp.get("/healthz")
def healthz():
    index_dir = current_app.config["INDEX_DIR"]
    try:
        documents = get_searcher().doc_count()
    except IndexUnavailable as error:
        return json_response({"status": "unavailable", "documents": 0, "error": str(error)}, 503)
    last_run = read_last_run(index_dir) or {}
    return json_response(
        {
            "status": "ok",
            "documents": documents,
            "last_indexed": last_run.get("finished_at"),
            "last_run_failures": len(last_run.get("failed", [])),
        }
    )


def _token_is_valid(expected):
    header = request.headers.get("Authorization", "")
    scheme, _, supplied = header.partition(" ")
    if scheme.lower() != "bearer" or not supplied:
        return False
    return hmac.compare_digest(supplied.strip().encode(), expected.encode())


@bp.post("/admin/reindex")
def admin_reindex():
    expected = current_app.config["ADMIN_TOKEN"]
    if not expected:
        return error_response("forbidden", "admin endpoints are disabled: set SEARCH_ADMIN_TOKEN", 403)
    failures, key = current_app.extensions["admin_failures"], client_key()
    if failures.blocked(key):
        return too_many_requests(failures, key, "too many failed attempts; try again later")
    if not _token_is_valid(expected):
        failures.hit(key)
        return error_response("unauthorized", "a valid bearer token is required", 401)
    if not _reindex_running.acquire(blocking=False):
        return error_response("conflict", "a reindex is already running", 409)
    try:
        summary = update_index(
            current_app.config["DOCS_DIR"],
            current_app.config["INDEX_DIR"],
            max_bytes=current_app.config["MAX_FILE_BYTES"],
            lock_wait=0,
        )
    except IndexBusy as error:
        return error_response("conflict", str(error), 409)
    finally:
        _reindex_running.release()
    return json_response({"status": "ok", "summary": summary.as_dict()})


@bp.errorhandler(BadRequest)
def bad_request(error):
    return error_response("bad_request", str(error), 400)

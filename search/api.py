"""The JSON API: /search, /healthz, /admin/reindex (runs in the
background: started by POST, followed by GET on its status URL), and
/metrics for Prometheus (behind the admin token, like /admin/)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, current_app, g, request, url_for

from .deadline import QueryTimeout
from .health import degraded_reason
from .index import IndexUnavailable, read_last_run
from .index_runs import RunConflict, indexing, latest_run, read_run, start_run
from .metrics import exposition
from .query import BadRequest, parse_request, require_utf8
from .ratelimit import SharedFailureLog, client_key
from .renderer import error_response, json_response, search_json
from .result_cache import cached_search
from .searcher import get_searcher

if TYPE_CHECKING:
    from flask import Flask
    from flask.typing import ResponseReturnValue

bp = Blueprint("api", __name__)
ADMIN_FAILURE_WINDOW = 15 * 60
# Failed admin logins, counted by every worker in the index folder.
ADMIN_FAILURES_FILE = "admin_failures.sqlite"
# When the failures cannot be counted (a read-only or full disk), a wrong token waits this long.
UNCOUNTED_RETRY_SECONDS = 60


def init_admin_failures(app: Flask) -> None:
    """Count failed admin logins in the index folder, shared by all workers."""
    app.extensions["admin_failures"] = SharedFailureLog(
        Path(app.config["INDEX_DIR"]) / ADMIN_FAILURES_FILE, app.config["ADMIN_FAILURES_ALLOWED"], ADMIN_FAILURE_WINDOW
    )


def too_many_requests(message: str, retry_after: int) -> Response:
    response = error_response("too_many_requests", message, 429)
    response.headers["Retry-After"] = str(retry_after)
    return response


@bp.get("/search")
def search_api() -> Response:
    require_utf8(request.query_string)
    search_request = parse_request(request.args, current_app.config)
    response = g.search_response = cached_search(get_searcher(), search_request)
    return json_response(search_json(response, search_request))


@bp.get("/healthz")
def healthz() -> Response:
    index_dir = current_app.config["INDEX_DIR"]
    try:
        documents = get_searcher().doc_count()
    except IndexUnavailable as error:
        return json_response(
            {"status": "unavailable", "documents": 0, "error": str(error), "indexing": indexing(index_dir)}, 503
        )
    last_run = read_last_run(index_dir) or {}
    reason = degraded_reason(index_dir, get_searcher())
    body = {
        "status": "degraded" if reason else "ok",
        "documents": documents,
        "last_indexed": last_run.get("finished_at"),
        "last_run_failures": len(last_run.get("failed", [])),
        "indexing": indexing(index_dir),
    }
    # Degraded still serves: 200, so that a load balancer keeps sending searches.
    return json_response({**body, "reason": reason} if reason else body)


def _token_is_valid(expected: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, supplied = header.partition(" ")
    if scheme.lower() != "bearer" or not supplied:
        return False
    return hmac.compare_digest(_digest(supplied.strip()), _digest(expected))


def _digest(token: str) -> bytes:
    # Digests of equal length: the comparison takes the same time whatever the guess, its length included.
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()


def _refuse_wrong_token() -> Response:
    """401, or 429 with Retry-After for a client past its failures (counted
    across workers; when they cannot be counted, a 429 too: guessing is never
    left unbounded)."""
    failures, key = current_app.extensions["admin_failures"], client_key()
    try:
        wait = failures.fail(key)
    except (sqlite3.Error, OSError) as error:
        current_app.logger.error("failed admin logins cannot be counted: %s", error)
        message = "failed attempts cannot be counted now; try again later"
        return too_many_requests(message, UNCOUNTED_RETRY_SECONDS)
    if wait:
        return too_many_requests("too many failed attempts; try again later", wait)
    return error_response("unauthorized", "a valid bearer token is required", 401)


def admin_only(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """403 when admin endpoints are off; the view for the right token, always;
    for a wrong or missing one, 401, or 429 once its client is past its failures."""

    @functools.wraps(view)
    def guarded(**kwargs: Any) -> ResponseReturnValue:
        expected = current_app.config["ADMIN_TOKEN"]
        if not expected:
            return error_response("forbidden", "admin endpoints are disabled: set SEARCH_ADMIN_TOKEN", 403)
        if not _token_is_valid(expected):
            return _refuse_wrong_token()
        return view(**kwargs)

    return guarded


def _flag(name: str) -> bool:
    value = request.args.get(name) or "0"
    if value not in ("0", "1", "true", "false"):
        raise BadRequest(f"{name} must be 0 or 1")
    return value in ("1", "true")


def _status_url(run: Mapping[str, Any]) -> str:
    return url_for("api.reindex_status", run_id=run["id"])


@bp.post("/admin/reindex")
@admin_only
def admin_reindex() -> Response:
    """Start an index run in the background: 202 with where to follow it."""
    config = current_app.config
    try:
        run = start_run(config["DOCS_DIR"], config["INDEX_DIR"], _flag("rebuild"), config["MAX_FILE_BYTES"])
    except RunConflict as conflict:
        message = f"{conflict}; follow it at {_status_url(conflict.run)}" if conflict.run else str(conflict)
        return error_response("conflict", message, 409)
    except OSError as error:
        current_app.logger.error("could not start an index run: %s", error)
        return error_response("unavailable", f"could not start the index run: {error.strerror or error}", 503)
    response = json_response({"status": "accepted", "run": run, "status_url": _status_url(run)}, 202)
    response.headers["Location"] = _status_url(run)
    return response


@bp.get("/admin/reindex/latest")
@admin_only
def latest_reindex() -> Response:
    run = latest_run(current_app.config["INDEX_DIR"])
    if run is None:
        return error_response("not_found", "no index run has been started over HTTP yet", 404)
    return json_response({"run": run, "status_url": _status_url(run)})


@bp.get("/admin/reindex/<run_id>")
@admin_only
def reindex_status(run_id: str) -> Response:
    """A run's state: running, done (with its summary) or failed (with the error)."""
    run = read_run(current_app.config["INDEX_DIR"], run_id)
    if run is None:
        return error_response("not_found", "no index run with this id", 404)
    return json_response({"run": run, "status_url": _status_url(run)})


@bp.get("/metrics")
@admin_only
def metrics() -> Response:
    """Prometheus's text format: every worker's counts and the index as it is (search/metrics.py)."""
    body, content_type = exposition(current_app.config["INDEX_DIR"], get_searcher)
    return Response(body, content_type=content_type)


@bp.errorhandler(BadRequest)
def bad_request(error: BadRequest) -> Response:
    return error_response("bad_request", str(error), 400)


@bp.errorhandler(QueryTimeout)
def query_timeout(error: QueryTimeout) -> Response:
    """Not even the first pass over the index finished within the deadline."""
    response = error_response("query_timeout", str(error), 503)
    response.headers["Retry-After"] = "1"
    return response

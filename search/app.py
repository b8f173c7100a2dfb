"""The Flask application factory: the app, its error pages and its headers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from flask import Flask, g, render_template, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from . import config as settings
from . import whoosh_internals  # noqa: F401  (checks the Whoosh version, reads segments in place)
from .health import DAMAGED_MESSAGE, damage_behind_failure
from .i18n import PAGE_ERRORS, translate
from .index import IndexUnavailable
from .renderer import error_response

if TYPE_CHECKING:
    from flask import Response

API_PREFIXES = ("/search", "/healthz", "/admin/", "/metrics", "/openapi.json")
SECURITY_HEADERS = {
    # Every asset is served by the app; no inline script anywhere.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _wants_json() -> bool:
    return request.path.startswith(API_PREFIXES)


def _error(code: str, message: str, status: int) -> Response | tuple[str, int]:
    if _wants_json():
        return error_response(code, message, status)
    page_message = translate(g.get("ui_lang") or "en", f"error.{status}") if status in PAGE_ERRORS else message
    return render_template("error.html", status=status, message=page_message), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response | tuple[str, int]:
        # Flask answers an HTTPException without a code itself, before any handler.
        assert error.code is not None
        code = (error.name or "error").lower().replace(" ", "_")
        return _error(code, error.description or error.name, error.code)

    @app.errorhandler(IndexUnavailable)
    def index_unavailable(error: IndexUnavailable) -> Response | tuple[str, int]:
        app.logger.warning("index unavailable: %s", error)
        return _error("index_unavailable", "the search index is not available; run 'python -m search index'", 503)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response | tuple[str, int]:
        damage = damage_behind_failure(app.config["INDEX_DIR"])
        if damage:  # the disk, not the code: say so, and /healthz says degraded
            app.logger.error("search failed on a damaged index: %s", damage)
            return _error("index_damaged", DAMAGED_MESSAGE, 503)
        app.logger.exception("unexpected error")
        return _error("internal_error", "something went wrong on our side", 500)


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the app; ``config`` (a mapping) overrides the environment."""
    app = Flask(
        "search",
        template_folder=str(settings.PROJECT_ROOT / "templates"),
        static_folder=str(settings.PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(settings.from_environment())
    if config:
        app.config.from_mapping(config)
    json_provider = cast(DefaultJSONProvider, app.json)  # Flask's default (app.json_provider_class)
    json_provider.ensure_ascii = False
    json_provider.sort_keys = False

    from . import api, ratelimit, request_log, result_cache, searcher, web
    from .openapi import bp as openapi_blueprint

    ratelimit.trust_proxies(app)
    request_log.init_app(app)
    searcher.init_app(app)
    result_cache.init_app(app)
    api.init_admin_failures(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(web.bp)
    app.register_blueprint(openapi_blueprint)
    ratelimit.limit_searches(app)
    register_error_handlers(app)
    app.after_request(add_security_headers)
    return app

"""The Flask application factory: the app, its error pages and its headers."""

from flask import Flask, g, render_template, request
from werkzeug.exceptions import HTTPException

from . import config as settings
from . import whoosh_internals  # noqa: F401  (checks the Whoosh version, reads segments in place)
from .health import DAMAGED_MESSAGE, damage_behind_failure
from .i18n import PAGE_ERRORS, translate
from .index import IndexUnavailable
from .renderer import error_response

API_PREFIXES = ("/search", "/healthz", "/admin/", "/metrics")
SECURITY_HEADERS = {
    # Every asset is served by the app; no inline script anywhere.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _wants_json():
    return request.path.startswith(API_PREFIXES)


def _error(code, message, status):
    if _wants_json():
        return error_response(code, message, status)
    page_message = translate(g.get("ui_lang") or "en", f"error.{status}") if status in PAGE_ERRORS else message
    return render_template("error.html", status=status, message=page_message), status


def register_error_handlers(app):
    @app.errorhandler(HTTPException)
    def http_error(error):
        code = (error.name or "error").lower().replace(" ", "_")
        return _error(code, error.description or error.name, error.code)

    @app.errorhandler(IndexUnavailable)
    def index_unavailable(error):
        app.logger.warning("index unavailable: %s", error)
        return _error("index_unavailable", "the search index is not available; run 'python -m search index'", 503)

    @app.errorhandler(Exception)
    def unexpected(error):
        damage = damage_behind_failure(app.config["INDEX_DIR"])
        if damage:  # the disk, not the code: say so, and /healthz says degraded
            app.logger.error("search failed on a damaged index: %s", damage)
            return _error("index_damaged", DAMAGED_MESSAGE, 503)
        app.logger.exception("unexpected error")
        return _error("internal_error", "something went wrong on our side", 500)


def add_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def create_app(config=None):
    """Create the app; ``config`` (a mapping) overrides the environment."""
    app = Flask(
        "search",
        template_folder=str(settings.PROJECT_ROOT / "templates"),
        static_folder=str(settings.PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(settings.from_environment())
    if config:
        app.config.from_mapping(config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False

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

"""Every setting, its default and its environment variable, in one place."""

import os
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def public_url(value):
    """``https://search.example.org`` (or with a path), without a trailing slash."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"SEARCH_BASE_URL must look like https://search.example.org, not {value!r}")
    return value.strip().rstrip("/")


# name -> (environment variable, default, parser)
SETTINGS = {
    "DOCS_DIR": ("SEARCH_DOCS_DIR", str(PROJECT_ROOT / "corpus"), str),
    "INDEX_DIR": ("SEARCH_INDEX_DIR", str(PROJECT_ROOT / "index"), str),
    "ADMIN_TOKEN": ("SEARCH_ADMIN_TOKEN", None, str),
    # Longest query accepted, in characters, and most terms in it.
    "MAX_QUERY_CHARS": ("SEARCH_MAX_QUERY_CHARS", 500, int),
    "MAX_QUERY_TERMS": ("SEARCH_MAX_QUERY_TERMS", 32, int),
    # Longest one search may take, over all its steps, in seconds; past it the
    # answer is what was found so far, marked "partial" (or a 503 when nothing was).
    "QUERY_DEADLINE_SECONDS": ("SEARCH_QUERY_DEADLINE", 2.0, float),
    "MAX_PER_PAGE": ("SEARCH_MAX_PER_PAGE", 50, int),
    # Deepest result a client may page to (page * per_page).
    "MAX_RESULT_DEPTH": ("SEARCH_MAX_RESULT_DEPTH", 1000, int),
    # Searches per client, e.g. "120/minute"; empty means no limit (local use).
    "SEARCH_RATE_LIMIT": ("SEARCH_RATE_LIMIT", "", str),
    # Failed admin logins per client before a 429, per 15 minutes.
    "ADMIN_FAILURES_ALLOWED": ("SEARCH_ADMIN_FAILURES_ALLOWED", 5, int),
    # Take the client address from X-Forwarded-For (only behind a trusted proxy).
    "TRUST_PROXY": ("SEARCH_TRUST_PROXY", False, lambda v: v.lower() in ("1", "true", "yes")),
    # Search responses kept per worker (keyed by index version and request); 0 turns the cache off.
    "RESULT_CACHE_SIZE": ("SEARCH_RESULT_CACHE", 512, int),
    # Files larger than this are reported and skipped by the indexer.
    "MAX_FILE_BYTES": ("SEARCH_MAX_FILE_BYTES", 20 * 1024 * 1024, int),
    # Longest the indexer's parse worker may spend on one file, in seconds, and
    # the most memory it may hold (MiB); past either the file is reported and skipped.
    "PARSE_SECONDS": ("SEARCH_PARSE_SECONDS", 30.0, float),
    "PARSE_MEMORY_MB": ("SEARCH_PARSE_MEMORY_MB", 1024, int),
    # The public address of the service ("https://search.example.org"), for the
    # OpenSearch description; unset, it is the loopback address gunicorn binds,
    # and never the Host header a client sends.
    "BASE_URL": ("SEARCH_BASE_URL", None, public_url),
    # Serving (gunicorn.conf.py): the address, threads per worker, how long a
    # connection may take to send its request head, and how long a request's
    # connection is kept at most (its answer included; the query deadline is far below).
    "BIND": ("SEARCH_BIND", "127.0.0.1:8000", str),
    "THREADS": ("SEARCH_THREADS", 8, int),
    "HEADER_TIMEOUT": ("SEARCH_HEADER_TIMEOUT", 10.0, float),
    "TIMEOUT": ("SEARCH_TIMEOUT", 30, int),
    # Put the query's text in the request log lines (by default only its length).
    "LOG_QUERIES": ("SEARCH_LOG_QUERIES", False, lambda v: v.lower() in ("1", "true", "yes")),
}


def from_environment(environ=None):
    """Return the settings as a dict, environment variables over defaults."""
    environ = os.environ if environ is None else environ
    config = {}
    for name, (variable, default, parse) in SETTINGS.items():
        raw = environ.get(variable)
        config[name] = default if raw in (None, "") else parse(raw)
    return config

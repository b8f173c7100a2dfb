"""Every setting, its default and its environment variable, in one place.

The app (``create_app``), the indexer (``python -m search``), gunicorn
(``gunicorn.conf.py``) and the parse worker all read their settings through
``from_environment``; nothing else reads ``os.environ`` for a setting. The
README's configuration table is ``markdown_table()``'s output, and a test
holds the two equal: ``python -m search.config`` prints it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def public_url(value: str) -> str:
    """``https://search.example.org`` (or with a path), without a trailing slash."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"SEARCH_BASE_URL must look like https://search.example.org, not {value!r}")
    return value.strip().rstrip("/")


def switch(value: str) -> bool:
    """``1``/``true``/``yes`` (any case) is on; anything else is off."""
    return value.strip().lower() in ("1", "true", "yes")


def count(value: str) -> int:
    """A whole number, zero or more."""
    number = int(value)
    if number < 0:
        raise ValueError(f"must be zero or more, not {value!r}")
    return number


def at_least_one(value: str) -> int:
    """A whole number, one or more."""
    number = int(value)
    if number < 1:
        raise ValueError(f"must be 1 or more, not {value!r}")
    return number


def seconds(value: str) -> float:
    """A time in seconds: more than zero, and finite (``nan`` and ``inf``
    would turn a deadline off)."""
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"must be a number of seconds above zero, not {value!r}")
    return number


LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


def log_level(value: str) -> str:
    """One of LOG_LEVELS, in any case."""
    level = value.strip().lower()
    if level not in LOG_LEVELS:
        raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}, not {value!r}")
    return level


def default_workers() -> int:
    return min(4, os.cpu_count() or 1)


@dataclass(frozen=True)
class Setting:
    """One setting: its name in the app's config, the environment variables
    read for it (the first one set wins), its default, how its text is read,
    and the README's words for it."""

    name: str
    variables: tuple[str, ...]
    default: Any
    parse: Callable[[str], Any]
    meaning: str
    shown_default: str | None = None  # the README's text for the default, when not the value itself

    def default_text(self) -> str:
        if self.shown_default is not None:
            return self.shown_default
        if self.default is None:
            return "unset"
        if isinstance(self.default, bool):
            return "`1`" if self.default else "`0`"
        return str(self.default)


SETTINGS: tuple[Setting, ...] = (
    # --- where things are -------------------------------------------------------
    Setting(
        "DOCS_DIR",
        ("SEARCH_DOCS_DIR",),
        str(PROJECT_ROOT / "corpus"),
        str,
        "folder of documents to index (recursive)",
        "`corpus/`",
    ),
    Setting("INDEX_DIR", ("SEARCH_INDEX_DIR",), str(PROJECT_ROOT / "index"), str, "where the index lives", "`index/`"),
    Setting(
        "ADMIN_TOKEN",
        ("SEARCH_ADMIN_TOKEN",),
        None,
        str,
        "bearer token for the `/admin/reindex` endpoints and `/metrics`; unset disables them (403)",
    ),
    # --- what one search may cost -----------------------------------------------
    Setting(
        "MAX_QUERY_CHARS",
        ("SEARCH_MAX_QUERY_CHARS",),
        500,
        at_least_one,
        "longest query accepted, in characters",
    ),
    Setting(
        "MAX_QUERY_TERMS",
        ("SEARCH_MAX_QUERY_TERMS",),
        32,
        at_least_one,
        "most words in a query (counted on the parsed query, whatever joins them)",
    ),
    Setting(
        "QUERY_DEADLINE_SECONDS",
        ("SEARCH_QUERY_DEADLINE",),
        2.0,
        seconds,
        "seconds one search may take over all its steps; past it the answer is what was found, with "
        '`"partial": true`, or a 503 `query_timeout` when not even the first pass finished',
        "2",
    ),
    Setting("MAX_PER_PAGE", ("SEARCH_MAX_PER_PAGE",), 50, at_least_one, "most results on one page"),
    Setting(
        "MAX_RESULT_DEPTH",
        ("SEARCH_MAX_RESULT_DEPTH",),
        1000,
        at_least_one,
        "deepest result a client may page to (page × per_page)",
    ),
    # --- who may ask how often --------------------------------------------------
    Setting(
        "SEARCH_RATE_LIMIT",
        ("SEARCH_RATE_LIMIT",),
        "",
        str,
        "searches per client and worker, e.g. `120/minute` (page and API together); empty means no limit",
        "empty",
    ),
    Setting(
        "ADMIN_FAILURES_ALLOWED",
        ("SEARCH_ADMIN_FAILURES_ALLOWED",),
        5,
        count,
        "failed admin logins per client in 15 minutes before a 429 (counted across workers)",
    ),
    Setting(
        "PROXY_HOPS",
        ("SEARCH_PROXY_HOPS",),
        0,
        count,
        "trusted reverse proxies in front of the app; the client's address is the one the outermost of them "
        "saw (`X-Forwarded-For`, counted from the right). 0: no forwarded header is believed",
    ),
    # --- caches, per worker -----------------------------------------------------
    Setting(
        "RESULT_CACHE_SIZE",
        ("SEARCH_RESULT_CACHE",),
        512,
        count,
        "search responses kept per worker, keyed by index version and request; 0 turns it off",
    ),
    Setting(
        "PARSE_CACHE_SIZE",
        ("SEARCH_PARSE_CACHE",),
        4096,
        count,
        "parsed queries kept per worker (a request parses its words several times)",
    ),
    Setting(
        "TERM_CACHE_MB",
        ("SEARCH_TERM_CACHE_MB",),
        16,
        count,
        "MiB of posting lists a worker keeps for the live index (its threads share them), the most recently used",
    ),
    # --- the indexer ------------------------------------------------------------
    Setting(
        "MAX_FILE_BYTES",
        ("SEARCH_MAX_FILE_BYTES",),
        20 * 1024 * 1024,
        at_least_one,
        "larger files are reported and skipped",
        "20 MiB",
    ),
    Setting(
        "PARSE_SECONDS",
        ("SEARCH_PARSE_SECONDS",),
        30.0,
        seconds,
        "longest the indexer's parse process may spend on one file; past it the process is replaced and "
        "the file reported and skipped",
        "30",
    ),
    Setting(
        "PARSE_MEMORY_MB",
        ("SEARCH_PARSE_MEMORY_MB",),
        1024,
        at_least_one,
        "address space of the parse process; a file that needs more is reported and skipped",
    ),
    # --- serving (gunicorn.conf.py) ---------------------------------------------
    Setting(
        "BASE_URL",
        ("SEARCH_BASE_URL",),
        None,
        public_url,
        "the public address, e.g. `https://search.example.org`, for `/opensearch.xml`; unset, the loopback "
        "address of `SEARCH_BIND`, and when that is not one (`0.0.0.0`, a socket) the description is not "
        "offered. Never taken from the `Host` header",
    ),
    Setting("BIND", ("SEARCH_BIND",), "127.0.0.1:8000", str, "gunicorn's address", "`127.0.0.1:8000`"),
    Setting(
        "WORKERS",
        ("SEARCH_WORKERS", "WEB_CONCURRENCY"),
        default_workers(),
        at_least_one,
        "gunicorn worker processes (`WEB_CONCURRENCY` is read when `SEARCH_WORKERS` is not set)",
        "CPU count, at most 4",
    ),
    Setting(
        "THREADS",
        ("SEARCH_THREADS",),
        8,
        at_least_one,
        "threads per worker: a slow client holds one thread, never a worker",
    ),
    Setting(
        "HEADER_TIMEOUT",
        ("SEARCH_HEADER_TIMEOUT",),
        10.0,
        seconds,
        "seconds a connection has to send its request head (then it is closed)",
        "10",
    ),
    Setting(
        "TIMEOUT",
        ("SEARCH_TIMEOUT",),
        30,
        at_least_one,
        "seconds a request's connection is kept at most, its answer included; no request is killed "
        "(the query deadline ends a search long before)",
    ),
    Setting(
        "CONTROL_SOCKET",
        ("SEARCH_CONTROL_SOCKET",),
        None,
        str,
        "path of gunicorn's control socket; unset turns it off (its default path is one per user, "
        "which two servers on one machine would share)",
    ),
    Setting(
        "METRICS_DIR",
        ("SEARCH_METRICS_DIR",),
        None,
        str,
        "folder where gunicorn's workers keep their `/metrics` counts; unset, a new temporary folder "
        "per server start, removed when it stops",
    ),
    # --- logs -------------------------------------------------------------------
    Setting(
        "ACCESS_LOG",
        ("SEARCH_ACCESS_LOG",),
        "-",
        str,
        "gunicorn's access log: a file, `-` for standard output, `off` for none",
        "`-`",
    ),
    Setting(
        "LOG_LEVEL",
        ("SEARCH_LOG_LEVEL",),
        "info",
        log_level,
        "level of gunicorn's error log and of the app's JSON lines (`debug`, `info`, `warning`, `error`)",
        "`info`",
    ),
    Setting(
        "LOG_QUERIES",
        ("SEARCH_LOG_QUERIES",),
        False,
        switch,
        "`1` puts each query's text in its request log line; by default only its length is logged",
    ),
)
# Variables that once were settings, and what to set instead: refusing them
# says so, where ignoring them would silently change what the server does.
RETIRED = {"SEARCH_TRUST_PROXY": "set SEARCH_PROXY_HOPS=1 (the number of trusted proxies) instead"}


SETTINGS_BY_NAME = {setting.name: setting for setting in SETTINGS}


def default(name: str) -> Any:
    """The default value of the setting ``name``."""
    return SETTINGS_BY_NAME[name].default


class SettingError(ValueError):
    """A setting's environment variable holds a value it cannot take."""


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the settings as a dict, environment variables over defaults."""
    environ = os.environ if environ is None else environ
    for variable, instead in RETIRED.items():
        if environ.get(variable):
            raise SettingError(f"{variable} is no longer read: {instead}")
    config = {}
    for setting in SETTINGS:
        raw = next((environ[v] for v in setting.variables if environ.get(v, "") != ""), None)
        try:
            config[setting.name] = setting.default if raw is None else setting.parse(raw)
        except ValueError as error:
            raise SettingError(f"{setting.variables[0]}: {error}") from None
    return config


def current(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """One setting, from the environment: for what is made once per process
    (the caches sized in this table), where the app's config is not at hand."""
    return from_environment(environ)[name]


def markdown_table() -> str:
    """The README's configuration table."""
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for setting in SETTINGS:
        lines.append(f"| `{setting.variables[0]}` | {setting.default_text()} | {setting.meaning} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")

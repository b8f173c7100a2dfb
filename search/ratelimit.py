"""Who the client is, and how often it may ask.

The client is the socket's peer, or, behind ``SEARCH_PROXY_HOPS`` trusted
reverse proxies, the address the outermost of them saw: werkzeug's ProxyFix
takes it from ``X-Forwarded-For`` counted from the right, so a client
cannot choose it by sending the header itself. With no trusted hop (the
default) no forwarded header is believed at all.

Searches: Flask-Limiter, a moving window per client in each worker's
memory, whose keys expire one by one (nothing is ever cleared at once).
Each gunicorn worker counts on its own, so with N workers a client may get
up to N times the limit; for one exact limit across workers, put it in the
reverse proxy (SECURITY.md).

Failed admin logins: a sliding window too, kept in a small SQLite file in
the index folder, so that every worker and thread counts the same failures.
Flask-Limiter's shared storages all need a server (Redis, Memcached,
MongoDB); this one needs none, which is why it is our own code.
"""

from __future__ import annotations

import ipaddress
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from flask_limiter import Limiter

# The endpoints that search, limited together: the API's and the page's.
SEARCH_ENDPOINTS = ("api.search_api", "web.search_page")
TOO_MANY_SEARCHES = "too many searches; slow down and try again shortly"


class SharedFailureLog:
    """At most ``limit`` failures per ``window`` seconds for each key, counted
    in the SQLite file at ``path`` by every process that opens it: a gunicorn
    worker's memory would let a client make N times the guesses, and let the
    workers answer 401 and 429 in turns. Entries expire one by one (the
    expired ones are deleted as new ones come); nothing clears them all.
    Flask-Limiter's shared storages need a server (Redis, Memcached,
    MongoDB); this one needs none."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        limit: int,
        window: float,
        clock: Callable[[], float] = time.time,
        max_entries: int = 100_000,
    ) -> None:
        self.path, self.limit, self.window, self.clock = Path(path), limit, window, clock
        self.max_entries = max_entries
        self._ready = False

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A connection in a write transaction, committed on success, then
        closed. A connection per call: this is the path of failed logins
        only, and no connection is ever shared between a worker's threads."""
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # Waits up to 5 s for another worker's write; transactions are explicit.
        database = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        try:
            if not self._ready:
                database.execute("PRAGMA journal_mode = WAL")
                database.execute("CREATE TABLE IF NOT EXISTS failures (client TEXT NOT NULL, at REAL NOT NULL)")
                database.execute("CREATE INDEX IF NOT EXISTS failures_by_client ON failures (client, at)")
                database.execute("CREATE INDEX IF NOT EXISTS failures_by_time ON failures (at)")
                self._ready = True
            database.execute("BEGIN IMMEDIATE")  # count and record as one step, whoever else fails meanwhile
            try:
                yield database
            except BaseException:
                database.execute("ROLLBACK")
                raise
            database.execute("COMMIT")
        finally:
            database.close()

    def fail(self, key: str) -> int:
        """Count a failure of ``key`` and return 0; or, when ``key`` is at its
        limit already, count nothing and return the seconds until it may try
        again. Expired failures are let go on the way."""
        now = self.clock()
        with self._transaction() as database:
            database.execute("DELETE FROM failures WHERE at <= ?", (now - self.window,))
            rows = database.execute("SELECT at FROM failures WHERE client = ? ORDER BY at", (key,))
            recent = [at for (at,) in rows]
            if len(recent) >= self.limit:
                # The oldest failure that keeps the key at its limit must expire first.
                return max(1, int(recent[len(recent) - self.limit] + self.window - now) + 1)
            database.execute("INSERT INTO failures VALUES (?, ?)", (key, now))
            # Bounded under a flood from many addresses: the oldest entries go first.
            database.execute(
                "DELETE FROM failures WHERE rowid IN (SELECT rowid FROM failures ORDER BY at DESC LIMIT -1 OFFSET ?)",
                (self.max_entries,),
            )
            return 0


def check_rate(text: str) -> str | None:
    """``"60/minute"`` (or ``"60 per minute"``, limits' notation) back as it
    is; ``""``/``"0"``/``"off"`` → None; anything else a ValueError."""
    if not text or text.strip().lower() in ("0", "off", "none"):
        return None
    from limits import parse as parse_limit  # loaded only with a limit set (4 MB a worker)

    try:
        parse_limit(text)
    except ValueError:
        raise ValueError(f"a rate looks like '60/minute', not {text!r}") from None
    return text.strip()


def client_key() -> str:
    """The client: its address (the socket's peer, or the one the trusted
    proxies forwarded: ``trust_proxies``), or for IPv6 its /64 network, which
    one subscriber usually holds whole (else each of its 2^64 addresses
    would be a client of its own, with its own limits)."""
    address = request.remote_addr or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def trust_proxies(app: Flask) -> None:
    """Believe ``X-Forwarded-For`` and ``X-Forwarded-Proto`` for the
    configured number of trusted hops, and nothing when there are none."""
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def limit_searches(app: Flask) -> Limiter | None:
    """Put the configured per-client search limit on the search endpoints
    (after they are registered); None when there is no limit."""
    rate = check_rate(app.config["SEARCH_RATE_LIMIT"])
    if rate is None:
        return None
    from flask_limiter import Limiter  # loaded only with a limit set (4 MB a worker)

    limiter = Limiter(
        client_key,
        app=app,
        storage_uri="memory://",
        strategy="moving-window",
        headers_enabled=True,
        key_prefix="searches",
    )
    shared: Callable = limiter.shared_limit(rate, scope="searches", error_message=TOO_MANY_SEARCHES)
    for endpoint in SEARCH_ENDPOINTS:
        app.view_functions[endpoint] = shared(app.view_functions[endpoint])
    return limiter

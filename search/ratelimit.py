"""Per-client limits: searches per client, in each worker's memory, and
failed admin logins per client, shared by every worker.

Searches: a sliding window of request times per client. Each gunicorn worker
counts on its own, so with N workers a client may get up to N times the
limit; for one exact limit across workers, put it in the reverse proxy
(SECURITY.md).

Failed admin logins: a sliding window too, kept in a small SQLite file in the
index folder, so that every worker and thread counts the same failures.
"""

import sqlite3
import threading
import time
from collections import defaultdict, deque
from contextlib import contextmanager
from pathlib import Path

from flask import current_app, request


class SlidingWindowLimiter:
    """At most ``limit`` events per ``window`` seconds for each key."""

    def __init__(self, limit, window, clock=time.monotonic, max_keys=100_000):
        self.limit, self.window, self.clock, self.max_keys = limit, window, clock, max_keys
        self._events = defaultdict(deque)
        self._lock = threading.Lock()

    def _trim(self, events, now):
        while events and events[0] <= now - self.window:
            events.popleft()

    def hit(self, key):
        """Record an event; False when it goes over the limit (not recorded)."""
        now = self.clock()
        with self._lock:
            if len(self._events) > self.max_keys:  # bounded memory under a flood of clients
                self._events.clear()
            events = self._events[key]
            self._trim(events, now)
            if len(events) >= self.limit:
                return False
            events.append(now)
            return True

    def blocked(self, key):
        """Whether ``key`` is at its limit now (without recording anything)."""
        now = self.clock()
        with self._lock:
            events = self._events.get(key)
            if not events:
                return False
            self._trim(events, now)
            return len(events) >= self.limit

    def retry_after(self, key):
        with self._lock:
            events = self._events.get(key)
            if not events:
                return 0
            return max(1, int(events[0] + self.window - self.clock()) + 1)


class SharedFailureLog:
    """At most ``limit`` failures per ``window`` seconds for each key, counted
    in the SQLite file at ``path`` by every process that opens it: a gunicorn
    worker's memory would let a client make N times the guesses, and let the
    workers answer 401 and 429 in turns. Entries expire one by one (the
    expired ones are deleted as new ones come); nothing clears them all.
    Flask-Limiter's shared storages need a server (Redis, Memcached,
    MongoDB); this one needs none."""

    def __init__(self, path, limit, window, clock=time.time, max_entries=100_000):
        self.path, self.limit, self.window, self.clock = Path(path), limit, window, clock
        self.max_entries = max_entries
        self._ready = False

    @contextmanager
    def _transaction(self):
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

    def fail(self, key):
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


def parse_rate(text):
    """``"60/minute"`` → (60, 60.0); ``""``/``"0"``/``"off"`` → None."""
    if not text or text.strip().lower() in ("0", "off", "none"):
        return None
    count, _, unit = text.partition("/")
    seconds = {"second": 1, "s": 1, "minute": 60, "min": 60, "m": 60, "hour": 3600, "h": 3600}
    if not count.strip().isdigit() or unit.strip().lower() not in seconds:
        raise ValueError(f"a rate looks like '60/minute', not {text!r}")
    return int(count), float(seconds[unit.strip().lower()])


def client_key():
    """The client's address: the socket peer, or the first X-Forwarded-For
    hop when the app is told it sits behind a proxy that sets it."""
    if current_app.config.get("TRUST_PROXY"):
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.remote_addr or "unknown"

"""Per-client request limits, kept in each worker's memory.

A sliding window of request times per client. Each gunicorn worker counts on
its own, so with N workers a client may get up to N times the limit; for one
exact limit across workers, put it in the reverse proxy (SECURITY.md).
"""

import threading
import time
from collections import defaultdict, deque

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

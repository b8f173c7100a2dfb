"""gunicorn's threaded worker, with a bound on how long one connection holds
a thread (``worker_class`` in gunicorn.conf.py).

gunicorn's gthread worker (27.x) lets a thread wait up to 5 s for a new
connection's first byte, then reads the rest of the request head from a
blocking socket with no timeout: a client that sends half a header and stops
(slowloris) holds a thread for ever, and a few of them hold every thread.
Here a new connection waits for its first byte in the worker's poller, where
it costs no thread (and is closed after ``SEARCH_HEADER_TIMEOUT``); once a
thread takes a connection, the request head must be complete within
``SEARCH_HEADER_TIMEOUT`` and the answer sent within ``SEARCH_TIMEOUT`` (a
client that does not read it). Past either, the worker's main loop shuts the
socket down: the thread's read or write fails at once and the thread is free.
No request is killed: the search itself ends by its own deadline, far sooner.

The read timeouts of gunicorn's own settings would not do: they bound each
read, and a client that trickles a byte a second never trips them. Written by
hand because no gunicorn setting bounds a request head's total time; it
relies on ThreadWorker's accept, handle, handle_request and murder_pending
(gunicorn is pinned, and tests/test_slow_clients.py holds the behaviour).
"""

from __future__ import annotations

import errno
import selectors
import socket
import threading
import time
from functools import partial
from typing import TYPE_CHECKING, Any

from gunicorn.workers import gthread

from .config import from_environment

if TYPE_CHECKING:
    from gunicorn.http.message import Request
    from gunicorn.sock import BaseSocket


class BoundedThreadWorker(gthread.ThreadWorker):
    """ThreadWorker whose connections hold a thread for a bounded time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # gunicorn's Worker arguments, passed on
        super().__init__(*args, **kwargs)
        self.header_timeout: float = from_environment()["HEADER_TIMEOUT"]
        # connection -> when its socket is shut down, while a thread has it
        self._deadlines: dict[gthread.TConn, float] = {}
        self._deadlines_lock = threading.Lock()

    def accept(self, listener: BaseSocket) -> None:
        """Take a new connection into the poller until its first byte arrives
        (gunicorn hands it to a thread at once, which then waits 5 s for it)."""
        try:
            client, address = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = gthread.TConn(self.cfg, client, address, listener.getsockname())  # non-blocking
        conn.timeout = time.monotonic() + self.header_timeout
        self.pending_conns.append(conn)
        self.poller.register(client, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn))

    def _bound(self, conn: gthread.TConn, seconds: float) -> None:
        with self._deadlines_lock:
            self._deadlines[conn] = time.monotonic() + seconds

    def handle(self, conn: gthread.TConn) -> object:  # gunicorn's answer: keep the connection, or defer it
        self._bound(conn, self.header_timeout)
        try:
            return super().handle(conn)
        finally:
            with self._deadlines_lock:
                self._deadlines.pop(conn, None)

    def handle_request(self, req: Request, conn: gthread.TConn) -> bool:
        self._bound(conn, self.cfg.timeout)  # the head is in: now the answer's bound
        return super().handle_request(req, conn)

    def murder_pending(self) -> None:
        """Close the connections waiting for a first byte too long (gunicorn's),
        and shut down those a thread has held past their bound."""
        super().murder_pending()
        now = time.monotonic()
        with self._deadlines_lock:
            expired = [conn for conn, deadline in self._deadlines.items() if deadline <= now]
            for conn in expired:
                del self._deadlines[conn]
        for conn in expired:
            self.log.info("closing a connection from %s: too slow", conn.client)
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:  # the client is gone already
                pass

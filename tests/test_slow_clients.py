"""Slow clients against the real gunicorn (gunicorn.conf.py, its threaded
worker): half-sent request heads, idle connections and clients that trickle
a byte at a time hold a thread for a bounded time, never a whole worker, and
never the service.

Each request below has a client timeout: a server that slow clients block
makes it raise, so the tests fail rather than wait."""

import socket
import threading
import time
from contextlib import ExitStack, contextmanager

import pytest
import requests

from .serving import gunicorn, index_with_cli, server_env

ANSWER_SECONDS = 3  # well above a loopback answer, far below any slow client's hold


@pytest.fixture(scope="module")
def served_index(docs_dir, tmp_path_factory):
    """An index of the session documents, built once with the CLI."""
    index = tmp_path_factory.mktemp("slow-clients-index")
    env, _ = server_env(docs_dir, index)
    index_with_cli(env)
    return index


@contextmanager
def server(docs_dir, index, log_folder, **settings):
    env, port = server_env(docs_dir, index, **settings)
    with gunicorn(env, port, log_folder / f"gunicorn-{port}.log") as (base_url, _):
        yield base_url, port


class Slowloris:
    """A connection that sends part of a request head, then one more header
    byte every ``every`` seconds (so that no per-read timeout trips), and
    never finishes it."""

    def __init__(self, port, every=0.3):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        self.every, self.stop, self.closed_by_server = every, threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self):
        while not self.stop.wait(self.every):
            try:
                self.sock.sendall(b"a")
            except OSError:
                self.closed_by_server.set()
                return

    def wait_closed_by_server(self, timeout):
        """Whether the server closed the connection within ``timeout`` seconds."""
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(1024) == b"" or self.closed_by_server.is_set()
        except ConnectionResetError:
            return True
        except TimeoutError:
            return self.closed_by_server.is_set()

    def close(self):
        self.stop.set()
        self.thread.join(timeout=5)
        self.sock.close()


@contextmanager
def slowloris(port, count):
    with ExitStack() as stack:
        clients = []
        for _ in range(count):
            client = Slowloris(port)
            stack.callback(client.close)
            clients.append(client)
        time.sleep(0.5)  # let the server hand them to threads
        yield clients


def assert_search_and_health_answer(base_url):
    health = requests.get(f"{base_url}/healthz", timeout=ANSWER_SECONDS)
    assert health.status_code == 200 and health.json()["status"] == "ok"
    found = requests.get(f"{base_url}/search", params={"q": "انتخابات"}, timeout=ANSWER_SECONDS)
    assert found.status_code == 200 and found.json()["total"] == 3


def test_two_slowloris_connections_leave_health_and_search_answering(docs_dir, served_index, tmp_path):
    with server(docs_dir, served_index, tmp_path) as (base_url, port), slowloris(port, 2) as held:
        # For longer than a sync worker would ever come back, over fresh connections each time.
        for _ in range(8):
            assert_search_and_health_answer(base_url)
            time.sleep(0.25)
        assert not any(client.closed_by_server.is_set() for client in held)  # they were held, not refused


def test_a_request_head_that_never_ends_is_cut_off_after_the_header_timeout(docs_dir, served_index, tmp_path):
    with server(docs_dir, served_index, tmp_path, SEARCH_HEADER_TIMEOUT="1") as (_, port):
        client = Slowloris(port)
        try:
            # Bound 1 s, checked once a second by the worker's main loop.
            assert client.wait_closed_by_server(timeout=6)
        finally:
            client.close()


def test_more_slow_clients_than_threads_only_delay_answers_by_the_header_timeout(docs_dir, served_index, tmp_path):
    settings = {"SEARCH_THREADS": "2", "SEARCH_HEADER_TIMEOUT": "1", "workers": 1}
    with server(docs_dir, served_index, tmp_path, **settings) as (base_url, port), slowloris(port, 4):
        # Every thread of the only worker is held: the answer waits for the bound, not for ever.
        health = requests.get(f"{base_url}/healthz", timeout=8)
        assert health.status_code == 200


def test_connections_that_send_nothing_hold_no_thread(docs_dir, served_index, tmp_path):
    settings = {"SEARCH_THREADS": "2", "workers": 1}
    with server(docs_dir, served_index, tmp_path, **settings) as (base_url, port), ExitStack() as stack:
        for _ in range(6):
            stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=10))
        time.sleep(0.5)
        # gunicorn's own gthread gives each of these a thread for 5 s: the first two would take both.
        for _ in range(4):
            assert_search_and_health_answer(base_url)


def test_longest_query_in_four_byte_characters_reaches_the_app(docs_dir, served_index, tmp_path):
    with server(docs_dir, served_index, tmp_path) as (base_url, _):
        query = "\U0001d400" * 500  # 500 characters, 6,000 once percent-encoded
        answer = requests.get(f"{base_url}/search", params={"q": query}, timeout=ANSWER_SECONDS)
        assert answer.headers["Content-Type"].startswith("application/json"), answer.text[:200]
        assert answer.status_code in (200, 400)

"""The real server for integration tests: index a folder with the CLI, run
gunicorn with the project's config on a free loopback port, wait until it
answers, and always stop it."""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 20


def free_loopback_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(docs_dir, index_dir, workers=2, **extra):
    """The environment for the CLI and gunicorn, and the port it binds."""
    port = free_loopback_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("SEARCH_")}
    env.pop("WEB_CONCURRENCY", None)
    env.update(
        SEARCH_DOCS_DIR=str(docs_dir),
        SEARCH_INDEX_DIR=str(index_dir),
        SEARCH_BIND=f"127.0.0.1:{port}",
        SEARCH_WORKERS=str(workers),
        **extra,
    )
    return env, port


def run_cli(env, *arguments, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "search", *arguments],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def index_with_cli(env):
    indexing = run_cli(env, "index", "--quiet")
    assert indexing.returncode == 0, indexing.stderr
    return indexing.stdout


def _wait_until_healthy(base_url, process, log_path):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            health = requests.get(f"{base_url}/healthz", headers={"Connection": "close"}, timeout=2)
            if health.status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or a worker still booting
            pass
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer /healthz within {STARTUP_SECONDS}s:\n{log_path.read_text(errors='replace')}")


@contextmanager
def gunicorn(env, port, log_path, extra_args=()):
    """Run gunicorn (``-c gunicorn.conf.py wsgi:app``); yields (base_url, process)."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *extra_args, "wsgi:app"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_healthy(base_url, process, log_path)
        yield base_url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

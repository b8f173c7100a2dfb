"""gunicorn settings, read from the environment: gunicorn -c gunicorn.conf.py wsgi:app"""

import multiprocessing
import os

bind = os.environ.get("SEARCH_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SEARCH_WORKERS", os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count()))))
worker_class = "sync"
timeout = int(os.environ.get("SEARCH_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
accesslog = os.environ.get("SEARCH_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("SEARCH_LOG_LEVEL", "info")
# Leave the index closed in the master; each worker opens its own handle.
preload_app = False
# gunicorn's control socket lives at one fixed path per user: several servers
# on one machine (tests, a second corpus) would fight over it. Off by default.
control_socket_disable = os.environ.get("SEARCH_CONTROL_SOCKET", "") == ""
if not control_socket_disable:
    control_socket = os.environ["SEARCH_CONTROL_SOCKET"]

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

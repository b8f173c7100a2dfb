"""One JSON line per request, and a request id on every response.

The line says what an operator needs to follow a request through the logs
and to count: its id (the ``X-Request-Id`` header, the client's when it
sends a plain one, else a new one, returned either way), the route, the
status, the time taken, and for a search the query's length (its text only
with ``SEARCH_LOG_QUERIES=1``: queries can be personal), the passes over
the index and the rewrite made. Logged through the ``search.requests``
logger, which gunicorn's error log receives; the same record is counted
for ``/metrics`` (search/metrics.py).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import TYPE_CHECKING, Any

from flask import g, request

from .bidi import EXPLICIT_CONTROLS, MARKS
from .metrics import observe_request

if TYPE_CHECKING:
    from flask import Flask, Response
    from werkzeug.wrappers import Response as BaseResponse

REQUEST_ID_HEADER = "X-Request-Id"
# A client's request id is kept when it is plain and short; anything else is replaced.
_PLAIN_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
log = logging.getLogger("search.requests")


def request_id() -> str | None:
    """This request's id."""
    return g.get("request_id")


def _start() -> None:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if _PLAIN_ID.fullmatch(offered) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def log_record(response: BaseResponse, log_queries: bool = False) -> dict[str, Any]:
    """The log line's fields for this request and its ``response``."""
    record: dict[str, Any] = {
        "event": "request",
        "request_id": request_id(),
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule else None,
        "status": response.status_code,
        "ms": round((time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000, 2),
    }
    text = request.args.get("q")
    if text is not None:
        record["query_chars"] = len(text)
        if log_queries:
            record["query"] = text
    searched = g.get("search_response")
    if searched is not None:
        record["passes"] = searched.passes
        record["rewrite"] = searched.rewrite.reason if searched.rewrite else None
        record["partial"] = searched.partial
    return record


# Characters that would change how a log line reads on a terminal: the
# direction controls and marks (bidi.py's), and the other invisible ones:
# C0 and C1 controls, zero-width spaces and joiners, word joiners, the BOM.
_OTHER_INVISIBLE = [*range(0x20), *range(0x7F, 0xA0), *range(0x200B, 0x200E), *range(0x2060, 0x2066), 0xFEFF]
_INVISIBLE = re.compile(
    "[" + "".join(re.escape(c) for c in sorted(EXPLICIT_CONTROLS | MARKS | set(map(chr, _OTHER_INVISIBLE)))) + "]"
)


def log_line(record: dict[str, Any]) -> str:
    """``record`` as one JSON line: Arabic as it is, but every control or
    bidi character escaped (a logged query could otherwise reorder the line
    on the terminal that shows it). The JSON reads back the same."""
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(record, ensure_ascii=False))


def init_app(app: Flask) -> None:
    log_queries = app.config.get("LOG_QUERIES", False)

    @app.before_request
    def start() -> None:
        _start()

    @app.after_request
    def finish(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = request_id() or ""
        record = log_record(response, log_queries)
        log.info(log_line(record))
        observe_request(record)
        return response

"""Parsing in a process of its own, bounded in time and in memory.

The parsers (charset detection, HTML, Markdown, PDF, DOCX) run in one
long-lived child process per index run (or per index worker), started with
``python -c`` and this module's ``main``: bytes go in through a pipe, the
title, body and encoding come back as JSON. The child caps its own address
space (RLIMIT_AS), so a parser that allocates without end gets a MemoryError
(or dies) instead of taking the machine; the parent waits at most
``seconds`` for each file, then kills the child and starts another for the
next file. Either way the file is reported with the reason and the run goes
on. A child, not a signal: the indexer may run in a thread (the web
worker's reindex, watch mode), where no alarm can interrupt it, and a
watchdog must be able to stop C code (pypdf's zlib, a regex) too.
"""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import subprocess
import sys
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import from_environment
from ..lifetime import die_with_parent
from .walk import IngestError

if TYPE_CHECKING:
    from . import Extracted

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent
# Longest text a file may give (a DOCX or PDF expands its compressed text;
# analysis, indexing and every read of the stored document grow with it).
MAX_TEXT_CHARS = 32 * 2**20


class ParseWorker:
    """``extract(suffix, data) -> Extracted`` (search.ingest) in a child
    process, or IngestError with the reason; a context manager that stops
    the child at exit. The child starts on the first file."""

    def __init__(self, seconds: float | None = None, memory_bytes: int | None = None) -> None:
        settings = from_environment()
        self.seconds: float = settings["PARSE_SECONDS"] if seconds is None else seconds
        self.memory_bytes: int = settings["PARSE_MEMORY_MB"] * 2**20 if memory_bytes is None else memory_bytes
        # The child and its two pipes: all three set (_start) or all None.
        self.process: subprocess.Popen[bytes] | None = None
        self.requests: Connection | None = None
        self.replies: Connection | None = None

    def __enter__(self) -> ParseWorker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _start(self) -> None:
        to_child, requests = os.pipe()
        replies, from_child = os.pipe()
        entry = f"from {__name__} import main; main()"  # not -m: the package would import this module first
        arguments = (to_child, from_child, self.memory_bytes, os.getpid())
        command = [sys.executable, "-c", entry, *(str(argument) for argument in arguments)]
        self.process = subprocess.Popen(
            command, cwd=_PACKAGE_ROOT, stdin=subprocess.DEVNULL, pass_fds=(to_child, from_child)
        )
        os.close(to_child)
        os.close(from_child)
        self.requests = Connection(requests, readable=False)
        self.replies = Connection(replies, writable=False)

    def close(self) -> None:
        """Stop the child (a closed pipe ends it; a hung one is killed)."""
        if self.process is None:
            return
        assert self.requests is not None and self.replies is not None  # set with the process
        self.requests.close()
        self.replies.close()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = self.requests = self.replies = None

    def _kill(self) -> None:
        assert self.process is not None  # only called while a child runs
        self.process.kill()
        self.close()

    def extract(self, suffix: str, data: bytes) -> Extracted:
        if self.process is None:
            self._start()
        assert self.process is not None and self.requests is not None and self.replies is not None  # _start set them
        try:
            self.requests.send_bytes(suffix.encode("utf-8"))
            self.requests.send_bytes(data)
            ready = self.replies.poll(self.seconds)
        except OSError:  # the child died before it read the file
            ready = True
        if not ready:
            self._kill()
            raise IngestError(f"took longer than {self.seconds:g} s to parse (SEARCH_PARSE_SECONDS)")
        try:
            reply = json.loads(self.replies.recv_bytes())
        except (EOFError, OSError):
            code = self.process.wait(timeout=5)
            self.close()
            limit = self.memory_bytes // 2**20
            reason = f"the parser died on it (exit code {code}; {limit} MiB limit, SEARCH_PARSE_MEMORY_MB)"
            raise IngestError(reason) from None
        if "error" in reply:
            raise IngestError(reply["error"])
        from . import Extracted

        return Extracted(**reply)


def _valid_text(text: str) -> str:
    """``text`` without lone surrogates (a damaged PDF's text may hold them),
    which no encoder, Whoosh's included, accepts."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def _serve(requests: Connection, replies: Connection, memory_bytes: int) -> None:
    """The child: answer each (suffix, bytes) with the extracted text, or
    the reason it has none, until the parent closes the pipe."""
    from . import extract_content

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            suffix = requests.recv_bytes().decode("utf-8")
            data = requests.recv_bytes()
        except EOFError:
            return
        try:
            extracted = extract_content(suffix, data)
            if len(extracted.text) > MAX_TEXT_CHARS:
                raise IngestError(f"its text is longer than {MAX_TEXT_CHARS:,} characters once extracted")
            reply: dict[str, Any] = {
                name: _valid_text(value) if isinstance(value, str) else value
                for name, value in dataclasses.asdict(extracted).items()
            }
        except IngestError as error:
            reply = {"error": str(error)}
        except MemoryError:
            reply = {"error": f"needs more than the {memory_bytes // 2**20} MiB parse memory limit"}
        except Exception as error:  # noqa: BLE001 - whatever a parser raises, the file is reported, not the run
            reply = {"error": f"could not be parsed: {type(error).__name__}: {error}"[:500]}
        del data
        replies.send_bytes(json.dumps(reply, ensure_ascii=False).encode("utf-8"))


def main() -> None:
    """The child's entry point: ``requests_fd replies_fd memory_bytes parent_pid``."""
    requests_fd, replies_fd, memory, parent = (int(value) for value in sys.argv[1:5])
    die_with_parent(parent)  # a killed run takes its parser with it, mid-file or not
    _serve(Connection(requests_fd, writable=False), Connection(replies_fd, readable=False), memory)

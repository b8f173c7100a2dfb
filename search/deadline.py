"""The time one request may still spend, shared by every step of it:
parsing, expansion, matching, rewrites, the suggestion and the snippets.

Python cannot stop a computation from outside, so each step asks ``left()``
between units of work of bounded cost (a query node, an expansion, a hit's
snippet) and, when the time is spent, skips what remains. The response then
says it is partial.
"""

import time
from collections.abc import Callable


class QueryTimeout(Exception):
    """The time ran out before any complete answer was found."""


class Deadline:
    """A point in time (``time.monotonic``) a request must answer by."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self.at = clock() + seconds
        # Set once a step found the time spent: what came after was skipped.
        self.expired = False
        # Passes over the index the request made (search/engine.py), for its log line.
        self.passes = 0

    def left(self) -> bool:
        """True while there is time left; once False, False for good."""
        if not self.expired and self.clock() >= self.at:
            self.expired = True
        return not self.expired

    def remaining(self) -> float:
        return max(0.0, self.at - self.clock())


def unlimited() -> Deadline:
    """A deadline that never comes (offline tools: the quality harness, the CLI's tests)."""
    return Deadline(float("inf"))

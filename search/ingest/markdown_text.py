"""Text and title of a Markdown file.

markdown-it-py (CommonMark) renders it, in time linear in the text on the
inputs that made Python-Markdown take minutes (``"[" * 30000``, ``"*a" *
20000``) or raise RecursionError (a list nested 1,200 levels). Its nesting
limit drops whatever lies deeper, so deep lines are flattened first: a line
whose container prefix (indentation, ``>``, list markers) is longer than
MAX_PREFIX_CHARS keeps its first few markers only. The text is kept; only its
nesting goes.
"""

import re

from .html import html_to_text

MAX_PREFIX_CHARS = 16
FLATTENED_MARKERS = 6
MAX_NESTING = 24  # markdown-it's limit on open blocks and nested links; flattening keeps blocks under it

# The closing hashes are stripped in Python: "(.+?)\s*#*\s*$" backtracked
# quadratically on a heading of many spaces.
_TITLE = re.compile(r"^\s{0,3}#\s+(.+)$", re.MULTILINE)
_CONTAINER_PREFIX = re.compile(r"^(?:[ \t]*(?:>|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t])))+[ \t]*", re.MULTILINE)
_MARKER = re.compile(r">|[-+*]|\d{1,9}[.)]")


def _flatten_prefix(match: re.Match[str]) -> str:
    prefix = match.group()
    if len(prefix) <= MAX_PREFIX_CHARS:
        return prefix
    return " ".join(_MARKER.findall(prefix)[:FLATTENED_MARKERS]) + " "


def flatten_nesting(text: str) -> str:
    """``text`` with every container prefix longer than MAX_PREFIX_CHARS cut
    to its first FLATTENED_MARKERS markers.

    >>> flatten_nesting("> " * 40 + "deep")
    '> > > > > > deep'
    """
    return _CONTAINER_PREFIX.sub(_flatten_prefix, text)


def markdown_to_text(text: str) -> tuple[str, str]:
    """Return ``(title or "", body)``: the first ``#`` heading and the text."""
    from markdown_it import MarkdownIt  # imported on first use: a serving worker never needs it

    title_match = _TITLE.search(text)
    renderer = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING})
    _, body = html_to_text(renderer.render(flatten_nesting(text)))
    title = title_match.group(1).strip().rstrip("#").rstrip() if title_match else ""
    return title, body

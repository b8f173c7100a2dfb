"""Visible text and title of an HTML page.

One pass over the markup with the standard library's tokenizer, keeping only
a stack of open element names: the time is linear in the page's size and the
memory in its nesting, whatever the nesting. (BeautifulSoup built the whole
tree first, and inserting a line break around each block element was
quadratic: 100,000 nested ``<div>``s took ten minutes.) Elements open and
close as BeautifulSoup's ``html.parser`` tree did (an end tag closes the
elements opened inside it; an end tag with nothing open to close is ignored),
so the text is the one it gave; tests hold the two equal.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any, cast

from .boilerplate import Page, is_chrome_line, split_page

if TYPE_CHECKING:
    from trafilatura.settings import Document

INVISIBLE_TAGS = ("script", "style", "noscript", "template", "head", "svg", "iframe")
BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
    "tr", "table", "section", "article", "header", "footer", "nav", "aside",
    "blockquote", "pre", "figure", "figcaption", "main", "dd", "dt", "hr",
)  # fmt: skip
# Elements that never hold anything (BeautifulSoup's list for HTML).
VOID_TAGS = frozenset(
    "area base br col embed hr img input keygen link menuitem meta param source track wbr "
    "basefont bgsound command frame image isindex nextid spacer".split()
)
_INVISIBLE, _BLOCK = frozenset(INVISIBLE_TAGS), frozenset(BLOCK_TAGS)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class _VisibleText(HTMLParser):
    """Collects the visible text, a line break around each block element, and
    the text of the first ``<h1>`` and of the first ``<title>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []  # names of the open elements, innermost last
        self.open_counts: Counter[str] = Counter()
        self.hidden = 0  # open invisible elements
        self.pieces: list[str] = []
        self.headings: dict[str, list[str] | None] = {"h1": None, "title": None}  # tag -> [strings] once seen
        self.collecting: dict[str, int] = {}  # tag -> depth of the stack under it while it is open

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = sys.intern(tag)
        if tag in self.headings and self.headings[tag] is None:
            self.headings[tag] = []
            self.collecting[tag] = len(self.open)
        if tag in _BLOCK and not self.hidden:
            self.pieces.append("\n")
        self.open.append(tag)
        self.open_counts[tag] += 1
        if tag in _INVISIBLE:
            self.hidden += 1
        if tag in VOID_TAGS:
            self._close_to(len(self.open) - 1)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS or not self.open_counts[tag]:
            return
        depth = len(self.open) - 1
        while self.open[depth] != tag:
            depth -= 1
        self._close_to(depth)

    def _close_to(self, depth: int) -> None:
        """Close the open elements from the innermost down to ``depth``."""
        while len(self.open) > depth:
            tag = self.open.pop()
            self.open_counts[tag] -= 1
            if tag in _INVISIBLE:
                self.hidden -= 1
            if tag in _BLOCK and not self.hidden:
                self.pieces.append("\n")
            if self.collecting.get(tag) == len(self.open):
                del self.collecting[tag]

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.pieces.append(data)
        for tag in self.collecting:
            strings = self.headings[tag]
            assert strings is not None  # collecting began when the tag was first seen
            strings.append(data)

    def close(self) -> None:
        # What feed() left is a tag, comment or declaration still open at the
        # end of the page: dropped, as HTML5 parsers drop it. Closing it the
        # tokenizer's way rescans the rest of the page from every "<" in it,
        # quadratic: "<a " * 100,000 took minutes.
        if self.rawdata.startswith("<"):
            self.rawdata = ""
        super().close()
        self._close_to(0)


def html_to_text(markup: str) -> tuple[str, str]:
    """Return ``(title, text)``: the ``<h1>`` or ``<title>`` and the visible
    text with one line per block element."""
    parser = _VisibleText()
    parser.feed(markup)
    parser.close()
    heading = parser.headings["h1"] if parser.headings["h1"] is not None else parser.headings["title"]
    title = _clean(" ".join(heading)) if heading else ""
    lines = (_clean(line) for line in "".join(parser.pieces).splitlines())
    return title, "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class Article:
    """A web page's headline, its visible lines flagged article or chrome,
    and what its metadata says of the site and the date (or None)."""

    title: str
    page: Page
    sitename: str | None = None
    date: str | None = None


# trafilatura's settings, as measured on bench/quality/extraction: recall
# first (an article line lost is worse than a share button kept), comments
# left out, tables in (results and figures are article text).
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "output_format": "python",
    "include_comments": False,
    "include_tables": True,
    "favor_recall": True,
    "with_metadata": True,
    # Dates from the page's metadata only: no guess from its text.
    "date_extraction_params": {"extensive_search": False, "original_date": True},
}
_BULLET = re.compile(r"^[-•*]\s+")


def _line_key(line: str) -> str:
    return _BULLET.sub("", _clean(line))


def _trafilatura(markup: str) -> Document | None:
    """trafilatura's reading of the page (its Document), or None when it
    finds no article or fails (a parser error is not the page's fault)."""
    try:
        # Imported here: a serving process reads no files and loads none of this.
        from trafilatura import bare_extraction  # noqa: PLC0415

        # A Document (not its dict): these options leave as_dict off.
        document = cast("Document | None", bare_extraction(markup, **TRAFILATURA_OPTIONS))
    except Exception:  # noqa: BLE001 - whatever trafilatura raises, the page falls back to the line classifier
        return None
    return document if document is not None and (document.text or "").strip() else None


def _iso_date(value: str | None) -> str | None:
    match = re.match(r"\d{4}-\d{2}-\d{2}", value or "")
    return match.group(0) if match else None


def _fill_gaps(flags: list[bool], page: Page) -> None:
    """Lines trafilatura left out between two it kept (a byline under the
    headline) take the line classifier's verdict, in place."""
    kept = [i for i, flag in enumerate(flags) if flag]
    for before, after in zip(kept, kept[1:], strict=False):
        for i in range(before + 1, after):
            flags[i] = page.blocks[i][0]


def extract_article(markup: str) -> Article:
    """The page's Article: every visible line of ``html_to_text``, each kept
    when trafilatura's main text has it (whitespace aside) or it is the
    headline; without a trafilatura text, ``split_page`` decides. Pure (no
    I/O, no state): the parse worker bounds its time and memory."""
    title, text = html_to_text(markup)
    document = _trafilatura(markup)
    if document is None:
        return Article(title=title, page=split_page(text, title or None))
    found = {_line_key(line) for line in (document.text or "").splitlines()}  # never None here (_trafilatura)
    headlines = {_clean(title), _clean(document.title or "")} - {""}
    lines = text.split("\n") if text else []
    flags = [_clean(line) in headlines or (_line_key(line) in found and not is_chrome_line(line)) for line in lines]
    _fill_gaps(flags, split_page(text, title or None))
    return Article(
        title=title or _clean(document.title or ""),
        page=Page(tuple(zip(flags, lines, strict=True))),
        sitename=(document.sitename or "").strip() or None,
        date=_iso_date(document.date),
    )

"""Visible text and title of an HTML page."""

import re

INVISIBLE_TAGS = ("script", "style", "noscript", "template", "head", "svg", "iframe")
BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
    "tr", "table", "section", "article", "header", "footer", "nav", "aside",
    "blockquote", "pre", "figure", "figcaption", "main", "dd", "dt", "hr",
)  # fmt: skip


def _clean(text):
    return re.sub(r"\s+", " ", text).strip()


def html_to_text(markup):
    """Return ``(title, text)``: the ``<h1>`` or ``<title>`` and the visible
    text with one line per block element."""
    from bs4 import BeautifulSoup  # imported on first use

    soup = BeautifulSoup(markup, "html.parser")
    title_tag = soup.find("h1") or soup.find("title")
    title = _clean(title_tag.get_text(" ")) if title_tag else ""
    for tag in soup.find_all(INVISIBLE_TAGS):
        tag.decompose()
    for tag in soup.find_all(BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    lines = (_clean(line) for line in soup.get_text().splitlines())
    return title, "\n".join(line for line in lines if line)

"""From a folder of files to documents: walk, decode, extract text, title and
language. Knows nothing of the index."""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .binary_formats import UnreadableDocument, docx_to_text, pdf_to_text
from .boilerplate import Page, split_page
from .dates import date_from_html, find_date
from .decode import DecodeError, decode_bytes
from .html import extract_article, html_to_text
from .language import detect_language
from .markdown_text import markdown_to_text
from .parse_worker import MAX_TEXT_CHARS
from .title import pick_title
from .walk import IngestError, SourceFile, escape_name, read_source_bytes, walk_folder

if TYPE_CHECKING:
    from .parse_worker import ParseWorker

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
# A binary format's bytes -> (title or "", body).
BINARY_FORMATS: dict[str, Callable[[bytes], tuple[str, str]]] = {".pdf": pdf_to_text, ".docx": docx_to_text}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | frozenset(BINARY_FORMATS)


@dataclass(frozen=True)
class Document:
    doc_id: str
    title: str
    # The article's text: what is indexed and what snippets come from.
    body: str
    lang: str
    size: int
    mtime: float
    sha256: str
    encoding: str
    # Publication date (YYYY-MM-DD or None) and where it was found
    # (dates.FoundDate.source: html, text, mtime or none).
    date: str | None = None
    date_source: str = "none"
    # The site's name, or the top folder the file is in ("" at the top).
    source: str = ""
    # The page's lines left out of ``body`` and where they were
    # (page_lines.Page.stored_json), when some were; None when body is the whole text.
    page: str | None = None


@dataclass(frozen=True)
class Extracted:
    """What a file's bytes give: its title (or ""), its whole text, the
    encoding read, and for a saved web page the article's lines (Page JSON),
    the site's name and the date its metadata gives (YYYY-MM-DD)."""

    title: str
    text: str
    encoding: str
    page: str | None = None
    sitename: str | None = None
    html_date: str | None = None


def extract_text(suffix: str, text: str) -> tuple[str, str]:
    """Return ``(title or "", body)`` of decoded file content by its type."""
    if suffix in (".html", ".htm"):
        return html_to_text(text)
    if suffix in (".md", ".markdown"):
        return markdown_to_text(text)
    return "", text


def _extract_page(suffix: str, text: str) -> tuple[str, str, str | None, str | None, str | None]:
    """Extracted of a decoded text file: HTML through trafilatura (the article
    among the visible text, its metadata's site name and date); a text file
    through the boilerplate line classifier; markdown whole."""
    if suffix in (".html", ".htm"):
        # The date from the page's metadata only, as dates.date_from_html
        # reads it (trafilatura's own guess may come from the text or the URL).
        article = extract_article(text)
        return (
            article.title,
            article.page.all_text,
            article.page.to_json(),
            article.sitename,
            _iso(date_from_html(text)),
        )
    title, body = extract_text(suffix, text)
    if len(body) > MAX_TEXT_CHARS:  # refused before its lines are classified
        raise IngestError(f"its text is longer than {MAX_TEXT_CHARS:,} characters once extracted")
    page = split_page(body) if suffix == ".txt" else None
    return title, body, page.to_json() if page is not None and page.dropped else None, None, None


def _iso(date: datetime.date | None) -> str | None:
    return date.isoformat() if date else None


def _fallback_title(doc_id: str) -> str:
    stem = Path(doc_id).stem
    return re.sub(r"[-_]+", " ", stem).strip() or doc_id


def extract_content(suffix: str, data: bytes) -> Extracted:
    """Return the Extracted of a file's bytes by its suffix, or raise
    IngestError with the reason."""
    if not data.strip():
        raise IngestError("empty file")
    try:
        if suffix in BINARY_FORMATS:
            (title, body), encoding = BINARY_FORMATS[suffix](data), suffix[1:]
            return Extracted(title, body, encoding)
        text, encoding = decode_bytes(data)
        title, body, page, sitename, html_date = _extract_page(suffix, text.replace("\r\n", "\n").replace("\r", "\n"))
    except (DecodeError, UnreadableDocument) as error:
        raise IngestError(str(error)) from None
    return Extracted(title, body, encoding, page, sitename, html_date)


def read_document(
    source: SourceFile, data: bytes | None = None, max_bytes: int | None = None, parser: ParseWorker | None = None
) -> Document:
    """Read a SourceFile into a Document, or raise IngestError with the reason.

    The bytes are read with ``read_source_bytes`` (a regular file inside the
    docs folder, at most ``max_bytes``); ``parser`` (a ParseWorker) extracts
    the text in a process bounded in time and memory, else this process
    does."""
    mtime = source.mtime
    if data is None:
        if max_bytes is not None and source.size > max_bytes:
            raise IngestError(f"larger than the {max_bytes:,}-byte limit ({source.size:,} bytes)")
        data, status = read_source_bytes(source, max_bytes)
        mtime = status.st_mtime
    suffix = source.path.suffix.lower()
    if not data.strip():
        raise IngestError("empty file")
    extracted = (parser.extract if parser else extract_content)(suffix, data)
    if not extracted.text.strip():
        raise IngestError("no text in the file")
    page = Page.from_json(extracted.page) if extracted.page else None
    # A page whose every line reads as boilerplate is indexed whole: a
    # document is never lost to the classifier.
    article = page.article if page is not None and page.article.strip() else extracted.text
    kept_page = page.stored_json() if page is not None and article != extracted.text else None
    title = extracted.title or pick_title(article, _fallback_title(source.doc_id))
    # The date line is often chrome: it is looked for in the whole text.
    html_date = datetime.date.fromisoformat(extracted.html_date) if extracted.html_date else None
    found = find_date(text=extracted.text, mtime=mtime, html_date=html_date)
    return Document(
        doc_id=source.doc_id,
        title=title,
        body=article,
        lang=detect_language(article),
        size=len(data),
        mtime=mtime,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=extracted.encoding,
        date=_iso(found.date),
        date_source=found.source,
        source=extracted.sitename or top_folder(source.doc_id),
        page=kept_page,
    )


def top_folder(doc_id: str) -> str:
    """The first folder of a document's id ("" for a file at the top)."""
    folder, slash, _ = doc_id.partition("/")
    return folder if slash else ""


def source_hash(source: SourceFile, max_bytes: int | None = None) -> str:
    """SHA-256 of the bytes ``read_source_bytes`` gives for ``source``."""
    data, _ = read_source_bytes(source, max_bytes)
    return hashlib.sha256(data).hexdigest()


__all__ = [
    "Document",
    "Extracted",
    "IngestError",
    "SourceFile",
    "escape_name",
    "extract_content",
    "read_document",
    "read_source_bytes",
    "source_hash",
    "walk_folder",
]

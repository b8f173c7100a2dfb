"""From a folder of files to documents: walk, decode, extract text, title and
language. Knows nothing of the index."""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .binary_formats import UnreadableDocument, docx_to_text, pdf_to_text
from .decode import DecodeError, decode_bytes
from .html import html_to_text
from .language import detect_language
from .markdown_text import markdown_to_text
from .title import pick_title
from .walk import IngestError, SourceFile, escape_name, read_source_bytes, walk_folder

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
BINARY_FORMATS = {".pdf": pdf_to_text, ".docx": docx_to_text}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | frozenset(BINARY_FORMATS)


@dataclass(frozen=True)
class Document:
    doc_id: str
    title: str
    body: str
    lang: str
    size: int
    mtime: float
    sha256: str
    encoding: str


def extract_text(suffix, text):
    """Return ``(title or "", body)`` of decoded file content by its type."""
    if suffix in (".html", ".htm"):
        return html_to_text(text)
    if suffix in (".md", ".markdown"):
        return markdown_to_text(text)
    return "", text


def _fallback_title(doc_id):
    stem = Path(doc_id).stem
    return re.sub(r"[-_]+", " ", stem).strip() or doc_id


def extract_content(suffix, data):
    """Return ``(title or "", body, encoding)`` of a file's bytes by its
    suffix, or raise IngestError with the reason."""
    if not data.strip():
        raise IngestError("empty file")
    try:
        if suffix in BINARY_FORMATS:
            (title, body), encoding = BINARY_FORMATS[suffix](data), suffix[1:]
        else:
            text, encoding = decode_bytes(data)
            title, body = extract_text(suffix, text.replace("\r\n", "\n").replace("\r", "\n"))
    except (DecodeError, UnreadableDocument) as error:
        raise IngestError(str(error)) from None
    return title, body, encoding


def read_document(source, data=None, max_bytes=None, parser=None):
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
    title, body, encoding = (parser.extract if parser else extract_content)(suffix, data)
    if not body.strip():
        raise IngestError("no text in the file")
    title = title or pick_title(body, _fallback_title(source.doc_id))
    return Document(
        doc_id=source.doc_id,
        title=title,
        body=body,
        lang=detect_language(body),
        size=len(data),
        mtime=mtime,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
    )


def source_hash(source, max_bytes=None):
    """SHA-256 of the bytes ``read_source_bytes`` gives for ``source``."""
    data, _ = read_source_bytes(source, max_bytes)
    return hashlib.sha256(data).hexdigest()


__all__ = [
    "Document",
    "IngestError",
    "SourceFile",
    "escape_name",
    "extract_content",
    "read_document",
    "read_source_bytes",
    "source_hash",
    "walk_folder",
]

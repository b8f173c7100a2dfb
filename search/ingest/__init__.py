"""From a folder of files to documents: walk, decode, extract text, title and
language. Knows nothing of the index."""

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .binary_formats import UnreadableDocument, docx_to_text, pdf_to_text
from .decode import DecodeError, decode_bytes
from .html import html_to_text
from .language import detect_language
from .title import pick_title

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
BINARY_FORMATS = {".pdf": pdf_to_text, ".docx": docx_to_text}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | frozenset(BINARY_FORMATS)


class IngestError(Exception):
    """A file that cannot become a document; the message says why."""


@dataclass(frozen=True)
class SourceFile:
    """A file found in the docs folder, before it is read."""

    doc_id: str  # path relative to the docs folder, "/"-separated
    path: Path
    size: int
    mtime: float


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


def _doc_id(root, path):
    return path.relative_to(root).as_posix()


def walk_folder(root, errors=None):
    """Yield a SourceFile for every supported file under ``root``, in a
    stable order (each folder's files by name, then its subfolders by name).
    Hidden files and folders (a leading dot: .git, .cache) are left out.

    Folders reached through symbolic links are not entered (no loops, nothing
    outside the folder); a linked file is taken only when it resolves inside
    ``root``. Problems are appended to ``errors`` as ``(doc_id, reason)``.
    """
    root = Path(root).resolve()
    errors = [] if errors is None else errors

    def on_error(error):
        errors.append((_doc_id(root, Path(error.filename)) if error.filename else "?", error.strerror or str(error)))

    for folder, subfolders, names in os.walk(root, onerror=on_error):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(names):
            path = Path(folder) / name
            if path.suffix.lower() not in SUPPORTED_SUFFIXES or name.startswith("."):
                continue
            doc_id = _doc_id(root, path)
            try:
                if path.is_symlink() and not path.resolve().is_relative_to(root):
                    errors.append((doc_id, "symbolic link to a file outside the docs folder"))
                    continue
                stat = path.stat()
            except OSError as error:
                errors.append((doc_id, error.strerror or str(error)))
                continue
            yield SourceFile(doc_id, path, stat.st_size, stat.st_mtime)


def _markdown_to_text(text):
    title_match = re.search(r"^\s{0,3}#\s+(.+?)\s*#*\s*$", text, re.MULTILINE)
    import markdown  # imported on first use: a serving worker never needs it

    _, body = html_to_text(markdown.markdown(text))
    return (title_match.group(1) if title_match else ""), body


def extract_text(suffix, text):
    """Return ``(title or "", body)`` of decoded file content by its type."""
    if suffix in (".html", ".htm"):
        return html_to_text(text)
    if suffix in (".md", ".markdown"):
        return _markdown_to_text(text)
    return "", text


def _fallback_title(doc_id):
    stem = Path(doc_id).stem
    return re.sub(r"[-_]+", " ", stem).strip() or doc_id


def read_document(source, data=None, max_bytes=None):
    """Read a SourceFile into a Document, or raise IngestError with the reason."""
    if max_bytes is not None and source.size > max_bytes:
        raise IngestError(f"larger than the {max_bytes:,}-byte limit ({source.size:,} bytes)")
    if data is None:
        try:
            data = source.path.read_bytes()
        except OSError as error:
            raise IngestError(error.strerror or str(error)) from None
    if not data.strip():
        raise IngestError("empty file")
    suffix = source.path.suffix.lower()
    try:
        if suffix in BINARY_FORMATS:
            (title, body), encoding = BINARY_FORMATS[suffix](data), suffix[1:]
        else:
            text, encoding = decode_bytes(data)
            title, body = extract_text(suffix, text.replace("\r\n", "\n").replace("\r", "\n"))
    except (DecodeError, UnreadableDocument) as error:
        raise IngestError(str(error)) from None
    if not body.strip():
        raise IngestError("no text in the file")
    title = title or pick_title(body, _fallback_title(source.doc_id))
    return Document(
        doc_id=source.doc_id,
        title=title,
        body=body,
        lang=detect_language(body),
        size=len(data),
        mtime=source.mtime,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
    )


def content_hash(path):
    """SHA-256 of a file's bytes, streamed."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


__all__ = [
    "Document",
    "IngestError",
    "SourceFile",
    "content_hash",
    "read_document",
    "walk_folder",
]

"""Text of PDF and DOCX files.

PDF text comes from pypdf, which puts Arabic in logical order; presentation
forms left by older PDF producers are folded to ordinary letters (NFKC) here,
so the stored text reads and highlights like any other. A PDF with no text
layer (a scan) is an error, not an empty document.
"""

import io
import re
import unicodedata
import zipfile

# Arabic presentation forms A and B (ligatures and contextual glyphs).
_PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]+")


class UnreadableDocument(ValueError):
    """The file is not a document we can take text from; the message says why."""


def _fold_presentation_forms(text: str) -> str:
    return _PRESENTATION_FORMS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def pdf_to_text(data: bytes) -> tuple[str, str]:
    """Return ``(title or "", body)`` of a PDF's bytes."""
    from pypdf import PdfReader  # imported on first use, like docx below: a serving worker never needs them

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadableDocument("encrypted PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or ""
    except UnreadableDocument:
        raise
    except Exception as error:  # pypdf raises many kinds on damaged files (NotImplementedError too)
        raise UnreadableDocument(f"not a readable PDF: {type(error).__name__}: {error}") from None
    body = _fold_presentation_forms("\n\n".join(page.strip() for page in pages))
    if not any(char.isalpha() for char in body):
        raise UnreadableDocument("PDF without a text layer (a scan needs OCR first)")
    return _fold_presentation_forms(str(title)).strip(), body


# A DOCX is a zip archive: its declared expanded size and entry count are
# checked before python-docx inflates anything. zipfile never inflates an
# entry past its declared size (it stops there and fails the CRC), so the
# declared sizes are a real bound.
MAX_ZIP_EXPANDED_BYTES = 256 * 2**20
MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_RATIO = 200  # expanded / compressed, for an entry over 1 MiB; Word's XML compresses about 10:1
_RATIO_CHECKED_FROM = 2**20


def check_zip_archive(data: bytes) -> None:
    """Raise UnreadableDocument when the archive would expand past the limits."""
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise UnreadableDocument(f"not a readable DOCX file: {error}") from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise UnreadableDocument(f"zip archive of {len(entries):,} entries (the limit is {MAX_ZIP_ENTRIES:,})")
    expanded = sum(entry.file_size for entry in entries)
    if expanded > MAX_ZIP_EXPANDED_BYTES:
        raise UnreadableDocument(
            f"zip archive that expands to {expanded:,} bytes (the limit is {MAX_ZIP_EXPANDED_BYTES:,}): a zip bomb?"
        )
    for entry in entries:
        if entry.file_size > _RATIO_CHECKED_FROM and entry.file_size > MAX_ZIP_RATIO * max(entry.compress_size, 1):
            raise UnreadableDocument(
                f"zip entry {entry.filename!r} expands {entry.file_size // max(entry.compress_size, 1):,} times "
                f"(the limit is {MAX_ZIP_RATIO}): a zip bomb?"
            )


def docx_to_text(data: bytes) -> tuple[str, str]:
    """Return ``(title or "", body)`` of a Word document's bytes: paragraphs
    and table cells in document order; the title from the document's
    properties or its first Title/Heading 1 paragraph."""
    import docx

    check_zip_archive(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many kinds on bad input
        raise UnreadableDocument(f"not a readable DOCX file: {error}") from None
    lines: list[str] = []
    heading = ""
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if not heading and style in ("Title", "Heading 1"):
            heading = text
        lines.append(text)
    for table in document.tables:
        for row in table.rows:
            cells = [cell.text.strip() for cell in row.cells if cell.text.strip()]
            if cells:
                lines.append(" | ".join(cells))
    title = (document.core_properties.title or "").strip() or heading
    return title, "\n".join(lines)

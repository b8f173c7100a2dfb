"""Text of PDF and DOCX files.

PDF text comes from pypdf, which puts Arabic in logical order; presentation
forms left by older PDF producers are folded to ordinary letters (NFKC) here,
so the stored text reads and highlights like any other. A PDF with no text
layer (a scan) is an error, not an empty document.
"""

import io
import re
import unicodedata

# Arabic presentation forms A and B (ligatures and contextual glyphs).
_PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]+")


class UnreadableDocument(ValueError):
    """The file is not a document we can take text from; the message says why."""


def _fold_presentation_forms(text):
    return _PRESENTATION_FORMS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def pdf_to_text(data):
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


def docx_to_text(data):
    """Return ``(title or "", body)`` of a Word document's bytes: paragraphs
    and table cells in document order; the title from the document's
    properties or its first Title/Heading 1 paragraph."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many kinds on bad input
        raise UnreadableDocument(f"not a readable DOCX file: {error}") from None
    lines, heading = [], ""
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

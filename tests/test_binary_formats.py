"""PDF and DOCX ingestion, with files built here: fpdf2 writes the PDFs (Arabic
shaped by HarfBuzz, as a modern producer does), python-docx the Word files.
Every file goes through the indexer and the search engine as a user's would."""

import io
import random
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from search.engine import scoring, search
from search.index import open_index, update_index
from search.ingest import SourceFile, read_document
from search.ingest.binary_formats import pdf_to_text
from search.query import SearchRequest

FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
)

ARABIC_LINES = (
    "أعلنت اللجنة العليا أن الانتخابات البرلمانية ستجري يوم الأحد في جميع المحافظات",
    "وقال رئيس اللجنة إن الاستعداد للانتخابات بدأ منذ أشهر بمشاركة مراقبين دوليين",
)
ARABIC_TITLE = "تقرير اللجنة العليا"
ENGLISH_LINES = (
    "Researchers published a long study on coastal erosion along the northern shore.",
    "The erosion has moved the cliff edge twelve metres inland in a decade.",
)
ENGLISH_TITLE = "Coastal erosion study"


def arabic_font():
    """A TTF with Arabic glyphs (DejaVu Sans); the PDF tests cannot run without one."""
    candidates = []
    if shutil.which("fc-match"):
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "DejaVu Sans"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
        if found:
            candidates.append(found)
    candidates.extend(FONT_PATHS)
    for candidate in candidates:
        path = Path(candidate)
        if path.suffix.lower() == ".ttf" and path.is_file() and "dejavusans" in path.name.lower().replace("-", ""):
            return path
    pytest.fail(
        "no DejaVuSans.ttf found (fc-match 'DejaVu Sans' and " + ", ".join(FONT_PATHS) + "): install fonts-dejavu-core"
    )


def new_pdf(title=None):
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("dejavu", "", str(arabic_font()))
    pdf.set_font("dejavu", size=14)
    if title:
        pdf.set_title(title)
    return pdf


def arabic_pdf(lines=ARABIC_LINES, title=ARABIC_TITLE):
    pdf = new_pdf(title)
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl", script="arab", language="ara")
    for line in lines:
        pdf.multi_cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def english_pdf(lines=ENGLISH_LINES, title=ENGLISH_TITLE):
    pdf = new_pdf(title)
    for line in lines:
        pdf.multi_cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def scanned_pdf():
    """A page with only a drawing on it, like a scan: no text layer."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(40, 40, 40)
    pdf.rect(20, 20, 120, 80, style="F")
    return bytes(pdf.output())


def bilingual_docx(core_title=None):
    document = docx.Document()
    document.add_heading("الانتخابات البلدية في المدن الساحلية", level=1)
    document.add_paragraph("أعلنت البلدية أن الانتخابات المحلية ستجري في الربيع وأن التسجيل مفتوح للجميع.")
    document.add_paragraph("The harbour authority published the turnout figures for every district.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "المحافظة"
    table.cell(0, 1).text = "Turnout"
    table.cell(1, 0).text = "الإسكندرية"
    table.cell(1, 1).text = "lighthouse district"
    if core_title:
        document.core_properties.title = core_title
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write(folder, name, data):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def ingest(folder, name, data):
    path = write(folder, name, data)
    stat = path.stat()
    return read_document(SourceFile(name, path, stat.st_size, stat.st_mtime))


def search_hits(index_dir, text):
    ix = open_index(index_dir)
    try:
        with ix.searcher(weighting=scoring()) as searcher:
            return search(searcher, SearchRequest(text, per_page=50)).hits
    finally:
        ix.close()


# --- PDF ---------------------------------------------------------------------


def test_shaped_arabic_pdf_is_read_in_logical_order_with_its_metadata_title(tmp_path):
    document = ingest(tmp_path, "report.pdf", arabic_pdf())
    for line in ARABIC_LINES:
        assert line in document.body, document.body
    assert document.title == ARABIC_TITLE
    assert document.lang == "ar"
    assert document.encoding == "pdf"
    # Shaped glyphs are read back as ordinary letters, never presentation forms.
    assert not any("\ufb50" <= char <= "\ufeff" for char in document.body)


def test_arabic_pdf_is_searchable_by_word_and_prefixed_form_with_the_word_marked(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "ar/report.pdf", arabic_pdf())
    write(docs, "en/notes.txt", b"Unrelated notes about the harbour and its lighthouse.\n")
    summary = update_index(docs, tmp_path / "index")
    assert summary.failed == []
    assert summary.added == 2

    for query in ("انتخابات", "والانتخابات", "الانتخابات"):
        hits = search_hits(tmp_path / "index", query)
        assert [hit.doc_id for hit in hits] == ["ar/report.pdf"], query
    hit = search_hits(tmp_path / "index", "انتخابات")[0]
    assert "<mark>الانتخابات</mark>" in hit.snippet
    assert hit.title == ARABIC_TITLE
    assert hit.lang == "ar"


def test_english_pdf_is_searchable_with_its_metadata_title(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "en/erosion.pdf", english_pdf())
    write(docs, "ar/notes.txt", "ملاحظات عن الميناء والمنارة القديمة في المدينة\n".encode())
    summary = update_index(docs, tmp_path / "index")
    assert summary.failed == []
    hits = search_hits(tmp_path / "index", "cliff")
    assert [hit.doc_id for hit in hits] == ["en/erosion.pdf"]
    assert hits[0].title == ENGLISH_TITLE
    assert hits[0].lang == "en"
    assert "<mark>cliff</mark>" in hits[0].snippet


def test_pdf_without_title_metadata_takes_a_title_from_its_text(tmp_path):
    document = ingest(tmp_path, "untitled-study.pdf", english_pdf(title=None))
    assert document.title
    assert document.title != ENGLISH_TITLE
    assert "erosion" in document.body


def test_pdf_without_a_text_layer_is_reported_as_needing_ocr(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "scans/page-1.pdf", scanned_pdf())
    write(docs, "en/erosion.pdf", english_pdf())
    summary = update_index(docs, tmp_path / "index")
    assert [doc_id for doc_id, _ in summary.failed] == ["scans/page-1.pdf"]
    assert "text layer" in summary.failed[0][1]
    assert summary.added == 1
    assert summary.documents == 1


def test_presentation_forms_in_a_pdf_text_layer_are_folded_to_letters(tmp_path):
    # An older producer draws pre-shaped glyphs (Arabic presentation forms)
    # left to right, that is in visual order: the last letter of a word first.
    logical = "ﺍﻟﺴﻼﻡ ﻋﻠﻴﻜﻢ"  # "السلام عليكم" as presentation forms, logical order
    assert all("\ufb50" <= char <= "\ufeff" for char in logical.replace(" ", ""))
    pdf = new_pdf("ﺗﺤﻴﺔ")
    pdf.multi_cell(0, 10, logical[::-1], new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 10, "A greeting in Arabic.", new_x="LMARGIN", new_y="NEXT")
    title, body = pdf_to_text(bytes(pdf.output()))
    assert "السلام" in body, body
    assert "عليكم" in body, body
    assert not any("\ufb50" <= char <= "\ufeff" for char in body + title), body
    assert title == "تحية"

    docs = tmp_path / "docs"
    write(docs, "old/greeting.pdf", bytes(pdf.output()))
    assert update_index(docs, tmp_path / "index").failed == []
    hits = search_hits(tmp_path / "index", "السلام")
    assert [hit.doc_id for hit in hits] == ["old/greeting.pdf"]
    assert "<mark>السلام</mark>" in hits[0].snippet


# --- DOCX --------------------------------------------------------------------


def test_docx_paragraphs_and_table_cells_are_read_in_order_with_the_heading_as_title(tmp_path):
    document = ingest(tmp_path, "municipal.docx", bilingual_docx())
    assert document.title == "الانتخابات البلدية في المدن الساحلية"
    lines = document.body.split("\n")
    assert lines[0] == "الانتخابات البلدية في المدن الساحلية"
    assert "أعلنت البلدية أن الانتخابات المحلية ستجري في الربيع وأن التسجيل مفتوح للجميع." in lines
    assert "The harbour authority published the turnout figures for every district." in lines
    assert "المحافظة | Turnout" in lines
    assert "الإسكندرية | lighthouse district" in lines
    assert document.encoding == "docx"
    assert document.lang == "ar"


def test_docx_title_property_wins_over_the_heading(tmp_path):
    document = ingest(tmp_path, "municipal.docx", bilingual_docx(core_title="Municipal elections 2025"))
    assert document.title == "Municipal elections 2025"


def test_docx_title_style_paragraph_is_a_title(tmp_path):
    word = docx.Document()
    word.add_heading("Harbour lighthouse restoration", level=0)  # the "Title" style
    word.add_paragraph("Volunteers repainted the lighthouse and repaired its lamp room.")
    buffer = io.BytesIO()
    word.save(buffer)
    document = ingest(tmp_path, "lighthouse.docx", buffer.getvalue())
    assert document.title == "Harbour lighthouse restoration"


def test_docx_is_searchable_in_both_languages_including_table_cells(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "reports/municipal.docx", bilingual_docx())
    write(docs, "en/erosion.pdf", english_pdf())
    summary = update_index(docs, tmp_path / "index")
    assert summary.failed == []
    for query in ("انتخابات", "بالانتخابات", "lighthouse", "الإسكندرية", "turnout"):
        assert [hit.doc_id for hit in search_hits(tmp_path / "index", query)] == ["reports/municipal.docx"], query
    snippet = search_hits(tmp_path / "index", "lighthouse")[0].snippet
    assert "<mark>lighthouse</mark>" in snippet


# --- damaged files -----------------------------------------------------------


def test_corrupt_pdf_and_docx_are_reported_and_the_rest_indexed(tmp_path):
    noise = random.Random(20240611)
    docs = tmp_path / "docs"
    write(docs, "broken/random.pdf", noise.randbytes(4096))
    write(docs, "broken/random.docx", noise.randbytes(4096))
    write(docs, "broken/truncated.pdf", english_pdf()[:600])
    write(docs, "broken/header-only.pdf", b"%PDF-1.7\n" + noise.randbytes(2048))
    write(docs, "broken/zip-not-word.docx", _zip_with({"hello.txt": b"not a word document"}))
    write(docs, "en/erosion.pdf", english_pdf())
    write(docs, "reports/municipal.docx", bilingual_docx())

    summary = update_index(docs, tmp_path / "index")

    failed = dict(summary.failed)
    assert sorted(failed) == [
        "broken/header-only.pdf",
        "broken/random.docx",
        "broken/random.pdf",
        "broken/truncated.pdf",
        "broken/zip-not-word.docx",
    ]
    assert all(reason.strip() for reason in failed.values())
    assert "PDF" in failed["broken/random.pdf"]
    assert "DOCX" in failed["broken/random.docx"]
    assert summary.added == 2
    assert summary.documents == 2
    assert [hit.doc_id for hit in search_hits(tmp_path / "index", "cliff")] == ["en/erosion.pdf"]


def test_pdf_with_a_damaged_stream_filter_is_reported_not_crashing_the_run(tmp_path):
    # One byte changed in a stream's filter name, as a bad copy or a broken
    # producer can leave it; pypdf raises NotImplementedError for it.
    good = english_pdf()
    assert b"/FlateDecode" in good
    docs = tmp_path / "docs"
    write(docs, "broken/bad-filter.pdf", good.replace(b"/FlateDecode", b"/FlateDecodX"))
    write(docs, "en/erosion.pdf", good)

    summary = update_index(docs, tmp_path / "index")

    assert [doc_id for doc_id, _ in summary.failed] == ["broken/bad-filter.pdf"]
    assert summary.failed[0][1].strip()
    assert summary.documents == 1


def _zip_with(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()

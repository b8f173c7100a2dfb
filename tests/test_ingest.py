"""From files to documents: decoding, text extraction, the folder walk,
language and hashes."""

import codecs
import hashlib
import os
import threading

import pytest

from search.ingest import IngestError, SourceFile, read_document, source_hash, walk_folder
from search.ingest.decode import DecodeError, decode_bytes
from search.ingest.language import detect_language

# A realistic paragraph, over 300 characters.
ARABIC_PARAGRAPH = (
    "أعلنت وزارة الصحة في بيان صدر صباح اليوم أن فرقها الميدانية بدأت حملة واسعة لتطعيم الأطفال في القرى النائية، "
    "وأوضحت أن الحملة ستستمر ثلاثة أسابيع وتشمل أكثر من مئتي مدرسة. وقال المتحدث باسم الوزارة إن الإقبال كان كبيراً "
    "منذ الساعات الأولى، داعياً الأهالي إلى التعاون مع الفرق الطبية؛ فهل تنجح الحملة في بلوغ هدفها؟"
)
ARABIC_SHORT = "مرحبا بكم في المكتبة"
ENGLISH_PARAGRAPH = (
    "The city council approved on Tuesday a plan to rebuild the old harbour bridge, which has been closed to traffic "
    "since the spring floods damaged its supports and forced thousands of commuters onto ferries."
)


def source(path, root):
    stat = path.stat()
    return SourceFile(path.relative_to(root).as_posix(), path, stat.st_size, stat.st_mtime)


def write(root, name, content):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


# --- decoding ----------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        ARABIC_SHORT.encode("utf-8"),
        codecs.BOM_UTF8 + ARABIC_SHORT.encode("utf-8"),
        codecs.BOM_UTF16_LE + ARABIC_SHORT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + ARABIC_SHORT.encode("utf-16-be"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom"],
)
def test_unicode_encodings_decode_without_the_byte_order_mark(data):
    text, _ = decode_bytes(data)
    assert text == ARABIC_SHORT


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (ARABIC_PARAGRAPH, "cp1256"),
        (ARABIC_SHORT, "cp1256"),
        ("قال الوزير إن الحملة ناجحة", "iso8859_6"),
        ("يعمل الفريق على تطوير نظام بحث يدعم اللغتين العربية والإنجليزية", "iso8859_6"),
        ("السلام عليكم", "iso8859_6"),
        ("She said “it’s a café” — the naïve résumé was ready.", "cp1252"),
    ],
    ids=["cp1256-paragraph", "cp1256-short", "iso8859-6-sentence", "iso8859-6-long", "iso8859-6-greeting", "cp1252"],
)
def test_legacy_encodings_are_detected(text, encoding):
    decoded, _ = decode_bytes(text.encode(encoding))
    assert decoded == text


@pytest.mark.parametrize(
    "data",
    [b"\x00\x01\x02\xff\xfePK\x03\x04" * 20, bytes(range(256)) * 4, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x10"],
    ids=["zip-like", "all-bytes", "png-header"],
)
def test_binary_garbage_raises_decode_error(data):
    with pytest.raises(DecodeError):
        decode_bytes(data)


# --- read_document -------------------------------------------------------------


def test_text_file_takes_its_headline_as_title(tmp_path):
    path = write(tmp_path, "news.txt", f"الحكومة تقر خطة جديدة لتطوير النقل العام\n{ARABIC_PARAGRAPH}\n")
    document = read_document(source(path, tmp_path))
    assert document.title == "الحكومة تقر خطة جديدة لتطوير النقل العام"
    assert ARABIC_PARAGRAPH in document.body
    assert document.lang == "ar"


def test_text_file_without_headline_takes_its_title_from_the_file_name(tmp_path):
    path = write(tmp_path, "تقرير-الربع_الأول.txt", "ملاحظة قصيرة\n")
    assert read_document(source(path, tmp_path)).title == "تقرير الربع الأول"


def test_legacy_encoded_text_file_is_decoded(tmp_path):
    path = write(tmp_path, "old.txt", ARABIC_PARAGRAPH.encode("cp1256"))
    document = read_document(source(path, tmp_path))
    assert document.body == ARABIC_PARAGRAPH
    assert document.encoding == "cp1256"


def test_windows_line_endings_become_newlines(tmp_path):
    path = write(tmp_path, "crlf.txt", "سطر أول\r\nسطر ثان\rسطر ثالث\r\n")
    assert read_document(source(path, tmp_path)).body == "سطر أول\nسطر ثان\nسطر ثالث\n"


MARKDOWN = """# عنوان التقرير السنوي

فقرة فيها **نص عريض** و *مائل* و [رابط](https://example.org/report) و `رمز`.

## قسم فرعي

- بند أول
- بند ثان
"""


def test_markdown_title_comes_from_the_first_heading(tmp_path):
    path = write(tmp_path, "report.md", MARKDOWN)
    assert read_document(source(path, tmp_path)).title == "عنوان التقرير السنوي"


@pytest.mark.parametrize("syntax", ["**", "# ", "](", "https://", "`", "- بند"])
def test_markdown_syntax_is_not_in_the_body(tmp_path, syntax):
    path = write(tmp_path, "report.md", MARKDOWN)
    body = read_document(source(path, tmp_path)).body
    assert "نص عريض" in body and "رابط" in body and "بند أول" in body
    assert syntax not in body


HTML_PAGE = """<!doctype html>
<html><head><title>{title}</title>
<style>.hidden-rule {{ color: red }}</style>
<script>var trackingSecret = "do-not-index";</script>
</head><body>
<nav><a href="/">Home</a></nav>
{h1}
<p>{paragraph}</p>
<script>document.write("injected")</script>
</body></html>
"""


@pytest.mark.parametrize(
    ("title", "h1", "expected"),
    [
        ("Site name", "<h1>Harbour bridge to be rebuilt</h1>", "Harbour bridge to be rebuilt"),
        ("Harbour bridge to be rebuilt", "", "Harbour bridge to be rebuilt"),
    ],
    ids=["from-h1", "from-title"],
)
def test_html_title_comes_from_h1_or_title(tmp_path, title, h1, expected):
    path = write(tmp_path, "page.html", HTML_PAGE.format(title=title, h1=h1, paragraph=ENGLISH_PARAGRAPH))
    assert read_document(source(path, tmp_path)).title == expected


@pytest.mark.parametrize("hidden", ["trackingSecret", "do-not-index", "hidden-rule", "color: red", "injected"])
def test_html_script_and_style_are_not_in_the_body(tmp_path, hidden):
    path = write(tmp_path, "page.html", HTML_PAGE.format(title="T", h1="<h1>Bridge</h1>", paragraph=ENGLISH_PARAGRAPH))
    body = read_document(source(path, tmp_path)).body
    assert ENGLISH_PARAGRAPH in body
    assert hidden not in body


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n"], ids=["empty", "whitespace"])
def test_empty_file_is_an_ingest_error(tmp_path, content):
    path = write(tmp_path, "empty.txt", content)
    with pytest.raises(IngestError, match="empty"):
        read_document(source(path, tmp_path))


def test_html_without_visible_text_is_an_ingest_error(tmp_path):
    path = write(tmp_path, "blank.html", "<html><head><script>var x = 1;</script></head><body></body></html>")
    with pytest.raises(IngestError):
        read_document(source(path, tmp_path))


def test_file_larger_than_the_limit_is_an_ingest_error_with_the_reason(tmp_path):
    path = write(tmp_path, "big.txt", "كلمة " * 500)
    with pytest.raises(IngestError, match="limit") as caught:
        read_document(source(path, tmp_path), max_bytes=1000)
    assert "1,000" in str(caught.value)


def test_binary_file_is_an_ingest_error(tmp_path):
    path = write(tmp_path, "blob.txt", b"\x00\x01\x02\xff\xfe" * 50)
    with pytest.raises(IngestError):
        read_document(source(path, tmp_path))


def test_document_hash_is_the_sha256_of_the_bytes(tmp_path):
    data = f"{ARABIC_PARAGRAPH}\n{ENGLISH_PARAGRAPH}\n".encode()
    path = write(tmp_path, "mixed.txt", data)
    document = read_document(source(path, tmp_path))
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.size == len(data)


def test_source_hash_matches_hashlib(tmp_path):
    data = os.urandom(3 * (1 << 20) + 17)  # more than one 1 MiB block
    path = write(tmp_path, "blob.bin", data)
    assert source_hash(source(path, tmp_path)) == hashlib.sha256(data).hexdigest()


# --- walk_folder -----------------------------------------------------------------


def doc_ids(root, errors=None):
    return [found.doc_id for found in walk_folder(root, errors)]


def test_walk_is_recursive_and_sorted(tmp_path):
    for name in ["e/d/x.htm", "b.txt", "c/z.html", "a.md", "c/y.txt"]:
        write(tmp_path, name, "نص")
    assert doc_ids(tmp_path) == ["a.md", "b.txt", "c/y.txt", "c/z.html", "e/d/x.htm"]


@pytest.mark.parametrize("name", ["photo.jpg", "archive.zip", "slides.pptx", "notes", ".hidden.txt", ".draft.md"])
def test_walk_ignores_unsupported_and_dot_files(tmp_path, name):
    write(tmp_path, name, "نص")
    write(tmp_path, "kept.txt", "نص")
    assert doc_ids(tmp_path) == ["kept.txt"]


@pytest.mark.parametrize("folder", [".git", ".cache", ".venv"])
def test_walk_ignores_files_inside_dot_folders(tmp_path, folder):
    write(tmp_path, f"{folder}/readme.txt", "text")
    write(tmp_path, "kept.txt", "نص")
    assert doc_ids(tmp_path) == ["kept.txt"]


def test_doc_id_is_relative_with_slashes_and_keeps_arabic_names(tmp_path):
    write(tmp_path, "أخبار/٢٠٢٤/تقرير الانتخابات.txt", "نص")
    found = list(walk_folder(tmp_path))
    assert [f.doc_id for f in found] == ["أخبار/٢٠٢٤/تقرير الانتخابات.txt"]
    assert found[0].path.read_text(encoding="utf-8") == "نص"


def test_symlink_to_a_file_outside_the_root_is_reported_and_skipped(tmp_path):
    root, outside = tmp_path / "docs", tmp_path / "outside"
    secret = write(outside, "secret.txt", "سر")
    write(root, "kept.txt", "نص")
    (root / "link.txt").symlink_to(secret)
    errors = []
    assert doc_ids(root, errors) == ["kept.txt"]
    assert [doc_id for doc_id, _ in errors] == ["link.txt"]


def test_symlink_to_a_file_inside_the_root_is_taken(tmp_path):
    target = write(tmp_path, "sub/real.txt", "نص")
    (tmp_path / "alias.txt").symlink_to(target)
    assert doc_ids(tmp_path) == ["alias.txt", "sub/real.txt"]


def test_symlinked_folder_loop_does_not_hang(tmp_path):
    write(tmp_path, "a/doc.txt", "نص")
    (tmp_path / "a" / "back").symlink_to(tmp_path, target_is_directory=True)
    found = []
    walker = threading.Thread(target=lambda: found.extend(doc_ids(tmp_path)), daemon=True)
    walker.start()
    walker.join(timeout=10)
    assert not walker.is_alive()
    assert found == ["a/doc.txt"]


# --- language ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (ARABIC_PARAGRAPH, "ar"),
        (ENGLISH_PARAGRAPH, "en"),
        ("قالت البعثة إن الانتخابات جرت بهدوء وفق تقرير OSCE الأولي", "ar"),
        ("The OSCE mission said the vote, called الانتخابات in Arabic, was calm and orderly", "en"),
        ("ﺍﻟﺴﻼﻡ ﻋﻠﻴﻜﻢ ﻭﺭﺣﻤﺔ ﺍﻟﻠﻪ", "ar"),
    ],
    ids=["arabic", "english", "arabic-with-acronym", "english-with-arabic-word", "presentation-forms"],
)
def test_language_is_the_majority_script(text, lang):
    assert detect_language(text) == lang


def test_importing_the_ingest_code_loads_neither_flask_nor_the_search_app_light():
    """The package stays light (issue 18): search/__init__.py loads the app
    only when create_app is called."""
    import subprocess
    import sys
    from pathlib import Path

    loaded = "sorted(m for m in ('flask', 'search.app', 'search.engine') if m in sys.modules)"
    code = f"import sys, search.ingest; print({loaded})"
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"

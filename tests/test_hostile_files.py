"""A hostile-file corpus, generated here: FIFOs, devices, sockets, link
loops, links that leave the folder or are retargeted while a run reads,
names that are not UTF-8, markup nested 100,000 deep, pathological Markdown,
zip bombs, and files that stop being readable once indexed. Each sits
beside good files: the run indexes every good file, reports the bad one by
id with its reason, and never follows anything out of the folder."""

import functools
import glob
import io
import os
import socket
import stat
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

import search.index
from search.index import open_index, update_index
from search.ingest import Extracted, IngestError, escape_name, read_source_bytes, walk_folder
from search.ingest.binary_formats import MAX_ZIP_EXPANDED_BYTES
from search.ingest.html import BLOCK_TAGS, INVISIBLE_TAGS, _clean, html_to_text
from search.ingest.markdown_text import flatten_nesting, markdown_to_text
from search.ingest.parse_worker import ParseWorker

MAX_BYTES = 20 * 1024 * 1024
SECRET = "OUTSIDE-THE-FOLDER-SECRET"
GOOD = {
    "good/harbour.txt": "The harbour bridge reopened after the spring floods damaged its supports.\n",
    "good/rain.md": "# Rain report\n\nThe rainfall this winter was the highest in ten years.\n",
    "good/library.html": "<html><head><title>Library</title></head><body><h1>City library</h1>"
    "<p>The library opened a new reading room.</p></body></html>",
}
NON_UTF8_NAME = b"caf\xe9.txt"
NON_UTF8_ID = "caf%E9.txt"
RLO_ID = "report-\u202etxt.exe.txt"
DEEP = {  # pathological but legitimate: indexed, with the words at the bottom kept
    "deep/divs.html": "<div>" * 100_000 + "bottomword" + "</div>" * 100_000,
    "deep/unclosed.html": "<p>startword</p>" + "<a " * 100_000,
    "deep/brackets.md": "[" * 30_000 + " bracketword\n",
    "deep/emphasis.md": "*a" * 20_000 + " emphasisword\n",
    "deep/quotes.md": "> " * 20_000 + "quoteword\n",
    "deep/list.md": "".join("  " * level + f"- item{level}\n" for level in range(1_200)),
}


@functools.cache
def zip_bomb(expanded=MAX_ZIP_EXPANDED_BYTES + 2**25):
    """A DOCX-named archive whose one entry inflates ``expanded`` zeros, by
    default past the limit on what an archive may expand to (made once:
    compressing them takes a second)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("word/document.xml", "w", force_zip64=True) as entry:
            block = b"\0" * 2**24
            for _ in range(expanded // len(block)):
                entry.write(block)
    return buffer.getvalue()


def make_device(path):
    """A character device like /dev/zero (size 0, endless bytes); a link to
    /dev/zero where mknod is not allowed."""
    try:
        os.mknod(path, 0o644 | stat.S_IFCHR, os.makedev(1, 5))
        return "not a regular file"
    except (PermissionError, OSError):
        os.symlink("/dev/zero", path)
        return "outside"


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """Index a folder of good and hostile files once: (summary, ids indexed, expected reasons)."""
    root = tmp_path_factory.mktemp("hostile")
    docs, outside = root / "docs", root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET, "utf-8")
    for doc_id, text in {**GOOD, **DEEP}.items():
        (docs / doc_id).parent.mkdir(parents=True, exist_ok=True)
        (docs / doc_id).write_text(text, "utf-8")
    fd = os.open(os.fsencode(docs) + b"/" + NON_UTF8_NAME, os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, "Un café au bord du port, written under a Latin-1 name.\n".encode())
    os.close(fd)
    (docs / RLO_ID).write_text("A name with a right-to-left override in it.\n", "utf-8")
    os.mkfifo(docs / "x.txt")
    expected = {"x.txt": "not a regular file (a FIFO)", "zero.txt": make_device(docs / "zero.txt")}
    unix_socket = socket.socket(socket.AF_UNIX)
    unix_socket.bind(str(docs / "sock.txt"))
    expected["sock.txt"] = "not a regular file"
    os.symlink("s.txt", docs / "s.txt")
    expected["s.txt"] = "symbolic links"
    os.symlink(outside / "secret.txt", docs / "leak.txt")
    expected["leak.txt"] = "outside"
    (docs / "bomb.docx").write_bytes(zip_bomb())
    expected["bomb.docx"] = "zip bomb"
    try:
        summary = update_index(docs, root / "index", max_bytes=MAX_BYTES, procs=1)
    finally:
        unix_socket.close()
    ix = open_index(root / "index")
    try:
        with ix.searcher() as searcher:
            indexed = {fields["id"]: fields for fields in searcher.all_stored_fields()}
    finally:
        ix.close()
    return summary, indexed, expected, root


@pytest.mark.parametrize("doc_id", ["x.txt", "zero.txt", "sock.txt", "s.txt", "leak.txt", "bomb.docx"])
def test_hostile_file_is_reported_by_id_with_its_reason_and_not_indexed(hostile_run, doc_id):
    summary, indexed, expected, _ = hostile_run
    failed = dict(summary.failed)
    assert doc_id in failed, failed
    assert expected[doc_id].lower() in failed[doc_id].lower(), failed[doc_id]
    assert doc_id not in indexed


def test_every_good_and_every_deep_file_beside_the_hostile_ones_is_indexed(hostile_run):
    summary, indexed, expected, _ = hostile_run
    assert sorted(indexed) == sorted([*GOOD, *DEEP, NON_UTF8_ID, RLO_ID])
    assert sorted(doc_id for doc_id, _ in summary.failed) == sorted(expected)
    assert summary.added == summary.documents == len(indexed)


def test_nothing_outside_the_folder_is_indexed(hostile_run):
    _, indexed, _, _ = hostile_run
    assert not [doc_id for doc_id, fields in indexed.items() if SECRET in fields["body"]]


@pytest.mark.parametrize(
    ("doc_id", "word"),
    [
        ("deep/divs.html", "bottomword"),
        ("deep/unclosed.html", "startword"),
        ("deep/brackets.md", "bracketword"),
        ("deep/emphasis.md", "emphasisword"),
        ("deep/quotes.md", "quoteword"),
        ("deep/list.md", "item1199"),
    ],
)
def test_deeply_nested_markup_is_indexed_with_its_deepest_text(hostile_run, doc_id, word):
    _, indexed, _, _ = hostile_run
    assert word in indexed[doc_id]["body"].split()


def test_every_item_of_a_list_nested_1200_levels_is_kept():
    _, body = markdown_to_text(DEEP["deep/list.md"])
    assert body.split() == [f"item{level}" for level in range(1_200)]


def test_name_that_is_not_utf8_is_indexed_under_a_stable_escaped_id(hostile_run):
    _, indexed, _, root = hostile_run
    assert "café" in indexed[NON_UTF8_ID]["body"]
    assert [source.doc_id for source in walk_folder(root / "docs") if "caf" in source.doc_id] == [NON_UTF8_ID]
    assert escape_name(os.fsdecode(NON_UTF8_NAME)) == NON_UTF8_ID


def test_bidi_control_in_a_name_is_kept_in_the_id(hostile_run):
    _, indexed, _, _ = hostile_run
    assert "right-to-left override" in indexed[RLO_ID]["body"]


def test_document_view_finds_the_file_with_a_non_utf8_name(hostile_run, make_app):
    _, _, _, root = hostile_run
    client = make_app(root / "docs", root / "index").test_client()
    response = client.get("/doc/" + quote(NON_UTF8_ID))
    assert response.status_code == 200
    assert "Un café au bord du port" in response.get_data(as_text=True)
    found = client.get("/search", query_string={"q": "café"}).get_json()
    assert NON_UTF8_ID in [hit["id"] for hit in found["results"]]


def test_escaped_name_that_collides_with_a_literal_name_is_reported(tmp_path):
    (tmp_path / "caf%E9.txt").write_text("literal percent", "utf-8")
    fd = os.open(os.fsencode(tmp_path) + b"/" + NON_UTF8_NAME, os.O_WRONLY | os.O_CREAT, 0o644)
    os.close(fd)
    errors = []
    assert [source.doc_id for source in walk_folder(tmp_path, errors)] == [NON_UTF8_ID]
    assert [doc_id for doc_id, _ in errors] == [NON_UTF8_ID]
    assert "another file" in errors[0][1]


def test_the_first_of_two_colliding_names_stays_in_the_index_run_after_run(tmp_path):
    """The second file's refusal names the first one's id: it must not take
    the first one out of the index (it did, every other run)."""
    docs, index = tmp_path / "docs", tmp_path / "index"
    docs.mkdir()
    (docs / "caf%E9.txt").write_text("apples in the literal percent file", "utf-8")
    fd = os.open(os.fsencode(docs) + b"/" + NON_UTF8_NAME, os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, b"pears in the undecodable name")
    os.close(fd)
    for run in range(3):
        summary = update_index(docs, index)
        assert summary.removed == 0 and summary.documents == 1, (run, summary.line())
        assert [doc_id for doc_id, _ in summary.failed] == [NON_UTF8_ID]


# --- reading: decided on the opened file ------------------------------------------------


@pytest.fixture
def folders(tmp_path):
    docs, outside = tmp_path / "docs", tmp_path / "outside"
    (docs / "sub").mkdir(parents=True)
    outside.mkdir()
    (docs / "inside.txt").write_text("inside text", "utf-8")
    (docs / "sub" / "a.txt").write_text("sub text", "utf-8")
    (outside / "inside.txt").write_text(SECRET, "utf-8")
    (outside / "a.txt").write_text(SECRET, "utf-8")
    return docs, outside


def test_link_retargeted_outside_between_walk_and_read_is_refused(folders):
    docs, outside = folders
    (docs / "link.txt").symlink_to(docs / "inside.txt")
    source = {s.doc_id: s for s in walk_folder(docs)}["link.txt"]
    assert read_source_bytes(source)[0] == b"inside text"
    (docs / "link.txt").unlink()
    (docs / "link.txt").symlink_to(outside / "inside.txt")
    with pytest.raises(IngestError, match="outside"):
        read_source_bytes(source)


def test_folder_swapped_for_a_link_between_walk_and_read_is_not_followed(folders):
    docs, outside = folders
    source = {s.doc_id: s for s in walk_folder(docs)}["sub/a.txt"]
    (docs / "sub").rename(docs.parent / "moved")
    (docs / "sub").symlink_to(outside, target_is_directory=True)
    with pytest.raises(IngestError):
        read_source_bytes(source)


def test_file_swapped_for_a_link_or_a_fifo_between_walk_and_read_is_refused(folders):
    docs, outside = folders
    source = {s.doc_id: s for s in walk_folder(docs)}["inside.txt"]
    (docs / "inside.txt").unlink()
    (docs / "inside.txt").symlink_to(outside / "inside.txt")
    with pytest.raises(IngestError, match="outside"):
        read_source_bytes(source)
    (docs / "inside.txt").unlink()
    os.mkfifo(docs / "inside.txt")
    with pytest.raises(IngestError, match="FIFO"):  # and it does not wait for a writer
        read_source_bytes(source)


def test_file_that_grows_past_the_limit_after_the_walk_is_read_no_further(folders):
    docs, _ = folders
    source = {s.doc_id: s for s in walk_folder(docs)}["inside.txt"]
    with open(docs / "inside.txt", "ab") as handle:
        handle.write(b"x" * 5000)
    with pytest.raises(IngestError, match="larger than the 1,000-byte limit"):
        read_source_bytes(source, max_bytes=1000)
    assert len(read_source_bytes(source, max_bytes=10_000)[0]) == len("inside text") + 5000


# --- the parse worker's bounds --------------------------------------------------------------


def test_parse_over_its_time_is_reported_and_the_next_file_parses_in_a_new_worker():
    with ParseWorker(seconds=0.0) as worker:
        with pytest.raises(IngestError, match="longer than 0 s"):
            worker.extract(".txt", b"a plain file")
        worker.seconds = 30.0
        assert worker.extract(".txt", b"a plain file") == Extracted("", "a plain file", "utf-8")


def test_parser_that_dies_of_its_memory_limit_is_reported():
    with ParseWorker(memory_bytes=32 * 2**20) as worker:  # less than Python itself holds: nothing more fits
        with pytest.raises(IngestError, match="died|memory"):
            worker.extract(".html", b"<p>text</p>" * 1_000_000)
        worker.memory_bytes = 1024 * 2**20
        extracted = worker.extract(".html", b"<p>text</p>")
        assert (extracted.title, extracted.text, extracted.encoding) == ("", "text", "utf-8")


def test_zip_bomb_is_refused_before_it_is_inflated():
    with ParseWorker() as worker:
        with pytest.raises(IngestError, match="zip bomb"):
            worker.extract(".docx", zip_bomb())


def test_a_text_longer_than_the_limit_once_extracted_is_refused():
    """The size limit is on the file's bytes; a compressed format can hold
    far more text, which would then be analysed and stored whole."""
    from search.ingest.parse_worker import MAX_TEXT_CHARS

    with ParseWorker() as worker:
        with pytest.raises(IngestError, match="longer than"):
            worker.extract(".txt", b"rivers " * (MAX_TEXT_CHARS // 7 + 1))
        assert worker.extract(".txt", b"rivers " * 1000).text.startswith("rivers")


def test_any_exception_while_reading_one_file_is_reported_and_the_run_goes_on(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (docs / name).write_text(f"the text of {name}", "utf-8")
    original = search.index.document_fields

    def fields_or_crash(document, schema):
        if document.doc_id == "b.txt":
            raise RecursionError("maximum recursion depth exceeded")
        return original(document, schema)

    monkeypatch.setattr(search.index, "document_fields", fields_or_crash)
    summary = update_index(docs, tmp_path / "index", procs=1)
    assert summary.added == 2
    assert summary.failed == [("b.txt", "RecursionError: maximum recursion depth exceeded")]


# --- a file that can no longer be read leaves the index -----------------------------------


def _break_by_emptying(path, outside):
    path.write_bytes(b"")
    return "empty"


def _break_with_binary(path, outside):
    path.write_bytes(bytes(range(256)) * 8)
    return "binary"


def _break_into_a_link_out(path, outside):
    path.unlink()
    path.symlink_to(outside / "inside.txt")
    return "outside"


def _break_into_a_fifo(path, outside):
    path.unlink()
    os.mkfifo(path)
    return "FIFO"


def _break_into_a_link_loop(path, outside):
    path.unlink()
    path.symlink_to(path.name)
    return "symbolic links"


BREAKERS = [_break_by_emptying, _break_with_binary, _break_into_a_link_out, _break_into_a_fifo, _break_into_a_link_loop]


@pytest.mark.parametrize("procs", [1, 2])
def test_file_that_can_no_longer_be_read_leaves_the_index_and_is_reported(folders, tmp_path, monkeypatch, procs):
    docs, outside = folders
    victims = [f"victim{number}.txt" for number in range(len(BREAKERS))]
    for doc_id in victims:
        (docs / doc_id).write_text(f"stale words of {doc_id}", "utf-8")
    index = tmp_path / "index"
    assert update_index(docs, index, procs=procs).added == len(victims) + 2
    reasons = {doc_id: breaker(docs / doc_id, outside) for doc_id, breaker in zip(victims, BREAKERS, strict=True)}
    monkeypatch.setattr(search.index, "PARALLEL_MIN_FILES", 1)  # the worker processes' path too
    summary = update_index(docs, index, procs=procs)
    failed = dict(summary.failed)
    for doc_id, word in reasons.items():
        assert word.lower() in failed.get(doc_id, "").lower(), (doc_id, failed)
    assert summary.removed == len(victims)
    ix = open_index(index)
    try:
        with ix.searcher() as searcher:
            assert sorted(fields["id"] for fields in searcher.all_stored_fields()) == ["inside.txt", "sub/a.txt"]
    finally:
        ix.close()


def test_indexed_file_that_vanishes_between_walk_and_read_leaves_the_index(folders, tmp_path, monkeypatch):
    docs, _ = folders
    index = tmp_path / "index"
    update_index(docs, index, procs=1)
    (docs / "inside.txt").write_text("changed, then gone", "utf-8")

    def vanishing_walk(root, errors=None):
        for source in walk_folder(root, errors):
            if source.doc_id == "inside.txt":
                source.path.unlink()
            yield source

    monkeypatch.setattr(search.index, "walk_folder", vanishing_walk)
    summary = update_index(docs, index, procs=1)
    assert "No such file" in dict(summary.failed)["inside.txt"]
    assert summary.removed == 1 and summary.documents == 1


# --- the linear HTML extractor gives BeautifulSoup's text --------------------------------


def beautifulsoup_text(markup):
    """The extractor this one replaced (quadratic in nesting), as the reference."""
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


PROJECT = Path(__file__).resolve().parent.parent
PAGES = [Path(path).read_text("utf-8") for path in sorted(glob.glob(str(PROJECT / "corpus/**/*.htm*"), recursive=True))]
FRAGMENTS = [
    "<p>a<br>b<hr>c</p>",
    "<div><p>x<div>y</p>z</div>",
    "<h1>T <b>x</b></h1><title>tt</title>",
    "<html><head><title>Ti</title></head><body><h2>A</h2><script>x<p>y</script>b &amp; c</body>",
    "<ul><li>a<li>b</ul>after",
    "<div/>x<br/>y",
    "a</div>b</span>c",
    "<svg><title>s</title></svg><h1>H</h1><noscript>n</noscript>",
    "<table><tr><td>1<td>2<tr><td>3</table><pre>  keep\n  lines</pre>",
    "<article><header>h</header><section><p>s&nbsp;t &#1587;&#1604;&#1575;&#1605;</p></section></article>",
]


@pytest.mark.parametrize("markup", PAGES + FRAGMENTS)
def test_html_text_is_beautifulsoups_text(markup):
    assert html_to_text(markup) == beautifulsoup_text(markup)


def test_corpus_has_html_pages_to_compare():
    assert len(PAGES) >= 2


def test_tag_left_open_at_the_end_of_the_page_is_dropped():
    assert html_to_text("<p>kept</p>" + "<a " * 3) == ("", "kept")
    assert html_to_text("<p>kept</p><!-- never closed <p>hidden</p>") == ("", "kept")


def test_flattening_keeps_shallow_markdown_as_it_is():
    text = "> quote\n\n- a\n  - b\n    - c\n\n1. one\n2. two\n"
    assert flatten_nesting(text) == text
    assert flatten_nesting("  " * 40 + "- deep") == "- deep"

"""What search/whoosh_internals.py changes in Whoosh 2.7.4's reading."""

import io

from hypothesis import given
from hypothesis import strategies as st
from whoosh.filedb.structfile import BufferFile

import search.whoosh_internals  # noqa: F401  (applies the fix)
from search.index import open_index, update_index
from tests.indexes import found_ids

operations = st.lists(
    st.one_of(
        st.tuples(st.just("read"), st.integers(-1, 40)),
        st.tuples(st.just("readline"), st.integers(-1, 40)),
        st.tuples(st.just("seek"), st.integers(0, 80), st.integers(0, 2)),
        st.tuples(st.just("tell")),
    ),
    max_size=30,
)


@given(st.binary(max_size=60), operations)
def test_a_buffer_file_reads_like_a_bytesio_over_the_same_bytes(data, steps):
    ours, reference = BufferFile(memoryview(data)), io.BytesIO(data)
    for step in steps:
        name, *args = step
        if name == "seek":
            offset, whence = args
            offset = offset if whence == 0 else offset - 40
            if (0, reference.tell(), len(data))[whence] + offset < 0:
                continue
            args = (offset, whence)
        assert getattr(ours, name)(*args) == getattr(reference, name)(*args)


def test_a_buffer_file_does_not_copy_its_buffer():
    source = bytearray(b"postings" * 1000)
    f = BufferFile(memoryview(source))
    source[0:8] = b"POSTINGS"  # a copy would not see this
    assert f.read(8) == b"POSTINGS"
    assert not isinstance(f.file, io.BytesIO)


def test_a_segment_is_read_in_place_from_its_memory_map(tmp_path, docs_dir):
    update_index(docs_dir, tmp_path / "index")
    ix = open_index(tmp_path / "index")
    try:
        with ix.searcher() as searcher:
            postings = [reader._terms._postfile for reader, _ in searcher.reader().leaf_readers()]
            assert postings and all(type(f) is BufferFile for f in postings)  # parts of the mapped .seg file
            assert not any(isinstance(f.file, io.BytesIO) for f in postings)
    finally:
        ix.close()
    assert "ar/politics/2024/parliament-elections.txt" in found_ids(tmp_path / "index", "الانتخابات")


def test_an_excluded_word_that_occurs_first_still_excludes(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("first\nrain and drought in the valley\n", "utf-8")
    (docs / "b.txt").write_text("second\ndrought in the hills\n", "utf-8")
    update_index(docs, tmp_path / "index")
    assert found_ids(tmp_path / "index", "drought -rain") == {"b.txt"}

"""update_index: incremental runs, failures, rebuild, the run record and the lock.

Every test works on its own copy of the documents and its own index."""

import os
from pathlib import Path

import pytest

from search.index import LAST_RUN_FILE, IndexBusy, open_index, read_last_run, update_index

from .indexes import found_ids, indexed_id_list


def indexed_ids(index_dir):
    return set(indexed_id_list(index_dir))


EN_MARATHON = "en/sports/city-marathon.txt"
EN_SANITISER = "en/tech/snippet-sanitiser.txt"
AR_RAINS = "ar/environment/late-rains.txt"


@pytest.fixture
def index_path(tmp_path):
    return tmp_path / "index"


@pytest.fixture
def built(docs_copy, index_path):
    """``docs_copy`` indexed once; returns the first run's summary."""
    return update_index(docs_copy, index_path)


def generation(index_dir):
    ix = open_index(index_dir)
    try:
        return ix.latest_generation()
    finally:
        ix.close()


def counts(summary):
    return summary.added, summary.updated, summary.removed, summary.unchanged, len(summary.failed)


def test_first_run_adds_every_document(built, index_path, documents):
    assert counts(built) == (len(documents), 0, 0, 0, 0)
    assert built.documents == len(documents)
    assert indexed_ids(index_path) == set(documents)


def test_second_run_finds_everything_unchanged_and_commits_nothing(built, docs_copy, index_path, documents):
    before = generation(index_path)
    summary = update_index(docs_copy, index_path)
    assert counts(summary) == (0, 0, 0, len(documents), 0)
    assert summary.documents == len(documents)
    assert generation(index_path) == before


def test_touched_file_with_the_same_content_stays_unchanged(built, docs_copy, index_path, documents):
    path = docs_copy / EN_MARATHON
    later = path.stat().st_mtime + 3600
    os.utime(path, (later, later))
    before = generation(index_path)
    summary = update_index(docs_copy, index_path)
    assert counts(summary) == (0, 0, 0, len(documents), 0)
    assert generation(index_path) == before


def test_modified_file_is_reindexed_with_its_new_text(built, docs_copy, index_path, documents):
    assert found_ids(index_path, "marathon") == {EN_MARATHON}
    path = docs_copy / EN_MARATHON
    path.write_text(
        "Hundreds swim in the harbour triathlon\n"
        "Hundreds of athletes swam, cycled and ran in the harbour triathlon on Saturday morning.\n",
        "utf-8",
    )
    later = path.stat().st_mtime + 60
    os.utime(path, (later, later))
    summary = update_index(docs_copy, index_path)
    assert counts(summary) == (0, 1, 0, len(documents) - 1, 0)
    assert found_ids(index_path, "triathlon") == {EN_MARATHON}
    assert found_ids(index_path, "marathon") == set()
    assert indexed_ids(index_path) == set(documents)


def test_deleted_file_is_removed_from_the_index(built, docs_copy, index_path, documents):
    (docs_copy / EN_SANITISER).unlink()
    summary = update_index(docs_copy, index_path)
    assert counts(summary) == (0, 0, 1, len(documents) - 1, 0)
    assert summary.documents == len(documents) - 1
    assert indexed_ids(index_path) == set(documents) - {EN_SANITISER}
    assert found_ids(index_path, "sanitiser") == set()


def test_new_file_is_added(built, docs_copy, index_path, documents):
    new_file = docs_copy / "ar" / "environment" / "sandstorm.txt"
    new_file.write_text(
        "عاصفة رملية تغلق الطرق الصحراوية\nأغلقت السلطات الطرق الصحراوية بعد عاصفة رملية قوية حجبت الرؤية.\n",
        "utf-8",
    )
    summary = update_index(docs_copy, index_path)
    assert counts(summary) == (1, 0, 0, len(documents), 0)
    assert found_ids(index_path, "عاصفة") == {"ar/environment/sandstorm.txt"}


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("broken/photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 40, "binary"),
        # Binary whose bytes are all below 0x80, so it is also valid UTF-8.
        ("broken/archive.txt", b"\x00\x01\x02\x03PK\x03\x04\x14\x00\x08\x00" * 64, "binary"),
        ("broken/empty.txt", b"", "empty"),
        ("broken/blank.md", b"  \n\n\t\n", "empty"),
    ],
)
def test_unreadable_file_is_reported_and_the_rest_indexed(docs_copy, index_path, documents, name, content, reason):
    broken = docs_copy / name
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_bytes(content)
    summary = update_index(docs_copy, index_path)
    assert [doc_id for doc_id, _ in summary.failed] == [name]
    assert reason in summary.failed[0][1]
    assert summary.added == len(documents)
    assert indexed_ids(index_path) == set(documents)


def test_every_unreadable_file_is_reported(docs_copy, index_path, documents):
    (docs_copy / "en" / "empty.txt").write_bytes(b"")
    (docs_copy / "ar" / "binary.html").write_bytes(bytes(range(256)) * 8)
    summary = update_index(docs_copy, index_path)
    assert sorted(doc_id for doc_id, _ in summary.failed) == ["ar/binary.html", "en/empty.txt"]
    assert all(reason.strip() for _, reason in summary.failed)
    assert summary.added == len(documents)


def test_rebuild_gives_the_same_documents(built, docs_copy, index_path, documents):
    before = indexed_ids(index_path)
    summary = update_index(docs_copy, index_path, rebuild=True)
    assert (summary.added, summary.removed, len(summary.failed)) == (len(documents), len(documents), 0)
    assert summary.documents == len(documents)
    assert indexed_ids(index_path) == before
    assert found_ids(index_path, "مسئول") == {AR_RAINS}


def test_run_is_recorded_in_last_run_json(docs_copy, index_path, documents):
    (docs_copy / "en" / "empty.txt").write_bytes(b"")
    summary = update_index(docs_copy, index_path)
    assert (index_path / LAST_RUN_FILE).is_file()
    record = read_last_run(index_path)
    assert record["finished_at"]
    assert (record["added"], record["updated"], record["removed"], record["unchanged"]) == (len(documents), 0, 0, 0)
    assert record["documents"] == summary.documents == len(documents)
    assert record["failed"] == [{"id": "en/empty.txt", "reason": summary.failed[0][1]}]


def test_second_writer_while_the_lock_is_held_raises_index_busy(built, docs_copy, index_path, documents):
    ix = open_index(index_path)
    writer = ix.writer()
    try:
        with pytest.raises(IndexBusy):
            update_index(docs_copy, index_path, lock_wait=0)
    finally:
        writer.cancel()
        ix.close()
    assert counts(update_index(docs_copy, index_path, lock_wait=0)) == (0, 0, 0, len(documents), 0)


def test_missing_docs_folder_is_an_error(tmp_path, index_path):
    with pytest.raises(FileNotFoundError):
        update_index(tmp_path / "no-such-folder", index_path)
    assert not index_path.exists()


def test_an_index_built_by_an_older_analysis_is_rebuilt_not_mixed(docs_copy, tmp_path, monkeypatch):
    from search import schema as schema_module

    index_path = tmp_path / "index"
    first = update_index(docs_copy, index_path)
    assert first.rebuilt and first.added
    unchanged = update_index(docs_copy, index_path)
    assert not unchanged.rebuilt and unchanged.added == 0
    monkeypatch.setattr(schema_module, "ANALYSIS_VERSION", schema_module.ANALYSIS_VERSION + 1)
    again = update_index(docs_copy, index_path)
    assert again.rebuilt and again.added == first.added


def test_an_empty_folder_makes_an_empty_index_that_answers(tmp_path):
    from search.engine import search
    from search.query import SearchRequest

    (tmp_path / "docs").mkdir()
    summary = update_index(tmp_path / "docs", tmp_path / "index")
    assert summary.documents == 0
    ix = open_index(tmp_path / "index")
    try:
        with ix.searcher() as searcher:
            assert search(searcher, SearchRequest("انتخابات")).total == 0
    finally:
        ix.close()


def test_a_run_with_nothing_to_do_repairs_names_tables_a_killed_run_left_behind(tmp_path, monkeypatch):
    from search import index as index_module
    from search.names import tables as names_tables

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Macron\nPresident Macron spoke.\n", "utf-8")
    update_index(docs, tmp_path / "index")
    (docs / "c.txt").write_text("خبر\nتحدث ماكرون أمس.\n", "utf-8")
    with monkeypatch.context() as patched:  # the run dies after its commit, before its tables
        patched.setattr(index_module, "write_name_keys", lambda *args, **kwargs: None)
        update_index(docs, tmp_path / "index")
    ix = open_index(tmp_path / "index")
    try:
        assert not names_tables.stored_tables_current(ix)
        assert update_index(docs, tmp_path / "index").line().startswith("0 added")
        assert names_tables.stored_tables_current(ix)
    finally:
        ix.close()


def test_posting_files_of_pruned_generations_are_let_go(tmp_path, docs_dir):
    import gc

    from search.postings import reader

    update_index(docs_dir, tmp_path / "index")
    for _ in range(3):
        ix = open_index(tmp_path / "index")
        with ix.searcher() as searcher:
            assert searcher.store.doc_count_all
        ix.close()
        update_index(docs_dir, tmp_path / "index", rebuild=True)
    gc.collect()
    assert all(Path(path).exists() for path in list(reader._files.keys())), "a deleted posting file is still mapped"

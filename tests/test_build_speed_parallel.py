"""An index built by worker processes is the index a serial run builds: the
same documents in the same order, the same stored fields, postings and field
lengths, the same answers (build speed, issue 9)."""

import multiprocessing
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from search import engine, whoosh_internals
from search import index as index_module
from search.index import open_index, update_index
from search.query import SearchRequest
from tests.conftest import write_documents

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "الانتخابات",
    "انتخابات كازاخستان",
    '"قوات حفظ السلام"',
    "elections OR parliament",
    "observers -OSCE",
    "وزير",
    "drought rains",
    "title:الانتخابات",
    "مسؤول",
    "الأمطار",
]
FIELDS = ["title", "body", "title_exact", "body_exact"]


@pytest.fixture
def library(tmp_path):
    """The bundled corpus, the test documents and two files that cannot be read."""
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "corpus", docs)
    write_documents(docs / "extra")
    (docs / "bad").mkdir()
    (docs / "bad" / "empty.txt").write_bytes(b"   \n")
    (docs / "bad" / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    return docs


@pytest.fixture
def parallel_always(monkeypatch):
    monkeypatch.setattr(index_module, "PARALLEL_MIN_FILES", 1)


def snapshot(index_dir):
    """Everything a search can see of an index, by document id."""
    ix = open_index(index_dir)
    try:
        with ix.searcher() as searcher:
            reader, store = searcher.reader(), searcher.store
            ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
            stored = [fields for _, fields in sorted(reader.iter_docs())]
            lengths = {(ids[docnum], name): store.lengths[name][docnum] for docnum in ids for name in FIELDS}
            postings = {}
            for name in [*FIELDS, "names"]:
                for term in store.lexicon(name):
                    found = store.term(name, term)
                    rows, positions = found.positions(found.docs)
                    by_doc = [positions[rows == row].tolist() for row in range(len(found.docs))]
                    live = zip(found.docs.tolist(), found.tfs.tolist(), by_doc, strict=True)
                    postings[name, term] = [(ids[docnum], tf, at) for docnum, tf, at in live if docnum in ids]
            for name in ["id", "lang"]:
                for term in reader.lexicon(name):
                    matcher = reader.postings(name, term)
                    postings[name, term] = [(ids[docnum], weight, value) for docnum, weight, value in _items(matcher)]
            spans = {ids[docnum]: [a.tolist() for a in store.word_spans(docnum)] for docnum in ids}
            answers = {}
            for text in QUERIES:
                response = engine.search(searcher, SearchRequest(text, per_page=50))
                answers[text] = [(hit.doc_id, hit.score, hit.snippet) for hit in response.hits]
            return {
                "count": reader.doc_count(),
                "stored": stored,
                "lengths": lengths,
                "postings": postings,
                "spans": spans,
                "answers": answers,
                "field_lengths": {name: store.average_lengths[name] for name in FIELDS},
            }
    finally:
        ix.close()


def _items(matcher):
    while matcher.is_active():
        yield matcher.id(), matcher.weight(), matcher.value()
        matcher.next()


def without_mtime(stored):
    return [sorted((key, value) for key, value in fields.items() if key != "mtime") for fields in stored]


def summary_counts(summary):
    return (summary.added, summary.updated, summary.removed, summary.unchanged, summary.failed, summary.documents)


@pytest.mark.parametrize("procs", [2, 3])
def test_parallel_build_is_the_serial_build(library, tmp_path, parallel_always, procs):
    serial = update_index(library, tmp_path / "serial", procs=1)
    parallel = update_index(library, tmp_path / "parallel", procs=procs)
    assert summary_counts(parallel) == summary_counts(serial)
    assert {doc_id for doc_id, _ in serial.failed} == {"bad/empty.txt", "bad/broken.pdf"}
    ix = open_index(tmp_path / "parallel")
    try:
        assert len(ix._segments()) == procs  # really written by the workers
    finally:
        ix.close()
    expected = snapshot(tmp_path / "serial")
    assert expected["count"] > 60 and all(expected["answers"].values())
    assert snapshot(tmp_path / "parallel") == expected


def change_library(docs):
    """Edit two files, delete one, add several."""
    files = sorted(path for path in docs.rglob("*.txt") if "bad" not in path.parts)
    files[0].write_text(files[0].read_text("utf-8") + "\nفقرة جديدة عن الانتخابات والمراقبين.\n", "utf-8")
    files[1].write_text("Updated headline\nA rewritten story about elections and observers.\n", "utf-8")
    files[2].unlink()
    for i in range(5):
        (docs / "new").mkdir(exist_ok=True)
        (docs / "new" / f"story-{i}.txt").write_text(f"خبر جديد {i}\nوزير الخارجية يزور كازاخستان.\n", "utf-8")


def test_parallel_incremental_update_is_the_serial_one(library, tmp_path, parallel_always):
    for name, procs in (("serial", 1), ("parallel", 2)):
        docs = shutil.copytree(library, tmp_path / f"docs-{name}", symlinks=True)
        update_index(docs, tmp_path / name, procs=procs)
    results = {}
    for name, procs in (("serial", 1), ("parallel", 2)):
        docs = tmp_path / f"docs-{name}"
        change_library(docs)
        results[name] = update_index(docs, tmp_path / name, procs=procs)
    assert summary_counts(results["parallel"]) == summary_counts(results["serial"])
    assert (results["serial"].added, results["serial"].updated, results["serial"].removed) == (5, 2, 1)
    serial, parallel = snapshot(tmp_path / "serial"), snapshot(tmp_path / "parallel")
    # An incremental commit may order documents differently; what is indexed is the same.
    for key in ("count", "lengths", "postings", "field_lengths"):
        assert parallel[key] == serial[key], key
    # (the two folders were edited a moment apart: their files' mtimes differ)
    assert sorted(without_mtime(parallel["stored"])) == sorted(without_mtime(serial["stored"]))
    for text, hits in serial["answers"].items():
        assert sorted(parallel["answers"][text]) == sorted(hits), text


def _kill_the_run_from_a_worker(docs, index_dir, ready):
    """The forked run: its second worker kills the run (not itself) at its
    first document, while the first worker is still indexing."""
    original = index_module.read_document
    run = os.getpid()

    def read_document(source, *args, **kwargs):
        if os.getpid() != run and source.doc_id.startswith("extra/"):
            os.kill(run, signal.SIGKILL)
            signal.pause()  # wait to be killed with the run
        return original(source, *args, **kwargs)

    index_module.read_document = read_document
    index_module.PARALLEL_MIN_FILES = 1
    ready.set()
    update_index(docs, index_dir, rebuild=True, procs=2, lock_wait=5)
    os._exit(0)


def test_a_killed_parallel_run_leaves_the_index_usable_and_no_worker_behind(library, tmp_path):
    index_dir = tmp_path / "index"
    before = update_index(library, index_dir, procs=1)
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    run = context.Process(target=_kill_the_run_from_a_worker, args=(library, index_dir, ready))
    run.start()
    try:
        assert ready.wait(30)
        run.join(60)
        assert run.exitcode == -signal.SIGKILL
    finally:
        if run.is_alive():
            run.kill()
    # The workers died with the run: the lock is free at once, the old index answers.
    assert snapshot(index_dir)["count"] == before.documents
    again = update_index(library, index_dir, rebuild=True, procs=1, lock_wait=5)
    assert again.documents == before.documents and again.rebuilt


def test_a_process_running_other_threads_indexes_without_forking(library, tmp_path, monkeypatch):
    import threading

    def no_fork(*args, **kwargs):
        raise AssertionError("forked worker processes while other threads ran")

    monkeypatch.setattr(index_module, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(index_module, "_read_in_parallel", no_fork)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # like watch mode's file observer
    other.start()
    try:
        summary = update_index(library, tmp_path / "index")
    finally:
        stop.set()
        other.join()
    assert summary.added > 0  # the library's bad files are reported as usual
    assert index_module.worker_count() >= 1


def test_touched_but_unchanged_files_are_not_sent_to_workers(library, tmp_path, parallel_always):
    """Files whose modification time changed but whose content did not need
    hashing, not reading: a run that finds nothing to read must not start
    workers (it used to cut the empty list into shares of size 0)."""
    shutil.rmtree(library / "bad")  # files that fail are read again by every run
    first = update_index(library, tmp_path / "index", procs=2)
    later = time.time() + 60
    for path in library.rglob("*"):
        if path.is_file():
            os.utime(path, (later, later))
    again = update_index(library, tmp_path / "index", procs=2)
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
    assert again.unchanged == first.added and again.documents == first.documents


@pytest.mark.parametrize("procs", [1, 2])
def test_a_run_that_fills_its_segments_indexes_what_one_segment_holds(library, tmp_path, monkeypatch, procs):
    """The indexer starts a new segment whenever one holds SEGMENT_BYTES of
    postings (its memory stays flat); the index answers as if it had one."""
    update_index(library, tmp_path / "whole", procs=1)
    monkeypatch.setattr(index_module, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(whoosh_internals, "SEGMENT_BYTES", 200_000)
    update_index(library, tmp_path / "split", procs=procs)
    ix = open_index(tmp_path / "split")
    try:
        assert len(ix._segments()) >= 4
    finally:
        ix.close()
    whole, split = snapshot(tmp_path / "whole"), snapshot(tmp_path / "split")
    for key in ("count", "lengths", "postings", "spans", "field_lengths", "answers"):
        assert split[key] == whole[key], key


def test_segments_merged_by_whoosh_keep_their_postings(library, tmp_path, monkeypatch):
    """Small commits make small segments; the merge policy folds them into
    one (Writer.add_reader), the posting files with them: deleted and
    replaced documents dropped, the rest renumbered. The index then answers
    as one built from scratch. (Merged at four segments here, not eight:
    the same merge, after fewer commits.)"""
    monkeypatch.setattr(whoosh_internals, "MERGE_AT_SEGMENTS", 4)
    docs = shutil.copytree(library, tmp_path / "library", symlinks=True)
    update_index(docs, tmp_path / "index", procs=1)
    merged = False
    for round_number in range(whoosh_internals.MERGE_AT_SEGMENTS + 3):
        (docs / f"late-{round_number}.txt").write_text(
            f"خبر متأخر {round_number}\nالانتخابات والجفاف في خبر أضيف لاحقا رقم {round_number}\n", "utf-8"
        )
        edited = docs / "extra" / "ar" / "politics" / "2024" / "parliament-elections.txt"
        if edited.exists():
            edited.write_text(edited.read_text("utf-8") + f"\nتحديث {round_number}\n", "utf-8")
        if round_number == 3:
            (docs / "late-0.txt").unlink()
        update_index(docs, tmp_path / "index", procs=1)
        ix = open_index(tmp_path / "index")
        try:
            counts = [segment.doc_count_all() for segment in ix._segments()]
        finally:
            ix.close()
        merged = merged or len(counts) < round_number + 2
    assert merged, "no commit merged segments"
    update_index(docs, tmp_path / "fresh", procs=1)
    incremental, fresh = snapshot(tmp_path / "index"), snapshot(tmp_path / "fresh")
    assert incremental["count"] == fresh["count"] and incremental["spans"] == fresh["spans"]
    assert {key: sorted(found) for key, found in incremental["postings"].items()} == {
        key: sorted(found) for key, found in fresh["postings"].items()
    }
    assert sorted(without_mtime(incremental["stored"])) == sorted(without_mtime(fresh["stored"]))
    for text, hits in fresh["answers"].items():
        assert sorted(doc_id for doc_id, _, _ in incremental["answers"][text]) == sorted(
            doc_id for doc_id, _, _ in hits
        ), text


class _Segment:
    def __init__(self, docs):
        self.docs = docs

    def doc_count(self):
        return self.docs

    def close(self):
        pass


def test_the_merge_policy_folds_only_a_full_tier_of_small_segments(monkeypatch):
    merged = []
    monkeypatch.setattr(whoosh_internals, "SegmentReader", lambda storage, schema, segment: segment)
    writer = type("W", (), {"storage": None, "schema": None, "add_reader": lambda self, r: merged.append(r)})()
    big = [_Segment(5000) for _ in range(40)]  # a build's segments: never merged (the tier is too large)
    small = [_Segment(n) for n in (3, 1, 7, 2, 9, 4, 5, 6)]
    kept = whoosh_internals.merge_small_segments(writer, big + small)
    assert merged == small and kept == big
    merged.clear()
    kept = whoosh_internals.merge_small_segments(writer, big + small[:-1])  # one short of a full tier
    assert merged == [] and kept == big + small[:-1]

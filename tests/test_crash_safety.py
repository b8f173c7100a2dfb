"""An index run killed with SIGKILL at any moment leaves the previous index
whole and searchable, leaves no lock behind, and the next run finishes the
job. The killed runs are child processes: a forked copy of this process
(so that a kill can be placed at an exact point, such as inside the commit)
or ``python -m search index`` itself, killed from outside at a time."""

import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from search import index as index_module
from search.index import open_index, update_index
from search.index_store import GENERATION_PREFIX, IndexBusy, live_generation, writer_lock
from search.names import tables as names_tables

from .indexes import found_ids
from .indexes import indexed_id_list as indexed_ids

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHILD_TIMEOUT = 60
NEW_DOCUMENTS = 150

MARKER = "en/marker.txt"
MARKER_BEFORE = "The lighthouse keeper's logbook, first edition, lists every passing ship.\n"
MARKER_AFTER = "The lighthouse keeper's logbook, second edition, records a seagull colony.\n"
DOOMED = "ar/doomed.txt"
BASE_DOCUMENTS = {
    MARKER: MARKER_BEFORE,
    DOOMED: "مذكرات حارس المنارة عن العواصف الشتوية في الميناء القديم\n",
    "en/harbour.txt": "The harbour master reported calm water and three fishing boats.\n",
    "ar/market.txt": "افتتح السوق الشعبي أبوابه للزوار مع بداية موسم الحصاد\n",
}

ARABIC = (
    "أعلنت الحكومة عن خطة جديدة لدعم المزارعين في المناطق الريفية",
    "شهدت العاصمة أمطارا غزيرة أدت إلى إغلاق عدد من الطرق الرئيسية",
    "افتتح الوزير مدرسة جديدة تستوعب ألف طالب وطالبة",
    "ارتفعت أسعار القمح في الأسواق العالمية خلال الأسبوع الماضي",
    "يستعد المنتخب الوطني للمباراة الودية أمام منافسه القوي",
)
ENGLISH = (
    "The council approved a new budget for public libraries",
    "Heavy rain flooded several streets in the old town overnight",
    "Researchers published a study on coastal erosion and sea levels",
    "The museum opened an exhibition of early printed maps",
    "Farmers expect a smaller harvest after the dry spring",
)


def write_new_documents(docs, count=NEW_DOCUMENTS):
    """``count`` varied documents, half Arabic and half English; their ids."""
    ids = set()
    for number in range(count):
        arabic = number % 2 == 1
        lines = ARABIC if arabic else ENGLISH
        text = "\n".join(f"{lines[(number * 3 + k) % len(lines)]} {number * 7 + k}" for k in range(2 + number % 9))
        doc_id = f"{'ar' if arabic else 'en'}/new/{number:04d}.txt"
        (docs / doc_id).parent.mkdir(parents=True, exist_ok=True)
        (docs / doc_id).write_text(text + "\n", "utf-8")
        ids.add(doc_id)
    return ids


def generations(index_dir):
    return sorted(path.name for path in Path(index_dir).glob(f"{GENERATION_PREFIX}*") if path.is_dir())


def assert_previous_index_answers(index_dir, where):
    """The index built before the killed run: its documents and its text."""
    ids = indexed_ids(index_dir)
    assert sorted(ids) == sorted(BASE_DOCUMENTS), f"after a kill {where}"
    assert found_ids(index_dir, "passing") == {MARKER}, f"after a kill {where}"
    assert found_ids(index_dir, "seagull") == set(), f"after a kill {where}"
    assert found_ids(index_dir, "المنارة") == {DOOMED}, f"after a kill {where}"


def assert_no_lock_left(index_dir, where):
    with writer_lock(index_dir, 0):  # raises IndexBusy when held
        pass
    ix = open_index(index_dir)
    try:
        writer = ix.writer(timeout=0)  # Whoosh's own lock in the live generation
        writer.cancel()
    except Exception as error:
        pytest.fail(f"after a kill {where}, the live generation's writer lock is held: {error!r}")
    finally:
        ix.close()


def assert_job_finished(index_dir, new_ids):
    expected = (set(BASE_DOCUMENTS) - {DOOMED}) | new_ids
    ids = indexed_ids(index_dir)
    assert len(ids) == len(set(ids)), "a document is in the index twice"
    assert set(ids) == expected
    assert found_ids(index_dir, "seagull") == {MARKER}
    assert found_ids(index_dir, "passing") == set()
    assert found_ids(index_dir, "المنارة") == set()
    assert "en/new/0000.txt" in found_ids(index_dir, "libraries")


def make_library(tmp_path, count=NEW_DOCUMENTS):
    """(docs, index, new ids): an index of BASE_DOCUMENTS, then the folder
    changed under it: the marker rewritten, one file deleted, ``count`` added."""
    docs, index_dir = tmp_path / "docs", tmp_path / "index"
    for doc_id, text in BASE_DOCUMENTS.items():
        (docs / doc_id).parent.mkdir(parents=True, exist_ok=True)
        (docs / doc_id).write_text(text, "utf-8")
    summary = update_index(docs, index_dir)
    assert summary.documents == len(BASE_DOCUMENTS)
    assert_previous_index_answers(index_dir, "(none yet)")
    (docs / MARKER).write_text(MARKER_AFTER, "utf-8")
    (docs / DOOMED).unlink()
    return docs, index_dir, write_new_documents(docs, count)


@pytest.fixture
def library(tmp_path):
    return make_library(tmp_path)


# --- killing runs -------------------------------------------------------------


def _die(where):
    os.write(2, f"killing myself {where}\n".encode())
    os.kill(os.getpid(), signal.SIGKILL)


def _run_until(docs, index_dir, rebuild, point, ready):
    """The forked child: place the kill point, then run update_index."""
    if point.startswith("document:"):
        limit, seen, original = int(point.split(":")[1]), [0], index_module.read_document

        def read_document(*args, **kwargs):
            if seen[0] == limit:
                _die(point)
            seen[0] += 1
            return original(*args, **kwargs)

        index_module.read_document = read_document
    elif point == "commit":  # the segment and the table of contents written, not yet renamed into place
        original_rename = FileStorage.rename_file

        def rename_file(self, old, new, safe=False):
            toc = re.fullmatch(r"_MAIN_(\d+)\.toc", new)
            if toc and int(toc.group(1)) > 0:  # generation 0 is the empty index create_in writes
                _die(point)
            return original_rename(self, old, new, safe)

        FileStorage.rename_file = rename_file
    elif point == "publish":  # the new generation committed, the link not yet swapped
        index_module.publish = lambda *args: _die(point)
    elif point == "before-toc":  # the run's segment files written, its table of contents not begun
        original_write = TOC.write

        def write(self, storage, indexname):
            if self.generation > 0:
                _die(point)
            return original_write(self, storage, indexname)

        TOC.write = write
    elif point == "names":  # committed; the names tables written under their temporary name
        original_replace = names_tables.os.replace

        def replace(source, target):
            if str(target).endswith(names_tables.NAME_KEYS_FILE):
                _die(point)
            return original_replace(source, target)

        names_tables.os = SimpleNamespace(**{**vars(os), "replace": replace})
    ready.set()
    update_index(docs, index_dir, rebuild=rebuild, lock_wait=5)
    os._exit(0)


@pytest.fixture
def children():
    """Child processes started by a test; killed at teardown if alive."""
    started = []
    yield started
    for child in started:
        if isinstance(child, subprocess.Popen):
            if child.poll() is None:
                child.kill()
            child.wait(timeout=10)
        else:
            if child.is_alive():
                child.kill()
            child.join(10)


def kill_forked_run(children, docs, index_dir, rebuild, point):
    """Run update_index in a forked child and see it die at ``point``, a named
    place in the run (a timed kill could land after the commit: the CLI test
    below does that one with its own guard)."""
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    child = context.Process(target=_run_until, args=(docs, index_dir, rebuild, point, ready), daemon=True)
    children.append(child)
    child.start()
    assert ready.wait(CHILD_TIMEOUT), "the child never started"
    child.join(CHILD_TIMEOUT)
    assert not child.is_alive(), f"the child was not killed at {point} within {CHILD_TIMEOUT}s"
    assert child.exitcode == -signal.SIGKILL, f"the run was not killed at {point} (exit code {child.exitcode})"


def kill_cli_rebuild_after_it_started(children, docs, index_dir, delay):
    """``python -m search index --rebuild``, killed ``delay`` seconds after it
    created its new generation (so, while it indexes)."""
    before = set(generations(index_dir))
    env = {name: value for name, value in os.environ.items() if not name.startswith("SEARCH_")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "search",
            "index",
            "--rebuild",
            "--quiet",
            "--docs",
            str(docs),
            "--index",
            str(index_dir),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    children.append(process)
    deadline = time.monotonic() + CHILD_TIMEOUT
    while not set(generations(index_dir)) - before:
        assert process.poll() is None, f"the CLI run ended before it started a generation: {process.stderr.read()}"
        assert time.monotonic() < deadline, "the CLI run never started a generation"
        time.sleep(0.01)
    time.sleep(delay)
    assert process.poll() is None, "the CLI run finished before the kill: give it more documents"
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=CHILD_TIMEOUT) == -signal.SIGKILL


def test_killed_incremental_runs_leave_the_previous_index_and_the_next_run_finishes(library, children):
    docs, index_dir, new_ids = library
    live_before = live_generation(index_dir)
    for point in ("document:0", "document:30", "document:100", "document:140", "commit"):
        kill_forked_run(children, docs, index_dir, rebuild=False, point=point)
        assert live_generation(index_dir) == live_before
        assert_previous_index_answers(index_dir, point)
        assert_no_lock_left(index_dir, point)

    summary = update_index(docs, index_dir, lock_wait=0)
    assert (summary.added, summary.updated, summary.removed, summary.failed) == (len(new_ids), 1, 1, [])
    assert summary.documents == len(BASE_DOCUMENTS) - 1 + len(new_ids)
    assert_job_finished(index_dir, new_ids)


def test_a_killed_cli_rebuild_leaves_the_previous_index(tmp_path, children):
    # Enough documents that the CLI rebuild is still writing when it is killed.
    docs, index_dir, _ = make_library(tmp_path, count=1500)
    live_before = live_generation(index_dir)
    kill_cli_rebuild_after_it_started(children, docs, index_dir, delay=0.05)
    assert live_generation(index_dir) == live_before
    assert_previous_index_answers(index_dir, "of the CLI rebuild")
    # Its worker processes (1,500 files are read on every core) hold the
    # inherited lock until the kernel has killed them too, a moment later.
    deadline = time.monotonic() + CHILD_TIMEOUT
    while True:
        try:
            assert_no_lock_left(index_dir, "of the CLI rebuild")
            break
        except IndexBusy:
            assert time.monotonic() < deadline, "the killed rebuild's workers kept the lock"
            time.sleep(0.05)


def test_killed_rebuilds_leave_the_previous_index_and_the_next_run_finishes(library, children):
    docs, index_dir, new_ids = library
    live_before = live_generation(index_dir)
    for point in ("document:100", "commit", "publish"):
        kill_forked_run(children, docs, index_dir, rebuild=True, point=point)
        assert live_generation(index_dir) == live_before
        assert_previous_index_answers(index_dir, point)
        assert_no_lock_left(index_dir, point)

    summary = update_index(docs, index_dir, rebuild=True, lock_wait=0)
    assert summary.rebuilt
    assert summary.failed == []
    assert summary.documents == len(BASE_DOCUMENTS) - 1 + len(new_ids)
    assert live_generation(index_dir) != live_before
    assert_job_finished(index_dir, new_ids)


def test_incremental_run_after_a_killed_rebuild_finishes_the_job(tmp_path, children):
    docs, index_dir, new_ids = make_library(tmp_path, 30)
    kill_forked_run(children, docs, index_dir, rebuild=True, point="publish")
    assert_previous_index_answers(index_dir, "before the swap")
    summary = update_index(docs, index_dir, lock_wait=0)
    assert (summary.added, summary.updated, summary.removed) == (len(new_ids), 1, 1)
    assert_job_finished(index_dir, new_ids)


# --- leftovers -----------------------------------------------------------------


def small_library(tmp_path):
    docs, index_dir = tmp_path / "docs", tmp_path / "index"
    for doc_id, text in BASE_DOCUMENTS.items():
        (docs / doc_id).parent.mkdir(parents=True, exist_ok=True)
        (docs / doc_id).write_text(text, "utf-8")
    write_new_documents(docs, 40)
    update_index(docs, index_dir)
    return docs, index_dir


def test_half_built_generation_of_a_killed_rebuild_is_removed_by_the_next_rebuild(tmp_path, children):
    docs, index_dir = small_library(tmp_path)
    previous = live_generation(index_dir)
    kill_forked_run(children, docs, index_dir, rebuild=True, point="document:10")
    half_built = set(generations(index_dir)) - {previous}
    assert len(half_built) == 1, "the killed rebuild should have left its generation"

    update_index(docs, index_dir, rebuild=True, lock_wait=0)

    live = live_generation(index_dir)
    assert live not in (previous, *half_built)
    remaining = set(generations(index_dir))
    assert not remaining & half_built, f"the half-built generation is still there: {sorted(remaining)}"
    # The generation that was live before the swap is the one kept for
    # workers still reading it.
    assert remaining == {live, previous}, sorted(remaining)
    assert len(indexed_ids(index_dir)) == len(BASE_DOCUMENTS) + 40


def test_leftover_generation_folder_without_an_index_is_removed_by_the_next_rebuild(tmp_path):
    docs, index_dir = small_library(tmp_path)
    previous = live_generation(index_dir)
    # What a run killed right after creating its folder leaves: a newer, empty generation.
    leftover = index_dir / f"{GENERATION_PREFIX}{time.time_ns():020d}-99999"
    leftover.mkdir()
    (leftover / "MAIN_partial.seg").write_bytes(b"\0" * 64)

    update_index(docs, index_dir, rebuild=True, lock_wait=0)

    assert not leftover.exists()
    assert set(generations(index_dir)) == {live_generation(index_dir), previous}
    assert found_ids(index_dir, "passing") == {MARKER}


def test_rebuild_after_several_killed_rebuilds_keeps_only_the_live_and_previous_generation(tmp_path, children):
    docs, index_dir = small_library(tmp_path)
    previous = live_generation(index_dir)
    for point in ("document:0", "document:20", "publish"):
        kill_forked_run(children, docs, index_dir, rebuild=True, point=point)
        # Each run starts by collecting what the killed one before it left.
        assert len(generations(index_dir)) == 2, point

    update_index(docs, index_dir, rebuild=True, lock_wait=0)

    assert set(generations(index_dir)) == {live_generation(index_dir), previous}
    assert not any(path.name.startswith(".current.") for path in index_dir.iterdir())
    shutil.rmtree(index_dir / previous)  # the live generation stands on its own
    assert found_ids(index_dir, "passing") == {MARKER}

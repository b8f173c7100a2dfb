"""Watch mode: watch() in a thread over a real folder (watchdog's observer),
and ChangeBatcher's batching on a fake clock."""

import errno
import os
import threading
import time
from types import SimpleNamespace

import pytest
from watchdog.events import (
    DirCreatedEvent,
    DirModifiedEvent,
    FileClosedEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
)

from search import watch as watch_module
from search.watch import ChangeBatcher, watch

from .indexes import found_ids, indexed_id_list


def indexed_ids(index_dir):
    return set(indexed_id_list(index_dir))


QUIET_SECONDS = 0.5
MAX_DELAY = 5.0
WAIT_SECONDS = 20
# Longer than a quiet period plus the watcher's 0.2 s poll, with room to spare.
SETTLE_SECONDS = QUIET_SECONDS + 1.0

ENGLISH = (
    "The council approved a new budget for public libraries",
    "Heavy rain flooded several streets in the old town overnight",
    "Researchers published a study on coastal erosion and sea levels",
)
ARABIC = (
    "أعلنت الحكومة عن خطة جديدة لدعم المزارعين في المناطق الريفية",
    "شهدت العاصمة أمطارا غزيرة أدت إلى إغلاق عدد من الطرق الرئيسية",
    "ارتفعت أسعار القمح في الأسواق العالمية خلال الأسبوع الماضي",
)
HARBOUR = "en/harbour.txt"
MARKET = "ar/market.txt"


class Watcher:
    """watch() running in a thread; ``runs`` holds (events, summary) per run."""

    def __init__(self, docs, index_dir):
        self.docs, self.index_dir = docs, index_dir
        self.runs = []
        self.stop = threading.Event()
        self.error = None
        self._changed = threading.Condition()
        self.thread = threading.Thread(target=self._watch, name="watcher", daemon=True)

    def _watch(self):
        try:
            watch(
                self.docs,
                self.index_dir,
                quiet_seconds=QUIET_SECONDS,
                max_delay=MAX_DELAY,
                stop=self.stop,
                on_run=self._on_run,
            )
        except BaseException as error:  # noqa: B036 - reported by the test
            self.error = error

    def _on_run(self, events, summary):
        with self._changed:
            self.runs.append((events, summary))
            self._changed.notify_all()

    def wait_for_runs(self, count, timeout=WAIT_SECONDS):
        """Wait until ``count`` runs happened in all; return the runs."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.runs) < count:
                remaining = deadline - time.monotonic()
                assert self.thread.is_alive(), f"the watcher stopped: {self.error!r}"
                assert remaining > 0, f"only {len(self.runs)} of {count} runs within {timeout}s"
                self._changed.wait(min(remaining, 0.2))
            return list(self.runs)

    def quiet_for(self, seconds):
        """Let ``seconds`` pass; return the runs that happened meanwhile."""
        before = len(self.runs)
        time.sleep(seconds)
        return self.runs[before:]

    def wait_until_indexed(self, predicate, timeout=WAIT_SECONDS):
        deadline = time.monotonic() + timeout
        while not predicate():
            assert self.thread.is_alive(), f"the watcher stopped: {self.error!r}"
            assert time.monotonic() < deadline, f"not indexed within {timeout}s; runs: {self.runs}"
            time.sleep(0.1)


@pytest.fixture
def docs(tmp_path):
    folder = (tmp_path / "docs").resolve()
    (folder / "en").mkdir(parents=True)
    (folder / "ar").mkdir()
    (folder / HARBOUR).write_text("The harbour master reported calm water and three fishing boats.\n", "utf-8")
    (folder / MARKET).write_text("افتتح السوق الشعبي أبوابه للزوار مع بداية موسم الحصاد\n", "utf-8")
    return folder


@pytest.fixture
def watcher(docs, tmp_path):
    running = Watcher(docs, tmp_path / "index")
    running.thread.start()
    try:
        first = running.wait_for_runs(1)[0]
        assert first[0] == 0  # the run at start, before any event
        assert first[1].added == 2
        yield running
    finally:
        running.stop.set()
        running.thread.join(10)
        assert not running.thread.is_alive(), "the watcher did not stop within 10s of its stop event"


def test_burst_of_300_files_makes_few_runs_and_indexes_them_all(watcher, docs):
    written = set()
    for number in range(300):
        lines = ARABIC if number % 2 else ENGLISH
        doc_id = f"{'ar' if number % 2 else 'en'}/burst/{number:03d}.txt"
        path = docs / doc_id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{lines[number % 3]} {number}\n{lines[(number + 1) % 3]}\n", "utf-8")
        written.add(doc_id)

    expected = written | {HARBOUR, MARKET}
    watcher.wait_until_indexed(lambda: len(watcher.runs) > 1 and watcher.runs[-1][1].documents == len(expected))
    assert watcher.quiet_for(SETTLE_SECONDS) == []  # and no more runs after it

    runs = watcher.runs[1:]
    assert 1 <= len(runs) <= 3, [(events, summary.line()) for events, summary in runs]
    assert sum(summary.added for _, summary in runs) == 300
    assert sum(events for events, _ in runs) >= 300
    assert all(summary.failed == [] for _, summary in runs)
    assert indexed_ids(watcher.index_dir) == expected
    assert "en/burst/000.txt" in found_ids(watcher.index_dir, "libraries")


def test_changed_file_is_reindexed_with_its_new_text(watcher, docs):
    assert found_ids(watcher.index_dir, "fishing") == {HARBOUR}
    (docs / HARBOUR).write_text("A lighthouse was restored by volunteers over the long summer.\n", "utf-8")

    events, summary = watcher.wait_for_runs(2)[1]
    assert events >= 1
    assert (summary.updated, summary.added, summary.removed) == (1, 0, 0)
    assert found_ids(watcher.index_dir, "lighthouse") == {HARBOUR}
    assert found_ids(watcher.index_dir, "fishing") == set()


def test_renamed_file_is_indexed_under_its_new_name(watcher, docs):
    os.rename(docs / MARKET, docs / "ar" / "souq.txt")

    _, summary = watcher.wait_for_runs(2)[1]
    assert (summary.added, summary.removed) == (1, 1)
    assert indexed_ids(watcher.index_dir) == {HARBOUR, "ar/souq.txt"}
    assert found_ids(watcher.index_dir, "السوق") == {"ar/souq.txt"}


def test_file_moved_into_another_folder_is_indexed_there(watcher, docs):
    (docs / "archive").mkdir()
    os.rename(docs / HARBOUR, docs / "archive" / "harbour.txt")

    watcher.wait_until_indexed(lambda: indexed_ids(watcher.index_dir) == {MARKET, "archive/harbour.txt"})


def test_deleted_file_is_removed_from_the_index(watcher, docs):
    (docs / HARBOUR).unlink()

    _, summary = watcher.wait_for_runs(2)[1]
    assert (summary.removed, summary.documents) == (1, 1)
    assert indexed_ids(watcher.index_dir) == {MARKET}
    assert found_ids(watcher.index_dir, "fishing") == set()


def test_hidden_folders_and_unsupported_files_do_not_start_runs(watcher, docs):
    hidden = docs / ".cache" / "drafts"
    hidden.mkdir(parents=True)
    (hidden / "draft.txt").write_text("A draft nobody should find.\n", "utf-8")
    (docs / ".notes.md").write_text("# Hidden notes\n", "utf-8")
    (docs / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(512))
    (docs / "en" / "data.bin").write_bytes(bytes(range(256)))
    (docs / "en" / "data.bin").unlink()

    assert watcher.quiet_for(SETTLE_SECONDS) == []

    # The watcher was listening all along: a supported file starts a run.
    (docs / "en" / "tides.txt").write_text("Spring tides flooded the promenade at dawn.\n", "utf-8")
    _, summary = watcher.wait_for_runs(2)[1]
    assert summary.added == 1
    assert indexed_ids(watcher.index_dir) == {HARBOUR, MARKET, "en/tides.txt"}


def test_watcher_keeps_going_after_a_run_fails(watcher, docs, monkeypatch):
    # A run can fail for reasons outside the folder (a full disk while
    # committing); the watcher must not die with it.
    real_update_index = watch_module.update_index
    failures = []

    def update_index(*args, **kwargs):
        if not failures:
            failures.append(1)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_update_index(*args, **kwargs)

    monkeypatch.setattr(watch_module, "update_index", update_index)
    (docs / "en" / "first.txt").write_text("The first file after the failure.\n", "utf-8")
    deadline = time.monotonic() + WAIT_SECONDS
    while not failures:
        assert time.monotonic() < deadline, "the watcher never started a run"
        time.sleep(0.05)
    time.sleep(0.3)
    assert watcher.thread.is_alive(), f"one failed run stopped the watcher: {watcher.error!r}"

    (docs / "en" / "second.txt").write_text("The second file after the failure.\n", "utf-8")
    watcher.wait_until_indexed(lambda: {"en/first.txt", "en/second.txt"} <= indexed_ids(watcher.index_dir))


# --- ChangeBatcher on a fake clock -------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """A settable monotonic clock for search.watch."""
    now = SimpleNamespace(value=1000.0)
    monkeypatch.setattr(watch_module, "time", SimpleNamespace(monotonic=lambda: now.value))
    return now


@pytest.fixture
def batcher(tmp_path):
    return ChangeBatcher(tmp_path)


def at(batcher, relative):
    return str(batcher.root / relative)


def test_batch_waits_for_the_quiet_period(batcher, clock):
    assert batcher.take_batch(QUIET_SECONDS, MAX_DELAY) == 0
    batcher.dispatch(FileCreatedEvent(at(batcher, "a.txt")))
    batcher.dispatch(FileModifiedEvent(at(batcher, "a.txt")))
    clock.value += 0.3
    assert batcher.take_batch(QUIET_SECONDS, MAX_DELAY) == 0
    batcher.dispatch(FileClosedEvent(at(batcher, "a.txt")))
    clock.value += 0.4  # 0.7 s after the first event, 0.4 s after the last
    assert batcher.take_batch(QUIET_SECONDS, MAX_DELAY) == 0
    clock.value += 0.1
    assert batcher.take_batch(QUIET_SECONDS, MAX_DELAY) == 3
    assert batcher.take_batch(QUIET_SECONDS, MAX_DELAY) == 0  # taken, and reset
    clock.value += 10
    assert batcher.take_batch(QUIET_SECONDS, MAX_DELAY) == 0


def test_endless_burst_is_cut_at_the_max_delay(batcher, clock):
    taken = []
    for step in range(80):  # an event every 0.25 s for 20 s: never quiet
        batcher.dispatch(FileModifiedEvent(at(batcher, f"log/{step}.txt")))
        clock.value += 0.25
        count = batcher.take_batch(QUIET_SECONDS, MAX_DELAY)
        if count:
            taken.append(((step + 1) * 0.25, count))
    assert taken == [(5.0, 20), (10.0, 20), (15.0, 20), (20.0, 20)]


def test_next_burst_after_a_batch_starts_its_own_delay(batcher, clock):
    batcher.dispatch(FileCreatedEvent(at(batcher, "a.txt")))
    clock.value += 1
    assert batcher.take_batch(QUIET_SECONDS, MAX_DELAY) == 1
    clock.value += 100
    batcher.dispatch(FileCreatedEvent(at(batcher, "b.txt")))
    clock.value += 0.1
    assert batcher.take_batch(QUIET_SECONDS, MAX_DELAY) == 0  # not "100 s since the first"
    clock.value += 0.5
    assert batcher.take_batch(QUIET_SECONDS, MAX_DELAY) == 1


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(lambda b: FileCreatedEvent(at(b, ".git/objects/ab")), id="hidden-folder"),
        pytest.param(lambda b: FileCreatedEvent(at(b, "en/.draft.txt")), id="hidden-file"),
        pytest.param(lambda b: FileCreatedEvent(at(b, "photo.jpg")), id="unsupported-suffix"),
        pytest.param(lambda b: FileModifiedEvent(at(b, "notes.txt.swp")), id="editor-swap-file"),
        pytest.param(lambda b: FileOpenedEvent(at(b, "en/a.txt")), id="opened"),
        pytest.param(lambda b: FileClosedNoWriteEvent(at(b, "en/a.txt")), id="closed-without-writing"),
        pytest.param(lambda b: DirModifiedEvent(at(b, "en")), id="folder-modified"),
        pytest.param(lambda b: FileCreatedEvent("/elsewhere/outside.txt"), id="outside-the-folder"),
        pytest.param(lambda b: FileMovedEvent(at(b, "a.tmp"), at(b, ".trash/a.tmp")), id="moved-between-ignored"),
    ],
)
def test_irrelevant_events_are_not_counted(batcher, clock, event):
    batcher.dispatch(event(batcher))
    clock.value += 60
    assert batcher.take_batch(QUIET_SECONDS, MAX_DELAY) == 0


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(lambda b: FileCreatedEvent(at(b, "en/a.txt")), id="created"),
        pytest.param(lambda b: FileDeletedEvent(at(b, "ar/b.md")), id="deleted"),
        pytest.param(lambda b: FileModifiedEvent(at(b, "Report.PDF")), id="upper-case-suffix"),
        pytest.param(lambda b: FileClosedEvent(at(b, "c.docx")), id="closed-after-writing"),
        pytest.param(lambda b: DirCreatedEvent(at(b, "new-folder")), id="folder-created"),
        # An editor's save: write a temporary file, rename it over the document.
        pytest.param(lambda b: FileMovedEvent(at(b, "en/a.txt.tmp"), at(b, "en/a.txt")), id="renamed-into-place"),
        pytest.param(lambda b: FileMovedEvent(at(b, "en/a.txt"), at(b, ".trash/a.txt")), id="moved-to-hidden"),
    ],
)
def test_relevant_events_are_counted(batcher, clock, event):
    batcher.dispatch(event(batcher))
    clock.value += 60
    assert batcher.take_batch(QUIET_SECONDS, MAX_DELAY) == 1

"""Two index runs at once on one index: the second waits for the first (and
then succeeds) or, when it may not wait long enough, gives up with IndexBusy;
the index is never left broken either way."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from search import index as index_module
from search.index import IndexBusy, update_index
from search.index_store import GENERATION_PREFIX, writer_lock

from .indexes import found_ids
from .indexes import indexed_id_list as indexed_ids

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CLI_TIMEOUT = 60
THREAD_TIMEOUT = 30

ARABIC = (
    "أعلنت الحكومة عن خطة جديدة لدعم المزارعين في المناطق الريفية",
    "شهدت العاصمة أمطارا غزيرة أدت إلى إغلاق عدد من الطرق الرئيسية",
    "افتتح الوزير مدرسة جديدة تستوعب ألف طالب وطالبة",
    "ارتفعت أسعار القمح في الأسواق العالمية خلال الأسبوع الماضي",
)
ENGLISH = (
    "The council approved a new budget for public libraries",
    "Heavy rain flooded several streets in the old town overnight",
    "Researchers published a study on coastal erosion and sea levels",
    "The museum opened an exhibition of early printed maps",
)


def write_corpus(folder, count, prefix="doc"):
    """``count`` small documents, half Arabic and half English; their ids."""
    ids = set()
    for number in range(count):
        arabic = number % 2 == 1
        lines = ARABIC if arabic else ENGLISH
        text = "\n".join(f"{lines[(number + k) % len(lines)]} {number} {k}" for k in range(3 + number % 5))
        doc_id = f"{'ar' if arabic else 'en'}/{prefix}-{number:04d}.txt"
        path = folder / doc_id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", "utf-8")
        ids.add(doc_id)
    return ids


def generations(index_dir):
    return sorted(path.name for path in Path(index_dir).glob(f"{GENERATION_PREFIX}*"))


def assert_index_is_sound(index_dir, expected_ids):
    ids = indexed_ids(index_dir)
    assert len(ids) == len(set(ids)), "a document is in the index twice"
    assert set(ids) == expected_ids
    assert found_ids(index_dir, "marker")  # and it answers searches
    with writer_lock(index_dir, 0):  # nobody is left holding the lock
        pass


@pytest.fixture
def corpus(tmp_path):
    docs = tmp_path / "docs"
    ids = write_corpus(docs, 60)
    (docs / "en" / "marker.txt").write_text("The marker document of the concurrency tests.\n", "utf-8")
    return docs, ids | {"en/marker.txt"}


class Run(threading.Thread):
    """update_index in a thread, keeping its summary or its exception."""

    def __init__(self, name, *args, **kwargs):
        super().__init__(name=name, daemon=True)
        self.args, self.kwargs = args, kwargs
        self.summary = self.error = None
        self.started_at = self.finished_at = None

    def run(self):
        self.started_at = time.monotonic()
        try:
            self.summary = update_index(*self.args, **self.kwargs)
        except BaseException as error:  # noqa: B036 - reported by the test
            self.error = error
        finally:
            self.finished_at = time.monotonic()

    def result(self):
        self.join(THREAD_TIMEOUT)
        assert not self.is_alive(), f"{self.name} did not finish within {THREAD_TIMEOUT}s"
        if self.error is not None:
            raise self.error
        return self.summary


@pytest.fixture
def paused_first_run(monkeypatch):
    """Makes the run in the thread named "first" stop after its first
    document until released: a run that holds the lock for as long as the
    test needs. Yields (inside, release) events."""
    inside, release = threading.Event(), threading.Event()
    original = index_module.read_document

    def read_document(*args, **kwargs):
        if threading.current_thread().name == "first" and not inside.is_set():
            inside.set()
            assert release.wait(THREAD_TIMEOUT), "the test never released the first run"
        return original(*args, **kwargs)

    monkeypatch.setattr(index_module, "read_document", read_document)
    yield inside, release
    release.set()


def test_two_runs_at_once_both_succeed_one_after_the_other(corpus, tmp_path):
    docs, ids = corpus
    index_dir = tmp_path / "index"
    barrier = threading.Barrier(2)

    class Together(Run):
        def run(self):
            barrier.wait(THREAD_TIMEOUT)
            super().run()

    runs = [Together(f"run-{n}", docs, index_dir, lock_wait=THREAD_TIMEOUT) for n in range(2)]
    for run in runs:
        run.start()
    summaries = [run.result() for run in runs]

    # They were under way together, and the lock made them take turns.
    first, second = sorted(runs, key=lambda run: run.finished_at)
    assert second.started_at < first.finished_at
    by_added = sorted(summaries, key=lambda summary: summary.added)
    assert (by_added[1].added, by_added[1].rebuilt) == (len(ids), True)
    assert (by_added[0].added, by_added[0].unchanged, by_added[0].failed) == (0, len(ids), [])
    assert [summary.documents for summary in summaries] == [len(ids), len(ids)]
    assert len(generations(index_dir)) == 1
    assert_index_is_sound(index_dir, ids)


def test_second_run_waits_for_a_running_first_and_then_indexes_its_changes(corpus, tmp_path, paused_first_run):
    docs, ids = corpus
    index_dir = tmp_path / "index"
    update_index(docs, index_dir)
    inside, release = paused_first_run
    added = write_corpus(docs, 30, prefix="late")

    first = Run("first", docs, index_dir, rebuild=True, lock_wait=0)
    first.start()
    assert inside.wait(THREAD_TIMEOUT), "the first run never started reading documents"
    second = Run("second", docs, index_dir, lock_wait=THREAD_TIMEOUT)
    second.start()
    time.sleep(0.6)
    assert second.is_alive(), "the second run did not wait for the first"
    assert second.summary is None
    release.set()

    assert first.result().documents == len(ids) + len(added)
    summary = second.result()
    assert summary.failed == []
    assert summary.documents == len(ids) + len(added)
    assert second.finished_at > first.finished_at
    assert_index_is_sound(index_dir, ids | added)


def test_run_that_may_not_wait_raises_index_busy_with_a_clear_message(corpus, tmp_path, paused_first_run):
    docs, ids = corpus
    index_dir = tmp_path / "index"
    inside, release = paused_first_run
    first = Run("first", docs, index_dir, lock_wait=0)
    first.start()
    assert inside.wait(THREAD_TIMEOUT), "the first run never started reading documents"

    with pytest.raises(IndexBusy, match="another index run") as busy:
        update_index(docs, index_dir, lock_wait=0)
    assert "\n" not in str(busy.value)

    started = time.monotonic()
    with pytest.raises(IndexBusy, match="another index run"):
        update_index(docs, index_dir, lock_wait=0.6)
    waited = time.monotonic() - started
    assert 0.5 <= waited < 5, f"gave up after {waited:.2f}s for lock_wait=0.6"

    release.set()
    assert first.result().added == len(ids)
    assert_index_is_sound(index_dir, ids)
    # The run that gave up left nothing behind: a new run finds nothing to do.
    again = update_index(docs, index_dir, lock_wait=0)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, len(ids))


# --- the command line --------------------------------------------------------


def cli_env(docs, index_dir):
    env = {name: value for name, value in os.environ.items() if not name.startswith("SEARCH_")}
    env.update(SEARCH_DOCS_DIR=str(docs), SEARCH_INDEX_DIR=str(index_dir))
    return env


@pytest.fixture
def processes():
    """Started processes, killed at teardown if still running."""
    started = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def start_cli(processes, docs, index_dir, *arguments, script=None):
    command = [sys.executable, "-m", "search", "index", "--quiet", *arguments]
    if script is not None:
        command = [sys.executable, "-c", script, "index", "--quiet", *arguments]
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=cli_env(docs, index_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    processes.append(process)
    return process


def finish(process):
    try:
        stdout, stderr = process.communicate(timeout=CLI_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        pytest.fail(f"index run did not finish within {CLI_TIMEOUT}s:\n{stderr}")
    return process.returncode, stdout, stderr


def assert_succeeded_or_refused_cleanly(returncode, stdout, stderr):
    assert "Traceback" not in stderr, stderr
    if returncode == 0:
        assert "documents in the index" in stdout
    else:
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert len(lines) == 1, stderr
        assert "another index run" in lines[0]


def test_two_cli_index_runs_at_once_leave_a_sound_index(corpus, tmp_path, processes):
    docs, ids = corpus
    index_dir = tmp_path / "index"
    runs = [start_cli(processes, docs, index_dir) for _ in range(2)]
    results = [finish(run) for run in runs]
    for result in results:
        assert_succeeded_or_refused_cleanly(*result)
    assert any(returncode == 0 for returncode, _, _ in results)
    assert_index_is_sound(index_dir, ids)
    assert len(generations(index_dir)) == 1


def test_cli_rebuild_and_incremental_run_at_once_leave_a_sound_index(corpus, tmp_path, processes):
    docs, ids = corpus
    index_dir = tmp_path / "index"
    update_index(docs, index_dir)
    added = write_corpus(docs, 20, prefix="more")
    (docs / "en" / "doc-0000.txt").unlink()
    expected = (ids | added) - {"en/doc-0000.txt"}

    runs = [start_cli(processes, docs, index_dir, "--rebuild"), start_cli(processes, docs, index_dir)]
    results = [finish(run) for run in runs]
    for result in results:
        assert_succeeded_or_refused_cleanly(*result)
    assert any(returncode == 0 for returncode, _, _ in results)
    assert_index_is_sound(index_dir, expected)
    assert 1 <= len(generations(index_dir)) <= 2


# The CLI has no option for the lock wait; this runs it with the wait cut to
# one second so that the refusal can be seen without waiting thirty.
SHORT_WAIT_CLI = """
import inspect, sys
import search.index
from search.__main__ import main
names = list(inspect.signature(search.index.update_index).parameters)
defaults = list(search.index.update_index.__defaults__)
defaults[names.index("lock_wait") - (len(names) - len(defaults))] = 1.0
search.index.update_index.__defaults__ = tuple(defaults)
sys.argv[0] = "search"
sys.exit(main())
"""


def test_cli_run_refused_by_a_held_lock_prints_one_line_and_no_traceback(corpus, tmp_path, processes):
    docs, ids = corpus
    index_dir = tmp_path / "index"
    update_index(docs, index_dir)
    with writer_lock(index_dir, 0):  # another run holds the index
        returncode, stdout, stderr = finish(start_cli(processes, docs, index_dir, script=SHORT_WAIT_CLI))
    assert returncode != 0
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "another index run" in lines[0]
    assert stdout == ""
    assert_index_is_sound(index_dir, ids)

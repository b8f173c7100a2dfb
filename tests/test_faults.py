"""Faults an index run must survive and clean up after: a full disk (a small
tmpfs made here), kill -9 at named points, a damaged segment. After each,
the previous index answers, /healthz tells, and the next run succeeds and
leaves nothing behind."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from whoosh.index import TOC

from search import create_app
from search.index import IndexDiskFull, open_index, update_index
from search.index_integrity import segment_damage
from search.index_store import live_dir, live_generation
from search.postings.build import postings_path
from search.postings.segment_file import ArrayFile

from . import test_crash_safety
from .indexes import found_ids
from .indexes import indexed_id_list as indexed_ids
from .test_crash_safety import (
    BASE_DOCUMENTS,
    MARKER,
    PROJECT_ROOT,
    assert_job_finished,
    assert_previous_index_answers,
    generations,
    kill_forked_run,
    make_library,
    write_new_documents,
)

children = test_crash_safety.children  # the fixture: child processes killed at teardown
DISK_MB = 12
IN_NAMESPACE = "SEARCH_TEST_FAULTS_IN_NAMESPACE"


# --- what a run may leave behind ---------------------------------------------------


def uncommitted_files(index_dir):
    """Files in the live generation that belong to no segment of its table
    of contents, and scratch files of a run."""
    folder = live_dir(index_dir)
    ix = open_index(index_dir)
    try:
        live = {segment.segment_id() for segment in ix.whoosh._segments()}
    finally:
        ix.close()
    segment_file = TOC._segment_pattern("MAIN")
    left = []
    for name in os.listdir(folder):
        found = segment_file.match(name)
        if (found and found.group(1) not in live) or name == "MAIN.tmp" or name.startswith(".name_keys"):
            left.append(name)
    return sorted(left)


def assert_nothing_left_behind(index_dir, keep_generations):
    assert uncommitted_files(index_dir) == []
    assert set(generations(index_dir)) == set(keep_generations)


def health(index_dir):
    response = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client().get("/healthz")
    return response.status_code, response.get_json()


# --- a full disk -------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A DISK_MB tmpfs mounted for this test. When this process may not
    mount, the test runs again in a user and mount namespace of its own."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(disk)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        assert not os.environ.get(IN_NAMESPACE), f"mount refused in the namespace: {mounted.stderr}"
        yield None
        return
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def rerun_in_namespace(request):
    """Run this one test in a user and mount namespace where it may mount."""
    command = ["unshare", "--user", "--map-root-user", "--mount", sys.executable, "-m", "pytest", "-q", "-x"]
    result = subprocess.run(
        [*command, f"{request.node.path}::{request.node.name}"],
        cwd=PROJECT_ROOT,
        env={**os.environ, IN_NAMESPACE: "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def fill(disk, leave_bytes):
    """Fill ``disk`` until ``leave_bytes`` are free; the filler's path."""
    filler = disk / "filler"
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(filler, "wb") as handle:
        handle.write(b"\0" * max(0, free - leave_bytes))
    return filler


def cli_index(docs, index_dir, *extra):
    env = {name: value for name, value in os.environ.items() if not name.startswith("SEARCH_")}
    return subprocess.run(
        [sys.executable, "-m", "search", "index", "--quiet", "--docs", str(docs), "--index", str(index_dir), *extra],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_full_disk_fails_cleanly_and_the_next_run_succeeds_once_space_is_free(small_disk, tmp_path, request):
    if small_disk is None:
        rerun_in_namespace(request)
        return
    docs, index_dir = tmp_path / "docs", small_disk / "index"
    for doc_id, text in BASE_DOCUMENTS.items():
        (docs / doc_id).parent.mkdir(parents=True, exist_ok=True)
        (docs / doc_id).write_text(text, "utf-8")
    update_index(docs, index_dir)
    live_before = live_generation(index_dir)
    new_ids = write_new_documents(docs, 600)  # read by worker processes: their failure comes back as text
    filler = fill(small_disk, leave_bytes=256 * 1024)

    failed = cli_index(docs, index_dir)
    assert failed.returncode != 0
    assert "Traceback" not in failed.stderr
    error_lines = [line for line in failed.stderr.splitlines() if line.strip()]
    assert error_lines == ["Error: " + error_lines[0].removeprefix("Error: ")] and "no space left" in error_lines[0]
    assert live_generation(index_dir) == live_before
    assert sorted(indexed_ids(index_dir)) == sorted(BASE_DOCUMENTS)
    assert found_ids(index_dir, "passing") == {MARKER}
    assert_nothing_left_behind(index_dir, {live_before})
    status, body = health(index_dir)
    assert (status, body["status"]) == (200, "degraded")
    assert "no space left" in body["reason"] and str(tmp_path) not in json.dumps(body)

    with pytest.raises(IndexDiskFull):  # in this process, serially, and as a rebuild
        update_index(docs, index_dir, rebuild=True, procs=1)
    assert_nothing_left_behind(index_dir, {live_before})
    assert found_ids(index_dir, "passing") == {MARKER}

    filler.unlink()
    succeeded = cli_index(docs, index_dir)
    assert succeeded.returncode == 0, succeeded.stderr
    assert set(indexed_ids(index_dir)) == set(BASE_DOCUMENTS) | new_ids
    assert health(index_dir)[1]["status"] == "ok"
    assert_nothing_left_behind(index_dir, {live_before})

    rebuilt = update_index(docs, index_dir, rebuild=True, lock_wait=0)
    assert rebuilt.rebuilt and rebuilt.documents == len(BASE_DOCUMENTS) + len(new_ids)
    assert_nothing_left_behind(index_dir, {live_generation(index_dir), live_before})


# --- kill -9 at named points ---------------------------------------------------------


def test_runs_killed_between_their_segments_and_their_table_of_contents_leave_nothing_behind(tmp_path, children):
    docs, index_dir, new_ids = make_library(tmp_path)
    live_before = live_generation(index_dir)
    kill_forked_run(children, docs, index_dir, rebuild=False, point="before-toc")
    assert uncommitted_files(index_dir), "the killed run should have left its segment files"
    assert_previous_index_answers(index_dir, "before the table of contents")

    summary = update_index(docs, index_dir, lock_wait=0)
    assert (summary.added, summary.updated, summary.removed) == (len(new_ids), 1, 1)
    assert_job_finished(index_dir, new_ids)
    assert_nothing_left_behind(index_dir, {live_before})


def test_a_run_killed_while_writing_the_names_tables_leaves_nothing_behind(tmp_path, children):
    docs, index_dir, new_ids = make_library(tmp_path, count=30)
    live_before = live_generation(index_dir)
    kill_forked_run(children, docs, index_dir, rebuild=False, point="names")
    assert any(name.startswith(".name_keys") for name in os.listdir(live_dir(index_dir)))
    code, body = health(index_dir)
    assert (code, body["status"]) == (200, "degraded") and "interrupted" in body["reason"]

    update_index(docs, index_dir, lock_wait=0)
    assert_job_finished(index_dir, new_ids)
    assert_nothing_left_behind(index_dir, {live_before})
    assert health(index_dir)[1]["status"] == "ok"


def test_killed_rebuilds_leave_no_generation_behind_the_next_incremental_run(tmp_path, children):
    docs, index_dir, new_ids = make_library(tmp_path, count=30)
    live_before = live_generation(index_dir)
    for point in ("document:10", "before-toc", "publish"):
        kill_forked_run(children, docs, index_dir, rebuild=True, point=point)
        assert len(generations(index_dir)) == 2, f"{point}: the killed rebuild's generation"

    update_index(docs, index_dir, lock_wait=0)  # incremental: it collects them all the same
    assert_job_finished(index_dir, new_ids)
    assert_nothing_left_behind(index_dir, {live_before})


# --- a damaged segment ---------------------------------------------------------------


def _overwrite_array(index_dir, field_array, byte):
    """Overwrite one array of the posting file of the live index's largest segment."""
    folder = live_dir(index_dir)
    ix = open_index(index_dir)
    try:
        segment_id = max(ix.whoosh._segments(), key=lambda segment: segment.doc_count_all()).segment_id()
    finally:
        ix.close()
    path = postings_path(folder, segment_id)
    nbytes = ArrayFile(path)[field_array].nbytes
    raw = Path(path).read_bytes()  # the header's length, then the header, end the file
    length = int.from_bytes(raw[-16:-8], "little")
    offset = json.loads(raw[-16 - length : -16])["arrays"][field_array]["offset"]
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(bytes([byte]) * nbytes)
    return folder, segment_id


def test_a_damaged_segment_answers_503_says_degraded_and_the_next_run_repairs_it(tmp_path):
    docs, index_dir, _ = make_library(tmp_path, count=30)
    update_index(docs, index_dir)
    before = {word: found_ids(index_dir, word) for word in ("libraries", "seagull", "المزارعين")}
    folder, segment_id = _overwrite_array(index_dir, "body.docs", 0x7F)
    assert "body.docs" in segment_damage(folder, segment_id)

    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    response = client.get("/search", query_string={"q": "libraries"})
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "index_damaged"
    health_response = client.get("/healthz")
    assert health_response.status_code == 200
    assert health_response.get_json()["status"] == "degraded"
    assert "checksum" in health_response.get_json()["reason"]

    summary = update_index(docs, index_dir)
    assert [sid for sid, _ in summary.repaired] == [segment_id]
    assert summary.documents == len(indexed_ids(index_dir))
    assert {word: found_ids(index_dir, word) for word in before} == before
    assert health(index_dir)[1]["status"] == "ok"
    assert_nothing_left_behind(index_dir, {live_generation(index_dir)})


def test_a_damaged_whoosh_segment_file_is_found_and_repaired(tmp_path):
    docs, index_dir, new_ids = make_library(tmp_path, count=30)
    update_index(docs, index_dir)
    folder = live_dir(index_dir)
    seg = next(path for path in sorted(folder.glob("MAIN_*.seg")))
    data = bytearray(seg.read_bytes())
    data[len(data) // 2] ^= 0xFF
    seg.write_bytes(bytes(data))
    assert "fails its checksum" in segment_damage(folder, seg.name.removesuffix(".seg"))

    summary = update_index(docs, index_dir)
    assert [sid for sid, _ in summary.repaired] == [seg.name.removesuffix(".seg")]
    assert not seg.exists()
    assert_job_finished(index_dir, new_ids)


def test_an_unchanged_sound_index_is_verified_and_left_as_it_is(tmp_path):
    docs, index_dir, _ = make_library(tmp_path, count=30)
    update_index(docs, index_dir)
    files = sorted(os.listdir(live_dir(index_dir)))
    summary = update_index(docs, index_dir)
    assert (summary.added, summary.updated, summary.removed, summary.repaired) == (0, 0, 0, [])
    assert sorted(os.listdir(live_dir(index_dir))) == files


# --- failures recorded, and no machine path in responses ----------------------------------


def test_a_failed_run_is_recorded_without_paths_and_healthz_says_degraded(tmp_path, monkeypatch):
    docs, index_dir, _ = make_library(tmp_path, count=30)

    def broken(*args, **kwargs):
        raise OSError(5, "Input/output error", str(index_dir / "somewhere" / "MAIN_x.seg"))

    monkeypatch.setattr("search.index.commit_with_segments", broken)
    with pytest.raises(OSError):
        update_index(docs, index_dir)
    record = json.loads((index_dir / "last_run.json").read_text("utf-8"))
    assert record["failed_run"]["error"] == "Input/output error (MAIN_x.seg)"
    code, body = health(index_dir)
    assert (code, body["status"]) == (200, "degraded")
    assert "Input/output error" in body["reason"] and str(tmp_path) not in json.dumps(body)
    monkeypatch.undo()
    update_index(docs, index_dir)
    assert health(index_dir)[1]["status"] == "ok"


def test_healthz_without_an_index_names_no_path(tmp_path):
    code, body = health(tmp_path / "nothing-here")
    assert code == 503
    assert body["status"] == "unavailable"
    assert "the index folder" in body["error"]
    assert str(tmp_path) not in json.dumps(body)


def test_healthz_on_an_unreadable_index_names_no_path(tmp_path):
    docs, index_dir, _ = make_library(tmp_path, count=5)
    for toc in live_dir(index_dir).glob("_MAIN_*.toc"):
        toc.write_bytes(b"not a table of contents")
    code, body = health(index_dir)
    assert code == 503
    assert not re.search(re.escape(str(tmp_path)), json.dumps(body))


def test_a_failed_admin_run_records_its_error_without_paths(tmp_path):
    from search.index_runs import run

    index_dir = tmp_path / "index"
    (index_dir / "runs").mkdir(parents=True)
    assert run("20260101T000000.000000Z", str(tmp_path / "no-such-docs"), str(index_dir)) == 1
    record = json.loads((index_dir / "runs" / "20260101T000000.000000Z.json").read_text("utf-8"))
    assert record["state"] == "failed"
    assert record["error"].startswith("docs folder not found")
    assert str(tmp_path) not in record["error"]


def test_a_run_in_this_process_leaves_its_sigterm_handler_as_it_was(tmp_path):
    """run() handles SIGTERM while it runs; it used to leave SIGTERM ignored,
    and every process started afterwards inherited that: a pool's
    terminate() then never ended its workers, and an index run hung."""
    from search.index_runs import run

    before = signal.getsignal(signal.SIGTERM)
    (tmp_path / "index" / "runs").mkdir(parents=True)
    run("20260101T000000.000001Z", str(tmp_path / "no-such-docs"), str(tmp_path / "index"))
    assert signal.getsignal(signal.SIGTERM) == before


def test_a_run_turned_away_by_another_writer_is_not_an_interrupted_run(tmp_path):
    """A script holding Whoosh's writer lock turns the run away (IndexBusy):
    nothing was interrupted, and /healthz stays ok."""
    from search.index import IndexBusy

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("a first document about rivers", "utf-8")
    update_index(docs, tmp_path / "index")
    (docs / "b.txt").write_text("a second document about dams", "utf-8")
    ix = open_index(tmp_path / "index")
    writer = ix.whoosh.writer()  # an outside writer, holding the lock
    try:
        with pytest.raises(IndexBusy):
            update_index(docs, tmp_path / "index")
    finally:
        writer.cancel()
        ix.close()
    status, body = health(tmp_path / "index")
    assert status == 200 and body["status"] == "ok", body


def test_the_parse_process_dies_with_the_run_that_started_it(tmp_path):
    """kill -9 of an index run takes its parse child with it, even one busy
    in a parser (it used to be left running, adopted by init)."""
    script = (
        "import sys, time\n"
        "from search.ingest.parse_worker import ParseWorker\n"
        "worker = ParseWorker(seconds=60)\n"
        "worker.extract('.txt', b'warm up')\n"
        "print(worker.process.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    run = subprocess.Popen([sys.executable, "-c", script], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
    child = int(run.stdout.readline())
    # Stopped, as if busy in a parser that never returns to read its pipe.
    os.kill(child, signal.SIGSTOP)
    run.kill()
    run.wait()
    for _ in range(100):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        if Path(f"/proc/{child}/stat").read_text().split()[2] == "Z":
            break  # dead, waiting to be reaped
        time.sleep(0.05)
    else:
        raise AssertionError("the parse process outlived the run")

"""Hostile files, timed: the worst time one file takes from walk to
refusal or document, for every case of tests/test_hostile_files.py, the peak
memory of refusing a 4 GiB DOCX zip bomb, and the build rate with parsing in
the bounded parse worker against parsing in the indexing process (the same
files, the same run).

    .venv/bin/python -m bench.hostile.run [--files 2000] [--out bench/results/hostile-files.json]
"""

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import search.index
from search.index import update_index
from search.ingest import IngestError, read_document, walk_folder
from search.ingest.parse_worker import ParseWorker
from tests.test_hostile_files import DEEP, make_device, zip_bomb

REPEATS = 3


def write_cases(docs, outside):
    """The hostile cases, by id."""
    (outside / "secret.txt").write_text("secret", "utf-8")
    for doc_id, text in DEEP.items():
        (docs / doc_id).parent.mkdir(parents=True, exist_ok=True)
        (docs / doc_id).write_text(text, "utf-8")
    os.mkfifo(docs / "fifo.txt")
    make_device(docs / "zero.txt")
    os.symlink("loop.txt", docs / "loop.txt")
    os.symlink(outside / "secret.txt", docs / "leak.txt")
    fd = os.open(os.fsencode(docs) + b"/caf\xe9.txt", os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, "café".encode())
    os.close(fd)
    (docs / "bomb.docx").write_bytes(zip_bomb(4 * 2**30))
    (docs / "binary.txt").write_bytes(bytes(range(256)) * 4096)
    (docs / "emptied.txt").write_bytes(b"")


def time_cases(docs):
    """{doc_id: (worst seconds over REPEATS, outcome)}: walk, read and parse."""
    times = {}
    with ParseWorker() as parser:
        parser.extract(".txt", b"warm up")  # the worker's start-up is paid once per run, not per file
        for _ in range(REPEATS):
            started = time.perf_counter()
            errors = []
            sources = list(walk_folder(docs, errors))
            walked = time.perf_counter() - started
            for doc_id, reason in errors:
                times[doc_id] = (max(times.get(doc_id, (0,))[0], walked), f"refused: {reason}")
            for source in sources:
                started = time.perf_counter()
                try:
                    read_document(source, max_bytes=20 * 2**20, parser=parser)
                    outcome = "indexed"
                except IngestError as error:
                    outcome = f"refused: {error}"
                seconds = time.perf_counter() - started
                times[source.doc_id] = (max(times.get(source.doc_id, (0,))[0], seconds), outcome)
    return times


def bomb_refusal_peak_rss(path):
    """Peak RSS, in MiB, of a child process that refuses the bomb."""
    code = (
        "import sys; from search.ingest import extract_content, IngestError\n"
        "try: extract_content('.docx', open(sys.argv[1], 'rb').read())\n"
        "except IngestError as e: print(e)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, capture_output=True)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


class InProcessParser:
    """The baseline: what read_document does with no parse worker."""

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return None

    def __exit__(self, *exc_info):
        pass


def build_rate(workdir, files):
    """Files per second of a first build, procs=1, with and without the worker."""
    docs = workdir / "rate-docs"
    for number in range(files):
        folder = docs / f"{number % 20:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        text = f"Report {number}: the council met on day {number % 28} to discuss the harbour and the rain.\n"
        suffix = (".txt", ".md", ".html")[number % 3]
        (folder / f"doc{number}{suffix}").write_text(text * 5, "utf-8")
    rates = {}
    for name in ("in_process", "parse_worker", "in_process_again", "parse_worker_again"):
        original = search.index.ParseWorker
        if name.startswith("in_process"):
            search.index.ParseWorker = InProcessParser
        try:
            index = workdir / f"rate-index-{name}"
            started = time.perf_counter()
            summary = update_index(docs, index, procs=1)
            rates[name] = summary.added / (time.perf_counter() - started)
        finally:
            search.index.ParseWorker = original
        shutil.rmtree(index)
    before = max(rates["in_process"], rates["in_process_again"])
    after = max(rates["parse_worker"], rates["parse_worker_again"])
    return {"files": files, "files_per_s_in_process": round(before, 1), "files_per_s_parse_worker": round(after, 1),
            "ratio": round(after / before, 3)}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--out", default="bench/results/hostile-files.json")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="hostile-bench-"))
    try:
        docs, outside = workdir / "docs", workdir / "outside"
        docs.mkdir()
        outside.mkdir()
        unix_socket = socket.socket(socket.AF_UNIX)
        unix_socket.bind(str(docs / "sock.txt"))
        write_cases(docs, outside)
        times = time_cases(docs)
        unix_socket.close()
        result = {
            "cases": {key: {"worst_seconds": round(s, 4), "outcome": o[:120]} for key, (s, o) in sorted(times.items())},
            "worst_seconds": round(max(s for s, _ in times.values()), 4),
            "zip_bomb": {"bytes": (docs / "bomb.docx").stat().st_size, "expands_to": 4 * 2**30,
                         "refusal_peak_rss_mib": round(bomb_refusal_peak_rss(docs / "bomb.docx"), 1)},
            "build_rate": build_rate(workdir, args.files),
        }  # fmt: skip
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

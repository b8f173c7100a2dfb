"""What verifying an index costs: the checksum functions on 100 MiB, and a
run's verification of every segment (search/index_integrity.py) on the
bundled corpus and on a generated corpus.

    python -m bench.speed.integrity [--docs 10000]

Prints the figures and writes bench/results/integrity.json.
"""

import argparse
import hashlib
import json
import os
import tempfile
import time
import zlib
from pathlib import Path

from search.index import open_index, update_index
from search.index_integrity import damaged_segments
from search.index_store import live_dir

from .corpus import write_corpus

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
RESULTS = PROJECT_ROOT / "bench" / "results" / "integrity.json"
SAMPLE_MIB = 100


def _best_of(function, repeats=3):
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def checksum_speeds():
    """Seconds per SAMPLE_MIB for each candidate checksum."""
    data = memoryview(os.urandom(SAMPLE_MIB * 2**20))
    return {
        "crc32": _best_of(lambda: zlib.crc32(data)),
        "blake2b": _best_of(lambda: hashlib.blake2b(data).digest()),
    }


def _index_bytes(folder):
    return sum(path.stat().st_size for path in Path(folder).iterdir() if path.is_file())


def verification(docs_dir, index_dir):
    """Build the index, then time the verification of every segment (cold
    for the process, warm in the page cache, as a run finds it)."""
    update_index(docs_dir, index_dir)
    ix = open_index(index_dir)
    try:
        segment_ids = [segment.segment_id() for segment in ix.whoosh._segments()]
    finally:
        ix.close()
    folder = live_dir(index_dir)
    started = time.perf_counter()
    damaged = damaged_segments(folder, segment_ids)
    seconds = time.perf_counter() - started
    assert not damaged, damaged
    started = time.perf_counter()
    update_index(docs_dir, index_dir)
    unchanged_run = time.perf_counter() - started
    return {
        "segments": len(segment_ids),
        "index_mb": round(_index_bytes(folder) / 2**20, 1),
        "verify_seconds": round(seconds, 3),
        "unchanged_run_seconds": round(unchanged_run, 3),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000, help="documents in the generated corpus")
    args = parser.parse_args(argv)
    speeds = checksum_speeds()
    print(f"per {SAMPLE_MIB} MiB: " + ", ".join(f"{name} {seconds:.3f}s" for name, seconds in speeds.items()))
    results = {"checksum_seconds_per_100_mib": {name: round(s, 4) for name, s in speeds.items()}}
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        results["bundled_corpus"] = verification(PROJECT_ROOT / "corpus", scratch / "bundled")
        print("bundled corpus:", results["bundled_corpus"])
        write_corpus(scratch / "docs", args.docs)
        results[f"generated_{args.docs}"] = verification(scratch / "docs", scratch / "generated")
        print(f"{args.docs} documents:", results[f"generated_{args.docs}"])
    RESULTS.write_text(json.dumps(results, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()

"""Where the time goes: cProfile of an index build and of searches, on the
speed benchmark's synthetic corpus.

    .venv/bin/python -m bench.speed.profile [--build-docs 2000] [--query-docs 10000] [--queries 50]

Profiles `update_index` over --build-docs documents, then (on an index of
--query-docs documents built without the profiler) --queries searches
through the Flask app's GET /search. Writes <out>/speed-profile.txt: self
time by source file, then the top functions by own and cumulative time.
"""

import argparse
import cProfile
import inspect
import io
import pstats
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from . import processes as speed
from .corpus import SEED, Vocabulary, make_queries, write_corpus
from .latency import WARMUP_QUERIES, Engines


def _where(filename):
    """A short name for a source file: the project's path, or the package."""
    path = filename.replace("\\", "/")
    if "/site-packages/" in path:
        return path.split("/site-packages/", 1)[1].split("/", 1)[0]
    if "/search/" in path:
        return "search/" + path.rsplit("/search/", 1)[1]
    if path.startswith("~") or path.startswith("<"):
        return "builtins"
    if "/lib/python3" in path:
        return "stdlib/" + path.rsplit("/", 1)[1]
    return path


def report(profile, title, top):
    stats = pstats.Stats(profile)
    total = sum(entry[2] for entry in stats.stats.values())
    by_file = defaultdict(float)
    for (filename, _, _), (_, _, own, _, _) in stats.stats.items():
        by_file[_where(filename)] += own
    lines = [f"## {title}", "", f"total {total:.2f} s of own time (under cProfile)", "", "### Own time by file", ""]
    for name, seconds in sorted(by_file.items(), key=lambda item: -item[1])[:top]:
        lines.append(f"{seconds:8.2f} s {seconds / total:6.1%}  {name}")
    for order in ("tottime", "cumulative"):
        buffer = io.StringIO()
        pstats.Stats(profile, stream=buffer).sort_stats(order).print_stats(top)
        text = buffer.getvalue()
        text = text[text.index("   ncalls") :] if "   ncalls" in text else text
        lines += ["", f"### Top {top} functions by {order}", "", text.rstrip()]
    return "\n".join(lines) + "\n"


def profile_build(work, documents, seed, top):
    from search.index import update_index

    docs = work / "build-docs"
    write_corpus(docs, documents, seed)
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    # One process, so that cProfile sees every document's work (a real build
    # shares the files between forked workers, which the profiler would miss).
    serial = {"procs": 1} if "procs" in inspect.signature(update_index).parameters else {}
    summary = update_index(docs, work / "build-index", **serial)
    profile.disable()
    speed.log(f"profiled build: {summary.line()} ({time.perf_counter() - started:.1f} s under cProfile)")
    return report(profile, f"Index build, {documents:,} documents (`update_index`, shipped profile, one process)", top)


def profile_queries(work, documents, count, seed, top):
    docs, index = work / "query-docs", work / "ours"
    vocabulary = Vocabulary(seed)
    stats = write_corpus(docs, documents, seed, vocabulary)
    speed.log(f"building the {documents:,}-document index (not profiled) ...")
    built = speed.run_measured(
        [sys.executable, "-m", "search", "index", "--docs", docs, "--index", index, "--quiet"], work / "build.log"
    )
    speed.log(f"  {built['seconds']:.0f} s ({built['output']})")
    engines = Engines(docs, work, ["ours"])
    queries = make_queries(vocabulary, stats.phrases, count, seed)
    try:
        for query in make_queries(vocabulary, stats.phrases, WARMUP_QUERIES, seed + 1):
            engines.ours(query)
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for query in queries:
            engines.ours(query)
        profile.disable()
        elapsed = time.perf_counter() - started
    finally:
        engines.close()
    speed.log(f"profiled {count} queries: {elapsed:.1f} s under cProfile ({elapsed / count * 1000:.0f} ms each)")
    title = f"{count} searches, GET /search through the Flask test client, {documents:,}-document index"
    return report(profile, title, top)


def _without_local_paths(text, run_dir):
    """The report with this machine's folders taken out of file names: the
    copied code's own path, and the interpreter's and packages' prefixes."""
    prefixes = [f"{run_dir / 'code'}/", f"{speed.ROOT}/"]
    prefixes += sorted({f"{path}/" for path in sys.path if path and path.startswith("/")}, key=len, reverse=True)
    for prefix in prefixes:
        text = text.replace(prefix, "")
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-docs", type=int, default=2000)
    parser.add_argument("--query-docs", type=int, default=10000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--code", help="profile this git revision (default: the working tree)")
    parser.add_argument("--out", default=str(speed.ROOT / "bench" / "results"))
    parser.add_argument("--name", help="write speed-profile-<name>.txt (e.g. before, after)")
    args = parser.parse_args(argv)
    run_dir = Path(tempfile.mkdtemp(prefix="search-speed-profile-"))
    try:
        code = speed.snapshot_code(run_dir / "code", args.code)
        speed.log(f"code: {code['commit'][:10]} + {len(code['modified'])} modified files")
        parts = [
            "# Speed profile",
            "",
            f"Code {code['commit'][:10]} (+{len(code['modified'])} modified files, search/ sha256 "
            f"{code['search_sha256']}). Reproduce with `.venv/bin/python -m bench.speed.profile`.",
            "",
            profile_queries(run_dir, args.query_docs, args.queries, args.seed, args.top),
            profile_build(run_dir, args.build_docs, args.seed, args.top),
        ]
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / (f"speed-profile-{args.name}.txt" if args.name else "speed-profile.txt")
    path.write_text(_without_local_paths("\n".join(parts), run_dir), "utf-8")
    speed.log(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

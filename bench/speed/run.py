"""Speed benchmark (issue 14): our engine beside SQLite FTS5, tantivy and
stock Whoosh, in one run, on synthetic Arabic/English corpora.

    .venv/bin/python -m bench.speed.run --sizes 10000,50000     # the figures RESULTS.md reports
    .venv/bin/python -m bench.speed.run --sizes 200000          # once, to show the growth; its JSON is kept

For each size: generate the corpus (bench/speed/corpus.py, a document at a
time) into a temporary folder; build our index (`python -m search index` on
an empty index), a stock-Whoosh index, an FTS5 table and a tantivy index,
each in a fresh process (wall time, peak RSS, size on disk;
bench/speed/build.py); re-index the unchanged folder; time the same queries
through every engine, interleaved (bench/speed/latency.py); serve our index
with gunicorn and measure /healthz and /search throughput and the workers'
memory, with the result cache off and then on (bench/speed/served.py);
last, add new files to the folder and time how soon the app shows them
(bench/speed/freshness.py). Writes <out>/speed-<size>.json after each size,
and the markdown (bench/RESULTS.md unless --markdown says otherwise) from
every size found in <out>, then bench/speed/NOTES.md (bench/speed/report.py).

An engine or phase that fails is reported (in the JSON, the markdown and the
log) and the rest of the run goes on. Everything runs on loopback, every
wait is bounded; temporary folders are removed, and the processes the run
starts die with it.
"""

import argparse
import json
import os
import platform
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from .corpus import SEED, Query, Vocabulary, make_queries, write_corpus
from .freshness import measure_new_files, reindex_unchanged
from .latency import ENGINE_LABELS, ENGINES, OURS, WARMUP_QUERIES, measure_queries
from .processes import (
    OWNER_FILE,
    ROOT,
    RUN_PREFIX,
    disk_mb,
    log,
    remove_stale_runs,
    run_measured,
    snapshot_code,
)
from .report import FORMAT, write_markdown
from .served import REPEAT_SHARE, measure_served_cached, measure_served_uncached
from .targets import TARGETS, check_targets

DEFAULT_SIZES = "10000,50000"
# Distinct queries made for the cache-on stream beyond the query set (it never runs short).
STREAM_POOL = 8000
SERVED_WARMUP_QUERIES = 40
# Where each engine's index goes in a size's folder, and how it is built.
INDEX_PATHS = {"ours": "ours", "stock": "stock", "fts5": "fts5.db", "tantivy": "tantivy"}
BUILD_ORDER = ("ours", "stock", "fts5", "tantivy")


class Phases:
    """Runs a size's phases; one that raises is recorded as failed (its
    entry becomes {"error": ...}) and the run goes on."""

    def __init__(self):
        self.failures = {}
        self.seconds = {}

    def run(self, phase, function, *arguments):
        started = time.perf_counter()
        try:
            return function(*arguments)
        except Exception as error:
            message = f"{type(error).__name__}: {error}"
            self.failures[phase] = message
            log(f"  {phase} FAILED: {message[:2000]}")
            return {"error": message}
        finally:
            self.seconds[phase] = round(time.perf_counter() - started, 1)

    def skip(self, phase, why):
        log(f"  {phase}: not run, {why}")
        self.failures[phase] = f"not run: {why}"
        return {"error": f"not run: {why}"}


def build_one(name, docs, work, documents):
    command = {
        "ours": [sys.executable, "-m", "search", "index", "--docs", docs, "--index", work / "ours", "--quiet"],
    }.get(name, [sys.executable, "-m", "bench.speed.build", name, docs, work / INDEX_PATHS[name]])
    log(f"  building {name} ...")
    result = run_measured(command, work / f"build-{name}.log")
    result["docs_per_s"] = round(documents / result["seconds"], 1)
    result["docs_per_cpu_s"] = round(documents / result["cpu_seconds"], 1) if result["cpu_seconds"] else None
    result["index_mb"] = disk_mb(work / INDEX_PATHS[name])
    log(
        f"  {name}: {result['seconds']:.1f} s ({result['cpu_seconds']:.1f} s CPU), "
        f"{result['docs_per_s']:.0f} docs/s, peak RSS {result['peak_rss_mb']:.0f} MB, "
        f"{result['index_mb']:.0f} MB on disk  ({result['output']})"
    )
    return result


def with_typos(queries):
    """``queries`` and each one again with two letters of its longest word
    swapped: warming up on misspellings builds what corrections and rewrites
    build once per index (not per query) before any query is timed."""
    typos = []
    for query in queries:
        word = max(query.text.strip('"').split(), key=len)
        if len(word) >= 4:
            typo = word[:1] + word[2] + word[1] + word[3:]
            text = query.text.replace(word, typo, 1)
            typos.append(Query(f"{query.kind} typo", query.lang, text, '"' + text.strip('"').replace('"', "") + '"'))
    return [*queries, *typos]


def stream_pool(vocabulary, phrases, queries, seed, avoid):
    """Distinct query texts for the cache-on stream: the query set first, then
    more made the same way; none of ``avoid`` (the warm-up queries)."""
    extra = make_queries(vocabulary, phrases, STREAM_POOL, seed + 2)
    seen, texts = set(avoid), []
    for query in [*queries, *extra]:
        if query.text not in seen:
            seen.add(query.text)
            texts.append(query.text)
    return texts


def run_size(size, args, run_dir):
    log(f"== {size:,} documents ==")
    work = run_dir / f"size-{size}"
    work.mkdir()
    load = {"start": os.getloadavg()}
    stock = not (args.skip_stock_above and size > args.skip_stock_above)
    phases = Phases()
    size_started = time.perf_counter()
    try:
        docs = work / "docs"
        vocabulary = Vocabulary(args.seed)
        started = time.perf_counter()
        stats = write_corpus(docs, size, args.seed, vocabulary)
        phases.seconds["corpus"] = round(time.perf_counter() - started, 1)
        log(
            f"  corpus: {stats.documents} files ({stats.arabic} ar, {stats.english} en), "
            f"{stats.words / stats.documents:.0f} words per document, {stats.bytes / 1e6:.1f} MB "
            f"in {phases.seconds['corpus']:.1f} s"
        )
        builds = {}
        for name in BUILD_ORDER:
            if name == "stock" and not stock:
                log(f"  stock Whoosh: not built at this size (--skip-stock-above {args.skip_stock_above})")
                continue
            builds[name] = phases.run(f"build {name}", build_one, name, docs, work, stats.documents)
        built = [name for name, entry in builds.items() if "error" not in entry]
        ours = "ours" in built
        why_not = "our index was not built"
        reindex = phases.run("reindex", reindex_unchanged, docs, work) if ours else phases.skip("reindex", why_not)

        queries = make_queries(vocabulary, stats.phrases, args.queries, args.seed)
        warmup = with_typos(make_queries(vocabulary, stats.phrases, WARMUP_QUERIES, args.seed + 1))
        names = [name for name in ENGINES if ("ours" if name in OURS else name) in built]
        log(f"  {len(queries)} queries through " + ", ".join(ENGINE_LABELS[name] for name in names) + " ...")
        load["before_queries"] = os.getloadavg()
        latency = phases.run("queries", measure_queries, docs, work, queries, warmup, args.query_budget, names)
        for name in ENGINES:
            figures = latency.get(name)
            if figures:
                log(
                    f"  {name}: p50 {figures['p50_ms']} p95 {figures['p95_ms']} p99 {figures['p99_ms']} "
                    f"mean {figures['mean_ms']} ms over {figures['queries']} queries; {figures['zero_hits']} "
                    f"without a hit, {figures['errors']} errors"
                )

        load["before_served"] = os.getloadavg()
        if ours:
            served = phases.run("served", measure_served_uncached, docs, work, queries, args)
            warm_texts = list(
                dict.fromkeys(
                    q.text for q in make_queries(vocabulary, stats.phrases, SERVED_WARMUP_QUERIES, args.seed + 3)
                )
            )
            stream_texts = stream_pool(vocabulary, stats.phrases, queries, args.seed, warm_texts)
            cached = phases.run("served_cached", measure_served_cached, docs, work, stream_texts, warm_texts, args)
            # last: it changes the folder and our index
            fresh = phases.run("fresh", measure_new_files, docs, work, args.seed, vocabulary)
        else:
            served, cached, fresh = (phases.skip(phase, why_not) for phase in ("served", "served_cached", "fresh"))
        load["end"] = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    phases.seconds["total"] = round(time.perf_counter() - size_started, 1)
    log(
        f"  {size:,} documents took {phases.seconds['total'] / 60:.1f} min ("
        + ", ".join(f"{k} {v:.0f} s" for k, v in phases.seconds.items() if k != "total")
        + ")"
    )
    result = {
        "format": FORMAT,
        "size": size,
        "seed": args.seed,
        "command": args.command,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            # 1/5/15-minute load averages: the machine is shared
            "loadavg": {phase: [round(x, 2) for x in values] for phase, values in load.items()},
        },
        "versions": {package: _version(package) for package in ("tantivy", "whoosh", "numpy")},
        "code": args.code,
        "corpus": {
            "documents": stats.documents,
            "arabic": stats.arabic,
            "english": stats.english,
            "words": stats.words,
            "mean_words": round(stats.words / stats.documents, 1),
            "mb": round(stats.bytes / 1e6, 1),
        },
        "build": builds,
        "stock_skipped": None if stock else f"--skip-stock-above {args.skip_stock_above}",
        "reindex": reindex,
        "queries": latency,
        "served_settings": {
            "workers": args.workers,
            "clients": args.clients,
            "seconds_healthz": args.trivial_seconds,
            "seconds_search": args.serve_seconds,
        },
        "served": served,
        "served_cached": cached,
        "fresh": fresh,
        "failures": phases.failures,
        "seconds": phases.seconds,
    }
    result["targets"] = check_targets(result)
    return result


def _version(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def run_one(size, args, run_dir, out):
    """Measure one size, write its JSON and the markdown; return whether
    every phase ran and ours made no error."""
    result = run_size(size, args, run_dir)
    path = out / f"speed-{size}.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False), "utf-8")
    write_markdown(out, Path(args.markdown), args.command)
    log(
        f"  wrote {path}; targets: "
        + ", ".join(
            f"{TARGETS[name].label} {'met' if check['met'] else 'MISSED'}"
            for name, check in result["targets"].items()
            if check["applies"]
        )
    )
    for phase, message in result["failures"].items():
        log(f"  FAILED at {size:,} documents: {phase}: {message[:300]}")
    return not result["failures"] and result["targets"]["errors"]["value"] == 0


def _terminate(signum, frame):
    """SIGTERM or SIGINT: leave through the finally blocks, which stop every
    process this run started and remove its temporary folders."""
    log(f"stopped by signal {signum}; cleaning up")
    raise SystemExit(128 + signum)


def main(argv=None):
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="corpus sizes, comma-separated")
    parser.add_argument("--queries", type=int, default=200, help="queries per size")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"), help="folder for speed-<size>.json")
    parser.add_argument(
        "--markdown",
        help="the markdown to write from every result in --out (default: bench/RESULTS.md when --out is "
        "bench/results, else RESULTS.md in --out)",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--code", dest="code_revision", help="measure this git revision (default: the working tree)")
    parser.add_argument("--serve-seconds", type=float, default=15.0, help="served /search phase")
    parser.add_argument("--trivial-seconds", type=float, default=5.0, help="served /healthz phase")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--query-budget",
        type=float,
        default=600.0,
        help="seconds of the query phase per size, at most (the queries left are not run)",
    )
    parser.add_argument(
        "--repeat-share",
        type=float,
        default=REPEAT_SHARE,
        help="cache-on served phase: share of requests that repeat an earlier query",
    )
    parser.add_argument(
        "--skip-stock-above",
        type=int,
        default=0,
        metavar="N",
        help="do not build or query stock Whoosh for sizes above N documents (0: always build it); "
        "it builds in one process, at under 100 documents a second",
    )
    args = parser.parse_args(argv)
    if not 0 <= args.repeat_share < 1:
        parser.error("--repeat-share must be in [0, 1)")
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    if args.markdown is None:
        default_out = (ROOT / "bench" / "results").resolve()
        args.markdown = str(ROOT / "bench" / "RESULTS.md" if out == default_out else out / "RESULTS.md")
    given = sys.argv[1:] if argv is None else argv
    args.command = " ".join([".venv/bin/python -m bench.speed.run", *given])
    started = time.perf_counter()
    clean = True
    remove_stale_runs()
    run_dir = Path(tempfile.mkdtemp(prefix=RUN_PREFIX))
    try:
        (run_dir / OWNER_FILE).write_text(str(os.getpid()))
        if args.skip_stock_above:
            skipped = [size for size in sizes if size > args.skip_stock_above]
            if skipped:
                log(f"stock Whoosh will not be built at {', '.join(f'{n:,}' for n in skipped)} documents")
        args.code = snapshot_code(run_dir / "code", args.code_revision)
        log(f"code: {args.code['commit'][:10]} + {len(args.code['modified'])} modified files, copied to {run_dir}")
        for size in sizes:
            clean = run_one(size, args, run_dir, out) and clean
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    log(f"done in {time.perf_counter() - started:.0f} s; {out}, {args.markdown}")
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())

"""Query-of-death benchmark (issue 15): the most expensive queries we know
how to write, and a sample of random ones over the query grammar, timed
through the engine as the app runs it (one deadline, the app's limits), on
the speed benchmark's generated corpus.

    .venv/bin/python -m bench.query_of_death.run --sizes 3000,50000

For each size: generate the corpus and build the index in a temporary folder
(or reuse --work's), then, in one process:
- the first fuzzy and prefix queries after the index is opened (they build
  the per-field vocabulary the fuzzy matcher reads);
- the issue's shapes, which the limits refuse (400);
- the worst shapes within the limits (4 fuzzy words, 8 prefixes, 32 words,
  long phrases with slop, nesting);
- ``--samples`` random queries over the grammar (words, fuzzy~, prefix*,
  phrases, OR/AND/NOT, fields, commas, slashes, parentheses).
Each is timed with the app's deadline and again with none, so the figures
show both what a client waits and what the deadline cut off. Then
(unless ``--no-big-files``) three generated 19 MB text files, the size
that made an ordinary two-word query a 500 after 30 s before the deadline
and bounded snippets, and a fourth with no spaces (a snippet's edges have no
word boundary to walk to). Writes bench/results/query-of-death-<size>.json,
query-of-death-big-files.json and bench/results/QUERY_OF_DEATH.md.
"""

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import markdown_table, percentile
from bench.speed.corpus import write_corpus

ROOT = Path(__file__).resolve().parent.parent.parent
RESULTS = ROOT / "bench" / "results"
TARGET_WORST_SECONDS = 1.0
SEPARATORS = [" ", " ", " ", "  ", ",", "/", "(", ")", " OR ", " AND ", " NOT ", "-", "\u200f", "\u061b"]
SUFFIXES = ["", "", "", "", "~", "~1", "~2", "~9", "*", "^3"]
PREFIXES = ["", "", "", "", "title:", "body:", "-", '"', "("]


def random_query(rng, words):
    """A query of the grammar's pieces, up to 500 characters."""
    pieces = []
    for _ in range(rng.randint(1, 40)):
        word = rng.choice(words) if rng.random() < 0.8 else rng.choice(words)[: rng.randint(1, 4)]
        pieces += [rng.choice(PREFIXES) + word + rng.choice(SUFFIXES), rng.choice(SEPARATORS)]
    return "".join(pieces)[:500]


def hostile_shapes(words):
    """The issue's shapes (refused by the limits) and the worst ones within them."""
    fuzzy, prefixes, plain = words[:4], [w[:2] for w in words[4:12]], words[12:32]
    return {
        "refused: 35 fuzzy words in parentheses": "".join(f"({w}~2)" for w in words[:35])[:500],
        "refused: 120 comma-joined words": ",".join(words[:120])[:500],
        "refused: 32 two-letter prefixes": " ".join(f"{w[:2]}*" for w in words[:32]),
        "4 fuzzy words": " ".join(f"{w}~2" for w in fuzzy),
        "4 fuzzy words, OR": " OR ".join(f"{w}~2" for w in fuzzy),
        "8 two-letter prefixes": " ".join(f"{p}*" for p in prefixes),
        "8 two-letter prefixes, OR": " OR ".join(f"{p}*" for p in prefixes),
        "32 words, OR": " OR ".join(words[:32]),
        "32-word phrase, slop 10": '"' + " ".join(words[:32]) + '"~10',
        "4 fuzzy + 8 prefixes + 20 words": " ".join([f"{w}~2" for w in fuzzy] + [f"{p}*" for p in prefixes] + plain),
        "4 fuzzy + 8 prefixes + 20 words, OR": " OR ".join(
            [f"{w}~2" for w in fuzzy] + [f"{p}*" for p in prefixes] + plain
        ),
        "60 nested parentheses": "(" * 60 + words[0] + ")" * 60,
        "common words, NOT": " ".join(words[12:20]) + " NOT " + " NOT ".join(words[20:28]),
    }


def timed(searcher, text, seconds, config):
    """(outcome, seconds): "ok", "partial", "400" or "503", through the engine as the app runs it."""
    from search.deadline import Deadline, QueryTimeout
    from search.engine import search
    from search.query import BadRequest, parse_request

    started = time.perf_counter()
    try:
        request = parse_request({"q": text}, config)
        response = search(searcher, request, deadline=Deadline(seconds), max_words=config["MAX_QUERY_TERMS"])
        outcome = "partial" if response.partial else "ok"
    except BadRequest:
        outcome = "400"
    except QueryTimeout:
        outcome = "503"
    return outcome, time.perf_counter() - started


def measure(index_dir, samples, seed):
    from search.config import from_environment
    from search.index import open_index

    config = from_environment()
    deadline = config["QUERY_DEADLINE_SECONDS"]
    ix = open_index(index_dir)
    searcher = ix.searcher()
    words = [t for t in searcher.store.lexicon("body_exact") if 8 <= len(t) <= 14 and t.isalpha()]
    rng = random.Random(seed)
    words = rng.sample(words, 200)
    first = {}
    for label, text in (("first fuzzy query", f"{words[0]}~2"), ("first prefix query", f"{words[1][:2]}*")):
        first[label] = {"outcome": (result := timed(searcher, text, deadline, config))[0], "seconds": result[1]}
    shapes = {}
    for label, text in hostile_shapes(words).items():
        served = timed(searcher, text, deadline, config)
        unbounded = timed(searcher, text + " ", float("inf"), config)
        shapes[label] = {
            "query_chars": len(text),
            "outcome": served[0],
            "seconds": served[1],
            "seconds_without_deadline": unbounded[1],
        }
    random_words = words + ["the", "في", "من", "انتخابات", "elections", "and"]
    latencies, outcomes, worst = [], {}, (0.0, "")
    for _ in range(samples):
        text = random_query(rng, random_words)
        outcome, seconds = timed(searcher, text, deadline, config)
        latencies.append(seconds)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        worst = max(worst, (seconds, text))
    ix.close()
    every = latencies + [s["seconds"] for s in shapes.values()] + [f["seconds"] for f in first.values()]
    return {
        "deadline_seconds": deadline,
        "first_queries": first,
        "shapes": shapes,
        "random": {
            "samples": samples,
            "outcomes": outcomes,
            "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
            "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
            "worst_ms": round(worst[0] * 1000, 1),
            "worst_query": worst[1],
        },
        "worst_seconds": max(every),
        "target_worst_seconds": TARGET_WORST_SECONDS,
    }


BIG_FILE_BYTES = 19_000_000
BIG_FILE_WORDS = (
    "elections parliament vote party candidate campaign seat results district turnout ballot observers "
    "the of and in to a government opposition minister"
).split()
BIG_FILE_QUERIES = ["elections parliament", '"elections parliament"', "vote~1 part*", "qqzzqq elections"]


def write_big_files(folder, count=3, seed=5):
    """``count`` text files of about BIG_FILE_BYTES of common words each,
    and one with no spaces at all (a CSV line: nowhere to end a snippet)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for number in range(count):
        lines, size = [f"Big report {number}\n\n"], 0
        while size < BIG_FILE_BYTES:
            line = " ".join(rng.choice(BIG_FILE_WORDS) for _ in range(14)) + ".\n"
            lines.append(line)
            size += len(line)
        (folder / f"big-{number}.txt").write_text("".join(lines), "utf-8")
    words = ",".join(rng.choice(BIG_FILE_WORDS) for _ in range(BIG_FILE_BYTES // 9))
    (folder / "big-no-spaces.txt").write_text(words[:BIG_FILE_BYTES], "utf-8")


def measure_big_files(work):
    from search.config import from_environment
    from search.index import open_index

    docs = work / "big-docs"
    if not docs.exists():
        write_big_files(docs)
    index = build_index(docs, work / "big-index", "3 big files")
    config = from_environment()
    ix = open_index(index)
    searcher = ix.searcher()
    found = {}
    for text in BIG_FILE_QUERIES:
        timed(searcher, text + " ", config["QUERY_DEADLINE_SECONDS"], config)  # the stored documents read once
        outcome, seconds = timed(searcher, text, config["QUERY_DEADLINE_SECONDS"], config)
        found[text] = {"outcome": outcome, "seconds": seconds}
    ix.close()
    return {"files": 4, "bytes_each": BIG_FILE_BYTES, "queries": found}


def build_index(docs, index, label):
    if not index.exists():
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "search", "index", "--docs", str(docs), "--index", str(index)],
            cwd=ROOT,
            check=True,
            timeout=7200,
        )
        print(f"built {label} in {time.perf_counter() - started:.0f}s", flush=True)
    return index


def build(size, work):
    docs = work / "docs"
    if not docs.exists():
        write_corpus(docs, size)
    return build_index(docs, work / "index", f"{size} documents")


def write_markdown(results, big_files):
    lines = [
        "# Query of death",
        "",
        "Written by `python -m bench.query_of_death.run`; the JSON beside this file has every figure.",
        f"Target: no query over {TARGET_WORST_SECONDS:g} s at 50,000 documents (issue 15).",
        "",
    ]
    for size, result in sorted(results.items()):
        lines += [f"## {size:,} documents (deadline {result['deadline_seconds']:g} s)", ""]
        rows = [
            [label, item["outcome"], f"{item['seconds'] * 1000:.0f}", ""]
            for label, item in result["first_queries"].items()
        ]
        rows += [
            [label, item["outcome"], f"{item['seconds'] * 1000:.0f}", f"{item['seconds_without_deadline'] * 1000:.0f}"]
            for label, item in result["shapes"].items()
        ]
        lines.append(markdown_table(rows, ["query", "answer", "ms", "ms, no deadline"]))
        random_part = result["random"]
        lines += [
            "",
            f"{random_part['samples']} random queries over the grammar: {random_part['outcomes']}; "
            f"p50 {random_part['p50_ms']} ms, p99 {random_part['p99_ms']} ms, worst {random_part['worst_ms']} ms.",
            f"Worst of all: {result['worst_seconds'] * 1000:.0f} ms "
            + ("(within the target)." if result["worst_seconds"] <= TARGET_WORST_SECONDS else "(over the target)."),
            "",
        ]
    if big_files:
        lines += [
            f"## {big_files['files']} text files of {big_files['bytes_each'] / 1e6:.0f} MB",
            "",
            markdown_table(
                [
                    [text, item["outcome"], f"{item['seconds'] * 1000:.0f}"]
                    for text, item in big_files["queries"].items()
                ],
                ["query", "answer", "ms"],
            ),
            "",
        ]
    (RESULTS / "QUERY_OF_DEATH.md").write_text("\n".join(lines), "utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="3000,50000")
    parser.add_argument("--samples", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--work", type=Path, help="keep corpora and indexes here (reused when present)")
    parser.add_argument("--no-big-files", dest="big_files", action="store_false")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = {}
    for path in RESULTS.glob("query-of-death-*.json"):
        if path.stem.rsplit("-", 1)[1].isdigit():
            results[int(path.stem.rsplit("-", 1)[1])] = json.loads(path.read_text("utf-8"))
    for size in (int(s) for s in args.sizes.split(",")):
        temporary = None if args.work else Path(tempfile.mkdtemp(prefix="qod-"))
        work = (args.work / str(size)) if args.work else temporary
        work.mkdir(parents=True, exist_ok=True)
        try:
            result = measure(build(size, work), args.samples, args.seed)
        finally:
            if temporary:
                shutil.rmtree(temporary, ignore_errors=True)
        result["documents"] = size
        results[size] = result
        (RESULTS / f"query-of-death-{size}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), "utf-8")
        print(f"{size}: worst {result['worst_seconds'] * 1000:.0f} ms", flush=True)
    big_path = RESULTS / "query-of-death-big-files.json"
    big_files = json.loads(big_path.read_text("utf-8")) if big_path.exists() else None
    if args.big_files:
        temporary = None if args.work else Path(tempfile.mkdtemp(prefix="qod-big-"))
        try:
            big_files = measure_big_files(args.work or temporary)
        finally:
            if temporary:
                shutil.rmtree(temporary, ignore_errors=True)
        big_path.write_text(json.dumps(big_files, ensure_ascii=False, indent=1), "utf-8")
    write_markdown(results, big_files)


if __name__ == "__main__":
    main()

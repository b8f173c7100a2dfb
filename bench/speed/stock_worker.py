"""Answer queries on the stock-Whoosh index in a process of its own, for the
speed benchmark's query phase:

    python -m bench.speed.stock_worker INDEX

Prints "ready", then reads one JSON string (the query text) per line and
writes one JSON line per query: [wall ms, CPU ms, hits shown], timed here
around `search.engine.search`, or {"error": "..."}.

Why a process of its own: the engine keeps per-index tables (the name
skeletons, the suggestion vocabularies) for the latest index version only;
searching the stock index in the same process as our app evicts our index's
tables before each of our queries, which a served worker never does.
"""

import json
import sys
import time


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    from search.engine import scoring, search
    from search.index import open_index
    from search.query import SearchRequest

    index = open_index(argv[0])
    searcher = index.searcher(weighting=scoring())
    print("ready", flush=True)
    try:
        for line in sys.stdin:
            text = json.loads(line)
            cpu, started = time.process_time(), time.perf_counter()
            try:
                response = search(searcher, SearchRequest(text=text, per_page=10))
            except Exception as error:  # reported to the benchmark, which counts it
                answer = {"error": f"{type(error).__name__}: {error}"}
            else:
                wall, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
                answer = [wall, cpu, len(response.hits)]
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
    finally:
        searcher.close()
        index.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Keeping the index up to date: re-indexing an unchanged folder, and how
soon new files become searchable.

The second adds FRESH_DOCUMENTS new files to the folder our index was built
from, runs `python -m search index` (incremental), and asks an app that was
already serving the index, through GET /search, for a word only the new
files have, until it shows them all. It changes our index and the folder, so
it runs after every other phase.
"""

import sys
import time

from .corpus import FRESH_MARKER, write_fresh_documents
from .processes import disk_mb, log, run_measured

FRESH_DOCUMENTS = 100
INCREMENTAL_TIMEOUT = 1800  # seconds the incremental run may take, at most
# How long, after the run, the app may take to show the new files.
SHOW_TIMEOUT = 60.0


def index_command(docs, work):
    return [sys.executable, "-m", "search", "index", "--docs", docs, "--index", work / "ours", "--quiet"]


def reindex_unchanged(docs, work):
    log("  reindexing the unchanged folder ...")
    reindex = run_measured(index_command(docs, work), work / "reindex.log")
    log(f"  reindex: {reindex['seconds']:.2f} s, peak RSS {reindex['peak_rss_mb']:.0f} MB ({reindex['output']})")
    return reindex


def _found(client, marker):
    """(total, ids on the first page) GET /search reports for ``marker``."""
    response = client.get("/search", query_string={"q": marker, "per_page": "50"})
    if response.status_code != 200:
        raise RuntimeError(f"GET /search answered {response.status_code}: {response.get_data(as_text=True)[:200]}")
    data = response.get_json()
    return data["total"], [result["id"] for result in data["results"]]


def measure_new_files(docs, work, seed, vocabulary):
    """Seconds from the start of the incremental run until the app shows every
    new file, with the run's own figures; ``found`` and ``only_new`` say
    whether the app showed them all and nothing else."""
    from search import create_app

    app = create_app({"INDEX_DIR": str(work / "ours"), "DOCS_DIR": str(docs), "RESULT_CACHE_SIZE": 0})
    client = app.test_client()
    total_before, _ = _found(client, FRESH_MARKER)  # also opens the index, as a serving worker has
    index_mb_before = disk_mb(work / "ours")
    ids = set(write_fresh_documents(docs, FRESH_DOCUMENTS, seed, vocabulary))
    log(f"  {len(ids)} new files written; indexing them (incremental) ...")
    started = time.perf_counter()
    run = run_measured(index_command(docs, work), work / "fresh.log", timeout=INCREMENTAL_TIMEOUT)
    total, shown = _found(client, FRESH_MARKER)
    while total < len(ids) and time.perf_counter() - started < run["seconds"] + SHOW_TIMEOUT:
        time.sleep(0.05)
        total, shown = _found(client, FRESH_MARKER)
    searchable = time.perf_counter() - started
    result = {
        "documents": len(ids),
        "marker": FRESH_MARKER,
        "index_run": run,
        "searchable_seconds": round(searchable, 2),
        "total_before": total_before,
        "total_after": total,
        "found": total == len(ids),
        "only_new": bool(shown) and set(shown) <= ids,
        "index_mb_before": index_mb_before,
        "index_mb_after": disk_mb(work / "ours"),
    }
    log(
        f"  new files: indexed in {run['seconds']:.2f} s ({run['written_mb']:.0f} MB written, index "
        f"{index_mb_before} -> {result['index_mb_after']} MB), all {len(ids)} shown after {searchable:.2f} s"
        if result["found"] and result["only_new"]
        else f"  new files: NOT all shown ({total} of {len(ids)} after {searchable:.1f} s; "
        f"only new ones: {result['only_new']})"
    )
    return result

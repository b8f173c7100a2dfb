"""The two comparison indexes, each built in its own process so that its time
and peak memory can be measured alone:

    python -m bench.speed.build stock DOCS INDEX   # Whoosh StandardAnalyzer, same engine
    python -m bench.speed.build fts5 DOCS DB       # SQLite FTS5, unicode61 remove_diacritics 2

(our own index is built by `python -m search index`, as a user builds it).
"""

import argparse
import os
import sqlite3
import sys
import time
from pathlib import Path

FTS_TABLE = "docs"
FTS_TITLE_WEIGHT = 2.0  # as search.schema.TITLE_BOOST
BATCH = 500


def build_stock(docs, index):
    from search.index import update_index

    summary = update_index(docs, index, profile="stock-standard")
    print(summary.line())
    return 0 if not summary.failed else 1


def text_files(docs):
    """Every .txt under ``docs``, in the indexer's order (files, then folders, by name)."""
    for folder, subfolders, names in os.walk(docs):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(names):
            if name.endswith(".txt") and not name.startswith("."):
                yield Path(folder) / name


def build_fts5(docs, database):
    """title = the headline line, body = the whole text (as our indexer's body)."""
    started = time.monotonic()
    docs = Path(docs)
    connection = sqlite3.connect(database)
    connection.execute(
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, body, tokenize='unicode61 remove_diacritics 2')"
    )
    connection.execute("CREATE TABLE paths (id INTEGER PRIMARY KEY, path TEXT NOT NULL)")
    connection.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('rank', 'bm25({FTS_TITLE_WEIGHT}, 1.0)')")
    count, rows, paths = 0, [], []
    with connection:
        for path in text_files(docs):
            count += 1
            text = path.read_text("utf-8")
            rows.append((count, text.split("\n", 1)[0].strip(), text))
            paths.append((count, path.relative_to(docs).as_posix()))
            if len(rows) >= BATCH:
                connection.executemany(f"INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (?, ?, ?)", rows)
                connection.executemany("INSERT INTO paths VALUES (?, ?)", paths)
                rows, paths = [], []
        connection.executemany(f"INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (?, ?, ?)", rows)
        connection.executemany("INSERT INTO paths VALUES (?, ?)", paths)
    with connection:
        connection.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
    connection.close()
    print(f"{count} documents in FTS5 ({time.monotonic() - started:.1f}s)")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("engine", choices=("stock", "fts5"))
    parser.add_argument("docs")
    parser.add_argument("target")
    args = parser.parse_args(argv)
    if args.engine == "stock":
        return build_stock(args.docs, args.target)
    return build_fts5(args.docs, args.target)


if __name__ == "__main__":
    sys.exit(main())

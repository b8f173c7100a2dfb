"""The comparison indexes, each built in its own process so that its time,
peak memory and bytes written can be measured alone:

    python -m bench.speed.build stock DOCS INDEX     # Whoosh 2.7.4 as it ships: StandardAnalyzer, one process
    python -m bench.speed.build fts5 DOCS DB         # SQLite FTS5, unicode61 remove_diacritics 2
    python -m bench.speed.build tantivy DOCS INDEX   # tantivy, its default tokenizer

Each reads the same files the same way: title = the first line, body = the
whole text (as our indexer's body), id = the path under DOCS. Our own index
is built by `python -m search index`, as a user builds it. Nothing here
imports the project's `search` package: the peers stay what they are
whatever engine the project ships.
"""

import argparse
import os
import sqlite3
import sys
import time
from pathlib import Path

FTS_TABLE = "docs"
TITLE_WEIGHT = 2.0  # the title's weight in every peer's ranking, as our TITLE_BOOST
BATCH = 500
# tantivy's writer: memory shared by its threads, and its threads (0: one a core).
TANTIVY_HEAP_BYTES = 256 * 1024 * 1024
TANTIVY_THREADS = 0


def text_files(docs):
    """Every .txt under ``docs``, in the indexer's order (files, then folders, by name)."""
    for folder, subfolders, names in os.walk(docs):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(names):
            if name.endswith(".txt") and not name.startswith("."):
                yield Path(folder) / name


def documents(docs):
    """(id, title, body) of every file, one at a time."""
    docs = Path(docs)
    for path in text_files(docs):
        text = path.read_text("utf-8")
        yield path.relative_to(docs).as_posix(), text.split("\n", 1)[0].strip(), text


def stock_schema():
    from whoosh.fields import ID, TEXT, Schema

    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(stored=True, field_boost=TITLE_WEIGHT),
        body=TEXT(stored=True),  # stored: Whoosh's highlighter re-reads it
    )


def build_stock(docs, index):
    """Whoosh's own writer with its defaults (one process, 128 MB pool)."""
    from whoosh import index as whoosh_index

    started = time.monotonic()
    Path(index).mkdir(parents=True)
    ix = whoosh_index.create_in(index, stock_schema())
    writer = ix.writer()
    count = 0
    for doc_id, title, body in documents(docs):
        writer.add_document(id=doc_id, title=title, body=body)
        count += 1
    writer.commit()
    ix.close()
    print(f"{count} documents in stock Whoosh ({time.monotonic() - started:.1f}s)")
    return 0


def build_fts5(docs, database):
    started = time.monotonic()
    connection = sqlite3.connect(database)
    connection.execute(
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, body, tokenize='unicode61 remove_diacritics 2')"
    )
    connection.execute("CREATE TABLE paths (id INTEGER PRIMARY KEY, path TEXT NOT NULL)")
    connection.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('rank', 'bm25({TITLE_WEIGHT}, 1.0)')")
    count, rows, paths = 0, [], []
    with connection:
        for doc_id, title, body in documents(docs):
            count += 1
            rows.append((count, title, body))
            paths.append((count, doc_id))
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


def tantivy_schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True)  # tokenizer "default": split on non-alphanumerics, lowercase
    builder.add_text_field("body", stored=True)  # stored: the SnippetGenerator reads it
    return builder.build()


def build_tantivy(docs, index):
    """One writer, committed once, then its background merges waited for."""
    import tantivy

    started = time.monotonic()
    Path(index).mkdir(parents=True)
    ix = tantivy.Index(tantivy_schema(), path=str(index))
    writer = ix.writer(heap_size=TANTIVY_HEAP_BYTES, num_threads=TANTIVY_THREADS)
    count = 0
    for doc_id, title, body in documents(docs):
        writer.add_document(tantivy.Document(id=doc_id, title=title, body=body))
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    print(f"{count} documents in tantivy ({time.monotonic() - started:.1f}s)")
    return 0


BUILDERS = {"stock": build_stock, "fts5": build_fts5, "tantivy": build_tantivy}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("engine", choices=sorted(BUILDERS))
    parser.add_argument("docs")
    parser.add_argument("target")
    args = parser.parse_args(argv)
    return BUILDERS[args.engine](args.docs, args.target)


if __name__ == "__main__":
    sys.exit(main())

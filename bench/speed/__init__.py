"""Speed benchmark: index build, reindex, query latency and served throughput
on synthetic Arabic/English corpora, against stock Whoosh and SQLite FTS5."""

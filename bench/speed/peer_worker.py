"""Answer the speed benchmark's queries on a peer's index, in a process of
its own:

    python -m bench.speed.peer_worker stock INDEX     # Whoosh 2.7.4 as it ships
    python -m bench.speed.peer_worker tantivy INDEX   # tantivy, default tokenizer

Prints "ready", then reads one JSON string (the query, as a user types it)
per line and writes one JSON line per query: [wall ms, CPU ms, hits shown,
total or null], timed here around parsing, the top 10 with their id and title, and a
snippet of each one's body; or {"error": "..."} (a query the peer cannot
parse is one). Each peer takes the query text as it is, with its own parser
over title and body, every word required: plain words and quoted phrases
mean the same in its syntax as in ours.

Why a process of its own: neither peer's work should share an interpreter
(its memory, its garbage collector, its imports) with our app, which a
served worker never does; the benchmark's own overhead is left out of the
times.
"""

import json
import sys
import time

TOP = 10


class StockWhoosh:
    """MultifieldParser over title and body (AND between words, Whoosh's
    default), BM25F, and Whoosh's default highlighter on the stored body."""

    def __init__(self, path):
        from whoosh import index
        from whoosh.qparser import MultifieldParser

        self.index = index.open_dir(path)
        self.searcher = self.index.searcher()
        self.parser = MultifieldParser(["title", "body"], self.index.schema)

    def search(self, text):
        results = self.searcher.search(self.parser.parse(text), limit=TOP)
        shown = [(hit["id"], hit["title"], hit.highlights("body")) for hit in results]
        return len(shown), None  # len(results) would count every match in a second pass

    def close(self):
        self.searcher.close()
        self.index.close()


class Tantivy:
    """tantivy's query parser over title and body (title boosted as in the
    other engines, every word required), its BM25, and a SnippetGenerator
    on the body."""

    def __init__(self, path):
        import tantivy

        from .build import TITLE_WEIGHT

        self.tantivy = tantivy
        self.index = tantivy.Index.open(path)
        self.schema = self.index.schema
        self.searcher = self.index.searcher()
        self.boosts = {"title": TITLE_WEIGHT}

    def search(self, text):
        query = self.index.parse_query(text, ["title", "body"], field_boosts=self.boosts, conjunction_by_default=True)
        results = self.searcher.search(query, TOP)
        snippets = self.tantivy.SnippetGenerator.create(self.searcher, query, self.schema, "body")
        shown = []
        for _, address in results.hits:
            document = self.searcher.doc(address)
            shown.append((document["id"][0], document["title"][0], snippets.snippet_from_doc(document).to_html()))
        return len(shown), results.count

    def close(self):
        pass


PEERS = {"stock": StockWhoosh, "tantivy": Tantivy}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    peer = PEERS[argv[0]](argv[1])
    print("ready", flush=True)
    try:
        for line in sys.stdin:
            text = json.loads(line)
            cpu, started = time.process_time(), time.perf_counter()
            try:
                shown, total = peer.search(text)
            except Exception as error:  # reported to the benchmark, which counts it
                answer = {"error": f"{type(error).__name__}: {error}"}
            else:
                wall, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
                answer = [wall, cpu, shown, total]
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
    finally:
        peer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

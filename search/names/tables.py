"""The names tables: built from the index's own vocabulary when the indexer
commits (search/index.py, ``write_name_keys``), stored beside the index in
an SQLite file, and read back by searches a key at a time (``name_keys``).

- the dict from key (search/names/readings.py's ``skeletons``) to words:
  the Arabic words of the exact-form field, and the Latin names (and pairs
  of names) of the ``names`` field (search/names/evidence.py). It is what a
  query looks up, one lookup per query word (and per pair of adjacent
  words, for Abu Dhabi / أبوظبي), reading at most MAX_CANDIDATES words per
  key (``NameKeys.matches``);
- ``NameKeys.closest``, built with the tables: an Arabic word finds a Latin
  name only when it is about as close a reading of it as the closest word
  the index has: التكييف does not find Tokayev, whose closest is توكاييف.

The indexer imports this module, so it imports nothing of the query side
(no typo correction, no places, no Whoosh queries): the query-time part of
names across scripts is search/names/matching.py.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import multiprocessing.pool
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cachetools import LRUCache

from ..analysis import normalize_word, script_of
from ..index_identity import IndexVersion, reader_version
from .evidence import BIGRAM_JOINER, SENTENCE_START, WEAK_NAME, _evidence, name_evidence
from .readings import INF, MIN_SKELETON, reading_cost, skeletons

if TYPE_CHECKING:
    from whoosh.index import Index
    from whoosh.reading import IndexReader
    from whoosh.searching import Searcher as WhooshSearcher

    from ..postings.view import Reader, Searcher, SearchIndex

_Item = TypeVar("_Item")

MAX_MATCHES = 8
RELATIVE_SLACK = 0.25  # how much worse than the best reading a match may be
MAX_CANDIDATES = 200  # words read per key at query time (the most frequent first)


def _terms(reader: Reader | IndexReader, field: str) -> Iterator[str]:
    for term in reader.lexicon(field):
        yield term.decode("utf-8") if isinstance(term, bytes) else term


PARALLEL_MIN_WORDS = 20_000  # fewer Arabic words than this are keyed in one process
CHUNK_WORDS = 5_000


def _keyed(words: Iterable[str]) -> list[tuple[str, list[str]]]:
    return [(word, [key for key in skeletons(word) if len(key) >= MIN_SKELETON]) for word in words]


@contextmanager
def _keying_pool(procs: int, words_hint: int) -> Iterator[multiprocessing.pool.Pool | None]:
    """Forked processes to key words in (None: key them here), started
    before the vocabulary is walked, while this process is still small."""
    if procs <= 1 or words_hint < PARALLEL_MIN_WORDS:
        yield None
        return
    pool = multiprocessing.get_context("fork").Pool(procs)
    try:
        yield pool
        # Workers leave on the pool's own sentinel: no signal needed (a process
        # that inherited an ignored SIGTERM would never see terminate()'s).
        pool.close()
        pool.join()
    finally:
        pool.terminate()


def _skeletons_of(words: Sequence[str], pool: multiprocessing.pool.Pool | None) -> Iterator[tuple[str, list[str]]]:
    """``(word, its skeleton keys)`` for each of ``words``, in order, chunk by
    chunk; in the ``pool``'s processes when there is one (the indexer's
    longest step after its commit)."""
    chunks = [words[i : i + CHUNK_WORDS] for i in range(0, len(words), CHUNK_WORDS)]
    if pool is None:
        for chunk in chunks:
            yield from _keyed(chunk)
        return
    for part in pool.imap(_keyed, chunks):
        yield from part


def _latin_names(reader: Reader | IndexReader) -> dict[str, int]:
    """{name: documents} for the Latin names of the ``names`` field with the
    evidence of a name, and the pairs of names it holds (with a space)."""
    names: dict[str, int] = {}
    for batch in _batches(_terms(reader, "names"), BATCH_WORDS):
        if hasattr(reader, "prefetch_counts"):  # what name_evidence asks, looked up at once
            words = [term.lstrip(SENTENCE_START) for term in batch if BIGRAM_JOINER not in term]
            reader.prefetch_counts("names", batch + [SENTENCE_START + word for word in words] + words)
            reader.prefetch_counts("body_exact", words)
        _add_names(reader, batch, names)
        if hasattr(reader, "forget_counts"):
            reader.forget_counts()
    return names


def _add_names(reader: Reader | IndexReader, terms: Iterable[str], names: dict[str, int]) -> None:
    for term in terms:
        if BIGRAM_JOINER in term:
            name = term.replace(BIGRAM_JOINER, " ")
            frequency = reader.doc_frequency("names", term)
        elif name_evidence(reader, term.lstrip(SENTENCE_START), True):
            name = term.lstrip(SENTENCE_START)
            frequency = reader.doc_frequency("body_exact", name)
        else:
            continue
        names.setdefault(name, frequency)


def _table_rows(
    reader: Reader | IndexReader,
    names: Mapping[str, int],
    procs: int = 1,
    known: Iterable[tuple[str, list[str]]] = (),
) -> Iterator[tuple[str, str, str, int]]:
    """``(table, key, word, documents)``: every Arabic word of the exact-form
    field under each of its keys, then every Latin name of ``names``.
    ``known`` gives ``(word, keys)`` of an earlier run, in word order
    (skeletons are the costly part; a word's keys never change): only the
    other words are keyed, so a small commit keys only its new words. The
    vocabulary is walked a batch at a time, joined with ``known`` as both
    go: nothing the size of the vocabulary is held."""
    earlier = _Ahead(iter(known))
    store = getattr(reader, "store", None)
    words_hint = store.term_count("body_exact") if store is not None else PARALLEL_MIN_WORDS
    with _keying_pool(procs, words_hint) as pool:
        for batch in _batches(_arabic_frequencies(reader), BATCH_WORDS):
            old = earlier.up_to(batch[-1][0])
            keyed = dict(_skeletons_of([term for term, _ in batch if term not in old], pool))
            for term, frequency in batch:
                keys = old.get(term)
                for key in keyed[term] if keys is None else keys:
                    yield "arabic", key, term, frequency
    for name, frequency in names.items():
        for key in skeletons(name):
            if len(key) >= MIN_SKELETON:
                yield "latin", key, name, frequency


# Arabic words keyed and written at a time (the indexer's memory for the tables).
BATCH_WORDS = 50_000


def _batches(items: Iterable[_Item], size: int) -> Iterator[list[_Item]]:
    """Lists of ``size`` consecutive items (the last may be shorter)."""
    remaining = iter(items)
    while batch := list(itertools.islice(remaining, size)):
        yield batch


class _Ahead:
    """Sorted ``(word, keys)`` pairs taken a stretch at a time."""

    def __init__(self, pairs: Iterator[tuple[str, list[str]]]) -> None:
        self._pairs, self._next = pairs, next(pairs, None)

    def up_to(self, last: str) -> dict[str, list[str]]:
        """{word: keys} of the pairs whose word sorts at or before ``last``."""
        taken: dict[str, list[str]] = {}
        while self._next is not None and self._next[0] <= last:
            taken[self._next[0]] = self._next[1]
            self._next = next(self._pairs, None)
        return taken


def _arabic_frequencies(reader: Reader | IndexReader) -> Iterator[tuple[str, int]]:
    """``(word, documents)`` of the Arabic words of the exact-form field, in
    order (code point order, which is UTF-8's byte order): from the posting
    store's term dictionaries in one merge when the reader has them, else a
    lookup per word."""
    merged = getattr(reader, "lexicon_frequencies", None)
    if merged is not None:
        yield from ((term, df) for term, df in merged("body_exact") if script_of(term) == "ar")
        return
    for term in _terms(reader, "body_exact"):
        if script_of(term) == "ar":
            yield term, reader.doc_frequency("body_exact", term)


class NameKeys:
    """Key → index words, built from one reader's vocabulary: Arabic words
    from the exact-form field, Latin names (and pairs of names, with a space)
    from the ``names`` field. Each list is in order of document frequency."""

    def __init__(
        self,
        reader: Reader | IndexReader | None = None,
        arabic: WordTable | None = None,
        latin: WordTable | None = None,
        closest: CostTable | None = None,
        procs: int = 1,
    ) -> None:
        self.arabic: WordTable = arabic or {}
        self.latin: WordTable = latin or {}
        self.closest: CostTable = closest or {}
        if reader is None or "body_exact" not in reader.schema or "names" not in reader.schema:
            return
        names = _latin_names(reader)
        frequency: dict[tuple[str, str], int] = {}
        for table, key, word, documents in _table_rows(reader, names, procs):
            getattr(self, table).setdefault(key, []).append(word)
            frequency[table, word] = documents
        for table in _TABLES:
            for words in getattr(self, table).values():
                words.sort(key=lambda word, table=table: (-frequency[table, word], word))
        self.closest = self.closest_readings(reader, names)

    def closest_readings(self, reader: Reader | IndexReader, names: Iterable[str]) -> dict[str, float]:
        """{Latin name: the cost of the closest reading of it the Arabic
        vocabulary has}, for the names that have one."""
        closest: dict[str, float] = {}
        for name in names:
            weak = _evidence(reader, name, True) == WEAK_NAME
            readings = [reading_cost(name, term, weak) for term in self.candidates(name, self.arabic)]
            costs = [cost for cost, most in readings if cost <= most]
            if costs:
                closest[name] = min(costs)
        return closest

    def candidates(self, word: str, table: WordTable) -> list[str]:
        found: list[str] = []
        for key in skeletons(word):
            if len(key) >= MIN_SKELETON:
                found += [term for term in table.get(key, ())[:MAX_CANDIDATES] if term not in found]
        return found

    def matches(self, reader: Reader | IndexReader, word: str, typed_capitalised: bool) -> list[str]:
        """Index words in the other script that write the name ``word`` (an
        Arabic word, or one or two Latin words with a space: a pair the names
        field has, else a pair typed capitalised)."""
        if script_of(word) == "ar":
            read = [
                (term, reading_cost(term, word, _evidence(reader, term, True) == WEAK_NAME))
                for term in self.candidates(word, self.latin)
            ]
            # Both ways: the Arabic word must be about as close a reading of the
            # name as the closest one the index has (التكييف is not Tokayev, whose
            # closest reading, توكاييف, is exact). One dict lookup per name.
            read = [(term, cm) for term, cm in read if cm[0] <= self.closest.get(term, INF) + RELATIVE_SLACK]
        else:
            evidence = _evidence(reader, normalize_word(word, "latin"), typed_capitalised)
            if not evidence:
                return []
            read = [
                (term, reading_cost(word, term, evidence == WEAK_NAME)) for term in self.candidates(word, self.arabic)
            ]
        fitting = [(term, cost) for term, (cost, most) in read if cost <= most]
        if not fitting:
            return []
        # Among several readings, only those about as close as the best: توكاييف
        # reads Tokayev exactly, so التكييف, which needs an unwritten o, is out.
        best = min(cost for _, cost in fitting)
        found = [term for term, cost in fitting if cost <= best + RELATIVE_SLACK]
        return found[:MAX_MATCHES]


NAME_KEYS_FILE = "name_keys.sqlite"
# Raised whenever skeletons() would key a word differently: an earlier run's
# keys are reused only when they were made by the same rules.
KEYS_VERSION = 1
_TABLES = ("arabic", "latin")
# The live index version's keys (one version: a new commit's replaces them).
_cache: LRUCache[IndexVersion, _CachedKeys] = LRUCache(maxsize=1)
_cache_lock = threading.Lock()  # a worker's threads share it, and cachetools is not thread-safe


def write_name_keys(ix: SearchIndex, procs: int = 1) -> None:
    """Build the skeleton tables from the index's vocabulary and store them
    beside it, so that no search has to: run by the indexer after a commit
    (its cost grows with the vocabulary, not with the documents). They go
    into an SQLite file that searches read a key at a time, so a serving
    worker does not hold them in memory; and they are built in it, rows
    first, then grouped by key in SQLite's sort, so the indexer does not
    hold them either."""
    folder = Path(ix.storage.folder)
    known = _known_word_keys(folder / NAME_KEYS_FILE)
    temporary = folder / f".{NAME_KEYS_FILE}.{os.getpid()}"
    temporary.unlink(missing_ok=True)
    database = sqlite3.connect(temporary)
    # The rows table and its sort spill to temporary files, not memory: they
    # are as large as the vocabulary times its keys.
    database.execute("PRAGMA temp_store = FILE")
    try:
        with ix.reader() as reader, database:
            database.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID")
            database.execute("CREATE TABLE keys (tbl TEXT, key TEXT, words TEXT, PRIMARY KEY (tbl, key)) WITHOUT ROWID")
            database.execute("CREATE TABLE closest (name TEXT PRIMARY KEY, cost REAL) WITHOUT ROWID")
            database.execute("CREATE TABLE word_keys (word TEXT PRIMARY KEY, keys TEXT) WITHOUT ROWID")
            database.execute("INSERT INTO meta VALUES ('version', ?)", (json.dumps(reader_version(reader)),))
            database.execute("INSERT INTO meta VALUES ('keys_version', ?)", (str(KEYS_VERSION),))
            if "body_exact" in reader.schema and "names" in reader.schema:
                names = _latin_names(reader)
                database.execute("CREATE TEMP TABLE rows (tbl TEXT, key TEXT, word TEXT, documents INTEGER)")
                database.executemany("INSERT INTO rows VALUES (?, ?, ?, ?)", _table_rows(reader, names, procs, known))
                ordered = database.execute("SELECT tbl, key, word FROM rows ORDER BY tbl, key, documents DESC, word")
                grouped = itertools.groupby(ordered, key=lambda row: row[:2])
                database.executemany(
                    "INSERT INTO keys VALUES (?, ?, ?)",
                    (
                        (table, key, "\n".join(row[2] for row in itertools.islice(rows, MAX_CANDIDATES)))
                        for (table, key), rows in grouped
                    ),
                )
                database.execute(
                    "INSERT INTO word_keys SELECT word, group_concat(key, ' ') FROM rows "
                    "WHERE tbl = 'arabic' GROUP BY word"
                )
                database.execute("DROP TABLE rows")
                stored = _stored_keys(database, threading.Lock())
                database.executemany(
                    "INSERT INTO closest VALUES (?, ?)", stored.closest_readings(reader, names).items()
                )
    finally:
        database.close()
    os.replace(temporary, folder / NAME_KEYS_FILE)


def _known_word_keys(path: Path) -> Iterator[tuple[str, list[str]]]:
    """``(word, keys)`` of the Arabic words an earlier run's tables keyed with
    these skeleton rules (KEYS_VERSION), in word order (SQLite's binary
    order of UTF-8 text); nothing when there are none. (A word without keys
    long enough to keep is keyed again: those are few.)"""
    if not path.is_file():
        return
    try:
        database = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return
    try:
        row = database.execute("SELECT value FROM meta WHERE name = 'keys_version'").fetchone()
        if row is None or row[0] != str(KEYS_VERSION):
            return
        for word, keys in database.execute("SELECT word, keys FROM word_keys ORDER BY word"):
            yield word, keys.split(" ")
    except sqlite3.Error:
        return  # damaged, or written before word_keys existed
    finally:
        database.close()


class _Stored:
    """One stored table, read a key at a time (``get``, ``in``, truth)."""

    def __init__(self, database: sqlite3.Connection, lock: threading.Lock, select: str, exists: str) -> None:
        self._database, self._lock, self._select = database, lock, select
        with lock:
            self._any = database.execute(exists).fetchone() is not None

    def get(self, key: str, default: Any = None) -> Any:
        """The key's stored value (a column of SQLite's), or ``default``."""
        with self._lock:
            row = self._database.execute(self._select, (key,)).fetchone()
        return default if row is None else row[0]

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def __bool__(self) -> bool:
        return self._any


class _StoredWords(_Stored):
    def get(self, key: str, default: Any = None) -> Any:
        """The key's words (a list), or ``default``."""
        words = super().get(key)
        return default if words is None else words.split("\n")


# Key -> index words, in order of documents; Latin name -> the cost of its
# closest reading: built in memory, or stored tables read a key at a time.
WordTable = Mapping[str, list[str]] | _StoredWords
CostTable = Mapping[str, float] | _Stored


def _load(folder: str | os.PathLike[str], version: IndexVersion) -> tuple[NameKeys, bool] | None:
    """``(NameKeys of the indexer's stored tables, whether they were written
    for this index version)``, or None when there are none."""
    path = Path(folder) / NAME_KEYS_FILE
    if not path.is_file():
        return None
    try:
        database = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        row = database.execute("SELECT value FROM meta WHERE name = 'version'").fetchone()
    except sqlite3.Error:
        return None  # damaged, or written by an older version
    if row is None:
        database.close()
        return None
    return _stored_keys(database, threading.Lock()), json.loads(row[0]) == json.loads(json.dumps(version))


def _stored_keys(database: sqlite3.Connection, lock: threading.Lock) -> NameKeys:
    """NameKeys reading its tables from ``database`` a key at a time."""
    tables = {
        table: _StoredWords(
            database,
            lock,
            f"SELECT words FROM keys WHERE tbl = '{table}' AND key = ?",
            f"SELECT 1 FROM keys WHERE tbl = '{table}' LIMIT 1",
        )
        for table in _TABLES
    }
    closest = _Stored(database, lock, "SELECT cost FROM closest WHERE name = ?", "SELECT 1 FROM closest LIMIT 1")
    return NameKeys(arabic=tables["arabic"], latin=tables["latin"], closest=closest)


def name_keys(reader: Reader | IndexReader, folder: str | os.PathLike[str] | None = None) -> NameKeys:
    """NameKeys for this reader's index version: the indexer's stored tables.
    Right after a commit, until the indexer has rewritten them (seconds),
    they are the previous commit's, and are read again every few seconds;
    only an index with no stored tables at all (a test's, or one written
    before they existed) has them built from its vocabulary, once."""
    version = reader_version(reader)
    with _cache_lock:
        entry = _cache.get(version)
    if entry is not None and (entry.fresh or time.monotonic() < entry.recheck_at):
        return entry.keys
    loaded = _load(folder, version) if folder else None
    if loaded is None:
        keys, fresh = (entry.keys, False) if entry is not None else (NameKeys(reader), True)
    else:
        keys, fresh = loaded
    with _cache_lock:
        _cache[version] = _CachedKeys(keys, fresh, time.monotonic() + STALE_RECHECK_SECONDS)
    return keys


def tables_are_current(reader: Reader | IndexReader) -> bool:
    """False while this process reads the previous commit's tables for the
    reader's index version (an answer then is not one to keep)."""
    version = reader_version(reader)
    with _cache_lock:
        entry = _cache.get(version)
    return entry is None or entry.fresh


def stored_tables_current(ix: Index | SearchIndex) -> bool:
    """Whether the index's stored tables were written for its current commit
    (``ix`` a Whoosh index: its version needs no posting store)."""
    with ix.reader() as reader:
        loaded = _load(Path(ix.storage.folder), reader_version(reader))
    return loaded is not None and loaded[1]


@dataclass
class _CachedKeys:
    keys: NameKeys
    fresh: bool
    recheck_at: float


# How often a worker looks again for the tables of a new commit.
STALE_RECHECK_SECONDS = 2.0


def index_folder(searcher: Searcher | WhooshSearcher) -> str | None:
    """The folder of the index generation a searcher reads (for stored tables)."""
    storage = getattr(getattr(searcher, "_ix", None), "storage", None)
    return getattr(storage, "folder", None)

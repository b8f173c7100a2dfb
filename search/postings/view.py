"""Whoosh's index, searcher and reader, with the column fields read from the
posting store: what the rest of the code holds when it searches.

``Reader`` answers the term questions (frequencies, prefixes, fuzzy
neighbours, the vocabulary) for the column fields from ``IndexPostings`` and
passes every other question to Whoosh's reader; ``Searcher`` pairs the two
and gives stored documents from Whoosh. Names, suggestions and rewrites ask
these objects exactly what they asked Whoosh's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from whoosh.reading import TermNotFound

from .reader import IndexPostings

if TYPE_CHECKING:
    from whoosh.index import Index
    from whoosh.matching import Matcher
    from whoosh.reading import IndexReader
    from whoosh.searching import Searcher as WhooshSearcher


class Reader:
    """A Whoosh reader whose column fields come from the posting store
    (terms as Whoosh gives them: UTF-8 bytes from ``lexicon`` and
    ``expand_prefix``)."""

    def __init__(self, whoosh_reader: IndexReader, store: IndexPostings) -> None:
        self._whoosh = whoosh_reader
        self.store = store
        self._columns = set(store.fields)
        # (field, text) -> (documents, occurrences), filled by prefetch_counts
        self._counted: dict[tuple[str, str], tuple[int, int]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._whoosh, name)

    def __contains__(self, term: tuple[str, str | bytes]) -> bool:
        field, text = term
        if field in self._columns:
            return self.store.doc_frequency(field, _text(text)) > 0
        return term in self._whoosh

    def prefetch_counts(self, field: str, texts: Iterable[str]) -> None:
        """Look the counts of many terms of a column field up at once; the
        next doc_frequency and frequency calls for them are answered from
        memory (the indexer's pass over the names vocabulary)."""
        for text, counts in self.store.counts_of(field, texts).items():
            self._counted[field, text] = counts

    def forget_counts(self) -> None:
        """Drop what prefetch_counts looked up."""
        self._counted.clear()

    def doc_frequency(self, field: str, text: str | bytes) -> int:
        if field in self._columns:
            counted = self._counted.get((field, _text(text)))
            return counted[0] if counted else self.store.doc_frequency(field, _text(text))
        return self._whoosh.doc_frequency(field, text)

    def frequency(self, field: str, text: str | bytes) -> float:
        """How many times ``text`` occurs in ``field`` (Whoosh sums the weights
        of the fields it indexes: a float there)."""
        if field in self._columns:
            counted = self._counted.get((field, _text(text)))
            return counted[1] if counted else self.store.frequency(field, _text(text))
        return self._whoosh.frequency(field, text)

    def lexicon_frequencies(self, field: str) -> Iterator[tuple[str, int]]:
        """``(term, documents)`` of every term of a column field, in order."""
        return self.store.lexicon_frequencies(field)

    def lexicon(self, field: str) -> Iterator[bytes]:
        if field in self._columns:
            return (term.encode("utf-8") for term in self.store.lexicon(field))
        return self._whoosh.lexicon(field)

    def expand_prefix(self, field: str, prefix: str | bytes) -> Iterator[bytes]:
        if field in self._columns:
            return (term.encode("utf-8") for term in self.store.expand_prefix(field, _text(prefix)))
        return self._whoosh.expand_prefix(field, prefix)

    def prefix_frequencies(self, field: str, prefix: str | bytes) -> dict[str, int]:
        """``{term: documents}`` of the terms of ``field`` starting with ``prefix``."""
        if field in self._columns:
            return self.store.prefix_frequencies(field, _text(prefix))
        return {
            term.decode("utf-8"): self._whoosh.doc_frequency(field, term)
            for term in self._whoosh.expand_prefix(field, prefix)
        }

    def terms_near(self, field: str, text: str | bytes, edits: int) -> set[str] | None:
        """Candidates within ``edits`` of ``text`` (postings.reader), or None."""
        if field in self._columns:
            return self.store.terms_near(field, _text(text), edits)
        return None

    def terms_within(self, field: str, text: str | bytes, maxdist: int, prefix: int = 0) -> Iterable[str]:
        if field in self._columns:
            return self.store.terms_within(field, _text(text), maxdist, prefix)
        return self._whoosh.terms_within(field, text, maxdist, prefix=prefix)

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._whoosh.close()

    def postings(self, field: str, text: str | bytes) -> Matcher:
        if field in self._columns:
            raise TermNotFound(f"{field}:{_text(text)} is read from the posting store")
        return self._whoosh.postings(field, text)


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


class Searcher:
    """A Whoosh searcher (stored documents, the schema) with the posting
    store beside it; a context manager, like Whoosh's."""

    def __init__(self, whoosh_searcher: WhooshSearcher, folder: str) -> None:
        self._whoosh = whoosh_searcher
        self.folder = folder
        self.schema = whoosh_searcher.schema
        self.store = IndexPostings(whoosh_searcher.reader(), folder, self.schema)
        self._reader = Reader(whoosh_searcher.reader(), self.store)

    def reader(self) -> Reader:
        return self._reader

    def __getattr__(self, name: str) -> Any:
        return getattr(self._whoosh, name)

    def refresh(self) -> Searcher:
        """This searcher, or a new one when the index has a newer commit."""
        if self._whoosh.up_to_date():
            return self
        return open_searcher(self._whoosh.refresh, self.folder)

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        return self._whoosh.stored_fields(docnum)

    def close(self) -> None:
        self._whoosh.close()

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# A commit may delete a merged segment's files between the moment a reader
# reads the table of contents and the moment it opens them: Whoosh retries
# its own files; the posting files are retried the same way.
OPEN_ATTEMPTS = 5


def open_searcher(open_whoosh_searcher: Callable[[], WhooshSearcher], folder: str) -> Searcher:
    """A Searcher over a Whoosh searcher from ``open_whoosh_searcher()``,
    opened again (on the newer commit) when a posting file vanished under it."""
    for attempt in range(OPEN_ATTEMPTS):
        whoosh_searcher = open_whoosh_searcher()
        try:
            return Searcher(whoosh_searcher, folder)
        except FileNotFoundError:
            whoosh_searcher.close()
            if attempt == OPEN_ATTEMPTS - 1:
                raise
            time.sleep(0.02 * (attempt + 1))
    raise AssertionError("unreachable")


class SearchIndex:
    """A Whoosh index whose searchers read the posting store too."""

    def __init__(self, whoosh_index: Index) -> None:
        self.whoosh = whoosh_index
        self.folder: str = whoosh_index.storage.folder

    def __getattr__(self, name: str) -> Any:
        return getattr(self.whoosh, name)

    def searcher(self, **kwargs: Any) -> Searcher:
        return open_searcher(lambda: self.whoosh.searcher(**kwargs), self.folder)

    def reader(self) -> Reader:
        whoosh_reader = self.whoosh.reader()
        return Reader(whoosh_reader, IndexPostings(whoosh_reader, self.folder, self.whoosh.schema))

    def close(self) -> None:
        self.whoosh.close()

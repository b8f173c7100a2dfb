"""The index schema, and the analysis profiles it can be built with.

The shipped profile indexes every word twice: its stem (fields ``title`` and
``body``) for recall, and its normalised surface form (``title_exact`` and
``body_exact``) so that a document with the very word the user typed ranks
above one that only shares its stem. The other profiles exist so the quality
harness (bench/quality) can compare them side by side.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from whoosh.analysis import Analyzer, StandardAnalyzer
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema

from .analysis import bilingual_analyzer
from .names.evidence import names_in

if TYPE_CHECKING:
    from .ingest import Document

SHIPPED_PROFILE = "shipped"
# Raised whenever what a field holds changes without its Whoosh definition
# changing (analysis rules, the names field's evidence). Whoosh compares
# fields by their formats, not their analyzers, so the version is written into
# each field's format: an index built before no longer equals make_schema()
# and the indexer rebuilds it (search/index.py) instead of mixing the two.
ANALYSIS_VERSION = 5
TITLE_BOOST = 2.0

# name -> (analyzer factory for the stemmed fields, whether exact fields exist)
PROFILES: dict[str, tuple[Callable[[], Analyzer], bool]] = {
    "stock-standard": (StandardAnalyzer, False),
    "normalise": (lambda: bilingual_analyzer(stopwords=False, stem=False), False),
    "normalise+stem": (lambda: bilingual_analyzer(stopwords=False), False),
    "normalise+stem+stopwords": (bilingual_analyzer, False),
    SHIPPED_PROFILE: (bilingual_analyzer, True),
}
EXACT_FIELDS = {"title": "title_exact", "body": "body_exact"}


def make_schema(profile: str = SHIPPED_PROFILE) -> Schema:
    make_analyzer, with_exact = PROFILES[profile]
    analyzer = make_analyzer()
    fields = {
        "id": ID(stored=True, unique=True),
        "title": TEXT(analyzer=analyzer, stored=True, field_boost=TITLE_BOOST),
        "body": TEXT(analyzer=analyzer, stored=True),
        "lang": ID(stored=True),
        "size": STORED,
        "mtime": STORED,
        "sha256": STORED,
        # A news archive's values (issue 17): the publication date
        # (YYYY-MM-DD) and where it came from, the source (site name or top
        # folder), and the page's lines with those left out of the article
        # (search/ingest/boilerplate.py Page JSON; absent when none were).
        # The posting store keeps them as columns too (postings/build.py).
        "date": STORED,
        "date_source": STORED,
        "source": STORED,
        "page": STORED,
        # [id, size, mtime, sha256] in a column of its own: what an incremental
        # run compares the folder with, read without the stored texts.
        "fingerprint": COLUMN(FingerprintColumn()),
    }
    if with_exact:
        # Stopwords are kept in the exact forms: "to be or not to be" and a
        # phrase's function words are matched there (BM25's idf keeps their
        # weight low), while the stems leave them out.
        surface = bilingual_analyzer(stopwords=False, stem=False)
        fields["title_exact"] = TEXT(analyzer=surface, field_boost=TITLE_BOOST)
        fields["body_exact"] = TEXT(analyzer=surface)
        # Latin words written capitalised mid-sentence: the evidence that a
        # word is a name, for matching names across scripts (search/names/).
        fields["names"] = KEYWORD(lowercase=True, scorable=False)
    schema = Schema(**fields)
    for _, field in schema.items():
        if field.format is not None:
            field.format.analysis_version = ANALYSIS_VERSION  # compared by Format.__eq__
    return schema


class FingerprintColumn(VarBytesColumn):
    """Whoosh's bytes column, equal to any other of its kind, so that a
    schema read back from disk equals make_schema() (Whoosh compares fields
    by their attributes, and columns by identity)."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))


def fingerprint_value(doc_id: str, size: int, mtime: float, sha256: str) -> bytes:
    return json.dumps([doc_id, size, mtime, sha256], ensure_ascii=False).encode("utf-8")


def document_fields(document: Document, schema: Schema) -> dict[str, Any]:
    """The values to index for one ingested Document under ``schema``: each
    field's value, of the type its Whoosh field takes."""
    fields: dict[str, Any] = {
        "id": document.doc_id,
        "title": document.title,
        "body": document.body,
        "lang": document.lang,
        "size": document.size,
        "mtime": document.mtime,
        "sha256": document.sha256,
        "date": document.date,
        "date_source": document.date_source,
        "source": document.source,
        "page": document.page,
        "fingerprint": fingerprint_value(document.doc_id, document.size, document.mtime, document.sha256),
    }
    for stemmed, exact in EXACT_FIELDS.items():
        if exact in schema:
            fields[exact] = fields[stemmed]
    if "names" in schema:
        fields["names"] = names_in(document.body)
    return fields

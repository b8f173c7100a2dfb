"""The columnar posting store and the numpy search core over it.

Whoosh keeps the schema, the stored documents, the query parser and the
index generations; the posting lists of the four text fields (``title``,
``body`` and their ``_exact`` twins, and the ``names`` evidence) live here instead, one file per Whoosh
segment, written by the indexer in the same commit (``MAIN_<segment>.postings``
beside the segment's own files, so Whoosh's commit keeps or deletes it with
the segment):

    per field   the terms, sorted, and a hash table to find one
                per term: its postings' documents and frequencies, contiguous,
                and their word positions, contiguous
    per doc     each field's length, the language, and where each word
                position starts and ends in the body (for snippets)

Every worker memory-maps the files: the pages are shared, nothing is copied.
Matching, BM25F, phrases and the offsets that snippets mark are whole-array
numpy operations (``evaluate``), never a loop over postings in Python.

    segment_file.py   the on-disk container: named arrays, memory-mapped
    build.py          documents (or older segments) -> one segment's arrays
    reader.py         all the segments of a Whoosh reader as one index view
    bm25f.py          the scoring functions, as Whoosh's BM25F defines them
    evaluate.py       a Whoosh query tree -> matching documents and scores
    phrase.py         phrase matching by position arithmetic
"""

# The fields whose postings this store holds: the four text fields, and the
# names-across-scripts evidence (search/names/evidence.py), which is only counted.
# Whoosh holds the others (id, lang).
COLUMN_FIELDS = ("title", "body", "title_exact", "body_exact", "names")
# The field whose word positions carry character offsets (snippets); its
# ``_exact`` twin has the same positions (every word numbered, stopwords too).
OFFSETS_FIELD = "body"

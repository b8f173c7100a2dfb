"""Names across scripts: Tokayev finds توكاييف, and توكاييف finds Tokayev.

Four rooms; each imports only rooms listed before it, never one after:

- readings.py: the readings and keys of a name in either script; pure
  functions of the words (no Whoosh import, nothing of the index);
- evidence.py: which Latin words are names, by the documents (``names_in``
  for the indexer's ``names`` field, and the counts read from a reader);
- tables.py: the key tables, built by the indexer after a commit, stored
  beside the index and read back by searches (imports readings, evidence);
- matching.py: query time: a query's words matched in the other script,
  with places (search/places.py), typo correction (search/suggest.py) and
  Whoosh queries (imports readings, tables).

The indexer (search/index.py, search/schema.py) imports tables and
evidence, never matching (tests/test_layering.py holds it). This file
imports nothing: a caller imports the room that owns what it needs.
"""

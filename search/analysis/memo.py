"""How many words each per-word memo of the analysis keeps.

News vocabulary is Zipfian: a bounded memo of per-word results saves most of
the analysis work, at index time and when snippets re-read stored text, and
the frequent words come straight back after an eviction. The bound is what
keeps an indexer's memory flat on a large, varied corpus: every memo (stems,
normal forms, stop keys, word plans) holds at most this many words.
"""

WORD_CACHE_SIZE = 20_000
# A written word's whole analysis (its plan), per analyzer configuration:
# the memo every indexed word goes through, so a larger one.
PLAN_CACHE_SIZE = 60_000

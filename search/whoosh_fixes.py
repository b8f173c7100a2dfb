"""A fix to Whoosh 2.7.4 that this project depends on, applied on import.

AndNotMatcher (``word -excluded``) checks only whether its two sides start on
the same document; when the excluded side starts earlier it is never moved
forward, so a document containing the excluded word can still be returned
first. Moving the excluded side up before the first comparison, as every
later step already does, fixes it.
"""

from whoosh.matching import binary


def _find_first(self):
    if self.a.is_active() and self.b.is_active():
        self._find_next()


binary.AndNotMatcher._find_first = _find_first

"""BM25F and query matching computed the plain way, for small indexes: every
document's stored text analysed again with the schema's analyzers, term
frequencies counted in dictionaries, each query node evaluated with Python
sets and loops. Independent of the posting store and of numpy: the tests
hold the engine's totals, pages and scores to it.

The scoring is Whoosh 2.7's BM25F as documented in search/postings/bm25f.py:
idf = log(N / (df + 1)) + 1, weight = frequency x field boost, the field
length rounded up to the length its one-byte code stands for, K1 1.2, B 0.75.
"""

from math import log

from whoosh import query as wq
from whoosh.util.numeric import byte_to_length, length_to_byte

from search.postings.evaluate import WORD_BONUS, Counted, Tolerant

K1, B = 1.2, 0.75
SOURCES = {"title": "title", "title_exact": "title", "body": "body", "body_exact": "body"}


class PlainIndex:
    def __init__(self, searcher):
        schema = searcher.schema
        self.fields = [name for name in SOURCES if name in schema]
        self.boosts = {name: schema[name].format.field_boost for name in self.fields}
        self.postings = {name: {} for name in self.fields}  # field -> term -> {doc: [positions]}
        self.lengths = {name: {} for name in self.fields}
        self.langs = {}
        reader = searcher.reader()
        self.count = reader.doc_count_all()
        for docnum, stored in reader.iter_docs():
            self.langs[docnum] = stored.get("lang")
            for name in self.fields:
                text = stored.get(SOURCES[name]) or ""
                length = 0
                for token in schema[name].analyzer(text, positions=True, mode="index"):
                    self.postings[name].setdefault(token.text, {}).setdefault(docnum, []).append(token.pos)
                    length += 1
                self.lengths[name][docnum] = length

    def term(self, field, text):
        docs = self.postings.get(field, {}).get(text, {})
        if not docs:
            return {}
        idf = log(self.count / (len(docs) + 1)) + 1
        average = (sum(self.lengths[field].values()) / self.count) or 1
        scores = {}
        for docnum, positions in docs.items():
            weight = len(positions) * self.boosts[field]
            length = byte_to_length(length_to_byte(self.lengths[field][docnum]))
            scores[docnum] = idf * (weight * (K1 + 1)) / (weight + K1 * ((1 - B) + B * length / average))
        return scores

    def phrase(self, node):
        words = list(node.words)
        parts = [self.term(node.fieldname, word) for word in words]
        if not parts or not all(parts):
            return {}
        common = set.intersection(*(set(part) for part in parts))
        found = {}
        for docnum in common:
            positions = [self.postings[node.fieldname][word][docnum] for word in words]
            spans = {(p, p) for p in positions[0]}
            for following in positions[1:]:
                spans = {(start, p) for start, end in spans for p in following if 1 <= p - end <= max(node.slop, 1)}
            if spans:
                found[docnum] = sum(part[docnum] for part in parts)
        return found

    def evaluate(self, node):
        boost = getattr(node, "boost", 1.0)
        if isinstance(node, type(wq.NullQuery)):
            found = {}
        elif isinstance(node, wq.Term):
            found = self.term(node.fieldname, node.text)
        elif isinstance(node, wq.Phrase):
            found = self.phrase(node)
        elif isinstance(node, wq.Not):
            excluded = self.evaluate(node.query)
            found = {d: 1.0 for d in self.langs if d not in excluded}
        elif isinstance(node, wq.AndNot):
            excluded = self.evaluate(node.b)
            found = {d: s for d, s in self.evaluate(node.a).items() if d not in excluded}
        elif isinstance(node, wq.AndMaybe):  # the left side, plus the right side's score where it matches
            optional = self.evaluate(node.b)
            found = {d: s + optional.get(d, 0.0) for d, s in self.evaluate(node.a).items()}
        elif isinstance(node, wq.Require):  # the left side's documents and scores, where the right side matches
            required = self.evaluate(node.b)
            found = {d: s for d, s in self.evaluate(node.a).items() if d in required}
        elif isinstance(node, wq.And):
            positive = [child for child in node.subqueries if not isinstance(child, wq.Not)]
            parts = [self.evaluate(child) for child in positive]
            keys = set.intersection(*(set(part) for part in parts)) if parts else set(self.langs)
            for child in node.subqueries:
                if isinstance(child, wq.Not):
                    keys -= set(self.evaluate(child.query))
            found = {d: sum(part[d] for part in parts) if parts else 1.0 for d in keys}
        elif isinstance(node, Tolerant):  # the word's documents, then each typo tier's new ones
            found, level_of = {}, {}
            for level, child in zip(((0, False), *node.LEVELS), node.subqueries, strict=False):
                for d, s in self.evaluate(child).items():
                    if d not in found:
                        found[d], level_of[d] = s, level
            found = {d: Typed(level_of[d][0], s, int(level_of[d][1])) for d, s in found.items()}
        elif isinstance(node, Counted):  # a word counted before the score: a constant bonus where it matches
            found = {d: s * boost + WORD_BONUS for d, s in self.evaluate(node.child).items()}
            boost = 1.0
        elif isinstance(node, wq.DisjunctionMax):  # the best child's score (tiebreak: the others' share)
            parts = [self.evaluate(child) for child in node.subqueries]
            found = {}
            for d in {d for part in parts for d in part}:
                scores = [part[d] for part in parts if d in part]
                best = max(scores)
                found[d] = best + node.tiebreak * (sum(scores) - best)
        elif isinstance(node, wq.Or):
            found = {}
            for child in node.subqueries:
                for d, s in self.evaluate(child).items():
                    found[d] = found.get(d, 0.0) + s
        else:
            raise NotImplementedError(type(node).__name__)
        return {d: s * boost for d, s in found.items()}

    def ranked(self, node, lang=None):
        """``[(docnum, score)]`` of every match, best first (lower number first
        on ties); with typo tolerance, ``[(docnum, Typed)]``, fewest typos first."""
        found = self.evaluate(node)
        if lang:
            found = {d: s for d, s in found.items() if self.langs[d] == lang}
        return sorted(
            found.items(), key=lambda item: (_typos(item[1]), _stem_typos(item[1]), -_score(item[1]), item[0])
        )


class Typed:
    """A score kept beside the typos it was matched with (and how many of
    them only in a stem): sums add all three, a boost scales the score only.
    Ranking is by typos, then stem typos, then score."""

    def __init__(self, typos, score, stem_typos=0):
        self.typos, self.score, self.stem_typos = typos, score, stem_typos

    def __add__(self, other):
        return Typed(self.typos + _typos(other), self.score + _score(other), self.stem_typos + _stem_typos(other))

    __radd__ = __add__

    def __mul__(self, boost):
        return Typed(self.typos, self.score * boost, self.stem_typos)

    def __repr__(self):
        return f"Typed({self.typos}, {self.score}, {self.stem_typos})"


def _typos(value):
    return value.typos if isinstance(value, Typed) else 0


def _stem_typos(value):
    return value.stem_typos if isinstance(value, Typed) else 0


def _score(value):
    return value.score if isinstance(value, Typed) else value


def shown_score(value):
    """The score a hit shows: without the word bonuses (search.engine)."""
    return _score(value) % WORD_BONUS

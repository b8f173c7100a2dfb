"""A Whoosh query tree, evaluated over whole posting arrays.

Every node gives ``Matches``: the matching documents (sorted global numbers)
and their scores, with Whoosh's semantics, so a ranking does not move when
the loop leaves Whoosh:

- a term scores BM25F (``bm25f``), times the boosts on its path;
- ``And`` keeps the documents every child has and adds their scores; a
  ``Not`` child removes its documents; an empty child empties it;
- ``Or`` keeps the documents any child has and adds the scores of those
  that match;
- ``AndNot`` is its left side less the documents of its right side;
- a phrase keeps the documents where its words stand in order, each within
  ``slop`` positions of the one before, and scores the sum of its words;
- ``Tolerant`` (ours: a word and the index words a typo or two away) keeps
  the word's documents with their scores, then the documents only its
  one-typo words have, then those only its two-typo words have, each
  tier's scores lowered by ``TYPO_PENALTY`` per typo, so that sums over
  the words of a query rank every document by its typos first, then by
  its score (Meilisearch's typo rule: a tier, not a blend);
- ``Counted`` (ours: an optional function word) adds ``WORD_BONUS`` to the
  documents it matches, so that those with more of a query's words rank
  first (Meilisearch's words rule), then by score.

The language filter and the page are applied by the caller (``rank``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from whoosh import query as wq

from .arrays import members, sum_by_document
from .bm25f import idf, term_scores
from .phrase import phrase_documents

if TYPE_CHECKING:
    from .reader import IndexPostings

_NO_DOCS = np.zeros(0, dtype=np.int64)
_NO_SCORES = np.zeros(0, dtype=np.float64)


# Subtracted from a score once per typo. Scores are sums of BM25 terms, each
# a few units at most, so a score never reaches it: a document's typos and
# its score both come back from the sum (``split_typos``).
TYPO_PENALTY = float(2**25)
# Subtracted once per word matched only through a typo of its stem (a
# sub-tier under the typos of its written form): at most MAX_TOLERANT_WORDS
# (8) of them stay under half a typo, and one is above every word bonus.
STEM_TYPO_PENALTY = float(2**20)


class Tolerant(wq.CompoundQuery):
    """A query word (``subqueries[0]``, its lookups in every field) with
    the index words a typo or two away (``subqueries[1:]``, each an Or of
    terms or NullQuery), in the order of ``LEVELS``: (typos, whether the
    typo is only in the stem) of each. The written forms one typo away
    rank above the stems one typo away, which rank above two typos.
    ``word`` is the word as typed, normalised (for the explanation)."""

    LEVELS = ((1, False), (1, True), (2, False), (2, True))

    JOINT = " TYPO "

    def __init__(self, subqueries: Sequence[wq.Query], boost: float = 1.0, word: str | None = None) -> None:
        super().__init__(subqueries, boost=boost)
        self.word = word

    def apply(self, fn: Callable[[wq.Query], wq.Query]) -> Tolerant:
        return type(self)([fn(q) for q in self.subqueries], boost=self.boost, word=self.word)

    def normalize(self) -> Tolerant:
        return self

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.subqueries == other.subqueries and self.word == other.word

    def __hash__(self) -> int:
        return hash((type(self), tuple(self.subqueries), self.word))


# Added to a score once per optional function word a document has (Counted):
# above any BM25 sum (a 32-word query's stays far below it), and 32 of them
# below one typo. Documents with all the words rank
# first, as Meilisearch's words rule ranks them, then by score.
WORD_BONUS = float(2**14)


class Counted(wq.WrappingQuery):
    """A word whose presence counts before the score: its documents get
    WORD_BONUS on top of their score (an optional function word)."""

    def __init__(self, child: wq.Query, boost: float = 1.0) -> None:
        super().__init__(child)
        self.boost = boost

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.child == other.child and self.boost == other.boost

    def __hash__(self) -> int:
        return hash((type(self), self.child, self.boost))

    def __unicode__(self) -> str:
        return f"COUNTED({self.child})"

    __str__ = __unicode__

    def apply(self, fn: Callable[[wq.Query], wq.Query]) -> Counted:
        return type(self)(fn(self.child), self.boost)

    def normalize(self) -> Counted:
        return type(self)(self.child.normalize(), self.boost)


def split_typos(score: float) -> tuple[int, float]:
    """``(typos, score)`` of a score made with Tolerant and Counted
    queries: the number of typos its document was matched with, and its
    score without the typo penalties and the word bonuses. The penalties
    of stem typos stay under half a typo's, and the bonuses and BM25 under
    one stem typo's, so each part comes back by rounding."""
    typos = round(-score / TYPO_PENALTY)
    rest = score + typos * TYPO_PENALTY
    stem_typos = max(0, -int(rest // STEM_TYPO_PENALTY))
    return typos, (rest + stem_typos * STEM_TYPO_PENALTY) % WORD_BONUS


class BudgetExceeded(Exception):
    """The request's time budget ran out during matching."""


@dataclass(frozen=True)
class Matches:
    docs: np.ndarray  # sorted, unique global document numbers
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.docs)

    def scaled(self, factor: float) -> Matches:
        return self if factor == 1.0 else Matches(self.docs, self.scores * factor)


NOTHING = Matches(_NO_DOCS, _NO_SCORES)


def union(parts: Iterable[Matches], doc_count: int) -> Matches:
    """The documents of any of ``parts``, each scored the sum of its scores."""
    parts = [part for part in parts if len(part)]
    if not parts:
        return NOTHING
    if len(parts) == 1:
        return parts[0]
    docs = np.concatenate([part.docs for part in parts])
    scores = np.concatenate([part.scores for part in parts])
    return Matches(*sum_by_document(docs, scores, doc_count))


def intersection(first: Matches, second: Matches) -> Matches:
    """The documents of both, each scored the sum of its two scores."""
    if len(first) > len(second):
        first, second = second, first
    if not len(first):
        return NOTHING
    at = np.searchsorted(second.docs, first.docs)
    at[at == len(second.docs)] = 0
    both = second.docs[at] == first.docs
    return Matches(first.docs[both], first.scores[both] + second.scores[at[both]])


def intersection_of_all(parts: Sequence[Matches]) -> Matches:
    """The documents of every one of ``parts`` (in the order given), each
    scored the sum of its scores."""
    result = parts[0]
    for part in parts[1:]:
        if not len(result):
            return NOTHING
        result = intersection(result, part)
    return result


def difference(first: Matches, excluded: Matches) -> Matches:
    """``first`` less the documents of ``excluded``."""
    if not len(first) or not len(excluded):
        return first
    keep = ~members(first.docs, excluded.docs)
    return Matches(first.docs[keep], first.scores[keep])


class Evaluator:
    """Evaluates query trees against one IndexPostings (``index``), with a
    deadline (``time.monotonic()`` value, or None) checked between nodes.
    A term of a field the store does not hold (none the parser makes)
    matches nothing."""

    def __init__(self, index: IndexPostings, deadline: float | None = None) -> None:
        self.index = index
        self.deadline = deadline

    def _check_time(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise BudgetExceeded

    def matches(self, node: wq.Query) -> Matches:
        """The live documents matching ``node``, with their scores."""
        found = self.evaluate(node)
        live = self.index.live
        if live is None or not len(found):
            return found
        keep = live[found.docs]
        return Matches(found.docs[keep], found.scores[keep])

    def evaluate(self, node: wq.Query) -> Matches:
        self._check_time()
        boost = getattr(node, "boost", 1.0)
        if isinstance(node, type(wq.NullQuery)):
            return NOTHING
        if isinstance(node, Tolerant):
            return self.tolerant(node).scaled(boost)
        if isinstance(node, Counted):
            found = self.evaluate(node.child)
            return Matches(found.docs, found.scores * boost + WORD_BONUS)
        if isinstance(node, wq.Term):
            return self.term(node.fieldname, node.text).scaled(boost)
        if isinstance(node, wq.Phrase):
            return self.phrase(node).scaled(boost)
        if isinstance(node, wq.Not):
            return _all_but(self, [node]).scaled(boost)
        if isinstance(node, wq.AndNot):
            return difference(self.evaluate(node.a), self.evaluate(node.b)).scaled(boost)
        if isinstance(node, wq.AndMaybe):
            required = self.evaluate(node.a)
            optional = intersection_docs(self.evaluate(node.b), required)
            return union([required, optional], self.index.doc_count_all).scaled(boost)
        if isinstance(node, wq.Require):
            return intersection_docs(self.evaluate(node.a), self.evaluate(node.b)).scaled(boost)
        if isinstance(node, wq.ConstantScoreQuery):
            found = self.evaluate(node.child)
            return Matches(found.docs, np.full(len(found), float(node.score)))
        if isinstance(node, wq.Every):
            return self.everything().scaled(boost)
        if isinstance(node, wq.DisjunctionMax):
            return self.disjunction_max(node).scaled(boost)
        if isinstance(node, wq.And):
            return self.conjunction(node.subqueries).scaled(boost)
        if isinstance(node, wq.Or):
            parts = [self.evaluate(child) for child in node.subqueries]
            return union(parts, self.index.doc_count_all).scaled(boost)
        raise NotImplementedError(f"no evaluation for {type(node).__name__}")

    def conjunction(self, children: Sequence[wq.Query]) -> Matches:
        if not children:
            return NOTHING
        positive: list[wq.Query] = []
        negative: list[wq.Not] = []
        for child in children:
            (negative if isinstance(child, wq.Not) else positive).append(child)
        if not positive:
            return _all_but(self, negative)
        # Rarest first: every later intersection is no larger than the first.
        result = intersection_of_all(sorted((self.evaluate(child) for child in positive), key=len))
        for child in negative:
            result = difference(result, self.evaluate(child.query))
        return result

    def tolerant(self, node: Tolerant) -> Matches:
        found = self.evaluate(node.subqueries[0])
        tiers = [found]
        for (typos, in_stem), child in zip(node.LEVELS, node.subqueries[1:], strict=False):
            extra = self.evaluate(child)
            for earlier in tiers:
                extra = difference(extra, earlier)
            penalty = typos * TYPO_PENALTY + (STEM_TYPO_PENALTY if in_stem else 0.0)
            tiers.append(Matches(extra.docs, extra.scores - penalty))
        return union(tiers, self.index.doc_count_all)

    def disjunction_max(self, node: wq.DisjunctionMax) -> Matches:
        parts = [self.evaluate(child) for child in node.subqueries]
        parts = [part for part in parts if len(part)]
        if not parts:
            return NOTHING
        docs = np.unique(np.concatenate([part.docs for part in parts]))
        best = np.zeros(len(docs))
        total = np.zeros(len(docs))
        for part in parts:
            at = np.searchsorted(docs, part.docs)
            best[at] = np.maximum(best[at], part.scores)
            total[at] += part.scores
        return Matches(docs, best + node.tiebreak * (total - best))

    def everything(self) -> Matches:
        count = self.index.doc_count_all
        return Matches(np.arange(count, dtype=np.int64), np.ones(count))

    def term(self, field: str, text: str | bytes) -> Matches:
        """The documents holding ``text`` in ``field``, scored by BM25F."""
        index = self.index
        if field not in index.lengths:
            return NOTHING
        postings = index.term(field, text)
        if not postings.doc_frequency:
            return NOTHING
        weights = postings.tfs * index.field_boosts[field]
        scores = term_scores(
            weights,
            index.lengths[field][postings.docs],
            idf(index.doc_count_all, postings.doc_frequency),
            index.average_lengths[field],
        )
        return Matches(postings.docs, scores)

    def phrase(self, node: wq.Phrase) -> Matches:
        words = list(node.words)
        if len(words) == 1:
            return self.term(node.fieldname, words[0])
        if not words:
            return NOTHING
        candidates = intersection_of_all([self.term(node.fieldname, word) for word in words])
        if not len(candidates):
            return NOTHING
        postings = [self.index.term(node.fieldname, word) for word in words]
        keep = phrase_documents(candidates.docs, postings, node.slop)
        return Matches(candidates.docs[keep], candidates.scores[keep])


def intersection_docs(found: Matches, within: Matches) -> Matches:
    """The part of ``found`` whose documents are in ``within``."""
    keep = members(found.docs, within.docs)
    return Matches(found.docs[keep], found.scores[keep])


def _all_but(evaluator: Evaluator, negative: Iterable[wq.Query]) -> Matches:
    result = evaluator.everything()
    for child in negative:
        result = difference(result, evaluator.evaluate(child.query))
    return result


def top_documents(found: Matches, count: int) -> np.ndarray:
    """The indexes into ``found`` of its ``count`` best documents: highest
    score first, the lower document number first among equal scores (as
    Whoosh's collector orders them)."""
    if len(found) > count:
        # Everything scoring above the count-th best score, and enough of
        # the documents tied with it, lowest numbers first.
        threshold = np.partition(found.scores, len(found) - count)[len(found) - count]
        above = np.flatnonzero(found.scores > threshold)
        tied = np.flatnonzero(found.scores == threshold)[: count - len(above)]
        chosen = np.concatenate([above, tied])
    else:
        chosen = np.arange(len(found))
    order = np.lexsort((found.docs[chosen], -found.scores[chosen]))
    return chosen[order]

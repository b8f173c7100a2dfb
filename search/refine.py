"""Filters, facets, folded copies and the date order, over a whole match set.

A search's matches (every document and its score, from the posting core)
are narrowed by the request's filters (language, source, year, a date
range, the copies of one document), counted by facet, folded so that one
document stands for its near-duplicates (search/duplicates.py), and ordered
by score or by date. Everything is numpy over the posting store's
per-document values (postings/build.DocumentValues): no loop over matches
in Python, so the cost grows with the matches, not with the page.

Facet counts are multi-select, as the facet filters of Elasticsearch's
``post_filter`` and Meilisearch's facet distribution are commonly used: a
facet's counts apply every filter but its own, so picking ``lang=ar``
still shows how many English documents there are to switch to. They count
documents, copies included (Elasticsearch counts its aggregations before
field collapsing the same way), while ``total`` counts the results shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .postings.build import NO_DATE
from .postings.evaluate import TYPO_PENALTY, Matches

if TYPE_CHECKING:
    from .postings.reader import IndexPostings
    from .query import SearchRequest

FACETS = ("lang", "year", "source")
# Values shown per facet, the most frequent first (an archive of many sites
# would otherwise send every site's name with every response).
MAX_FACET_VALUES = 20


@dataclass(frozen=True)
class Refined:
    """A match set after the filters and folding: ``found`` (the documents
    shown, scores kept), ``similar`` (per document of ``found``, the copies
    folded into it), ``facets`` ({facet: {value: documents}})."""

    found: Matches
    similar: np.ndarray
    facets: dict[str, dict[str, int]]


def years_of(days: np.ndarray) -> np.ndarray:
    """The calendar year of each date (days since 1970-01-01); 0 for NO_DATE."""
    known = days != NO_DATE
    years = np.zeros(len(days), dtype=np.int64)
    years[known] = days[known].astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    return years


def _masks(
    store: IndexPostings,
    docs: np.ndarray,
    request: SearchRequest,
    group_of: np.ndarray | None,
    similar_group: int | None,
) -> dict[str, np.ndarray]:
    """{filter: boolean mask over ``docs``} of the request's filters."""
    masks: dict[str, np.ndarray] = {}
    for name in ("lang", "source"):
        wanted = getattr(request, name)
        if wanted is not None:
            # The matches' codes against the wanted value's (none: no match),
            # not a mask over every document of the index.
            values = store.category_values[name]
            code = values.index(wanted) if wanted in values else -1
            masks[name] = store.category_codes[name][docs] == code
    dates = store.dates[docs]
    if request.year is not None:
        masks["year"] = (dates != NO_DATE) & (years_of(dates) == request.year)
    if request.date_from is not None or request.date_to is not None:
        low = -(2**31) + 1 if request.date_from is None else request.date_from
        high = 2**31 - 1 if request.date_to is None else request.date_to
        masks["date"] = (dates != NO_DATE) & (dates >= low) & (dates <= high)
    if similar_group is not None:
        masks["similar_to"] = (group_of[docs] if group_of is not None else docs) == similar_group
    return masks


def _keep(masks: Mapping[str, np.ndarray], size: int, leave_out: str | None = None) -> np.ndarray:
    keep = np.ones(size, dtype=bool)
    for name, mask in masks.items():
        if name != leave_out:
            keep &= mask
    return keep


def facet_counts(
    store: IndexPostings, docs: np.ndarray, masks: Mapping[str, np.ndarray], picked: Mapping[str, object] | None = None
) -> dict[str, dict[str, int]]:
    """{facet: {value: documents}} over ``docs``, each facet with every
    filter of ``masks`` applied but its own; unknown values (no source, no
    date) are left out. Values by count, then by value; at most
    MAX_FACET_VALUES of each, and always the value ``picked`` ({facet:
    value}) filters by."""
    facets: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        chosen = docs[_keep(masks, len(docs), facet)]
        if facet == "year":
            values, counts = np.unique(years_of(store.dates[chosen]), return_counts=True)
            pairs = [(str(int(value)), int(count)) for value, count in zip(values, counts, strict=True) if value]
        else:
            names = store.category_values[facet]
            counts = np.bincount(store.category_codes[facet][chosen], minlength=len(names))
            pairs = [(names[code], int(count)) for code, count in enumerate(counts.tolist()) if count and names[code]]
        ordered = sorted(pairs, key=lambda pair: (-pair[1], pair[0]))
        shown = ordered[:MAX_FACET_VALUES]
        wanted = (picked or {}).get(facet)
        shown += [pair for pair in ordered[MAX_FACET_VALUES:] if pair[0] == wanted]
        facets[facet] = dict(shown)
    return facets


def fold(found: Matches, group_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(kept, similar)``: the indexes into ``found`` of the best-scoring
    document of each duplicate group (the lowest number among equal
    scores), in ``found``'s order, and how many other matches of its group
    each stands for."""
    if not len(found):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    groups = group_of[found.docs]
    order = np.lexsort((found.docs, -found.scores, groups))
    first = np.ones(len(order), dtype=bool)
    first[1:] = groups[order][1:] != groups[order][:-1]
    kept = np.sort(order[first])
    _, inverse, sizes = np.unique(groups, return_inverse=True, return_counts=True)
    return kept, sizes[inverse[kept]] - 1


def refine(
    store: IndexPostings,
    found: Matches,
    request: SearchRequest,
    group_of: np.ndarray | None = None,
    similar_group: int | None = None,
) -> Refined:
    """Refined of ``found`` for ``request`` (its lang, source, year,
    date_from, date_to and collapse); ``group_of`` maps each document to its
    duplicate group (None: no groups), ``similar_group`` keeps one group."""
    docs = found.docs
    masks = _masks(store, docs, request, group_of, similar_group)
    picked = {"lang": request.lang, "source": request.source, "year": request.year and str(request.year)}
    facets = facet_counts(store, docs, masks, picked)
    keep = _keep(masks, len(docs))
    found = Matches(docs[keep], found.scores[keep])
    similar = np.zeros(len(found), np.int64)
    if request.collapse and group_of is not None and similar_group is None:
        kept, similar = fold(found, group_of)
        found = Matches(found.docs[kept], found.scores[kept])
    return Refined(found, similar, facets)


def newest_first(store: IndexPostings, found: Matches, count: int) -> np.ndarray:
    """The indexes into ``found`` of its ``count`` first documents by date:
    matches without a typo first (the typo tiers stay, as Meilisearch's
    sort rule comes after its typo rule), newest first, unknown dates last,
    then by score and number."""
    tiers = np.rint(np.maximum(-found.scores, 0) / TYPO_PENALTY)
    dates = store.dates[found.docs].astype(np.int64)
    order = np.lexsort((found.docs, -found.scores, -dates, tiers))
    return order[:count]

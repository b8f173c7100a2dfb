"""search/refine.py's numpy filters, facets, folding and date order, held
equal to the plain computation over random match sets."""

import datetime
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.postings.build import NO_DATE, days_of
from search.postings.evaluate import TYPO_PENALTY, Matches
from search.refine import fold, newest_first, refine, years_of

LANGS = ["", "ar", "en"]
SOURCES = ["", "wire", "daily", "weekly"]
EPOCH = datetime.date(1970, 1, 1)


class FakeStore:
    """The per-document values the posting store gives refine.py."""

    def __init__(self, langs, sources, dates):
        self.category_values = {"lang": LANGS, "source": SOURCES}
        self.category_codes = {
            "lang": np.array([LANGS.index(v) for v in langs], dtype=np.uint32),
            "source": np.array([SOURCES.index(v) for v in sources], dtype=np.uint32),
        }
        self.dates = np.array(dates, dtype=np.int32)


def request(**params):
    defaults = {"lang": None, "source": None, "year": None, "date_from": None, "date_to": None, "collapse": True}
    return SimpleNamespace(**(defaults | params))


def year_of(days):
    return (EPOCH + datetime.timedelta(days=int(days))).year if days != NO_DATE else None


documents = st.lists(
    st.tuples(
        st.sampled_from(LANGS),
        st.sampled_from(SOURCES),
        st.one_of(st.just(NO_DATE), st.integers(days_of("1998-01-01"), days_of("2026-12-31"))),
        st.integers(0, 5),  # duplicate group
    ),
    min_size=1,
    max_size=40,
)


@st.composite
def collections(draw):
    docs = draw(documents)
    chosen = sorted(draw(st.sets(st.integers(0, len(docs) - 1), min_size=0, max_size=len(docs))))
    # Scores with ties and typo tiers (negative: a typo's penalty).
    scores = [draw(st.sampled_from([3.0, 2.5, 1.0, 1.0 - TYPO_PENALTY, 2.0 - TYPO_PENALTY])) for _ in chosen]
    store = FakeStore([d[0] for d in docs], [d[1] for d in docs], [d[2] for d in docs])
    group_of = np.array([min(i for i, e in enumerate(docs) if e[3] == d[3]) for d in docs], dtype=np.int64)
    return docs, store, Matches(np.array(chosen, dtype=np.int64), np.array(scores, dtype=np.float64)), group_of


filters = st.fixed_dictionaries(
    {
        "lang": st.sampled_from([None, "ar", "en", "fr"]),
        "source": st.sampled_from([None, "wire", "daily", "nowhere"]),
        "year": st.sampled_from([None, 2001, 2020, 2026]),
        "date_from": st.sampled_from([None, days_of("2000-01-01"), days_of("2020-06-01")]),
        "date_to": st.sampled_from([None, days_of("2010-12-31"), days_of("2026-12-31")]),
    }
)


def plain_keep(doc, params, leave_out=None):
    lang, source, days, _ = doc
    checks = {
        "lang": params["lang"] is None or lang == params["lang"],
        "source": params["source"] is None or source == params["source"],
        "year": params["year"] is None or year_of(days) == params["year"],
        "date": (params["date_from"] is None and params["date_to"] is None)
        or (
            days != NO_DATE
            and (params["date_from"] is None or days >= params["date_from"])
            and (params["date_to"] is None or days <= params["date_to"])
        ),
    }
    return all(ok for name, ok in checks.items() if name != leave_out)


@settings(max_examples=100, deadline=None)
@given(collections(), filters)
def test_facet_counts_equal_counting_each_document(collection, params):
    docs, store, found, group_of = collection
    refined = refine(store, found, request(**params, collapse=False), group_of)
    for facet in ("lang", "year", "source"):
        expected = {}
        for docnum in found.docs.tolist():
            if plain_keep(docs[docnum], params, leave_out=facet):
                value = {"lang": docs[docnum][0], "source": docs[docnum][1], "year": year_of(docs[docnum][2])}[facet]
                if value:
                    expected[str(value)] = expected.get(str(value), 0) + 1
        assert refined.facets[facet] == expected
        assert list(refined.facets[facet].values()) == sorted(refined.facets[facet].values(), reverse=True)
    kept = [d for d in found.docs.tolist() if plain_keep(docs[d], params)]
    assert refined.found.docs.tolist() == kept


@settings(max_examples=100, deadline=None)
@given(collections())
def test_folding_keeps_each_groups_best_match_and_counts_the_rest(collection):
    _, _, found, group_of = collection
    kept, similar = fold(found, group_of)
    best = {}
    for docnum, score in zip(found.docs.tolist(), found.scores.tolist(), strict=True):
        group = int(group_of[docnum])
        if group not in best or (score, -docnum) > (best[group][1], -best[group][0]):
            best[group] = (docnum, score)
    sizes = {}
    for docnum in found.docs.tolist():
        sizes[int(group_of[docnum])] = sizes.get(int(group_of[docnum]), 0) + 1
    expected = sorted(docnum for docnum, _ in best.values())
    assert found.docs[kept].tolist() == expected
    assert similar.tolist() == [sizes[int(group_of[d])] - 1 for d in expected]


@settings(max_examples=100, deadline=None)
@given(collections(), st.integers(1, 50))
def test_newest_first_orders_by_typos_then_date_then_score(collection, count):
    _, store, found, _ = collection
    order = newest_first(store, found, count)

    def key(at):
        score, docnum = float(found.scores[at]), int(found.docs[at])
        typos = round(max(-score, 0) / TYPO_PENALTY)
        return (typos, -int(store.dates[docnum]), -score, docnum)

    assert order.tolist() == sorted(range(len(found)), key=key)[:count]


def test_years_of_reads_calendar_years_and_leaves_unknown_dates_out():
    days = np.array([days_of("2021-01-14"), days_of("1999-12-31"), NO_DATE, days_of("2024-02-29")], dtype=np.int32)
    assert years_of(days).tolist() == [2021, 1999, 0, 2024]


def test_a_date_range_leaves_out_documents_without_a_date():
    store = FakeStore(["ar", "ar"], ["wire", "wire"], [days_of("2021-05-01"), NO_DATE])
    found = Matches(np.array([0, 1]), np.array([1.0, 2.0]))
    refined = refine(store, found, request(date_from=days_of("2021-01-01")))
    assert refined.found.docs.tolist() == [0]
    # Without a date filter the undated document stays, and counts in no year.
    everything = refine(store, found, request())
    assert everything.found.docs.tolist() == [0, 1]
    assert everything.facets["year"] == {"2021": 1}


@pytest.mark.parametrize("chosen", ["ar", "en"])
def test_a_chosen_language_still_counts_the_other_one(chosen):
    store = FakeStore(["ar", "ar", "en"], ["wire", "daily", "wire"], [NO_DATE] * 3)
    found = Matches(np.array([0, 1, 2]), np.array([1.0, 1.0, 1.0]))
    refined = refine(store, found, request(lang=chosen))
    assert refined.facets["lang"] == {"ar": 2, "en": 1}
    assert refined.facets["source"] == ({"daily": 1, "wire": 1} if chosen == "ar" else {"wire": 1})


def test_a_facet_shows_its_most_frequent_values_and_the_chosen_one():
    from search import refine as refine_module

    names = [f"site{n:02d}" for n in range(30)]
    store = FakeStore(["en"] * 465, [], [NO_DATE] * 465)
    store.category_values["source"] = [""] + names
    # site00 has 30 documents, site01 29, ... site29 1.
    codes = [1 + n for n in range(30) for _ in range(30 - n)]
    store.category_codes["source"] = np.array(codes, dtype=np.uint32)
    found = Matches(np.arange(465), np.ones(465))
    facets = refine(store, found, request(collapse=False)).facets["source"]
    assert list(facets) == names[: refine_module.MAX_FACET_VALUES]
    chosen = refine(store, found, request(source="site29", collapse=False)).facets["source"]
    assert list(chosen) == names[: refine_module.MAX_FACET_VALUES] + ["site29"] and chosen["site29"] == 1

"""Typo tolerance's order within a tier: a candidate closer to the typed
word (suggest.edit_cost) weighs more than one further away."""

import pytest

from search import tolerance
from search.suggest import edit_cost

from .indexes import hit_ids, searcher_over

# "boook" is half an edit from "book" (a doubled letter) and a whole edit
# from "brook" (a letter replaced). The brook note is shorter, so BM25
# alone ranks it first; closeness ranks the book note first.
DOCUMENTS = {
    "en/brook.txt": "Field notes\n\nA brook ran past.\n",
    "en/book.txt": "Field notes\n\nShe left the old book on a shelf by the window near the door.\n",
}


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    with searcher_over(tmp_path_factory, "closeness", DOCUMENTS) as searcher:
        yield searcher


def test_the_two_candidates_are_one_typo_away_at_different_costs():
    assert edit_cost("boook", "book") < edit_cost("boook", "brook") <= 1


def test_a_closer_candidate_ranks_first_within_its_tier(searcher):
    assert hit_ids(searcher, "boook") == ["en/book.txt", "en/brook.txt"]


def test_without_closeness_bm25_alone_would_rank_the_further_candidate_first(searcher, monkeypatch):
    monkeypatch.setattr(tolerance, "CLOSENESS", 0.0)
    assert hit_ids(searcher, "boook") == ["en/brook.txt", "en/book.txt"]


@pytest.mark.parametrize("cost", [0.5, 0.75, 1.0, 1.5, 2.0])
def test_closeness_falls_as_the_cost_rises_and_stays_positive(cost):
    assert 0 < tolerance.closeness(cost + 0.25) < tolerance.closeness(cost) < 1

"""Queries built to be expensive: limits counted on the parsed query, one
deadline over every step, expansions bounded per request, and snippets
bounded per document. Run against a 3,000-document index of the speed
benchmark's generated corpus (bench/query_of_death reports their latency at
50,000 documents)."""

import html as html_module
import random
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein
from whoosh import query as wq

from bench.speed.corpus import write_corpus
from search import highlight
from search import query as query_module
from search.deadline import Deadline
from search.engine import search
from search.highlight import MAX_SNIPPET_SPANS, MAX_SPANS_PER_TERM, Span, make_snippet, snippet_spans
from search.index import open_index
from search.query import (
    MAX_EXPANSIONS,
    MAX_FUZZY_WORDS,
    MAX_PREFIX_WORDS,
    MAX_TOTAL_EXPANSIONS,
    BadRequest,
    Expander,
    SearchRequest,
    bound_expansions,
    build_query,
    check_shape,
)
from search.stored_spans import offsets_by_doc

from .plain_snippet import plain_make_snippet

DOCUMENTS = 800
FIELDS = ("title", "body", "title_exact", "body_exact")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """(docs folder, index folder) of 800 generated documents."""
    root = tmp_path_factory.mktemp("generated")
    write_corpus(root / "docs", DOCUMENTS)
    # Two runs, so the index has several segments whatever the cores: the
    # English half, then the Arabic half; through the CLI, which reads on
    # every core (this process has threads, so it would read on one).
    (root / "docs" / "ar").rename(root / "held-back")
    index_with_cli(root / "docs", root / "index")
    (root / "held-back").rename(root / "docs" / "ar")
    index_with_cli(root / "docs", root / "index")
    return root / "docs", root / "index"


def index_with_cli(docs, index):
    command = [sys.executable, "-m", "search", "index", "--docs", str(docs), "--index", str(index), "--quiet"]
    subprocess.run(command, cwd=Path(__file__).resolve().parent.parent, check=True, timeout=600)


@pytest.fixture(scope="module")
def searcher(generated):
    ix = open_index(generated[1])
    with ix.searcher() as searcher:
        yield searcher
    ix.close()


@pytest.fixture(scope="module")
def long_words(searcher):
    """Index words of 8 to 14 letters, as the issue's query of death used."""
    words = [term for term in searcher.store.lexicon("body_exact") if 8 <= len(term) <= 14 and term.isalpha()]
    return random.Random(15).sample(words, 120)


@pytest.fixture
def client(make_app, generated):
    return make_app(*generated).test_client()


# --- limits counted on the parsed query ------------------------------------------


def hostile_shapes(words):
    """The issue's shapes: fuzzy words in parentheses with no spaces, with a
    slash or a comma after them, words joined by commas, many prefixes."""
    return {
        "fuzzy in parentheses": ("".join(f"({w}~2)" for w in words[:35])[:500], "q_too_many"),
        "fuzzy with a slash": (" ".join(f"{w}~2/1" for w in words[: MAX_FUZZY_WORDS + 1]), "q_too_many_fuzzy"),
        "fuzzy with a comma": (" ".join(f"{w}~2," for w in words[: MAX_FUZZY_WORDS + 1]), "q_too_many_fuzzy"),
        "comma-joined words": (",".join(words)[:500], "q_too_many_words"),
        "two-letter prefixes": (" ".join(f"{w[:2]}*" for w in words[:32]), "q_too_many_prefix"),
        "prefixes over the limit": (" ".join(f"{w[:3]}*" for w in words[: MAX_PREFIX_WORDS + 1]), "q_too_many_prefix"),
    }


@pytest.mark.parametrize(
    "shape",
    [
        "fuzzy in parentheses",
        "fuzzy with a slash",
        "fuzzy with a comma",
        "comma-joined words",
        "two-letter prefixes",
        "prefixes over the limit",
    ],
)
def test_the_issues_shapes_are_refused_on_the_parsed_query(client, searcher, long_words, shape):
    text, key = hostile_shapes(long_words)[shape]
    response = client.get("/search", query_string={"q": text})
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["code"] == "bad_request"
    with pytest.raises(BadRequest) as refused:
        check_shape(build_query(searcher.schema, text), 32)
    assert refused.value.key.startswith(key)


@pytest.mark.parametrize("text", ["drought NOT NOT water", "NOT NOT", "a AND NOT NOT b OR"])
def test_operator_sequences_whoosh_cannot_parse_are_read_as_words(client, text):
    """Whoosh's parser raises IndexError on ``x NOT NOT y``: the operators
    are then read as plain words, never a 500."""
    response = client.get("/search", query_string={"q": text})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["partial"] is False


def test_a_repeated_word_is_one_word_and_or_is_not_a_word(searcher, long_words):
    """The parsed query is what costs: the same word 40 times is one lookup,
    and 32 words joined by OR are 32 words, not 63."""
    assert check_shape(build_query(searcher.schema, " ".join([long_words[0]] * 40)), 32).words == 1
    assert check_shape(build_query(searcher.schema, " OR ".join(long_words[:32])), 32).words == 32
    with pytest.raises(BadRequest):
        check_shape(build_query(searcher.schema, " OR ".join(long_words[:33])), 32)


def _expanded_terms(query):
    """How many index terms the expansions of a bound query put in it."""
    return sum(
        len(node.subqueries)
        for node in _walk(query)
        if isinstance(node, wq.Or) and node.subqueries and all(isinstance(c, wq.Term) for c in node.subqueries)
    )


def _walk(node):
    yield node
    for child in node.children():
        yield from _walk(child)


def test_a_request_expands_to_at_most_the_total_whatever_its_words(searcher, long_words):
    prefixes = list(dict.fromkeys(w[:2] for w in long_words[MAX_FUZZY_WORDS:]))[:MAX_PREFIX_WORDS]  # distinct ones
    text = " ".join([f"{w}~2" for w in long_words[:MAX_FUZZY_WORDS]] + [f"{p}*" for p in prefixes])
    query = build_query(searcher.schema, text, False)
    shape = check_shape(query, 32)
    assert shape.fuzzy == MAX_FUZZY_WORDS and shape.prefix == MAX_PREFIX_WORDS
    assert shape.expansions == (MAX_FUZZY_WORDS + MAX_PREFIX_WORDS) * len(FIELDS)
    bound = bound_expansions(query, searcher.reader(), Expander(searcher.reader(), shape.expansion_cap()))
    prefixes_alone = bound_expansions(query, searcher.reader())  # MAX_EXPANSIONS each: over the total
    assert _expanded_terms(prefixes_alone) > MAX_TOTAL_EXPANSIONS
    assert 0 < _expanded_terms(bound) <= MAX_TOTAL_EXPANSIONS


def test_expansions_are_computed_once_per_request(searcher, long_words, monkeypatch):
    calls = []
    real = query_module._expansions
    monkeypatch.setattr(query_module, "_expansions", lambda *args: calls.append(args[0]) or real(*args))
    search(searcher, SearchRequest(f"{long_words[0]}~2 {long_words[1][:3]}* qqqzzz", cross_script=False))
    # All words, then some words: the second pass expands nothing again.
    assert len(calls) == 2 * len(FIELDS)


# --- the deadline ------------------------------------------------------------------


class AsksLeft(Deadline):
    """A deadline that has time for ``asks`` questions, then none."""

    def __init__(self, asks):
        super().__init__(60)
        self.asks = asks

    def left(self):
        self.asks -= 1
        if self.asks < 0:
            self.expired = True
        return not self.expired


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(asks=st.integers(0, 30))
def test_a_deadline_passing_at_any_step_gives_a_partial_answer_or_a_timeout(searcher, long_words, asks):
    text = f"{long_words[0]}~2 {long_words[1][:3]}* {long_words[2]} {long_words[3]}"
    deadline = AsksLeft(asks)
    try:
        response = search(searcher, SearchRequest(text, explain=True), deadline=deadline)
    except Exception as error:  # noqa: BLE001  (the one allowed failure is a timeout)
        assert type(error).__name__ == "QueryTimeout"
        return
    assert response.partial == deadline.expired
    assert len(response.hits) <= response.per_page


# --- the grammar, fuzzed ---------------------------------------------------------------

SEPARATORS = [" ", "  ", ",", "/", "(", ")", " OR ", " AND ", " NOT ", "-", "\u200f", "\u061b"]
SUFFIXES = ["", "", "", "~", "~1", "~2", "~9", "*", "^3", ":"]
PREFIXES = ["", "", "", "title:", "body:", "-", "+", '"', "("]


@st.composite
def hostile_query(draw, words):
    pieces = []
    for _ in range(draw(st.integers(1, 40))):
        word = draw(st.one_of(st.sampled_from(words), st.text(max_size=12)))
        pieces.append(draw(st.sampled_from(PREFIXES)) + word + draw(st.sampled_from(SUFFIXES)))
        pieces.append(draw(st.sampled_from(SEPARATORS)))
    return "".join(pieces)[:500]


def test_fuzzed_queries_are_answered_or_refused_never_a_server_error(client, long_words):
    short = [w[:3] for w in long_words[:20]]

    @settings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(text=hostile_query(long_words[:40] + short + ["the", "في", "انتخابات", "elections"]))
    def check(text):
        response = client.get("/search", query_string={"q": text})
        assert response.status_code in (200, 400, 503), (text, response.status_code)
        body = response.get_json()
        if response.status_code == 200:
            assert len(body["results"]) <= body["per_page"] and body["total"] >= len(body["results"])
            assert isinstance(body["partial"], bool)
        else:
            assert body["error"]["message"]

    check()


# --- the optimisations, held equal to the plain computation ---------------------------------


def test_prefix_frequencies_equal_the_plain_walk_of_the_vocabulary(searcher, long_words):
    store = searcher.store
    assert len(store.segments) > 1  # the counts are added up across segments
    for field in ("body", "body_exact", "title"):
        lexicon = list(store.lexicon(field))
        for prefix in {w[:n] for w in long_words[:15] for n in (1, 2, 4)} | {"zzzz", "ا"}:
            plain = {term: store.doc_frequency(field, term) for term in lexicon if term.startswith(prefix)}
            assert store.prefix_frequencies(field, prefix) == plain
            assert store.expand_prefix(field, prefix) == sorted(plain)


def test_terms_within_equals_the_plain_edit_distance_over_the_vocabulary(searcher, long_words):
    store = searcher.store
    lexicon = list(store.lexicon("body_exact"))
    for word in long_words[:6] + [w[:-1] + "x" for w in long_words[6:10]]:
        for edits, prefix in ((1, 1), (2, 1), (2, 3), (1, 0)):
            plain = sorted(
                term for term in lexicon if term[:prefix] == word[:prefix] and Levenshtein.distance(term, word) <= edits
            )
            assert store.terms_within("body_exact", word, edits, prefix) == plain
            # And the path for posting files written before the shape groups.
            assert store._terms_within_vocabulary("body_exact", word, edits, prefix) == plain


def test_the_first_matches_per_document_are_the_plain_ones_cut(searcher, long_words):
    store = searcher.store
    term = max(long_words[:30], key=lambda w: store.doc_frequency("body_exact", w))
    docnums = store.term("body_exact", term).docs[:20].tolist()
    texts = [searcher.stored_fields(d)["body"] for d in docnums]
    every = offsets_by_doc(store, "body_exact", [term], docnums, texts)
    for limit in (1, 2, 5):
        cut = offsets_by_doc(store, "body_exact", [term], docnums, texts, limit)
        assert cut == {d: {s: every[d][s] for s in sorted(every[d])[:limit]} for d in docnums}


def _spans_of(text, terms):
    return [
        Span(match.start(), match.end(), match.group().lower())
        for match in re.finditer(r"\w+", text)
        if match.group().lower() in terms
    ]


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    words=st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "news", "qq", "z"]), min_size=1, max_size=160),
    breaks=st.lists(st.sampled_from([" ", " ", " ", "\n", "  ", ". "]), min_size=160, max_size=160),
    terms=st.sets(st.sampled_from(["alpha", "beta", "gamma", "delta"]), max_size=4),
    title_words=st.integers(0, 3),
)
def test_snippets_equal_the_plain_quadratic_choice(words, breaks, terms, title_words):
    text = "".join(word + gap for word, gap in zip(words, breaks, strict=False))
    title = " ".join(words[:title_words])
    spans = _spans_of(text, terms)
    skip = highlight.title_ranges(text, title)
    kept = snippet_spans(spans)
    assert make_snippet(text, spans, skip) == plain_make_snippet(text, kept, skip)


def test_a_document_with_twenty_thousand_matches_costs_a_bounded_number_of_windows(monkeypatch):
    rng = np.random.default_rng(3)
    words = rng.choice(["drought", "water", "river", "dam", "plain"], size=40_000).tolist()
    text = " ".join(words)
    spans = _spans_of(text, {"drought", "water", "dam"})
    assert len(spans) > 20_000
    windows = []
    real = highlight._window
    monkeypatch.setattr(highlight, "_window", lambda *args: windows.append(1) or real(*args))
    snippet = make_snippet(text, spans, highlight.title_ranges(text, "drought water"))
    assert "<mark>" in snippet
    # At most three choices (one passage, then how many, then the passages), each over the kept matches.
    assert len(windows) <= 3 * MAX_SNIPPET_SPANS
    kept = snippet_spans(spans)
    assert len(kept) == min(MAX_SNIPPET_SPANS, 3 * MAX_SPANS_PER_TERM)
    assert {s.term for s in kept} == {"drought", "water", "dam"}


def test_expansion_cap_shares_the_total_between_lookups():
    from search.query import QueryShape

    assert QueryShape(1, 1, 0, 4).expansion_cap() == MAX_EXPANSIONS
    assert QueryShape(12, 4, 8, 48).expansion_cap() == MAX_TOTAL_EXPANSIONS // 48
    assert QueryShape(12, 4, 8, 48).expansion_cap() * 48 <= MAX_TOTAL_EXPANSIONS


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    frequency=st.dictionaries(st.text(alphabet="abzابي\u0640", min_size=1, max_size=6), st.integers(1, 6)),
    count=st.sampled_from([1, 2, 5, 64]),
)
def test_most_frequent_equals_the_plain_sort(frequency, count):
    from search.query import most_frequent

    assert most_frequent(frequency, count) == sorted(frequency, key=lambda t: (-frequency[t], t))[:count]


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(
    a=st.text(alphabet="abcdeاإبتثلمنوىيء\u0640", max_size=12),
    b=st.text(alphabet="abcdeاإبتثلمنوىيء\u0640", max_size=12),
)
def test_letter_masks_never_rule_out_a_term_within_the_edits(a, b):
    """The fuzzy matcher skips terms whose letter masks differ in more than
    2k bits: that must never skip one within k edits."""
    from search.postings.build import letter_mask

    assert int(np.bitwise_count(np.uint64(letter_mask(a) ^ letter_mask(b)))) <= 2 * Levenshtein.distance(a, b)


def test_a_snippet_of_text_with_no_spaces_stays_near_its_matches():
    """A CSV line or minified JSON has no word boundaries to walk to: the
    fragment edges move at most MAX_BOUNDARY_WALK characters, never to the
    ends of a text of a million characters."""
    text = ",".join(["budget", "vote", "elections", "parliament"] * 60_000)
    spans = _spans_of(text, {"elections"})
    snippet = make_snippet(text, spans)
    plain = html_module.unescape(snippet.replace("<mark>", "").replace("</mark>", ""))
    assert "<mark>elections</mark>" in snippet
    assert len(plain) <= highlight.SNIPPET_CHARS + 2 * highlight.MAX_BOUNDARY_WALK + 4
    assert len(highlight.plain_snippet(text)) <= highlight.SNIPPET_CHARS + highlight.MAX_BOUNDARY_WALK + 2


def test_the_typo_rewrite_stops_at_the_deadline(searcher, long_words, monkeypatch):
    """The rewrite corrects one unknown word at a time and asks the deadline
    before each; past it, no rewrite (and the answer is partial)."""
    from search import rewrite, suggest

    corrected = []
    real = suggest.best_correction
    monkeypatch.setattr(suggest, "best_correction", lambda *args: corrected.append(args[1]) or real(*args))
    # Latin words: a Latin "q" at the end of an Arabic word would split it in two.
    text = " ".join(word[:-1] + "q" for word in [w for w in long_words if w.isascii()][:3])
    assert rewrite.typo_rewrite(searcher, text, AsksLeft(1)) is None
    assert len(corrected) == 1
    corrected.clear()
    rewrite.typo_rewrite(searcher, text, AsksLeft(10))
    assert len(corrected) == 3
    corrected.clear()
    many = " ".join(word[:-1] + "q" for word in long_words[:8])  # more unknown words than a typo makes
    assert rewrite.typo_rewrite(searcher, many, AsksLeft(10)) is None and not corrected


def test_suggestion_candidates_from_the_letter_groups_equal_the_vocabulary_walk(searcher, long_words):
    """Did-you-mean reads its candidates from the posting store's groups
    (any first letter, Damerau edits); they must be the words the walk over
    the whole vocabulary finds."""
    from search.suggest import Vocabulary

    reader = searcher.reader()
    grouped = Vocabulary(reader, "body_exact")
    # The same class over a reader that offers only the lexicon: it walks it.
    plain_reader = type("Plain", (), {"lexicon": staticmethod(lambda field: reader.lexicon(field))})()
    walked = Vocabulary(plain_reader, "body_exact")
    typos = [w[1:] for w in long_words[:5]] + [w[:2] + w[3] + w[2] + w[4:] for w in long_words[5:10]]
    for word in long_words[:5] + typos:
        for edits in (1, 2):
            assert sorted(grouped.within(word, edits)) == sorted(walked.within(word, edits))
    assert any(grouped.within(word, 2) for word in typos)

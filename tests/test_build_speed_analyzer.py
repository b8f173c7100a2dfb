"""The fused analyzer gives exactly the tokens of the filter chain it replaces,
and its ``index_postings`` gives exactly the positions, offsets and word
spans the posting store is built from (build speed)."""

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.fields import TEXT

from search.analysis import bilingual_analyzer, surface_analyzer
from search.analysis.analyzers import BilingualAnalyzer, bilingual_chain, word_spans
from search.analysis.arabic import ARABIC_STOPWORDS
from search.analysis.english import ENGLISH_STOPWORDS
from search.schema import make_schema

PURE = settings(max_examples=300, deadline=None, derandomize=True, database=None)
CONFIGS = [(True, True), (True, False), (False, True), (False, False)]
MISSING = object()

arabic_char = st.one_of(
    st.characters(min_codepoint=0x0621, max_codepoint=0x064A),  # letters
    st.characters(min_codepoint=0x064B, max_codepoint=0x0652),  # harakat
    st.sampled_from("\u0640\u0670\u0671\u0672\u06a9\u06cc\u06c0"),  # tatweel, superscript alef, wasla, Persian
    st.characters(min_codepoint=0xFE70, max_codepoint=0xFEFC),  # presentation forms B
    st.characters(min_codepoint=0xFB50, max_codepoint=0xFBB1),  # presentation forms A
    st.sampled_from("\ufdf2\ufdfa\ufdfb\ufefb\ufef5"),  # ligatures (Allah, ﷺ, lam-alef)
    st.sampled_from("\u200b\u200c\u200d\u200e\u200f\u061c\ufeff\u00ad\u202b\u202c\u2067"),  # ZWNJ, marks
    st.characters(min_codepoint=0x0660, max_codepoint=0x0669),  # Arabic-Indic digits
    st.characters(min_codepoint=0x06F0, max_codepoint=0x06F9),  # Persian digits
)
latin_char = st.one_of(
    st.characters(min_codepoint=ord("A"), max_codepoint=ord("Z")),
    st.characters(min_codepoint=ord("a"), max_codepoint=ord("z")),
    st.characters(min_codepoint=ord("0"), max_codepoint=ord("9")),
    st.sampled_from("éÉßİıﬁÆœ\u0301\u0308²½"),
)
separator = st.sampled_from([" ", "  ", "\n", "،", "؛", "؟", ".", ",", "-", "_", "«", "»", "'", ""])
# Whole words that exercise the stop list and the waw rules, in both scripts.
sample_word = st.sampled_from(
    [
        *sorted(ARABIC_STOPWORDS)[::37],
        *sorted(ENGLISH_STOPWORDS)[::5],
        "والانتخابات",
        "وزير",
        "الوزير",
        "ولل",
        "وبالتالي",
        "الـOSCE",
        "إمام",
        "أمام",
        "مسؤول",
        "مسئول",
        "لبنان",
        "The",
        "observers",
        "ﷺ",
        "ﷲ",
        "\u0640\u0640",
        "\u064e",
    ]
)
chunk = st.one_of(
    sample_word, st.text(arabic_char, min_size=1, max_size=8), st.text(latin_char, min_size=1, max_size=8)
)
mixed_text = st.lists(st.tuples(chunk, separator), max_size=25).map(lambda parts: "".join(a + b for a, b in parts))
any_text = st.one_of(mixed_text, st.text(max_size=60))

CALLS = [
    {"positions": True, "chars": True, "mode": "index"},
    {"positions": True, "chars": True, "mode": "query"},
    {"positions": True, "chars": True},
    {"positions": True, "removestops": False, "mode": "index", "chars": True},
    {"positions": True, "removestops": False, "mode": "query", "keeporiginal": True},
    {"positions": True, "chars": True, "start_pos": 7, "start_char": 11, "mode": "index", "boosts": True},
    {"chars": True, "mode": "query", "removestops": False},
    {"mode": "index"},
    {"tokenize": False, "positions": True, "chars": True, "mode": "query", "start_pos": 3, "start_char": 5},
    {"tokenize": False, "positions": True, "chars": True, "mode": "index", "removestops": False},
]
ATTRIBUTES = ("text", "pos", "startchar", "endchar", "boost", "stopped", "original", "script", "boosts")


def tokens(analyzer, text, **kwargs):
    return [tuple(getattr(t, name, MISSING) for name in ATTRIBUTES) for t in analyzer(text, **kwargs)]


@pytest.mark.parametrize(("stopwords", "stem"), CONFIGS)
@given(text=any_text)
@PURE
def test_fused_analyzer_gives_the_chains_tokens(stopwords, stem, text):
    fused, chain = BilingualAnalyzer(stopwords, stem), bilingual_chain(stopwords, stem)
    for kwargs in CALLS:
        assert tokens(fused, text, **kwargs) == tokens(chain, text, **kwargs), kwargs


@pytest.mark.parametrize(("stopwords", "stem"), CONFIGS)
@pytest.mark.parametrize("chars", [False, True])
@given(text=any_text)
@PURE
def test_index_postings_are_what_whoosh_gathers_from_the_tokens(stopwords, stem, chars, text):
    field = TEXT(analyzer=BilingualAnalyzer(stopwords, stem), chars=chars)
    expected = {}
    for t in field.analyzer(text, positions=True, chars=chars, mode="index"):
        expected.setdefault(t.text, []).append((t.pos, t.startchar, t.endchar) if chars else t.pos)
    assert field.analyzer.index_postings(text, chars=chars) == expected


@pytest.mark.parametrize(("stopwords", "stem"), CONFIGS)
@given(text=any_text)
@PURE
def test_index_postings_spans_give_each_positions_word(stopwords, stem, text):
    analyzer = BilingualAnalyzer(stopwords, stem)
    spans = []
    postings = analyzer.index_postings(text, spans=spans)
    for t in analyzer(text, positions=True, chars=True, mode="index"):
        assert spans[t.pos] == (t.startchar, t.endchar)
    # Every normalised word has a position and a span, a stopword too.
    every_word = {t.pos for t in analyzer(text, positions=True, removestops=False, mode="index")}
    assert set(range(len(spans))) == every_word
    assert all(p < len(spans) for found in postings.values() for p in found)


@pytest.mark.parametrize("text", ["وقال الوزير إن بعثة OSCE في الـOSCE ﷺ", "في الانتخابات", "", "، ؟"])
def test_stemmed_and_surface_fields_share_positions(text):
    stemmed, surface = [], []
    bilingual_analyzer().index_postings(text, spans=stemmed)
    surface_analyzer().index_postings(text, spans=surface)
    assert stemmed == surface


def test_known_text_tokens_and_offsets():
    text = "وقال الوزير إن بعثة OSCE في الـOSCE ﷺ"
    assert tokens(bilingual_analyzer(), text, positions=True, chars=True) == tokens(
        bilingual_chain(), text, positions=True, chars=True
    )
    # وقال gives two stems at one position; إن and في are stopwords (their
    # positions left empty); الـ is a bare article; ﷺ is four words with
    # the ligature's offsets, عليه a stopword among them.
    assert [
        (t.text, t.pos, t.startchar, t.endchar) for t in bilingual_analyzer()(text, positions=True, chars=True)
    ] == [
        ("قال", 0, 0, 4),
        ("وقال", 0, 0, 4),
        ("وزير", 1, 5, 11),
        ("بعث", 3, 15, 19),
        ("osc", 4, 20, 24),
        ("osc", 7, 31, 35),
        ("صل", 8, 36, 37),
        ("له", 9, 36, 37),
        ("سلم", 11, 36, 37),
        ("وسلم", 11, 36, 37),
    ]


def test_fused_analyzer_pickles_and_compares():
    for stopwords, stem in CONFIGS:
        analyzer = BilingualAnalyzer(stopwords, stem)
        copy = pickle.loads(pickle.dumps(analyzer))
        assert copy == analyzer and type(copy) is BilingualAnalyzer
        assert [t.text for t in copy("والانتخابات في OSCE")] == [t.text for t in analyzer("والانتخابات في OSCE")]
        for other in CONFIGS:
            assert (BilingualAnalyzer(*other) == analyzer) == (other == (stopwords, stem))
    assert bilingual_analyzer() != bilingual_chain()
    schema = make_schema()
    assert pickle.loads(pickle.dumps(schema)) == schema
    assert make_schema() == schema
    # Whoosh's field equality ignores analyzers: compare them directly.
    copied = pickle.loads(pickle.dumps(schema))
    assert [copied[name].analyzer for name in ("title", "title_exact")] == [bilingual_analyzer(), surface_analyzer()]


@pytest.mark.parametrize("stem", [True, False])
@given(text=any_text)
@PURE
def test_word_spans_are_the_same_for_the_fused_analyzer_and_the_chain(stem, text):
    fused, chain = BilingualAnalyzer(True, stem), bilingual_chain(True, stem)
    assert list(word_spans(text, fused)) == list(word_spans(text, chain))
    indexed = {(t.startchar, t.endchar, t.text) for t in chain(text, chars=True, mode="index")}
    assert {(s, e, term) for s, e, terms in word_spans(text, fused) for term in terms} == indexed


@pytest.mark.parametrize("stem", [True, False])
@given(text=any_text)
@PURE
def test_word_spans_of_an_analyzer_keeping_stopwords_are_its_index_tokens(stem, text):
    chain = bilingual_chain(False, stem)
    indexed = {(t.startchar, t.endchar, t.text) for t in chain(text, chars=True, mode="index")}
    spans = word_spans(text, BilingualAnalyzer(False, stem))
    assert {(s, e, term) for s, e, terms in spans for term in terms} == indexed


def test_word_spans_for_our_analyzers_and_stop_filtering_chains():
    assert list(word_spans("في نص", BilingualAnalyzer(stopwords=False))) == [(0, 2, ("في",)), (3, 5, ("نص",))]
    assert word_spans("نص", bilingual_chain(stopwords=False)) is None
    assert list(word_spans("في الانتخابات", bilingual_analyzer())) == [(0, 2, ()), (3, 13, ("انتخاب",))]

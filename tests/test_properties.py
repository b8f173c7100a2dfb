"""Property tests (Hypothesis): the analyzer, the highlighter and the HTTP
surface hold their promises for any input, not only for the examples the
other test files chose.

Runs are derandomized (the same examples on every run, so CI is
reproducible) and keep no example database.
"""

import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.analysis import bilingual_analyzer, normalize_word, surface_analyzer
from search.highlight import find_spans, make_snippet, mark_document, title_ranges

PURE = settings(max_examples=200, deadline=None, derandomize=True, database=None)
HTTP = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    # The test client is stateless between requests (no rate limit by default),
    # so one per test function serves every example.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# --- strategies ----------------------------------------------------------------

# Unicode text as HTTP can carry it: anything but lone surrogates.
unicode_text = st.characters(exclude_categories=("Cs",))

arabic_messy_char = st.one_of(
    st.characters(min_codepoint=0x0621, max_codepoint=0x064A),  # letters
    st.characters(min_codepoint=0x064B, max_codepoint=0x0652),  # harakat
    st.sampled_from("\u0640\u0670\u0671"),  # tatweel, superscript alef, alef wasla
    st.characters(min_codepoint=0xFE70, max_codepoint=0xFEFC),  # presentation forms B
    st.sampled_from("\ufdf2\ufdfa\ufdfb\ufefb\ufef5"),  # ligatures (Allah, ﷺ, lam-alef)
    st.sampled_from("\u200c\u200d\u200e\u200f\u061c\ufeff\u00ad\u202b\u202c"),  # ZWNJ, RLM, ...
    st.characters(min_codepoint=0x0660, max_codepoint=0x0669),  # Arabic-Indic digits
    st.characters(min_codepoint=0x06F0, max_codepoint=0x06F9),  # Persian digits
    st.sampled_from("کیۀی"),  # Persian letters
)
latin_char = st.one_of(
    st.characters(min_codepoint=ord("A"), max_codepoint=ord("Z")),
    st.characters(min_codepoint=ord("a"), max_codepoint=ord("z")),
    st.sampled_from("éÉßİıﬁÆœ\u0301\u0308"),  # accents, ligatures, combining marks
    st.characters(min_codepoint=ord("0"), max_codepoint=ord("9")),
)
punctuation_char = st.sampled_from(" \t\n\r.,;:!?\"'()[]{}<>&-_*~^/\\|،؛؟«»…—")
biased_char = st.one_of(arabic_messy_char, latin_char, punctuation_char)

any_text = st.one_of(st.text(unicode_text, max_size=120), st.text(biased_char, max_size=120))

# Query strings: raw Unicode (control characters included), the biased
# alphabet, and sequences of query-syntax fragments.
QUERY_FRAGMENTS = [
    "title:",
    "body:",
    "unknown:",
    "OR",
    "AND",
    "NOT",
    "-",
    "+",
    '"',
    "(",
    ")",
    "*",
    "?",
    "~",
    "~2",
    "~99",
    "^",
    "^3",
    "[",
    "]",
    "TO",
    "{",
    "}",
    "drought",
    "droug*",
    "observers~",
    "الانتخابات",
    "انتخ*",
    "الإنتخابات~2",
    "في",
    "the",
    "OSCE",
    '"election observers"~1000000',
    "x~99",
    "a*",
    "\x00",
    "\x1b",
    "%ff",
]
query_from_fragments = st.lists(st.sampled_from(QUERY_FRAGMENTS), max_size=40).map(" ".join)
any_query = st.one_of(
    st.text(unicode_text, max_size=600),
    st.text(biased_char, max_size=600),
    query_from_fragments,
)
parameter_value = st.one_of(
    st.text(unicode_text, max_size=30),
    st.sampled_from(["", "0", "1", "-1", "50", "51", "100", "1e3", "10" * 20, "ar", "en", "AR", "all", "true", "2"]),
)


# --- (1) the analyzer ------------------------------------------------------------


def analyse(analyzer, text, mode):
    """(text, start, end, script) of every token; Whoosh reuses one Token object."""
    return [(t.text, t.startchar, t.endchar, t.script) for t in analyzer(text, chars=True, mode=mode)]


ANALYZERS = {"bilingual": bilingual_analyzer(), "surface": surface_analyzer()}


@pytest.mark.parametrize("mode", ["index", "query"])
@pytest.mark.parametrize("name", sorted(ANALYZERS))
@given(text=any_text)
@PURE
def test_analyzer_tokens_lie_inside_the_text_and_come_from_their_own_slice(name, mode, text):
    analyzer = ANALYZERS[name]
    for token, start, end, script in analyse(analyzer, text, mode):
        assert 0 <= start < end <= len(text), (token, start, end)
        assert token, (start, end)
        assert script in ("ar", "latin")
        alone = [word for word, *_ in analyse(analyzer, text[start:end], mode)]
        assert token in alone, (token, text[start:end], alone)


@given(text=any_text)
@PURE
def test_surface_token_is_a_word_of_its_normalised_slice(text):
    for token, start, end, script in analyse(ANALYZERS["surface"], text, "index"):
        assert token in normalize_word(text[start:end], script).split(), (token, text[start:end])


# --- (2) the highlighter -----------------------------------------------------------

ALLOWED_TAGS = {("mark", ()), ("mark", (("id", "first-match"),))}
OUR_TAGS = re.compile(r'<mark(?: id="first-match")?>|</mark>')


class MarkupChecker(HTMLParser):
    """Records every tag and anything that is not plain text or a tag."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.depth, self.problems = [], 0, []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(attrs)))
        self.depth += 1
        if self.depth > 1:
            self.problems.append(f"nested <{tag}>")

    def handle_endtag(self, tag):
        self.depth -= 1
        if tag != "mark" or self.depth < 0:
            self.problems.append(f"stray </{tag}>")

    def handle_startendtag(self, tag, attrs):
        self.problems.append(f"self-closing <{tag}/>")

    def handle_comment(self, data):
        self.problems.append("comment")

    def handle_decl(self, decl):
        self.problems.append("declaration")

    def handle_pi(self, data):
        self.problems.append("processing instruction")

    def unknown_decl(self, data):
        self.problems.append("unknown declaration")


def assert_only_balanced_marks(fragment):
    checker = MarkupChecker()
    checker.feed(fragment)
    checker.close()
    assert checker.problems == [], (checker.problems, fragment)
    assert set(checker.tags) <= ALLOWED_TAGS, (checker.tags, fragment)
    assert checker.depth == 0, fragment
    # Outside our own tags nothing may look like markup: < and > are escaped.
    rest = OUR_TAGS.sub("", fragment)
    assert "<" not in rest and ">" not in rest, fragment
    return rest


@st.composite
def text_with_query(draw):
    """A text, terms drawn from its own words (as the engine gets them from a
    query and as they are indexed) and a title that may be a part of it."""
    text = draw(any_text)
    analyzer = ANALYZERS["bilingual"]
    words = text.split()
    chosen = draw(st.lists(st.sampled_from(words), max_size=4)) if words else []
    terms = {token for word in chosen for token, *_ in analyse(analyzer, word, "query")}
    indexed = sorted({token for token, *_ in analyse(analyzer, text, "index")})
    if indexed:
        terms |= set(draw(st.lists(st.sampled_from(indexed), max_size=4)))
    start = draw(st.integers(0, len(text)))
    title = draw(st.one_of(st.just(text[start : start + draw(st.integers(0, 40))]), any_text))
    return text, terms, title


@given(case=text_with_query())
@PURE
def test_snippet_is_escaped_text_with_balanced_marks_only(case):
    text, terms, title = case
    spans = find_spans(text, terms, ANALYZERS["bilingual"])
    snippet = make_snippet(text, spans, title_ranges(text, title))
    assert_only_balanced_marks(snippet)


@given(case=text_with_query())
@PURE
def test_marked_document_is_the_exact_text_with_balanced_marks_only(case):
    text, terms, _ = case
    spans = find_spans(text, terms, ANALYZERS["bilingual"])
    marked = mark_document(text, spans)
    rest = assert_only_balanced_marks(marked)
    assert html.unescape(rest) == text
    assert marked.count("<mark") == len(spans)
    if spans:
        assert marked.count('id="first-match"') == 1


# --- (3) the HTTP surface --------------------------------------------------------------


def assert_json_answer(response):
    assert response.status_code in (200, 400, 429), response.status_code
    assert response.mimetype == "application/json"
    body = response.get_json()
    if response.status_code == 200:
        assert {"query", "total", "results"} <= set(body)
    else:
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return body


@given(q=any_query)
@HTTP
def test_search_api_answers_any_query_with_json_never_a_500(client, q):
    body = assert_json_answer(client.get("/search", query_string={"q": q}))
    if "query" in body:
        assert body["query"] == q.strip()


@given(q=any_query)
@HTTP
def test_search_page_answers_any_query_with_a_page_never_a_500(client, q):
    response = client.get("/", query_string={"q": q})
    assert response.status_code in (200, 400), response.status_code
    assert response.mimetype == "text/html"
    assert "Traceback" not in response.get_data(as_text=True)


@given(
    page=parameter_value,
    per_page=parameter_value,
    lang=parameter_value,
    explain=parameter_value,
)
@HTTP
def test_any_paging_language_and_explain_values_are_a_200_or_a_400(client, page, per_page, lang, explain):
    params = {"q": "drought", "page": page, "per_page": per_page, "lang": lang, "explain": explain}
    assert_json_answer(client.get("/search", query_string=params))
    response = client.get("/", query_string=params)
    assert response.status_code in (200, 400), response.status_code
    assert response.mimetype == "text/html"

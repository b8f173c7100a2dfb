"""split_page: a saved page's article lines apart from its site chrome."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.quality.extraction_eval import PAGES, evaluate, judge_lines, load_judgments
from search.ingest.boilerplate import Page, split_page

HEADLINE_AR = "وزارة الزراعة تطلق برنامجاً لدعم مزارعي الزيتون"
PARAS_AR = (
    "أطلقت وزارة الزراعة برنامجاً لدعم مزارعي الزيتون في المحافظات الشمالية، يشمل توزيع أشتال جديدة وتقديم "
    "قروض ميسرة لشراء معدات الري الحديثة خلال الموسم المقبل.",
    "وقال مدير البرنامج إن الوزارة خصصت عشرة ملايين دينار للمرحلة الأولى، وإن أكثر من ثلاثة آلاف مزارع "
    "سجلوا للاستفادة من الدعم حتى الآن في مديريات الزراعة.",
    "وأضاف أن مزارعي الزيتون تضرروا من موجات الجفاف في السنوات الأخيرة، وأن البرنامج يهدف إلى رفع إنتاج "
    "الزيت وتحسين جودته للتصدير إلى الأسواق الأوروبية.",
)
HEADLINE_EN = "Olive growers get new support scheme from the ministry"
PARAS_EN = (
    "The agriculture ministry launched a support scheme for olive growers in the northern provinces on Monday, "
    "offering new saplings and cheap loans for modern irrigation equipment.",
    "The scheme's director said ten million dinars had been set aside for its first stage, and that more than "
    "three thousand olive farmers had registered so far.",
    "Olive growers have suffered from repeated droughts in recent years, and the scheme aims to raise the output "
    "and quality of olive oil for export to European markets.",
)
OTHER_AR = (
    "ارتفاع عدد السياح القادمين إلى البتراء خلال الصيف",
    "سجلت مدينة البتراء الأثرية ارتفاعاً في أعداد السياح الأجانب خلال أشهر الصيف، بحسب إحصاءات هيئة تنشيط "
    "السياحة التي عزت الزيادة إلى الرحلات الجوية الجديدة من أوروبا.",
    "وقالت الهيئة إن الفنادق في وادي موسى سجلت نسب إشغال تجاوزت تسعين في المئة، مع توقعات باستمرار الإقبال "
    "حتى نهاية فصل الخريف وعودة المجموعات السياحية الآسيوية.",
)
OTHER_EN = (
    "Tourist numbers at Petra rise over the summer",
    "The ancient city of Petra recorded a rise in foreign visitors over the summer months, the tourism board "
    "said, crediting new direct flights from European cities for the increase.",
    "Hotels in the nearby valley reported occupancy above ninety percent, and the board expects the numbers to "
    "stay high until the end of autumn as Asian tour groups return.",
)
STORIES = {"ar": (HEADLINE_AR, PARAS_AR, OTHER_AR), "en": (HEADLINE_EN, PARAS_EN, OTHER_EN)}

# Lines dropped wherever they stand, by kind and language.
CHROME_LINES = {
    "share": {
        "ar": ["شارك", "فيسبوك", "واتساب"],
        "en": ["Share on facebook", "WhatsApp", "Google+ Pinterest LinkedIn"],
    },
    "comment prompt": {
        "ar": ["البريد الإلكتروني", "إرسال التعليق"],
        "en": ["Your email address will not be published."],
    },
    "copyright": {
        "ar": ["جميع الحقوق محفوظة © 2024 موقع الأخبار"],
        "en": ["© 2024 The Daily News. All rights reserved."],
    },
    "newsletter": {"ar": ["اشترك في النشرة البريدية ليصلك كل جديد"], "en": ["Sign up for our newsletter"]},
    "cookies": {
        "ar": ["يستخدم هذا الموقع ملفات تعريف الارتباط لتحسين تجربتك"],
        "en": ["We use cookies to improve your experience on our website."],
    },
    "short link": {"ar": ["رابط مختصر: https://example.org/a/1"], "en": ["Short link: https://example.org/a/1"]},
    "tags": {"ar": ["الكلمات المفتاحية: زراعة، زيتون"], "en": ["Tags: farming, olives"]},
    "date": {"ar": ["الثلاثاء 12 مارس 2024", "منذ 3 ساعات"], "en": ["Updated 3 hours ago", "Monday, 6 May 2024"]},
    "menu": {"ar": ["الرئيسية | أخبار | اقتصاد | رياضة"], "en": ["Home » World » Middle East"]},
}
CHROME_CASES = [
    (kind, lang, line) for kind, langs in CHROME_LINES.items() for lang, lines in langs.items() for line in lines
]


def _page(lang, *middle, tail=()):
    headline, paras, _ = STORIES[lang]
    return "\n".join([headline, paras[0], *middle, paras[1], paras[2], *tail])


def _dropped(page):
    return [line for kept, line in page.blocks if not kept and line.strip()]


@pytest.mark.parametrize(("kind", "lang", "line"), CHROME_CASES)
def test_chrome_line_is_dropped_and_the_article_kept(kind, lang, line):
    page = split_page(_page(lang, line))
    assert _dropped(page) == [line]
    headline, paras, _ = STORIES[lang]
    assert page.article == "\n".join([headline, *paras])


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_page_without_chrome_comes_back_whole(lang):
    text = _page(lang)
    page = split_page(text)
    assert page.article == text and page.dropped == "" and page.all_text == text


@pytest.mark.parametrize(
    ("lang", "cue"),
    [("ar", "اقرأ أيضاً"), ("ar", "اقرا ايضا.."), ("ar", "إقرأ المزيد"), ("ar", "أخبار ذات صلة"), ("ar", "اقـرأ أيضًا")]
    + [("en", "Read also"), ("en", "Related"), ("en", "More stories"), ("en", "You may also like")],
)
def test_teaser_and_the_other_story_after_it_are_dropped(lang, cue):
    other = STORIES[lang][2]
    page = split_page(_page(lang, tail=(cue, *other)))
    assert _dropped(page) == [cue, *other]


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_article_resumes_after_a_teaser_in_the_middle(lang):
    headline, paras, other = STORIES[lang]
    cue = "اقرأ أيضاً" if lang == "ar" else "Read also"
    page = split_page("\n".join([headline, paras[0], cue, other[0], other[1], paras[1], paras[2]]))
    assert _dropped(page) == [cue, other[0], other[1]]


@pytest.mark.parametrize(
    ("lang", "heading"), [("ar", "التعليقات (2)"), ("ar", "أضف تعليقاً"), ("en", "Leave A Reply"), ("en", "3 Comments")]
)
def test_comments_after_the_article_are_dropped(lang, heading):
    comment = "Great news for the farmers, I hope the loans reach the small villages too this season."
    page = split_page(_page(lang, tail=(heading, "Reader", comment)))
    assert _dropped(page) == [heading, "Reader", comment]


def test_menu_and_ticker_above_the_headline_are_dropped():
    top = ["عاجل", "الرئيسية", "أخبار", "اقتصاد", "رياضة"]
    page = split_page("\n".join([*top, HEADLINE_AR, *PARAS_AR]))
    assert _dropped(page) == top


def test_repeated_line_is_dropped():
    page = split_page("\n".join([HEADLINE_EN, PARAS_EN[0], HEADLINE_EN, PARAS_EN[1]]))
    assert _dropped(page) == [HEADLINE_EN]


def test_prose_mentioning_a_network_is_kept():
    line = "The company said Facebook and WhatsApp users in the region would be able to report fake olive oil ads."
    page = split_page(_page("en", line))
    assert _dropped(page) == []


def test_given_title_is_kept_even_when_short():
    page = split_page("\n".join(["Home", "News", "Olives", PARAS_EN[0]]), title="Olives")
    assert [line for kept, line in page.blocks if kept] == ["Olives", PARAS_EN[0]]


def test_blank_lines_follow_their_neighbours():
    text = "\n\n".join([HEADLINE_EN, PARAS_EN[0], "Share on twitter", "Share on email"])
    page = split_page(text)
    assert page.all_text == text
    assert page.article == "\n\n".join([HEADLINE_EN, PARAS_EN[0]])


def test_huge_page_is_read_whole():
    paragraphs = [f"{PARAS_EN[i % 3]} (paragraph {i})" for i in range(20_000)]
    text = "\n".join([HEADLINE_EN, *paragraphs, "x " * 500_000, "Share on facebook"])
    page = split_page(text)
    assert page.all_text == text
    assert page.dropped == "Share on facebook"


lines = st.text(alphabet=st.characters(blacklist_characters="\n", blacklist_categories=("Cs",)), max_size=20)


@given(st.lists(st.tuples(st.booleans(), lines), max_size=30))
def test_page_json_round_trip(blocks):
    page = Page(tuple(blocks))
    assert Page.from_json(page.to_json()) == page
    json.loads(page.to_json())


@given(st.lists(lines, max_size=30))
def test_split_page_keeps_every_line_in_order(texts):
    text = "\n".join(texts)
    assert split_page(text).all_text == text


def test_judged_pages_hold_their_article_lines():
    judgments = load_judgments()
    assert len(judgments) >= 30
    for name, judged in judgments.items():
        content = (PAGES / name).read_text(encoding="utf-8")
        if name.endswith(".html"):
            from search.ingest.html import html_to_text

            content = html_to_text(content)[1]
        everything = Page(tuple((True, line) for line in content.split("\n")))
        rows = judge_lines(everything, judged["article"])
        assert sum(is_article for _, is_article, _ in rows) == len(judged["article"]) > 0


def test_eval_runs_on_a_subset():
    judgments = load_judgments()
    subset = {name: judgments[name] for name in ("t01_ar_oil.txt", "t09_en_bridge.txt", "h01_ar_rain.html")}
    figures = evaluate(judgments=subset)
    assert figures["pages"] == 3
    baseline, ours = figures["systems"]["keep_all"]["all"], figures["systems"]["extractor"]["all"]
    assert baseline["recall"] == 1.0 and baseline["precision"] < 0.6
    assert ours["precision"] > baseline["precision"] and ours["recall"] >= 0.9


def test_a_long_teaser_section_is_read_line_by_line_not_compared_whole():
    """Each line after a teaser cue is weighed word by word: comparing the
    whole vocabularies again at every line was quadratic (8,000 lines took
    20 s, past the parse worker's time limit)."""
    article = (
        "The harbour city opened its new bridge on Thursday after six years of work and many delays in the old port."
    )
    teaser = "Paragraph {} talks about unrelated matters of the football league and coaches and fans in the {} tonight."

    def made_word(n):  # a word of its own for each line: the teaser's vocabulary grows as it is read
        return "".join("bcdfghjklmnpqrstvwz"[int(d)] for d in str(n)) + "ova"

    lines = ["A headline about the harbour bridge opening", article, "Read more"]
    lines += [teaser.format(i, made_word(i)) for i in range(20_000)]
    page = split_page("\n".join(lines))
    assert [line for kept, line in page.blocks if kept] == lines[:2]


@given(st.lists(st.tuples(st.booleans(), st.text(alphabet=st.characters(blacklist_characters="\n"), max_size=30))))
def test_the_stored_form_and_the_article_give_the_page_back(blocks):
    from search.page_lines import Page

    page = Page(tuple(blocks))
    assert Page.from_stored(page.stored_json(), page.article) == page
    assert len(page.stored_json()) <= len(page.to_json()) + len("dropped") - len("lines")

"""extract_article: an HTML page's article lines, through trafilatura."""

from search.ingest.html import extract_article, html_to_text

PARAS_AR = [
    "أعلنت بلدية المدينة افتتاح حديقة عامة جديدة على مساحة عشرين دونماً في الحي الشرقي، تضم ملاعب للأطفال ومسارات "
    "للمشي وأكثر من ألفي شجرة زرعت خلال العام الماضي بمشاركة متطوعين من المدارس.",
    "وقال رئيس البلدية إن الحديقة ستفتح أبوابها مجاناً من السادسة صباحاً حتى منتصف الليل، وإن البلدية ستنظم فيها "
    "أنشطة ثقافية ورياضية في عطلات نهاية الأسبوع طوال فصل الصيف.",
    "وأضاف أن المشروع كلف مليوني دينار بتمويل من منحة أوروبية، وأن البلدية تخطط لإنشاء ثلاث حدائق مماثلة في "
    "أحياء أخرى خلال السنوات الثلاث المقبلة.",
]
PARAS_EN = [
    "The city opened a new public park on Saturday on the site of a former bus depot, with playgrounds, walking "
    "paths and more than two thousand trees planted by volunteers from local schools over the past year.",
    "The mayor said the park would be open free of charge from six in the morning until midnight, with concerts "
    "and sports events planned for weekends throughout the summer.",
    "The project cost two million dollars, paid for by a regional grant, and the council plans three similar parks "
    "in other districts over the next three years.",
]
PAGE = """<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{headline}</title>
<meta property="og:site_name" content="{site}"><meta property="article:published_time" content="2024-06-01T09:00:00Z">
</head><body>
<nav><ul><li>{menu[0]}</li><li>{menu[1]}</li><li>{menu[2]}</li><li>{menu[3]}</li></ul></nav>
<article><h1>{headline}</h1><div class="byline">{byline}</div>{paragraphs}</article>
<div class="share"><a>{share}</a><a>Facebook</a><a>WhatsApp</a></div>
<aside class="related"><h3>{related}</h3><ul><li><a>{teaser}</a></li></ul></aside>
<section class="comments"><h3>{comments}</h3><p>{comment}</p></section>
<footer><p>{footer}</p></footer></body></html>"""
PAGES = {
    "ar": PAGE.format(
        lang="ar",
        headline="افتتاح حديقة عامة جديدة في الحي الشرقي",
        site="أخبار المدينة",
        byline="بقلم: ليلى حداد",
        menu=["الرئيسية", "محليات", "اقتصاد", "رياضة"],
        paragraphs="".join(f"<p>{p}</p>" for p in PARAS_AR),
        share="شارك",
        related="اقرأ أيضاً",
        teaser="ارتفاع أسعار الخضار في السوق المركزي",
        comments="التعليقات",
        comment="خبر جميل، نتمنى أن تهتم البلدية بنظافة الحديقة بعد افتتاحها وألا تترك للإهمال كما حدث مع غيرها.",
        footer="جميع الحقوق محفوظة © 2024 أخبار المدينة",
    ),
    "en": PAGE.format(
        lang="en",
        headline="City opens new public park on former bus depot",
        site="City News",
        byline="By Laura Stone",
        menu=["Home", "Local", "Business", "Sport"],
        paragraphs="".join(f"<p>{p}</p>" for p in PARAS_EN),
        share="Share",
        related="Related stories",
        teaser="Vegetable prices rise at the central market",
        comments="Leave A Reply",
        comment="Lovely news, I hope the council keeps the park clean and safe once the first summer crowds arrive.",
        footer="© 2024 City News. All rights reserved.",
    ),
}
BYLINES = {"ar": "بقلم: ليلى حداد", "en": "By Laura Stone"}
HEADLINES = {"ar": "افتتاح حديقة عامة جديدة في الحي الشرقي", "en": "City opens new public park on former bus depot"}
PARAS = {"ar": PARAS_AR, "en": PARAS_EN}


def test_article_lines_kept_and_chrome_dropped():
    for lang, markup in PAGES.items():
        article = extract_article(markup)
        # The byline under the headline is kept though trafilatura leaves it out.
        assert article.page.article.split("\n") == [HEADLINES[lang], BYLINES[lang], *PARAS[lang]], lang
        dropped = article.page.dropped
        for chrome in ("Facebook", "WhatsApp", "©"):
            assert chrome in dropped, (lang, chrome)


def test_all_visible_lines_are_kept_in_order():
    for markup in PAGES.values():
        title, text = html_to_text(markup)
        article = extract_article(markup)
        assert article.page.all_text == text and article.title == title


def test_sitename_and_date_from_metadata():
    article = extract_article(PAGES["en"])
    assert article.sitename == "City News"
    assert article.date == "2024-06-01"


def test_no_metadata_gives_none():
    markup = f"<html><body><h1>{HEADLINES['en']}</h1>" + "".join(f"<p>{p}</p>" for p in PARAS_EN) + "</body></html>"
    article = extract_article(markup)
    assert article.sitename is None and article.date is None
    assert article.page.article.split("\n") == [HEADLINES["en"], *PARAS_EN]


def test_falls_back_to_the_line_classifier_without_an_article():
    # Too little text for trafilatura: the line classifier decides.
    markup = "<html><body><p>Share on facebook</p><p>Home</p></body></html>"
    article = extract_article(markup)
    assert article.page.all_text == "Share on facebook\nHome"
    assert "Share on facebook" in article.page.dropped


def test_deep_nesting_does_not_break_it():
    markup = "<div>" * 3000 + "<p>" + PARAS_EN[0] + "</p>" + "</div>" * 3000
    article = extract_article(markup)
    assert article.page.all_text == PARAS_EN[0]


def test_html_to_text_is_unchanged():
    title, text = html_to_text("<html><head><title>T</title></head><body><nav>Home</nav><p>Body text</p></body></html>")
    assert (title, text) == ("T", "Home\nBody text")

"""pick_title: the headline of a page saved as text, past the site chrome."""

from pathlib import Path

import pytest

from search.ingest.title import pick_title

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
# The bundled pages saved with their site chrome (docs/corpus.md), and their headlines.
CHROME_FIRST_HEADLINES = {
    "ar/economy/chrome-oil-prices.txt": "اسعار النفط ترتفع بعد تمديد تحالف اوبك+ لخفض الإنتاج",
    "ar/news/breaking-kz-results.txt": "لجنة الانتخابات المركزية في كازاخستان تعلن فوز توكاييف بولاية رئاسية جديدة",
    "ar/politics/live-kuwait-parliament.txt": "مجلس الأمة الكويتي يناقش استجواب وزير النفط في جلسة ساخنة",
    "ar/sports/chrome-jordan-cup-final.txt": "نهائـــي مثيـــر: الوحدات يتوج بلقب كأس الأردن بركلات الترجيح",
    "en/business/chrome-oil-markets.txt": "Oil prices rise after OPEC+ extends voluntary output cuts",
    "en/news/chrome-jordan-elections.txt": "Jordanians vote in first parliamentary election under new party law",
}

HEADLINE_AR = "الحكومة تقر خطة جديدة لتطوير النقل العام"
PARAGRAPH_AR = (
    "قالت مصادر رسمية إن الحكومة وافقت خلال جلستها الأسبوعية على خطة لإصلاح شبكة النقل العام في العاصمة، "
    "وتشمل الخطة شراء حافلات جديدة وتوسيع خطوط القطار وإنشاء محطات انتظار حديثة في الأحياء الشعبية."
)
HEADLINE_EN = "City council approves plan to rebuild harbour bridge"
PARAGRAPH_EN = (
    "The city council approved on Tuesday a plan to rebuild the old harbour bridge, which has been closed to traffic "
    "since the spring floods damaged its supports and forced thousands of commuters onto ferries."
)
FALLBACK = "fallback-from-file-name"


def page(*lines):
    return "\n".join(lines)


@pytest.mark.parametrize(
    "text",
    [
        page("عاجل", "الرئيسية", "سياسة", "اقتصاد", "رياضة", "ثقافة", HEADLINE_AR, PARAGRAPH_AR),
        page("مباشر", "أخبار", "منوعات", "فيديو", HEADLINE_AR, "", PARAGRAPH_AR),
        page("عاجل", "• تقارير وتحقيقات خاصة اليوم", "• الشرق الأوسط وشمال أفريقيا", HEADLINE_AR, PARAGRAPH_AR),
        page(
            "مباشر",
            "• الشرق الأوسط وشمال أفريقيا",
            "الشرق الأوسط وشمال أفريقيا",
            "• الشرق الأوسط وشمال أفريقيا",
            "الشرق الأوسط وشمال أفريقيا",
            HEADLINE_AR,
            PARAGRAPH_AR,
        ),
        page("عاجل", "سياسة", "الأحد 12 مايو 2024", "Facebook Twitter WhatsApp", HEADLINE_AR, PARAGRAPH_AR),
        page(
            "مباشر", "شارك عبر فيسبوك وتويتر وواتساب", "Google+ Pinterest LinkedIn Tumblr +", HEADLINE_AR, PARAGRAPH_AR
        ),
        page(HEADLINE_AR, HEADLINE_AR, PARAGRAPH_AR),
        page(HEADLINE_AR, PARAGRAPH_AR),
    ],
    ids=[
        "ticker-menu",
        "live-menu",
        "bullet-menu",
        "repeated-menu-item",
        "date-share",
        "share-lines",
        "repeated",
        "first",
    ],
)
def test_arabic_headline_is_found_past_the_chrome(text):
    assert pick_title(text, FALLBACK) == HEADLINE_AR


@pytest.mark.parametrize(
    "text",
    [
        page("Home | World | Business | Sport", HEADLINE_EN, PARAGRAPH_EN),
        page("Friday, March 29", HEADLINE_EN, "Google+ Pinterest LinkedIn Tumblr +", PARAGRAPH_EN),
        page("Home » World » Europe", "Friday, March 29", "Facebook Twitter WhatsApp", HEADLINE_EN, PARAGRAPH_EN),
        page(HEADLINE_EN, HEADLINE_EN, PARAGRAPH_EN),
        page(HEADLINE_EN, PARAGRAPH_EN),
    ],
    ids=["pipe-menu", "date-then-share", "breadcrumb", "repeated", "first"],
)
def test_english_headline_is_found_past_the_chrome(text):
    assert pick_title(text, FALLBACK) == HEADLINE_EN


@pytest.mark.parametrize(
    "chrome",
    [
        "• تقارير وتحقيقات خاصة اليوم",
        "Home | World | Business",
        "Facebook Twitter WhatsApp Telegram",
        "Google+ Pinterest LinkedIn Tumblr +",
        "شارك هذا الخبر على فيسبوك",
        "الأحد 12 مايو 2024",
        "Friday, March 29, 2024",
    ],
)
def test_a_chrome_line_before_the_body_is_never_the_title(chrome):
    assert pick_title(page(chrome, PARAGRAPH_AR), FALLBACK) != chrome


@pytest.mark.parametrize(
    "dateline",
    [
        "الأحد 12 مايو 2024",
        "الأحد، 12 مايو 2024",
        "12 مايو 2024 - 10:30",
        "Friday, March 29, 2024",
        "Updated: March 29, 2024 10:45 GMT",
    ],
    ids=["weekday", "weekday-arabic-comma", "with-time", "english", "updated-with-time"],
)
def test_headline_followed_by_a_dateline_keeps_the_headline(dateline):
    assert pick_title(page(HEADLINE_AR, dateline, PARAGRAPH_AR), FALLBACK) == HEADLINE_AR


def test_headline_followed_by_a_subheading_keeps_the_headline():
    text = page(HEADLINE_AR, "الخطة تشمل حافلات جديدة وخطوط قطار إضافية", PARAGRAPH_AR)
    assert pick_title(text, FALLBACK) == HEADLINE_AR


def test_question_headline_is_found():
    question = "هل تنجح الخطة الجديدة في إنقاذ النقل العام؟"
    assert pick_title(page("عاجل", "اقتصاد", question, PARAGRAPH_AR), FALLBACK) == question


@pytest.mark.parametrize(
    ("text", "acceptable"),
    [
        (page("Home", "News", "Weather", "Contact"), {FALLBACK}),
        (page("الرئيسية", "أخبار", "خطة النقل الجديدة", "اتصل بنا"), {FALLBACK, "خطة النقل الجديدة"}),
        (
            page("Home", "News", "Harbour bridge plan approved by council", "Contact"),
            {"Harbour bridge plan approved by council"},
        ),
    ],
    ids=["menu-only", "short-arabic", "one-longer-line"],
)
def test_document_of_short_lines_falls_back_to_a_reasonable_line_or_the_fallback(text, acceptable):
    assert pick_title(text, FALLBACK) in acceptable


@pytest.mark.parametrize("text", ["", "\n\n", "   \n\t\n"], ids=["empty", "newlines", "whitespace"])
def test_empty_text_gives_the_fallback(text):
    assert pick_title(text, FALLBACK) == FALLBACK


# --- the real articles ----------------------------------------------------------


def is_menu_line(line):
    return line.startswith(("•", "·", "-", "*")) or " | " in line or len(line.split()) < 4


@pytest.mark.parametrize(("doc_id", "headline"), CHROME_FIRST_HEADLINES.items(), ids=list(CHROME_FIRST_HEADLINES))
def test_bundled_chrome_first_page_gets_its_headline(doc_id, headline):
    text = (CORPUS / doc_id).read_text(encoding="utf-8")
    title = pick_title(text, FALLBACK)
    assert title == headline
    assert not text.lstrip().startswith(title)  # chrome really comes first
    assert not is_menu_line(title)

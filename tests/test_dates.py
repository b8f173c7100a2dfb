"""Publication dates: page metadata, then the text, then the file's time;
every month-name family in both digit systems, inferred years, rejections."""

import datetime as dt
from pathlib import Path

import htmldate.utils
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.ingest import dates
from search.ingest.date_patterns import ARABIC_MONTHS, ENGLISH_MONTHS
from search.ingest.dates import (
    MAX_SCAN_CHARS,
    FoundDate,
    date_from_html,
    date_from_text,
    dates_in_text,
    find_date,
    infer_year,
)

from .test_title import HEADLINE_AR, HEADLINE_EN, PARAGRAPH_AR

# The English paragraph is the title tests' without its weekday (a weekday
# beside a date checks the year inferred).
PARAGRAPH_EN = (
    "The city council approved a plan to rebuild the old harbour bridge, which has been closed to traffic "
    "since the spring floods damaged its supports and forced thousands of commuters onto ferries."
)
# Late enough for every generated date: without a reference, dates after today are refused.
LATE_REFERENCE = dt.date(2031, 1, 1)
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
EASTERN_ARABIC_INDIC = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
DIGIT_SYSTEMS = {"western": {}, "arabic-indic": ARABIC_INDIC, "eastern": EASTERN_ARABIC_INDIC}
# Each family's months as written in a page (the first spelling of each, with its hamza).
WRITTEN_MONTHS = {
    "egyptian": "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر".split(),
    "levantine": [
        "كانون الثاني",
        "شباط",
        "آذار",
        "نيسان",
        "أيار",
        "حزيران",
        "تموز",
        "آب",
        "أيلول",
        "تشرين الأول",
        "تشرين الثاني",
        "كانون الأول",
    ],
    "maghrebi": "جانفي فيفري مارس أفريل ماي جوان جويلية أوت سبتمبر أكتوبر نوفمبر ديسمبر".split(),
    "moroccan": "يناير فبراير مارس أبريل ماي يونيو يوليوز غشت شتنبر أكتوبر نونبر دجنبر".split(),
}


def arabic_page(date_line):
    return "\n".join([HEADLINE_AR, date_line, PARAGRAPH_AR])


def english_page(date_line):
    return "\n".join([HEADLINE_EN, date_line, PARAGRAPH_EN])


def test_every_arabic_family_is_in_the_written_months():
    assert set(WRITTEN_MONTHS) == set(ARABIC_MONTHS)


@pytest.mark.parametrize("family", sorted(WRITTEN_MONTHS))
@pytest.mark.parametrize("digits", sorted(DIGIT_SYSTEMS))
def test_each_arabic_month_family_in_each_digit_system(family, digits):
    for number, month in enumerate(WRITTEN_MONTHS[family], 1):
        line = f"الخميس {7} {month} {2019}".translate(DIGIT_SYSTEMS[digits])
        assert date_from_text(arabic_page(line)) == dt.date(2019, number, 7), line


@pytest.mark.parametrize("digits", sorted(DIGIT_SYSTEMS))
def test_each_english_month_and_abbreviation(digits):
    for number, month in enumerate(ENGLISH_MONTHS.split(), 1):
        for written in (month.capitalize(), month[:3].capitalize() + ".", month.upper()):
            line = f"Published {9} {written} {2018}".translate(DIGIT_SYSTEMS[digits])
            assert date_from_text(english_page(line)) == dt.date(2018, number, 9), line
    assert date_from_text(english_page("Updated Sept. 9, 2020 at 4:15 pm")) == dt.date(2020, 9, 9)


def test_levantine_second_kanun_is_january_and_second_tishrin_is_november():
    assert date_from_text(arabic_page("١٣ كانون الثاني ٢٠٢١")) == dt.date(2021, 1, 13)
    assert date_from_text(arabic_page("١٣ تشرين الثاني ٢٠٢١")) == dt.date(2021, 11, 13)
    assert date_from_text(arabic_page("13 كانون الأول 2021")) == dt.date(2021, 12, 13)
    assert date_from_text(arabic_page("13 تشرين الأول 2021")) == dt.date(2021, 10, 13)


def test_slash_pair_of_month_names_is_one_date():
    assert date_from_text(arabic_page("13 يناير/كانون الثاني 2021")) == dt.date(2021, 1, 13)
    assert date_from_text(arabic_page("في 2 شباط / فبراير ٢٠٢٢")) == dt.date(2022, 2, 2)
    assert date_from_text(arabic_page("5 أيار (مايو) 2016")) == dt.date(2016, 5, 5)
    found = dates_in_text(arabic_page("13 يناير/كانون الثاني 2021"))
    assert [d.date for d in found] == [dt.date(2021, 1, 13)]


def test_slash_pair_that_disagrees_is_not_a_date():
    assert date_from_text(arabic_page("13 يناير/شباط 2021")) is None


@pytest.mark.parametrize(
    "line",
    ["نُشِرَ فِي ١٠ أكتـــوبَر ٢٠٢٠", "نشر في 10 اكتوبر 2020", "نشر في ١٠ إكتوبر ٢٠٢٠"],
)
def test_diacritics_tatweel_and_hamza_spellings_read_the_same(line):
    assert date_from_text(arabic_page(line)) == dt.date(2020, 10, 10)


def test_ta_marbuta_spellings_of_june_and_july():
    assert date_from_text(arabic_page("3 يونية 2018")) == dt.date(2018, 6, 3)
    assert date_from_text(arabic_page("3 يوليه 2018")) == dt.date(2018, 7, 3)
    assert date_from_text(arabic_page("3 جويلية 2018")) == dt.date(2018, 7, 3)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("14/1/2021", dt.date(2021, 1, 14)),
        ("٠٤/٠٥/٢٠٢١", dt.date(2021, 5, 4)),
        ("4.5.2021", dt.date(2021, 5, 4)),
        ("2021-01-14", dt.date(2021, 1, 14)),
        ("۲۰۲۱/۰۱/۱۴", dt.date(2021, 1, 14)),
        ("2019-06-21T08:00:00Z", dt.date(2019, 6, 21)),
    ],
)
def test_numeric_forms_read_day_first(line, expected):
    assert date_from_text(arabic_page(line)) == expected


def test_numbers_are_month_first_in_a_us_english_text_only():
    assert date_from_text(english_page("Posted 05/04/2021 3:00 PM EST")) == dt.date(2021, 5, 4)
    assert date_from_text(english_page("Posted 05/04/2021 15:00")) == dt.date(2021, 4, 5)
    # Only one order is a real date: that one, whatever the context.
    assert date_from_text(english_page("Posted 1/14/2021")) == dt.date(2021, 1, 14)


@pytest.mark.parametrize("line", ["31/02/2021", "30 فبراير 2020", "29/2/2021", "February 30, 2020", "32 يناير 2020"])
def test_impossible_dates_are_rejected(line):
    assert date_from_text(arabic_page(line)) is None


def test_leap_day_is_a_real_date():
    assert date_from_text(arabic_page("29/2/2020")) == dt.date(2020, 2, 29)


def test_impossible_date_gives_way_to_the_next_one():
    assert date_from_text(arabic_page("30/02/2021 ثم 02/03/2021")) == dt.date(2021, 3, 2)


def test_dates_after_the_reference_are_rejected():
    text = english_page("Published 14 January 2031")
    assert date_from_text(text, reference=dt.date(2024, 1, 1)) is None
    assert date_from_text(text, reference=dt.date(2031, 1, 13)) == dt.date(2031, 1, 14)  # one day's allowance
    assert find_date(text=text, mtime=_timestamp(dt.date(2024, 1, 1))) == FoundDate(dt.date(2024, 1, 1), "mtime")


def test_future_and_ancient_dates_are_rejected_without_reference():
    assert date_from_text(english_page("Published 14 January 2999")) is None
    assert date_from_text(english_page("Published 14 January 1850")) is None


def test_hijri_date_alone_is_not_read_and_gregorian_beside_it_is():
    assert date_from_text(arabic_page("1 رمضان 1442 هـ")) is None
    line = "الخميس 1 جمادى الآخرة 1442 هـ - الموافق 14 يناير 2021 م"
    assert date_from_text(arabic_page(line)) == dt.date(2021, 1, 14)


@pytest.mark.parametrize(
    ("sentence", "reference", "expected"),
    [
        ("وقع الاتفاق في 21 سبتمبر الماضي", dt.date(2021, 2, 10), dt.date(2020, 9, 21)),
        ("وقع الاتفاق في 21 سبتمبر الماضي", dt.date(2021, 10, 10), dt.date(2021, 9, 21)),
        ("بدأ التسجيل في 3 يناير الجاري", dt.date(2022, 1, 20), dt.date(2022, 1, 3)),
        ("زار البلاد في 5 مارس من العام الماضي", dt.date(2021, 7, 15), dt.date(2020, 3, 5)),
        ("The council met on last September 21 to vote", dt.date(2021, 3, 1), dt.date(2020, 9, 21)),
    ],
)
def test_relative_forms_take_their_year_from_the_reference(sentence, reference, expected):
    text = "\n".join([HEADLINE_AR, sentence + " " + PARAGRAPH_AR])
    assert date_from_text(text, reference=reference) == expected


def test_relative_forms_without_a_reference_are_unknown():
    text = "\n".join([HEADLINE_AR, "وقع الاتفاق في 21 سبتمبر الماضي " + PARAGRAPH_AR])
    assert date_from_text(text) is None


def test_next_month_is_read_but_never_the_publication_date():
    text = "\n".join([HEADLINE_AR, "تجري الانتخابات في 10 أكتوبر المقبل " + PARAGRAPH_AR])
    found = dates_in_text(text, reference=dt.date(2021, 5, 1))
    assert [(d.date, d.future) for d in found] == [(dt.date(2021, 10, 10), True)]
    assert date_from_text(text, reference=dt.date(2021, 5, 1)) is None
    assert infer_year(10, 10, reference=dt.date(2021, 11, 1), relative="next") == dt.date(2022, 10, 10)


def test_yearless_dateline_is_the_latest_such_day_not_after_the_file():
    text = "أستانا. 14 يناير. كازتاج - " + PARAGRAPH_AR
    assert date_from_text(text) is None
    assert date_from_text(text, reference=dt.date(2022, 2, 3)) == dt.date(2022, 1, 14)
    assert date_from_text(text, reference=dt.date(2022, 1, 10)) == dt.date(2021, 1, 14)
    assert find_date(text=text) == FoundDate(None, "none")


def test_yearless_dateline_takes_the_year_nearest_a_full_date_in_the_text():
    text = "\n".join(["القاهرة في 31 ديسمبر /أ ش أ/ " + PARAGRAPH_AR, "وذكر التقرير الصادر في 28 ديسمبر 2019 أن"])
    assert date_from_text(text) == dt.date(2019, 12, 31)
    text = "\n".join(["القاهرة في 2 يناير /أ ش أ/ " + PARAGRAPH_AR, "وذكر التقرير الصادر في 28 ديسمبر 2019 أن"])
    assert date_from_text(text) == dt.date(2020, 1, 2)


def test_weekday_that_disagrees_with_the_inferred_year_makes_it_unknown():
    assert date_from_text(english_page("Friday, March 29"), reference=dt.date(2024, 4, 2)) == dt.date(2024, 3, 29)
    assert date_from_text(english_page("Wednesday, March 29"), reference=dt.date(2024, 4, 2)) is None


def test_date_line_under_the_headline_beats_an_earlier_date_in_a_sentence_below():
    text = "\n".join(
        [HEADLINE_EN, "Published 3 March 2019", "The bill was first read on 1 March 2019. " + PARAGRAPH_EN]
    )
    assert date_from_text(text) == dt.date(2019, 3, 3)


def test_full_date_deep_in_the_body_is_an_event_not_the_publication():
    text = "\n".join([HEADLINE_EN, PARAGRAPH_EN, PARAGRAPH_EN, PARAGRAPH_EN, "She was born on 4 July 1946 in a town."])
    assert date_from_text(text) is None
    assert [d.date for d in dates_in_text(text)] == [dt.date(1946, 7, 4)]


def test_labelled_date_in_a_footer_is_found():
    text = "\n".join([HEADLINE_EN, PARAGRAPH_EN, PARAGRAPH_EN, PARAGRAPH_EN, "Published 14 January 2021"])
    assert date_from_text(text) == dt.date(2021, 1, 14)


@pytest.mark.parametrize(
    "sentence",
    [
        "In 2019 the law was changed, and he was born in 1962.",
        "The hearing lasts from 10:30 to 12.45 and the fee is 1.50.",
        "They may 3 times a week go there.",
        "فاز الفريق 3 مارس اللاعبين في الملعب بنتيجة 2-1 في الدقيقة 90.",
    ],
)
def test_years_times_scores_and_verbs_are_not_dates(sentence):
    text = "\n".join([HEADLINE_EN, sentence, PARAGRAPH_EN])
    assert date_from_text(text, reference=dt.date(2024, 6, 1)) is None


def _timestamp(day):
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC).timestamp()


def _html(head, body=""):
    page = f"<head><title>t</title>{head}</head><body><h1>{HEADLINE_EN}</h1>{body}<p>{PARAGRAPH_EN}</p></body>"
    return f"<html>{page}</html>"


def test_find_date_asks_html_then_text_then_mtime():
    markup = _html('<meta property="article:published_time" content="2021-05-17T08:00:00+00:00">')
    text = english_page("Published 20 May 2021")
    mtime = _timestamp(dt.date(2021, 6, 1))
    assert find_date(markup, text, mtime) == FoundDate(dt.date(2021, 5, 17), "html")
    assert find_date(_html(""), text, mtime) == FoundDate(dt.date(2021, 5, 20), "text")
    assert find_date(_html(""), english_page("no date here"), mtime) == FoundDate(dt.date(2021, 6, 1), "mtime")
    assert find_date(None, english_page("no date here")) == FoundDate(None, "none")


def test_html_metadata_after_the_file_time_is_rejected():
    markup = _html('<meta property="article:published_time" content="2025-06-01T00:00:00Z">')
    assert date_from_html(markup, reference=dt.date(2021, 1, 1)) is None
    assert find_date(markup, "", _timestamp(dt.date(2021, 1, 1))) == FoundDate(dt.date(2021, 1, 1), "mtime")


def test_htmldate_does_not_invent_a_date_for_a_page_without_one():
    assert date_from_html(_html("")) is None
    assert date_from_html("<html><body></body></html>") is None


def test_htmldate_is_not_allowed_to_read_the_url():
    for head in (
        '<link rel="canonical" href="https://news.example.org/2018/04/02/bridge-opens">',
        '<meta property="og:url" content="https://news.example.org/2018/04/02/bridge-opens">',
        '<meta name="og:url" content="https://news.example.org/2018/04/02/bridge-opens">',
    ):
        assert date_from_html(_html(head)) is None, head


def test_a_url_is_not_downloaded(monkeypatch):
    fetched = []
    monkeypatch.setattr(htmldate.utils, "fetch_url", lambda url, *args, **kwargs: fetched.append(url))
    assert date_from_html("https://news.example.org/2018/04/02/bridge-opens") is None
    assert fetched == []


@pytest.mark.parametrize(
    "markup", ["", "<<<>>>\x00", b"\xff\xfe<\x00", "<html><head><meta name='date' content='1850-01-01'>"]
)
def test_broken_or_absurd_html_gives_none(markup):
    assert date_from_html(markup) is None


def test_json_ld_and_time_elements_are_read():
    ld = (
        '<script type="application/ld+json">'
        '{"@type":"NewsArticle","datePublished":"2020-08-03T09:30:00+03:00"}</script>'
    )
    assert date_from_html(_html(ld)) == dt.date(2020, 8, 3)
    assert date_from_html(_html("", '<time datetime="2020-02-03T10:00:00">3 February</time>')) == dt.date(2020, 2, 3)


@pytest.mark.parametrize("mtime", [float("nan"), 1e20, -1e20, "soon"])
def test_unusable_mtime_gives_no_date(mtime):
    assert find_date(None, "", mtime) == FoundDate(None, "none")


def test_only_the_first_hundred_kilobytes_are_read():
    filler = (PARAGRAPH_EN + "\n") * (MAX_SCAN_CHARS // len(PARAGRAPH_EN) + 1)
    assert date_from_text(HEADLINE_EN + "\n" + filler + "Published 14 January 2021") is None
    assert date_from_text(HEADLINE_EN + "\n" + filler[:50_000] + "Published 14 January 2021") == dt.date(2021, 1, 14)


def test_a_megabyte_of_text_completes():
    filler = ("نص طويل بلا تواريخ 14 " * 40 + "\n") * 1300
    assert len(filler) > 1_000_000
    assert date_from_text(arabic_page("14 يناير 2021") + "\n" + filler) == dt.date(2021, 1, 14)
    assert date_from_text("14 يناير " * 120_000) is None
    assert date_from_text("1/1/" * 250_000) is None


def _arabic_lines(family, day, month, year):
    name = WRITTEN_MONTHS[family][month - 1]
    lines = [f"{day} {name} {year}", f"الأحد، {day} {name}، {year}", f"نشر في {day} {name} {year} - 10:30 ص"]
    if family == "egyptian":
        lines.append(f"{day} {name}/{WRITTEN_MONTHS['levantine'][month - 1]} {year}")
    return lines


def _english_lines(day, month, year):
    name = ENGLISH_MONTHS.split()[month - 1].capitalize()
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return [
        f"Published {day} {name} {year}",
        f"{name} {day}, {year}",
        f"{name[:3]}. {day}, {year}",
        f"Updated: {day}{suffix} of {name}, {year}",
    ]


def _numeric_lines(day, month, year):
    return [
        f"{day}/{month}/{year}",
        f"{day:02}.{month:02}.{year}",
        f"{year}-{month:02}-{day:02}",
        f"{year}/{month}/{day}",
    ]


@settings(max_examples=60, deadline=None)
@given(
    day=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)),
    digits=st.sampled_from(sorted(DIGIT_SYSTEMS)),
)
def test_any_date_in_any_supported_format_reads_back(day, digits):
    lines = [
        (arabic_page, line) for family in WRITTEN_MONTHS for line in _arabic_lines(family, day.day, day.month, day.year)
    ]
    lines += [(english_page, line) for line in _english_lines(day.day, day.month, day.year)]
    lines += [(arabic_page, line) for line in _numeric_lines(day.day, day.month, day.year)]
    for make_page, line in lines:
        written = line.translate(DIGIT_SYSTEMS[digits])
        assert date_from_text(make_page(written), reference=LATE_REFERENCE) == day, written


# --- skimming past the top equals reading every line -----------------------------------------


def _pages():
    root = Path(__file__).resolve().parent.parent
    pages = [p.read_bytes().decode("utf-8", "replace") for p in sorted((root / "corpus").rglob("*.txt"))]
    pages += [p.read_text("utf-8") for p in sorted((root / "bench" / "quality" / "extraction").rglob("*.txt"))]
    pages += [p.read_text("utf-8") for p in sorted((root / "tests" / "data" / "archive").rglob("*.txt"))]
    return pages


@pytest.mark.parametrize("reference", [None, dt.date(2019, 1, 1), dt.date(2024, 5, 1)])
def test_skimming_past_the_top_finds_the_date_reading_every_line_finds(reference):
    pages = _pages()
    assert len(pages) > 60
    for page in pages:
        assert dates.date_from_text(page, reference) == dates.date_from_text(page, reference, skim=False), page[:80]


@given(
    st.lists(
        st.sampled_from(
            [
                "Published 14 January 2021",
                "آخر تحديث: الخميس 3 آذار 2022",
                "القاهرة في 14 يناير - قال المتحدث إن الاجتماع سيعقد الأسبوع المقبل.",
                "In 2019 the law changed, and on 3/4/2020 the court ruled again.",
                "The vote is on March 29, and the count on 2 April.",
                " ".join(["word"] * 25),
                "",
                "وفي 21 سبتمبر الماضي أعلنت الوزارة خطتها الجديدة لعام 2023.",
                "Updated 10:30 EST",
            ]
        ),
        max_size=40,
    ),
    st.sampled_from([None, dt.date(2023, 6, 1)]),
)
@settings(max_examples=80, deadline=None)
def test_skimming_equals_reading_every_line_on_made_pages(lines, reference):
    page = "\n".join(lines)
    assert dates.date_from_text(page, reference) == dates.date_from_text(page, reference, skim=False)

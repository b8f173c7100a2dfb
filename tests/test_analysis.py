"""The bilingual analyzer: Arabic normalisation, light stemming, English
stemming, stopwords, per-token script dispatch and character offsets."""

import pickle
import unicodedata

import pytest

from search.analysis import BilingualTokenizer, bilingual_analyzer, light_stem, normalize_arabic, surface_analyzer

ANALYZER = bilingual_analyzer()


def terms(text, **kwargs):
    return [t.text for t in ANALYZER(text, **kwargs)]


def tokens(text, analyzer=None, **kwargs):
    """(term, surface, pos) for every token; the token object is reused, so copy its fields."""
    analyzer = analyzer or ANALYZER
    return [
        (t.text, text[t.startchar : t.endchar], t.pos) for t in analyzer(text, positions=True, chars=True, **kwargs)
    ]


# --- normalize_arabic ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("كَتَبَ", "كتب"),  # fatha
        ("كِتَابُ", "كتاب"),  # kasra, damma
        ("مُدَرِّسٌ", "مدرس"),  # shadda, tanween damm
        ("كِتَابًا", "كتابا"),  # tanween fath
        ("بِنْتٍ", "بنت"),  # sukun, tanween kasr
        ("هٰذا", "هذا"),  # dagger alef
        ("رَحْمٰن", "رحمن"),
    ],
)
def test_diacritics_are_removed(text, expected):
    assert normalize_arabic(text) == expected


def test_tatweel_is_removed():
    assert normalize_arabic("عاجـــل") == "عاجل"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("أحمد", "احمد"), ("إسلام", "اسلام"), ("آمال", "امال"), ("ٱلْحَمْد", "الحمد")],
)
def test_alef_forms_become_bare_alef(text, expected):
    assert normalize_arabic(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("مستشفى", "مستشفي"),  # alef maksura
        ("ایران", "ايران"),  # Persian yeh
        ("کتاب", "كتاب"),  # Persian keheh
        ("مدرسة", "مدرسه"),  # teh marbuta
    ],
)
def test_letter_variants_are_folded(text, expected):
    assert normalize_arabic(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("٠١٢٣٤٥٦٧٨٩", "0123456789"), ("۰۱۲۳۴۵۶۷۸۹", "0123456789"), ("عام ٢٠٢٤", "عام 2024")],
)
def test_arabic_indic_and_persian_digits_become_ascii(text, expected):
    assert normalize_arabic(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("مسؤول", "مسءول"), ("مسئول", "مسءول"), ("رئيس", "رءيس")])
def test_hamza_on_waw_or_yeh_seat_becomes_bare_hamza(text, expected):
    assert normalize_arabic(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("ﻻ", "لا"), ("ﺍﻟﺴﻼﻡ", "السلام"), ("ﻛﺘﺎﺏ", "كتاب")])
def test_presentation_forms_fold_to_ordinary_letters(text, expected):
    assert normalize_arabic(text) == expected


@pytest.mark.parametrize(
    "control",
    ["\u200c", "\u200d", "\u200f", "\u200e", "\u061c", "\u00ad", "\ufeff"],
    ids=["zwnj", "zwj", "rlm", "lrm", "alm", "soft-hyphen", "bom"],
)
def test_invisible_controls_inside_a_word_are_removed(control):
    assert normalize_arabic(f"انتخا{control}بات") == "انتخابات"


@pytest.mark.parametrize(("opening", "closing"), [("\u202b", "\u202c"), ("\u202e", "\u202c"), ("\u2067", "\u2069")])
def test_bidi_embeddings_and_isolates_are_removed(opening, closing):
    assert normalize_arabic(f"{opening}مدرسة{closing}") == "مدرسه"


QURANIC_MARKS = [chr(cp) for cp in range(0x06D6, 0x06EE) if unicodedata.category(chr(cp)) in ("Mn", "Lm")]


@pytest.mark.parametrize("mark", QURANIC_MARKS, ids=[f"U+{ord(m):04X}" for m in QURANIC_MARKS])
def test_quranic_annotation_marks_are_removed(mark):
    assert normalize_arabic(f"قال{mark}وا") == "قالوا"


@pytest.mark.parametrize("sign", ["\u06dd", "\u06de", "\u06e9"], ids=["end-of-ayah", "rub-el-hizb", "sajdah"])
def test_quranic_signs_between_words_separate_them(sign):
    assert terms(f"سماء{sign}ارض") == terms("سماء ارض")


@pytest.mark.parametrize(
    ("switch", "text"),
    [
        ("diacritics", "كَتَبَ"),
        ("tatweel", "عاجـــل"),
        ("invisible", "انتخا\u200cبات"),
        ("alef", "أحمد"),
        ("hamza_seats", "مسؤول"),
        ("yeh", "مستشفى"),
        ("teh_marbuta", "مدرسة"),
        ("persian_letters", "کتاب"),
        ("digits", "٢٠٢٤"),
        ("presentation_forms", "ﻻ"),
    ],
)
def test_a_switch_turned_off_keeps_its_variation(switch, text):
    assert normalize_arabic(text) != text
    assert normalize_arabic(text, **{switch: False}) == text


def test_turning_one_switch_off_keeps_the_others():
    assert normalize_arabic("أَحْمَـــد", alef=False) == "أحمد"


# --- light_stem --------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("الكتاب", "كتاب"),
        ("والكتاب", "كتاب"),
        ("بالقلم", "قلم"),
        ("كالبحر", "بحر"),
        ("فالعلم", "علم"),
        ("للبيت", "بيت"),
        ("وكتب", "كتب"),
    ],
)
def test_each_prefix_is_stripped(word, stem):
    assert light_stem(word) == stem


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("كتابها", "كتاب"),
        ("معلمان", "معلم"),
        ("معلمات", "معلم"),
        ("معلمون", "معلم"),
        ("معلمين", "معلم"),
        ("جامعيه", "جامع"),
        ("جامعية", "جامع"),
        ("كتابه", "كتاب"),
        ("مدرسة", "مدرس"),
        ("كتابي", "كتاب"),
    ],
)
def test_each_suffix_is_stripped(word, stem):
    assert light_stem(word) == stem


@pytest.mark.parametrize(("word", "stem"), [("والمعلمات", "معلم"), ("بالمدرسه", "مدرس"), ("للجامعيين", "جامع")])
def test_prefix_and_suffixes_are_stripped_together(word, stem):
    assert light_stem(word) == stem


@pytest.mark.parametrize(
    ("word", "stem"), [("الم", "الم"), ("ذات", "ذات"), ("بها", "بها"), ("سنة", "سن"), ("له", "له")]
)
def test_stem_is_never_shorter_than_two_letters(word, stem):
    assert light_stem(word) == stem


@pytest.mark.parametrize(("word", "stem"), [("ورد", "ورد"), ("وعد", "وعد"), ("وكتب", "كتب"), ("وقلم", "قلم")])
def test_lone_waw_is_stripped_only_from_words_of_four_letters(word, stem):
    assert light_stem(word) == stem


@pytest.mark.parametrize("word", ["كتاب", "قلم", "شمس", "بيت", "سلام", "مدرس"])
def test_words_without_affixes_are_left_alone(word):
    assert light_stem(word) == word


# --- English -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("observers", ["observ"]),
        ("Elections", ["elect"]),
        ("OBSERVERS", ["observ"]),
        ("the observers of the elections", ["observ", "elect"]),
        ("Running runs", ["run", "run"]),
    ],
)
def test_english_is_lowercased_stop_filtered_and_stemmed(text, expected):
    assert terms(text) == expected


@pytest.mark.parametrize("word", ["the", "of", "and", "to", "in", "is"])
def test_english_stopwords_are_removed(word):
    assert terms(f"{word} bridge") == ["bridg"]


@pytest.mark.parametrize(("word", "term"), [("US", "us"), ("May", "may")])
def test_country_and_month_are_not_stopwords(word, term):
    assert terms(word) == [term]


# --- Arabic stopwords and content words --------------------------------------


@pytest.mark.parametrize("word", ["في", "من", "على", "الذي"])
def test_arabic_stopwords_are_removed(word):
    assert terms(f"{word} المدرسة") == ["مدرس"]


@pytest.mark.parametrize(
    "word", ["ولاية", "أمين", "أمن", "كتاب", "مدرسة"], ids=["province", "secretary", "security", "book", "school"]
)
def test_content_words_are_not_arabic_stopwords(word):
    assert terms(word) != []


# --- per-token script dispatch -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("بعثة OSCE تراقب", ["بعث", "osc", "تراقب"]),
        ("منظمة CSTO الأمنية", ["منظم", "csto", "امن"]),
        ("حلف NATO", ["حلف", "nato"]),
    ],
)
def test_latin_acronyms_in_arabic_text_follow_english_rules(text, expected):
    assert terms(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the word والانتخابات appears", ["word", "انتخاب", "appear"]),
        ("observers at المدرسة", ["observ", "مدرس"]),
    ],
)
def test_arabic_words_in_english_text_follow_arabic_rules(text, expected):
    assert terms(text) == expected


def test_arabic_word_glued_to_latin_splits_into_two_tokens():
    assert [(t.text, t.script) for t in BilingualTokenizer()("الـOSCE")] == [("الـ", "ar"), ("OSCE", "latin")]


@pytest.mark.parametrize(
    ("glued", "acronym"), [("الـOSCE", "OSCE"), ("والـNATO", "NATO"), ("بالـCSTO", "CSTO")], ids=["al", "wal", "bal"]
)
def test_article_glued_to_latin_acronym_gives_only_the_acronym(glued, acronym):
    assert terms(glued) == terms(acronym)


@pytest.mark.parametrize("text", ["كتاب،قلم؛بيت؟شمس", "كتاب، قلم؛ بيت؟ شمس"])
def test_arabic_punctuation_separates_words(text):
    assert terms(text) == ["كتاب", "قلم", "بيت", "شمس"]


# --- conflation ----------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        "الانتخابات",
        "انتخابات",
        "إنتخابات",
        "الاِنْتِخَابَات",
        "للانتخابات",
        "والانتخابات",
        "بالانتخابات",
        "فالانتخابات",
        "كالانتخابات",
        "الانتخابـــات",
        "الانتخا\u200cبات",
    ],
)
def test_article_and_conjunction_prefixes_meet_the_bare_stem(variant):
    assert terms(variant) == ["انتخاب"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("مسؤول", "مسئول"),
        ("المدرسة", "المدرسه"),
        ("مستشفى", "مستشفي"),
        ("جامعية", "جامعيه"),
        ("کتاب", "كتاب"),
        ("ﺍﻟﺴﻼﻡ", "السلام"),
        ("۲۰۲۴", "2024"),
        ("OSCE", "osce"),
    ],
)
def test_spelling_variants_meet(first, second):
    assert terms(first) == terms(second)


@pytest.mark.parametrize(
    ("ligature", "words"), [("ﷺ", "صلى الله عليه وسلم"), ("ﷻ", "جل جلاله")], ids=["salla", "jalla"]
)
def test_ligature_of_several_words_gives_the_terms_of_each_word(ligature, words):
    assert terms(ligature) == terms(words)


@pytest.mark.parametrize(
    ("bare", "prefixed"),
    [("وزير", "الوزير"), ("وكالة", "الوكالة"), ("وزارة", "الوزارة")],
    ids=["minister", "agency", "ministry"],
)
def test_word_beginning_with_root_waw_meets_its_prefixed_forms(bare, prefixed):
    # Each form, typed as a query, finds the other in a document.
    assert set(terms(bare, mode="query")) <= set(terms(prefixed, mode="index"))
    assert set(terms(prefixed, mode="query")) <= set(terms(bare, mode="index"))


@pytest.mark.parametrize(("word", "conjunction"), [("حسن", "وحسن"), ("قال", "وقال"), ("حكومه", "والحكومة")])
def test_document_word_with_conjunction_waw_is_found_by_the_bare_word(word, conjunction):
    assert set(terms(word, mode="query")) <= set(terms(conjunction, mode="index"))


@pytest.mark.parametrize(("first", "second"), [("كتاب", "كاتب"), ("علم", "عالم"), ("سلام", "إسلام"), ("ملك", "مالك")])
def test_different_words_stay_apart(first, second):
    assert terms(first) != terms(second)


# --- offsets, positions, modes ---------------------------------------------------

SAMPLE_TEXTS = [
    "الاِنْتِخَابَاتُ الرِّئَاسِيَّةُ المُبَكِّرَةُ فِي كَازَاخِسْتَان",
    "عاجـــل: انطلاق الانتخابـــات البرلمانيـــة",
    "ﺍﻟﺴﻼﻡ ﻋﻠﻴﻜﻢ ﻭﺭﺣﻤﺔ ﺍﻟﻠﻪ",
    "\u200fقالت\u200f البعثة \u202bالانتخا\u200cبات\u202c نزيهة",
    "بعثة OSCE تراقب الـOSCE elections في كازاخستان",
    "Observers from the CSTO said: «الانتخابات شفافة»، and left.",
    "عام ٢٠٢٤ و۲۰۲۴ و2024م",
    "résumé naïve café e\u0301lan ＯＳＣＥ",
    "مسؤول؛مسئول؟المدرسة،المدرسه",
]


@pytest.mark.parametrize("text", SAMPLE_TEXTS)
def test_offsets_slice_back_to_a_surface_word_that_analyses_to_the_token(text):
    found = tokens(text)
    assert found
    for term, surface, _ in found:
        assert surface and surface == surface.strip()
        assert term in terms(surface)


@pytest.mark.parametrize(
    "text",
    [
        "الاِنْتِخَابَاتُ الرِّئَاسِيَّةُ المُبَكِّرَةُ",
        "عاجـــل الانتخابـــات",
        "ﺍﻟﺴﻼﻡ ﻛﺘﺎﺏ",
        "بعثة OSCE تراقب",
        "الانتخا\u200cبات الرئاسية",
    ],
)
def test_offsets_cover_the_whole_written_word(text):
    assert [surface for _, surface, _ in tokens(text)] == text.split()


@pytest.mark.parametrize(
    "text",
    [
        "ذهب الطالب إلى المدرسة في الصباح",
        "the observers of the elections in Astana",
        "قالت البعثة إن the vote was في موعده",
    ],
)
def test_positions_are_the_words_places_with_stopwords_removed(text):
    # A stopword's place stays empty in the stemmed fields, so that a phrase
    # without it does not match across it; the exact forms keep it there.
    words = text.split()
    kept = [pos for _, _, pos in tokens(text)]
    assert len(kept) >= 3
    assert kept == sorted(kept) and len(kept) < len(words)
    assert [pos for _, _, pos in tokens(text, surface_analyzer())] == list(range(len(words)))
    surfaces = {surface: pos for _, surface, pos in tokens(text)}
    assert all(words[pos] == surface for surface, pos in surfaces.items())


@pytest.mark.parametrize("text", SAMPLE_TEXTS)
def test_every_query_term_is_indexed_at_the_same_position(text):
    indexed = {(t.pos, t.text) for t in ANALYZER(text, mode="index", positions=True)}
    queried = {(t.pos, t.text) for t in ANALYZER(text, mode="query", positions=True)}
    assert queried and queried <= indexed


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t", "...،؛؟!«»", "😀🎉👍", "\u064e\u0651\u0652", "ـــ", "\u200f\u200e"],
    ids=["empty", "whitespace", "punctuation", "emoji", "lone-diacritics", "lone-tatweel", "bidi-marks"],
)
def test_text_without_words_gives_no_tokens(text):
    assert tokens(text) == []


def test_analyzer_survives_pickling():
    restored = pickle.loads(pickle.dumps(ANALYZER))
    assert restored == ANALYZER
    assert [t.text for t in restored(SAMPLE_TEXTS[4])] == terms(SAMPLE_TEXTS[4])


def test_surface_analyzer_keeps_affixes_but_normalises():
    assert [t.text for t in surface_analyzer()("والاِنْتِخَابَات")] == ["والانتخابات"]

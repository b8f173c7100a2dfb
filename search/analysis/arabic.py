"""Arabic normalisation, stopwords and light stemming.

`normalize_arabic` is the one normalisation step, with named switches, that
index and query time share; `light_stem` is a light10-style stemmer (Larkey,
Ballesteros and Connell 2007), the kind Lucene's ArabicStemmer implements.
pyarabic supplies the character tables; what it does not offer is here.
"""

from __future__ import annotations

import gc
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import pyarabic.araby as araby

from .memo import WORD_CACHE_SIZE

HAMZA = araby.HAMZA

# Invisible characters that PDFs, word processors and web pages leave inside
# Arabic words: joiners, bidi marks and embeddings, the Arabic letter mark,
# the byte-order mark used as a zero-width no-break space, the soft hyphen.
INVISIBLE_CONTROLS = (
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\ufeff\u00ad"
)


def _deletions(*groups: str) -> dict[int, str | None]:
    return {ord(c): None for group in groups for c in group}


def _mapping(pairs: Iterable[tuple[str, str]]) -> dict[int, str | None]:
    return {ord(source): target for sources, target in pairs for source in sources}


# Each switch of normalize_arabic is one translation table.
DIACRITICS_TABLE = _deletions(araby.DIACRITICS, araby.SMALL)
TATWEEL_TABLE = _deletions(araby.TATWEEL)
INVISIBLE_TABLE = _deletions(INVISIBLE_CONTROLS)
ALEF_TABLE = _mapping(
    [
        (
            araby.ALEF_MADDA
            + araby.ALEF_HAMZA_ABOVE
            + araby.ALEF_HAMZA_BELOW
            + araby.ALEF_WASLA
            + "\u0672\u0673",  # alef with wavy hamza above / below
            araby.ALEF,
        )
    ]
)
# Hamza on a waw or yeh seat is spelled both ways (مسؤول / مسئول): meet at hamza.
HAMZA_SEAT_TABLE = _mapping([(araby.WAW_HAMZA + araby.YEH_HAMZA, HAMZA)])
YEH_TABLE = _mapping([(araby.ALEF_MAKSURA + "\u06cc", araby.YEH)])  # ى and Persian yeh
TEH_MARBUTA_TABLE = _mapping([(araby.TEH_MARBUTA + "\u06c0", araby.HEH)])
PERSIAN_LETTERS_TABLE = _mapping([("\u06a9", araby.KAF)])  # Persian keheh ک
DIGITS_TABLE: dict[int, str | None] = {
    ord(digit): ascii_digit
    for digits in (araby.NUMBERS_EAST, araby.NUMBERS_PERS)
    for digit, ascii_digit in zip(digits, araby.NUMBERS_WEST, strict=True)
}


@lru_cache(maxsize=64)
def _table_for(disabled: frozenset[str]) -> dict[int, str | None]:
    """The translation table with every switch on but those in ``disabled``."""
    table: dict[int, str | None] = {}
    for name, switch_table in SWITCH_TABLES.items():
        if name not in disabled:
            table.update(switch_table)
    return table


SWITCH_TABLES = {
    "diacritics": DIACRITICS_TABLE,
    "tatweel": TATWEEL_TABLE,
    "invisible": INVISIBLE_TABLE,
    "alef": ALEF_TABLE,
    "hamza_seats": HAMZA_SEAT_TABLE,
    "yeh": YEH_TABLE,
    "teh_marbuta": TEH_MARBUTA_TABLE,
    "persian_letters": PERSIAN_LETTERS_TABLE,
    "digits": DIGITS_TABLE,
}


def normalize_arabic(text: str, presentation_forms: bool = True, **switches: bool) -> str:
    """Normalise Arabic text for matching.

    Every switch defaults to on; pass ``name=False`` to keep one kind of
    variation (the names are the keys of ``SWITCH_TABLES``).
    ``presentation_forms`` folds PDF presentation forms and ligatures to
    ordinary letters (Unicode NFKC) before anything else.

    >>> normalize_arabic("الاِنْتِخَابَات")
    'الانتخابات'
    >>> normalize_arabic("إنتخابـــات ٢٠٢٤")
    'انتخابات 2024'
    """
    if presentation_forms and not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    unknown = set(switches) - set(SWITCH_TABLES)
    if unknown:
        raise TypeError(f"unknown normalisation switch: {', '.join(sorted(unknown))}")
    disabled = frozenset(name for name, enabled in switches.items() if not enabled)
    return text.translate(_table_for(disabled))


def stop_key(word: str) -> str:
    """The form a word is looked up in the stop list by: normalised, but with
    its hamza spelling kept, so that إمام (imam) is not taken for أمام
    (in front of), nor الآلي (automatic) for الألى.

    >>> stop_key("إمام") != stop_key("أمام")
    True
    """
    return normalize_arabic(word, alef=False, hamza_seats=False)


# light10 affixes, in Lucene's order, after the conjunction + preposition
# compounds light10 leaves whole (وللانتخابات، وبالتالي، فبالنسبة), which need
# a longer remainder (وكال- is left out: وكالة، وكالات). After normalisation ة
# is already ه; the ة forms stay so the stemmer is right on unnormalised words.
COMPOUND_PREFIXES = ("وبال", "فبال", "ولل", "فلل")
PREFIXES = (*COMPOUND_PREFIXES, "ال", "وال", "بال", "كال", "فال", "لل", "و")
SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")
MIN_STEM = 2
# Words whose ending only looks like a suffix: names in -ان/-ين/-ة that
# light10 would cut into other words (لبنان → لبن "milk", عمان → عم "uncle",
# البحرين → بحر "sea"). Lucene's ArabicAnalyzer calls this its stem exclusion set.
STEM_EXCLUSIONS = frozenset(
    normalize_arabic(word)
    for word in """لبنان إيران عمان عمّان السودان اليابان اليونان الصين باكستان أفغانستان كازاخستان أوزبكستان
    طاجيكستان تركمانستان قيرغيزستان كردستان أذربيجان البحرين فلسطين الأرجنتين الفلبين طهران أصفهان تطوان
    الفاتيكان عدنان رمضان شعبان سلمان عثمان سليمان مكة جدة غزة""".split()
)
STEM_EXCLUSIONS = frozenset(word[2:] if word.startswith("ال") else word for word in STEM_EXCLUSIONS)


def _strip_prefix(word: str) -> str:
    for prefix in PREFIXES:
        # A lone waw needs a word of four letters (Lucene's rule), so that
        # short words that begin with waw (ورد, وقت) are left alone.
        shortest = 4 if len(prefix) == 1 else len(prefix) + MIN_STEM + (prefix in COMPOUND_PREFIXES)
        if len(word) >= shortest and word.startswith(prefix):
            return word[len(prefix) :]
    return word


def _strip_suffixes(word: str) -> str:
    if word in STEM_EXCLUSIONS:
        return word
    for suffix in SUFFIXES:
        if len(word) >= len(suffix) + MIN_STEM and word.endswith(suffix):
            word = word[: -len(suffix)]
    return word


@lru_cache(maxsize=WORD_CACHE_SIZE)
def light_stem(word: str) -> str:
    """Strip one article/conjunction prefix and the common suffixes of a
    normalised Arabic word, never leaving fewer than two letters.

    >>> light_stem("والانتخابات")
    'انتخاب'
    >>> light_stem("المدرسه")
    'مدرس'
    """
    return _strip_suffixes(_strip_prefix(word))


def _strips_lone_waw(word: str) -> bool:
    return word.startswith("و") and _strip_prefix(word) == word[1:]


@lru_cache(maxsize=WORD_CACHE_SIZE)
def query_stem(word: str) -> str:
    """The stem a query word is searched by: like light_stem, but a leading
    waw is kept, since in a query it is far more often the first letter of
    the word (وزير، وكالة) than the conjunction.

    >>> query_stem("وزير"), light_stem("وزير")
    ('وزير', 'زير')
    """
    return _strip_suffixes(word) if _strips_lone_waw(word) else light_stem(word)


def index_stems(word: str) -> tuple[str, ...]:
    """The stems a document word is indexed under: the light stem and, when
    that removed a leading waw, also the stem with the waw kept, so that
    وزير in a document is found both by وزير and (as و + زير) by زير, and
    الوزير and وزير meet whichever the query is.

    >>> index_stems("وزير"), index_stems("الوزير")
    (('زير', 'وزير'), ('وزير',))
    """
    stem = light_stem(word)
    if _strips_lone_waw(word):
        return stem, _strip_suffixes(word)
    return (stem,)


# Which entries of the arabic-stopwords lexicon are stopwords for search: the
# function words (particles, pronouns, demonstratives, relatives, question and
# condition words, adverbs of place and time that carry no topic), not the
# nouns and verbs it also lists (ابن، شهر، صباح، شرق، أصبح...), which are
# content words in news text.
STOP_CLASSES = {
    ("اسم", "اسم إشارة"),
    ("اسم", "اسم موصول"),
    ("اسم", "اسم الاستفهام"),
    ("اسم", "اسم الشرط"),
    ("اسم", "ظرف"),
    ("اسم", "استثناء"),
    ("اسم", "جار ومجرور"),
    ("اسم", "اسم استفهام/ظرف زمان"),
    ("اسم", "كناية"),
    ("اسم", "توكيد"),
    ("اسم", "اسم إضافة"),
    ("اسم", "ظرف مكان"),
    ("اسم", "ظرف زمان"),
}
STOP_TYPES = {"حرف", "ضمير"}  # every particle and pronoun
STOP_VERBS = {"كان", "ليس", "ليست", "ليسوا", "ليسا", "ليستا"}
NOT_STOP_LEMMAS = set(
    "فلان عين عامة نفس ابن سبحان معاذ شطر لعمر شبه جنوب شمال شرق غرب يمين زمان ساعة شهر صباح "
    "ضحوة غدا غداة غروب لحظة ليل مساء وقت أمد أمس أول أبدا أصلا آنفا الألى الألاء "
    # Reviewed for issue 16: adverbs of place that name a place or a rank
    # (خلف behind, أعلى highest: المجلس الأعلى), nouns of time (مرة, تارة),
    # and particles written like common nouns (رب lord, بيد hand, أجل term,
    # نعم blessings, عوض compensation). See docs/arabic-analysis.md.
    "خلف أمام فوق تحت أسفل أعلى جنب وراء إزاء مرة تارة ريث رب بيد أجل نعم عوض جلل جير ذيت كيت".split()
)
# Clitic forms that normalise onto common content words: ولأية/ولاية (province),
# فتحت (she opened), فهم (understanding).
NOT_STOP_FORMS = {"ولأيه", "ولايه", "فتحت", "فهم"}
# The proclitics Arabic writes onto a word: a conjunction, a preposition, or
# a conjunction then a preposition (وب، فل). Names, places and function
# words, which no stemmer joins to their clitic forms, are looked up with them.
CONJUNCTION_CLITICS = ("و", "ف")
PREPOSITION_CLITICS = ("ب", "ك", "ل")
PROCLITICS = tuple(c + p for c in ("", *CONJUNCTION_CLITICS) for p in ("", *PREPOSITION_CLITICS) if c + p)
# A bare article or prefix left over from a word split at a Latin letter (الـOSCE).
BARE_PREFIXES = {"ال", "وال", "بال", "كال", "فال", "لل"}


def _is_stop_lemma(lemma: str, entries: Iterable[Mapping[str, Any]]) -> bool:
    for entry in entries:
        kind = entry["type_word"]
        if kind == "حرف ابجدي" or lemma in NOT_STOP_LEMMAS:
            continue
        if kind in STOP_TYPES or (kind, entry["class_word"]) in STOP_CLASSES or lemma in STOP_VERBS:
            return True
    return False


def _load_stopwords() -> frozenset[str]:
    """Our stop keys, read from the arabicstopwords lexicon; the lexicon's
    own tables (every inflected form with its grammar, 14 MB a process) are
    let go once read: a search worker keeps only the keys."""
    import arabicstopwords.arabicstopwords as arabic_stopword_lists

    try:
        return _stop_keys(arabic_stopword_lists.classed_STOPWORDS, arabic_stopword_lists.STOPWORDS_INDEX)
    finally:
        for name in [name for name in sys.modules if name.split(".")[0] in _LEXICON_MODULES]:
            del sys.modules[name]
        del arabic_stopword_lists
        gc.collect()  # the modules' functions and globals hold each other


# The lexicon's modules: the package, and the data modules it puts on sys.path itself.
_LEXICON_MODULES = frozenset({"arabicstopwords", "stopwordsallforms", "stopwords_classified"})


def _stop_keys(lexicon: Mapping[str, Any], forms_of: Mapping[str, set[str]]) -> frozenset[str]:
    words = set(BARE_PREFIXES)
    for lemma, entries in lexicon.items():
        if not _is_stop_lemma(lemma, entries):
            continue
        forms = forms_of.get(lemma, set()) | {lemma}
        for form in forms:
            # The interrogative hamza prefix (أمن، أوبك، ألأمام) collides with
            # content words once normalised.
            interrogative = form.startswith(araby.ALEF_HAMZA_ABOVE) and (
                not lemma.startswith(araby.ALEF_HAMZA_ABOVE) or form[1:] in forms or form[1:].startswith("ل")
            )
            if not interrogative:
                words.add(stop_key(form))
    words -= NOT_STOP_FORMS
    if len(words) < 1000:
        # Fail at start-up rather than index without a stop list.
        raise RuntimeError("the Arabic stopword lexicon did not load")
    return frozenset(words)


ARABIC_STOPWORDS = _load_stopwords()

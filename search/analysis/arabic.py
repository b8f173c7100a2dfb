"""Arabic normalisation, stopwords and light stemming.

`normalize_arabic` is the one normalisation step, with named switches, that
index and query time share; `light_stem` is a light10-style stemmer (Larkey,
Ballesteros and Connell 2007), the kind Lucene's ArabicStemmer implements.
pyarabic supplies the character tables; what it does not offer is here.
"""

import unicodedata
from functools import lru_cache

import arabicstopwords.arabicstopwords as arabic_stopword_lists
import pyarabic.araby as araby

HAMZA = araby.HAMZA

# Invisible characters that PDFs, word processors and web pages leave inside
# Arabic words: joiners, bidi marks and embeddings, the Arabic letter mark,
# the byte-order mark used as a zero-width no-break space, the soft hyphen.
INVISIBLE_CONTROLS = (
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\ufeff\u00ad"
)


def _deletions(*groups):
    return {ord(c): None for group in groups for c in group}


def _mapping(pairs):
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
DIGITS_TABLE = {
    ord(digit): ascii_digit
    for digits in (araby.NUMBERS_EAST, araby.NUMBERS_PERS)
    for digit, ascii_digit in zip(digits, araby.NUMBERS_WEST, strict=True)
}


def _build_table(**switches):
    table = {}
    for name, enabled in switches.items():
        if enabled:
            table.update(SWITCH_TABLES[name])
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
FULL_TABLE = _build_table(**{name: True for name in SWITCH_TABLES})


def normalize_arabic(text, presentation_forms=True, **switches):
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
    table = FULL_TABLE if not switches else _build_table(**{**dict.fromkeys(SWITCH_TABLES, True), **switches})
    return text.translate(table)


# light10 affixes, in Lucene's order. After normalisation ة is already ه; the
# ة forms stay so the stemmer is right on unnormalised words too.
PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")
MIN_STEM = 2


def _strip_prefix(word):
    for prefix in PREFIXES:
        # A lone waw needs a word of four letters (Lucene's rule), so that
        # short words that begin with waw (ورد, وقت) are left alone.
        shortest = 4 if len(prefix) == 1 else len(prefix) + MIN_STEM
        if len(word) >= shortest and word.startswith(prefix):
            return word[len(prefix) :]
    return word


def _strip_suffixes(word):
    for suffix in SUFFIXES:
        if len(word) >= len(suffix) + MIN_STEM and word.endswith(suffix):
            word = word[: -len(suffix)]
    return word


@lru_cache(maxsize=200_000)
def light_stem(word):
    """Strip one article/conjunction prefix and the common suffixes of a
    normalised Arabic word, never leaving fewer than two letters.

    >>> light_stem("والانتخابات")
    'انتخاب'
    >>> light_stem("المدرسه")
    'مدرس'
    """
    return _strip_suffixes(_strip_prefix(word))


def _load_stopwords():
    words = {normalize_arabic(word) for word in arabic_stopword_lists.stopwords_list()}
    if len(words) < 1000:
        # Fail at start-up rather than index without a stop list.
        raise RuntimeError("the Arabic stopword list did not load")
    return frozenset(words)


ARABIC_STOPWORDS = _load_stopwords()

"""Names across scripts: Tokayev finds توكاييف, and توكاييف finds Tokayev.

Both scripts are read into one alphabet of units: consonants (Latin digraphs
such as kh, sh, th, dh, gh, zh read as one; c as k or s by the next letter)
and vowel slots (a run of Latin vowels, or of the Arabic long vowels ا و ي
with a final ة). Two tables come from it, built from the index's own
vocabulary when the indexer commits (search/index.py, ``write_name_keys``):

- the key of a word, its consonant skeleton with sound-alike consonants in
  one class (t d ت د ط ض, s z س ص ز, k q ك ق, g j ج غ, ...): Kazakhstan and
  كازاخستان are both "ksxstn". The dict from key to words is what a query
  looks up, one lookup per query word (and per pair of adjacent words, for
  Abu Dhabi / أبوظبي), reading at most MAX_CANDIDATES words per key;
- the reading of a candidate against the query word: an alignment of the
  units that costs nothing for a letter and its usual counterpart (q/ق, t/ط,
  th/ث, dh/ذ/ظ, o/و, i/ي), little for a short Latin vowel Arabic does not
  write, and much for an Arabic long vowel the Latin lacks or a vowel of
  another quality (so ثقافة is not Tokayev, nor مقارنة Macron).

On the Arabic side the article ال and the proclitics و ف ب ل ك are taken
off (وقيرغيزستان is Kyrgyzstan). Precision comes first:
- a Latin word is a name when most (more than half) of its mentions in the
  documents are capitalised in mid-sentence (the ``names`` field holds one token per such
  mention), or when the index does not know it and the reader typed it
  capitalised; an Arabic word's Latin matches must be such names;
- a key of two consonants (Doha, Iran, Baku) needs an exact reading: every
  Arabic long vowel matched by a Latin vowel of its quality; keys of fewer
  consonants are not matched at all;
- an ع inside a word is read only beside a long Latin vowel (Saudi السعودية,
  Souad سعاد), at a word's start only beside a vowel (Amman عمان): middle is
  not معدل, GMT not جمعت, Nasr not عنصر;
- a final ة is a syllable a Latin name ending in a consonant lacks (Doha
  الدوحة, but Rabat is not رابطة);
- an Arabic word finds a Latin name only when it is about as close a reading
  of it as the closest word the index has (``NameKeys.closest``, built with
  the tables): التكييف does not find Tokayev, whose closest is توكاييف.
Places that no reading links (Egypt / مصر, Jordan / الأردن) come from a
CLDR table, search/places.py, and join these matches in
``cross_script_matches``. Cross-script matches are added with a low boost,
so they rank below same-script ones, and ``cross_script=0`` turns them off.
"""

import itertools
import json
import multiprocessing
import os
import re
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from anyascii import anyascii
from whoosh import query as wq

from ..analysis import normalize_word, script_of
from ..analysis.arabic import PROCLITICS
from ..analysis.explain import plan_query
from ..analysis.memo import WORD_CACHE_SIZE
from ..index_identity import reader_version
from ..places import place_matches
from ..suggest import best_correction

MIN_SKELETON = 2  # consonants a key needs to be matched at all
LONG_SKELETON = 3  # from here on, the looser reading applies
# Most alignment cost between a name and a spelling: for keys of three
# consonants, and a little more for each further consonant (long names
# carry more unwritten short vowels); for two consonants, only the cost of
# unwritten short vowels and of sound-alike consonants, nothing else.
MAX_COST = 0.7
MAX_COST_PER_EXTRA_CONSONANT = 0.1
MAX_COST_SHORT = 0.3
SOUND_ALIKE = 0.75  # consonants of one class that are not each other's usual spelling (t/د)
VOWEL_MISMATCH = 0.6  # a Latin vowel written as an Arabic long vowel of another quality
CROSS_SCRIPT_BOOST = 0.3
NAME_RATIO = 0.5  # share of a word's mentions written capitalised mid-sentence must exceed this
MAX_MATCHES = 8
RELATIVE_SLACK = 0.25  # how much worse than the best reading a match may be
MAX_KEYS = 16  # keys of one word (ambiguous letters multiply them)
MAX_CANDIDATES = 200  # words read per key at query time (the most frequent first)
ARTICLES = frozenset({"al", "el"})  # al-Moussawi: Arabic writes the article attached
BIGRAM_JOINER = "_"  # two capitalised words in a row, one token of the names field

INF = float("inf")
# How strictly a reading is checked: EXACT (every Arabic long vowel matched
# by a Latin vowel of its quality, no vowel or consonant left over but an
# unwritten short vowel), SHORT (the same, with no unwritten vowel either).
EXACT, SHORT = 1, 2

# --- units ---------------------------------------------------------------------

_LATIN_GROUPS = (
    ("sch", "$"),
    ("tch", "$"),
    ("kh", "x"),
    ("sh", "$"),
    ("ch", "$"),
    ("zh", "ʒ"),
    ("th", "θ"),
    ("dh", "ð"),
    ("gh", "ɣ"),
    ("ph", "f"),
    ("ck", "k"),
    ("dj", "j"),
)
_LATIN_QUALITY = {"a": "A", "e": "I", "i": "I", "y": "I", "o": "U", "u": "U", "w": "U"}
_ARABIC_CONSONANTS = {
    "ب": "b",
    "پ": "b",
    "ت": "t",
    "ث": "θ",
    "ج": "j",
    "ح": "ħ",
    "خ": "x",
    "د": "d",
    "ذ": "ð",
    "ر": "r",
    "ز": "z",
    "ژ": "z",
    "س": "s",
    "ش": "$",
    "چ": "$",
    "ص": "ṣ",
    "ض": "ḍ",
    "ط": "ṭ",
    "ظ": "ẓ",
    "غ": "ɣ",
    "ف": "f",
    "ڤ": "f",
    "ق": "q",
    "ك": "k",
    "گ": "g",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
}
_ARABIC_QUALITY = {"ا": "A", "و": "U", "ي": "I"}
_GLOTTAL = frozenset("عء")
# Key classes: letters that names swap between the scripts share one. The
# interdentals ث ذ ظ are read as a t or an s, so they give two keys.
_KEY = {
    "b": "b",
    "p": "b",
    "t": "t",
    "d": "t",
    "ṭ": "t",
    "ḍ": "t",
    "θ": "t",
    "ð": "t",
    "s": "s",
    "z": "s",
    "ṣ": "s",
    "k": "k",
    "q": "k",
    "g": "g",
    "j": "g",
    "ʒ": "g",
    "ɣ": "g",
    "x": "x",
    "$": "$",
    "f": "f",
    "v": "f",
    "h": "h",
    "ħ": "h",
    "l": "l",
    "m": "m",
    "n": "n",
    "r": "r",
}
_KEY_ALTERNATIVES = {"θ": "ts", "ð": "ts", "ẓ": "ts"}  # Arabic only: Latin th, dh are t
# A Latin consonant unit and the Arabic letters it is usually written with.
_WRITTEN_AS = {
    "b": "b",
    "p": "b",
    "t": "tṭ",
    "d": "dḍ",
    "θ": "θt",
    "ð": "ðẓḍd",
    "s": "sṣθ",
    "z": "zðẓ",
    "k": "kq",
    "q": "qk",
    "g": "ɣjg",
    "j": "j",
    "ʒ": "j",
    "ɣ": "ɣ",
    "x": "x",
    "$": "$",
    "f": "f",
    "v": "f",
    "h": "ħh",
    "l": "l",
    "m": "m",
    "n": "n",
    "r": "r",
}


class Unit:
    """One consonant (``letter``) or one vowel slot (``qualities`` among A I U;
    ``glides``: the Arabic letters a Latin y or w before a vowel asks for)."""

    __slots__ = (
        "consonant",
        "letter",
        "qualities",
        "glides",
        "edge",
        "final_h",
        "after_n",
        "short",
        "silent_e",
        "edge_final",
        "ain",
    )

    def __init__(self, letter=None, qualities=frozenset(), glides="", edge=False, final_h=False, after_n=False):
        self.consonant = letter is not None
        self.letter, self.qualities, self.glides = letter, qualities, glides
        self.edge, self.final_h, self.after_n = edge, final_h, after_n
        self.short = self.silent_e = self.edge_final = False
        self.ain = None  # an Arabic ع: "start" or "mid" (of the form read)

    def __repr__(self):
        if self.consonant:
            return self.letter
        if isinstance(self.qualities, tuple):
            return "".join("[" + "".join(sorted(q)) + "]" for q in self.qualities)
        return "[" + "".join(sorted(self.qualities)) + "]"


def _latin_letters(text):
    letters, i = [], 0
    while i < len(text):
        if text.startswith("ngh", i):  # Shanghai: n, g, h
            letters += ["n", "g", "h"]
            i += 3
            continue
        for group, unit in _LATIN_GROUPS:
            if text.startswith(group, i):
                letters.append(unit)
                i += len(group)
                break
        else:
            char = text[i]
            if char == "c":
                letters.append("s" if text[i + 1 : i + 2] in ("e", "i", "y") else "k")
            elif char == "x":
                letters += ["k", "s"]
            else:
                letters.append(char)
            i += 1
    return letters


@lru_cache(maxsize=WORD_CACHE_SIZE)
def latin_units(word):
    """The units of a Latin word (accents dropped).

    >>> latin_units("Tokayev")
    (t, [U], k, [AI], v)
    """
    text = re.sub(r"[^a-z]", "", anyascii(word).lower())
    letters = _latin_letters(text)
    units, k = [], 0
    while k < len(letters):
        letter = letters[k]
        if letter in _LATIN_QUALITY:
            run = []
            while k < len(letters) and letters[k] in _LATIN_QUALITY:
                run.append(letters[k])
                k += 1
            glides = "".join({"y": "ي", "w": "و"}[c] for i, c in enumerate(run) if c in "yw" and i + 1 < len(run))
            edge = not units or k == len(letters)
            unit = Unit(qualities=frozenset(_LATIN_QUALITY[c] for c in run), glides=glides, edge=edge)
            unit.short = len(run) == 1
            unit.silent_e = run == ["e"] and k == len(letters) and len(units) > 1
            units.append(unit)
            continue
        k += 1
        if units and units[-1].consonant and units[-1].letter == letter:
            continue  # doubled
        after_n = letter == "g" and units and units[-1].consonant and units[-1].letter == "n"
        if letter in _KEY:
            units.append(Unit(letter, after_n=after_n))
    return tuple(units)


@lru_cache(maxsize=WORD_CACHE_SIZE)
def arabic_units(normalized):
    """The units of a normalised Arabic word. A vowel slot's ``qualities``
    holds, per letter, the Latin vowels it may stand for: a final ي is also
    ى (a), a first ا carries whatever vowel the name starts with.

    >>> arabic_units("توكاييف")
    (t, [U], k, [A][I][I], f)
    """
    units, k, n = [], 0, len(normalized)

    def vowel_letter(k):
        return normalized[k] in _ARABIC_QUALITY or (normalized[k] == "ه" and k == n - 1 and k > 0)

    while k < n:
        char = normalized[k]
        if vowel_letter(k):
            start = k
            while k < n and vowel_letter(k):
                k += 1
            run = normalized[start:k]
            options = [frozenset(_ARABIC_QUALITY.get(c, "AI")) for c in run]
            if k == n and run[-1] == "ي":
                options[-1] = frozenset("AI")  # ى, folded to ي: Huda هدى
            if start == 0 and run[0] == "ا":  # the hamza seat
                options = options[1:] or [frozenset("AIU")]
            unit = Unit(qualities=tuple(options), glides=run, edge=start == 0, final_h=run == "ه")
            unit.edge_final = k == n
            units.append(unit)
            continue
        k += 1
        if char in _GLOTTAL:
            units.append(Unit("'"))
            if char == "ع":
                units[-1].ain = "start" if k == 1 else "mid"
        elif char in _ARABIC_CONSONANTS:
            letter = _ARABIC_CONSONANTS[char]
            if not (units and units[-1].consonant and units[-1].letter == letter):
                units.append(Unit(letter))
    return tuple(units)


def _key_options(unit, arabic):
    if arabic and unit.letter in _KEY_ALTERNATIVES:
        return tuple(_KEY_ALTERNATIVES[unit.letter])
    return (_KEY.get(unit.letter, ""),)


def _keys_of_units(units, arabic):
    """Every key of a unit sequence: its consonants' classes (doubled
    letters are one unit already);
    a Latin g after n and a final h are optional, an Arabic final ه too."""
    keys = {""}
    for position, unit in enumerate(units):
        if not unit.consonant:
            if arabic and unit.final_h:
                keys |= {key + "h" for key in keys}
            continue
        if unit.letter == "'":
            continue
        options = set(_key_options(unit, arabic))
        if not arabic and (unit.after_n or (unit.letter == "h" and position == len(units) - 1)):
            options.add("")
        keys = {key + option for key in keys for option in options}
        if len(keys) > MAX_KEYS:
            keys = set(sorted(keys)[:MAX_KEYS])
    return keys


# Arabic proclitics before a name: the conjunctions, the prepositions, the
# article and their combinations (وال, بال, لل ...), longest first.
_PROCLITICS = sorted(PROCLITICS, key=len, reverse=True)


def arabic_forms(normalized):
    """The forms of a normalised Arabic word a name may be: itself, without
    the article, and without a proclitic (with or without the article after
    it). A proclitic is only taken off a long remainder (وزير is not و+زير).

    >>> arabic_forms("وقيرغيزستان")
    ('وقيرغيزستان', 'قيرغيزستان')
    """
    forms = [normalized]
    if normalized.startswith("ال") and len(normalized) > 3:
        forms.append(normalized[2:])
    if normalized.startswith("لل") and len(normalized) > 4:
        forms.append(normalized[2:])
    for clitic in _PROCLITICS:
        rest = normalized[len(clitic) :]
        if normalized.startswith(clitic) and len(rest) >= 4:
            if rest not in forms and _consonants(arabic_units(rest)) >= LONG_SKELETON:
                forms.append(rest)
            if rest.startswith("ال") and len(rest) > 4 and rest[2:] not in forms:
                forms.append(rest[2:])  # والعراق: the article after the clitic marks the boundary
    return tuple(forms)


def _consonants(units):
    return sum(unit.consonant and unit.letter != "'" for unit in units)


@lru_cache(maxsize=WORD_CACHE_SIZE)
def skeletons(word):
    """The keys of a word (or of two words, written as one with a space).

    >>> skeletons("Tokayev"), skeletons("توكاييف")
    (('tkf',), ('tkf',))
    """
    script = script_of(word)
    if script != "ar":
        return tuple(sorted(_keys_of_units(latin_units(word.replace(" ", "")), False)))
    keys = set()
    for form in arabic_forms(normalize_word(word.replace(" ", ""), "ar")):
        keys |= _keys_of_units(arabic_units(form), True)
    return tuple(sorted(keys))


# --- reading a Latin word against an Arabic one ----------------------------------


def _substitution(latin, arabic, strict):
    if latin.consonant and arabic.consonant:
        if arabic.letter in _WRITTEN_AS.get(latin.letter, ""):
            return 0.0
        if set(_key_options(latin, False)) & set(_key_options(arabic, True)):
            return SOUND_ALIKE
        return None
    if not latin.consonant and arabic.consonant:
        if arabic.letter != "'" or (arabic.ain == "mid" and latin.short):
            return None
        return 0.25  # ع written as a vowel: Amman عمان
    if latin.consonant and not arabic.consonant:
        return 0.0 if latin.letter == "h" and arabic.final_h else None
    if not all(glide in arabic.glides for glide in latin.glides):
        return None if strict else 0.5
    covered = sum(bool(latin.qualities & options) for options in arabic.qualities)
    written = frozenset().union(*arabic.qualities)
    if covered == len(arabic.qualities) and (strict or latin.qualities <= written):
        return 0.0
    if strict:
        return None
    if covered:
        return 0.25  # Biden بايدن: a Latin i for Arabic ai
    if latin.silent_e and arabic.edge_final:
        return 0.25  # France فرنسا
    return VOWEL_MISMATCH


def _latin_deletion(unit, strict):
    if unit.consonant:
        if unit.after_n:
            return 0.1  # ng: Washington واشنطن
        return None if strict else (0.5 if unit.letter == "h" else 1.0)
    if unit.edge:
        if unit.silent_e:
            return 0.25  # France فرنسا
        return None if strict else 0.7  # Arabic writes a name's first and last vowel
    if strict == SHORT:
        return None  # Amman is not الامن
    return 0.25 if unit.short else 0.6  # a short vowel Arabic leaves unwritten


def _arabic_deletion(unit, strict, latin_ends_in_consonant=False):
    if unit.consonant:
        return 0.3 if unit.letter == "'" else (None if strict else 1.0)
    if unit.final_h:
        # ة after a name's last consonant is a syllable the Latin does not
        # have: Doha الدوحة, but Rabat is not رابطة
        return None if latin_ends_in_consonant else 0.0
    if strict:
        return None
    return 1.0


def _ain_voiced(latin, i, where):
    """Whether an Arabic ع between Latin units i-1 and i may go unwritten:
    only beside a Latin vowel (Amman عمان, Iraq العراق), a long one (two
    letters or more: Saudi السعودية, Souad سعاد) inside the word; never between
    two consonants (GMT is not جمعت) nor by a single vowel letter inside the
    word (middle is not معدل, valley not فعالية)."""
    beside = [latin[k] for k in (i - 1, i) if 0 <= k < len(latin) and not latin[k].consonant]
    return any(where == "start" or not unit.short for unit in beside)


def _alignment(latin, arabic, strict):
    rows, cols = len(latin) + 1, len(arabic) + 1
    ends_in_consonant = bool(latin) and latin[-1].consonant and latin[-1].letter != "h"
    d = [[INF] * cols for _ in range(rows)]
    d[0][0] = 0.0
    for i in range(rows):
        for j in range(cols):
            here = d[i][j]
            if here == INF:
                continue
            if i < rows - 1:
                cost = _latin_deletion(latin[i], strict)
                if cost is not None and here + cost < d[i + 1][j]:
                    d[i + 1][j] = here + cost
            if j < cols - 1:
                cost = _arabic_deletion(arabic[j], strict, ends_in_consonant)
                if cost is not None and arabic[j].ain and not _ain_voiced(latin, i, arabic[j].ain):
                    cost = None
                if cost is not None and here + cost < d[i][j + 1]:
                    d[i][j + 1] = here + cost
                if i < rows - 1:
                    cost = _substitution(latin[i], arabic[j], strict)
                    if cost is not None and here + cost < d[i + 1][j + 1]:
                        d[i + 1][j + 1] = here + cost
    return d[-1][-1]


@lru_cache(maxsize=WORD_CACHE_SIZE)
def reading_cost(latin_word, arabic_word, weak=False):
    """How far a Latin word (or two, with a space) is from being written as
    the Arabic one (the best of its forms), and the most it may be; the
    words read alike when the first is at most the second. ``weak``: the
    Latin word is a name only because it was typed capitalised (or the
    documents only capitalise it at the start of a sentence), so it needs a
    key of three consonants and the exact reading.

    >>> reading_cost("Tokayev", "توكاييف")
    (0.0, 0.7)
    """
    latin = latin_units(latin_word.replace(" ", ""))
    consonants = _consonants(latin)
    best, limit = INF, 0.0
    for form in arabic_forms(normalize_word(arabic_word.replace(" ", ""), "ar")):
        arabic = arabic_units(form)
        shortest = min(consonants, _consonants(arabic))
        if shortest < (LONG_SKELETON if weak else MIN_SKELETON):
            continue
        if weak or shortest < LONG_SKELETON:
            cost, most = _alignment(latin, arabic, strict=SHORT if shortest < LONG_SKELETON else EXACT), MAX_COST_SHORT
        else:
            cost = _alignment(latin, arabic, strict=False)
            most = MAX_COST + MAX_COST_PER_EXTRA_CONSONANT * (shortest - LONG_SKELETON)
        if cost - most < best - limit:
            best, limit = cost, most
    return best, limit


def reads_alike(first, second, weak=False):
    """Whether a Latin and an Arabic word (either order) write the same name."""
    latin, arabic = (first, second) if script_of(second) == "ar" else (second, first)
    cost, most = reading_cost(latin, arabic, weak)
    return cost <= most


# --- evidence from the documents -------------------------------------------------

# A capitalised Latin word that does not open a sentence or a line.
_MID_SENTENCE_NAME = re.compile(r"(?<=[^\s.!?؟:\n])[ \t(\"'«—-]+([A-ZÀ-Þ][A-Za-zß-ÿ]+)")
_NEXT_CAPITALISED = re.compile(r" ([A-ZÀ-Þ][A-Za-zß-ÿ]+)")
# A capitalised word that opens a sentence or a line: no evidence either way.
_SENTENCE_START = re.compile(r"(?:^|[.!?؟:\n])[ \t(\"'«—-]*([A-ZÀ-Þ][A-Za-zß-ÿ]+)", re.MULTILINE)
SENTENCE_START = "^"  # marks the names field's tokens for those


def names_in(text):
    """The ``names`` field: one token per mention of a Latin word written
    capitalised in mid-sentence, so that a name's share of capitalised
    mentions can be counted; one (joined by ``_``) per two such words in a
    row (Abu Dhabi); and one (marked ``^``) per capitalised word opening a
    sentence, which says nothing either way.

    >>> names_in("Biden met Tokayev in Abu Dhabi.")
    '^biden abu abu_dhabi dhabi tokayev'
    """
    tokens = [SENTENCE_START + word.lower() for word in _SENTENCE_START.findall(text)]
    for match in _MID_SENTENCE_NAME.finditer(text):
        word = match.group(1).lower()
        tokens.append(word)
        following = _NEXT_CAPITALISED.match(text, match.end())
        if following:
            tokens.append(word + BIGRAM_JOINER + following.group(1).lower())
    return " ".join(sorted(tokens))


NAME, WEAK_NAME = "name", "weak"


def name_share(reader, normalized):
    """The share of a Latin word's mentions the documents write capitalised in
    mid-sentence, of those not opening a sentence; None when there are none
    (the index does not know the word, or only at a sentence's start)."""
    seen = reader.frequency("body_exact", normalized) - reader.frequency("names", SENTENCE_START + normalized)
    return min(1.0, reader.frequency("names", normalized) / seen) if seen > 0 else None


def name_evidence(reader, normalized, typed_capitalised=False):
    """NAME when most of a Latin word's mentions are capitalised mid-sentence;
    WEAK_NAME when the documents say nothing either way and the reader typed
    it capitalised (or, for index words, ``typed_capitalised`` is True to
    ask whether it could be one); else None."""
    share = name_share(reader, normalized)
    if share is None:
        return WEAK_NAME if typed_capitalised else None
    return NAME if share > NAME_RATIO else None


def is_name(reader, normalized, typed_capitalised):
    """Whether a Latin word is a name by the index's evidence (or, with none,
    because the reader typed it capitalised)."""
    return name_evidence(reader, normalized, typed_capitalised) is not None


# --- the tables ----------------------------------------------------------------


def _terms(reader, field):
    for term in reader.lexicon(field):
        yield term.decode("utf-8") if isinstance(term, bytes) else term


PARALLEL_MIN_WORDS = 20_000  # fewer Arabic words than this are keyed in one process
CHUNK_WORDS = 5_000


def _keyed(words):
    return [(word, [key for key in skeletons(word) if len(key) >= MIN_SKELETON]) for word in words]


@contextmanager
def _keying_pool(procs, words_hint):
    """Forked processes to key words in (None: key them here), started
    before the vocabulary is walked, while this process is still small."""
    if procs <= 1 or words_hint < PARALLEL_MIN_WORDS:
        yield None
        return
    pool = multiprocessing.get_context("fork").Pool(procs)
    try:
        yield pool
        # Workers leave on the pool's own sentinel: no signal needed (a process
        # that inherited an ignored SIGTERM would never see terminate()'s).
        pool.close()
        pool.join()
    finally:
        pool.terminate()


def _skeletons_of(words, pool):
    """``(word, its skeleton keys)`` for each of ``words``, in order, chunk by
    chunk; in the ``pool``'s processes when there is one (the indexer's
    longest step after its commit)."""
    chunks = [words[i : i + CHUNK_WORDS] for i in range(0, len(words), CHUNK_WORDS)]
    if pool is None:
        for chunk in chunks:
            yield from _keyed(chunk)
        return
    for part in pool.imap(_keyed, chunks):
        yield from part


def _latin_names(reader):
    """{name: documents} for the Latin names of the ``names`` field with the
    evidence of a name, and the pairs of names it holds (with a space)."""
    names = {}
    for batch in _batches(_terms(reader, "names"), BATCH_WORDS):
        if hasattr(reader, "prefetch_counts"):  # what name_evidence asks, looked up at once
            words = [term.lstrip(SENTENCE_START) for term in batch if BIGRAM_JOINER not in term]
            reader.prefetch_counts("names", batch + [SENTENCE_START + word for word in words] + words)
            reader.prefetch_counts("body_exact", words)
        _add_names(reader, batch, names)
        if hasattr(reader, "forget_counts"):
            reader.forget_counts()
    return names


def _add_names(reader, terms, names):
    for term in terms:
        if BIGRAM_JOINER in term:
            name = term.replace(BIGRAM_JOINER, " ")
            frequency = reader.doc_frequency("names", term)
        elif name_evidence(reader, term.lstrip(SENTENCE_START), True):
            name = term.lstrip(SENTENCE_START)
            frequency = reader.doc_frequency("body_exact", name)
        else:
            continue
        names.setdefault(name, frequency)


def _table_rows(reader, names, procs=1, known=()):
    """``(table, key, word, documents)``: every Arabic word of the exact-form
    field under each of its keys, then every Latin name of ``names``.
    ``known`` gives ``(word, keys)`` of an earlier run, in word order
    (skeletons are the costly part; a word's keys never change): only the
    other words are keyed, so a small commit keys only its new words. The
    vocabulary is walked a batch at a time, joined with ``known`` as both
    go: nothing the size of the vocabulary is held."""
    earlier = _Ahead(iter(known))
    store = getattr(reader, "store", None)
    words_hint = store.term_count("body_exact") if store is not None else PARALLEL_MIN_WORDS
    with _keying_pool(procs, words_hint) as pool:
        for batch in _batches(_arabic_frequencies(reader), BATCH_WORDS):
            old = earlier.up_to(batch[-1][0])
            keyed = dict(_skeletons_of([term for term, _ in batch if term not in old], pool))
            for term, frequency in batch:
                keys = old.get(term)
                for key in keyed[term] if keys is None else keys:
                    yield "arabic", key, term, frequency
    for name, frequency in names.items():
        for key in skeletons(name):
            if len(key) >= MIN_SKELETON:
                yield "latin", key, name, frequency


# Arabic words keyed and written at a time (the indexer's memory for the tables).
BATCH_WORDS = 50_000


def _batches(items, size):
    """Lists of ``size`` consecutive items (the last may be shorter)."""
    items = iter(items)
    while batch := list(itertools.islice(items, size)):
        yield batch


class _Ahead:
    """Sorted ``(word, keys)`` pairs taken a stretch at a time."""

    def __init__(self, pairs):
        self._pairs, self._next = pairs, next(pairs, None)

    def up_to(self, last):
        """{word: keys} of the pairs whose word sorts at or before ``last``."""
        taken = {}
        while self._next is not None and self._next[0] <= last:
            taken[self._next[0]] = self._next[1]
            self._next = next(self._pairs, None)
        return taken


def _arabic_frequencies(reader):
    """``(word, documents)`` of the Arabic words of the exact-form field, in
    order (code point order, which is UTF-8's byte order): from the posting
    store's term dictionaries in one merge when the reader has them, else a
    lookup per word."""
    merged = getattr(reader, "lexicon_frequencies", None)
    if merged is not None:
        yield from ((term, df) for term, df in merged("body_exact") if script_of(term) == "ar")
        return
    for term in _terms(reader, "body_exact"):
        if script_of(term) == "ar":
            yield term, reader.doc_frequency("body_exact", term)


class NameKeys:
    """Key → index words, built from one reader's vocabulary: Arabic words
    from the exact-form field, Latin names (and pairs of names, with a space)
    from the ``names`` field. Each list is in order of document frequency."""

    def __init__(self, reader=None, arabic=None, latin=None, closest=None, procs=1):
        self.arabic, self.latin = arabic or {}, latin or {}
        self.closest = closest or {}
        if reader is None or "body_exact" not in reader.schema or "names" not in reader.schema:
            return
        names, frequency = _latin_names(reader), {}
        for table, key, word, documents in _table_rows(reader, names, procs):
            getattr(self, table).setdefault(key, []).append(word)
            frequency[table, word] = documents
        for table in _TABLES:
            for words in getattr(self, table).values():
                words.sort(key=lambda word, table=table: (-frequency[table, word], word))
        self.closest = self.closest_readings(reader, names)

    def closest_readings(self, reader, names):
        """{Latin name: the cost of the closest reading of it the Arabic
        vocabulary has}, for the names that have one."""
        closest = {}
        for name in names:
            weak = _evidence(reader, name, True) == WEAK_NAME
            costs = [reading_cost(name, term, weak) for term in self.candidates(name, self.arabic)]
            costs = [cost for cost, most in costs if cost <= most]
            if costs:
                closest[name] = min(costs)
        return closest

    def candidates(self, word, table):
        found = []
        for key in skeletons(word):
            if len(key) >= MIN_SKELETON:
                found += [term for term in table.get(key, ())[:MAX_CANDIDATES] if term not in found]
        return found

    def matches(self, reader, word, typed_capitalised):
        """Index words in the other script that write the name ``word`` (an
        Arabic word, or one or two Latin words with a space: a pair the names
        field has, else a pair typed capitalised)."""
        if script_of(word) == "ar":
            read = [
                (term, reading_cost(term, word, _evidence(reader, term, True) == WEAK_NAME))
                for term in self.candidates(word, self.latin)
            ]
            # Both ways: the Arabic word must be about as close a reading of the
            # name as the closest one the index has (التكييف is not Tokayev, whose
            # closest reading, توكاييف, is exact). One dict lookup per name.
            read = [(term, cm) for term, cm in read if cm[0] <= self.closest.get(term, INF) + RELATIVE_SLACK]
        else:
            evidence = _evidence(reader, normalize_word(word, "latin"), typed_capitalised)
            if not evidence:
                return []
            read = [
                (term, reading_cost(word, term, evidence == WEAK_NAME)) for term in self.candidates(word, self.arabic)
            ]
        read = [(term, cost) for term, (cost, most) in read if cost <= most]
        if not read:
            return []
        # Among several readings, only those about as close as the best: توكاييف
        # reads Tokayev exactly, so التكييف, which needs an unwritten o, is out.
        best = min(cost for _, cost in read)
        found = [term for term, cost in read if cost <= best + RELATIVE_SLACK]
        return found[:MAX_MATCHES]


def _evidence(reader, name, typed_capitalised):
    """name_evidence of one Latin word, or of two (with a space)."""
    if " " in name:
        if reader.frequency("names", name.replace(" ", BIGRAM_JOINER)):
            return NAME
        return WEAK_NAME if typed_capitalised else None
    return name_evidence(reader, name, typed_capitalised)


NAME_KEYS_FILE = "name_keys.sqlite"
# Raised whenever skeletons() would key a word differently: an earlier run's
# keys are reused only when they were made by the same rules.
KEYS_VERSION = 1
_TABLES = ("arabic", "latin")
_cache = {}


def write_name_keys(ix, procs=1):
    """Build the skeleton tables from the index's vocabulary and store them
    beside it, so that no search has to: run by the indexer after a commit
    (its cost grows with the vocabulary, not with the documents). They go
    into an SQLite file that searches read a key at a time, so a serving
    worker does not hold them in memory; and they are built in it, rows
    first, then grouped by key in SQLite's sort, so the indexer does not
    hold them either."""
    folder = Path(ix.storage.folder)
    known = _known_word_keys(folder / NAME_KEYS_FILE)
    temporary = folder / f".{NAME_KEYS_FILE}.{os.getpid()}"
    temporary.unlink(missing_ok=True)
    database = sqlite3.connect(temporary)
    # The rows table and its sort spill to temporary files, not memory: they
    # are as large as the vocabulary times its keys.
    database.execute("PRAGMA temp_store = FILE")
    try:
        with ix.reader() as reader, database:
            database.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID")
            database.execute("CREATE TABLE keys (tbl TEXT, key TEXT, words TEXT, PRIMARY KEY (tbl, key)) WITHOUT ROWID")
            database.execute("CREATE TABLE closest (name TEXT PRIMARY KEY, cost REAL) WITHOUT ROWID")
            database.execute("CREATE TABLE word_keys (word TEXT PRIMARY KEY, keys TEXT) WITHOUT ROWID")
            database.execute("INSERT INTO meta VALUES ('version', ?)", (json.dumps(reader_version(reader)),))
            database.execute("INSERT INTO meta VALUES ('keys_version', ?)", (str(KEYS_VERSION),))
            if "body_exact" in reader.schema and "names" in reader.schema:
                names = _latin_names(reader)
                database.execute("CREATE TEMP TABLE rows (tbl TEXT, key TEXT, word TEXT, documents INTEGER)")
                database.executemany("INSERT INTO rows VALUES (?, ?, ?, ?)", _table_rows(reader, names, procs, known))
                ordered = database.execute("SELECT tbl, key, word FROM rows ORDER BY tbl, key, documents DESC, word")
                grouped = itertools.groupby(ordered, key=lambda row: row[:2])
                database.executemany(
                    "INSERT INTO keys VALUES (?, ?, ?)",
                    (
                        (table, key, "\n".join(row[2] for row in itertools.islice(rows, MAX_CANDIDATES)))
                        for (table, key), rows in grouped
                    ),
                )
                database.execute(
                    "INSERT INTO word_keys SELECT word, group_concat(key, ' ') FROM rows "
                    "WHERE tbl = 'arabic' GROUP BY word"
                )
                database.execute("DROP TABLE rows")
                stored = _stored_keys(database, threading.Lock())
                database.executemany(
                    "INSERT INTO closest VALUES (?, ?)", stored.closest_readings(reader, names).items()
                )
    finally:
        database.close()
    os.replace(temporary, folder / NAME_KEYS_FILE)


def _known_word_keys(path):
    """``(word, keys)`` of the Arabic words an earlier run's tables keyed with
    these skeleton rules (KEYS_VERSION), in word order (SQLite's binary
    order of UTF-8 text); nothing when there are none. (A word without keys
    long enough to keep is keyed again: those are few.)"""
    if not path.is_file():
        return
    try:
        database = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return
    try:
        row = database.execute("SELECT value FROM meta WHERE name = 'keys_version'").fetchone()
        if row is None or row[0] != str(KEYS_VERSION):
            return
        for word, keys in database.execute("SELECT word, keys FROM word_keys ORDER BY word"):
            yield word, keys.split(" ")
    except sqlite3.Error:
        return  # damaged, or written before word_keys existed
    finally:
        database.close()


class _Stored:
    """One stored table, read a key at a time (``get``, ``in``, truth)."""

    def __init__(self, database, lock, select, exists):
        self._database, self._lock, self._select = database, lock, select
        with lock:
            self._any = database.execute(exists).fetchone() is not None

    def get(self, key, default=None):
        with self._lock:
            row = self._database.execute(self._select, (key,)).fetchone()
        return default if row is None else row[0]

    def __contains__(self, key):
        return self.get(key) is not None

    def __bool__(self):
        return self._any


class _StoredWords(_Stored):
    def get(self, key, default=None):
        words = super().get(key)
        return default if words is None else words.split("\n")


def _load(folder, version):
    """``(NameKeys of the indexer's stored tables, whether they were written
    for this index version)``, or None when there are none."""
    path = Path(folder) / NAME_KEYS_FILE
    if not path.is_file():
        return None
    try:
        database = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        row = database.execute("SELECT value FROM meta WHERE name = 'version'").fetchone()
    except sqlite3.Error:
        return None  # damaged, or written by an older version
    if row is None:
        database.close()
        return None
    return _stored_keys(database, threading.Lock()), json.loads(row[0]) == json.loads(json.dumps(version))


def _stored_keys(database, lock):
    """NameKeys reading its tables from ``database`` a key at a time."""
    tables = {
        table: _StoredWords(
            database,
            lock,
            f"SELECT words FROM keys WHERE tbl = '{table}' AND key = ?",
            f"SELECT 1 FROM keys WHERE tbl = '{table}' LIMIT 1",
        )
        for table in _TABLES
    }
    closest = _Stored(database, lock, "SELECT cost FROM closest WHERE name = ?", "SELECT 1 FROM closest LIMIT 1")
    return NameKeys(**tables, closest=closest)


def name_keys(reader, folder=None):
    """NameKeys for this reader's index version: the indexer's stored tables.
    Right after a commit, until the indexer has rewritten them (seconds),
    they are the previous commit's, and are read again every few seconds;
    only an index with no stored tables at all (a test's, or one written
    before they existed) has them built from its vocabulary, once."""
    version = reader_version(reader)
    entry = _cache.get(version)
    if entry is not None and (entry.fresh or time.monotonic() < entry.recheck_at):
        return entry.keys
    loaded = _load(folder, version) if folder else None
    if loaded is None:
        keys, fresh = (entry.keys, False) if entry is not None else (NameKeys(reader), True)
    else:
        keys, fresh = loaded
    _cache.clear()
    _cache[version] = _CachedKeys(keys, fresh, time.monotonic() + STALE_RECHECK_SECONDS)
    return keys


def tables_are_current(reader):
    """False while this process reads the previous commit's tables for the
    reader's index version (an answer then is not one to keep)."""
    entry = _cache.get(reader_version(reader))
    return entry is None or entry.fresh


def stored_tables_current(ix):
    """Whether the index's stored tables were written for its current commit
    (``ix`` a Whoosh index: its version needs no posting store)."""
    with ix.reader() as reader:
        loaded = _load(Path(ix.storage.folder), reader_version(reader))
    return loaded is not None and loaded[1]


@dataclass
class _CachedKeys:
    keys: object
    fresh: bool
    recheck_at: float


# How often a worker looks again for the tables of a new commit.
STALE_RECHECK_SECONDS = 2.0


def index_folder(searcher):
    """The folder of the index generation a searcher reads (for stored tables)."""
    storage = getattr(getattr(searcher, "_ix", None), "storage", None)
    return getattr(storage, "folder", None)


_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z]+")


def _misspelt(reader, keys, word, script, normalized, typed_capitalised):
    """Whether ``word``, which the index does not know, is a misspelling of a
    word it knows of the same name (the typo rewrite's job: توكايف for
    توكاييف). Not when the index only writes it with a proclitic
    (وقيرغيزستان), nor when the closest word is another word (البراميل is
    not البرازيل)."""
    correction = best_correction(reader, word, script)
    if not correction:
        return False
    if script == "ar" and normalized in arabic_forms(correction):
        return False
    own = set(keys.matches(reader, word, typed_capitalised))
    return not own or bool(own & set(keys.matches(reader, correction, typed_capitalised)))


def cross_script_matches(reader, text, folder=None, deadline=None):
    """{normalised query word: index words in the other script that write it}:
    the names the letters link (Tokayev: توكاييف), then the places the
    table of search/places.py links (Egypt: مصر, and its proclitic forms).
    A match of several words (Abu Dhabi, الولايات المتحده) is one string
    with spaces; adjacent query words that make one name all get it. With a
    ``deadline``, the words it leaves no time for get no matches."""
    found = _name_matches(reader, text, folder, deadline)
    for word, matches in place_matches(reader, text, deadline).items():
        found[word] = found.get(word, []) + [match for match in matches if match not in found.get(word, ())]
    return found


def _name_matches(reader, text, folder=None, deadline=None):
    """cross_script_matches through the letters alone (names, not places)."""
    keys = name_keys(reader, folder)
    if not (keys.arabic or keys.latin):
        return {}
    capitalised = {word.lower() for word in _CAPITALISED.findall(text)}
    planned = plan_query(text).words
    words = [(w.surface, w.script, w.start, w.end) for w in planned]
    normalized = [w.normalized for w in planned]
    found = {}

    def add(word, matches):
        found.setdefault(word, [])
        found[word] += [match for match in matches if match not in found[word]]

    for (word, script, _, _), form in zip(words, normalized, strict=True):
        if deadline is not None and not deadline.left():
            return {word: matches[:MAX_MATCHES] for word, matches in found.items()}
        typed_capitalised = form in capitalised
        matches = keys.matches(reader, word, typed_capitalised)
        # Most words have no reading in the other script: only those that do
        # pay for the check (an edit-distance search) that they are not a typo.
        if not matches or (
            not reader.doc_frequency("body_exact", form)
            and _misspelt(reader, keys, word, script, form, typed_capitalised)
        ):
            continue
        add(form, matches)
    for k in range(len(words) - 1):
        if deadline is not None and not deadline.left():
            break
        (_, script, _, end), (_, next_script, start, _) = words[k], words[k + 1]
        first, second = normalized[k], normalized[k + 1]
        if script != next_script or text[end:start] not in (" ", "-"):
            continue
        if script == "ar":
            matches = keys.matches(reader, first + second, False)
        else:
            matches = keys.matches(reader, f"{first} {second}", first in capitalised and second in capitalised)
        if matches:
            add(first, matches)
            add(second, matches)
        if script != "ar" and first in ARTICLES and second in found:
            add(first, found[second])  # al-Moussawi: الموسوي
    return {word: matches[:MAX_MATCHES] for word, matches in found.items()}


def _alternatives(matches):
    """The other script's spellings as queries, boosted low: a term per
    exact field, a phrase for two Latin words."""
    return [
        wq.Phrase(field, match.split(), boost=CROSS_SCRIPT_BOOST)
        if " " in match
        else wq.Term(field, match, boost=CROSS_SCRIPT_BOOST)
        for match in matches
        for field in ("body_exact", "title_exact")
    ]


def add_cross_script(query, matches):
    """``query`` with each matched word's alternatives in the other script
    added to that word's group, boosted low so they rank below it. A
    hyphenated word (Jean-Luc, al-Farabi) gets them when each part has some."""
    if not matches:
        return query

    def exact_words(node):
        if isinstance(node, wq.Term) and node.fieldname == "body_exact":
            return [node.text]
        if isinstance(node, wq.Phrase) and node.fieldname == "body_exact":
            return list(node.words)  # a quoted name: "united states"
        if isinstance(node, wq.And) and node.subqueries:
            words = [child.text for child in node.subqueries if isinstance(child, wq.Term)]
            if len(words) == len(node.subqueries) and {c.fieldname for c in node.subqueries} == {"body_exact"}:
                return words
        return None

    def visit(node):
        if isinstance(node, wq.Or):
            for child in node.subqueries:
                words = exact_words(child)
                if words and all(word in matches for word in words):
                    if len(words) == 1:
                        extra = _alternatives(matches[words[0]])
                    else:
                        extra = [wq.And([wq.Or(_alternatives(matches[word])) for word in words])]
                    return wq.Or([*node.subqueries, *extra], boost=node.boost)
        return node if node.is_leaf() else node.apply(visit)

    return visit(query)

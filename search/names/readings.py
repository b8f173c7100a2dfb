"""Readings of a name in either script: Tokayev and توكاييف read alike.

Both scripts are read into one alphabet of units: consonants (Latin digraphs
such as kh, sh, th, dh, gh, zh read as one; c as k or s by the next letter)
and vowel slots (a run of Latin vowels, or of the Arabic long vowels ا و ي
with a final ة). Two things come from it:

- the key of a word (``skeletons``), its consonant skeleton with sound-alike
  consonants in one class (t d ت د ط ض, s z س ص ز, k q ك ق, g j ج غ, ...):
  Kazakhstan and كازاخستان are both "ksxstn". The tables of
  search/names/tables.py file the index's words under their keys;
- the reading of a candidate against the query word (``reading_cost``,
  ``reads_alike``): an alignment of the units that costs nothing for a
  letter and its usual counterpart (q/ق, t/ط, th/ث, dh/ذ/ظ, o/و, i/ي),
  little for a short Latin vowel Arabic does not write, and much for an
  Arabic long vowel the Latin lacks or a vowel of another quality (so
  ثقافة is not Tokayev, nor مقارنة Macron).

On the Arabic side the article ال and the proclitics و ف ب ل ك are taken
off (وقيرغيزستان is Kyrgyzstan). Precision comes first:
- a key of two consonants (Doha, Iran, Baku) needs an exact reading: every
  Arabic long vowel matched by a Latin vowel of its quality; keys of fewer
  consonants are not matched at all;
- an ع inside a word is read only beside a long Latin vowel (Saudi السعودية,
  Souad سعاد), at a word's start only beside a vowel (Amman عمان): middle is
  not معدل, GMT not جمعت, Nasr not عنصر;
- a final ة is a syllable a Latin name ending in a consonant lacks (Doha
  الدوحة, but Rabat is not رابطة).

Pure functions of the words: this module imports no Whoosh module of its
own and nothing of the index or the query side, only the analysis
package's normalisation (which subclasses Whoosh's tokenizer and filters).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import cast

from anyascii import anyascii

from ..analysis import normalize_word, script_of
from ..analysis.arabic import PROCLITICS
from ..analysis.memo import WORD_CACHE_SIZE

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
MAX_KEYS = 16  # keys of one word (ambiguous letters multiply them)

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

    def __init__(
        self,
        letter: str | None = None,
        qualities: frozenset[str] | tuple[frozenset[str], ...] = frozenset(),
        glides: str = "",
        edge: bool = False,
        final_h: bool = False,
        after_n: bool = False,
    ) -> None:
        self.consonant = letter is not None
        self.letter, self.qualities, self.glides = letter, qualities, glides
        self.edge, self.final_h, self.after_n = edge, final_h, after_n
        self.short = self.silent_e = self.edge_final = False
        self.ain: str | None = None  # an Arabic ع: "start" or "mid" (of the form read)

    def __repr__(self) -> str:
        if self.letter is not None:  # a consonant
            return self.letter
        if isinstance(self.qualities, tuple):
            return "".join("[" + "".join(sorted(q)) + "]" for q in self.qualities)
        return "[" + "".join(sorted(self.qualities)) + "]"


def _latin_letters(text: str) -> list[str]:
    letters: list[str] = []
    i = 0
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
def latin_units(word: str) -> tuple[Unit, ...]:
    """The units of a Latin word (accents dropped).

    >>> latin_units("Tokayev")
    (t, [U], k, [AI], v)
    """
    text = re.sub(r"[^a-z]", "", anyascii(word).lower())
    letters = _latin_letters(text)
    units: list[Unit] = []
    k = 0
    while k < len(letters):
        letter = letters[k]
        if letter in _LATIN_QUALITY:
            run: list[str] = []
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
        # A g after an n may be the ng of "Bangkok" / "بانكوك" (its key without the g).
        after_n = letter == "g" and bool(units) and units[-1].consonant and units[-1].letter == "n"
        if letter in _KEY:
            units.append(Unit(letter, after_n=after_n))
    return tuple(units)


@lru_cache(maxsize=WORD_CACHE_SIZE)
def arabic_units(normalized: str) -> tuple[Unit, ...]:
    """The units of a normalised Arabic word. A vowel slot's ``qualities``
    holds, per letter, the Latin vowels it may stand for: a final ي is also
    ى (a), a first ا carries whatever vowel the name starts with.

    >>> arabic_units("توكاييف")
    (t, [U], k, [A][I][I], f)
    """
    units: list[Unit] = []
    k, n = 0, len(normalized)

    def vowel_letter(k: int) -> bool:
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


def _key_options(unit: Unit, arabic: bool) -> tuple[str, ...]:
    assert unit.letter is not None  # only consonants are keyed
    if arabic and unit.letter in _KEY_ALTERNATIVES:
        return tuple(_KEY_ALTERNATIVES[unit.letter])
    return (_KEY.get(unit.letter, ""),)


def _keys_of_units(units: Sequence[Unit], arabic: bool) -> set[str]:
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


def arabic_forms(normalized: str) -> tuple[str, ...]:
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


def _consonants(units: Sequence[Unit]) -> int:
    return sum(unit.consonant and unit.letter != "'" for unit in units)


@lru_cache(maxsize=WORD_CACHE_SIZE)
def skeletons(word: str) -> tuple[str, ...]:
    """The keys of a word (or of two words, written as one with a space).

    >>> skeletons("Tokayev"), skeletons("توكاييف")
    (('tkf',), ('tkf',))
    """
    script = script_of(word)
    if script != "ar":
        return tuple(sorted(_keys_of_units(latin_units(word.replace(" ", "")), False)))
    keys: set[str] = set()
    for form in arabic_forms(normalize_word(word.replace(" ", ""), "ar")):
        keys |= _keys_of_units(arabic_units(form), True)
    return tuple(sorted(keys))


# --- reading a Latin word against an Arabic one ----------------------------------


def _substitution(latin: Unit, arabic: Unit, strict: int | bool) -> float | None:
    if latin.letter is not None and arabic.letter is not None:  # two consonants
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
    # Two vowel slots: the Latin one's qualities are one set, the Arabic one's a set per letter.
    latin_qualities = cast("frozenset[str]", latin.qualities)
    arabic_qualities = cast("tuple[frozenset[str], ...]", arabic.qualities)
    covered = sum(bool(latin_qualities & options) for options in arabic_qualities)
    written = frozenset().union(*arabic_qualities)
    if covered == len(arabic_qualities) and (strict or latin_qualities <= written):
        return 0.0
    if strict:
        return None
    if covered:
        return 0.25  # Biden بايدن: a Latin i for Arabic ai
    if latin.silent_e and arabic.edge_final:
        return 0.25  # France فرنسا
    return VOWEL_MISMATCH


def _latin_deletion(unit: Unit, strict: int | bool) -> float | None:
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


def _arabic_deletion(unit: Unit, strict: int | bool, latin_ends_in_consonant: bool = False) -> float | None:
    if unit.consonant:
        return 0.3 if unit.letter == "'" else (None if strict else 1.0)
    if unit.final_h:
        # ة after a name's last consonant is a syllable the Latin does not
        # have: Doha الدوحة, but Rabat is not رابطة
        return None if latin_ends_in_consonant else 0.0
    if strict:
        return None
    return 1.0


def _ain_voiced(latin: Sequence[Unit], i: int, where: str) -> bool:
    """Whether an Arabic ع between Latin units i-1 and i may go unwritten:
    only beside a Latin vowel (Amman عمان, Iraq العراق), a long one (two
    letters or more: Saudi السعودية, Souad سعاد) inside the word; never between
    two consonants (GMT is not جمعت) nor by a single vowel letter inside the
    word (middle is not معدل, valley not فعالية)."""
    beside = [latin[k] for k in (i - 1, i) if 0 <= k < len(latin) and not latin[k].consonant]
    return any(where == "start" or not unit.short for unit in beside)


def _alignment(latin: Sequence[Unit], arabic: Sequence[Unit], strict: int | bool) -> float:
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
                ain = arabic[j].ain
                if cost is not None and ain and not _ain_voiced(latin, i, ain):
                    cost = None
                if cost is not None and here + cost < d[i][j + 1]:
                    d[i][j + 1] = here + cost
                if i < rows - 1:
                    cost = _substitution(latin[i], arabic[j], strict)
                    if cost is not None and here + cost < d[i + 1][j + 1]:
                        d[i + 1][j + 1] = here + cost
    return d[-1][-1]


@lru_cache(maxsize=WORD_CACHE_SIZE)
def reading_cost(latin_word: str, arabic_word: str, weak: bool = False) -> tuple[float, float]:
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


def reads_alike(first: str, second: str, weak: bool = False) -> bool:
    """Whether a Latin and an Arabic word (either order) write the same name."""
    latin, arabic = (first, second) if script_of(second) == "ar" else (second, first)
    cost, most = reading_cost(latin, arabic, weak)
    return cost <= most

"""Find what people meant: a query typed with the other keyboard layout, or
with a typo in a word the index does not know, is searched as the words the
index does know. Every rewrite is decided by evidence from the index (the
original words are unknown, the rewritten ones are known) and reported, so
the reader can search for the original words exactly instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .analysis import script_of
from .analysis.explain import query_words
from .suggest import correct_query, is_known

if TYPE_CHECKING:
    from .deadline import Deadline
    from .postings.view import Reader, Searcher

# The standard Arabic (101) keyboard: the character each Latin key types.
# Punctuation keys are letters there, and "b" types lam-alef.
LATIN_TO_ARABIC = {
    "q": "ض", "w": "ص", "e": "ث", "r": "ق", "t": "ف", "y": "غ", "u": "ع", "i": "ه", "o": "خ", "p": "ح",
    "[": "ج", "]": "د", "a": "ش", "s": "س", "d": "ي", "f": "ب", "g": "ل", "h": "ا", "j": "ت", "k": "ن",
    "l": "م", ";": "ك", "'": "ط", "z": "ئ", "x": "ء", "c": "ؤ", "v": "ر", "b": "لا", "n": "ى", "m": "ة",
    ",": "و", ".": "ز", "/": "ظ", "`": "ذ",
}  # fmt: skip
ARABIC_TO_LATIN = {arabic: latin for latin, arabic in LATIN_TO_ARABIC.items()}
# Shifted keys people hit for hamza forms, and the two-character lam-alef forms.
ARABIC_TO_LATIN.update({"أ": "h", "إ": "h", "آ": "h", "ﻻ": "b", "لأ": "b", "لإ": "b", "لآ": "b"})


@dataclass(frozen=True)
class Rewrite:
    original: str
    rewritten: str
    reason: str  # "layout" | "typo"

    def as_dict(self) -> dict[str, str]:
        return {"from": self.original, "to": self.rewritten, "reason": self.reason}


def swap_layout(text: str) -> str:
    """``text`` as it would have come out with the other layout active:
    Latin keys to Arabic letters, or Arabic letters back to Latin keys (the
    first reading, where لا is taken as the lam-alef key).

    >>> swap_layout("hkjohfhj"), swap_layout("ثمثؤفهخىس")
    ('انتخابات', 'elections')
    """
    return next(swap_layout_readings(text))


def swap_layout_readings(text: str, limit: int = 8) -> Iterator[str]:
    """Every reading of ``text`` on the other layout: لا typed in Arabic is
    the lam-alef key ("b") or lam then alef ("gh"), so an Arabic string has
    one reading per choice (at most ``limit``)."""
    if not any(script_of(ch) == "ar" for ch in text if not ch.isspace()):
        yield "".join(LATIN_TO_ARABIC.get(ch, ch) for ch in text.lower())
        return
    readings = [""]
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair == "لا":
            readings = [r + key for r in readings for key in ("b", "gh")][:limit]
            i += 2
            continue
        if pair in ARABIC_TO_LATIN:
            readings = [r + ARABIC_TO_LATIN[pair] for r in readings]
            i += 2
            continue
        readings = [r + ARABIC_TO_LATIN.get(text[i], text[i]) for r in readings]
        i += 1
    yield from readings


def layout_rewrite(reader: Reader, text: str) -> Rewrite | None:
    """The query retyped on the other layout, when none of its words is known
    to the index and every retyped word is."""
    words = text.split()
    if not words or any(is_known(reader, word) for word in words):
        return None
    for reading in swap_layout_readings(text):
        retyped = reading.split()
        if retyped and all(is_known(reader, word) for word in retyped):
            return Rewrite(text, reading, "layout")
    return None


def typo_rewrite(searcher: Searcher, text: str, deadline: Deadline | None = None) -> Rewrite | None:
    """The query with each word the index does not know replaced by the
    closest word it does (suggest.correct_query, the one correction loop:
    Arabic-aware edit costs); None when more than MAX_UNKNOWN_WORDS are
    unknown (not a typo), when nothing could be corrected, or when the
    ``deadline`` leaves no time to finish."""
    corrected = correct_query(searcher, text, deadline)
    return Rewrite(text, corrected, "typo") if corrected else None


def resolve_conjunction_waw(reader: Reader, text: str) -> str:
    """A query word that begins with و is searched with its waw (وزير); when
    the index knows only the word without it (وبايكونور → بايكونور), the waw
    was the conjunction, and the word is searched without it. Not a rewrite
    the reader is told about: the same word, read the other way."""
    pieces: list[str] = []
    cursor = 0
    for word, script, start, end in query_words(text):
        if script != "ar" or not word.startswith("و") or len(word) < 4 or is_known(reader, word):
            continue
        if is_known(reader, word[1:]):
            pieces += [text[cursor:start], word[1:]]
            cursor = end
    return "".join(pieces) + text[cursor:] if pieces else text


def candidate_rewrites(searcher: Searcher, text: str, deadline: Deadline | None = None) -> Iterator[Rewrite]:
    """Rewrites to try for a query that found nothing, most certain first."""
    layout = layout_rewrite(searcher.reader(), text)
    if layout:
        yield layout
    typo = typo_rewrite(searcher, text, deadline)
    if typo:
        yield typo

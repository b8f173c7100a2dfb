"""Split text into words, each tagged with its script.

Arabic and Latin runs are separate tokens even without a space between them
(``الـOSCE`` gives ``الـ`` and ``OSCE``), so each is analysed by its own rules.
Offsets always point into the original text: filters change ``text`` only.
"""

import re
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Token, Tokenizer

ARABIC_SCRIPT = "ar"
LATIN_SCRIPT = "latin"

# Arabic letters, digits and marks, PDF presentation forms included; Arabic
# punctuation (، ؛ ؟ ٪ ٫ ٬ ۔ ۝ ۞) is left out so it separates words.
_ARABIC_WORD_CHAR = (
    "\u0610-\u061a\u0620-\u0669\u066e-\u06d3\u06d5-\u06dc\u06df-\u06e8\u06ea-\u06ff"
    "\u0750-\u077f\u08a0-\u08ff\ufb50-\ufd3d\ufd50-\ufdfb\ufe70-\ufefc"
)
# Invisible characters that may sit inside an Arabic word (removed later).
_ARABIC_JOINERS = "\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\u00ad"
_ARABIC_WORD = f"[{_ARABIC_WORD_CHAR}][{_ARABIC_WORD_CHAR}{_ARABIC_JOINERS}]*"
# Any other letter or digit, with combining accents (decomposed é).
_OTHER_WORD = rf"[^\W_{_ARABIC_WORD_CHAR}][^\W_{_ARABIC_WORD_CHAR}]*(?:[\u0300-\u036f]+[^\W_{_ARABIC_WORD_CHAR}]*)*"
WORD_PATTERN = re.compile(f"(?P<ar>{_ARABIC_WORD})|(?P<latin>{_OTHER_WORD})")


def script_of(word: str) -> str:
    """``"ar"`` when the word has an Arabic letter, else ``"latin"``."""
    match = re.search(f"[{_ARABIC_WORD_CHAR}]", word)
    return ARABIC_SCRIPT if match else LATIN_SCRIPT


class BilingualTokenizer(Tokenizer):
    """Yield Arabic and non-Arabic words with their script in ``t.script``.

    >>> [(t.text, t.script) for t in BilingualTokenizer()("بعثة OSCE تراقب")]
    [('بعثة', 'ar'), ('OSCE', 'latin'), ('تراقب', 'ar')]
    """

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.script = script_of(value)
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return
        for pos, match in enumerate(WORD_PATTERN.finditer(value), start_pos):
            t.text = match.group()
            t.script = match.lastgroup
            t.boost = 1.0
            if keeporiginal:
                t.original = t.text
            t.stopped = False
            if positions:
                t.pos = pos
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            yield t

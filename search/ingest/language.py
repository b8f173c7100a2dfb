"""Document language by script: Arabic letters against Latin letters."""

import re

_ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f\ufb50-\ufdfb\ufe70-\ufefc]")
_LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u024f]")


def detect_language(text: str) -> str:
    """``"ar"`` when Arabic letters outnumber Latin ones, else ``"en"``.

    >>> detect_language("Talks in Astana ended; قالت الوزارة إن المحادثات انتهت")
    'ar'
    """
    arabic = len(_ARABIC_LETTER.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    return "ar" if arabic > latin else "en"

"""Bytes to text: BOMs, strict UTF-8, then charset detection for the legacy
encodings Arabic and English files still come in (Windows-1256, ISO-8859-6,
Windows-1252)."""

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Tried first when detection hesitates: the encodings our users have.
PREFERRED_LEGACY = ["cp1256", "iso8859_6", "cp1252"]


class DecodeError(ValueError):
    """The bytes are not text in any encoding we can tell."""


def _from_bom(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


# A word that mixes Arabic and Latin letters is the mark of a wrong legacy
# code page (ISO-8859-6 read as Windows-1256 puts Latin letters inside words).
_MIXED_WORD = re.compile(r"[\u0621-\u064a][A-Za-z\u00c0-\u00ff]|[A-Za-z\u00c0-\u00ff][\u0621-\u064a]")


# Control characters, less tab, newline, vertical tab, form feed and return.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def _implausibility(text: str) -> int:
    return len(_MIXED_WORD.findall(text))


def _looks_like_text(text: str, replacements_allowed: bool = False) -> bool:
    """Few control characters, and (for a guessed encoding) no replacement
    characters; a UTF-8 file may hold U+FFFD left by an earlier conversion."""
    if not text:
        return False
    controls = len(_CONTROL.findall(text))
    return controls / len(text) < 0.01 and (replacements_allowed or "\ufffd" not in text)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)`` for the bytes of a text file.

    >>> decode_bytes("سلام".encode("cp1256"))[0]
    'سلام'
    """
    bom_encoding = _from_bom(data)
    if bom_encoding:
        try:
            return data.decode(bom_encoding), bom_encoding
        except UnicodeDecodeError as error:
            raise DecodeError(f"invalid {bom_encoding} after its byte-order mark: {error.reason}") from None
    if b"\x00" in data:
        raise DecodeError("binary file (NUL bytes and no UTF-16 byte-order mark)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if not _looks_like_text(text, replacements_allowed=True):
            raise DecodeError("binary file (control characters)")
        return text, "utf-8"
    from charset_normalizer import from_bytes  # imported on first use: a serving worker never needs it

    for candidates in (PREFERRED_LEGACY, None):
        decoded = [(str(match), match.encoding) for match in from_bytes(data, cp_isolation=candidates)]
        decoded = [(text, encoding) for text, encoding in decoded if _looks_like_text(text)]
        if decoded:
            # Detection's own ranking, unless a candidate reads as cleaner text.
            return min(decoded, key=lambda pair: _implausibility(pair[0]))
    raise DecodeError("not text in UTF-8, UTF-16 or a detectable legacy encoding")

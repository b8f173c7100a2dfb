"""Bytes to text: BOMs, strict UTF-8, then charset detection for the legacy
encodings Arabic and English files still come in (Windows-1256, ISO-8859-6,
Windows-1252)."""

import codecs

from charset_normalizer import from_bytes

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


def _from_bom(data):
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def _looks_like_text(text):
    if not text:
        return False
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f\v")
    return controls / len(text) < 0.01 and "\ufffd" not in text


def decode_bytes(data):
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
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data:
        raise DecodeError("binary file (NUL bytes and no UTF-16 byte-order mark)")
    for candidates in (PREFERRED_LEGACY, None):
        match = from_bytes(data, cp_isolation=candidates).best()
        if match is not None:
            text = str(match)
            if _looks_like_text(text):
                return text, match.encoding
    raise DecodeError("not text in UTF-8, UTF-16 or a detectable legacy encoding")

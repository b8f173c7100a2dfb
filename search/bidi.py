"""Bidirectional text from documents, shown safely: titles and file names
can hold the Unicode controls that reorder what follows them (an RLO makes
"report\u202eTXT.exe" read "reportexe.TXT"), and must not reorder the page
around them.

In markup, a title or a path goes in a ``<bdi>`` (or an element with
``dir``), which the browser isolates; in plain text, where there is no
markup (the ``<title>`` element), ``isolate`` wraps it in FSI…PDI.
"""

# Embeddings, overrides and isolates: LRE RLE PDF LRO RLO, LRI RLI FSI PDI.
EXPLICIT_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Marks and the Arabic letter mark change no order by themselves; paths show them too.
MARKS = frozenset("\u200e\u200f\u061c")
FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"


def isolate(text: object) -> str:
    """``text`` as one isolated run for plain text (FSI…PDI): its own
    controls are dropped, so none can end the isolate early or outlive it.

    >>> isolate("a\u202eb") == "\u2068ab\u2069"
    True
    """
    kept = "".join(char for char in str(text) if char not in EXPLICIT_CONTROLS)
    return f"{FIRST_STRONG_ISOLATE}{kept}{POP_DIRECTIONAL_ISOLATE}"


def visible_controls(text: object) -> str:
    """A file name with its direction controls written out (``[U+202E]``),
    so that a path reads as it is stored, never reordered.

    >>> visible_controls("report\u202etxt.exe")
    'report[U+202E]txt.exe'
    """
    return "".join(f"[U+{ord(char):04X}]" if char in EXPLICIT_CONTROLS or char in MARKS else char for char in str(text))

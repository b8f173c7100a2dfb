"""Names across scripts: Tokayev finds توكاييف, and توكاييف finds Tokayev.

Every word gets a consonant skeleton: Arabic is romanised (anyascii), then
both scripts are reduced alike — digraphs folded (kh, sh, th, dh, gh, ph),
sound-alike letters merged (c/q/k, v/f, p/b), vowels and the glides w, y, h
dropped, doubled letters collapsed. توكاييف and Tokayev both become "tkf".

Precision comes first, so a link needs evidence from the index:
- a Latin word counts as a name when the documents write it capitalised
  in mid-sentence (the ``names`` field gathers those words per document), or
  when the index does not know it at all and the reader typed it capitalised;
- its Arabic matches are index words with the same skeleton of at least three
  consonants; an Arabic word's Latin matches must be such names.
Cross-script matches are added with a low boost, so they rank below
same-script ones, and ``cross_script=0`` turns them off.
"""

import difflib
import json
import os
import re
from functools import lru_cache
from pathlib import Path

from anyascii import anyascii
from whoosh import query as wq

from .analysis import normalize_word, script_of
from .analysis.explain import query_words
from .suggest import best_correction

MIN_SKELETON = 3
# A candidate with the same skeleton must also read alike with its vowels
# (difflib ratio of the vocalic forms): ثقافي is not Tokayev.
MIN_VOCALIC_SIMILARITY = 0.85
CROSS_SCRIPT_BOOST = 0.3
NAME_RATIO = 0.5  # share of a word's documents that write it capitalised mid-sentence
MAX_MATCHES = 8

_DIGRAPHS = (("kh", "x"), ("sh", "$"), ("ch", "$"), ("th", "t"), ("dh", "d"), ("gh", "g"), ("ph", "f"), ("ck", "k"))
_CLASSES = str.maketrans({"c": "k", "q": "k", "v": "f", "p": "b", "'": None, "`": None})
_DROPPED = re.compile(r"[aeiouwyh]")
_NOT_LETTER = re.compile(r"[^a-z$]")
_DOUBLED = re.compile(r"(.)\1+")
# A capitalised Latin word that does not open a sentence or a line.
_MID_SENTENCE_NAME = re.compile(r"(?<=[^\s.!?؟:\n])[ \t(\"'«—-]+([A-ZÀ-Þ][A-Za-zß-ÿ]+)")


def latin_skeleton(text):
    """The consonant skeleton of romanised text.

    >>> latin_skeleton("Tokayev"), latin_skeleton("Kazakhstan"), latin_skeleton("Washington")
    ('tkf', 'kzxstn', '$ntn')
    """
    text = text.lower()
    for digraph, letter in _DIGRAPHS:
        text = text.replace(digraph, letter)
    text = text.replace("ng", "n").translate(_CLASSES)
    text = _NOT_LETTER.sub("", _DROPPED.sub("", text))
    return _DOUBLED.sub(r"\1", text)


@lru_cache(maxsize=200_000)
def skeletons(word):
    """The skeletons of a word: an Arabic word with the article gives two,
    with and without it (الدوحة, but ألماتي).

    >>> skeletons("توكاييف"), skeletons("بايدن")
    (('tkf',), ('bdn',))
    """
    script = script_of(word)
    normalized = normalize_word(word, script)
    if script != "ar":
        return (latin_skeleton(normalized),)
    forms = [normalized]
    if normalized.startswith("ال") and len(normalized) > 4:
        forms.append(normalized[2:])
    keys = []
    for form in forms:
        key = latin_skeleton(anyascii(form))
        if key not in keys:
            keys.append(key)
    return tuple(keys)


# Before romanising Arabic: keep alef (a long a), mark ح and ع (which Latin
# names rarely carry), drop ه and ء (a final vowel, a glottal stop).
_ARABIC_MARKS = str.maketrans({"ا": "a", "ح": "7", "ع": "3", "ه": None, "ء": None})
_LATIN_VOWELS = str.maketrans({"e": None, "i": "y", "o": "w", "u": "w"})


@lru_cache(maxsize=200_000)
def vocalic_forms(word):
    """Romanised forms that keep the long vowels, for the second check.

    >>> vocalic_forms("Tokayev"), vocalic_forms("توكاييف")
    (('twkayf',), ('twkayf',))
    """
    script = script_of(word)
    normalized = normalize_word(word, script)
    if script == "ar":
        forms = [normalized] + ([normalized[2:]] if normalized.startswith("ال") and len(normalized) > 4 else [])
        texts = [anyascii(form.translate(_ARABIC_MARKS)).lower() for form in forms]
    else:
        texts = [normalized.lower().replace("ee", "y").replace("oo", "w")]
    result = []
    for text in texts:
        for digraph, letter in _DIGRAPHS:
            text = text.replace(digraph, letter)
        text = text.replace("ng", "n").translate(_CLASSES)
        if script != "ar":
            text = text.translate(_LATIN_VOWELS)
        text = re.sub(r"[^a-z$37]", "", text.replace("h", ""))
        result.append(_DOUBLED.sub(r"\1", text))
    return tuple(result)


def reads_alike(first, second):
    return (
        max(difflib.SequenceMatcher(None, a, b).ratio() for a in vocalic_forms(first) for b in vocalic_forms(second))
        >= MIN_VOCALIC_SIMILARITY
    )


def names_in(text):
    """Latin words written capitalised in mid-sentence: the ``names`` field."""
    return " ".join(sorted({match.lower() for match in _MID_SENTENCE_NAME.findall(text)}))


class NameKeys:
    """Skeleton → index words, built from one reader's vocabulary: Arabic
    words from the exact-form field, Latin names from the ``names`` field."""

    def __init__(self, reader=None, arabic=None, latin=None):
        self.arabic, self.latin = arabic or {}, latin or {}
        if reader is None or "body_exact" not in reader.schema or "names" not in reader.schema:
            return
        for term in reader.lexicon("body_exact"):
            term = term.decode("utf-8") if isinstance(term, bytes) else term
            if script_of(term) == "ar":
                for key in skeletons(term):
                    if len(key) >= MIN_SKELETON:
                        self.arabic.setdefault(key, []).append(term)
        for term in reader.lexicon("names"):
            term = term.decode("utf-8") if isinstance(term, bytes) else term
            key = latin_skeleton(term)
            if len(key) >= MIN_SKELETON:
                self.latin.setdefault(key, []).append(term)

    def matches(self, reader, word, typed_capitalised):
        """Index words in the other script that write the name ``word``."""
        script = script_of(word)
        normalized = normalize_word(word, script)
        if script == "ar":
            found = [term for key in skeletons(word) for term in self.latin.get(key, ())]
        elif is_name(reader, normalized, typed_capitalised):
            found = self.arabic.get(latin_skeleton(normalized), [])
        else:
            found = []
        unique = sorted(
            {t for t in found if reads_alike(word, t)}, key=lambda t: -reader.doc_frequency("body_exact", t)
        )
        return unique[:MAX_MATCHES]


def is_name(reader, normalized, typed_capitalised):
    """Whether a Latin word is a name by the index's evidence."""
    seen = reader.doc_frequency("body_exact", normalized)
    if not seen:
        return typed_capitalised
    return reader.doc_frequency("names", normalized) / seen >= NAME_RATIO


NAME_KEYS_FILE = "name_keys.json"
_cache = {}


def _version(reader):
    return (
        reader.generation(),
        tuple(leaf.segment().segment_id() for leaf, _ in reader.leaf_readers() if hasattr(leaf, "segment")),
        reader.doc_count_all(),
    )


def write_name_keys(ix):
    """Build the skeleton tables from the index's vocabulary and store them
    beside it, so that no search has to: run by the indexer after a commit
    (its cost grows with the vocabulary, not with the documents)."""
    with ix.reader() as reader:
        keys = NameKeys(reader)
        record = {"version": list(map(_jsonable, _version(reader))), "arabic": keys.arabic, "latin": keys.latin}
    folder = Path(ix.storage.folder)
    temporary = folder / f".{NAME_KEYS_FILE}.{os.getpid()}"
    temporary.write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    os.replace(temporary, folder / NAME_KEYS_FILE)


def _jsonable(value):
    return list(value) if isinstance(value, tuple) else value


def _load(folder, version):
    try:
        record = json.loads((Path(folder) / NAME_KEYS_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("version") != list(map(_jsonable, version)):
        return None  # written for another commit
    return NameKeys(arabic=record["arabic"], latin=record["latin"])


def name_keys(reader, folder=None):
    """NameKeys for this reader's index version: the indexer's stored tables
    when they match it, else built from the vocabulary once per version."""
    version = _version(reader)
    keys = _cache.get(version)
    if keys is None:
        _cache.clear()
        keys = (_load(folder, version) if folder else None) or NameKeys(reader)
        _cache[version] = keys
    return keys


def index_folder(searcher):
    """The folder of the index generation a searcher reads (for stored tables)."""
    storage = getattr(getattr(searcher, "_ix", None), "storage", None)
    return getattr(storage, "folder", None)


_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z]+")


def cross_script_matches(reader, text, folder=None):
    """{normalised query word: index words in the other script that write it}."""
    keys = name_keys(reader, folder)
    if not (keys.arabic or keys.latin):
        return {}
    capitalised = {word.lower() for word in _CAPITALISED.findall(text)}
    found = {}
    for word, script, _, _ in query_words(text):
        normalized = normalize_word(word, script)
        if not reader.doc_frequency("body_exact", normalized) and best_correction(reader, word, script):
            continue  # a misspelling of a word of its own script: the typo rewrite's job
        matches = keys.matches(reader, word, normalized in capitalised)
        if matches:
            found[normalized] = matches
    return found


def add_cross_script(query, matches):
    """``query`` with each matched word's alternatives in the other script
    added to that word's group, boosted low so they rank below it."""
    if not matches:
        return query

    def visit(node):
        if isinstance(node, wq.Or):
            for child in node.subqueries:
                if isinstance(child, wq.Term) and child.fieldname == "body_exact" and child.text in matches:
                    extra = [
                        wq.Term(field, match, boost=CROSS_SCRIPT_BOOST)
                        for match in matches[child.text]
                        for field in ("body_exact", "title_exact")
                    ]
                    return wq.Or([*node.subqueries, *extra], boost=node.boost)
        return node if node.is_leaf() else node.apply(visit)

    return visit(query)

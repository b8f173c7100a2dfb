"""Place names across languages: Egypt finds مصر, القاهرة finds Cairo.

No letter-by-letter reading links Egypt to مصر or Jordan to الأردن, so
search/names/ cannot. This module links them through a table of the
places CLDR names in both languages, read through Babel:

- territories (``Locale.territories``, 287 of them), less the codes that
  are not places: the unknown region ZZ, the pseudo-locales XA and XB, the
  European Union, the euro area and the United Nations (organisations), the
  "Outlying Oceania" grouping and the world (001, "world" / العالم: common
  words both). The other numeric regions are places (Africa / أفريقيا,
  Latin America / أمريكا اللاتينية) and are kept;
- cities, the exemplar cities of the time zones (``Locale.time_zones``,
  419 with an Arabic name), the English name from CLDR or else the zone id
  (``Asia/Amman`` is Amman); "Beulah, North Dakota" is kept as Beulah;
- a few short forms news writes more often than CLDR's names, which Babel
  does not carry (CLDR's "short" and "variant" names are not imported):
  ``ALIASES``.

Both sides are read with the project's own analysis (``plan_query``), so a
name is the tuple of its normalised words less stop words: عُمان and عمّان
are both عمان, and the table keeps every place under a key (Oman and Amman
are both under عمان; neither overwrites the other).

At query time (``place_matches``, called by names.matching.cross_script_matches) the
longest run of adjacent query words that is a place's name gets the other
language's name, as index words of the exact-form fields: one word, or a
phrase for a name of several (united states → الولايات المتحده). Arabic
writes a proclitic onto a name (والأردن, بالقاهرة, للأردن), and the index
keeps those as words of their own, so each proclitic form the index holds
is an alternative too. Only forms with documents in an exact field are
given, so they cost nothing where the index has none.

Precision. A multi-word name is always expanded (no common phrase is
"united states"). A single word is expanded only when it is a name:
- a Latin word by the index's evidence (names.evidence.name_share: more than half of
  its mid-sentence mentions capitalised); when the index has no evidence,
  when typed capitalised, or when it is not a common English word
  (``COMMON_ENGLISH``: the single-word place names that are also
  lower-case words of an English word list, such as chad, turkey, nice);
- an Arabic word finds only the Latin names that the index does not write
  mostly in lower case (so المغرب does not find "morocco" in a text that
  is not about the country), and not at all when it is a function word or
  in ``COMMON_ARABIC`` (place names that are mostly common words: ترك
  "left", ماهي "what is", العيون "the eyes").
Matches join the names feature's, so they are boosted low (ranked below
same-script matches) and ``cross_script=0`` turns them off.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, overload

from .analysis import script_of, surface_analyzer
from .analysis.arabic import CONJUNCTION_CLITICS, PREPOSITION_CLITICS
from .analysis.explain import QueryWord, plan_query
from .names.evidence import NAME_RATIO, name_share

if TYPE_CHECKING:
    from whoosh.reading import IndexReader

    from .deadline import Deadline
    from .postings.view import Reader

# Territory codes that are not places (or whose names are common words).
NOT_PLACES = frozenset({"ZZ", "XA", "XB", "EU", "EZ", "UN", "QO", "001"})
# Short forms of names that news uses, which Babel's CLDR data lacks: (English, Arabic).
ALIASES = (
    ("Britain", "بريطانيا"),
    ("Great Britain", "بريطانيا العظمى"),
    ("UK", "المملكة المتحدة"),
    ("Britain", "المملكة المتحدة"),
    ("UK", "بريطانيا"),
    ("USA", "الولايات المتحدة"),
    ("America", "أمريكا"),
    ("America", "أميركا"),
    ("United States", "أمريكا"),
    ("United States", "أميركا"),
    ("UAE", "الإمارات"),
    ("Emirates", "الإمارات"),
    ("United Arab Emirates", "الإمارات"),
    ("Holland", "هولندا"),
    ("Gaza", "غزة"),
    ("West Bank", "الضفة الغربية"),
    ("Turkey", "تركيا"),
    ("Saudi Arabia", "السعودية"),
    ("Palestine", "فلسطين"),
    ("Czech Republic", "التشيك"),
    ("Ivory Coast", "ساحل العاج"),
)
# Single-word place names of the table (English, normalised) that are also
# lower-case words of Debian's wamerican word list (/usr/share/dict/words):
# typed lower case, they are expanded only on the index's evidence. Listed by
# ``python -m bench.quality.places_eval --dictionary-places``.
COMMON_ENGLISH = frozenset(
    {
        "anchorage",
        "astrakhan",
        "cayenne",
        "chad",
        "chile",
        "china",
        "emirates",
        "guinea",
        "japan",
        "jersey",
        "morocco",
        "muscat",
        "oral",
        "phoenix",
        "resolute",
        "shanghai",
        "turkey",
    }
)
# Arabic names of the table that are mostly common words in Arabic text
# (ترك "left", ماهي "what is", العيون "the eyes", مالي "financial", نوم
# "sleep", سمراء "dark-skinned", باز "falcon"...): not linked either way.
COMMON_ARABIC = frozenset(
    {"ترك", "ماهي", "العيون", "بلم", "كريسماس", "كناري", "باز", "مالي", "نوم", "سمراء", "واك", "جوني", "ثيل"}
)

# Proclitics Arabic attaches to a name: the conjunctions و ف, the
# prepositions ب ك ل, and their pairs. ل before the article makes لل.
_CONJUNCTIONS = ("", *CONJUNCTION_CLITICS)
_PREPOSITIONS = ("", *PREPOSITION_CLITICS)
MAX_PLACE_MATCHES = 16  # index forms added per query word
_SEPARATOR = re.compile(r"[\s\-&.'’]*")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Place:
    """One place: its CLDR code (a territory code or a time zone id), and
    its names in each language as written."""

    code: str
    english: str
    arabic: str


@dataclass
class PlaceTable:
    """{query key (normalised words less stop words): [Place]} per script,
    and each name's words as the exact fields index them."""

    latin: dict[tuple[str, ...], list[Place]] = field(default_factory=dict)
    arabic: dict[tuple[str, ...], list[Place]] = field(default_factory=dict)
    indexed: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> its index words
    longest: int = 1
    seconds: float = 0.0

    def add(self, place: Place) -> None:
        keys = [(self.latin, query_key(place.english)), (self.arabic, query_key(place.arabic))]
        if not all(key for _, key in keys) or query_key(place.arabic) in {(word,) for word in COMMON_ARABIC}:
            return
        for table, key in keys:
            places = table.setdefault(key, [])
            if place not in places:
                places.append(place)
            self.longest = max(self.longest, len(key))
        for name in (place.english, place.arabic):
            self.indexed.setdefault(name, tuple(index_words(name)))

    def __len__(self) -> int:
        return len({place for places in self.latin.values() for place in places})


def query_key(name: str) -> tuple[str, ...]:
    """The words of a name as a query reads them, less stop words.

    >>> query_key("Isle of Man"), query_key("عُمان") == query_key("عمّان")
    (('isle', 'man'), True)
    """
    return tuple(word.normalized for word in plan_query(name).words if not word.stopword)


def index_words(name: str) -> list[str]:
    """The words of a name as the exact-form fields index them."""
    return [token.text for token in surface_analyzer()(name)]


def cldr_places() -> list[Place]:
    """Every place of the table, from Babel's CLDR data (see the module doc)."""
    from babel import Locale  # loaded when the table is first built, not at import

    english, arabic = Locale("en"), Locale("ar")
    places = [
        Place(code, name, arabic.territories[code])
        for code, name in english.territories.items()
        if code not in NOT_PLACES and arabic.territories.get(code)
    ]
    english_zones = english.time_zones
    for zone, names in arabic.time_zones.items():
        city = names.get("city")
        if not city or zone.startswith("Etc/"):
            continue
        name = english_zones.get(zone, {}).get("city") or zone.rsplit("/", 1)[-1].replace("_", " ")
        if ("," in name) != ("،" in city):
            continue
        places.append(Place(zone, name.split(",")[0].strip(), city.split("،")[0].strip()))
    places += [Place("alias", latin, arabic) for latin, arabic in ALIASES]
    return places


_table: PlaceTable | None = None
_table_lock = threading.Lock()


def place_table() -> PlaceTable:
    """The table, built once per process on first use: 0.07 s for Babel's
    ``en`` and ``ar`` data and the analysis of about 700 pairs of names
    (``PlaceTable.seconds``); the process keeps about 5 MB of Babel's data."""
    global _table
    if _table is None:
        with _table_lock:
            if _table is None:
                started = time.perf_counter()
                table = PlaceTable()
                for place in cldr_places():
                    table.add(place)
                table.seconds = time.perf_counter() - started
                _table = table
    return _table


def arabic_index_forms(words: Sequence[str]) -> list[tuple[str, ...]]:
    """The index forms of an Arabic name (a tuple of words): itself, and
    with each proclitic on its first word.

    >>> sorted(arabic_index_forms(("الاردن",)))[:4]
    [('الاردن',), ('بالاردن',), ('فالاردن',), ('فبالاردن',)]
    """
    first, rest = words[0], words[1:]
    forms: list[tuple[str, ...]] = []
    for conjunction in _CONJUNCTIONS:
        for preposition in _PREPOSITIONS:
            clitic = conjunction + preposition
            if preposition == "ل" and first.startswith("ال"):
                forms.append((clitic + first[1:], *rest))  # ل + الأردن = للأردن
            else:
                forms.append((clitic + first, *rest))
    return forms


def _unclitic(word: str) -> list[str]:
    """Forms of a typed Arabic word that may be a name: itself, and without a
    proclitic when what remains carries the article (بالقاهرة, للأردن)."""
    forms = [word]
    for conjunction in _CONJUNCTIONS:
        for preposition in PREPOSITION_CLITICS if conjunction == "" else _PREPOSITIONS:
            clitic = conjunction + preposition
            if not word.startswith(clitic):
                continue
            rest = word[len(clitic) :]
            if preposition == "ل" and rest.startswith("ل"):
                forms.append("ا" + rest)
            elif rest.startswith("ال"):
                forms.append(rest)
    return forms


def _held(reader: Reader | IndexReader, words: Iterable[str]) -> bool:
    """Whether every word of ``words`` has documents in an exact field."""
    return all(reader.doc_frequency("body_exact", w) or reader.doc_frequency("title_exact", w) for w in words)


def _latin_is_name(reader: Reader | IndexReader, word: str, typed_capitalised: bool) -> bool:
    """Whether a typed Latin place name of one word is meant as the place."""
    share = name_share(reader, word)
    if share is not None:
        return share > NAME_RATIO
    return typed_capitalised or word not in COMMON_ENGLISH


def _latin_not_lowercase(reader: Reader | IndexReader, words: Sequence[str]) -> bool:
    """Whether the index does not write a one-word Latin name mostly in lower case."""
    if len(words) > 1:
        return True
    share = name_share(reader, words[0])
    return share is None or share > NAME_RATIO


def _alternatives(reader: Reader | IndexReader, table: PlaceTable, places: Iterable[Place], script: str) -> list[str]:
    """The index forms of the other language's names of ``places``, most
    documents first, as strings (the words of a phrase joined by a space)."""
    found: dict[str, int] = {}
    for place in places:
        candidates: list[tuple[str, ...]]
        if script == "ar":
            words = table.indexed[place.english]
            candidates = [tuple(words)] if words and _latin_not_lowercase(reader, words) else []
        else:
            words = table.indexed[place.arabic]
            candidates = arabic_index_forms(words) if words else []
        for form in candidates:
            if form and _held(reader, form):
                found.setdefault(" ".join(form), reader.doc_frequency("body_exact", form[0]))
    ranked = sorted(found, key=lambda form: -found[form])
    return ranked[:MAX_PLACE_MATCHES]


def place_matches(reader: Reader | IndexReader, text: str, deadline: Deadline | None = None) -> dict[str, list[str]]:
    """{normalised query word: index words of the other language's name of
    the place it names}: each run of adjacent query words that is a place's
    name, longest first; a phrase is one string with spaces. With a
    ``deadline``, the words it leaves no time for get no matches. None in
    an index without exact-form fields (the other profiles)."""
    if "body_exact" not in reader.schema:
        return {}
    return _matches(reader, text, deadline, held=True)


def matched_places(reader: Reader | IndexReader, text: str) -> dict[str, list[Place]]:
    """{normalised query word: [Place]} that the precision rules let a query
    word name, whether or not the index holds the other language's name
    (for measuring the rules, bench/quality/places_eval.py)."""
    return _matches(reader, text, None, held=False)


@overload
def _matches(
    reader: Reader | IndexReader, text: str, deadline: Deadline | None, held: Literal[True]
) -> dict[str, list[str]]: ...


@overload
def _matches(
    reader: Reader | IndexReader, text: str, deadline: Deadline | None, held: Literal[False]
) -> dict[str, list[Place]]: ...


def _matches(
    reader: Reader | IndexReader, text: str, deadline: Deadline | None, held: bool
) -> dict[str, list[str]] | dict[str, list[Place]]:
    table = place_table()
    words = [w for w in plan_query(text).words if not w.stopword]
    # Query word -> the index forms of its place's other names (``held``), or the places it names.
    found: dict[str, list[Any]] = {}
    k = 0
    while k < len(words):
        if deadline is not None and not deadline.left():
            break
        matched = 0
        for n in range(min(table.longest, len(words) - k), 0, -1):
            run = words[k : k + n]
            if len({w.script for w in run}) > 1 or not all(_adjacent(text, a, b) for a, b in itertools.pairwise(run)):
                continue
            places = _places_named(reader, table, run)
            alternatives: Sequence[str | Place] = (
                _alternatives(reader, table, places, run[0].script) if held else places
            )
            if alternatives:
                for word in run:
                    found.setdefault(word.normalized, [])
                    found[word.normalized] += [a for a in alternatives if a not in found[word.normalized]]
                matched = n
                break
        k += max(matched, 1)
    return found


def _adjacent(text: str, first: QueryWord, second: QueryWord) -> bool:
    """Whether nothing but separators and stop words stand between two query words."""
    between = text[first.end : second.start]
    if not all(word.stopword for word in plan_query(between).words):
        return False
    return bool(_SEPARATOR.fullmatch(_WORD.sub("", between)))


def _places_named(reader: Reader | IndexReader, table: PlaceTable, run: Sequence[QueryWord]) -> list[Place]:
    """The places a run of query words names, by the precision rules."""
    if run[0].script == "ar":
        rest = tuple(w.normalized for w in run[1:])
        return [place for form in _unclitic(run[0].normalized) for place in table.arabic.get((form, *rest), ())]
    places = table.latin.get(tuple(w.normalized for w in run), [])
    if len(run) == 1 and places and not _latin_is_name(reader, run[0].normalized, run[0].surface[:1].isupper()):
        return []
    return places


def is_place(name: str) -> bool:
    """Whether ``name`` (typed as a query) is a place of the table."""
    key = query_key(name)
    return bool(key) and key in (place_table().arabic if script_of(name) == "ar" else place_table().latin)

"""Names across scripts at query time: Tokayev finds توكاييف, and توكاييف
finds Tokayev.

``cross_script_matches`` reads each query word (and each pair of adjacent
words) against the indexer's tables (search/names/tables.py); a word the
index does not know that is a misspelling of one it does is left to the
typo rewrite (search/suggest.py). Places that no reading links (Egypt /
مصر, Jordan / الأردن) come from a CLDR table, search/places.py, and join
these matches in ``cross_script_matches``. Cross-script matches are added
with a low boost (``add_cross_script``), so they rank below same-script
ones, and ``cross_script=0`` turns them off.

Query time only: the indexer does not import this module.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from whoosh import query as wq

from ..analysis.explain import plan_query
from ..places import place_matches
from ..suggest import best_correction
from .readings import arabic_forms
from .tables import MAX_MATCHES, NameKeys, name_keys

if TYPE_CHECKING:
    from whoosh.reading import IndexReader

    from ..deadline import Deadline
    from ..postings.view import Reader

CROSS_SCRIPT_BOOST = 0.3
ARTICLES = frozenset({"al", "el"})  # al-Moussawi: Arabic writes the article attached

_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z]+")


def _misspelt(
    reader: Reader | IndexReader, keys: NameKeys, word: str, script: str, normalized: str, typed_capitalised: bool
) -> bool:
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


def cross_script_matches(
    reader: Reader | IndexReader,
    text: str,
    folder: str | os.PathLike[str] | None = None,
    deadline: Deadline | None = None,
) -> dict[str, list[str]]:
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


def _name_matches(
    reader: Reader | IndexReader,
    text: str,
    folder: str | os.PathLike[str] | None = None,
    deadline: Deadline | None = None,
) -> dict[str, list[str]]:
    """cross_script_matches through the letters alone (names, not places)."""
    keys = name_keys(reader, folder)
    if not (keys.arabic or keys.latin):
        return {}
    capitalised = {word.lower() for word in _CAPITALISED.findall(text)}
    planned = plan_query(text).words
    words = [(w.surface, w.script, w.start, w.end) for w in planned]
    normalized = [w.normalized for w in planned]
    found: dict[str, list[str]] = {}

    def add(word: str, matches: Iterable[str]) -> None:
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


def _alternatives(matches: Iterable[str]) -> list[wq.Query]:
    """The other script's spellings as queries, boosted low: a term per
    exact field, a phrase for two Latin words."""
    return [
        wq.Phrase(field, match.split(), boost=CROSS_SCRIPT_BOOST)
        if " " in match
        else wq.Term(field, match, boost=CROSS_SCRIPT_BOOST)
        for match in matches
        for field in ("body_exact", "title_exact")
    ]


def add_cross_script(query: wq.Query, matches: Mapping[str, Sequence[str]]) -> wq.Query:
    """``query`` with each matched word's alternatives in the other script
    added to that word's group, boosted low so they rank below it. A
    hyphenated word (Jean-Luc, al-Farabi) gets them when each part has some."""
    if not matches:
        return query

    def exact_words(node: wq.Query) -> list[str] | None:
        if isinstance(node, wq.Term) and node.fieldname == "body_exact":
            return [node.text]
        if isinstance(node, wq.Phrase) and node.fieldname == "body_exact":
            return list(node.words)  # a quoted name: "united states"
        if isinstance(node, wq.And) and node.subqueries:
            words = [child.text for child in node.subqueries if isinstance(child, wq.Term)]
            if len(words) == len(node.subqueries) and {c.fieldname for c in node.subqueries} == {"body_exact"}:
                return words
        return None

    def visit(node: wq.Query) -> wq.Query:
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

"""Names across scripts, measured: does a name typed in one script find the
documents that write it in the other (Tokayev → توكاييف, بايدن → Biden),
without expanding common English words to Arabic, nor linking the common
words of either script that read like a name of the other (names.json
"false_friends": middle / معدل, وسط / west)? A vocabulary audit lists every
link the index makes: each Latin name candidate of the names field, and each
Arabic word of the index, as a query.

    .venv/bin/python -m bench.quality.names_eval     # prints the figures as JSON

Everything runs on the shipped profile through the engine's search(), over one
index of the corpus and one searcher. The names and the common words are in
names.json. A document "writes" a spelling when its body (as ingested) has the
spelling's words in a row, each compared after search.analysis.normalize_word;
an Arabic word may carry one attached proclitic (و ف ب ل ك, and لل for ال),
since Arabic writes "and Kyrgyzstan" as one word (وقيرغيزستان). The documents
found only through such a prefixed form are listed with each case.

Searches read the name tables the indexer stored beside the index (one
per index version); the vocabulary audit builds them in memory instead, to
enumerate every key.
"""

import argparse
import json
import re
import tempfile
from collections import Counter, defaultdict
from contextlib import ExitStack
from pathlib import Path

from bench.common import markdown_table
from search.analysis import BilingualTokenizer, normalize_word, script_of
from search.engine import scoring, search
from search.index import open_index, update_index
from search.ingest import read_document, walk_folder
from search.names.evidence import is_name
from search.names.matching import cross_script_matches
from search.names.readings import MIN_SKELETON, reads_alike, skeletons
from search.names.tables import NameKeys
from search.query import SearchRequest
from search.suggest import best_correction

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
NAMES = HERE / "names.json"
TOP = 10
TARGETS = {"names_found": 0.70, "common_words_expanded_lowercase": 0.03}
# names.json "false_friends": common words of each script that a name of the
# other script's spelling could be taken for (middle / معدل, وسط / west). None
# of them may be linked to anything in the other script.
FALSE_FRIEND_DIRECTIONS = {"latin": "latin→arabic", "arabic": "arabic→latin"}
# direction -> (field of names.json typed, field looked for, language of the documents looked for)
DIRECTIONS = {
    "latin→arabic": ("latin", "arabic", "ar"),
    "arabic→latin": ("arabic", "latin", "en"),
}
OTHER_LANG = {"ar": "en", "en": "ar"}
# One-letter Arabic proclitics, alone or after the conjunction و or ف.
PROCLITICS = ("و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل")

_tokenizer = BilingualTokenizer()


def load_names(path=NAMES):
    return json.loads(Path(path).read_text("utf-8"))


def surface_words(text):
    return [t.text for t in _tokenizer(text)]


def words_of(text):
    """The normalised words of ``text``, in order."""
    return [normalize_word(t.text, t.script) for t in _tokenizer(text)]


class Corpus:
    """The ingested documents' bodies as normalised words, to find which
    documents write a spelling."""

    def __init__(self, docs_dir):
        self.lang, self.words, self.containing = {}, {}, defaultdict(set)
        for source in walk_folder(docs_dir):
            document = read_document(source)
            words = words_of(document.body)
            self.lang[document.doc_id], self.words[document.doc_id] = document.lang, words
            for word in words:
                self.containing[word].add(document.doc_id)
        self._cache = {}

    @staticmethod
    def forms(word):
        """{form: prefixed} of a normalised word: itself, and for Arabic its
        forms with an attached proclitic."""
        forms = {word: False}
        if script_of(word) == "ar":
            for clitic in PROCLITICS:
                forms[clitic + word] = True
                if word.startswith("ال") and clitic.endswith("ل"):
                    forms[clitic + word[1:]] = True  # ل + الكويت = للكويت
        return forms

    def writers(self, spelling, lang):
        """{doc_id: prefixed_only} of the ``lang`` documents that write
        ``spelling``; prefixed_only when every occurrence has a proclitic."""
        key = (spelling, lang)
        if key not in self._cache:
            self._cache[key] = self._writers(words_of(spelling), lang)
        return self._cache[key]

    def _writers(self, wanted, lang):
        if not wanted:
            return {}
        forms = [self.forms(word) for word in wanted]
        candidates = set().union(*(self.containing[form] for form in forms[0]))
        found = {}
        for doc_id in sorted(candidates):
            if self.lang[doc_id] != lang:
                continue
            words, bare, prefixed = self.words[doc_id], False, False
            for start in range(len(words) - len(wanted) + 1):
                flags = [forms[i].get(words[start + i]) for i in range(len(wanted))]
                if None not in flags:
                    bare, prefixed = bare or not any(flags), prefixed or any(flags)
            if bare or prefixed:
                found[doc_id] = not bare
        return found

    def prefixed_forms(self, spelling, doc_ids):
        """The proclitic forms of a one-word ``spelling`` that ``doc_ids`` write."""
        wanted = words_of(spelling)
        if len(wanted) != 1:
            return []
        forms = [form for form, prefixed in self.forms(wanted[0]).items() if prefixed]
        return sorted({form for form in forms if self.containing[form] & set(doc_ids)})


def ranked(searcher, text, cross_script=True, depth=TOP, explain=False):
    """The engine's ranking for ``text`` as [(doc_id, lang)], and its response."""
    response = search(searcher, SearchRequest(text, per_page=depth, cross_script=cross_script, explain=explain))
    return [(hit.doc_id, hit.lang) for hit in response.hits], response


def _word_reason(reader, typed, other):
    """(cause, explanation) of why the query word ``typed`` is not matched to
    ``other``, the other script's spelling; None when nothing in the rules
    stands between them."""
    typed_keys, other_keys = skeletons(typed), skeletons(other)
    shared = set(typed_keys) & set(other_keys)
    script = script_of(typed)
    normalized = normalize_word(typed, script)
    if not shared:
        return "skeletons_differ", f"skeletons differ: {typed} {typed_keys} vs {other} {other_keys}"
    if max(map(len, shared)) < MIN_SKELETON:
        return "short_skeleton", f"skeleton of {typed} has fewer than {MIN_SKELETON} consonants: {typed_keys}"
    if not reads_alike(typed, other):
        return "not_read_alike", f"{typed} and {other} do not read alike (vocalic forms)"
    if not reader.doc_frequency("body_exact", normalized):
        correction = best_correction(reader, typed, script)
        if correction:
            return "taken_for_typo", f"{typed} is not an index form, so it is taken for a misspelling of {correction}"
    if script != "ar" and not is_name(reader, normalized, typed[:1].isupper()):
        return "not_a_name", f"{typed} is not a name by the index's evidence (names field)"
    if script == "ar" and not reader.doc_frequency("names", normalize_word(other, "latin")):
        return "not_a_name", f"{other} is not in the names field (never capitalised mid-sentence)"
    return None


def diagnose(searcher, response, target, targets, query_lang, prefixed_forms=()):
    """(cause, explanation) of why the query of ``response`` (run with
    explain=1) missed the documents ``targets`` that write ``target``. The
    cause of a miss with several is the first."""
    reader, query = searcher.reader(), response.query
    reasons = []
    if re.search(r"\w-\w", query) and "NOT" in response.explain["parsed"]:
        reasons.append(("hyphen_is_exclusion", f"the hyphen is parsed as an exclusion: {response.explain['parsed']}"))
    if response.rewrite:
        rewrite = response.rewrite
        reasons.append(("taken_for_typo", f"the query is rewritten ({rewrite.reason}) to {rewrite.rewritten}"))
    expansion = response.explain.get("cross_script")
    if expansion:
        deep, _ = ranked(searcher, query, depth=reader.doc_count_all())
        positions = [rank for rank, (doc_id, _) in enumerate(deep, 1) if doc_id in targets]
        if not positions:
            reasons.append(
                ("other_words_missing", f"expanded to {expansion}, but no document writing {target} matches the query")
            )
        else:
            above = deep[: positions[0] - 1]
            own = sum(lang == query_lang for _, lang in above)
            reasons.append(
                (
                    "crowded_out",
                    f"expanded to {expansion}; the first document writing {target} ranks {positions[0]}, "
                    f"below {own} documents in the query's language and {len(above) - own} others",
                )
            )
    else:
        typed, wanted = surface_words(query), surface_words(target)
        if len(typed) != len(wanted):
            reasons.append(("word_count", f"{len(typed)} word(s) against {len(wanted)} in the other script"))
        else:
            reasons += filter(None, (_word_reason(reader, a, b) for a, b in zip(typed, wanted, strict=True)))
            if not reasons and prefixed_forms:
                reasons += [
                    (cause, f"the documents write it only as {form}: {text}")
                    for form in prefixed_forms
                    for cause, text in [_word_reason(reader, typed[0], form) or ("other", "no match")]
                ]
    if not reasons:
        reasons.append(("other", "no expansion though every word pair matches"))
    return reasons[0][0], "; ".join(text for _, text in reasons)


def run_cases(searcher, names, corpus):
    """The top-10 check for every name and direction that has documents to
    find, with cross-script matching on and off."""
    cases = []
    for name in names:
        for direction, (query_field, target_field, target_lang) in DIRECTIONS.items():
            targets = corpus.writers(name[target_field], target_lang)
            if not targets:
                continue
            query, query_lang = name[query_field], OTHER_LANG[target_lang]
            on, response = ranked(searcher, query, explain=True)
            off, _ = ranked(searcher, query, cross_script=False)
            case = {
                "name": name["latin"],
                "kind": name["kind"],
                "direction": direction,
                "query": query,
                "documents": len(targets),
                "found": any(doc_id in targets for doc_id, _ in on),
                "found_cross_script_off": any(doc_id in targets for doc_id, _ in off),
                "in_top": sum(doc_id in targets for doc_id, _ in on),
                "both_scripts": bool(corpus.writers(query, query_lang)),
                "first": on[0] if on else None,
                "prefixed_only": sorted(doc_id for doc_id, prefixed in targets.items() if prefixed),
            }
            if not case["found"]:
                prefixed = corpus.prefixed_forms(name[target_field], targets) if all(targets.values()) else []
                case["cause"], case["diagnosis"] = diagnose(
                    searcher, response, name[target_field], targets, query_lang, prefixed
                )
            cases.append(case)
    return cases


def rate(cases, flag="found"):
    found = sum(case[flag] for case in cases)
    return {"cases": len(cases), "found": found, "percent": round(100 * found / len(cases), 1) if cases else 0.0}


def names_summary(cases, flag):
    summary = rate(cases, flag)
    summary["by_direction"] = {d: rate([c for c in cases if c["direction"] == d], flag) for d in DIRECTIONS}
    summary["names_in_both_scripts"] = rate([c for c in cases if c["both_scripts"]], flag)
    summary["by_kind"] = {
        k: rate([c for c in cases if c["kind"] == k], flag) for k in sorted({c["kind"] for c in cases})
    }
    return summary


def common_words_expanded(reader, words):
    """The common words whose query gets a cross-script expansion, typed lower
    case and capitalised."""
    result = {}
    for typing, form in (("lowercase", str.lower), ("capitalised", str.capitalize)):
        expanded = {form(word): cross_script_matches(reader, form(word)) for word in words}
        expanded = {word: matches for word, matches in expanded.items() if matches}
        result[typing] = {
            "words": len(words),
            "expanded": len(expanded),
            "percent": round(100 * len(expanded) / len(words), 1) if words else 0.0,
            "list": expanded,
        }
    return result


def false_friend_links(reader, false_friends):
    """The listed common words that get a cross-script expansion: a Latin word
    typed lower case or capitalised (as a reader types a name), an Arabic
    word as it is."""
    result, total, linked = {}, 0, 0
    for field, direction in FALSE_FRIEND_DIRECTIONS.items():
        words = false_friends.get(field, [])
        typings = (str.lower, str.capitalize) if field == "latin" else (str,)
        links = {}
        for word in words:
            found = {}
            for typed in typings:
                for matches in cross_script_matches(reader, typed(word)).values():
                    found.update(dict.fromkeys(matches))
            if found:
                links[word] = list(found)
        result[direction] = {
            "words": len(words),
            "linked": len(links),
            "percent": round(100 * len(links) / len(words), 1) if words else 0.0,
            "list": links,
        }
        total, linked = total + len(words), linked + len(links)
    result["all"] = {"words": total, "linked": linked, "percent": round(100 * linked / total, 1) if total else 0.0}
    return result


def vocabulary_audit(reader):
    """Every cross-script link the index's vocabulary makes: each Latin word
    the names field takes for a name candidate, typed capitalised, and each
    Arabic word of the index, as queries. {direction: {word: matches}}."""
    keys = NameKeys(reader)  # the whole tables, in memory (searches read the stored ones)
    latin = sorted({word for words in keys.latin.values() for word in words if " " not in word})
    arabic = sorted({word for words in keys.arabic.values() for word in words})  # those with a key at all
    links = {"latin→arabic": {}, "arabic→latin": {}}
    for direction, words, typed in (("latin→arabic", latin, str.capitalize), ("arabic→latin", arabic, str)):
        for word in words:
            found = {}
            for matches in cross_script_matches(reader, typed(word)).values():
                found.update(dict.fromkeys(matches))
            if found:
                links[direction][word] = list(found)
    return {
        "latin_candidates": len(latin),
        "arabic_words": len(arabic),
        "linked": {direction: len(found) for direction, found in links.items()},
        "links": links,
    }


def same_script_first(cases):
    """For names written in both scripts: is the first hit of the Latin name an
    English document (and, reported too, of the Arabic name an Arabic one)?"""
    result = {}
    for direction, (_, _, target_lang) in DIRECTIONS.items():
        checked = [c for c in cases if c["direction"] == direction and c["both_scripts"]]
        wrong = [
            {"query": c["query"], "first": c["first"][0] if c["first"] else None}
            for c in checked
            if not c["first"] or c["first"][1] != OTHER_LANG[target_lang]
        ]
        result[direction] = {"names": len(checked), "first_is_same_script": len(checked) - len(wrong), "not": wrong}
    return result


def evaluate_names(index_dir_or_searcher, corpus_dir, names_path=NAMES):
    """Every figure of names across scripts, as a dict (see the module doc).
    ``index_dir_or_searcher``: an index folder of ``corpus_dir`` (shipped
    profile), or an open searcher over one."""
    data = load_names(names_path)
    corpus = Corpus(corpus_dir)
    with ExitStack() as stack:
        searcher = index_dir_or_searcher
        if isinstance(searcher, str | Path):
            searcher = stack.enter_context(open_index(searcher).searcher(weighting=scoring()))
        cases = run_cases(searcher, data["names"], corpus)
        common = common_words_expanded(searcher.reader(), data["common_words"])
        false_friends = false_friend_links(searcher.reader(), data.get("false_friends", {}))
        audit = vocabulary_audit(searcher.reader())
    on, off = names_summary(cases, "found"), names_summary(cases, "found_cross_script_off")
    misses = [case for case in cases if not case["found"]]
    on["misses_by_cause"] = dict(Counter(case["cause"] for case in misses).most_common())
    return {
        "targets": TARGETS,
        "top": TOP,
        "names": len(data["names"]),
        "names_found": on | {"misses": misses},
        "names_found_cross_script_off": off,
        "gain_points": round(on["percent"] - off["percent"], 1),
        "common_words": common,
        "false_friends": false_friends,
        "audit": audit,
        "same_script_first": same_script_first(cases),
        "cases": cases,
    }


def _percent_of(figure):
    return f"{figure['found']}/{figure['cases']} = {figure['percent']}%"


def names_section(result):
    """The "Names across scripts" part of RESULTS.md (bench/quality/run.py)."""
    found, off = result["names_found"], result["names_found_cross_script_off"]
    lowercase, capitalised = result["common_words"]["lowercase"], result["common_words"]["capitalised"]
    targets = result["targets"]
    lines = [
        "## Names across scripts",
        "",
        f"{result['names']} names of [names.json](names.json) typed in one script; found when a document that "
        f"writes the name in the other script is in the top {result['top']} (`names_eval.py`). Targets: "
        f"names found ≥ {100 * targets['names_found']:.0f}%, common words expanded ≤ "
        f"{100 * targets['common_words_expanded_lowercase']:.0f}%.",
        "",
        f"**Names found: {_percent_of(found)}** (cross_script=0: {_percent_of(off)}; "
        f"{result['gain_points']:+g} points).",
        "",
        markdown_table(
            [[direction, _percent_of(figure)] for direction, figure in found["by_direction"].items()]
            + [[f"kind: {kind}", _percent_of(figure)] for kind, figure in found["by_kind"].items()],
            ["cases", "found"],
        ),
        "",
        f"**Common words expanded to the other script, typed lower case: {lowercase['expanded']}/"
        f"{lowercase['words']} = {lowercase['percent']}%**"
        + (": " + "; ".join(f"{w} → {', '.join(m)}" for w, ms in lowercase["list"].items() for m in ms.values()))
        * bool(lowercase["list"])
        + f". Typed capitalised: {capitalised['expanded']}/{capitalised['words']} = {capitalised['percent']}%"
        + (": " + "; ".join(f"{w} → {', '.join(m)}" for w, ms in capitalised["list"].items() for m in ms.values()))
        * bool(capitalised["list"])
        + ".",
        "",
        *false_friends_lines(result["false_friends"]),
        *audit_lines(result["audit"]),
        "Misses by cause: " + ", ".join(f"{cause} {n}" for cause, n in found["misses_by_cause"].items()) + ".",
        "",
        *(f"- {m['direction']} «{m['query']}» ({m['cause']}): {m['diagnosis']}" for m in found["misses"]),
        "",
    ]
    return lines


def _links(found):
    return "; ".join(f"{word} → {', '.join(matches)}" for word, matches in found.items())


def false_friends_lines(false_friends):
    everything = false_friends["all"]
    lines = [
        f"**False friends linked to the other script: {everything['linked']}/{everything['words']} = "
        f"{everything['percent']}%** (common words of [names.json](names.json) `false_friends` that must not be "
        "expanded; Latin ones typed lower case and capitalised).",
        "",
    ]
    for direction in FALSE_FRIEND_DIRECTIONS.values():
        figure = false_friends[direction]
        lines.append(
            f"- {direction}: {figure['linked']}/{figure['words']} = {figure['percent']}%"
            + (": " + _links(figure["list"])) * bool(figure["list"])
        )
    return [*lines, ""]


def audit_lines(audit):
    """Every link the vocabulary makes, for reading (not a measure by itself)."""
    lines = [
        f"Vocabulary audit: of {audit['latin_candidates']} Latin name candidates of the names field (typed "
        f"capitalised), {audit['linked']['latin→arabic']} link to Arabic words; of {audit['arabic_words']} Arabic "
        f"index words, {audit['linked']['arabic→latin']} link to Latin names.",
        "",
    ]
    for direction, found in audit["links"].items():
        lines += [f"<details><summary>{direction}: every link</summary>", "", _links(found) or "none", "", "</details>"]
        lines.append("")
    return lines


def print_names(result):
    found, lowercase = result["names_found"], result["common_words"]["lowercase"]
    false_friends, audit = result["false_friends"], result["audit"]
    print(f"names found across scripts: {_percent_of(found)}")
    print(f"common words expanded (lower case): {lowercase['expanded']}/{lowercase['words']} = {lowercase['percent']}%")
    print(
        "false friends linked: "
        + ", ".join(f"{d} {f['linked']}/{f['words']} = {f['percent']}%" for d, f in false_friends.items())
    )
    print("vocabulary audit, words linked: " + ", ".join(f"{d} {n}" for d, n in audit["linked"].items()))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", default=str(PROJECT / "corpus"))
    parser.add_argument("--index", help="an index of --docs (default: build one in a temporary folder)")
    parser.add_argument("--names", default=str(NAMES))
    parser.add_argument("--all-cases", action="store_true", help="also print every case, not only the misses")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        index_dir = args.index
        if not index_dir:
            index_dir = Path(workdir) / "index"
            update_index(args.docs, index_dir)
        result = evaluate_names(index_dir, args.docs, args.names)
    if not args.all_cases:
        del result["cases"]
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return result


if __name__ == "__main__":
    main()

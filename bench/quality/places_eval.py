"""Place names across languages, measured: does a place typed in one language
find the documents that name it in the other (Egypt → مصر, القاهرة → Cairo,
United States → الولايات المتحدة), without expanding common words?

    .venv/bin/python -m bench.quality.places_eval     # prints the figures as JSON

The documents are places_corpus/, written for this check: short news
paragraphs, the Arabic ones naming places only in Arabic (often with a
proclitic: والأردن, بالقاهرة), the English ones only in English. Every name
of places.json is typed in each language, through the engine's search() on
the shipped profile; it is found when a document of the other language
that writes it (names_eval.Corpus: its words in a row, an Arabic word with
or without a proclitic) is in the top 10. Both directions must find it.

Common words (places.json "common_words": names.json's list, a sample of
Debian's wamerican word list, and the most frequent Arabic words of the
corpora) are typed lower case and capitalised; a word is "expanded" when
search.places.place_matches gives it any other-language word on the index.
That is measured on two indexes: places_corpus/ (where the other language's
names are present, so a rule that let a word through shows) and the bundled
corpus. "Expandable" counts the words the table and its precision rules
would expand on an index holding every name (search.places.matched_places).
The "ambiguous" list (place names that are also common words: chad, turkey,
المغرب...) is reported apart, since expanding them is sometimes right.
"""

import argparse
import json
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from bench.common import markdown_table
from bench.quality.names_eval import Corpus
from search.engine import scoring, search
from search.index import open_index, update_index
from search.places import matched_places, place_matches, place_table, query_key
from search.query import SearchRequest

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
PLACES = HERE / "places.json"
PLACES_CORPUS = HERE / "places_corpus"
TOP = 10
TARGETS = {"names": 40, "names_found": 1.0, "common_words_expanded": 0.03}
# direction -> (field typed, field looked for, language of the documents looked for)
DIRECTIONS = {
    "latin→arabic": ("latin", "arabic", "ar"),
    "arabic→latin": ("arabic", "latin", "en"),
}
OTHER_LANG = {"ar": "en", "en": "ar"}


def load_places(path=PLACES):
    return json.loads(Path(path).read_text("utf-8"))


def ranked(searcher, text, cross_script=True):
    response = search(searcher, SearchRequest(text, per_page=TOP, cross_script=cross_script, explain=True))
    return [(hit.doc_id, hit.lang) for hit in response.hits], response


def run_cases(searcher, names, corpus):
    """The top-10 check of every name in both directions."""
    cases = []
    for name in names:
        for direction, (typed, wanted, lang) in DIRECTIONS.items():
            targets = corpus.writers(name[wanted], lang)
            query = name[typed]
            on, response = ranked(searcher, query)
            off, _ = ranked(searcher, query, cross_script=False)
            ranks = [rank for rank, (doc_id, _) in enumerate(on, 1) if doc_id in targets]
            same_language = [rank for rank, (_, hit_lang) in enumerate(on, 1) if hit_lang == OTHER_LANG[lang]]
            cases.append(
                {
                    "name": name["latin"],
                    "kind": name["kind"],
                    "direction": direction,
                    "query": query,
                    "documents": len(targets),
                    "found": bool(ranks),
                    "rank": ranks[0] if ranks else None,
                    "found_cross_script_off": any(doc_id in targets for doc_id, _ in off),
                    # Ranked below same-script matches: the query's own language first.
                    "same_language_first": not same_language or not ranks or same_language[0] < ranks[0],
                    "expansion": (response.explain or {}).get("cross_script", {}),
                }
            )
    return cases


def expanded_words(reader, words, typings):
    """{typed word: matches} of the words place_matches expands, and
    {typed word: places} of those the rules alone would expand."""
    on_index, by_rules = {}, {}
    for word in words:
        for typed in {typing(word) for typing in typings}:
            matches = place_matches(reader, typed)
            if matches:
                on_index[typed] = matches
            places = matched_places(reader, typed)
            if places:
                by_rules[typed] = sorted({place.english for found in places.values() for place in found})
    return on_index, by_rules


def common_word_figures(reader, lists):
    """Common words expanded, per list and typing, on one index."""
    result, total, expanded, expandable = {}, 0, 0, 0
    for field, typings in (("latin", (str.lower, str.capitalize)), ("arabic", (str,))):
        for typing in typings:
            label = f"{field} {'capitalised' if typing is str.capitalize else 'as listed'}"
            words = lists.get(field, [])
            on_index, by_rules = expanded_words(reader, words, (typing,))
            result[label] = {
                "words": len(words),
                "expanded": len(on_index),
                "percent": percent(len(on_index), len(words)),
                "expandable": len(by_rules),
                "expandable_percent": percent(len(by_rules), len(words)),
                "list": on_index,
                "expandable_list": by_rules,
            }
            total, expanded, expandable = total + len(words), expanded + len(on_index), expandable + len(by_rules)
    result["all"] = {
        "words": total,
        "expanded": expanded,
        "percent": percent(expanded, total),
        "expandable": expandable,
        "expandable_percent": percent(expandable, total),
    }
    return result


def percent(part, whole):
    return round(100 * part / whole, 1) if whole else 0.0


def table_figures():
    """The table's size and its build time in this process (the first call builds it)."""
    started = time.perf_counter()
    table = place_table()
    return {
        "places": len(table),
        "latin_keys": len(table.latin),
        "arabic_keys": len(table.arabic),
        "shared_arabic_keys": {
            " ".join(key): [place.english for place in places]
            for key, places in table.arabic.items()
            if len({query_key(place.english) for place in places}) > 1
        },
        "build_seconds": round(table.seconds, 3),
        "first_call_seconds": round(time.perf_counter() - started, 3),
    }


def dictionary_places(words_path="/usr/share/dict/words"):
    """The table's single-word Latin names that are lower-case words of a word
    list (search/places.py COMMON_ENGLISH is this list for wamerican)."""
    lower = {line.strip() for line in open(words_path, encoding="utf-8") if line.strip().islower()}
    return sorted(key[0] for key in place_table().latin if len(key) == 1 and key[0] in lower)


def evaluate_places(places_path=PLACES, corpus_dir=PLACES_CORPUS, bundled_dir=PROJECT / "corpus", workdir=None):
    """Every figure of place names across languages, as a dict (module doc)."""
    data = load_places(places_path)
    table = table_figures()
    with ExitStack() as stack:
        if workdir is None:
            workdir = stack.enter_context(tempfile.TemporaryDirectory())
        indexes = {}
        for label, docs in (("places_corpus", corpus_dir), ("bundled_corpus", bundled_dir)):
            folder = Path(workdir) / label
            update_index(docs, folder)
            indexes[label] = stack.enter_context(open_index(folder).searcher(weighting=scoring()))
        searcher = indexes["places_corpus"]
        cases = run_cases(searcher, data["names"], Corpus(corpus_dir))
        common = {label: common_word_figures(s.reader(), data["common_words"]) for label, s in indexes.items()}
        ambiguous = {label: common_word_figures(s.reader(), data["ambiguous"]) for label, s in indexes.items()}
    names = {}
    for case in cases:
        names.setdefault(case["name"], []).append(case)
    found = [name for name, both in names.items() if all(case["found"] for case in both)]
    return {
        "targets": TARGETS,
        "top": TOP,
        "table": table,
        "names": len(names),
        "names_found": len(found),
        "names_found_percent": percent(len(found), len(names)),
        "cases": len(cases),
        "cases_found": sum(case["found"] for case in cases),
        "cases_found_cross_script_off": sum(case["found_cross_script_off"] for case in cases),
        "same_language_first": sum(case["same_language_first"] for case in cases),
        "by_direction": {
            direction: rate([c for c in cases if c["direction"] == direction]) for direction in DIRECTIONS
        },
        "by_kind": {kind: rate([c for c in cases if c["kind"] == kind]) for kind in sorted({c["kind"] for c in cases})},
        "misses": [case for case in cases if not case["found"]],
        "not_same_language_first": [case for case in cases if not case["same_language_first"]],
        "common_words": common,
        "ambiguous_words": ambiguous,
        "all_cases": cases,
    }


def rate(cases):
    found = sum(case["found"] for case in cases)
    return {"cases": len(cases), "found": found, "percent": percent(found, len(cases))}


def _links(found):
    return "; ".join(
        f"{word} → {', '.join(sorted({m for ms in matches.values() for m in ms}))}" for word, matches in found.items()
    )


def places_section(result):
    """(the "Place names across languages" part of RESULTS.md, its figures):
    for bench/quality/run.py."""
    targets, table = result["targets"], result["table"]
    common = result["common_words"]
    lines = [
        "## Place names across languages",
        "",
        f"{result['names']} places of [places.json](places.json), each typed in English and in Arabic over "
        f"[places_corpus/](places_corpus/); found when a document naming it in the other language is in the top "
        f"{result['top']} (`places_eval.py`). Targets: at least {targets['names']} places, all found both ways; "
        f"common words expanded ≤ {100 * targets['common_words_expanded']:.0f}%.",
        "",
        f"**Places found both ways: {result['names_found']}/{result['names']}** "
        f"(cases {result['cases_found']}/{result['cases']}; with cross_script=0 "
        f"{result['cases_found_cross_script_off']}/{result['cases']}). A document of the query's own language "
        f"ranks first in {result['same_language_first']}/{result['cases']} cases.",
        "",
        markdown_table(
            [[direction, f"{f['found']}/{f['cases']}"] for direction, f in result["by_direction"].items()]
            + [[f"kind: {kind}", f"{f['found']}/{f['cases']}"] for kind, f in result["by_kind"].items()],
            ["cases", "found"],
        ),
        "",
    ]
    for label, figures in common.items():
        everything = figures["all"]
        lines.append(
            f"**Common words expanded on the {label.replace('_', ' ')} index: {everything['expanded']}/"
            f"{everything['words']} = {everything['percent']}%** (by the rules alone, on an index holding every "
            f"name: {everything['expandable']} = {everything['expandable_percent']}%)."
        )
        for typing, figure in figures.items():
            if typing != "all" and figure["list"]:
                lines.append(f"- {typing}: {_links(figure['list'])}")
        lines.append("")
    for label, figures in result["ambiguous_words"].items():
        lines.append(
            f"Place names that are also common words, on the {label.replace('_', ' ')} index: "
            + "; ".join(
                f"{typing} {f['expanded']}/{f['words']}" + (f" ({', '.join(f['list'])})" if f["list"] else "")
                for typing, f in figures.items()
                if typing != "all"
            )
            + "."
        )
    lines += [
        "",
        f"Table: {table['places']} places, built in {table['build_seconds']} s once per process; Arabic keys "
        "shared by several places: "
        + "; ".join(f"{k}: {', '.join(v)}" for k, v in table["shared_arabic_keys"].items()),
        "",
    ]
    lines += [f"- missed: {m['direction']} «{m['query']}»: expanded to {m['expansion']}" for m in result["misses"]]
    figures = {
        "places": result["names"],
        "places_found": result["names_found"],
        "cases_found": result["cases_found"],
        "cases": result["cases"],
        "common_words_expanded_percent": max(f["all"]["percent"] for f in common.values()),
        "table_build_seconds": table["build_seconds"],
    }
    return "\n".join(lines) + "\n", figures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", default=str(PLACES))
    parser.add_argument("--all-cases", action="store_true", help="also print every case, not only the misses")
    parser.add_argument(
        "--dictionary-places", metavar="WORDS", nargs="?", const="/usr/share/dict/words", help=dictionary_places.__doc__
    )
    args = parser.parse_args(argv)
    if args.dictionary_places:
        print(json.dumps(dictionary_places(args.dictionary_places)))
        return None
    result = evaluate_places(args.places)
    if not args.all_cases:
        del result["all_cases"]
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return result


if __name__ == "__main__":
    main()

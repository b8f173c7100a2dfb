"""Publication dates, measured: does search.ingest.dates.find_date give each
snippet of dates.json the date it was written with, from the right source?

    .venv/bin/python -m bench.quality.dates_eval     # prints the figures as JSON

dates.json holds snippets written for this project (none copied from a page):
the top of news pages saved as text and a few HTML pages, in Arabic and
English, with every month-name family (English, Egyptian/Gulf, Levantine/
Iraqi, Maghrebi and Moroccan), both Arabic digit systems, numeric forms,
slash pairs (13 يناير/كانون الثاني), relative forms (21 سبتمبر الماضي),
yearless datelines, decoys (a birth date or "in 2019 the law" deep in the
body, scores and times), Hijri-only dates, future and ancient dates, pages
with no date. Each case has the expected date (or null) and source ("html",
"text", "mtime", "none"); a case is right when both match. Cases marked
held_out were written before the code and never tuned on.

The cases with HTML are also given to htmldate with its defaults (extensive
search, URL read): right when it gives the expected date for a case dated by
its metadata and nothing for the others, whose metadata holds no date.

The same text cases are given to dateparser's ``search_dates`` (Arabic and
English, day, month and year required, its first hit) as the baseline that
says why the text is read by hand-written patterns.
"""

import datetime as dt
import json
import time
import warnings
from collections import defaultdict
from pathlib import Path

from bench.common import markdown_table
from search.ingest.dates import find_date

HERE = Path(__file__).resolve().parent
CASES = HERE / "dates.json"


def load_cases(path=CASES):
    return json.loads(Path(path).read_text("utf-8"))["cases"]


def mtime_of(case):
    """The case's file modification time: noon UTC of its "mtime" date, or None."""
    if not case.get("mtime"):
        return None
    return dt.datetime.combine(dt.date.fromisoformat(case["mtime"]), dt.time(12), tzinfo=dt.UTC).timestamp()


def run_case(case):
    found = find_date(case.get("markup"), case.get("text", ""), mtime_of(case))
    date = found.date.isoformat() if found.date else None
    return {
        "id": case["id"],
        "family": case["family"],
        "held_out": case["held_out"],
        "expected": case["expected"],
        "expected_source": case["source"],
        "found": date,
        "source": found.source,
        "right": date == case["expected"] and found.source == case["source"],
    }


def dateparser_date(case):
    """dateparser's first full date in the case's text (the baseline), as ISO text."""
    from dateparser.search import search_dates  # imported here: slow to load, only the baseline needs it

    base = dt.datetime.fromtimestamp(mtime_of(case), tz=dt.UTC) if case.get("mtime") else dt.datetime(2030, 1, 1)
    settings = {"REQUIRE_PARTS": ["day", "month", "year"], "RELATIVE_BASE": base.replace(tzinfo=None)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hits = search_dates(case["text"], languages=["ar", "en"], settings=settings) or []
    return hits[0][1].date().isoformat() if hits else None


def htmldate_defaults_right(case):
    """Whether htmldate with its default options gets an HTML case right (module doc)."""
    import htmldate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = htmldate.find_date(case["markup"])
    return found == (case["expected"] if case["source"] == "html" else None)


def tally(results):
    right = sum(r["right"] for r in results)
    return {"cases": len(results), "right": right, "percent": round(100 * right / len(results), 1) if results else 0.0}


def evaluate(path=CASES):
    """Every figure of the date finder on dates.json, as a dict (module doc)."""
    cases = load_cases(path)
    started = time.perf_counter()
    results = [run_case(case) for case in cases]
    seconds = time.perf_counter() - started
    by_family = defaultdict(list)
    for result in results:
        by_family[result["family"]].append(result)
    text_cases = [case for case in cases if case["source"] == "text"]
    baseline_right = sum(dateparser_date(case) == case["expected"] for case in text_cases)
    ours_right = sum(r["right"] for r in results if r["expected_source"] == "text")
    html_cases = [case for case in cases if case.get("markup")]
    return {
        "cases": len(cases),
        "all": tally(results),
        "held_out": tally([r for r in results if r["held_out"]]),
        "development": tally([r for r in results if not r["held_out"]]),
        "by_family": {family: tally(found) for family, found in sorted(by_family.items())},
        "by_source": {
            source: tally([r for r in results if r["expected_source"] == source])
            for source in ("html", "text", "mtime", "none")
        },
        "text_cases": len(text_cases),
        "text_cases_right": ours_right,
        "dateparser_text_cases_right": baseline_right,
        "html_cases": len(html_cases),
        "html_cases_right": sum(r["right"] for r in results if r["id"] in {case["id"] for case in html_cases}),
        "htmldate_defaults_html_cases_right": sum(htmldate_defaults_right(case) for case in html_cases),
        "milliseconds_per_case": round(1000 * seconds / len(cases), 2),
        "misses": [r for r in results if not r["right"]],
    }


def section(figures=None):
    """The "Publication dates" part of RESULTS.md, as markdown lines; measures when not given."""
    figures = figures or evaluate()

    def cell(t):
        return f"{t['right']}/{t['cases']}"

    lines = [
        "## Publication dates",
        "",
        f"{figures['cases']} snippets of [dates.json](dates.json), written for this project: tops of news pages "
        "and HTML pages in Arabic and English, every month-name family, both Arabic digit systems, relative forms, "
        "yearless datelines, decoys and pages without a date (`dates_eval.py`). Right when `find_date` gives the "
        "expected date from the expected source (page metadata, text, file time, none). Reproduce with "
        "`.venv/bin/python -m bench.quality.dates_eval`.",
        "",
        f"**Right: {cell(figures['all'])}** ({figures['all']['percent']}%); held out (written before the code): "
        f"{cell(figures['held_out'])}; development: {cell(figures['development'])}. "
        f"{figures['milliseconds_per_case']} ms per case.",
        "",
        markdown_table(
            [[family, cell(t)] for family, t in figures["by_family"].items()]
            + [[f"expected source: {source}", cell(t)] for source, t in figures["by_source"].items()],
            ["cases", "right"],
        ),
        "",
        f"Baseline on the {figures['text_cases']} cases dated by their text: dateparser's `search_dates` "
        f"(Arabic and English, day, month and year required, first hit) {figures['dateparser_text_cases_right']}/"
        f"{figures['text_cases']}; the finder {figures['text_cases_right']}/{figures['text_cases']}. "
        f"On the {figures['html_cases']} cases with HTML, htmldate with its defaults (extensive search, URL read) "
        f"{figures['htmldate_defaults_html_cases_right']}/{figures['html_cases']}; `date_from_html` (fast search, "
        f"URL hints removed, original date first) within `find_date` {figures['html_cases_right']}/"
        f"{figures['html_cases']}.",
        "",
        "Wrong: "
        + (
            "; ".join(
                f"{m['id']} ({m['family']}): {m['found']} from {m['source']}, "
                f"expected {m['expected']} from {m['expected_source']}"
                for m in figures["misses"]
            )
            or "none."
        ),
        "",
    ]
    return lines


def main():
    print(json.dumps(evaluate(), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()

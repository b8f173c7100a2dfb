"""Article text, measured: of a saved news page's lines, are the ones the
extractor keeps the article's (precision), and are all of the article's kept
(recall)?

    .venv/bin/python -m bench.quality.extraction_eval     # prints the figures as JSON

The pages in extraction/ were written for this set (no text from any site):
news stories in Arabic and English, saved as text or as HTML, with the chrome
sites print around them (menus, date lines, share bars, «اقرأ أيضاً» and
"Related" teasers with another story's headline and lead, comments, cookie
and newsletter notices, copyright footers). extraction/judgments.json lists
each page's article lines in page order, as they read once the page is
reduced to lines (HTML through search.ingest.html.html_to_text). Ten pages
were set aside before the classifier was written and are reported apart
("held_out"); the rest ("dev") were looked at while writing it.

Systems: "extractor" is what ingest uses (text: boilerplate.split_page; HTML:
html.extract_article, trafilatura's main text); "lines_only" is split_page
on an HTML page's visible lines too; "keep_all" is today's behaviour, every
line indexed. Line-level figures count lines; word-weighted ones count the
words of those lines. Blank lines are not counted.
"""

import json
import re
from collections import defaultdict
from pathlib import Path

from bench.common import markdown_table
from search.ingest.boilerplate import Page, split_page
from search.ingest.html import extract_article, html_to_text

HERE = Path(__file__).resolve().parent
PAGES = HERE / "extraction"
JUDGMENTS = PAGES / "judgments.json"
TARGETS = {"precision": 0.95, "recall": 0.97}


def _clean(line):
    return re.sub(r"\s+", " ", line).strip()


def load_judgments(path=JUDGMENTS):
    """File name -> {"lang", "part", "article": [line texts in page order]}."""
    return json.loads(Path(path).read_text(encoding="utf-8"))["pages"]


def _systems(name, content):
    """System name -> Page of one saved page."""
    if name.endswith(".html"):
        title, text = html_to_text(content)
        return {
            "extractor": extract_article(content).page,
            "lines_only": split_page(text, title or None),
            "keep_all": Page(tuple((True, line) for line in text.split("\n"))),
        }
    page = split_page(content)
    return {
        "extractor": page,
        "lines_only": page,
        "keep_all": Page(tuple((True, line) for line in content.split("\n"))),
    }


def judge_lines(page, article):
    """(kept, judged article, words) for each non-blank line of ``page``:
    the judged lines are matched in page order, so that a repeat of an
    article line (a headline printed twice) is not taken for it."""
    wanted, at, rows = [_clean(line) for line in article], 0, []
    for kept, line in page.blocks:
        text = _clean(line)
        if not text:
            continue
        is_article = at < len(wanted) and text == wanted[at]
        at += is_article
        rows.append((kept, is_article, len(text.split())))
    if at != len(wanted):
        raise ValueError(f"judged line not found in page order: {wanted[at][:60]!r}")
    return rows


def _scores(counts):
    def ratio(a, b):
        return round(a / b, 4) if b else 1.0

    return {
        "pages": counts["pages"],
        "precision": ratio(counts["tp"], counts["tp"] + counts["fp"]),
        "recall": ratio(counts["tp"], counts["tp"] + counts["fn"]),
        "word_precision": ratio(counts["tp_w"], counts["tp_w"] + counts["fp_w"]),
        "word_recall": ratio(counts["tp_w"], counts["tp_w"] + counts["fn_w"]),
        "lines": {key: counts[key] for key in ("tp", "fp", "fn")},
    }


def evaluate(pages=PAGES, judgments=None):
    """Precision and recall per system and group (all, text, html, ar, en,
    dev, held_out), and each page's missed and wrongly kept lines."""
    judgments = judgments if judgments is not None else load_judgments(Path(pages) / "judgments.json")
    counts = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    errors = {}
    for name, judged in sorted(judgments.items()):
        content = (Path(pages) / name).read_text(encoding="utf-8")
        kind = "html" if name.endswith(".html") else "text"
        for system, page in _systems(name, content).items():
            rows = judge_lines(page, judged["article"])
            for group in ("all", kind, judged["lang"], judged["part"]):
                tally = counts[system][group]
                tally["pages"] += 1
                for kept, is_article, words in rows:
                    key = "tp" if kept and is_article else "fp" if kept else "fn" if is_article else "tn"
                    tally[key] += 1
                    tally[key + "_w"] += words
            if system == "extractor":
                missed = sum(1 for kept, is_article, _ in rows if is_article and not kept)
                extra = sum(1 for kept, is_article, _ in rows if kept and not is_article)
                if missed or extra:
                    errors[name] = {"missed": missed, "kept_chrome": extra}
    return {
        "pages": len(judgments),
        "systems": {
            system: {group: _scores(tally) for group, tally in groups.items()} for system, groups in counts.items()
        },
        "errors": errors,
    }


GROUP_ORDER = ("all", "dev", "held_out", "text", "html", "ar", "en")


def section(figures):
    """The markdown lines for RESULTS.md."""
    systems = figures["systems"]
    ours = systems["extractor"]["all"]
    rows = []
    for system in ("extractor", "lines_only", "keep_all"):
        for group in GROUP_ORDER:
            if group not in systems[system]:
                continue
            s = systems[system][group]
            rows.append([system, group, s["pages"], s["precision"], s["recall"], s["word_precision"], s["word_recall"]])
    return [
        "## Article text (boilerplate removal)",
        "",
        f"{figures['pages']} saved news pages written for this set (`bench/quality/extraction/`, no text from any "
        "site): Arabic and English, as text and as HTML, with menus, date lines, share bars, «اقرأ أيضاً» / "
        '"Related" teasers followed by another story\'s headline and lead, comments, cookie and newsletter notices '
        "and copyright footers; `judgments.json` lists each page's article lines. Ten pages were set aside before "
        "the classifier was written (`held_out`). A line counts once, blank lines not at all; the word-weighted "
        "figures count the words of the lines. `extractor`: text pages through `search.ingest.boilerplate.split_page`, "
        "HTML through `search.ingest.html.extract_article` (trafilatura); `lines_only`: `split_page` on HTML's "
        "visible lines too; `keep_all`: every line indexed (before issue 17). Reproduce: "
        "`.venv/bin/python -m bench.quality.extraction_eval`.",
        "",
        f"**Extractor, all pages: precision {ours['precision']}, recall {ours['recall']}** "
        f"(targets {TARGETS['precision']} and {TARGETS['recall']}).",
        "",
        markdown_table(rows, ["system", "pages", "n", "precision", "recall", "word precision", "word recall"]),
        "",
        "Pages where the extractor misses article lines or keeps chrome: "
        + (
            ", ".join(
                f"{name} ({e['missed']} missed, {e['kept_chrome']} chrome kept)"
                for name, e in figures["errors"].items()
            )
            or "none"
        )
        + ".",
    ]


if __name__ == "__main__":
    print(json.dumps(evaluate(), ensure_ascii=False, indent=1))

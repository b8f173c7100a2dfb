"""Search-quality harness: judged queries over the sample corpus, scored for
each analysis profile side by side in one run.

    .venv/bin/python -m bench.quality.run            # writes bench/quality/RESULTS.md

Metrics come from ir-measures (nDCG@10, MRR@10 as RR@10, Recall@10); every
profile is indexed from the same files and queried through the same engine,
so the only difference is the analysis.
"""

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import ir_measures
from ir_measures import RR, R, nDCG

from search.engine import scoring, search
from search.index import open_index, update_index
from search.query import EXACT_BOOST, SearchRequest
from search.schema import PROFILES, SHIPPED_PROFILE

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
MEASURES = [nDCG @ 10, RR @ 10, R @ 10]
MEASURE_NAMES = {str(nDCG @ 10): "nDCG@10", str(RR @ 10): "MRR@10", str(R @ 10): "Recall@10"}
BASELINE = "stock-standard"
BOOSTS = (0.0, 0.5, 1.0, 2.0, 4.0)


def load_judgments(path):
    queries = json.loads(Path(path).read_text("utf-8"))
    qrels = {q["id"]: {doc: int(grade) for doc, grade in q["relevant"].items()} for q in queries}
    return queries, qrels


def run_profile(profile, docs_dir, queries, workdir, exact_boost=EXACT_BOOST):
    index_dir = Path(workdir) / profile
    if not index_dir.exists():
        update_index(docs_dir, index_dir, profile=profile)
    run = {}
    with open_index(index_dir).searcher(weighting=scoring()) as searcher:
        for q in queries:
            response = search(searcher, SearchRequest(text=q["query"], per_page=10), exact_boost)
            # ir-measures ranks by score; keep the engine's order exactly.
            run[q["id"]] = {hit.doc_id: float(10 - rank) for rank, hit in enumerate(response.hits)}
    return run


def score(qrels, run, query_ids=None):
    if query_ids is not None:
        qrels = {qid: qrels[qid] for qid in query_ids}
        run = {qid: run.get(qid, {}) for qid in query_ids}
    aggregate = ir_measures.calc_aggregate(MEASURES, qrels, run)
    return {MEASURE_NAMES[str(measure)]: value for measure, value in aggregate.items()}


def markdown_table(rows, columns):
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", default=str(PROJECT / "corpus"))
    parser.add_argument("--judgments", default=str(HERE / "judgments.json"))
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args(argv)

    queries, qrels = load_judgments(args.judgments)
    by_kind = defaultdict(list)
    for q in queries:
        by_kind[q["kind"]].append(q["id"])
    results, runs = {}, {}
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as workdir:
        for profile in PROFILES:
            runs[profile] = run_profile(profile, args.docs, queries, workdir)
            results[profile] = score(qrels, runs[profile])
            print(f"{profile:28} " + "  ".join(f"{k} {v:.4f}" for k, v in results[profile].items()))
        sweep = {
            boost: score(qrels, run_profile(SHIPPED_PROFILE, args.docs, queries, workdir, boost)) for boost in BOOSTS
        }

    base = results[BASELINE]["nDCG@10"]
    overall = [
        [f"`{p}`" + (" (shipped)" if p == SHIPPED_PROFILE else "")]
        + [f"{metrics[name]:.4f}" for name in ("nDCG@10", "MRR@10", "Recall@10")]
        + [f"{metrics['nDCG@10'] - base:+.4f}"]
        for p, metrics in results.items()
    ]
    kinds = sorted(by_kind)
    per_kind = [
        [f"`{p}`"] + [f"{score(qrels, runs[p], by_kind[kind])['nDCG@10']:.3f}" for kind in kinds] for p in PROFILES
    ]
    body = [
        "# Search quality",
        "",
        f"{len(queries)} judged queries (graded 0–2) over the {len(list(Path(args.docs).rglob('*.*')))} files "
        "of the sample corpus, every analysis profile indexed and queried in the same run "
        f"({time.monotonic() - started:.0f}s). Reproduce with `.venv/bin/python -m bench.quality.run`.",
        "Metrics from ir-measures; the last column is the nDCG@10 gain over Whoosh's stock `StandardAnalyzer`.",
        "",
        markdown_table(overall, ["profile", "nDCG@10", "MRR@10", "Recall@10", "Δ nDCG@10 vs stock"]),
        "",
        "## Weight of the exact-form fields (shipped profile)",
        "",
        markdown_table(
            [
                [f"{boost:g}" + (" (shipped)" if boost == EXACT_BOOST else "")]
                + [f"{metrics[name]:.4f}" for name in ("nDCG@10", "MRR@10", "Recall@10")]
                for boost, metrics in sweep.items()
            ],
            ["exact boost", "nDCG@10", "MRR@10", "Recall@10"],
        ),
        "",
        "## nDCG@10 by kind of query",
        "",
        markdown_table(per_kind, ["profile"] + [f"{k} ({len(by_kind[k])})" for k in kinds]),
        "",
        "## Reading the figures",
        "",
        "- Recall@10 stays near 0.53 for every profile because the judges graded documents by meaning in either "
        "language: an English query whose answers are Arabic articles (and the reverse) cannot be reached by "
        "analysis alone.",
        "- Typo queries gain little: fuzzy matching is there on request (`word~`), and the suggestion names the "
        "corrected query, but a misspelled word is not expanded by itself.",
        "- The exact-form fields do not move this set (the sweep above); they are kept at weight 1, within noise "
        "of the best, because they also carry phrase matching on normalised forms and the vocabulary that "
        "suggestions are drawn from.",
        "",
        "Profiles: `stock-standard` Whoosh's StandardAnalyzer; `normalise` our tokenizer and Arabic/English "
        "normalisation; `+stem` light stemming (Arabic) and Snowball (English); `+stopwords` Arabic and English "
        "stopword removal; `shipped` all of that plus the exact-form fields that rank the word as typed above "
        "its stem-mates.",
        "",
    ]
    Path(args.out).write_text("\n".join(body), "utf-8")
    (Path(args.out).with_suffix(".json")).write_text(json.dumps(results, indent=1), "utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The search-quality harness: its judged set is sound and its metrics are the library's."""

import json
from collections import Counter
from pathlib import Path

import pytest

from bench.quality.run import load_judgments, run_profile, score

ROOT = Path(__file__).resolve().parent.parent
JUDGMENTS = ROOT / "bench" / "quality" / "judgments.json"
QUERIES, QRELS = load_judgments(JUDGMENTS)


def test_judged_set_has_enough_queries_of_each_kind():
    kinds = Counter(q["kind"] for q in QUERIES)
    assert len(QUERIES) >= 60
    for kind in ("single-ar", "single-en", "phrase", "variant", "diacritics", "prefixed", "mixed", "typo"):
        assert kinds[kind] >= 5, kind


def test_every_judged_document_exists_and_grades_are_graded_relevance():
    for q in QUERIES:
        assert q["relevant"], q["id"]
        for doc_id, grade in q["relevant"].items():
            assert (ROOT / "corpus" / doc_id).is_file(), doc_id
            assert grade in (1, 2)


def test_query_ids_are_unique():
    ids = [q["id"] for q in json.loads(JUDGMENTS.read_text("utf-8"))]
    assert len(ids) == len(set(ids))


def test_a_run_that_returns_exactly_the_judged_documents_scores_perfectly():
    assert all(len(docs) <= 10 for docs in QRELS.values())  # so a perfect top 10 exists
    perfect = {qid: {doc: float(grade) for doc, grade in docs.items()} for qid, docs in QRELS.items()}
    assert score(QRELS, perfect) == pytest.approx({"nDCG@10": 1.0, "MRR@10": 1.0, "Recall@10": 1.0})


def test_an_empty_run_scores_zero():
    assert score(QRELS, {qid: {} for qid in QRELS}) == {"nDCG@10": 0.0, "MRR@10": 0.0, "Recall@10": 0.0}


def test_shipped_analysis_beats_the_stock_analyzer_on_arabic_variants(tmp_path):
    variants = [q for q in QUERIES if q["kind"] in ("variant", "prefixed", "diacritics")]
    ids = [q["id"] for q in variants]
    stock = score(QRELS, run_profile("stock-standard", ROOT / "corpus", variants, tmp_path), ids)
    shipped = score(QRELS, run_profile("shipped", ROOT / "corpus", variants, tmp_path), ids)
    assert shipped["nDCG@10"] > stock["nDCG@10"] + 0.1

"""Searches answered by several threads of one worker at once (gunicorn's
threaded worker) give exactly the answers they give one at a time: the
per-thread searchers, the shared caches (parsed queries, vocabularies, names
tables, analysis memos, posting stores) and Whoosh's objects hold up under
concurrency."""

import random
import threading
from pathlib import Path

import pytest

from search import create_app
from search.index import update_index

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
QUERIES = [
    "انتخابات",
    "الانتخابات الرئاسية",
    "إنتخابات",
    '"حفظ السلام"',
    "اسعار النفط",
    "الجفاف المياه",
    "كازاخستان",
    "مستشفي",
    "كازاخستتان~",
    "انتخ*",
    "hkjohfhj",
    "elections",
    "oil prices",
    '"central bank"',
    "drought water Jordan",
    "Tokayev",
    "بايدن",
    "elecions~2",
    "elect*",
    "OSCE كازاخستان",
    "title:observers",
    "elections -parliament",
    "انتخابات OR elections",
]
REQUESTS = [("/search", {"q": q}) for q in QUERIES] + [("/search", {"q": q, "page": 2, "per_page": 3}) for q in QUERIES]
THREADS = 8


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory):
    index = tmp_path_factory.mktemp("threads") / "index"
    update_index(CORPUS, index)
    return index


def fresh_app(index):
    # No result cache: every request runs the engine. A deadline no answer here comes near.
    return create_app(
        {"DOCS_DIR": str(CORPUS), "INDEX_DIR": str(index), "RESULT_CACHE_SIZE": 0, "QUERY_DEADLINE_SECONDS": 60}
    )


def answer(client, path, params):
    response = client.get(path, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    body = response.get_json()
    body.pop("took_ms")
    return body


def document_views(client, answers):
    urls = sorted({hit["url"] for body in answers.values() for hit in body["results"]})
    return {url: client.get(url).get_data(as_text=True) for url in urls[:20]}


def test_concurrent_searches_give_the_answers_serial_ones_give(corpus_index):
    # Concurrently first, on a fresh app: the per-thread searchers and the caches are built under contention.
    app = fresh_app(corpus_index)
    results, errors = {}, []
    start = threading.Barrier(THREADS)

    def worker(number):
        client, order = app.test_client(), list(enumerate(REQUESTS)) * 2
        random.Random(number).shuffle(order)
        start.wait()
        try:
            for key, (path, params) in order:
                results.setdefault(number, []).append((key, answer(client, path, params)))
        except Exception as error:  # reported below, with the thread's number
            errors.append((number, repr(error)))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert not any(thread.is_alive() for thread in threads)

    serial_client = fresh_app(corpus_index).test_client()
    serial = {key: answer(serial_client, path, params) for key, (path, params) in enumerate(REQUESTS)}
    assert sum(body["total"] for body in serial.values()) > 0
    for number, answers in results.items():
        assert len(answers) == 2 * len(REQUESTS)
        for key, body in answers:
            assert body == serial[key], f"thread {number}, {REQUESTS[key]}"


def test_concurrent_document_views_match_serial_ones(corpus_index):
    app = fresh_app(corpus_index)
    client = app.test_client()
    serial_answers = {key: answer(client, path, params) for key, (path, params) in enumerate(REQUESTS[:8])}
    expected = document_views(app.test_client(), serial_answers)
    assert expected
    seen, errors = [], []

    def worker():
        try:
            seen.append(document_views(fresh.test_client(), serial_answers))
        except Exception as error:
            errors.append(repr(error))

    fresh = fresh_app(corpus_index)
    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert seen == [expected] * THREADS

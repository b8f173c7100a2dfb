"""GET /metrics: Prometheus's text format, behind the admin token, with
counts that add up across gunicorn's workers and the index's numbers read
as they are."""

import re
import shutil
import threading

import pytest
import requests
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from search.index import read_last_run
from tests.conftest import ADMIN_TOKEN

from .serving import gunicorn, server_env

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def samples(text):
    """{(sample name, frozenset of labels): value} of a scrape."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scraped, name, **labels):
    return scraped.get((name, frozenset(labels.items())), 0.0)


def scrape(client):
    answer = client.get("/metrics", headers=AUTH)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.content_type.startswith("text/plain; version=0.0.4")
    return samples(answer.get_data(as_text=True))


def test_metrics_need_the_admin_token(make_app, docs_dir, index_copy):
    client = make_app(docs_dir, index_copy).test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    closed = make_app(docs_dir, index_copy, admin_token=None).test_client()
    answer = closed.get("/metrics")
    assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "forbidden"


def test_requests_searches_passes_rewrites_and_cache_lookups_are_counted(client):
    before = scrape(client)
    for _ in range(3):
        assert client.get("/search", query_string={"q": "drought"}).status_code == 200
    assert client.get("/search", query_string={"q": "hkjohfhj"}).status_code == 200  # a layout rewrite
    assert client.get("/search", query_string={"q": "x" * 10_000}).status_code == 400
    assert client.get("/no/such/page").status_code == 404
    after = scrape(client)

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("search_http_requests_total", route="/search", method="GET", status="200") == 4
    assert grew("search_http_requests_total", route="/search", method="GET", status="400") == 1
    assert grew("search_http_requests_total", route="unmatched", method="GET", status="404") == 1
    assert grew("search_http_request_duration_seconds_count", route="/search") == 5
    assert grew("search_searches_total", outcome="full") == 4
    assert grew("search_rewrites_total", kind="layout") == 1
    # The same words thrice: one miss, then two answers from the cache, which make no pass.
    assert grew("search_result_cache_lookups_total", result="hit") == 2
    assert grew("search_result_cache_lookups_total", result="miss") == 2
    first_passes = grew("search_index_passes_total")
    assert first_passes >= 2
    client.get("/search", query_string={"q": "drought"})
    assert value(scrape(client), "search_index_passes_total") == value(after, "search_index_passes_total")


def test_the_index_is_described_as_it_is(client, index_dir):
    scraped = scrape(client)
    documents = client.get("/healthz").get_json()["documents"]
    last_run = read_last_run(index_dir)
    assert value(scraped, "search_index_up") == 1
    assert value(scraped, "search_index_documents") == documents > 0
    assert value(scraped, "search_index_segments") >= 1
    on_disk = sum(path.stat().st_size for path in (index_dir / "current").resolve().rglob("*") if path.is_file())
    assert value(scraped, "search_index_bytes") == on_disk
    assert value(scraped, "search_index_last_run_failed_files") == len(last_run["failed"])
    assert value(scraped, "search_index_last_run_duration_seconds") == pytest.approx(last_run["seconds"])
    assert 0 <= value(scraped, "search_index_last_run_age_seconds") < 24 * 3600
    assert value(scraped, "search_index_last_run_failed") == 0


def test_without_an_index_metrics_still_answer(make_app, docs_dir, tmp_path):
    scraped = scrape(make_app(docs_dir, tmp_path / "none").test_client())
    assert value(scraped, "search_index_up") == 0
    assert ("search_index_documents", frozenset()) not in scraped


def per_worker(metrics_dir, tmp_path):
    """{pid: /search requests it counted}, read one worker's files at a time."""
    counted = {}
    for path in metrics_dir.glob("counter_*.db"):
        alone = tmp_path / f"alone-{path.stem}"
        alone.mkdir(parents=True)
        shutil.copy(path, alone / path.name)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))
        total = registry.get_sample_value(
            "search_http_requests_total", {"route": "/search", "method": "GET", "status": "200"}
        )
        counted[path.stem.split("_")[1]] = total or 0
    return counted


def test_under_gunicorn_the_counts_of_two_workers_add_up(docs_dir, index_dir, tmp_path):
    metrics_dir = tmp_path / "metrics"
    env, port = server_env(
        docs_dir, index_dir, workers=2, SEARCH_ADMIN_TOKEN=ADMIN_TOKEN, SEARCH_METRICS_DIR=str(metrics_dir)
    )
    with gunicorn(env, port, tmp_path / "gunicorn.log") as (base_url, _):
        sent = 0

        def search_batch(count):
            # New connections from several threads at once, so that both workers take some.
            def one(i):
                headers = {"Connection": "close"}
                answer = requests.get(f"{base_url}/search", params={"q": f"drought {i}"}, headers=headers, timeout=10)
                assert answer.status_code == 200

            threads = [threading.Thread(target=one, args=(sent + i,)) for i in range(count)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        for _ in range(10):  # until both workers have answered some (bounded)
            search_batch(16)
            sent += 16
            if sum(1 for n in per_worker(metrics_dir, tmp_path / f"read-{sent}").values() if n) >= 2:
                break
        counted = per_worker(metrics_dir, tmp_path / "final")
        assert sum(1 for n in counted.values() if n) >= 2, counted
        # Whichever worker answers the scrape, it reports every worker's counts.
        for _ in range(6):
            answer = requests.get(f"{base_url}/metrics", headers={**AUTH, "Connection": "close"}, timeout=10)
            scraped = samples(answer.text)
            assert value(scraped, "search_http_requests_total", route="/search", method="GET", status="200") == sent
            assert sum(counted.values()) == sent
            assert value(scraped, "search_http_request_duration_seconds_count", route="/search") == sent


def test_the_readme_names_every_metric_and_no_other(client):
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    section = readme[readme.index("### Metrics") : readme.index("## Layout")]
    documented = set(re.findall(r"`(search_[a-z_]+)`", section))
    answer = client.get("/metrics", headers=AUTH).get_data(as_text=True)
    exposed = {family.name for family in text_string_to_metric_families(answer)}
    # Counters are exposed as name_total; histograms and gauges by their names.
    exposed = {f"{name}_total" if f"{name}_total" in answer else name for name in exposed}
    assert documented == exposed


def test_an_answer_never_fails_because_it_could_not_be_counted(client, monkeypatch, caplog):
    from search import metrics

    class Broken:
        def labels(self, *labels):
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(metrics, "REQUESTS", Broken())
    monkeypatch.setattr(metrics, "RESULT_CACHE", Broken())
    monkeypatch.setattr(metrics, "_failures_logged", [])
    statuses = [client.get("/search", query_string={"q": "drought"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    failures = [r for r in caplog.records if "could not be counted" in r.getMessage()]
    assert len(failures) == 1  # logged once, not once a request

"""Who the client is (ProxyFix with trusted hops) and per-client limits
(Flask-Limiter, keys that expire one by one): a client cannot choose its
address by sending X-Forwarded-For, nor reset its count by flooding."""

import time

import pytest

from search.config import SettingError, from_environment
from tests.conftest import ADMIN_TOKEN

SEARCH = "/search?q=drought"


def spoofing(address, value):
    """A request from ``address`` sending its own ``X-Forwarded-For``."""
    return {"environ_base": {"REMOTE_ADDR": address}, "headers": {"X-Forwarded-For": value}}


def test_without_trusted_proxies_a_forwarded_address_is_not_believed(make_app, docs_dir, index_dir):
    client = make_app(docs_dir, index_dir, SEARCH_RATE_LIMIT="3/minute").test_client()
    statuses = [client.get(SEARCH, **spoofing("192.0.2.7", f"198.51.100.{i}")).status_code for i in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_behind_one_proxy_the_address_it_saw_is_the_client(make_app, docs_dir, index_dir):
    client = make_app(docs_dir, index_dir, SEARCH_RATE_LIMIT="3/minute", PROXY_HOPS=1).test_client()
    proxy = "10.0.0.1"
    # The client writes any first entry it likes; the proxy appends the address it saw.
    statuses = [client.get(SEARCH, **spoofing(proxy, f"198.51.100.{i}, 203.0.113.9")).status_code for i in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    # Another client behind the same proxy has its own count.
    assert client.get(SEARCH, **spoofing(proxy, "203.0.113.10")).status_code == 200


def test_the_page_and_the_api_share_one_count(make_app, docs_dir, index_dir):
    client = make_app(docs_dir, index_dir, SEARCH_RATE_LIMIT="4/minute").test_client()
    assert [client.get(path).status_code for path in [SEARCH, "/?q=drought"] * 2] == [200] * 4
    assert client.get(SEARCH).status_code == 429
    assert client.get("/?q=drought").status_code == 429


def test_a_flood_of_other_clients_does_not_reset_a_limited_one(make_app, docs_dir, index_dir):
    app = make_app(docs_dir, index_dir, SEARCH_RATE_LIMIT="2/minute")
    client = app.test_client()
    limited = {"environ_base": {"REMOTE_ADDR": "192.0.2.1"}}
    assert [client.get(SEARCH, **limited).status_code for _ in range(3)] == [200, 200, 429]
    for i in range(500):  # the old limiter cleared every count once it held too many clients
        client.get("/search?q=", environ_base={"REMOTE_ADDR": f"198.51.{i // 250}.{i % 250}"})
    assert client.get(SEARCH, **limited).status_code == 429


def test_a_limited_client_may_search_again_once_its_window_has_passed(make_app, docs_dir, index_dir):
    client = make_app(docs_dir, index_dir, SEARCH_RATE_LIMIT="2/second").test_client()
    assert [client.get(SEARCH).status_code for _ in range(3)] == [200, 200, 429]
    time.sleep(1.1)
    assert client.get(SEARCH).status_code == 200


def test_failed_admin_logins_are_counted_by_the_real_address(make_app, docs_dir, index_copy):
    client = make_app(docs_dir, index_copy, ADMIN_FAILURES_ALLOWED=2).test_client()
    wrong = {"Authorization": "Bearer not-the-token"}
    statuses = [
        client.get("/admin/reindex/latest", headers={**wrong, "X-Forwarded-For": f"198.51.100.{i}"}).status_code
        for i in range(4)
    ]
    assert statuses == [401, 401, 429, 429]
    right = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    assert client.get("/admin/reindex/latest", headers=right).status_code in (200, 404)


def test_the_retired_trust_proxy_switch_is_refused_with_what_to_set_instead():
    with pytest.raises(SettingError, match="SEARCH_PROXY_HOPS"):
        from_environment({"SEARCH_TRUST_PROXY": "1"})


def test_a_bad_rate_is_refused_when_the_app_is_made(make_app, docs_dir, index_dir):
    with pytest.raises(ValueError, match="60/minute"):
        make_app(docs_dir, index_dir, SEARCH_RATE_LIMIT="fast")


def test_an_ipv6_client_is_its_64_network(make_app, docs_dir, index_dir):
    client = make_app(docs_dir, index_dir, SEARCH_RATE_LIMIT="3/minute").test_client()
    same_network = [f"2001:db8:1:2::{i:x}" for i in range(1, 6)]
    statuses = [client.get(SEARCH, environ_base={"REMOTE_ADDR": a}).status_code for a in same_network]
    assert statuses == [200, 200, 200, 429, 429]
    assert client.get(SEARCH, environ_base={"REMOTE_ADDR": "2001:db8:1:3::1"}).status_code == 200
    # An IPv4 client seen through an IPv6 socket is its IPv4 address.
    mapped = [client.get(SEARCH, environ_base={"REMOTE_ADDR": "::ffff:192.0.2.50"}).status_code for _ in range(3)]
    assert mapped == [200] * 3
    assert client.get(SEARCH, environ_base={"REMOTE_ADDR": "192.0.2.50"}).status_code == 429

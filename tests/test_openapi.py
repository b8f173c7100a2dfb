"""GET /openapi.json: a valid OpenAPI 3.1 document that cannot drift from
the app. Every route is in it with its methods, every path in it is a
route, and every parameter a route reads is documented (the names read are
recorded on real requests, not listed here)."""

import re

import pytest
from flask import Request
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from werkzeug.datastructures import ImmutableMultiDict

from .conftest import ADMIN_TOKEN
from .reindexing import bearer

# Flask answers these for every route itself.
AUTOMATIC_METHODS = {"HEAD", "OPTIONS"}
DOCUMENT_ID = "ar/politics/2024/parliament-elections.txt"


@pytest.fixture
def document(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1.")
    validate(document, cls=OpenAPIV31SpecValidator)


def openapi_path(rule):
    """``/doc/<path:doc_id>`` → ``/doc/{doc_id}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_every_route_is_documented_with_its_methods_and_nothing_else(app, document):
    routes = {}
    for rule in app.url_map.iter_rules():
        routes.setdefault(openapi_path(rule.rule), set()).update(rule.methods - AUTOMATIC_METHODS)
    documented = {path: {method.upper() for method in item} for path, item in document["paths"].items()}
    assert documented == routes


def test_the_bounds_are_the_apps_settings(make_app, docs_dir, index_dir):
    client = make_app(docs_dir, index_dir, MAX_QUERY_CHARS=80, MAX_PER_PAGE=20, MAX_RESULT_DEPTH=200).test_client()
    document = client.get("/openapi.json").get_json()
    parameters = {
        p["name"]: p for p in (resolve(document, p) for p in document["paths"]["/search"]["get"]["parameters"])
    }
    assert parameters["q"]["schema"]["maxLength"] == 80
    assert parameters["per_page"]["schema"]["maximum"] == 20
    assert parameters["page"]["schema"]["maximum"] == 200
    assert all(len(example["value"]) <= 80 for example in parameters["q"]["examples"].values())


def record_parameters_read(app):
    """Make ``app`` note every query parameter a request reads by name;
    returns the set it adds them to (emptied by the caller between requests)."""
    read = set()

    class RecordingArgs(ImmutableMultiDict):
        def get(self, key, default=None, type=None):
            read.add(key)
            return super().get(key, default, type)

        def __getitem__(self, key):
            read.add(key)
            return super().__getitem__(key)

        def getlist(self, key, type=None):
            read.add(key)
            return super().getlist(key, type)

        def __contains__(self, key):
            read.add(key)
            return super().__contains__(key)

    class RecordingRequest(Request):
        parameter_storage_class = RecordingArgs

    app.request_class = RecordingRequest
    return read


# One request per operation that reaches the code reading its parameters.
REQUESTS = {
    ("/search", "get"): {"query_string": {"q": "الانتخابات"}},
    ("/", "get"): {"query_string": {"q": "الانتخابات"}},
    ("/doc/{doc_id}", "get"): {"path": f"/doc/{DOCUMENT_ID}", "query_string": {"q": "الانتخابات"}},
    ("/healthz", "get"): {},
    ("/opensearch.xml", "get"): {},
    ("/openapi.json", "get"): {},
    ("/static/{filename}", "get"): {"path": "/static/style.css"},
    ("/admin/reindex", "post"): {"query_string": {"rebuild": "not a flag"}, "headers": bearer(ADMIN_TOKEN)},
    ("/admin/reindex/latest", "get"): {"headers": bearer(ADMIN_TOKEN)},
    ("/admin/reindex/{run_id}", "get"): {
        "path": "/admin/reindex/20261205T190856.557023Z",
        "headers": bearer(ADMIN_TOKEN),
    },
    ("/metrics", "get"): {"headers": bearer(ADMIN_TOKEN)},
}


def test_every_parameter_a_route_reads_is_documented(make_app, docs_dir, index_dir, document):
    app = make_app(docs_dir, index_dir, BASE_URL="http://search.test")
    read = record_parameters_read(app)
    client = app.test_client()

    def parameters_read(method, path, **request):
        read.clear()
        client.open(path, method=method.upper(), **request)
        return set(read)

    # What every request reads, whatever its route: the interface language
    # (the page's words) and the query's length (the request log).
    everywhere = parameters_read("get", "/no/such/route")
    assert everywhere == {"ui", "q"}
    operations = [(path, method) for path, item in document["paths"].items() for method in item]
    assert sorted(operations) == sorted(REQUESTS)
    for (path, method), request in REQUESTS.items():
        operation = document["paths"][path][method]
        documented = {
            parameter["name"]
            for parameter in (resolve(document, p) for p in operation.get("parameters", []))
            if parameter["in"] == "query"
        }
        read_here = parameters_read(method, **{"path": path, **request})
        assert read_here - everywhere <= documented, (method, path)
        assert documented <= read_here, (method, path)


def test_the_search_parameters_are_those_parse_request_reads(document):
    from search.query import parse_request

    read = set()

    class Recording(dict):
        def get(self, key, default=None):
            read.add(key)
            return super().get(key, default)

    parse_request(Recording(q="الانتخابات"), {"MAX_QUERY_CHARS": 500, "MAX_PER_PAGE": 50, "MAX_RESULT_DEPTH": 1000})
    for path in ("/search", "/"):
        parameters = [resolve(document, p) for p in document["paths"][path]["get"]["parameters"]]
        assert read <= {p["name"] for p in parameters if p["in"] == "query"}, path


def resolve(document, item):
    """``item``, or what its ``$ref`` (``#/components/…``) points to."""
    if "$ref" not in item:
        return item
    found = document
    for part in item["$ref"].removeprefix("#/").split("/"):
        found = found[part]
    return found

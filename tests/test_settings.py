"""Every setting is read in search/config.py, and the README's table is
that module's output."""

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from search.config import SETTINGS, SettingError, from_environment, markdown_table

ROOT = Path(__file__).resolve().parent.parent
KNOWN_VARIABLES = {variable for setting in SETTINGS for variable in setting.variables}
CODE = [*sorted((ROOT / "search").rglob("*.py")), ROOT / "gunicorn.conf.py", ROOT / "wsgi.py"]


def test_the_readme_table_is_the_settings_module_output():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert markdown_table() in readme, "run `python -m search.config` and paste its table into the README"


def test_every_variable_named_in_the_code_or_the_readme_is_a_setting():
    named = set()
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                named.update(re.findall(r"\bSEARCH_[A-Z_]+\b", node.value))
    named.update(re.findall(r"`(SEARCH_[A-Z_]+)", (ROOT / "README.md").read_text("utf-8")))
    assert named - KNOWN_VARIABLES <= {"SEARCH_TRUST_PROXY"}  # the retired one, refused by name


# Uses of the environment that are not a setting of ours: the background
# index run hands the environment on to its process (less the admin token),
# and prometheus-client's multiprocess folder is named by its own variable.
NOT_SETTINGS = {
    ("search/index_runs.py", "os.environ.get('PYTHONPATH')"),
    ("search/index_runs.py", "os.environ.items()"),
    ("search/metrics.py", "os.environ"),
    ("gunicorn.conf.py", "os.environ['PROMETHEUS_MULTIPROC_DIR']"),
}


def environment_uses(tree):
    """The outermost expressions of ``tree`` that touch os.environ or os.getenv."""
    found = []

    def visit(node, inside=False):
        touches = isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb")
        if touches and not inside:
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child, inside or touches)

    visit(tree)
    return found


def test_no_module_but_config_reads_the_environment_for_a_setting():
    uses = set()
    for path in CODE:
        if path.name == "config.py":
            continue
        tree = ast.parse(path.read_text("utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in environment_uses(tree):
            # The whole expression: os.environ["X"], os.environ.get("X"), os.getenv("X").
            while isinstance(parents.get(node), ast.Subscript | ast.Call | ast.Attribute):
                node = parents[node]
            uses.add((str(path.relative_to(ROOT)), ast.unparse(node)))
    assert uses - NOT_SETTINGS == set()


def test_values_are_read_and_checked():
    config = from_environment({"SEARCH_WORKERS": "3", "SEARCH_LOG_QUERIES": "yes", "SEARCH_QUERY_DEADLINE": "0.5"})
    assert (config["WORKERS"], config["LOG_QUERIES"], config["QUERY_DEADLINE_SECONDS"]) == (3, True, 0.5)
    assert from_environment({"WEB_CONCURRENCY": "5"})["WORKERS"] == 5
    assert from_environment({"WEB_CONCURRENCY": "5", "SEARCH_WORKERS": "2"})["WORKERS"] == 2
    with pytest.raises(SettingError, match="SEARCH_THREADS"):
        from_environment({"SEARCH_THREADS": "-1"})
    with pytest.raises(SettingError, match="SEARCH_BASE_URL"):
        from_environment({"SEARCH_BASE_URL": "search.example.org"})


def run_gunicorn_config(environ, tail):
    """Run gunicorn.conf.py in a fresh interpreter with ``environ``, then
    ``tail`` (code that sees the file's names as ``c``); its standard output."""
    script = "import json, runpy, types; c = runpy.run_path('gunicorn.conf.py')\n" + tail
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env={**os.environ, **environ}, capture_output=True, text=True
    )
    return done


def test_gunicorn_takes_its_settings_from_the_settings_module(tmp_path):
    environ = {
        "SEARCH_WORKERS": "3",
        "SEARCH_THREADS": "2",
        "SEARCH_ACCESS_LOG": "off",
        "SEARCH_LOG_LEVEL": "warning",
        "SEARCH_CONTROL_SOCKET": str(tmp_path / "control.sock"),
        "SEARCH_BIND": "127.0.0.1:8123",
    }
    names = ("workers", "threads", "accesslog", "loglevel", "control_socket", "control_socket_disable", "bind")
    done = run_gunicorn_config(environ, f"print(json.dumps({{k: c[k] for k in {names!r}}}))")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "workers": 3,
        "threads": 2,
        "accesslog": None,
        "loglevel": "warning",
        "control_socket": str(tmp_path / "control.sock"),
        "control_socket_disable": False,
        "bind": "127.0.0.1:8123",
    }


START_AND_STOP = (
    "import os; server = types.SimpleNamespace(); c['on_starting'](server)\n"
    "folder = os.environ['PROMETHEUS_MULTIPROC_DIR']; print(folder, sorted(os.listdir(folder)))\n"
    "c['on_exit'](server); print(os.path.isdir(folder))"
)


def test_the_metrics_folder_of_a_server_start_is_its_own_and_goes_when_it_stops():
    done = run_gunicorn_config({}, START_AND_STOP)
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    assert first.endswith("[]") and second == "False"


def test_a_configured_metrics_folder_keeps_only_count_files(tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_123.db").write_bytes(b"old counts")
    done = run_gunicorn_config({"SEARCH_METRICS_DIR": str(folder)}, START_AND_STOP)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"{folder} []", "True"]  # last run's counts gone, the folder kept
    (folder / "notes.txt").write_text("an operator's file", "utf-8")
    refused = run_gunicorn_config({"SEARCH_METRICS_DIR": str(folder)}, START_AND_STOP)
    assert refused.returncode != 0 and "notes.txt" in refused.stderr
    assert (folder / "notes.txt").read_text("utf-8") == "an operator's file"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SEARCH_QUERY_DEADLINE", "nan"),  # a deadline that never passes
        ("SEARCH_HEADER_TIMEOUT", "inf"),
        ("SEARCH_PARSE_SECONDS", "-1"),
        ("SEARCH_WORKERS", "0"),  # a server that never answers
        ("SEARCH_THREADS", "0"),
        ("SEARCH_MAX_PER_PAGE", "0"),
        ("SEARCH_LOG_LEVEL", "loud"),
    ],
)
def test_a_value_that_would_turn_a_protection_off_is_refused_by_name(variable, value):
    with pytest.raises(SettingError, match=variable):
        from_environment({variable: value})

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


def test_no_module_but_config_reads_the_environment_for_a_setting():
    readers = []
    for path in CODE:
        if path.name == "config.py":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            reads = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            reads = reads and node.func.attr in ("get", "getenv") and "environ" in ast.unparse(node.func.value)
            reads = reads or (isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith("environ"))
            reads = reads and isinstance(getattr(node, "ctx", ast.Load()), ast.Load)
            if reads:
                readers.append(f"{path.relative_to(ROOT)}: {ast.unparse(node)}")
    # The one read left: the background index run passes PYTHONPATH on to its process.
    assert [reader for reader in readers if "PYTHONPATH" not in reader] == []


def test_values_are_read_and_checked():
    config = from_environment({"SEARCH_WORKERS": "3", "SEARCH_LOG_QUERIES": "yes", "SEARCH_QUERY_DEADLINE": "0.5"})
    assert (config["WORKERS"], config["LOG_QUERIES"], config["QUERY_DEADLINE_SECONDS"]) == (3, True, 0.5)
    assert from_environment({"WEB_CONCURRENCY": "5"})["WORKERS"] == 5
    assert from_environment({"WEB_CONCURRENCY": "5", "SEARCH_WORKERS": "2"})["WORKERS"] == 2
    with pytest.raises(SettingError, match="SEARCH_THREADS"):
        from_environment({"SEARCH_THREADS": "-1"})
    with pytest.raises(SettingError, match="SEARCH_BASE_URL"):
        from_environment({"SEARCH_BASE_URL": "search.example.org"})


def test_gunicorn_takes_its_settings_from_the_settings_module(tmp_path):
    metrics = tmp_path / "metrics"
    environ = {
        **os.environ,
        "SEARCH_WORKERS": "3",
        "SEARCH_THREADS": "2",
        "SEARCH_ACCESS_LOG": "off",
        "SEARCH_LOG_LEVEL": "warning",
        "SEARCH_CONTROL_SOCKET": str(tmp_path / "control.sock"),
        "SEARCH_METRICS_DIR": str(metrics),
        "SEARCH_BIND": "127.0.0.1:8123",
    }
    script = (
        "import json, runpy; c = runpy.run_path('gunicorn.conf.py'); "
        "print(json.dumps({k: c[k] for k in ('workers', 'threads', 'accesslog', 'loglevel', "
        "'control_socket', 'control_socket_disable', 'bind')}))"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environ, capture_output=True, text=True)
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
    assert metrics.is_dir()

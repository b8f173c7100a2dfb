"""The arrows between the layers run one way: the indexer loads no
query-time code, and the readings of a name (search/names/readings.py) load
no Whoosh of their own. Each check imports in a fresh interpreter, so what
other tests imported does not count."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Query-time code (typo correction, cross-script matching, places, query
# parsing, the engine, the rewrites, the web app) and Flask.
QUERY_TIME = (
    "search.suggest",
    "search.names.matching",
    "search.places",
    "search.query",
    "search.engine",
    "search.rewrite",
    "search.web",
    "search.api",
    "flask",
)
INDEX_TIME = ("search.index", "search.names.tables", "search.names.evidence", "search.names.readings")


def loaded_after(*modules):
    """The names of sys.modules once a fresh interpreter has imported ``modules``."""
    code = "import sys\n" + "".join(f"import {module}\n" for module in modules) + "print(*sorted(sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def test_the_indexer_loads_no_query_time_code():
    loaded = loaded_after(*INDEX_TIME)
    assert set(INDEX_TIME) <= loaded
    assert [module for module in QUERY_TIME if module in loaded] == []


def test_the_readings_of_a_name_import_no_whoosh():
    source = (ROOT / "search" / "names" / "readings.py").read_text("utf-8")
    imported = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported.append("." * node.level + (node.module or ""))
    assert imported and not [name for name in imported if name.split(".")[0] == "whoosh"]
    # At run time, beside the package's parents, only the analysis package
    # (which subclasses Whoosh's tokenizer and filters): no Whoosh module
    # of its own, nothing of the index or the query side.
    analysis = loaded_after("search.analysis")
    readings = loaded_after("search.names.readings")
    whoosh = {module for module in readings if module.split(".")[0] == "whoosh"}
    assert whoosh <= analysis
    ours = {module for module in readings - analysis if module.startswith("search")}
    assert ours == {"search.names", "search.names.readings"}


def test_a_search_runs_without_the_web():
    """The engine and what it calls load neither Flask nor the web's modules:
    request → query → engine → web, never back."""
    web = ("flask", "search.web", "search.api", "search.app", "search.renderer", "search.metrics")
    loaded = loaded_after("search.engine", "search.refine", "search.tolerance")
    assert "search.engine" in loaded
    assert [module for module in web if module in loaded] == []


def test_a_worker_keeps_neither_the_stopword_lexicon_nor_an_unused_limiter():
    """The Arabic stop keys are read from arabicstopwords' tables, which are
    then let go (14 MB a process); Flask-Limiter is loaded only when a
    search limit is set (4 MB)."""
    loaded = loaded_after("search.analysis", "search.app")
    assert not {module for module in loaded if "stopword" in module or module.startswith("flask_limiter")}


def test_the_stop_keys_read_then_let_go_equal_those_of_the_lexicon_kept():
    from search.analysis.arabic import ARABIC_STOPWORDS

    code = (
        "import arabicstopwords.arabicstopwords as lexicon\n"
        "from search.analysis.arabic import _stop_keys\n"
        "print(*sorted(_stop_keys(lexicon.classed_STOPWORDS, lexicon.STOPWORDS_INDEX)))"
    )
    kept = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert kept.stdout.split() == sorted(ARABIC_STOPWORDS) and len(ARABIC_STOPWORDS) > 1000

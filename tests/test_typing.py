"""Every public function of search/ says what it takes and gives: type hints
on each parameter and on the result (mypy checks them in bin/test)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "search"


def _public_functions(tree):
    """(qualified name, def node) of module-level functions and methods of
    module-level classes whose names do not start with an underscore
    (``__init__`` counts: its parameters are the class's)."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
            yield node.name, node
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for item in node.body:
                public = not item.name.startswith("_") or item.name == "__init__" if hasattr(item, "name") else False
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and public:
                    yield f"{node.name}.{item.name}", item


def _missing(function):
    arguments = function.args
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
    missing = [a.arg for a in every if a.annotation is None and a.arg not in ("self", "cls")]
    if function.returns is None and function.name != "__init__":
        missing.append("return")
    return missing


def unannotated():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for name, function in _public_functions(tree):
            if missing := _missing(function):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{function.lineno} {name}: {', '.join(missing)}")
    return found


def test_every_public_function_has_type_hints():
    assert unannotated() == []

"""Bilingual Arabic/English full-text search.

The package's rooms, each in its own module (see the README's layout);
importing one loads only what it needs: the app (Flask, the engine, the
index) is loaded by ``create_app``, from search/app.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The Flask app (search/app.py's create_app): ``config`` (a mapping)
    overrides the environment."""
    from .app import create_app as make_app  # noqa: PLC0415  (the package import stays light)

    return make_app(config)

"""The full `zonelens` command tree: every command module registers itself on the root app."""

from __future__ import annotations

from . import demo as _demo, embed as _embed, export as _export, ingest as _ingest, targets as _targets, themes as _themes  # noqa: F401  (register commands)
from .classify import classify
from .common import app, reflow_app
from .label import app as _label_app
from .topics import app as _topics_app

app.command()(classify)
app.add_typer(_label_app, name="label")
app.add_typer(_topics_app, name="topics")
reflow_app(app)  # docstring paragraphs on one line each: the terminal wraps them evenly

__all__ = ["app"]

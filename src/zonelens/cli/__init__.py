"""The `zonelens` command. Thin: parse options, call one library function, map errors to exit codes.

Exit codes: 0 success; 1 some input failed (the rest was done) or an expected error; 2 usage error.
Nothing imports this package.
"""

from __future__ import annotations

import typer

from .common import app
from . import demo as _demo, export as _export, ingest as _ingest, themes as _themes  # noqa: F401  (register commands)

try:  # sub-apps register themselves when present
    from .label import app as _label_app

    app.add_typer(_label_app, name="label")
except ImportError:  # pragma: no cover
    pass

from .topics import app as _topics_app  # noqa: E402

app.add_typer(_topics_app, name="topics")


def main() -> None:  # pragma: no cover
    app()


__all__ = ["app", "main", "typer"]

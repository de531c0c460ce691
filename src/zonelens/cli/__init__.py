"""The `zonelens` command. Thin: parse options, call one library function, map errors to exit codes.

Exit codes: 0 success; 1 some input failed (the rest was done) or an expected error; 2 usage error.
Nothing imports this package. ``zonelens classify`` takes a fast path that loads only its own
command module (see cli/classify.py); everything else builds the full command tree (cli/tree.py).
"""

from __future__ import annotations

import sys


def main() -> None:  # pragma: no cover
    if len(sys.argv) > 1 and sys.argv[1] == "classify" and not {"--help", "-h"} & set(sys.argv[2:]):
        import typer

        from .classify import classify

        sys.argv = [f"{sys.argv[0]} classify", *sys.argv[2:]]
        typer.run(classify)
        return
    from .tree import app

    app()


def __getattr__(name: str):
    if name == "app":
        from .tree import app

        return app
    raise AttributeError(name)


__all__ = ["app", "main"]

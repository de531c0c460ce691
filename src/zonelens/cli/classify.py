"""`zonelens classify`: its own light module, so that `zonelens classify` starts without importing
the rest of the toolkit (scikit-learn, pandas, DuckDB): with a compiled model it never needs them."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from .common import ModelOpt, handled



def classify(
    input: Annotated[str, typer.Argument(help="JSONL (lines with 'text' and optional 'id') or CSV with a 'text' column; '-' for stdin.")],
    output: Annotated[Optional[str], typer.Option("--output", "-o", help="Output file (default stdout); .csv for CSV.")] = None,
    model: ModelOpt = None,
    format: Annotated[Optional[str], typer.Option("--format", help="jsonl or csv (default: from the file names).")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes for models without embeddings (0 = one per CPU, 1 = none).")] = 0,
    context: Annotated[bool, typer.Option("--context", help="The lines are consecutive sentences of reports (grouped by an optional 'doc' field): give each its neighbours as context, as `apply` does.")] = False,
) -> None:
    """Classify sentences into themes: one output line per input line, same order.

    Lines are classified on their own unless --context says they are the sentences of reports, in
    order. Empty text or text without Chinese gets no theme and zero scores; very long texts are read
    from their first 400 characters; a malformed line stops with its line number and writes no
    output file.
    """
    with handled():
        from ..themes.classify import classify as run_classify  # lazy: keeps `zonelens classify` start-up light

        rep = run_classify(input, output, model, format, jobs=jobs, context=context)
    if rep.no_chinese:
        typer.echo(f"note: {rep.no_chinese} of {rep.records} records had no Chinese text (no themes, scores 0)", err=True)
    if rep.truncated:
        typer.echo(f"note: {rep.truncated} records are longer than 400 characters; their first 400 were classified", err=True)

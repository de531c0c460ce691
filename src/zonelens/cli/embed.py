"""`zonelens embed`: sentence vectors from a text file, JSONL file or corpus DB."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .common import EMBEDDER_HELP, app, handled


@app.command()
def embed(
    input: Annotated[Path, typer.Argument(help="A .txt file (one sentence per line), a .jsonl file (records with 'text' and optional 'id') or a corpus database (.duckdb: its body sentences).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where the vectors go: .npy (float32, n × 384, input order) or .parquet (keys and a vector column).")],
    embedder: Annotated[str, typer.Option("--embedder", metavar="e5|static", help=EMBEDDER_HELP)] = "e5",
) -> None:
    """Embed sentences with e5 or the static embedder and write the L2-normalised vectors."""
    with handled(), Progress(TextColumn("embedding"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                             transient=True) as bar:
        from ..embed_io import embed_input

        task = bar.add_task("embedding", total=None)
        res = embed_input(input, output, embedder, progress=lambda n, total: bar.update(task, advance=n, total=total))
    typer.echo(f"{res.rows} sentences embedded with {res.model_id} → {res.output}")

"""`zonelens targets`: every quantitative target of the corpus, one row per target."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..store import DEFAULT_DB
from .common import app, err, handled


class TargetsFmt(str, Enum):
    csv = "csv"
    parquet = "parquet"
    jsonl = "jsonl"
    json = "json"


@app.command()
def targets(
    db: Annotated[Path, typer.Option("--db", help="Corpus database (DuckDB file).")] = Path(DEFAULT_DB),
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Output file: .csv, .parquet, .jsonl or .json (default: CSV on stdout).")] = None,
    format: Annotated[Optional[TargetsFmt], typer.Option("--format", help="Output format (default: from the file name).")] = None,
    model_id: Annotated[Optional[str], typer.Option("--model-id", help="Which theme predictions to join as the 'theme' column when several models classified the corpus.")] = None,
    topic_model_id: Annotated[Optional[str], typer.Option("--topic-model-id", help="Which topic assignments to join as the 'topic' column.")] = None,
) -> None:
    """Extract every quantitative target and achievement (GDP growth 6%左右, 新增高新技术企业30家 …):
    one row per target with its indicator, canonical id, low/high, unit, qualifier, kind, direction,
    period and target year. Theme and topic are joined when stored (never a filter)."""
    with handled():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from ..targets.run import write_targets

        with Progress(TextColumn("targets"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      transient=True) as bar:
            task = bar.add_task("targets", total=None)
            res = write_targets(db, output, format.value if format else None,
                                progress=lambda n, total: bar.update(task, advance=n, total=total),
                                model_id=model_id, topic_model_id=topic_model_id)
    if res.output is not None:
        err(f"{res.rows} targets in {res.sentences} sentences of {res.documents} documents → {res.output}")

"""`zonelens train | evaluate | apply`: the theme classifier (`classify` is in cli/classify.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import Progress

from ..errors import UsageError
from ..store import DEFAULT_DB
from .common import DaskOpt, DbOpt, EmbedderOpt, ModelOpt, StageOpt, app, err, handled

LabelsOpt = Annotated[list[Path], typer.Option("--labels", help="Annotation .jsonl files or folders (repeatable).")]


@app.command()
def train(
    labels: LabelsOpt,
    out: Annotated[Path, typer.Option("--out", help="Model directory to write, e.g. models/themes.")],
    db: DbOpt = Path(DEFAULT_DB),
    params: Annotated[Optional[str], typer.Option("--params", help="ThemeClassifier parameters: a JSON file, or a JSON object such as '{\"C\": 8}'. Checked before any work.")] = None,
    folds: Annotated[int, typer.Option(help="Grouped cross-validation folds (by document).")] = 5,
    teacher: Annotated[Optional[str], typer.Option("--teacher", help="Distil: also train on this model's labels (name or directory) of --pool unlabelled sentences.")] = None,
    pool: Annotated[int, typer.Option("--pool", help="With --teacher: how many unlabelled body sentences the teacher labels.")] = 0,
    pool_db: Annotated[Optional[Path], typer.Option("--pool-db", help="With --teacher: corpus DB to draw the pool from (default --db).")] = None,
    pool_like: Annotated[str, typer.Option("--pool-like", help="With --teacher: only documents whose path matches this SQL LIKE pattern.")] = "%",
    embedder: EmbedderOpt = None,
) -> None:
    """Train a theme classifier, cross-validate it grouped by document, and save it with its report.

    With --teacher and --pool the model is distilled from the teacher; the cross-validation then
    refits the teacher in every fold, so the figures stay held-out."""
    with handled():
        if (teacher is None) != (pool <= 0):
            raise UsageError("distillation needs both --teacher and --pool N (N > 0)")
        from ..metafile import read_params
        from ..themes.run import check_params, report_markdown, train_model  # the library loads here, not for --help

        p = read_params(params, "ThemeClassifier parameters")
        check_params(p, out.name)
        model_dir, m = train_model(labels, db, out, p, folds, teacher=teacher, pool=pool, pool_db=pool_db,
                                   pool_like=pool_like, warn=lambda w: err(f"warning: {w}"), embedder=embedder)
    typer.echo(report_markdown(model_dir.name, m))
    typer.echo(f"model written to {model_dir}")


@app.command()
def evaluate(labels: LabelsOpt, model: ModelOpt = None, db: DbOpt = Path(DEFAULT_DB),
             output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the metrics as JSON.")] = None) -> None:
    """Evaluate a saved model on labelled sentences: per-theme P/R/F1, macro-F1, confusion, ECE, share error.

    Use labels the model was not trained on; the training report (cv_report.md) holds the
    cross-validated figures.
    """
    with handled():
        from ..themes.run import evaluate_model, report_markdown

        m = evaluate_model(model, labels, db, warn=lambda w: err(f"warning: {w}"))
    if m["same_data_as_training"]:
        typer.echo("note: these are the model's training labels; see cv_report.md for held-out figures", err=True)
    typer.echo(report_markdown(str(model or "themes"), m, heading="evaluated on the given labels"))
    if output:
        output.write_text(json.dumps(m, ensure_ascii=False, indent=2), encoding="utf-8")


@app.command()
def apply(
    db: DbOpt = Path(DEFAULT_DB),
    model: ModelOpt = None,
    dask: DaskOpt = None,
    parquet: Annotated[Optional[Path], typer.Option("--parquet", help="With --dask: read sentences from and write predictions to this Parquet corpus folder instead of the DuckDB file.")] = None,
    stage: StageOpt = None,
    embedder: Annotated[Optional[str], typer.Option("--embedder", metavar="e5|static", help="The embedder the model was trained with (checked; the default is the model's own). A model refuses the other embedder.")] = None,
) -> None:
    """Classify every corpus sentence and store it in table theme_predictions (resumable, idempotent)."""
    with handled(), Progress(transient=True) as bar:
        for name, value in (("--parquet", parquet), ("--stage", stage)):
            if value is not None and not dask:
                raise UsageError(f"{name} needs --dask (use --dask local:1 for one local worker)")
        task = bar.add_task("classifying", total=None)
        tick = lambda n, total: bar.update(task, advance=n, total=total)  # noqa: E731
        from ..themes.run import apply_model

        res = apply_model(db, model, progress=tick, embedder=embedder,
                          **({"dask": dask, "parquet": parquet, "stage": stage} if dask else {}))
    typer.echo(f"{res['classified']} sentences classified with {res['model_id']} → {parquet or db}")

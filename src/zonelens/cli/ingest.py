"""`zonelens ingest` and `zonelens sentences`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..ingest.run import Overrides, expand_paths, ingest as run_ingest
from ..export import FORMATS, sentences_frame, write_frame
from ..errors import UsageError
from ..ingest.readers import DEFAULT_MAX_MB, Columns
from ..store import DEFAULT_DB
from .common import DaskOpt, DbOpt, app, err, handled

# Corpus-file options shared by `ingest` and `run`.
TextColOpt = Annotated[Optional[str], typer.Option(help="Corpus files: column with the report text (default: text, full_text, content, ...).")]
ZoneColOpt = Annotated[Optional[str], typer.Option(help="Corpus files: column with the zone (default: zone, city, province, ...).")]
YearColOpt = Annotated[Optional[str], typer.Option(help="Corpus files: column with the year (default: year, report_year, 年份, ...).")]
TitleColOpt = Annotated[Optional[str], typer.Option(help="Corpus files: column with the title (default: title, 标题, ...).")]
KeepUndatedOpt = Annotated[bool, typer.Option(help="Corpus files: store rows whose year column is empty (default: skip with a warning).")]
ParquetOpt = Annotated[Optional[Path], typer.Option("--parquet", help="With --dask: keep the corpus as Parquet parts in this folder instead of the DuckDB file.")]


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Report files or folders (.txt .md .docx .pdf .html; corpus files .jsonl .csv .dta).")],
    db: DbOpt = Path(DEFAULT_DB),
    manifest: Annotated[Optional[Path], typer.Option(help="CSV with columns path, zone, year[, title]; wins over inference.")] = None,
    recursive: Annotated[bool, typer.Option("--recursive", "-r", help="Also read sub-folders.")] = False,
    zone: Annotated[Optional[str], typer.Option(help="Zone of a single file (overrides everything).")] = None,
    year: Annotated[Optional[int], typer.Option(help="Year of a single file (overrides everything).")] = None,
    text_col: TextColOpt = None,
    zone_col: ZoneColOpt = None,
    year_col: YearColOpt = None,
    title_col: TitleColOpt = None,
    max_mb: Annotated[float, typer.Option(help="Refuse report files larger than this (MB).")] = DEFAULT_MAX_MB,
    keep_undated: KeepUndatedOpt = False,
    dask: DaskOpt = None,
    parquet: ParquetOpt = None,
) -> None:
    """Read reports, clean and segment them into sentences, and store them in the corpus DB.

    Re-ingesting an unchanged file does nothing; a changed file replaces its rows. Exit 0 when
    every file was ingested, 1 when some failed (the others are stored), 2 on usage errors.
    """
    with handled():
        if parquet is not None and not dask:
            raise UsageError("--parquet needs --dask (use --dask local:1 for one local worker)")
        total = sum(1 for _ in expand_paths(paths, recursive))
        with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), transient=True,
                      disable=total < 2) as bar:
            task = bar.add_task("ingesting", total=total)
            extra = {"dask": dask, "parquet": parquet} if dask else {}
            report = run_ingest(
                paths, db, **extra, manifest=manifest, recursive=recursive, overrides=Overrides(zone, year),
                columns=Columns(text_col, zone_col, year_col, title_col), max_mb=max_mb,
                skip_missing_year=not keep_undated, progress=lambda _p: bar.advance(task),
            )
    for path, msg in report.warnings:
        err(f"warning: {path}: {msg}")
    for path, reason in report.failures:
        err(f"failed: {path}: {reason}")
    typer.echo(
        f"{report.documents} documents ({report.added} added, {report.replaced} replaced, "
        f"{report.unchanged} unchanged), {report.sentences} new sentences, "
        f"{len(report.warnings)} warnings, {len(report.failures)} failures → {parquet or db}"
    )
    if report.to_check:
        err(f"note: {len(report.to_check)} documents have an unknown, unsure or contradicted zone or year; "
            f"`zonelens summary --db {parquet or db}` lists them (fix them with --manifest)")
    if report.failures:
        raise typer.Exit(1)


@app.command()
def sentences(
    db: DbOpt = Path(DEFAULT_DB),
    format: Annotated[str, typer.Option("--format", "-f", help=f"One of: {', '.join(FORMATS)}.")] = "jsonl",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
    no_headings: Annotated[bool, typer.Option("--no-headings", help="Leave out heading lines.")] = False,
) -> None:
    """Export the corpus sentences with their document's zone and year."""
    with handled():
        write_frame(sentences_frame(db, include_headings=not no_headings), format,
                    str(output) if output else None)

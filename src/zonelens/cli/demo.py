"""`zonelens demo` (the main job on the bundled samples) and `zonelens summary`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ..store import DEFAULT_DB
from .common import StageBar, app, handled, stage_progress
from .export import print_run


MAX_CHECK = 30  # documents to check listed by `summary`


def _print_summary(s: dict, db: Path) -> None:
    console = Console()
    table = Table(title=f"corpus {db}")
    for col in ("zone", "year", "documents", "sentences"):
        table.add_column(col, justify="right" if col != "zone" else "left")
    for row in s["by_zone_year"].itertuples(index=False):
        table.add_row(str(row.zone), "" if row.year != row.year or row.year is None else str(int(row.year)),
                      str(row.documents), str(int(row.sentences)))
    console.print(table)
    periods = ", ".join(f"{k} {v}" for k, v in s["periods"].items())
    console.print(f"{s['documents']} documents, {s['sentences']} sentences + {s['headings']} headings "
                  f"({periods}); {s['warnings']} warnings")
    check = s.get("to_check")
    if check is not None and len(check):
        console.print(f"{len(check)} documents to check (zone or year unknown, unsure or contradicted); "
                      "fix them with --manifest (CSV: path,zone,year):", markup=False)
        for row in check.head(MAX_CHECK).itertuples(index=False):
            year = "" if row.year != row.year or row.year is None else int(row.year)
            console.print(f"  {row.path}: zone {row.zone or '?'}, year {year or '?'} ({row.why})", markup=False,
                          soft_wrap=True)
        if len(check) > MAX_CHECK:
            console.print(f"  ... and {len(check) - MAX_CHECK} more (see documents.zone_confidence, year_confidence)")


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the outputs (created).")] = Path("zonelens-demo"),
    model: Annotated[str, typer.Option("--model", "-m", help="Theme model: themes (embeddings) or themes-fast.")] = "themes",
) -> None:
    """Run the main job on the bundled sample reports (ingest → themes → topics → exports → report)
    and say where the outputs are."""
    with handled(), stage_progress() as bar:
        from ..pipeline import run_demo  # the library loads here, not for --help

        result = run_demo(out, model=model, progress=StageBar(bar))
    _print_summary(result.summary, result.db)
    print_run(result)
    if result.ingest.failures:
        raise typer.Exit(1)


@app.command()
def summary(db: Annotated[Path, typer.Option("--db", help="Corpus database (DuckDB file).")] = Path(DEFAULT_DB)) -> None:
    """Summarise the corpus: documents and sentences per zone and year, and the documents whose zone or
    year is unknown, unsure or contradicted by other evidence (to fix with a manifest)."""
    with handled():
        from ..ingest.run import summary as corpus_summary

        s = corpus_summary(db)
    _print_summary(s, db)

"""`zonelens export | report | run`: aggregate tables, the HTML report, and the whole pipeline."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..export import FORMATS
from ..store import DEFAULT_DB
from .common import DbOpt, EmbedderOpt, StageBar, app, err, handled, stage_progress
from .ingest import KeepUndatedOpt, TextColOpt, TitleColOpt, YearColOpt, ZoneColOpt

ModelIdOpt = Annotated[Optional[str], typer.Option(
    "--model-id", help="Which theme predictions (name@sha12) when several models classified the corpus. "
                       "Default: the only one, else the shipped 'themes' model's.")]


class Kind(str, Enum):
    themes = "themes"
    topics = "topics"
    targets = "targets"


class Fmt(str, Enum):
    csv = "csv"
    parquet = "parquet"
    json = "json"
    jsonl = "jsonl"


assert {f.value for f in Fmt} == set(FORMATS)
# The library (pandas, scikit-learn, BERTopic) loads inside the commands, so `--help` is fast.
# The share methods of zonelens.aggregate (METHODS, DEFAULT_METHOD; tests check they agree):
METHODS, DEFAULT_METHOD = ("acc", "pcc"), "pcc"


@app.command()
def export(
    kind: Annotated[Kind, typer.Argument(help="themes (classifier shares), topics (BERTopic prevalence) or targets (quantitative targets per group).")],
    by: Annotated[str, typer.Option("--by", help="Group by these columns, comma-separated: zone, year, period, doc_id. For topics also theme (on its own): topic prevalence within each theme's sentences.")] = "zone,year",
    format: Annotated[Optional[Fmt], typer.Option("--format", help="Output format (default csv; for targets, from the --output file name).")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Output file (default stdout; parquet needs a file).")] = None,
    wide: Annotated[bool, typer.Option("--wide", help="One row per group and one column per theme/topic (spreadsheet-ready) instead of the tidy long table.")] = False,
    value: Annotated[str, typer.Option("--value", help="With --wide: the column to spread (share, share_count, share_chars, share_prob, n_sentences, ...).")] = "share",
    vega: Annotated[bool, typer.Option("--vega", help="Also write a Vega-Lite spec beside the data (OUTPUT.vl.json).")] = False,
    model_id: ModelIdOpt = None,
    db: DbOpt = Path(DEFAULT_DB),
    n_boot: Annotated[int, typer.Option("--n-boot", help="Bootstrap replicates for the 95% intervals (0 = none).")] = 1000,
    compare: Annotated[bool, typer.Option("--compare", help="With targets: the plan of year t beside the achievement reported for it (usually in year t+1), with the gap and whether it was met.")] = False,
) -> None:
    """Export theme shares or topic prevalence per zone × year (× period): counts, shares, 95% CIs,
    coverage; or the canonical targets per group (targets, --compare for planned vs achieved)."""
    if kind is Kind.targets:
        with handled():
            from ..targets.run import export_targets

            out, rows = export_targets(db, by, compare, format.value if format else None, output)
        if out is not None:
            err(f"{rows} rows ({'planned vs achieved' if compare else 'targets per ' + by}) → {out}")
        return
    with handled():
        if compare:
            from ..errors import UsageError

            raise UsageError("--compare is for `export targets`")
        from ..export import export_aggregates

        res = export_aggregates(db, kind.value, by, format.value if format else "csv", output, wide=wide, vega=vega, model_id=model_id,
                                value=value, n_boot=n_boot)
    for w in res.warnings:
        err(f"warning: {w}")
    if res.output is not None:
        err(f"{res.rows} rows ({res.model_id}) → {res.output}" + (f"; spec → {res.vega}" if res.vega else ""))


@app.command()
def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write (self-contained, works offline).")] = Path("report.html"),
    db: DbOpt = Path(DEFAULT_DB),
    model_id: ModelIdOpt = None,
    topic_model_id: Annotated[Optional[str], typer.Option("--topic-model-id", help="Which topic assignments when several topic models are stored.")] = None,
    method: Annotated[str, typer.Option("--method", help=f"Share estimate: {' or '.join(METHODS)} (probability averaging / adjusted classify-and-count).")] = DEFAULT_METHOD,
    title: Annotated[Optional[str], typer.Option("--title", help="Page title.")] = None,
) -> None:
    """Write one self-contained HTML report: theme shares per zone-year, zone × theme heatmap, themes and
    topics over time, model and coverage facts."""
    with handled():
        from ..report import build_report

        res = build_report(db, out, model_id, topic_model_id, method=method, title=title)
    for w in res.warnings:
        err(f"warning: {w}")
    typer.echo(f"report ({res.model_id}) → {res.path}")


@app.command()
def run(
    sources: Annotated[list[Path], typer.Argument(help="Report files or folders (.txt .md .docx .pdf .html .jsonl .csv .dta).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for all outputs (created): database, tables, report.")] = Path("zonelens-run"),
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="Theme model: a shipped name (themes, themes-fast) or a model directory. Default: themes (themes-fast with --fast).")] = None,
    manifest: Annotated[Optional[Path], typer.Option("--manifest", help="CSV with path, zone, year[, title] per file.")] = None,
    recursive: Annotated[bool, typer.Option("--recursive", "-r", help="Also read sub-folders.")] = False,
    topics: Annotated[bool, typer.Option("--topics/--no-topics", help="Fit a topic model (BERTopic) too.")] = True,
    by: Annotated[str, typer.Option("--by", help="Grouping of the exported tables.")] = "zone,year",
    text_col: TextColOpt = None,
    zone_col: ZoneColOpt = None,
    year_col: YearColOpt = None,
    title_col: TitleColOpt = None,
    keep_undated: KeepUndatedOpt = False,
    embedder: EmbedderOpt = None,
    fast: Annotated[bool, typer.Option("--fast", help="The fast tier end to end: theme model themes-fast, the static embedder and a cheaper topic fit (UMAP on 50 PCA dimensions, 100 epochs, clustering a 20,000-sentence sample that the rest join). Minutes instead of an hour on 50,000 sentences; see docs/embeddings.md for the quality cost.")] = False,
) -> None:
    """Run the whole pipeline on a folder of reports: ingest → themes → topics → exports → report."""
    with handled(), stage_progress() as bar:
        from ..ingest.readers import Columns
        from ..pipeline import NothingIngested, run as run_pipeline

        try:
            res = run_pipeline(sources, out, model=model, manifest=manifest, recursive=recursive, topics=topics,
                               by=by, progress=StageBar(bar), columns=Columns(text_col, zone_col, year_col, title_col),
                               skip_missing_year=not keep_undated, embedder=embedder, fast=fast)
        except NothingIngested as exc:  # say why each file failed, then the error line
            bar.stop()
            print_failures(exc.report)
            raise
    print_run(res)
    if res.ingest.failures:
        raise typer.Exit(1)


def print_failures(report) -> None:
    for path, msg in report.warnings:
        err(f"warning: {path}: {msg}")
    for path, reason in report.failures:
        err(f"failed: {path}: {reason}")


def print_run(res) -> None:
    print_failures(res.ingest)
    for note in res.notes:
        err(f"note: {note}")
    s = res.summary
    typer.echo(f"{s['documents']} documents, {s['sentences']} sentences; {res.themes['classified']} newly "
               f"classified (sentences and headings) with {res.themes['model_id']}"
               + (f"; {res.topics.n_topics} topics ({res.topics.model_id})" if res.topics else ""))
    typer.echo("outputs:")
    for what, path in res.outputs:
        typer.echo(f"  {what:<16} {path}")

"""`zonelens label`: sample sentences to label, export/import task files, agreement, stats."""

from __future__ import annotations

import importlib
import math
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import UsageError, ZonelensError
from .common import DbOpt, handled
from ..store import DEFAULT_DB, connect
from ..taxonomy import Taxonomy, load_lexicon, load_taxonomy

app = typer.Typer(
    help="Label sentences with policy themes: sample, export tasks, import labels, "
         "measure agreement and count labels.",
    no_args_is_help=True,
)

NEEDS_MODEL = "uncertainty sampling needs a trained model: see `zonelens train`"


class Strategy(str, Enum):
    random = "random"
    stratified = "stratified"
    keywords = "keywords"
    uncertain = "uncertain"


class Uncertainty(str, Enum):
    margin = "margin"
    entropy = "entropy"


class Format(str, Enum):
    jsonl = "jsonl"
    labelstudio = "labelstudio"
    doccano = "doccano"


TaxOpt = Annotated[Optional[Path], typer.Option(
    "--taxonomy", help="themes.yaml to use (default: labels/themes.yaml).")]
FormatOpt = Annotated[Format, typer.Option("--format", help="Task file format.")]
LabelsOpt = Annotated[list[Path], typer.Option(
    "--labels", help="Annotation JSONL file (repeat for several).")]


def _taxonomy(path: Path | None) -> Taxonomy:
    return load_taxonomy(path)


def load_model(path: Path | str, db: Path) -> Any:
    """A verified trained theme model that reads corpus rows as `apply` does (zonelens.themes.run)."""
    try:
        run = importlib.import_module("zonelens.themes.run")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("zonelens.themes"):
            raise ZonelensError(NEEDS_MODEL) from None
        raise
    return run.corpus_model(path, db)


def _fmt(x: Any) -> str:
    return "n/a" if isinstance(x, float) and math.isnan(x) else f"{x:.3f}"


StrategyOpt = Annotated[Strategy, typer.Option("--strategy", help="How to choose sentences.")]
ModelOpt = Annotated[Optional[str], typer.Option(
    "--model", help="Trained theme model for --strategy uncertain: a shipped name (themes, themes-fast) or a model directory.")]
UncertaintyOpt = Annotated[Uncertainty, typer.Option(
    "--uncertainty", help="Uncertainty score for --strategy uncertain.")]
ThemeOpt = Annotated[Optional[list[str]], typer.Option(
    "--theme", help="Theme id for --strategy keywords (repeat; default: all).")]
LexiconOpt = Annotated[Optional[Path], typer.Option(
    "--lexicon", help="lexicon.yaml (default: labels/lexicon.yaml).")]
PerDocOpt = Annotated[Optional[int], typer.Option(
    "--per-doc-max", min=1, help="At most this many sentences per document (stratified).")]
HeadingsOpt = Annotated[bool, typer.Option(
    "--exclude-headings/--include-headings", help="Leave heading lines out.")]


@app.command()
def sample(
    out: Annotated[Path, typer.Option("--out", help="Task file to write.")],
    db: DbOpt = Path(DEFAULT_DB),
    n: Annotated[int, typer.Option("--n", min=1, help="Number of sentences.")] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same sample).")] = 0,
    strategy: StrategyOpt = Strategy.stratified,
    model: ModelOpt = None,
    uncertainty: UncertaintyOpt = Uncertainty.margin,
    themes: ThemeOpt = None,
    lexicon: LexiconOpt = None,
    per_doc_max: PerDocOpt = None,
    exclude_headings: HeadingsOpt = False,
    labels: LabelsOpt = [],  # noqa: B006 (typer reads the default, never mutated)
    fmt: FormatOpt = Format.jsonl,
    taxonomy: TaxOpt = None,
) -> None:
    """Choose sentences from the corpus to label and write them as a task file.

    Sentences already in --labels files are left out.
    """
    with handled():
        from ..labels.annotations import read_many
        from ..labels.sampling import draw, load_sentences
        from ..labels.tasks import export_tasks

        tax = _taxonomy(taxonomy)
        if strategy is Strategy.uncertain and model is None:
            raise UsageError(f"{NEEDS_MODEL} (give --model)")
        done = read_many(labels, tax)
        lex = load_lexicon(lexicon, tax) if strategy is Strategy.keywords else None
        mdl = load_model(model, db) if strategy is Strategy.uncertain else None
        con = connect(db, read_only=True)
        try:
            sentences = load_sentences(con)
        finally:
            con.close()  # the model may read (and cache embeddings in) the corpus DB while drawing
        df = draw(strategy.value, sentences, n, seed, lexicon=lex, themes=themes,
                  model=mdl, uncertainty_strategy=uncertainty.value, per_doc_max=per_doc_max,
                  exclude_headings=exclude_headings, exclude=done)
        written = export_tasks(df, out, fmt.value, tax)
        typer.echo(f"wrote {written} {strategy.value} sentences from "
                   f"{df['doc_id'].nunique()} documents to {out} ({fmt.value})")


@app.command("export")
def export_cmd(
    source: Annotated[Path, typer.Argument(help="A jsonl task file, or an annotation file to relabel.")],
    out: Annotated[Path, typer.Option("--out", help="Task file to write.")],
    fmt: FormatOpt = Format.labelstudio,
    db: DbOpt = Path(DEFAULT_DB),
    taxonomy: TaxOpt = None,
) -> None:
    """Convert a task file to another format, or annotations into blank tasks to relabel.

    Annotation files carry no text: it is taken from --db (e.g. to give a second annotator
    the items a first one labelled).
    """
    with handled():
        from ..labels.tasks import config_path, export_tasks, rows_for_export

        tax = _taxonomy(taxonomy)
        con = connect(db, read_only=True) if db.exists() else None
        try:
            df, missing = rows_for_export(source, tax, con)
        finally:
            if con is not None:
                con.close()
        written = export_tasks(df, out, fmt.value, tax)
        extra = f" and its config to {config_path(out)}" if fmt is Format.labelstudio else ""
        typer.echo(f"wrote {written} tasks to {out}{extra}")
        if missing:
            typer.echo(f"warning: {missing} references not found in {db}", err=True)


@app.command("import")
def import_cmd(
    source: Annotated[Path, typer.Argument(help="Filled task file or tool export.")],
    out: Annotated[Path, typer.Option("--out", help="Annotation JSONL to write.")],
    annotator: Annotated[str, typer.Option("--annotator", help="Who labelled it, e.g. a1.")],
    round_: Annotated[int, typer.Option("--round", min=0, help="Labelling round.")] = 1,
    fmt: FormatOpt = Format.jsonl,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    taxonomy: TaxOpt = None,
) -> None:
    """Read a filled task file (ours, Label Studio or doccano) into an annotation file."""
    with handled():
        from ..labels.annotations import write_annotations
        from ..labels.tasks import import_tasks

        if out.exists() and not force:
            raise UsageError(f"{out} exists (use --force to overwrite)")
        tax = _taxonomy(taxonomy)
        anns = import_tasks(source, fmt.value, annotator, round_, tax)
        written = write_annotations(out, anns)
        n_other = sum(1 for a in anns if not a.themes)
        typer.echo(f"wrote {written} annotations to {out} ({n_other} other)")
        if anns and n_other == len(anns):
            typer.echo("warning: every item is `other`: was the file filled in?", err=True)


@app.command("agreement")
def agreement_cmd(
    labels: LabelsOpt,
    round_: Annotated[Optional[int], typer.Option("--round", help="Only this round.")] = None,
    disagreements: Annotated[Optional[Path], typer.Option(
        "--disagreements", help="Write items whose theme sets differ (CSV).")] = None,
    taxonomy: TaxOpt = None,
) -> None:
    """Per-theme Cohen's κ and Krippendorff's α, and primary-label agreement."""
    with handled():
        import pandas as pd
        from ..labels import agreement as agr
        from ..labels.annotations import read_many

        if not labels:
            raise UsageError("give --labels (annotation files from at least two annotators)")
        tax = _taxonomy(taxonomy)
        anns = [a for a in read_many(labels, tax) if round_ is None or a.round == round_]
        groups = agr.by_annotator(anns)
        if len(groups) < 2:
            raise UsageError(f"agreement needs two annotators; found {len(groups)}")
        table = agr.agreement_table(anns, tax.ids)
        typer.echo(f"annotators: {', '.join(groups)}; double-labelled items: {int(table['items'].iat[0])}")
        typer.echo(table.to_string(index=False, formatters={"kappa": _fmt, "alpha": _fmt}))
        if disagreements is not None:
            names = list(groups)
            frames = [agr.disagreements(groups[p], groups[q])
                      for i, p in enumerate(names) for q in names[i + 1:]]
            merged = pd.concat(frames, ignore_index=True)
            merged.to_csv(disagreements, index=False)
            typer.echo(f"wrote {len(merged)} disagreements to {disagreements}")


@app.command("stats")
def stats_cmd(
    labels: LabelsOpt,
    documents: Annotated[bool, typer.Option("--documents", help="Also list counts per document.")] = False,
    taxonomy: TaxOpt = None,
) -> None:
    """Counts per theme and per corpus, share of `other`, double-labelled items."""
    with handled():
        from ..labels.annotations import read_many
        from ..labels.stats import label_stats

        if not labels:
            raise UsageError("give --labels (one or more annotation files)")
        tax = _taxonomy(taxonomy)
        st = label_stats(read_many(labels, tax), tax)
        typer.echo(f"taxonomy {tax.version} ({tax.hash}); {st.n_annotations} annotations of "
                   f"{st.n_items} sentences by {len(st.annotators)} annotator(s); "
                   f"double-labelled: {st.double_labelled}; other: {_fmt(st.other_share)}")
        typer.echo(st.per_theme.to_string(index=False, formatters={"share": _fmt}))
        typer.echo("")
        typer.echo(st.per_corpus.to_string(index=False, formatters={"other_share": _fmt}))
        if documents:
            typer.echo("")
            typer.echo(st.per_document.to_string(index=False))

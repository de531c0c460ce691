"""`zonelens topics fit | apply | show`: topic discovery with BERTopic."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..store import DEFAULT_DB
from ..errors import UsageError
from .common import DaskOpt, DbOpt, EmbedderOpt, StageBar, StageOpt, handled, stage_progress

app = typer.Typer(name="topics", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Discover emergent topics (BERTopic clusters of sentences), assign them, show them, score them.")

ModelDirOpt = Annotated[Path, typer.Option("--model", "-m", help="Topic model directory (written by `topics fit`).")]


@app.command()
def fit(
    out: Annotated[Path, typer.Option("--out", help="Model directory to write (replaced atomically if it exists).")],
    db: DbOpt = Path(DEFAULT_DB),
    params: Annotated[Optional[Path], typer.Option("--params", help="JSON file of topic parameters (see docs/topics.md), e.g. {\"path_like\": \"%city-2024%\", \"seed\": 7}.")] = None,
    embedder: EmbedderOpt = None,
    fast: Annotated[bool, typer.Option("--fast", help="The fast preset: static embedder (unless --embedder) and UMAP on 50 PCA dimensions with 100 epochs, clustering a 20,000-sentence sample that the rest join; --params values win.")] = False,
) -> None:
    """Fit a topic model on the corpus sentences (headings excluded), save it, and store the
    fitted sentences' topics in tables topic_assignments / topic_info. The model records its
    embedder; `topics apply` uses the same one."""
    with handled(), stage_progress() as bar:
        from ..topics.run import fit_topics, load_params  # BERTopic loads here, not for --help

        res = fit_topics(db, out, load_params(params), progress=StageBar(bar), embedder=embedder, fast=fast)
    typer.echo(f"{res.n_topics} topics over {res.n_sentences} sentences; outliers {res.outlier_share:.1%} "
               f"(raw {res.outlier_share_raw:.1%}); model {res.model_id} → {res.model_dir}")


@app.command()
def apply(
    model: ModelDirOpt,
    db: DbOpt = Path(DEFAULT_DB),
    path_like: Annotated[Optional[str], typer.Option("--path-like", help="Only documents whose path matches this SQL LIKE pattern ('%' for all). Default: the model's own filter.")] = None,
    dask: DaskOpt = None,
    stage: StageOpt = None,
    embedder: Annotated[Optional[str], typer.Option("--embedder", metavar="e5|static", help="The embedder the model was fitted with (checked; the default is the model's own). A model refuses the other embedder.")] = None,
) -> None:
    """Assign topics to corpus sentences the model has not assigned yet (new reports); resumable."""
    with handled(), stage_progress() as bar:
        if stage is not None and not dask:
            raise UsageError("--stage needs --dask (use --dask local:1 for one local worker)")
        from ..topics.run import apply_topics

        res = apply_topics(db, model, progress=StageBar(bar), path_like=path_like, embedder=embedder,
                           **({"dask": dask, "stage": stage} if dask else {}))
    typer.echo(f"{res['assigned']} sentences assigned with {res['model_id']} → {db}")


@app.command()
def show(
    model: ModelDirOpt,
    top: Annotated[int, typer.Option("--top", help="Show at most this many topics (largest first); 0 = all.")] = 0,
    sentences: Annotated[int, typer.Option("--sentences", help="Representative sentences per topic (0 = none).")] = 2,
) -> None:
    """Print the topic table: id, size, label, top words and representative sentences."""
    with handled():
        from ..topics.run import model_summary, topic_table

        summary = model_summary(model)
        df = topic_table(model, representatives=sentences > 0)
    typer.echo(f"{summary['model_id']}: {summary['n_topics']} topics, {summary['n_sentences']} sentences, "
               f"outliers {summary['outlier_share']:.1%} (raw {summary['outlier_share_raw']:.1%}), "
               f"embeddings {summary['embedding_model']}, seed {summary['seed']}")
    df = df.sort_values("size", ascending=False)
    if top:
        df = df.head(top)
    for row in df.itertuples():
        typer.echo(f"\n[{row.topic}] {row.label}  (n={row.size}, {row.share:.1%})")
        typer.echo("  words: " + " ".join(row.top_words))
        for text in (row.representatives[:sentences] if sentences > 0 else []):
            typer.echo(f"  - {text}")


@app.command()
def quality(
    model: ModelDirOpt,
    db: DbOpt = Path(DEFAULT_DB),
    topn: Annotated[int, typer.Option("--topn", min=2, help="Top words per topic that are scored.")] = 10,
) -> None:
    """Print the model's quality on its corpus as one JSON object: n_topics, outliers, diversity, npmi (mean and per topic)."""
    import json

    with handled():
        from ..topics.measure import topic_quality

        res = topic_quality(db, model, topn=topn)
    typer.echo(json.dumps(res, ensure_ascii=False))

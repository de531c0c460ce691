"""The main job: the whole pipeline over a folder of reports, end to end.

ingest → themes (the shipped classifier) → topics (BERTopic) → exports → HTML report.
:func:`run_demo` is :func:`run` on the fictional sample reports bundled with the package.
Every stage is resumable: re-running skips unchanged reports and sentences already classified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable

from .ingest.run import IngestReport, ingest, summary
from .embed import embedder_name
from .errors import ModelError, UsageError, ZonelensError
from .ingest.readers import Columns
from .export import ExportResult, export_aggregates
from .report import ReportResult, build_report
from .targets import targets_frame
from .targets.run import export_targets, write_targets
from .themes.run import apply_model
from .topics import FitResult, apply_topics, fit_topics, model_summary
from .topics.artifact import read_topic_meta
from .topics.params import DEFAULTS
from .topics.run import fit_params

# progress(stage, advance, total): stage names the step; advance/total count items where known.
Progress = Callable[[str, int, "int | None"], None]


def sample_reports_dir() -> Path:
    """The fictional sample reports bundled with the package (written for zonelens)."""
    return Path(str(resources.files("zonelens.data").joinpath("samples", "reports")))


@dataclass
class RunResult:
    out: Path
    db: Path
    ingest: IngestReport
    summary: dict
    themes: dict
    topics: FitResult | None
    exports: list[ExportResult]
    report: ReportResult
    notes: list[str] = field(default_factory=list)
    target_tables: list[Path] = field(default_factory=list)

    @property
    def outputs(self) -> list[tuple[str, Path]]:
        """(what, path) of everything written, for the CLI to print."""
        out = [("corpus database", self.db)]
        if self.topics is not None:
            out.append(("topic model", self.topics.model_dir))
        for e in self.exports:
            out.append(("table", e.output))
            if e.vega is not None:
                out.append(("Vega-Lite spec", e.vega))
        out += [("targets table", p) for p in self.target_tables]
        out.append(("report", self.report.path))
        return out


class NothingIngested(ZonelensError):
    """No report could be ingested; ``report`` says why for each file."""

    def __init__(self, report: IngestReport):
        super().__init__(f"no report could be ingested ({len(report.failures)} failed); nothing to analyse")
        self.report = report


def run(sources: Iterable[str | Path], out_dir: str | Path, model: str | None = None,
        manifest: str | Path | None = None, recursive: bool = False, topics: bool = True,
        topic_params: dict | None = None, by: str = "zone,year", n_boot: int = 1000,
        progress: Progress | None = None, columns: Columns = Columns(), skip_missing_year: bool = True,
        embedder: str | None = None, fast: bool = False) -> RunResult:
    """Run the whole pipeline on report files/folders, writing everything under ``out_dir``:
    ``zonelens.duckdb``, ``topics-model/``, ``themes.csv`` (tidy) + ``themes-wide.csv`` + a Vega-Lite
    spec, ``topics.csv``, ``targets.csv`` + ``targets-plan-vs-actual.csv``, and ``report.html``.
    Targets are extracted once and the frame feeds both tables and the report. ``columns``/
    ``skip_missing_year``: as for ingest (corpus files). Raises :class:`NothingIngested` (with each
    file's reason) when no report could be read.

    ``fast``: the fast tier end to end — theme model ``themes-fast`` (unless ``model`` is given),
    the static embedder (unless ``embedder`` is given) and the fast topic preset (FAST_PARAMS).
    ``embedder`` (e5 or static) embeds the topic sentences, and must match a theme model that
    reads embeddings."""
    model = model or ("themes-fast" if fast else "themes")
    embedder = embedder_name(embedder) or ("static" if fast else "e5")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ZonelensError(f"{out}: cannot create the output folder ({exc.strerror})") from None
    db = out / "zonelens.duckdb"
    tick = progress or (lambda stage, advance, total: None)
    rep = ingest(sources, db, manifest=manifest, recursive=recursive, columns=columns,
                 skip_missing_year=skip_missing_year, progress=lambda path: tick("ingest", 1, None))
    if rep.documents == 0:
        raise NothingIngested(rep)
    themes = apply_model(db, model, progress=lambda n, total: tick("themes", n, total), embedder=embedder)
    notes: list[str] = []
    fitted = None
    if topics:
        try:
            fitted = _topics(db, out / "topics-model", rep, topic_params, tick, embedder, fast)
        except (UsageError, ModelError) as exc:  # too few sentences, or no cluster: the rest still comes out
            notes.append(f"topics skipped: {exc}")
    tick("exports", 0, None)
    exports = [
        export_aggregates(db, "themes", by, "csv", out / "themes.csv", vega=True, model_id=themes["model_id"],
                          n_boot=n_boot),
        export_aggregates(db, "themes", by, "csv", out / "themes-wide.csv", wide=True, model_id=themes["model_id"],
                          n_boot=0),
    ]
    if fitted is not None:
        exports.append(export_aggregates(db, "topics", by, "csv", out / "topics.csv", model_id=fitted.model_id,
                                         n_boot=n_boot))
    tick("targets", 0, None)
    targets = targets_frame(db, progress=lambda n, total: tick("targets", n, total), model_id=themes["model_id"],
                            topic_model_id=fitted.model_id if fitted else None)
    target_tables = [write_targets(db, out / "targets.csv", frame=targets).output,
                     export_targets(db, "zone,year", True, "csv", out / "targets-plan-vs-actual.csv", frame=targets)[0]]
    tick("report", 0, None)
    report = build_report(db, out / "report.html", model_id=themes["model_id"],
                          topic_model_id=fitted.model_id if fitted else None, n_boot=n_boot, targets=targets)
    notes += report.warnings
    return RunResult(out, db, rep, summary(db), themes, fitted, exports, report, notes, target_tables)


def _topics(db: Path, model_dir: Path, rep: IngestReport, params: dict | None, tick: Progress,
            embedder: str = "e5", fast: bool = False) -> FitResult:
    """Fit the topic model, or keep the one already in ``model_dir`` when no report was added or changed
    (and none was asked with other parameters or another embedder)."""
    if model_dir.is_dir() and rep.added == 0 and rep.replaced == 0 and params is None:
        try:
            kept, want = read_topic_meta(model_dir, verify=False)["params"], fit_params(None, embedder, fast)
            if any(kept.get(k, DEFAULTS[k]) != want[k] for k in ("embedding_backend", "umap_pca", "umap_epochs", "fit_sample")):
                raise ModelError("fitted with another embedder or preset")
            kept = apply_topics(db, model_dir, progress=tick, embedder=embedder)
            s = model_summary(model_dir)
            return FitResult(model_dir, kept["model_id"], s["n_sentences"], s["n_topics"], s["outlier_share"],
                             s["outlier_share_raw"])
        except ModelError:  # unreadable: fit again
            pass
    return fit_topics(db, model_dir, params, progress=tick, embedder=embedder, fast=fast)


def run_demo(out_dir: str | Path = "zonelens-demo", model: str | None = None,
             progress: Progress | None = None, **options) -> RunResult:
    """The main job on the bundled sample reports (``options`` as for :func:`run`)."""
    src = sample_reports_dir()
    return run([src], out_dir, model=model, manifest=src / "manifest.csv", progress=progress, **options)

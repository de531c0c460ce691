"""The main job: the whole pipeline on the bundled sample reports (or any folder), end to end.

For now: ingest → corpus summary. Later stages (themes, topics, exports, report) plug in here.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable

from .corpus import IngestReport, ingest, summary


def sample_reports_dir() -> Path:
    """The fictional sample reports bundled with the package (written for zonelens)."""
    return Path(str(resources.files("zonelens.data").joinpath("samples", "reports")))


@dataclass
class DemoResult:
    db: Path
    ingest: IngestReport
    summary: dict


def run_demo(out_dir: str | Path = "zonelens-demo", progress: Callable[[str], None] | None = None) -> DemoResult:
    """Ingest the bundled samples into ``out_dir/zonelens.duckdb`` and summarise the corpus."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    src = sample_reports_dir()
    db = out / "zonelens.duckdb"
    report = ingest([src], db, manifest=src / "manifest.csv", progress=progress)
    return DemoResult(db, report, summary(db))

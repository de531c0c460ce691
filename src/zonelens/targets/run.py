"""Writing targets out: `zonelens targets` (one row per target) and `zonelens export targets`
(a wide table per group, or planned vs achieved). Both take an already extracted frame, so a
pipeline run extracts once and writes every table from it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import UsageError
from ..export import FORMATS, write_frame
from .compare import plan_vs_actual, wide_targets
from .table import Progress, targets_frame

SUFFIX_FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".json": "json"}


@dataclass
class TargetsResult:
    output: Path | None
    rows: int
    sentences: int        # sentences with at least one target
    documents: int
    theme_model: str | None
    topic_model: str | None


def format_for(output: str | Path | None, fmt: str | None) -> str:
    """The format asked for, else the one the file name implies, else CSV."""
    if fmt:
        if fmt not in FORMATS:
            raise UsageError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")
        return fmt
    if output in (None, "-"):
        return "csv"
    suffix = Path(output).suffix.lower()
    if suffix not in SUFFIX_FORMATS:
        raise UsageError(f"{output}: name the output .csv, .parquet, .jsonl or .json (or give --format)")
    return SUFFIX_FORMATS[suffix]


def write_targets(db: str | Path, output: str | Path | None = None, fmt: str | None = None,
                  progress: Progress | None = None, frame: pd.DataFrame | None = None,
                  model_id: str | None = None, topic_model_id: str | None = None) -> TargetsResult:
    """Extract (or take ``frame``) and write one row per target."""
    fmt = format_for(output, fmt)
    df = frame if frame is not None else targets_frame(db, progress, model_id, topic_model_id)
    write_frame(df, fmt, output)
    return TargetsResult(None if output in (None, "-") else Path(output), len(df),
                         int(df[["doc_id", "idx"]].drop_duplicates().shape[0]), int(df["doc_id"].nunique()),
                         df.attrs.get("theme_model"), df.attrs.get("topic_model"))


def export_targets(db: str | Path, by="zone,year", compare: bool = False, fmt: str | None = None,
                   output: str | Path | None = None, frame: pd.DataFrame | None = None,
                   progress: Progress | None = None) -> tuple[Path | None, int]:
    """The wide table of canonical targets per group, or (``compare``) planned vs achieved per zone,
    year and indicator. Returns (output, rows)."""
    fmt = format_for(output, fmt)
    if compare and set(c.strip() for c in str(by).split(",")) != {"zone", "year"}:
        raise UsageError("--compare pairs plans and achievements per zone and year: use --by zone,year")
    df = frame if frame is not None else targets_frame(db, progress)
    table = plan_vs_actual(df) if compare else wide_targets(df, by)
    write_frame(table, fmt, output)
    return (None if output in (None, "-") else Path(output)), len(table)

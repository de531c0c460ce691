"""Writing tables out (CSV, JSONL, JSON, Parquet) atomically: a failed write leaves no partial file."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

from . import store
from .errors import UsageError, ZonelensError

FORMATS = ("jsonl", "csv", "parquet", "json")


def write_frame(df: pd.DataFrame, fmt: str, output: str | Path | None) -> None:
    """Write ``df`` as ``fmt`` to ``output`` (stdout when None or '-'), atomically for files."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")
    if output in (None, "-"):
        if fmt == "parquet":
            raise UsageError("parquet needs --output FILE")
        sys.stdout.write(_render(df, fmt))
        return
    out = Path(output)
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise ZonelensError(f"{out}: folder {parent} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=parent)
    except OSError as exc:
        raise ZonelensError(f"{out}: cannot write here ({exc.strerror})") from None
    os.close(fd)
    try:
        if fmt == "parquet":
            df.to_parquet(tmp, index=False)
        else:
            Path(tmp).write_text(_render(df, fmt), encoding="utf-8")
        os.replace(tmp, out)
    except OSError as exc:
        raise ZonelensError(f"{out}: cannot write ({exc.strerror})") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _render(df: pd.DataFrame, fmt: str) -> str:
    if fmt == "csv":
        return df.to_csv(index=False)
    if fmt == "json":
        return df.to_json(orient="records", force_ascii=False, indent=1) + "\n"
    return df.to_json(orient="records", lines=True, force_ascii=False) + ("\n" if len(df) else "")


def sentences_frame(db: str | Path, include_headings: bool = True) -> pd.DataFrame:
    """All sentences with their document's zone and year, in document and sentence order."""
    con = store.connect(db, read_only=True)
    try:
        where = "" if include_headings else "WHERE NOT s.is_heading"
        return con.execute(f"""
            SELECT s.doc_id, d.zone, d.year, d.path, s.idx, s.text, s.is_heading, s.heading_path,
                   s.period, s.char_start, s.char_end
            FROM sentences s JOIN documents d USING (doc_id) {where}
            ORDER BY d.path, s.idx""").df()
    finally:
        con.close()

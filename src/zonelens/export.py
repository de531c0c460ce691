"""Writing tables out (CSV, JSONL, JSON, Parquet) atomically: a failed write leaves no partial file."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from typing import TYPE_CHECKING

from . import store
from .errors import UsageError, ZonelensError

if TYPE_CHECKING:  # pandas and the aggregate stage load on first use: `zonelens --help` stays fast
    import pandas as pd

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
    with atomic_output(Path(output)) as tmp:
        if fmt == "parquet":
            df.to_parquet(tmp, index=False)
        else:
            Path(tmp).write_text(_render(df, fmt), encoding="utf-8")


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


# -- aggregates: `zonelens export themes|topics` ---------------------------------------------------

VEGA_FONT = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
             '"Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif')


@dataclass
class ExportResult:
    output: Path | None
    vega: Path | None
    model_id: str
    rows: int
    warnings: list[str]


def export_aggregates(db: str | Path, kind: str = "themes", by="zone,year", fmt: str = "csv",
                      output: str | Path | None = None, wide: bool = False, vega: bool = False,
                      model_id: str | None = None, value: str = "share", n_boot: int = 1000) -> ExportResult:
    """Aggregate themes or topics per group and write the table (tidy long, or ``wide``), optionally
    with a Vega-Lite spec beside it (``<output>.vl.json``)."""
    if kind not in ("themes", "topics"):
        raise UsageError(f"unknown table '{kind}' (choose from themes, topics)")
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")
    if vega and output in (None, "-"):
        raise UsageError("--vega writes a spec beside the data: give --output FILE")
    import pandas as pd

    from . import aggregate

    if kind == "topics" and "theme" in [c.strip() for c in str(by).split(",")]:
        by_cols, long = ["theme"], topics_by_theme_table(db, by, model_id)
    else:
        by_cols = aggregate.check_by(by)
    if kind == "themes":
        long = aggregate.theme_shares(db, by_cols, model_id, n_boot=n_boot)
    elif by_cols != ["theme"]:
        long = aggregate.topic_shares(db, by_cols, model_id, n_boot=n_boot)
    label = "theme" if kind == "themes" else "topic"
    table = long
    if wide:
        if value not in long.columns or value in by_cols or not pd.api.types.is_numeric_dtype(long[value]):
            raise UsageError(f"--value must be a numeric column of the {kind} table, e.g. share, share_count")
        src = long.assign(topic=[f"{t} {lab}" for t, lab in zip(long["topic"], long["label"])]) \
            if kind == "topics" else long
        table = aggregate.to_wide(src, by_cols, label, value)
        table.insert(len(by_cols), "model_id", long.attrs["model_id"])
    spec = vega_spec(table, by_cols, label, wide, fmt, Path(output).name if vega else None) if vega else None
    write_frame(table, fmt, output)
    vega_path = None
    if spec is not None:
        vega_path = Path(str(output) + ".vl.json")
        try:
            write_text_atomic(vega_path, json.dumps(spec, ensure_ascii=False, indent=1) + "\n")
        except ZonelensError:
            Path(output).unlink(missing_ok=True)  # both or neither
            raise
    return ExportResult(None if output in (None, "-") else Path(output), vega_path, long.attrs["model_id"],
                        len(table), long.attrs["warnings"])


def topics_by_theme_table(db, by, model_id: str | None):
    """``export topics --by theme``: topic prevalence within each theme's sentences (topics × themes)."""
    if [c.strip() for c in str(by).split(",")] != ["theme"]:
        raise UsageError("--by theme groups topics by theme on its own (not with zone, year, ...)")
    from . import aggregate
    from .topics.analysis import topics_by_theme

    con = store.connect(db, read_only=True)
    try:
        mid = aggregate.choose_model_id(con, "topic_assignments", model_id, prefer="topics")
        tmid = aggregate.choose_model_id(con, "theme_predictions", None, prefer="themes")
        long = topics_by_theme(con, mid, tmid)
    finally:
        con.close()
    long["model_id"], long["theme_model_id"] = mid, tmid
    long.attrs.update(model_id=mid, warnings=[], kind="topics")
    return long


def vega_spec(table: pd.DataFrame, by: list[str], label: str, wide: bool, fmt: str, data_name: str | None) -> dict:
    """A Vega-Lite v5 spec for the exported table: shares over years (or groups), one colour per label,
    one panel per zone. CSV and JSON data are referenced by file name; other formats are inlined."""
    labels = [c for c in table.columns if c not in by + ["model_id", "n_documents", "total_sentences", "covered"]]
    if data_name and fmt == "csv":
        numeric = labels if wide else ["share", "ci_low", "ci_high"]
        data = {"url": data_name, "format": {"type": "csv", "parse": {c: "number" for c in numeric + ["year"]
                                                                      if c in table.columns}}}
    elif data_name and fmt == "json":
        data = {"url": data_name}
    else:
        data = {"values": json.loads(table.to_json(orient="records", force_ascii=False))}
    transform = []
    if wide:
        transform.append({"fold": labels, "as": [label, "share"]})
    transform.append({"filter": "isValid(datum.share)"})
    x = "year" if "year" in by else by[-1]
    tooltip = [{"field": c, "type": "nominal"} for c in by] + [
        {"field": label, "type": "nominal"}, {"field": "share", "type": "quantitative", "format": ".1%"}]
    encoding = {"x": {"field": x, "type": "ordinal"},
                "y": {"field": "share", "type": "quantitative", "axis": {"format": "%"},
                      "title": "share of sentences"},
                "color": {"field": label, "type": "nominal"}, "tooltip": tooltip}
    if "period" in by and x != "period":
        encoding["strokeDash"] = {"field": "period", "type": "nominal"}
    inner = {"mark": {"type": "line", "point": True}, "encoding": encoding}
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "description": f"zonelens {label} shares by {', '.join(by)}", "data": data, "transform": transform,
            "config": {"font": VEGA_FONT}}
    if "zone" in by and x != "zone":
        spec.update(facet={"field": "zone", "type": "nominal"}, columns=4,
                    spec={"width": 220, "height": 160, **inner})
    else:
        spec.update(width=640, height=320, **inner)
    return spec


@contextmanager
def atomic_output(out: Path) -> Iterator[str]:
    """A temporary file beside ``out``, moved into place when the block succeeds and removed
    otherwise: no partial output is ever left behind."""
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise ZonelensError(f"{out}: folder {parent} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=parent)
    except OSError as exc:
        raise ZonelensError(f"{out}: cannot write here ({exc.strerror})") from None
    os.close(fd)
    try:
        yield tmp
        _default_mode(tmp)
        os.replace(tmp, out)
    except OSError as exc:
        raise ZonelensError(f"{out}: cannot write ({exc.strerror})") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text_atomic(out: Path, text: str) -> None:
    with atomic_output(out) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")


def _default_mode(path: str) -> None:
    """mkstemp creates 0600 files; give the output the mode a plain open() would."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)

"""`zonelens report`: one self-contained HTML file (plotly.js embedded, no network) of the aggregates.

It holds grouped bars of theme shares per zone-year (multi-label: never stacked), a zone × theme
heatmap, themes and topics over the years as small multiples (one panel each, with its 95% CI), and the model and coverage facts.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
from plotly.offline import get_plotlyjs

from .. import store
from ..aggregate import DEFAULT_METHOD, theme_shares, topic_shares
from ..errors import UsageError, ZonelensError
from ..export import write_text_atomic
from ..taxonomy import load_taxonomy
from ..themes.artifact import read_meta, resolve_model_dir
from .figures import CJK_FONTS, grouped_shares, heatmap, theme_lines, topic_lines
from .targets_panel import TITLE as TARGETS_TITLE, targets_section


@dataclass
class ReportResult:
    path: Path
    model_id: str
    topic_model_id: str | None
    warnings: list[str] = field(default_factory=list)


def build_report(db: str | Path, out: str | Path = "report.html", model_id: str | None = None,
                 topic_model_id: str | None = None, method: str = DEFAULT_METHOD, n_boot: int = 1000,
                 title: str | None = None, targets: pd.DataFrame | None = None) -> ReportResult:
    """Aggregate the corpus and write the report to ``out`` atomically. ``targets`` is the frame of
    :func:`zonelens.targets.targets_frame` when the caller has it (else it is extracted here)."""
    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"{out}: the report is an HTML file (name it *.html)")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise ZonelensError(f"{out}: folder {folder} does not exist")
    zy = theme_shares(db, ("zone", "year"), model_id, method, n_boot)
    mid = zy.attrs["model_id"]
    by_zone = theme_shares(db, ("zone",), mid, method, n_boot=0)
    by_year = theme_shares(db, ("year",), mid, method, n_boot)
    warnings = list(zy.attrs["warnings"])
    try:
        topics = topic_shares(db, ("year",), topic_model_id, n_boot=200)
        warnings += topics.attrs["warnings"]
    except ZonelensError as exc:
        if topic_model_id:
            raise
        topics, topic_note = None, str(exc)
    tax = load_taxonomy()
    names = {t: f"{tax.theme(t).name_zh} {t}" if t in tax.ids else t for t in zy["theme"].unique()}
    sections = [
        ("Theme shares per zone and year", _fig(grouped_shares(zy, ["zone", "year"], names))),
        ("Zone × theme", _fig(heatmap(by_zone, names))),
        ("Themes over the years", _fig(theme_lines(by_year, names)) if by_year["year"].notna().any()
         else "<p>No years known.</p>"),
        ("Topics over time", _fig(topic_lines(topics)) if topics is not None and len(topics)
         else f"<p class=note>{html.escape(topic_note if topics is None else 'No topics.')}</p>"),
        (TARGETS_TITLE, _targets(db, targets)),
        ("Model and coverage", _facts(db, zy, mid, method, topics) + _coverage(zy) + _warnings(warnings)),
    ]
    page = _page(title or f"zonelens report: {Path(db).name}", sections, mid)
    write_text_atomic(out, page)
    return ReportResult(out, mid, topics.attrs["model_id"] if topics is not None else None, warnings)


def _targets(db, targets: pd.DataFrame | None) -> str:
    if targets is None:
        from ..targets import targets_frame

        targets = targets_frame(db)
    return targets_section(targets)


def _fig(fig) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, include_mathjax=False,
                       config=FIG_CONFIG)


# no toolbar: it would show in static captures and in print (hover still works)
FIG_CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": True}


def _facts(db, zy: pd.DataFrame, mid: str, method: str, topics: pd.DataFrame | None) -> str:
    con = store.connect(db, read_only=True)
    try:
        docs, sents, zones, y0, y1 = con.execute("""SELECT count(DISTINCT d.doc_id), count(s.idx),
            count(DISTINCT d.zone), min(d.year), max(d.year) FROM documents d
            LEFT JOIN sentences s ON s.doc_id = d.doc_id AND NOT s.is_heading""").fetchone()
    finally:
        con.close()
    cells = zy.drop_duplicates(["zone", "year"])
    rows = [("documents", docs), ("sentences (headings excluded)", sents), ("zones", zones),
            ("years", "unknown" if y0 is None else str(y0) if y0 == y1 else f"{y0}–{y1}"),
            ("zone-years with a report", f"{int(cells['covered'].sum())} of {len(cells)}"),
            ("theme model", mid),
            ("share estimate", {"pcc": "mean calibrated probability (probability averaging)",
                                "acc": "adjusted classify-and-count (cross-validated tpr/fpr)"}[method]
             + "; 95% CI: bootstrap resampling sentences within documents")]
    try:
        meta = read_meta(resolve_model_dir(mid.split("@", 1)[0]))
        if not meta.get("artifact", {}).get("sha256", "").startswith(mid.partition("@")[2]):
            raise ZonelensError("the model on disk is not the one that made these predictions")
        cv = meta.get("cv", {})
        rows.append(("theme model cross-validation", f"macro-F1 {cv.get('macro_f1')}, "
                     f"{cv.get('n_sentences')} labelled sentences, {cv.get('n_documents')} documents, "
                     f"grouped {cv.get('folds')}-fold by {cv.get('grouped_by')}"))
        for t, m in cv.get("per_theme", {}).items():
            rows.append((f"· {t}", f"precision {m['precision']}, recall {m['recall']}, support {m['support']}"))
    except ZonelensError as exc:
        rows.append(("theme model cross-validation", f"unavailable ({exc})"))
    if topics is not None:
        n_topics = int((topics.drop_duplicates("topic")["topic"] != -1).sum())
        rows.append(("topic model", f"{topics.attrs['model_id']} ({n_topics} topics)"))
    body = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f"<table class=facts>{body}</table>"


def _coverage(zy: pd.DataFrame) -> str:
    cells = zy.drop_duplicates(["zone", "year"])
    grid = cells.pivot_table(index="zone", columns="year", values="n_documents", aggfunc="sum", sort=True)
    head = "".join(f"<th>{html.escape(str(y))}</th>" for y in grid.columns)
    body = "".join("<tr><th>" + html.escape(str(z)) + "</th>" + "".join(
        f"<td class={'have' if v else 'gap'}>{int(v) if v else '—'}</td>" for v in row) + "</tr>"
        for z, row in zip(grid.index, grid.fillna(0).to_numpy()))
    return (f"<h3>Coverage: documents per zone and year (— = no report)</h3>"
            f"<div class=scroll><table class=coverage><tr><th>zone</th>{head}</tr>{body}</table></div>")


def _warnings(warnings: list[str]) -> str:
    if not warnings:
        return ""
    items = "".join(f"<li>{html.escape(w)}</li>" for w in warnings[:50])
    more = f"<li>… and {len(warnings) - 50} more</li>" if len(warnings) > 50 else ""
    return f"<h3>Notes</h3><ul class=notes>{items}{more}</ul>"


def _page(title: str, sections: list[tuple[str, str]], mid: str) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    body = "".join(f"<section><h2>{html.escape(h)}</h2>{content}</section>" for h, content in sections)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: {CJK_FONTS}; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }}
h1 {{ font-size: 1.6em; }} h2 {{ border-bottom: 1px solid #ddd; padding-bottom: .2em; }}
table {{ border-collapse: collapse; }} th, td {{ padding: 2px 8px; text-align: left; }}
table.facts th {{ font-weight: normal; color: #555; }}
table.coverage td {{ text-align: center; }} td.gap {{ background: #fbeaea; color: #a33; }}
td.have {{ background: #eaf3ea; }} .scroll {{ overflow-x: auto; max-height: 30em; }}
.note {{ color: #666; }}
</style>
<script type="text/javascript">{get_plotlyjs()}</script>
</head><body>
<h1>{html.escape(title)}</h1>
<p class=note>Generated {when} by zonelens with theme model {html.escape(mid)}. Shares are of sentences
(headings excluded); a sentence can carry several themes, and sentences with none are "other" (其他).</p>
{body}
</body></html>
"""

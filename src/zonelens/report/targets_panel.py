"""The report's "Targets: planned vs achieved" panel: a table per zone of its most common canonical
indicators, the plan of each year beside the achievement reported for it (plain HTML, no figure)."""

from __future__ import annotations

import html

import pandas as pd

from ..targets import plan_vs_actual
from ..targets.indicators import load_indicators

TITLE = "Targets: planned vs achieved"
TOP_INDICATORS = 6
MAX_ZONES = 60


def _num(v) -> str:
    return f"{v:g}"


def _plan(r) -> str:
    if pd.isna(r.planned_low):
        return "—"
    v = _num(r.planned_low) if r.planned_low == r.planned_high else f"{_num(r.planned_low)}–{_num(r.planned_high)}"
    return f"{v}{r.unit}{r.planned_qualifier or ''}"


def _cell(r) -> str:
    plan = _plan(r)
    done = "—" if pd.isna(r.achieved) else f"{_num(r.achieved)}{r.unit}"
    cls = "" if pd.isna(r.met) else (" class=met" if bool(r.met) else " class=missed")
    mark = "" if pd.isna(r.met) else (" ✓" if bool(r.met) else " ✗")
    return f"<td{cls}>{html.escape(plan)} → {html.escape(done)}{mark}</td>"


def targets_section(targets: pd.DataFrame | None, note: str | None = None) -> str:
    """The panel's HTML: per zone (most targets first), one row per year and one column per indicator
    among the zone's most common ones, each cell "plan → achieved" with ✓/✗ where both are known."""
    if targets is None:
        return f"<p class=note>{html.escape(note or 'Targets were not extracted.')}</p>"
    cmp = plan_vs_actual(targets, load_indicators())
    if cmp.empty:
        return "<p class=note>No canonical targets found in these reports.</p>"
    n_met = cmp["met"].dropna()
    intro = (f"<p class=note>{len(targets)} targets extracted ({int((targets['period'] == 'plan').sum())} planned, "
             f"{int((targets['period'] == 'review').sum())} achieved); {len(n_met)} plan–achievement pairs, "
             f"{int(n_met.sum())} met. A plan for year t is paired with the result reported for t "
             f"(usually in the report of t+1); the first mention of an indicator in a report is its headline "
             f"figure. Full tables: <code>zonelens export targets --compare</code>.</p>")
    zones = cmp.groupby("zone").size().sort_values(ascending=False)
    parts = [intro]
    for zone in zones.index[:MAX_ZONES]:
        z = cmp[cmp["zone"] == zone]
        top = z["canonical"].value_counts().index[:TOP_INDICATORS]
        head = "".join(f"<th>{html.escape(z.loc[z['canonical'] == c, 'label'].iat[0])}</th>" for c in top)
        rows = []
        for year, y in z.groupby("year", sort=True):
            cells: dict[str, str] = {}
            for r in y.itertuples():  # a flow and a stock of one indicator: show the pair that has both sides
                if r.canonical not in cells or not (pd.isna(r.planned_low) or pd.isna(r.achieved)):
                    cells[r.canonical] = _cell(r)
            rows.append(f"<tr><th>{html.escape(str(year))}</th>"
                        + "".join(cells.get(c, "<td>—</td>") for c in top) + "</tr>")
        parts.append(f"<h3>{html.escape(str(zone))}</h3><div class=scroll><table class=targets>"
                     f"<tr><th>year</th>{head}</tr>{''.join(rows)}</table></div>")
    if len(zones) > MAX_ZONES:
        parts.append(f"<p class=note>… and {len(zones) - MAX_ZONES} more zones (see the exported table).</p>")
    style = ("<style>table.targets td.met { background: #eaf3ea; } table.targets td.missed { background: #fbeaea; }"
             " table.targets td { white-space: nowrap; }</style>")
    return style + "".join(parts)

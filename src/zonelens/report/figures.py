"""Plotly figures of the aggregates (pure: DataFrames in, figures out)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

# Chinese labels must render wherever the page is opened: name the common CJK fonts of each OS.
CJK_FONTS = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", '
             '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei", '
             '"WenQuanYi Zen Hei", "Droid Sans Fallback", sans-serif')
PALETTE = ["#4C78A8", "#F58518", "#54A24B", "#B279A2", "#E45756", "#72B7B2", "#EECA3B", "#9D755D",
           "#FF9DA6", "#BAB0AC"]


def _layout(fig: go.Figure, title: str, height: int = 420, **kw) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0}, height=height, font={"family": CJK_FONTS, "size": 13},
                      margin={"l": 60, "r": 20, "t": 90, "b": 60}, template="plotly_white",
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0}, **kw)
    return fig


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _year_axis(years: pd.Series) -> dict:
    return {"title": "year", "tickformat": "d", "dtick": 1 if years.nunique() < 15 else None}


def _pct(v) -> str:
    return "—" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{100 * v:.1f}%"


def group_label(df: pd.DataFrame, by: list[str]) -> pd.Series:
    parts = [df[c].map(lambda v: "?" if pd.isna(v) else str(v)) for c in by]
    out = parts[0]
    for p in parts[1:]:
        out = out + " " + p
    return out


def _hover(sub: pd.DataFrame) -> list[str]:
    return [f"{_pct(r.share)} (95% CI {_pct(r.ci_low)}–{_pct(r.ci_high)}); {int(r.n_sentences)} of "
            f"{int(r.total_sentences)} sentences" for r in sub.itertuples()]


MAX_GAP_SLOTS = 40  # with more groups than this, only zone-years with a report get a bar


def stacked_shares(df: pd.DataFrame, by: list[str], names: dict[str, str]) -> go.Figure:
    """Stacked bar of theme shares per group (zone-year). Zone-years with no report are empty slots
    (or, in a large corpus, counted in the title; the coverage table lists them)."""
    df = df.assign(group=group_label(df, by))
    covered = df.groupby("group", sort=False)["covered"].any()
    missing = [g for g, c in covered.items() if not c]
    if len(covered) > MAX_GAP_SLOTS:
        df = df[df["group"].isin(covered[covered].index)]
    groups = list(dict.fromkeys(df["group"]))
    fig = go.Figure()
    for i, (theme, sub) in enumerate(df.groupby("theme", sort=False)):
        sub = sub.set_index("group").reindex(groups).reset_index()
        fig.add_bar(x=groups, y=sub["share"], name=names.get(theme, theme), marker_color=PALETTE[i % 10],
                    hovertext=_hover(sub), hoverinfo="text+name")
    fig.update_layout(barmode="stack", legend_traceorder="normal",
                      yaxis={"tickformat": ".0%", "title": "share of sentences"})
    what = " × ".join(by)
    if not missing:
        title = f"Theme shares per {what}"
    elif len(covered) > MAX_GAP_SLOTS:
        title = f"Theme shares per {what}: {len(covered) - len(missing)} of {len(covered)} have a report (see Coverage)"
    else:
        title = f"Theme shares per {what} — no report: {', '.join(missing[:6])}{' …' if len(missing) > 6 else ''}"
    return _layout(fig, title, height=460 if len(groups) <= 30 else 560)


def heatmap(df: pd.DataFrame, names: dict[str, str]) -> go.Figure:
    """Zone × theme heatmap of shares (pooled over years)."""
    zones = list(dict.fromkeys(df["zone"]))
    themes = list(dict.fromkeys(df["theme"]))
    z = df.pivot_table(index="zone", columns="theme", values="share", sort=False).reindex(index=zones, columns=themes)
    text = [[_pct(v) for v in row] for row in z.to_numpy()]
    fig = go.Figure(go.Heatmap(z=z.to_numpy(), x=[names.get(t, t) for t in themes], y=zones, text=text,
                               texttemplate="%{text}", colorscale="Blues", colorbar={"tickformat": ".0%"},
                               hovertemplate="%{y} · %{x}: %{text}<extra></extra>"))
    return _layout(fig, "Zone × theme (all years pooled)", height=max(320, 60 + 28 * len(zones)),
                   yaxis={"autorange": "reversed"}, xaxis={"side": "top"})


def theme_lines(df: pd.DataFrame, names: dict[str, str]) -> go.Figure:
    """One line per theme over years (all zones pooled), with the 95% interval as a band."""
    df = df[df["covered"]].sort_values("year")
    fig = go.Figure()
    for i, (theme, sub) in enumerate(df.groupby("theme", sort=False)):
        color = PALETTE[i % 10]
        years = sub["year"].astype(int).tolist()
        if sub["ci_low"].notna().any():
            fig.add_scatter(x=years + years[::-1], y=sub["ci_high"].tolist() + sub["ci_low"].tolist()[::-1],
                            mode="lines", fill="toself", fillcolor=_rgba(color, 0.12), line={"width": 0}, hoverinfo="skip",
                            showlegend=False, legendgroup=theme)
        fig.add_scatter(x=years, y=sub["share"], mode="lines+markers", name=names.get(theme, theme),
                        line={"color": color}, legendgroup=theme, hovertext=_hover(sub), hoverinfo="text+name")
    fig.update_layout(yaxis={"tickformat": ".0%", "title": "share of sentences"},
                      xaxis=_year_axis(df["year"]))
    return _layout(fig, "Themes over the years (all zones pooled; bands: 95% CI)")


def topic_lines(df: pd.DataFrame, top: int = 8) -> go.Figure:
    """Prevalence of the largest topics over years (bars when there is a single year)."""
    real = df[(df["topic"] != -1) & df["covered"]]
    biggest = real.groupby("topic")["n_sentences"].sum().sort_values(ascending=False).head(top).index.tolist()
    fig = go.Figure()
    years = sorted(real["year"].dropna().astype(int).unique())
    for i, t in enumerate(biggest):
        sub = real[real["topic"] == t].sort_values("year")
        name = f"{t}: {sub['label'].iloc[0]}"[:40]
        if len(years) > 1:
            fig.add_scatter(x=sub["year"].astype(int), y=sub["share"], mode="lines+markers", name=name,
                            line={"color": PALETTE[i % 10]}, hovertext=_hover(sub), hoverinfo="text+name")
        else:
            fig.add_bar(x=[name], y=sub["share"], name=name, marker_color=PALETTE[i % 10],
                        hovertext=_hover(sub), hoverinfo="text+name")
    fig.update_layout(yaxis={"tickformat": ".0%", "title": "share of sentences"},
                      xaxis=_year_axis(real["year"]) if len(years) > 1 else {"title": "topic"})
    return _layout(fig, f"Topic prevalence over time (the {len(biggest)} largest topics)")

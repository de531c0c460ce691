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
MAX_WHISKER_GROUPS = 24
MULTI_LABEL = "a sentence can carry several themes, so the shares of a group do not add up to 100%"


def grouped_shares(df: pd.DataFrame, by: list[str], names: dict[str, str]) -> go.Figure:
    """Grouped bars of theme shares per group (zone-year), one bar per theme with its 95% CI.

    Themes are multi-label, so the bars are side by side, never stacked (a stack would pass 100%).
    Zone-years with no report are empty slots (or, in a large corpus, counted in the title; the
    coverage table lists them)."""
    df = df.assign(group=group_label(df, by))
    covered = df.groupby("group", sort=False)["covered"].any()
    missing = [g for g, c in covered.items() if not c]
    if len(covered) > MAX_GAP_SLOTS:
        df = df[df["group"].isin(covered[covered].index)]
    groups = list(dict.fromkeys(df["group"]))
    whiskers = len(groups) <= MAX_WHISKER_GROUPS  # beyond, bars are too thin: the CI is in the hover text
    fig = go.Figure()
    for i, (theme, sub) in enumerate(df.groupby("theme", sort=False)):
        sub = sub.set_index("group").reindex(groups).reset_index()
        fig.add_bar(x=groups, y=sub["share"], name=names.get(theme, theme), marker_color=PALETTE[i % 10],
                    error_y=_error_bars(sub, "#444444") if whiskers else {"visible": False},
                    hovertext=_hover(sub), hoverinfo="text+name")
    fig.update_layout(barmode="group", bargap=0.25, legend_traceorder="normal",
                      yaxis={"tickformat": ".0%", "title": "share of sentences", "rangemode": "tozero"})
    what = " × ".join(by)
    if not missing:
        title = f"Theme shares per {what}"
    elif len(covered) > MAX_GAP_SLOTS:
        title = f"Theme shares per {what}: {len(covered) - len(missing)} of {len(covered)} have a report (see Coverage)"
    else:
        title = f"Theme shares per {what} — no report: {', '.join(missing[:6])}{' …' if len(missing) > 6 else ''}"
    ci = "whiskers: 95% CI" if whiskers else "95% CI on hover; the zone × theme heatmap below is the overview"
    title += f"<br><sup>Bars side by side, {ci}; {MULTI_LABEL}.</sup>"
    return _layout(fig, title, height=460 if len(groups) <= 30 else 560)


def _error_bars(sub: pd.DataFrame, color: str) -> dict:
    if not sub["ci_low"].notna().any():
        return {"visible": False}
    return {"type": "data", "symmetric": False, "array": (sub["ci_high"] - sub["share"]).clip(lower=0).tolist(),
            "arrayminus": (sub["share"] - sub["ci_low"]).clip(lower=0).tolist(), "color": _rgba(color, 0.8),
            "thickness": 1.5, "width": 4}


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


def small_multiples(df: pd.DataFrame, key: str, keys: list, titles: list[str], title: str,
                    cols: int = 3) -> go.Figure:
    """One panel per ``key`` value (in the given order) of share over years, on shared axes, each
    with its own 95% CI: a band over several years, error bars when there is a single year."""
    from plotly.subplots import make_subplots

    years = sorted(df["year"].dropna().astype(int).unique())
    cols = max(1, min(cols, len(keys)))
    rows = -(-len(keys) // cols)
    fig = make_subplots(rows=rows, cols=cols, shared_xaxes=True, shared_yaxes=True, subplot_titles=titles,
                        horizontal_spacing=0.04, vertical_spacing=0.3 / rows if rows > 1 else 0.1)
    for i, k in enumerate(keys):
        r, c, color = i // cols + 1, i % cols + 1, PALETTE[i % 10]
        sub = df[df[key] == k].sort_values("year")
        x = sub["year"].astype(int).tolist()
        has_ci = sub["ci_low"].notna().any()
        if has_ci and len(years) > 1:
            fig.add_scatter(x=x + x[::-1], y=sub["ci_high"].tolist() + sub["ci_low"].tolist()[::-1], mode="lines",
                            fill="toself", fillcolor=_rgba(color, 0.2), line={"width": 0}, hoverinfo="skip",
                            showlegend=False, row=r, col=c)
        fig.add_scatter(x=x, y=sub["share"], mode="lines+markers", line={"color": color},
                        marker={"size": 7 if len(years) > 1 else 10}, showlegend=False, name=titles[i],
                        error_y=_error_bars(sub, color) if has_ci and len(years) == 1 else None,
                        hovertext=_hover(sub), hoverinfo="text+name", row=r, col=c)
    axis = {"tickformat": "d", "tickmode": "array", "tickvals": years} if len(years) <= 15 else {"tickformat": "d"}
    if len(years) == 1:
        axis["range"] = [years[0] - 0.5, years[0] + 0.5]
    fig.update_xaxes(**axis)
    top = pd.concat([df["share"], df["ci_high"]]).max()
    fig.update_yaxes(tickformat=".0%", range=[0, 1.08 * float(top) if top == top and top > 0 else 1])
    fig.update_yaxes(title_text="share of sentences", col=1)
    fig.update_annotations(font_size=13)
    return _layout(fig, title, height=120 + 230 * rows, showlegend=False)


def theme_lines(df: pd.DataFrame, names: dict[str, str]) -> go.Figure:
    """Themes over years (all zones pooled): one panel per theme, shared axes, its 95% CI readable."""
    df = df[df["covered"]]
    themes = list(dict.fromkeys(df["theme"]))
    one = df["year"].nunique() == 1
    return small_multiples(df, "theme", themes, [names.get(t, t) for t in themes],
                           "Themes over the years (all zones pooled; " + ("whiskers" if one else "bands")
                           + f": 95% CI; {MULTI_LABEL})")


def topic_lines(df: pd.DataFrame, top: int = 12) -> go.Figure:
    """Prevalence over years of the largest topics: one panel per topic, in id order, titled with its label."""
    real = df[(df["topic"] != -1) & df["covered"]]
    biggest = real.groupby("topic")["n_sentences"].sum().sort_values(ascending=False).head(top).index
    ids = sorted(int(t) for t in biggest)
    labels = real.drop_duplicates("topic").set_index("topic")["label"]
    titles = [f"{t}: {labels.get(t, '')}"[:32] for t in ids]
    n_all = real["topic"].nunique()
    what = f"the {len(ids)} largest of {n_all} topics" if len(ids) < n_all else f"all {n_all} topics"
    one = real["year"].nunique() == 1
    return small_multiples(real, "topic", ids, titles, f"Topic prevalence over time ({what}, in id order; "
                           + ("whiskers" if one else "bands") + ": 95% CI)", cols=4)

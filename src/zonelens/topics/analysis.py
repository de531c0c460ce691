"""Topic figures from the corpus DB as pandas DataFrames (pure reads; the report helper calls these).

- :func:`topic_prevalence`: share of each topic among a group's sentences, per (zone, year) or any
  document columns.
- :func:`topic_theme_crosstab`: topics × themes (from ``theme_predictions``), with the share of each
  topic's sentences that fall outside every theme.
- :func:`topics_over_time`: topic shares per year (optionally only documents matching a path).
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

import pandas as pd

from .. import store
from ..errors import UsageError

OUTLIER_LABEL = "(outliers)"
NO_THEME = "(none)"
_DOC_COLUMNS = ("zone", "year", "title", "path", "doc_id", "format")


@contextmanager
def _connection(con_or_db) -> Iterator:
    if isinstance(con_or_db, (str, Path)):
        con = store.connect(con_or_db, read_only=True)
        try:
            yield con
        finally:
            con.close()
    else:
        yield con_or_db


def _check(con, model_id: str) -> None:
    if not store.has_table(con, "topic_assignments"):
        raise UsageError("no topic_assignments in this database (run `zonelens topics fit` or `topics apply`)")
    if not con.execute("SELECT count(*) FROM topic_assignments WHERE model_id = ?", [model_id]).fetchone()[0]:
        known = [r[0] for r in con.execute("SELECT DISTINCT model_id FROM topic_assignments ORDER BY 1").fetchall()]
        raise UsageError(f"no topic assignments for model {model_id} (known: {', '.join(known) or 'none'})")


def _labels(con, model_id: str) -> pd.DataFrame:
    if not store.has_table(con, "topic_info"):
        return pd.DataFrame(columns=["topic", "label"])
    return con.execute("SELECT topic, label FROM topic_info WHERE model_id = ?", [model_id]).df()


def _with_labels(df: pd.DataFrame, con, model_id: str) -> pd.DataFrame:
    df = df.merge(_labels(con, model_id), on="topic", how="left")
    df.loc[df["topic"] < 0, "label"] = OUTLIER_LABEL
    return df


def topic_prevalence(con_or_db, model_id: str, by: Sequence[str] = ("zone", "year"), raw: bool = False,
                     path_like: str | None = None) -> pd.DataFrame:
    """Sentences per topic and their share of the group, for each group of documents ``by``.

    Columns: *by, topic, label, n, group_n, share (n / group_n). Outliers are topic -1.
    ``raw=True`` uses HDBSCAN's raw topics instead of the outlier-reduced ones.
    """
    by = list(by)
    bad = [c for c in by if c not in _DOC_COLUMNS]
    if bad:
        raise UsageError(f"cannot group by {bad}: choose from {', '.join(_DOC_COLUMNS)}")
    col = "topic_raw" if raw else "topic"
    with _connection(con_or_db) as con:
        _check(con, model_id)
        keys = ", ".join(f"d.{c}" for c in by)
        where, args = "a.model_id = ?", [model_id]
        if path_like:
            where += " AND d.path LIKE ?"
            args.append(path_like)
        df = con.execute(f"""SELECT {keys + ',' if by else ''} a.{col} AS topic, count(*) AS n
            FROM topic_assignments a JOIN documents d USING (doc_id) WHERE {where}
            GROUP BY ALL""", args).df()
        df = _with_labels(df, con, model_id)
    if df.empty:
        return pd.DataFrame(columns=[*by, "topic", "label", "n", "group_n", "share"])
    df["n"] = df["n"].astype(int)
    df["group_n"] = df.groupby(by, dropna=False)["n"].transform("sum") if by else df["n"].sum()
    df["share"] = df["n"] / df["group_n"]
    return df[[*by, "topic", "label", "n", "group_n", "share"]].sort_values([*by, "topic"]).reset_index(drop=True)


def _theme_model(con, theme_model_id: str | None) -> str:
    if not store.has_table(con, "theme_predictions"):
        raise UsageError("no theme_predictions in this database (run `zonelens apply` first)")
    ids = [r[0] for r in con.execute("SELECT DISTINCT model_id FROM theme_predictions ORDER BY 1").fetchall()]
    if theme_model_id:
        if theme_model_id not in ids:
            raise UsageError(f"no theme predictions of {theme_model_id} (known: {', '.join(ids) or 'none'})")
        return theme_model_id
    if len(ids) != 1:
        raise UsageError(f"name the theme model: theme_predictions holds {', '.join(ids) or 'none'}")
    return ids[0]


def topic_theme_crosstab(con_or_db, model_id: str, theme_model_id: str | None = None, use: str = "primary",
                         normalize: bool = False) -> pd.DataFrame:
    """Topics × themes: for each topic, how many of its sentences carry each theme.

    ``use="primary"`` counts each sentence once under its primary theme (``(none)`` when it has
    none); ``use="themes"`` counts it under every theme it carries (multi-label). Columns: topic,
    label, n (sentences of the topic with a prediction), one column per theme plus ``(none)``,
    ``outside_share`` (share with no theme: the topic lies outside the five themes) and
    ``dominant_theme``. ``normalize=True`` turns the theme counts into shares of n.
    """
    if use not in ("primary", "themes"):
        raise UsageError("use must be 'primary' or 'themes'")
    with _connection(con_or_db) as con:
        _check(con, model_id)
        tm = _theme_model(con, theme_model_id)
        base = """FROM topic_assignments a JOIN theme_predictions p
                  ON p.doc_id = a.doc_id AND p.idx = a.idx AND p.model_id = ? WHERE a.model_id = ?"""
        sizes = con.execute(f"""SELECT a.topic, count(*) AS n,
            sum(CASE WHEN p."primary" IS NULL OR len(p.themes) = 0 THEN 1 ELSE 0 END) AS "{NO_THEME}"
            {base} GROUP BY 1""", [tm, model_id]).df()
        if use == "primary":
            long = con.execute(f"""SELECT a.topic, p."primary" AS theme, count(*) AS c {base}
                AND p."primary" IS NOT NULL GROUP BY ALL""", [tm, model_id]).df()
        else:
            long = con.execute("""SELECT a.topic, t.theme, count(*) AS c FROM topic_assignments a
                JOIN theme_predictions p ON p.doc_id = a.doc_id AND p.idx = a.idx AND p.model_id = ?,
                unnest(p.themes) AS t(theme) WHERE a.model_id = ? GROUP BY ALL""", [tm, model_id]).df()
        sizes = _with_labels(sizes, con, model_id)
    themes = _theme_order(sorted(long["theme"].dropna().unique().tolist()))
    wide = (long.pivot_table(index="topic", columns="theme", values="c", aggfunc="sum", fill_value=0)
            .reindex(columns=themes, fill_value=0) if len(long) else pd.DataFrame(index=sizes["topic"], columns=themes))
    out = sizes.set_index("topic").join(wide.fillna(0).astype(int), how="left").fillna(0).reset_index()
    cols = [*themes, NO_THEME]
    out[cols] = out[cols].astype(int)
    out["n"] = out["n"].astype(int)
    out["outside_share"] = (out[NO_THEME] / out["n"].clip(lower=1)).round(4)
    out["dominant_theme"] = out[cols].idxmax(axis=1) if len(out) else []
    if normalize:
        out[cols] = out[cols].div(out["n"].clip(lower=1), axis=0).round(4)
    return out[["topic", "label", "n", *cols, "outside_share", "dominant_theme"]].sort_values("topic").reset_index(drop=True)


def topics_by_theme(con_or_db, model_id: str, theme_model_id: str | None = None) -> pd.DataFrame:
    """Topic prevalence within each theme's sentences, in the long form of the other exports.

    Multi-label: a sentence counts under every theme it carries, and under ``(none)`` when it has
    none. Columns: theme, topic, label, n_sentences, share (of the theme's sentences that have a
    topic), share_of_topic (of the topic's sentences), total_sentences (the theme's)."""
    wide = topic_theme_crosstab(con_or_db, model_id, theme_model_id, use="themes")
    themes = [c for c in wide.columns if c not in ("topic", "label", "n", "outside_share", "dominant_theme")]
    long = wide.melt(id_vars=["topic", "label", "n"], value_vars=themes, var_name="theme", value_name="n_sentences")
    long["total_sentences"] = long.groupby("theme")["n_sentences"].transform("sum")
    long["share"] = (long["n_sentences"] / long["total_sentences"].clip(lower=1)).round(6)
    long["share_of_topic"] = (long["n_sentences"] / long["n"].clip(lower=1)).round(6)
    long["theme"] = pd.Categorical(long["theme"], categories=themes, ordered=True)
    long = long.sort_values(["theme", "topic"]).reset_index(drop=True)
    long["theme"] = long["theme"].astype(str)
    return long[["theme", "topic", "label", "n_sentences", "share", "share_of_topic", "total_sentences"]]


def _theme_order(found: list[str]) -> list[str]:
    try:
        from ..taxonomy import load_taxonomy

        ids = list(load_taxonomy().ids)
    except Exception:  # a DB made with another taxonomy: keep the order found
        ids = []
    return [t for t in ids if t in found] + [t for t in found if t not in ids]


def topics_over_time(con_or_db, model_id: str, path_like: str | None = None, zone: str | None = None,
                     raw: bool = False, min_year: int | None = None, max_year: int | None = None) -> pd.DataFrame:
    """Topic shares per year: columns year, topic, label, n, group_n, share, n_documents.

    ``path_like`` / ``zone`` restrict the documents (e.g. '%national-1954-2025%' for the State
    Council reports); documents without a year are left out.
    """
    with _connection(con_or_db) as con:
        _check(con, model_id)
        where, args = ["a.model_id = ?", "d.year IS NOT NULL"], [model_id]
        for cond, val in (("d.path LIKE ?", path_like), ("d.zone = ?", zone), ("d.year >= ?", min_year),
                          ("d.year <= ?", max_year)):
            if val is not None:
                where.append(cond)
                args.append(val)
        col = "topic_raw" if raw else "topic"
        df = con.execute(f"""SELECT d.year, a.{col} AS topic, count(*) AS n, count(DISTINCT a.doc_id) AS n_documents
            FROM topic_assignments a JOIN documents d USING (doc_id) WHERE {' AND '.join(where)}
            GROUP BY ALL""", args).df()
        df = _with_labels(df, con, model_id)
    if df.empty:
        return pd.DataFrame(columns=["year", "topic", "label", "n", "group_n", "share", "n_documents"])
    df["year"] = df["year"].astype(int)
    df["n"] = df["n"].astype(int)
    df["group_n"] = df.groupby("year")["n"].transform("sum")
    df["share"] = df["n"] / df["group_n"]
    return df[["year", "topic", "label", "n", "group_n", "share", "n_documents"]].sort_values(
        ["year", "topic"]).reset_index(drop=True)

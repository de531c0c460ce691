"""Per-zone / per-year (/ per-period) theme and topic distributions, as pandas DataFrames.

The notebook API::

    from zonelens.aggregate import theme_shares, topic_shares
    df = theme_shares("zonelens.duckdb", by=("zone", "year"))

Both return a tidy long table (one row per group × theme or topic) with coverage columns; every
combination of the ``by`` values that occurs in the corpus is present, so missing zone-years
show up with ``covered == False``. ``df.attrs`` holds ``model_id``, ``method`` and ``warnings``.
See docs/report.md for the columns.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import store
from ..errors import UsageError, ZonelensError
from ..taxonomy import load_taxonomy
from ..themes.artifact import read_meta, resolve_model_dir
from .stats import METHODS, Rates, rates_from_cv, summarise, to_wide, with_coverage

BY_COLUMNS = ("zone", "year", "period", "doc_id")
DEFAULT_BY = ("zone", "year")
# Probability averaging was closer to the gold shares than adjusted classify-and-count in
# experiments/aggregate (grouped-CV out-of-fold predictions); see experiments/aggregate/results.md.
DEFAULT_METHOD = "pcc"
UNKNOWN_ZONE = "(unknown)"

__all__ = ["theme_shares", "topic_shares", "to_wide", "choose_model_id", "model_rates", "check_by",
           "BY_COLUMNS", "DEFAULT_BY", "DEFAULT_METHOD", "METHODS", "Rates"]


THEME_VALUES = ["n_sentences", "share", "ci_low", "ci_high", "share_count", "count_ci_low", "count_ci_high",
                "share_chars", "share_prob", "n_documents", "total_sentences", "total_chars", "covered",
                "model_id", "method"]
TOPIC_VALUES = ["n_sentences", "share", "ci_low", "ci_high", "share_chars", "n_documents", "total_sentences",
                "total_chars", "covered", "top_words", "model_id"]


def _ordered(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = df.reindex(columns=columns)
    out.attrs = dict(df.attrs)
    return out


def check_by(by) -> list[str]:
    """Validate grouping columns: a sequence or a comma-separated string."""
    cols = [c.strip() for c in (by.split(",") if isinstance(by, str) else by) if c and c.strip()]
    if not cols:
        raise UsageError("--by needs at least one column (e.g. zone,year)")
    for c in cols:
        if c not in BY_COLUMNS:
            raise UsageError(f"unknown --by column '{c}' (choose from {', '.join(BY_COLUMNS)})")
    if len(set(cols)) != len(cols):
        raise UsageError(f"--by repeats a column: {','.join(cols)}")
    return cols


def choose_model_id(con, table: str, model_id: str | None, prefer: str) -> str:
    """The model_id to aggregate: the one asked for, the only one, or the one named ``prefer``."""
    what = "theme predictions" if table == "theme_predictions" else "topic assignments"
    hint = "run `zonelens apply` first" if table == "theme_predictions" else "run `zonelens topics` first"
    if not store.has_table(con, table):
        raise ZonelensError(f"no {what} in this database yet ({hint})")
    ids = [r[0] for r in con.execute(f"SELECT DISTINCT model_id FROM {table} ORDER BY model_id").fetchall()]
    if not ids:
        raise ZonelensError(f"no {what} in this database yet ({hint})")
    if model_id:
        if model_id not in ids:
            raise UsageError(f"model id '{model_id}' has no {what} here (available: {', '.join(ids)})")
        return model_id
    if len(ids) == 1:
        return ids[0]
    preferred = [i for i in ids if i.split("@", 1)[0] == prefer]
    if len(preferred) == 1:
        return preferred[0]
    raise UsageError(f"several models have {what} here ({', '.join(ids)}); choose one with --model-id")


def model_rates(model_id: str) -> tuple[dict[str, Rates] | None, str | None]:
    """Cross-validated error rates of the model behind ``name@sha12``, and a warning if unavailable."""
    name, _, sha = model_id.partition("@")
    try:
        meta = read_meta(resolve_model_dir(name))
    except ZonelensError as exc:
        return None, f"error rates of {model_id} unavailable ({exc}); adjusted shares left empty"
    if sha and not meta.get("artifact", {}).get("sha256", "").startswith(sha):
        return None, (f"model '{name}' on disk is not the one that made {model_id}; "
                      "adjusted shares left empty")
    if "cv" not in meta:
        return None, f"model '{name}' has no cross-validation figures; adjusted shares left empty"
    return rates_from_cv(meta["cv"]), None


def _documents_grid(con, by: list[str], include_headings: bool) -> pd.DataFrame:
    """All groups that exist in the corpus, crossed per column, so that gaps are rows."""
    head = "" if include_headings else "WHERE NOT s.is_heading"
    df = con.execute(f"""SELECT DISTINCT d.doc_id, coalesce(d.zone, '{UNKNOWN_ZONE}') AS zone, d.year, s.period
                         FROM documents d JOIN sentences s USING (doc_id) {head}""").df()
    if "doc_id" in by:
        return _types(df[by].drop_duplicates().reset_index(drop=True))
    values = [pd.DataFrame({c: pd.Series(df[c].drop_duplicates().to_list())}) for c in by]
    grid = values[0]
    for v in values[1:]:
        grid = grid.merge(v, how="cross")
    return _types(grid)


def _types(df: pd.DataFrame) -> pd.DataFrame:
    if "year" in df:
        df["year"] = df["year"].astype("Int64")
    return df


def _sentences(con, join: str, cols: str, model_id: str, include_headings: bool) -> pd.DataFrame:
    head = "" if include_headings else "AND NOT s.is_heading"
    return _types(con.execute(f"""
        SELECT s.doc_id, s.idx, coalesce(d.zone, '{UNKNOWN_ZONE}') AS zone, d.year, s.period,
               length(s.text) AS n_chars, {cols}
        FROM sentences s JOIN documents d USING (doc_id) JOIN {join} p
          ON p.doc_id = s.doc_id AND p.idx = s.idx AND p.model_id = ?
        WHERE TRUE {head} ORDER BY s.doc_id, s.idx""", [model_id]).df())


def _unclassified(con, table: str, model_id: str, include_headings: bool) -> int:
    head = "" if include_headings else "AND NOT s.is_heading"
    return con.execute(f"""SELECT count(*) FROM sentences s WHERE NOT EXISTS (SELECT 1 FROM {table} p
        WHERE p.doc_id = s.doc_id AND p.idx = s.idx AND p.model_id = ?) {head}""", [model_id]).fetchone()[0]


def theme_shares(db: str | Path, by=DEFAULT_BY, model_id: str | None = None, method: str = DEFAULT_METHOD,
                 n_boot: int = 1000, seed: int = 0, include_headings: bool = False) -> pd.DataFrame:
    """Theme shares per group: counts, count/character/probability shares, the prevalence-corrected
    share with its interval, a bootstrap 95% CI of the count share, and coverage columns."""
    cols = check_by(by)
    if method not in METHODS:
        raise UsageError(f"unknown method '{method}' (choose from {', '.join(METHODS)})")
    con = store.connect(db, read_only=True)
    try:
        mid = choose_model_id(con, "theme_predictions", model_id, prefer="themes")
        keys = [r[0] for r in con.execute("""SELECT DISTINCT unnest(map_keys(scores)) FROM theme_predictions
                                               WHERE model_id = ?""", [mid]).fetchall()]
        order = {t: i for i, t in enumerate(load_taxonomy().ids)}
        themes = sorted(keys, key=lambda t: (order.get(t, len(order)), t))
        if any(not t.replace("_", "").isalnum() for t in themes):
            raise ZonelensError(f"theme ids of {mid} are not plain identifiers: {themes}")
        sel = ", ".join([f"list_contains(p.themes, '{t}')::INTEGER AS \"on_{t}\"" for t in themes]
                        + [f"coalesce(p.scores['{t}'], 0.0) AS \"p_{t}\"" for t in themes])
        frame = _sentences(con, "theme_predictions", sel, mid, include_headings)
        grid = _documents_grid(con, cols, include_headings)
        missing = _unclassified(con, "theme_predictions", mid, include_headings)
    finally:
        con.close()
    warnings = []
    if missing:
        warnings.append(f"{missing} sentences have no prediction from {mid} (run `zonelens apply` to finish)")
    rates, note = model_rates(mid) if method == "acc" else (None, None)
    warnings += [note] if note else []
    long, w = summarise(frame, themes, frame[[f"on_{t}" for t in themes]].to_numpy(), cols, "theme",
                        proba=frame[[f"p_{t}" for t in themes]].to_numpy(), rates=rates, method=method,
                        n_boot=n_boot, seed=seed)
    out = with_coverage(_types(long), grid, cols, themes, "theme")
    out["model_id"] = mid
    out["method"] = method
    out = _ordered(out, cols + ["theme"] + THEME_VALUES)
    out.attrs.update(model_id=mid, method=method, warnings=warnings + w, kind="themes")
    return out


def topic_shares(db: str | Path, by=DEFAULT_BY, model_id: str | None = None, n_boot: int = 1000, seed: int = 0,
                 include_headings: bool = False, include_outliers: bool = True) -> pd.DataFrame:
    """Topic prevalence per group: the share of sentences assigned to each topic, with a bootstrap CI,
    topic labels and coverage columns. Topic -1 holds BERTopic's outliers."""
    cols = check_by(by)
    con = store.connect(db, read_only=True)
    try:
        mid = choose_model_id(con, "topic_assignments", model_id, prefer="topics")
        frame = _sentences(con, "topic_assignments", "p.topic", mid, include_headings)
        info = con.execute("SELECT topic, label, size, top_words FROM topic_info WHERE model_id = ?",
                           [mid]).df() if store.has_table(con, "topic_info") else pd.DataFrame(
            columns=["topic", "label", "size", "top_words"])
        grid = _documents_grid(con, cols, include_headings)
        missing = _unclassified(con, "topic_assignments", mid, include_headings)
    finally:
        con.close()
    if not include_outliers:
        frame = frame[frame["topic"] != -1]
    topics = sorted(set(frame["topic"].astype(int)) | set(info["topic"].astype(int)))
    if not include_outliers:
        topics = [t for t in topics if t != -1]
    on = (frame["topic"].to_numpy()[:, None] == np.array(topics)[None, :]).astype(float)
    long, w = summarise(frame, topics, on, cols, "topic", n_boot=n_boot, seed=seed)
    out = with_coverage(_types(long), grid, cols, topics, "topic")
    labels = dict(zip(info["topic"].astype(int), info["label"]))
    words = dict(zip(info["topic"].astype(int), info["top_words"]))
    out["topic"] = out["topic"].astype(int)
    out.insert(out.columns.get_loc("topic") + 1, "label",
               [labels.get(t) or ("outliers" if t == -1 else f"topic {t}") for t in out["topic"]])
    out["top_words"] = [", ".join(list(words[t])[:8]) if t in words and words[t] is not None else ""
                        for t in out["topic"]]
    out["model_id"] = mid
    out = _ordered(out, cols + ["topic", "label"] + TOPIC_VALUES)
    warnings = [f"{missing} sentences have no topic from {mid}"] if missing else []
    out.attrs.update(model_id=mid, warnings=warnings + w, kind="topics")
    return out

"""The targets of a whole corpus database as one table (one row per target).

Theme and topic of each sentence are joined as extra columns when the database has them; they never
filter the rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pandas as pd

from .. import store
from .extract import extract_sentence, heading_year, sentence_period, target_year
from .indicators import IndicatorTable, load_indicators
from .patterns import Patterns, load_patterns

COLUMNS = ["doc_id", "path", "zone", "year", "idx", "sentence", "indicator", "canonical", "low", "high", "unit",
           "qualifier", "kind", "direction", "period", "target_year"]
EXTRA = ["ref_year", "theme", "topic"]
# progress(advance, total) in sentences
Progress = Callable[[int, int], None]
_BATCH = 2000


def sentence_records(text: str, period: str | None, heading_path: str | None, patterns: Patterns,
                     indicators: IndicatorTable, year: int | None = None) -> list[dict]:
    """The target rows of one sentence (without its document columns). ``ref_year`` is the year the
    figure is about: the planned year of a plan (``target_year``, else the report's year), the year
    reviewed of an achievement (the heading's year, else the year before the report's)."""
    out = []
    targets = extract_sentence(text, patterns)
    if not targets:
        return out
    per = sentence_period(text, period, patterns, has_target=True)
    ty = target_year(heading_path, per)
    ref = ty if ty is not None else (year if per == "plan" else None)
    if per == "review":
        hy = heading_year(heading_path)
        ref = hy if hy is not None and (year is None or hy <= year) else (year - 1 if year else None)
    for t in targets:
        out.append({"indicator": t.indicator, "canonical": indicators.canonical(t.indicator, t.kind),
                    "low": t.low, "high": t.high, "unit": t.unit, "qualifier": t.qualifier, "kind": t.kind,
                    "direction": t.direction, "period": per, "target_year": ty, "ref_year": ref})
    return out


def _model_id(con, table: str, asked: str | None, prefer: str) -> str | None:
    """The model whose rows to join: the one asked for (an error if it has none), else the one
    :func:`zonelens.aggregate.choose_model_id` would aggregate, else None (no column, no error)."""
    from ..aggregate import choose_model_id
    from ..errors import ZonelensError

    if asked:
        return choose_model_id(con, table, asked, prefer)
    try:
        return choose_model_id(con, table, None, prefer)
    except ZonelensError:  # none stored, or several and none preferred: the column stays empty
        return None


def read_sentences(con, model_id: str | None = None, topic_model_id: str | None = None) -> pd.DataFrame:
    """Body sentences with their document columns (and theme, topic when a model id is given)."""
    theme_sql = topic_sql = "NULL"
    joins, params = "", []
    if model_id:
        theme_sql = 'p."primary"'
        joins += " LEFT JOIN theme_predictions p ON p.doc_id = s.doc_id AND p.idx = s.idx AND p.model_id = ?"
        params.append(model_id)
    if topic_model_id:
        topic_sql = "a.topic"
        joins += " LEFT JOIN topic_assignments a ON a.doc_id = s.doc_id AND a.idx = s.idx AND a.model_id = ?"
        params.append(topic_model_id)
    return con.execute(f"""
        SELECT s.doc_id, d.path, d.zone, d.year, s.idx, s.text, s.period, s.heading_path,
               {theme_sql} AS theme, {topic_sql} AS topic
        FROM sentences s JOIN documents d USING (doc_id){joins}
        WHERE NOT s.is_heading ORDER BY d.path, s.idx""", params).df()


def targets_frame(db: str | Path, progress: Progress | None = None, model_id: str | None = None,
                  topic_model_id: str | None = None, patterns: str | Path | None = None,
                  indicators: str | Path | None = None) -> pd.DataFrame:
    """Every target of the corpus at ``db``: the columns of :data:`COLUMNS` plus ``theme`` (the
    sentence's primary theme) and ``topic`` when predictions are stored."""
    p = load_patterns(patterns)
    table = load_indicators(indicators)
    con = store.connect(db, read_only=True)
    try:
        mid = _model_id(con, "theme_predictions", model_id, "themes")
        tid = _model_id(con, "topic_assignments", topic_model_id, "topics")
        sents = read_sentences(con, mid, tid)
    finally:
        con.close()
    return frame_from_sentences(sents, p, table, progress, theme_model=mid, topic_model=tid)


def frame_from_sentences(sents: pd.DataFrame, patterns: Patterns, table: IndicatorTable,
                         progress: Progress | None = None, theme_model: str | None = None,
                         topic_model: str | None = None) -> pd.DataFrame:
    """Targets of a sentence frame (doc_id, path, zone, year, idx, text, period, heading_path[, theme,
    topic])."""
    rows: list[dict] = []
    n = len(sents)
    cols = {c: sents[c].tolist() if c in sents.columns else [None] * n
            for c in ("doc_id", "path", "zone", "year", "idx", "text", "period", "heading_path", "theme", "topic")}
    for i in range(n):
        for r in sentence_records(cols["text"][i], cols["period"][i], cols["heading_path"][i], patterns, table,
                                  _int(cols["year"][i])):
            rows.append({"doc_id": cols["doc_id"][i], "path": cols["path"][i], "zone": cols["zone"][i],
                         "year": cols["year"][i], "idx": cols["idx"][i], "sentence": cols["text"][i], **r,
                         "theme": cols["theme"][i], "topic": cols["topic"][i]})
        if progress and (i + 1) % _BATCH == 0:
            progress(_BATCH, n)
    if progress and n % _BATCH:
        progress(n % _BATCH, n)
    df = pd.DataFrame(rows, columns=COLUMNS + EXTRA)
    df["year"] = df["year"].astype("Int64")
    df["idx"] = df["idx"].astype("Int64")
    df["target_year"] = df["target_year"].astype("Int64")
    df["ref_year"] = df["ref_year"].astype("Int64")
    df["topic"] = df["topic"].astype("Int64")
    df.attrs.update(theme_model=theme_model, topic_model=topic_model)
    return df


def _int(v) -> int | None:
    try:
        return None if v is None or pd.isna(v) else int(v)
    except (TypeError, ValueError):
        return None

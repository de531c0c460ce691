"""Distillation: train a fast model (no embeddings) on the gold labels plus a teacher's labels of
unlabelled corpus sentences, so it learns what the teacher's embeddings know.

Measured honestly by :func:`distil_cv`: in each grouped fold the teacher is refitted (same params)
on the training folds only, it labels pool sentences from documents outside the test fold, and the
student is fitted on the training folds' gold plus those labels, then scored on the test fold's
gold, which neither model saw. ``zonelens train --teacher themes --pool N`` runs it
(:func:`zonelens.themes.run.train_model`).
"""

from __future__ import annotations

import hashlib
from typing import Callable

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import GroupKFold

from .. import store
from ..errors import ZonelensError
from .metrics import theme_metrics
from .model import ThemeClassifier
from .training import OutOfContext, uses_context

COLUMNS = ["doc_id", "idx", "text", "heading_path", "prev_text", "next_text"]


def pool_sentences(db, exclude: set[tuple[str, int]], n: int, seed: int = 0, path_like: str = "%",
                   min_chars: int = 6) -> pd.DataFrame:
    """A seeded random sample of ``n`` body sentences of the corpus DB, outside ``exclude`` (the gold)."""
    con = store.connect(db, read_only=True)
    try:
        df = con.execute("""SELECT s.doc_id, s.idx, s.text, s.heading_path FROM sentences s
                            JOIN documents d USING (doc_id)
                            WHERE NOT s.is_heading AND length(s.text) >= ? AND d.path LIKE ?
                            ORDER BY s.doc_id, s.idx""", [min_chars, path_like]).df()
    finally:
        con.close()
    df = df[[(d, int(i)) not in exclude for d, i in zip(df["doc_id"], df["idx"])]]
    if df.empty:
        raise ZonelensError(f"{db}: no unlabelled sentences for the distillation pool (path LIKE '{path_like}')")
    return df.sample(n=min(n, len(df)), random_state=seed).reset_index(drop=True)


def pool_hash(pool: pd.DataFrame) -> str:
    """Which sentences the pool holds (the teacher's labels follow from the teacher)."""
    keys = "\n".join(f"{d}#{i}" for d, i in sorted(zip(pool["doc_id"], pool["idx"].astype(int))))
    return hashlib.sha256(keys.encode()).hexdigest()[:16]


def _student_rows(gold: pd.DataFrame, pool: pd.DataFrame) -> pd.DataFrame:
    """What a text-only student reads (the context texts too, where the rows have them)."""
    cols = [c for c in COLUMNS if c in gold and c in pool]
    return pd.concat([gold[cols], pool[cols]], ignore_index=True)


def distil_cv(teacher0: ThemeClassifier, student0: ThemeClassifier, gold: pd.DataFrame, Y: np.ndarray,
              pool: pd.DataFrame, folds: int = 5, progress: Callable[[int], None] | None = None) -> dict:
    """Grouped k-fold CV by document of the distilled student (see the module doc)."""
    groups = gold["doc_id"].to_numpy()
    proba = np.zeros(Y.shape)
    pred = np.zeros(Y.shape, dtype=int)
    alone = OutOfContext(Y.shape) if uses_context(student0) else None
    for k, (tr, te) in enumerate(GroupKFold(n_splits=folds).split(gold, Y, groups)):
        teacher = clone(teacher0).fit(gold.iloc[tr], Y[tr], groups=groups[tr])
        u = pool[~pool["doc_id"].isin(set(groups[te]))]
        rows = _student_rows(gold.iloc[tr], u)
        student = clone(student0).fit(rows, np.vstack([Y[tr], teacher.predict(u)]), groups=rows["doc_id"].to_numpy())
        proba[te] = student.predict_proba(gold.iloc[te])
        pred[te] = (proba[te] >= student.thresholds_).astype(int)
        if alone is not None:
            alone.add(student, gold.iloc[te], te)
        if progress:
            progress(k)
    complete = gold["doc_complete"].to_numpy() if "doc_complete" in gold else None
    metrics = theme_metrics(Y, proba, pred, list(student0.themes), groups, complete)
    if alone is not None:
        metrics["without_context"] = alone.metrics(Y, list(student0.themes), groups)
    return metrics


def fit_distilled(teacher: ThemeClassifier, student0: ThemeClassifier, gold: pd.DataFrame, Y: np.ndarray,
                  pool: pd.DataFrame) -> ThemeClassifier:
    """The student fitted on all gold plus the (fitted) teacher's labels of the pool."""
    rows = _student_rows(gold, pool)
    return clone(student0).fit(rows, np.vstack([Y, teacher.predict(pool)]), groups=rows["doc_id"].to_numpy())

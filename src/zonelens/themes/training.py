"""Training data from annotations, grouped cross-validation and the train/evaluate entry points."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import GroupKFold

from .. import store
from ..embed import E5Embedder, cached_embeddings
from ..errors import LabelError, ZonelensError
from ..labels.annotations import read_many, resolve
from ..taxonomy import Taxonomy
from .metrics import theme_metrics
from .model import ThemeClassifier


def label_files(paths) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        files.extend(sorted(p.glob("*.jsonl")) if p.is_dir() else [p])
    if not files:
        raise ZonelensError("no annotation files found (give .jsonl files or a folder of them)")
    return files


def consensus(resolved: pd.DataFrame) -> pd.DataFrame:
    """One gold label per sentence: the adjudicator's where there is one, else the annotators'
    agreed label, else the first annotator's (counted as unadjudicated)."""
    rows = []
    for (doc_id, idx), g in resolved.groupby(["doc_id", "idx"], sort=True):
        adj = g[g["annotator"] == "adjudicator"]
        pick = adj.iloc[0] if len(adj) else g.sort_values("annotator").iloc[0]
        sets = {tuple(sorted(t)) for t in g.loc[g["annotator"] != "adjudicator", "themes"]}
        rows.append({"doc_id": doc_id, "idx": idx, "text": pick["text"], "source": pick["source"],
                     "themes": sorted(pick["themes"]), "primary": pick["primary"],
                     "n_annotators": int((g["annotator"] != "adjudicator").sum()),
                     "unadjudicated": len(adj) == 0 and len(sets) > 1})
    return pd.DataFrame(rows)


def load_training_set(label_paths, db, taxonomy: Taxonomy) -> tuple[pd.DataFrame, str]:
    """Resolve annotations against the corpus DB; returns the gold table and its data hash."""
    files = label_files(label_paths)
    anns = read_many(files, taxonomy)
    con = store.connect(db, read_only=True)
    try:
        resolved, unresolved = resolve(con, anns)
        heads = con.execute("SELECT doc_id, idx, heading_path FROM sentences WHERE list_contains(?, doc_id)",
                            [sorted(set(resolved["doc_id"]))]).df()
    finally:
        con.close()
    if unresolved:
        first = unresolved[0]
        raise LabelError(db, None, f"{len(unresolved)} annotation(s) do not resolve against this corpus, e.g. "
                                   f"{first.annotation.ref.source} #{first.annotation.ref.idx}: {first.reason} "
                                   "(ingest the referenced documents first)")
    gold = consensus(resolved).merge(heads, on=["doc_id", "idx"], how="left")
    gold["heading_path"] = gold["heading_path"].fillna("")
    digest = hashlib.sha256(json.dumps(
        gold[["doc_id", "idx", "themes", "primary"]].to_dict("records"), ensure_ascii=False, sort_keys=True
    ).encode()).hexdigest()[:16]
    return gold, digest


def label_matrix(gold: pd.DataFrame, themes) -> np.ndarray:
    return np.array([[int(t in row) for t in themes] for row in gold["themes"]], dtype=int)


def attach_embeddings(gold: pd.DataFrame, db, embedder: E5Embedder | None = None, progress=None) -> pd.DataFrame:
    con = store.connect(db)
    try:
        vecs = cached_embeddings(con, list(zip(gold["doc_id"], gold["idx"])), list(gold["text"]),
                                 embedder or E5Embedder(), progress)
    finally:
        con.close()
    return gold.assign(embedding=list(vecs))


def grouped_cv(model: ThemeClassifier, gold: pd.DataFrame, themes, folds: int = 5) -> tuple[dict, np.ndarray]:
    """Out-of-fold probabilities and decisions by GroupKFold over documents; the metrics."""
    Y = label_matrix(gold, themes)
    groups = gold["doc_id"].to_numpy()
    proba = np.zeros(Y.shape)
    pred = np.zeros(Y.shape, dtype=int)
    for tr, te in GroupKFold(n_splits=folds).split(gold, Y, groups):
        m = clone(model).fit(gold.iloc[tr], Y[tr], groups=groups[tr])
        proba[te] = m.predict_proba(gold.iloc[te])
        pred[te] = (proba[te] >= m.thresholds_).astype(int)
    return theme_metrics(Y, proba, pred, themes, groups), proba

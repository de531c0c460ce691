"""Training data from annotations (gold labels resolved against the corpus DB), grouped and
leave-one-source-out cross-validation; the train/evaluate entry points are in :mod:`.run`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import GroupKFold

from .. import store
from ..errors import LabelError, ZonelensError
from ..hashing import text_hash
from ..labels.annotations import read_many, resolve
from ..taxonomy import Taxonomy
from .features import CONTEXT_COLUMNS, uses_context
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
                     "sample": next((x for x in g["sample"] if isinstance(x, str)), None) if "sample" in g else None,
                     "unadjudicated": len(adj) == 0 and len(sets) > 1})
    return pd.DataFrame(rows)


def load_training_set(label_paths, db, taxonomy: Taxonomy) -> tuple[pd.DataFrame, str]:
    """Resolve annotations against the corpus DB; returns the gold table and its data hash."""
    files = label_files(label_paths)
    anns = read_many(files, taxonomy)
    con = store.connect(db, read_only=True)
    try:
        resolved, unresolved = resolve(con, anns)
        if unresolved and not len(resolved):
            first = unresolved[0]
            raise LabelError(db, None, f"none of the {len(unresolved)} annotation(s) resolve against this corpus, e.g. "
                                       f"{first.annotation.ref.source} #{first.annotation.ref.idx}: {first.reason} "
                                       "(ingest the referenced documents first)")
        heads = con.execute("SELECT doc_id, idx, heading_path FROM sentences WHERE list_contains(?, doc_id)",
                            [sorted(set(resolved["doc_id"]))]).df()
        body = dict(con.execute("""SELECT doc_id, count(*) FROM sentences WHERE NOT is_heading
                                   AND list_contains(?, doc_id) GROUP BY 1""",
                                [sorted(set(resolved["doc_id"]))]).fetchall())
    finally:
        con.close()
    gold = consensus(resolved).merge(heads, on=["doc_id", "idx"], how="left")
    gold["heading_path"] = gold["heading_path"].fillna("")
    # A document whose every body sentence is labelled: its gold theme shares are the document's own.
    labelled = gold.groupby("doc_id")["idx"].nunique()
    gold["doc_complete"] = [labelled[d] >= body.get(d, 0) > 0 for d in gold["doc_id"]]
    digest = hashlib.sha256(json.dumps(
        gold[["doc_id", "idx", "themes", "primary"]].to_dict("records"), ensure_ascii=False, sort_keys=True
    ).encode()).hexdigest()[:16]
    # annotations whose sentence is not in this corpus are left out, counted (the caller warns)
    gold.attrs["unresolved"] = len(unresolved)
    gold.attrs["unresolved_example"] = (f"{unresolved[0].annotation.ref.source} #{unresolved[0].annotation.ref.idx}: "
                                        f"{unresolved[0].reason}") if unresolved else None
    return gold, digest


def unresolved_warning(gold: pd.DataFrame) -> list[str]:
    """The warning for annotations left out by :func:`load_training_set` (empty when none were)."""
    n = gold.attrs.get("unresolved", 0)
    if not n:
        return []
    return [f"{n} annotation(s) do not resolve against this corpus and were skipped, e.g. "
            f"{gold.attrs['unresolved_example']} (ingest the referenced documents to use them)"]


def sentence_hashes(gold: pd.DataFrame) -> list[str]:
    """Sorted text hashes of the labelled sentences (meta.json records them; `evaluate` warns on overlap)."""
    return sorted({text_hash(t) for t in gold["text"]})


def label_matrix(gold: pd.DataFrame, themes) -> np.ndarray:
    return np.array([[int(t in row) for t in themes] for row in gold["themes"]], dtype=int)


def grouped_cv(model: ThemeClassifier, gold: pd.DataFrame, themes, folds: int = 5) -> tuple[dict, np.ndarray]:
    """Out-of-fold probabilities and decisions by GroupKFold over documents; the metrics."""
    Y = label_matrix(gold, themes)
    groups = gold["doc_id"].to_numpy()
    alone = OutOfContext(Y.shape) if uses_context(model) else None
    proba, pred = out_of_fold(model, gold, Y, GroupKFold(n_splits=folds).split(gold, Y, groups), alone)
    complete = gold["doc_complete"].to_numpy() if "doc_complete" in gold else None
    metrics = theme_metrics(Y, proba, pred, themes, groups, complete)
    if alone is not None:
        metrics["without_context"] = alone.metrics(Y, themes, groups)
    return metrics, proba


def out_of_fold(model, gold: pd.DataFrame, Y: np.ndarray, splits, alone=None) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities and decisions (each fold's own thresholds) of a clone of ``model`` fitted on
    each split's training rows, on its test rows; rows no split tests stay 0."""
    groups = gold["doc_id"].to_numpy()
    proba = np.zeros(Y.shape)
    pred = np.zeros(Y.shape, dtype=int)
    for tr, te in splits:
        m = clone(model).fit(gold.iloc[tr], Y[tr], groups=groups[tr])
        proba[te] = m.predict_proba(gold.iloc[te])
        pred[te] = (proba[te] >= m.thresholds_).astype(int)
        if alone is not None:
            alone.add(m, gold.iloc[te], te)
    return proba, pred


SOURCES = (("city-2024", "city-2024"), ("national", "national-"), ("shanghai", "shanghai-"), ("seeds", "seeds/"))


def source_group(source: str) -> str:
    """The corpus a reference's source path belongs to (city-2024, national, shanghai, seeds), or
    the path's first folder below ``corpora/`` for any other corpus."""
    s = str(source).replace("\\", "/")
    for name, mark in SOURCES:
        if mark in s:
            return name
    parts = [p for p in s.split("/") if p and p != "corpora"]
    return parts[0] if len(parts) > 1 else "other"


def leave_one_source_out(model, gold: pd.DataFrame, themes) -> tuple[dict, np.ndarray, np.ndarray]:
    """Train on all corpora but one, predict the one left out, for each corpus in ``gold["source"]``
    (:func:`source_group`). Returns per held-out corpus the metrics of its documents, the pooled
    out-of-source probabilities and decisions (row order of ``gold``)."""
    Y = label_matrix(gold, themes)
    src = np.array([source_group(s) for s in gold["source"]])
    names = sorted(set(src))
    if len(names) < 2:
        raise ZonelensError(f"leave-one-source-out needs labels from two corpora or more (found {names})")
    splits = [(np.flatnonzero(src != n), np.flatnonzero(src == n)) for n in names]
    proba, pred = out_of_fold(model, gold, Y, splits)
    groups = gold["doc_id"].to_numpy()
    complete = gold["doc_complete"].to_numpy() if "doc_complete" in gold else np.zeros(len(gold), bool)
    per = {n: theme_metrics(Y[m], proba[m], pred[m], themes, groups[m], complete[m])
           for n in names for m in [src == n]}
    return per, proba, pred


class OutOfContext:
    """The same held-out predictions made on sentences on their own (as `zonelens classify` sees
    them): what a context model gives without its context."""

    def __init__(self, shape):
        self.proba = np.zeros(shape)
        self.pred = np.zeros(shape, dtype=int)

    def add(self, model, rows: pd.DataFrame, te) -> None:
        self.proba[te] = model.predict_proba(rows.drop(columns=[c for c in CONTEXT_COLUMNS if c in rows]))
        self.pred[te] = (self.proba[te] >= model.thresholds_).astype(int)

    def metrics(self, Y, themes, groups) -> dict:
        m = theme_metrics(Y, self.proba, self.pred, themes, groups)
        return {k: m[k] for k in ("macro_f1", "min_theme_f1", "ece", "doc_share_mae_prob")}

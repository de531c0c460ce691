"""Distilling the `themes` model (e5 embeddings) into `themes-fast` (no embeddings): does training
the fast model on teacher-labelled unlabelled sentences lift it, measured honestly?

Grouped 5-fold CV by document on the gold labels, the same folds as `zonelens train`. In each
fold the teacher (the `themes` preset) is fitted on the training folds only, labels up to
``--pool`` unlabelled city-2024 sentences from documents outside the test fold (their e5
embeddings must be cached in ``--pool-db``), and the student (the `themes-fast` preset) is fitted
on the training folds' gold plus those pseudo-labels. The student is scored on the test fold's
gold, which neither model saw.

    uv run python experiments/themes/distill.py --db corpus.duckdb --pool-db corpus.duckdb --pool 15000
Results: distill.md.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import GroupKFold

from zonelens.embed import E5Embedder
from zonelens.taxonomy import load_taxonomy
from zonelens.themes.metrics import share_error, theme_metrics
from zonelens.themes.model import ThemeClassifier
from zonelens.themes.run import PRESETS
from zonelens.themes.training import attach_embeddings, label_matrix, load_training_set

HERE = Path(__file__).parent


def unlabelled_pool(db: str, exclude: set[tuple[str, int]], n: int, seed: int) -> pd.DataFrame:
    con = duckdb.connect(db, read_only=True)
    try:
        df = con.execute("""SELECT s.doc_id, s.idx, s.text, s.heading_path, e.vec AS embedding
                            FROM sentences s JOIN documents d USING (doc_id)
                            JOIN embeddings e ON e.doc_id = s.doc_id AND e.idx = s.idx AND e.model = ?
                            WHERE d.path LIKE '%city-2024/txt%' AND NOT s.is_heading""",
                         [E5Embedder().model_id]).df()
    finally:
        con.close()
    keep = [(d, int(i)) not in exclude for d, i in zip(df["doc_id"], df["idx"])]
    df = df[keep]
    df["embedding"] = [np.asarray(v, dtype=np.float32) for v in df["embedding"]]
    return df.sample(n=min(n, len(df)), random_state=seed).reset_index(drop=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--pool-db", required=True, help="DB with cached e5 embeddings of the city-2024 sentences")
    ap.add_argument("--labels", default=str(HERE.parents[1] / "labels" / "annotations"))
    ap.add_argument("--pool", type=int, default=15000)
    ap.add_argument("--student-params", default="{}", help="JSON overriding the themes-fast preset")
    a = ap.parse_args()
    tax = load_taxonomy()
    gold, _ = load_training_set([a.labels], a.db, tax)
    gold = attach_embeddings(gold, a.db)
    Y, groups = label_matrix(gold, tax.ids), gold["doc_id"].to_numpy()
    pool = unlabelled_pool(a.pool_db, set(zip(gold["doc_id"], gold["idx"].astype(int))), a.pool, 0)
    teacher0 = ThemeClassifier(themes=tax.ids, **PRESETS["themes"])
    student0 = ThemeClassifier(themes=tax.ids, **{**PRESETS["themes-fast"], **json.loads(a.student_params)})
    proba = np.zeros(Y.shape)
    pred = np.zeros(Y.shape, dtype=int)
    t0 = time.time()
    for k, (tr, te) in enumerate(GroupKFold(n_splits=5).split(gold, Y, groups)):
        teacher = clone(teacher0).fit(gold.iloc[tr], Y[tr], groups=groups[tr])
        test_docs = set(groups[te])
        u = pool[~pool["doc_id"].isin(test_docs)]
        pseudo = teacher.predict(u)
        train = pd.concat([gold.iloc[tr][["doc_id", "idx", "text", "heading_path"]],
                           u[["doc_id", "idx", "text", "heading_path"]]], ignore_index=True)
        student = clone(student0).fit(train, np.vstack([Y[tr], pseudo]), groups=train["doc_id"].to_numpy())
        proba[te] = student.predict_proba(gold.iloc[te])
        pred[te] = (proba[te] >= student.thresholds_).astype(int)
        print(f"fold {k}: {len(u)} pseudo-labelled sentences, {time.time() - t0:.0f} s", flush=True)
    m = theme_metrics(Y, proba, pred, tax.ids, groups)
    out = {"pool": int(len(pool)), "student_params": json.loads(a.student_params), "macro_f1": m["macro_f1"], "min_theme_f1": m["min_theme_f1"],
           "per_theme_f1": {t: v["f1"] for t, v in m["per_theme"].items()}, "ece": m["ece"],
           "doc_share_mae": m["doc_share_mae"], "doc_share_mae_prob": share_error(Y, proba, groups),
           "seconds": round(time.time() - t0)}
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()

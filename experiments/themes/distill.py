"""Distilling the `themes` model (e5 embeddings) into `themes-fast` (no embeddings): does training
the fast model on teacher-labelled unlabelled sentences lift it, measured honestly?

Grouped 5-fold CV by document on the gold labels, the same folds as `zonelens train`. In each
fold the teacher (the `themes` preset) is fitted on the training folds only, labels up to
``--pool`` unlabelled city-2024 sentences from documents outside the test fold (their e5
embeddings must be cached in ``--pool-db``), and the student (the `themes-fast` preset) is fitted
on the training folds' gold plus those pseudo-labels. The student is scored on the test fold's
gold, which neither model saw.

    uv run python experiments/themes/distill.py --db corpus.duckdb --pool-db corpus.duckdb --pool 15000
Results: distill.md. The procedure is the library's (:mod:`zonelens.themes.distill`, behind
``zonelens train --teacher themes --pool N``); this script varies the pool and the student's params.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from zonelens.taxonomy import load_taxonomy
from zonelens.themes.distill import distil_cv, pool_sentences
from zonelens.themes.model import ThemeClassifier
from zonelens.themes.run import PRESETS
from zonelens.themes.features import features_for
from zonelens.themes.training import label_matrix, load_training_set

HERE = Path(__file__).parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--pool-db", required=True, help="DB with cached e5 embeddings of the pool sentences")
    ap.add_argument("--pool-like", default="%city-2024/txt%", help="documents the pool is drawn from (SQL LIKE)")
    ap.add_argument("--labels", default=str(HERE.parents[1] / "labels" / "annotations"))
    ap.add_argument("--pool", type=int, default=15000)
    ap.add_argument("--teacher-params", default="{}", help="JSON overriding the themes preset")
    ap.add_argument("--student-params", default="{}", help="JSON overriding the themes-fast preset")
    a = ap.parse_args()
    tax = load_taxonomy()
    teacher0 = ThemeClassifier(themes=tax.ids, **{**PRESETS["themes"], **json.loads(a.teacher_params)})
    student0 = ThemeClassifier(themes=tax.ids, **{**PRESETS["themes-fast"], **json.loads(a.student_params)})
    gold, _ = load_training_set([a.labels], a.db, tax)
    gold = features_for(gold, a.db, teacher0, student0)
    Y = label_matrix(gold, tax.ids)
    pool = pool_sentences(a.pool_db, set(zip(gold["doc_id"], gold["idx"].astype(int))), a.pool, 0, a.pool_like)
    pool = features_for(pool, a.pool_db, teacher0, student0)
    t0 = time.time()
    m = distil_cv(teacher0, student0, gold, Y, pool, 5,
                  progress=lambda k: print(f"fold {k}: {time.time() - t0:.0f} s", flush=True))
    out = {"pool": int(len(pool)), "teacher_params": json.loads(a.teacher_params),
           "student_params": json.loads(a.student_params), "macro_f1": m["macro_f1"],
           "min_theme_f1": m["min_theme_f1"], "per_theme_f1": {t: v["f1"] for t, v in m["per_theme"].items()},
           "ece": m["ece"], "doc_share_mae": m["doc_share_mae"], "doc_share_mae_prob": m["doc_share_mae_prob"],
           "whole_doc_share_mae_prob": m.get("whole_doc_share_mae_prob"), "seconds": round(time.time() - t0)}
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()

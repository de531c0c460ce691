"""What pruning by weight costs, in grouped CV: the themes-fast recipe's fold fits scored unpruned
and pruned at each of several weights (the same fits; pruning acts after fitting).

    uv run python experiments/themes/prune_cv.py --db corpus.duckdb --weights 0.01,0.02,0.05
Writes experiments/themes/prune_cv.md/json. Labels: every file of labels/annotations.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

from loso import fit_predict, slim  # same folder
from zonelens.taxonomy import load_taxonomy
from zonelens.themes.metrics import theme_metrics
from zonelens.themes.model import ThemeClassifier
from zonelens.themes.run import PRESETS
from zonelens.themes.features import features_for
from zonelens.themes.training import label_matrix, load_training_set

HERE = Path(__file__).parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--weights", default="0.01,0.02,0.05")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--out", default=str(HERE / "prune_cv"))
    a = ap.parse_args()
    tax = load_taxonomy()
    gold, data_hash = load_training_set([HERE.parents[1] / "labels" / "annotations"], a.db, tax)
    model = ThemeClassifier(themes=tax.ids, **PRESETS["themes-fast"])
    gold = features_for(gold, a.db, model)
    Y = label_matrix(gold, tax.ids)
    groups = gold["doc_id"].to_numpy()
    weights = [float(w) for w in a.weights.split(",")]
    preds = fit_predict(model, gold, Y, GroupKFold(n_splits=a.folds).split(gold, Y, groups), weights)
    res = {"data_hash": data_hash, "sentences": int(len(gold)), "folds": a.folds,
           "results": {k or "unpruned": slim(theme_metrics(Y, p, d, tax.ids, groups, gold["doc_complete"].to_numpy()))
                       for k, (p, d) in preds.items()}}
    out = Path(a.out)
    out.with_suffix(".json").write_text(json.dumps(res, indent=1) + "\n", "utf-8")
    lines = ["# Pruning by weight: grouped CV", "", f"`experiments/themes/prune_cv.py`: themes-fast recipe, grouped "
             f"{a.folds}-fold CV by document on {len(gold)} gold sentences (data hash {data_hash}); every fold's fit "
             "scored unpruned and pruned.", "", "| model | macro-F1 | min F1 | " + " | ".join(tax.ids)
             + " | ECE | doc share MAE | whole-doc share MAE |", "|" + " --- |" * (6 + len(tax.ids))]
    for k, m in res["results"].items():
        lines.append(f"| {k} | {m['macro_f1']:.4f} | {m['min_theme_f1']:.4f} | "
                     + " | ".join(f"{m['per_theme'][t]['f1']:.3f}" for t in tax.ids)
                     + f" | {m['ece']:.4f} | {m['doc_share_mae']:.4f} | {m.get('whole_doc_share_mae', np.nan):.4f} |")
    out.with_suffix(".md").write_text("\n".join(lines) + "\n", "utf-8")
    print("\n".join(lines[-len(res['results']):]))


if __name__ == "__main__":
    main()

"""Grouped 5-fold CV (by document) of ThemeClassifier parameter sets on the gold labels.

Reproduce (the corpus DB of ../shared, see baselines.py):
    uv run python experiments/themes/grid.py --db corpus.duckdb \
        '[{"use_embeddings": true, "use_words": false, "embedding_weight": 2.0, "C": 16.0}]'
Prints one line per parameter set: macro-F1, min theme F1, per-theme F1, per-document share MAE
(count of decisions and mean probability), whole-document share MAE (the fully labelled
documents), ECE, macro-F1 without context (context models: the same held-out sentences on their
own), seconds. Results: grid.md, context.md.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from zonelens.taxonomy import load_taxonomy
from zonelens.themes.model import ThemeClassifier
from zonelens.themes.features import features_for
from zonelens.themes.training import grouped_cv, load_training_set

HERE = Path(__file__).parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--labels", default=str(HERE.parents[1] / "labels" / "annotations"))
    ap.add_argument("grid", help="JSON list of ThemeClassifier parameter dicts")
    a = ap.parse_args()
    tax = load_taxonomy()
    grid = json.loads(a.grid)
    gold, _ = load_training_set([a.labels], a.db, tax)
    models = [ThemeClassifier(themes=tax.ids, **p) for p in grid]
    gold = features_for(gold, a.db, *models)
    for p, model in zip(grid, models):
        t = time.time()
        m, proba = grouped_cv(model, gold, tax.ids, 5)
        print(json.dumps(p), m["macro_f1"], m["min_theme_f1"], {k: v["f1"] for k, v in m["per_theme"].items()},
              "mae_count", m["doc_share_mae"], "mae_prob", m["doc_share_mae_prob"],
              "whole_mae_prob", m.get("whole_doc_share_mae_prob"), "ece", m["ece"],
              "without_context", m.get("without_context", {}).get("macro_f1"), round(time.time() - t), flush=True)


if __name__ == "__main__":
    main()

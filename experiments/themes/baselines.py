"""Theme classifiers vs baselines, one table, on the gold labels (grouped 5-fold CV by document).

Reproduce (needs ../shared ingested into a corpus DB):
    uv run zonelens ingest ../shared/seeds ../shared/corpora/city-2024/txt \
        ../shared/corpora/national-1954-2025/government_work_reports.jsonl \
        ../shared/corpora/shanghai-2020-2024/shanghai_reports.dta --db corpus.duckdb
    uv run python experiments/themes/baselines.py --db corpus.duckdb
Writes experiments/themes/results.json and results.md.

- dictionary: a sentence has a theme when it contains any keyword of that theme in
  labels/lexicon.yaml (how published studies of 政府工作报告 measure attention); nothing is fitted.
- zero-shot e5: cosine similarity of the sentence (passage:) to each theme's definition (query:);
  a theme is on when its similarity beats the similarity to the definition of "other"; nothing is fitted.
- themes-fast / themes: the ThemeClassifier presets, cross-validated grouped by document.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from zonelens.embed import E5Embedder
from zonelens.taxonomy import load_lexicon, load_taxonomy
from zonelens.themes.metrics import theme_metrics
from zonelens.themes.model import ThemeClassifier
from zonelens.themes.run import PRESETS
from zonelens.themes.features import attach_features, features_for
from zonelens.themes.training import grouped_cv, label_matrix, load_training_set

HERE = Path(__file__).parent


def dictionary(texts, themes, lexicon) -> np.ndarray:
    return np.array([[int(any(w in t for w in lexicon[th])) for th in themes] for t in texts])


def zero_shot(emb: np.ndarray, tax) -> tuple[np.ndarray, np.ndarray]:
    e5 = E5Embedder()
    defs = [tax.theme(t).definition for t in tax.ids] + [tax.other.definition]
    q = e5.query(defs)
    sims = emb @ q.T
    on = (sims[:, :-1] > sims[:, [-1]]).astype(int)
    proba = np.clip((sims[:, :-1] + 1) / 2, 0, 1)
    return on, proba


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--labels", default=str(HERE.parents[1] / "labels" / "annotations"))
    ap.add_argument("--refit", action="store_true",
                    help="re-run the models' CV even when models/NAME/meta.json holds it for this gold set")
    a = ap.parse_args()
    tax = load_taxonomy()
    gold, data_hash = load_training_set([a.labels], a.db, tax)
    gold = attach_features(gold, a.db)  # e5 embeddings, for zero-shot and themes
    Y = label_matrix(gold, tax.ids)
    groups = gold["doc_id"].to_numpy()
    complete = gold["doc_complete"].to_numpy()
    results = {}
    d = dictionary(gold["text"], tax.ids, load_lexicon())
    results["dictionary (lexicon.yaml)"] = theme_metrics(Y, d.astype(float), d, tax.ids, groups, complete)
    on, proba = zero_shot(np.vstack(gold["embedding"]), tax)
    results["zero-shot e5"] = theme_metrics(Y, proba, on, tax.ids, groups, complete)
    for name, params in PRESETS.items():
        meta_path = HERE.parents[1] / "models" / name / "meta.json"
        meta = json.loads(meta_path.read_text("utf-8")) if meta_path.exists() else {}
        if not a.refit and meta.get("training_data", {}).get("hash") == data_hash:
            # `zonelens train` ran this same grouped CV (same folds) on this same gold: reuse it
            results[name] = {k: v for k, v in meta["cv"].items() if k not in ("folds", "grouped_by")}
        else:  # (a distilled model's CV is distil_cv's, only in its meta.json)
            model = ThemeClassifier(themes=tax.ids, **params)
            results[name] = grouped_cv(model, features_for(gold, a.db, model), tax.ids)[0]
    out = {"data_hash": data_hash, "sentences": int(len(gold)), "documents": int(gold["doc_id"].nunique()),
           "results": results}
    (HERE / "results.json").write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    lines = ["# Theme classifiers vs baselines", "",
             f"Gold: {len(gold)} sentences from {gold['doc_id'].nunique()} documents (data hash {data_hash}); "
             "trained models by grouped 5-fold CV by document; baselines fit nothing.", "",
             "| method | macro-F1 | vs dictionary | " + " | ".join(f"F1 {t}" for t in tax.ids)
             + " | ECE | doc share MAE (count) | doc share MAE (prob) | whole-document share MAE (prob) |",
             "|" + " --- |" * (len(tax.ids) + 7)]
    base = results["dictionary (lexicon.yaml)"]["macro_f1"]
    for name, m in results.items():
        lines.append(f"| {name} | {m['macro_f1']} | {m['macro_f1'] - base:+.3f} | "
                     + " | ".join(str(m['per_theme'][t]['f1']) for t in tax.ids)
                     + f" | {m['ece']} | {m['doc_share_mae']} | {m.get('doc_share_mae_prob', '–')} | "
                     f"{m.get('whole_doc_share_mae_prob', '–')} |")
    (HERE / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

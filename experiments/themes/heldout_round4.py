"""The whole national reports of round 4, which no model had seen: the shipped themes-fast against
the same recipe trained on rounds 1–3 and on rounds 1–4 without those reports (issue #15).

    uv run python experiments/themes/heldout_round4.py --db corpus.duckdb [--candidate DIR]
Writes experiments/themes/heldout_round4.md/json.

Test set: every body sentence of the reports round 4 labelled in full (make_round4.py's
``whole-document`` sample), gold from rounds 1–4 (a few were labelled in round 1). Contenders,
each predicting with the neighbouring sentences as context (as ``apply`` does on a corpus DB):
- the shipped ``models/themes-fast`` (distilled, rounds 1–3);
- the themes-fast recipe (not distilled) fitted on rounds 1–3;
- the same recipe fitted on rounds 1–4 minus every sentence of the test reports (what round 4's
  other labels add), and that model pruned at ``--prune``;
- ``--candidate DIR``: another saved model that did not see the test reports.
Metrics: per theme P/R/F1, macro-F1, ECE, whole-document share MAE (decisions and probabilities).
"""

from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path

import numpy as np

from zonelens.taxonomy import load_taxonomy
from zonelens.themes.artifact import load_model
from zonelens.themes.metrics import theme_metrics
from zonelens.themes.model import ThemeClassifier
from zonelens.themes.prune import prune_estimator
from zonelens.themes.run import PRESETS
from zonelens.themes.features import features_for
from zonelens.themes.training import label_matrix, load_training_set

HERE = Path(__file__).parent
ANN = HERE.parents[1] / "labels" / "annotations"


def test_docs(annotations: Path) -> list[str]:
    docs = set()
    for f in sorted(annotations.glob("round4-*.jsonl")):
        for line in f.read_text("utf-8").splitlines():
            d = json.loads(line)
            if d.get("sample") == "whole-document":
                docs.add(d["ref"]["doc_id"])
    return sorted(docs)


def scores(model, rows, Y, themes) -> dict:
    proba = model.predict_proba(rows)
    pred = (proba >= model.thresholds_).astype(int)
    m = theme_metrics(Y, proba, pred, themes, rows["doc_id"].to_numpy(), rows["doc_complete"].to_numpy())
    return {k: m[k] for k in ("n_sentences", "n_documents", "macro_f1", "min_theme_f1", "ece",
                              "whole_doc_share_mae", "whole_doc_share_mae_prob", "per_theme")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--prune", type=float, default=0.05)
    ap.add_argument("--candidate", action="append", default=[], help="a saved model directory that never saw the test reports")
    ap.add_argument("--out", default=str(HERE / "heldout_round4"))
    a = ap.parse_args()
    tax = load_taxonomy()
    docs = test_docs(ANN)
    files_all = sorted(ANN.glob("round[1234]-*.jsonl"))
    files_old = sorted(ANN.glob("round[123]-*.jsonl"))
    gold, _ = load_training_set(files_all, a.db, tax)
    old, _ = load_training_set(files_old, a.db, tax)
    recipe = ThemeClassifier(themes=tax.ids, **PRESETS["themes-fast"])
    gold = features_for(gold, a.db, recipe)
    old = features_for(old, a.db, recipe)
    test = gold[gold["doc_id"].isin(docs)].reset_index(drop=True)
    Yt = label_matrix(test, tax.ids)
    res = {"test": {"documents": docs, "sentences": int(len(test)), "complete": bool(test["doc_complete"].all())}}
    shipped, _ = load_model("themes-fast", tax)
    res["shipped themes-fast (rounds 1-3, distilled)"] = scores(shipped, test, Yt, tax.ids)
    print(json.dumps({k: v.get("macro_f1") for k, v in res.items() if k != "test"}), flush=True)
    for path in a.candidate:
        model, _ = load_model(path, tax)
        res[f"candidate {Path(path).name}"] = scores(model, test, Yt, tax.ids)
    train_old = old[~old["doc_id"].isin(docs)]
    m13 = copy.deepcopy(recipe).fit(train_old, label_matrix(train_old, tax.ids), groups=train_old["doc_id"].to_numpy())
    res["recipe, rounds 1-3"] = scores(m13, test, Yt, tax.ids)
    print(json.dumps({k: v.get("macro_f1") for k, v in res.items() if k != "test"}), flush=True)
    train = gold[~gold["doc_id"].isin(docs)]
    m14 = copy.deepcopy(recipe).fit(train, label_matrix(train, tax.ids), groups=train["doc_id"].to_numpy())
    res["recipe, rounds 1-4 without the test reports"] = scores(m14, test, Yt, tax.ids)
    prune_estimator(m14, a.prune)
    res[f"same, pruned at {a.prune}"] = scores(m14, test, Yt, tax.ids)
    res["training sentences"] = {"rounds 1-3": int(len(train_old)), "rounds 1-4": int(len(train))}
    out = Path(a.out)
    out.with_suffix(".json").write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", "utf-8")
    out.with_suffix(".md").write_text(markdown(res, tax.ids), "utf-8")
    print(json.dumps({k: v.get("macro_f1") for k, v in res.items() if isinstance(v, dict) and "macro_f1" in v}))


def markdown(res: dict, themes) -> str:
    t = res["test"]
    lines = ["# Unseen whole national reports (round 4)", "",
             f"Produced by `experiments/themes/heldout_round4.py` (see its docstring). Test: {t['sentences']} "
             f"sentences, every body sentence of {len(t['documents'])} national reports ({', '.join(t['documents'])}), "
             f"none seen by any contender. Training sentences: {res['training sentences']}.", "",
             "| model | macro-F1 | min F1 | " + " | ".join(f"{x} P/R/F1" for x in themes)
             + " | ECE | whole-doc share MAE (decisions) | (probabilities) |", "|" + " --- |" * (6 + len(themes))]
    for name, m in res.items():
        if not isinstance(m, dict) or "macro_f1" not in m:
            continue
        cells = [name, f"{m['macro_f1']:.3f}", f"{m['min_theme_f1']:.3f}"]
        cells += [f"{m['per_theme'][x]['precision']:.2f}/{m['per_theme'][x]['recall']:.2f}/{m['per_theme'][x]['f1']:.3f}"
                  for x in themes]
        cells += [f"{m['ece']:.4f}", f"{m.get('whole_doc_share_mae', float('nan')):.4f}",
                  f"{m.get('whole_doc_share_mae_prob', float('nan')):.4f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()

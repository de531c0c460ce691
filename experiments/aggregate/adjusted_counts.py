"""Which share estimate is closest to the gold theme shares of held-out documents?

Grouped 5-fold cross-validation by document on the round-1 gold labels; for each held-out fold the
classifier never saw its documents. Per group of held-out sentences (one document; one corpus
source; one whole fold) and per theme we compare to the gold share:

- cc:   classify and count (share of sentences whose decision carries the theme)
- acc:  adjusted classify and count, (cc - fpr) / (tpr - fpr) clipped to [0, 1], with tpr/fpr
        estimated on the *other* folds' out-of-fold decisions (what a shipped model's CV gives)
- pcc:  probability averaging (mean calibrated probability)
- pacc: probability averaging adjusted with soft rates (mean probability among gold positives /
        negatives of the other folds), for reference

Reproduce (reads the labelling corpus read-only; themes-fast needs no embeddings, themes reads
the cached e5 vectors from the same database):
    uv run python experiments/aggregate/adjusted_counts.py --db /work/labelwork/corpus.duckdb \
        --preset themes-fast --preset themes
Writes experiments/aggregate/results.json and results.md.
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

from zonelens.taxonomy import load_taxonomy
from zonelens.themes.model import ThemeClassifier
from zonelens.themes.run import PRESETS
from zonelens.themes.training import label_matrix, load_training_set

HERE = Path(__file__).parent
METHODS = ("cc", "acc", "pcc", "pacc")


def cached_vectors(db: str, gold: pd.DataFrame) -> pd.DataFrame:
    """The e5 vectors already cached for the gold sentences (read-only; nothing is embedded here)."""
    con = duckdb.connect(db, read_only=True)
    try:
        con.register("keys", gold[["doc_id", "idx"]])
        vec = con.execute("""SELECT k.doc_id, k.idx, e.vec FROM keys k JOIN embeddings e
                             ON e.doc_id = k.doc_id AND e.idx = k.idx""").df()
    finally:
        con.close()
    out = gold.merge(vec, on=["doc_id", "idx"], how="left")
    if out["vec"].isna().any():
        raise SystemExit(f"{int(out['vec'].isna().sum())} gold sentences have no cached embedding in {db}")
    return out.assign(embedding=[np.asarray(v, dtype=np.float32) for v in out.pop("vec")])


def out_of_fold(model, gold, Y, groups, folds):
    proba = np.zeros(Y.shape)
    pred = np.zeros(Y.shape, dtype=int)
    fold = np.zeros(len(gold), dtype=int)
    for k, (tr, te) in enumerate(GroupKFold(n_splits=folds).split(gold, Y, groups)):
        m = clone(model).fit(gold.iloc[tr], Y[tr], groups=groups[tr])
        proba[te] = m.predict_proba(gold.iloc[te])
        pred[te] = (proba[te] >= m.thresholds_).astype(int)
        fold[te] = k
    return proba, pred, fold


def adjust(q, tpr, fpr):
    d = tpr - fpr
    return np.where(d > 1e-6, np.clip((q - fpr) / np.where(d > 1e-6, d, 1), 0, 1), q)


def estimates(Y, proba, pred, fold, groups_of) -> pd.DataFrame:
    """One row per (grouping, group, theme): gold share and each method's estimate."""
    rows = []
    for k in np.unique(fold):
        other, this = fold != k, fold == k
        pos, neg = Y[other] == 1, Y[other] == 0
        tpr = (pred[other] * pos).sum(0) / np.maximum(pos.sum(0), 1)
        fpr = (pred[other] * neg).sum(0) / np.maximum(neg.sum(0), 1)
        stpr = (proba[other] * pos).sum(0) / np.maximum(pos.sum(0), 1)
        sfpr = (proba[other] * neg).sum(0) / np.maximum(neg.sum(0), 1)
        for grouping, labels in groups_of.items():
            lab = labels[this]
            for g in np.unique(lab):
                m = np.flatnonzero(this)[lab == g]
                cc, pcc = pred[m].mean(0), proba[m].mean(0)
                est = {"cc": cc, "acc": adjust(cc, tpr, fpr), "pcc": pcc, "pacc": adjust(pcc, stpr, sfpr)}
                for j in range(Y.shape[1]):
                    rows.append({"grouping": grouping, "group": f"{k}:{g}", "theme": j, "n": len(m),
                                 "gold": Y[m, j].mean(), **{meth: est[meth][j] for meth in METHODS}})
    return pd.DataFrame(rows)


def score(est: pd.DataFrame, themes) -> dict:
    out = {}
    for grouping, g in est.groupby("grouping", sort=False):
        res = {"groups": int(g["group"].nunique()), "mean_sentences": round(float(g.drop_duplicates("group")["n"].mean()), 1)}
        for meth in METHODS:
            err = g[meth] - g["gold"]
            res[meth] = {"mae": round(float(err.abs().mean()), 4), "bias": round(float(err.mean()), 4),
                         "rmse": round(float(np.sqrt((err ** 2).mean())), 4),
                         "mae_per_theme": {themes[j]: round(float(e.abs().mean()), 4)
                                           for j, e in err.groupby(g["theme"])}}
        out[grouping] = res
    return out


def markdown(results: dict) -> str:
    lines = ["# Share estimators vs gold shares on held-out documents", "",
             "Grouped 5-fold CV by document on the round-1 gold labels (3,425 sentences, 203 documents). "
             "Error = estimate − gold share of the same held-out sentences, averaged over groups × themes. "
             "Produced by `experiments/aggregate/adjusted_counts.py`.", ""]
    for preset, r in results.items():
        lines += [f"## {preset} (CV in {r['seconds']} s)", "",
                  "| held-out group | groups | sentences/group | " + " | ".join(f"{m} MAE" for m in METHODS)
                  + " | " + " | ".join(f"{m} bias" for m in METHODS) + " |",
                  "|" + " --- |" * (3 + 2 * len(METHODS))]
        for grouping, s in r["scores"].items():
            lines.append(f"| {grouping} | {s['groups']} | {s['mean_sentences']} | "
                         + " | ".join(str(s[m]["mae"]) for m in METHODS) + " | "
                         + " | ".join(f"{s[m]['bias']:+.4f}" for m in METHODS) + " |")
        lines.append("")
    lines += ["Closest overall (lowest MAE summed over groupings, all presets): "
              f"**{best(results)}**.", ""]
    return "\n".join(lines)


def best(results: dict) -> str:
    tot = {m: sum(s[m]["mae"] for r in results.values() for s in r["scores"].values()) for m in ("acc", "pcc")}
    return min(tot, key=tot.get)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True, help="corpus DB the gold labels resolve against (opened read-only)")
    ap.add_argument("--labels", default=str(HERE.parents[1] / "labels" / "annotations"))
    ap.add_argument("--preset", action="append", choices=list(PRESETS), help="classifier preset(s)")
    ap.add_argument("--folds", type=int, default=5)
    a = ap.parse_args()
    tax = load_taxonomy()
    gold, data_hash = load_training_set([a.labels], a.db, tax)
    Y = label_matrix(gold, tax.ids)
    docs = gold["doc_id"].to_numpy()
    source = np.array([s.split("/")[0] if s.startswith("seeds") else "/".join(s.split("#")[0].split("/")[:2])
                       for s in gold["source"].astype(str)])
    groups_of = {"document": docs, "corpus source": source, "fold": np.zeros(len(gold), dtype=int)}
    results = {}
    for preset in a.preset or ["themes-fast"]:
        params = PRESETS[preset]
        data = cached_vectors(a.db, gold) if params.get("use_embeddings") else gold
        t = time.time()
        proba, pred, fold = out_of_fold(ThemeClassifier(themes=tax.ids, **params), data, Y, docs, a.folds)
        secs = round(time.time() - t)
        est = estimates(Y, proba, pred, fold, groups_of)
        results[preset] = {"seconds": secs, "data_hash": data_hash, "scores": score(est, list(tax.ids))}
        print(preset, json.dumps({g: {m: s[m]["mae"] for m in METHODS} for g, s in results[preset]["scores"].items()}),
              flush=True)
    (HERE / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    (HERE / "results.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))


if __name__ == "__main__":
    main()

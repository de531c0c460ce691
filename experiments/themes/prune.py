"""Prune a saved n-gram theme model (themes-fast) by weight, and measure what it costs (issue #17, 5).

    uv run python experiments/themes/prune.py models/themes-fast --scan 0.01,0.02,0.05   # terms kept
    uv run python experiments/themes/prune.py models/themes-fast --min-weight 0.02 --out /tmp/pruned \
        --db corpus.duckdb --cv --agree 20000
    uv run python experiments/themes/prune.py models/themes-fast --min-weight 0.02    # in place

Pruning (zonelens.themes.prune) drops the terms whose weight is below ``--min-weight`` for every
theme from the estimator and the compiled form together (they still agree to 1e-6) and records
``params.min_weight`` and ``pruning`` in meta.json. Measures, written to experiments/themes/prune.md/json:
- ``--cv``: grouped k-fold CV by document of the model's recipe (its meta.json params, without
  distillation: a distilled student's CV needs the teacher's e5 features) with and without pruning,
  on the same folds;
- ``--agree N``: the pruned model against the unpruned one on N real city-2024 body sentences
  of the DB: sentences whose theme set changes, mean |Δp|, and per-theme share of sentences.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np

from zonelens.taxonomy import load_taxonomy
from zonelens.themes.artifact import load_for_inference, load_model
from zonelens.themes.prune import prune_model_dir, weight_matrix

HERE = Path(__file__).parent


def scan(model_dir: Path, weights: list[float]) -> list[dict]:
    model, _ = load_model(model_dir, load_taxonomy())
    w = np.abs(weight_matrix(model)).max(axis=1)
    sizes = [len(v.vocabulary_) for v in model.vectorizers_.values()]
    bounds = np.cumsum([0] + sizes)
    return [{"min_weight": t, "terms": {name: int((w[bounds[k]:bounds[k + 1]] >= t).sum())
                                        for k, name in enumerate(model.vectorizers_)}} for t in weights]


def grouped_cv_pair(model_dir: Path, db: str, min_weight: float, folds: int) -> dict:
    from zonelens.themes.model import ThemeClassifier
    from zonelens.themes.features import features_for
    from zonelens.themes.training import grouped_cv, load_training_set

    tax = load_taxonomy()
    _, meta = load_model(model_dir, tax)
    params = {k: v for k, v in meta["params"].items() if k not in ("themes", "min_weight")}
    gold, data_hash = load_training_set([HERE.parents[1] / "labels" / "annotations"], db, tax)
    out = {"data_hash": data_hash, "sentences": int(len(gold)), "folds": folds, "params": params}
    for label, w in (("unpruned", 0.0), (f"min_weight {min_weight}", min_weight)):
        model = ThemeClassifier(themes=tax.ids, **params, min_weight=w)
        m, _ = grouped_cv(model, features_for(gold, db, model), tax.ids, folds)
        out[label] = {k: m[k] for k in ("macro_f1", "min_theme_f1", "ece", "doc_share_mae")}
        out[label]["f1"] = {t: v["f1"] for t, v in m["per_theme"].items()}
        print(label, out[label]["macro_f1"], flush=True)
    return out


def agreement(before: Path, after: Path, db: str, n: int) -> dict:
    import duckdb

    con = duckdb.connect(db, read_only=True)
    texts = [r[0] for r in con.execute("""SELECT s.text FROM sentences s JOIN documents d USING (doc_id)
        WHERE NOT s.is_heading AND d.path LIKE '%city-2024/txt%' ORDER BY d.path, s.idx LIMIT ?""", [n]).fetchall()]
    con.close()
    m0, m1 = load_for_inference(before), load_for_inference(after)
    p0, p1 = m0.predict_proba(texts), m1.predict_proba(texts)
    d0, d1 = p0 >= m0.thresholds_, p1 >= m1.thresholds_
    return {"sentences": len(texts), "theme_set_changed": round(float((d0 != d1).any(axis=1).mean()), 4),
            "mean_abs_dp": round(float(np.abs(p0 - p1).mean()), 5),
            "share_before": dict(zip(m0.themes, np.round(d0.mean(axis=0), 4).tolist())),
            "share_after": dict(zip(m1.themes, np.round(d1.mean(axis=0), 4).tolist()))}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model", help="model directory (e.g. models/themes-fast)")
    ap.add_argument("--min-weight", type=float)
    ap.add_argument("--out", help="write the pruned model here (default: in place)")
    ap.add_argument("--scan", help="comma-separated weights: print the terms each would keep, prune nothing")
    ap.add_argument("--db", help="corpus DB (for --cv and --agree)")
    ap.add_argument("--cv", action="store_true")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--agree", type=int, default=0, metavar="N")
    ap.add_argument("--results", default=str(HERE / "prune"), help="writes RESULTS.json and RESULTS.md")
    a = ap.parse_args()
    src = Path(a.model)
    if a.scan:
        for row in scan(src, [float(x) for x in a.scan.split(",")]):
            print(json.dumps(row))
        return
    if a.min_weight is None:
        ap.error("--min-weight is required (or --scan)")
    res: dict = {"model": src.name, "min_weight": a.min_weight}
    with tempfile.TemporaryDirectory() as tmp:
        before = Path(tmp) / src.name
        shutil.copytree(src, before)
        out, stats = prune_model_dir(src, a.min_weight, a.out)
        res["terms"] = stats
        res["bytes"] = {f: {"before": (before / f).stat().st_size, "after": (out / f).stat().st_size}
                        for f in ("model.joblib", "compiled.npz", "compiled.json")}
        print(json.dumps(res))
        if a.agree:
            res["agreement"] = agreement(before, out, a.db, a.agree)
            print(json.dumps(res["agreement"]))
    if a.cv:
        res["cv"] = grouped_cv_pair(src if a.out else out, a.db, a.min_weight, a.folds)
    Path(a.results).with_suffix(".json").write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", "utf-8")
    Path(a.results).with_suffix(".md").write_text(markdown(res), "utf-8")


def markdown(res: dict) -> str:
    lines = [f"# Pruning {res['model']} at min_weight {res['min_weight']}", "",
             "Produced by `experiments/themes/prune.py` (see its docstring).", "", "| block | terms before | after |",
             "| --- | --- | --- |"]
    lines += [f"| {b} | {v['before']:,} | {v['after']:,} |" for b, v in res["terms"].items()]
    lines += ["", "| file | bytes before | after |", "| --- | --- | --- |"]
    lines += [f"| {f} | {v['before']:,} | {v['after']:,} |" for f, v in res["bytes"].items()]
    if "agreement" in res:
        g = res["agreement"]
        lines += ["", f"Pruned vs unpruned on {g['sentences']:,} real city-2024 sentences: theme set changed for "
                      f"{g['theme_set_changed']:.2%} of sentences, mean |Δp| {g['mean_abs_dp']}.", "",
                  "| theme | share before | after |", "| --- | --- | --- |"]
        lines += [f"| {t} | {g['share_before'][t]} | {g['share_after'][t]} |" for t in g["share_before"]]
    if "cv" in res:
        c = res["cv"]
        keys = [k for k in c if k.startswith(("unpruned", "min_weight"))]
        themes = list(c[keys[0]]["f1"])
        lines += ["", f"Grouped {c['folds']}-fold CV by document, the model's recipe without distillation "
                      f"({c['sentences']} gold sentences, data hash {c['data_hash']}):", "",
                  "| model | macro-F1 | min F1 | " + " | ".join(themes) + " | ECE | doc share MAE |",
                  "|" + " --- |" * (5 + len(themes))]
        lines += [f"| {k} | {c[k]['macro_f1']} | {c[k]['min_theme_f1']} | "
                  + " | ".join(str(c[k]["f1"][t]) for t in themes) + f" | {c[k]['ece']} | {c[k]['doc_share_mae']} |"
                  for k in keys]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()

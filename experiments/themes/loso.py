"""Leave-one-source-out evaluation beside grouped CV (issue #15, step 1): the figure that predicts
a new user's corpus.

Reproduce (corpus DB as in baselines.py):
    uv run python experiments/themes/loso.py --db corpus.duckdb --rounds 1,2,3 --tag "rounds 1-3"
Writes experiments/themes/loso.json (one entry per tag and model, merged with what is there) and
loso.md (all of it as tables).

For each model recipe (the `zonelens train` presets, e.g. themes-fast; `themes` needs the e5
embedding of every gold sentence, cached in the DB):
- **grouped CV**: GroupKFold by document over all gold sentences (pooled metrics, and the same
  out-of-fold predictions restricted to each corpus);
- **LOSO**: for each corpus (city-2024, national, shanghai, seeds), fit on the other three and
  predict it (thresholds chosen in-fold on the training corpora, as `train` does; the same
  splits as `zonelens.themes.training.leave_one_source_out`); metrics per held-out corpus and
  pooled over the four.
- ``--earlier-rounds 1,2,3``: the same predictions scored on the earlier rounds' labels and on the
  newer ones apart (the earlier-label rows compare with a run on the earlier rounds alone);
- ``--prune W``: every fit also pruned at min_weight W (zonelens.themes.prune), scored alike.
The gap between a corpus's CV row and its LOSO row is the cost of never having seen its style.
Metrics: per theme P/R/F1, macro-F1, min theme F1, ECE, per-document share MAE (decisions) and
the same on documents labelled in full (whole-document share MAE). Distillation is not part of
the recipe here (a distilled student's CV needs the teacher refitted per fold).
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import GroupKFold

from zonelens.taxonomy import load_taxonomy
from zonelens.themes.metrics import theme_metrics
from zonelens.themes.model import ThemeClassifier
from zonelens.themes.prune import prune_estimator
from zonelens.themes.run import PRESETS
from zonelens.themes.features import features_for
from zonelens.themes.training import label_matrix, load_training_set, source_group

HERE = Path(__file__).parent
KEEP = ("n_sentences", "n_documents", "macro_f1", "min_theme_f1", "ece", "doc_share_mae", "n_whole_documents",
        "whole_doc_share_mae", "per_theme")


def slim(m: dict) -> dict:
    out = {k: m[k] for k in KEEP if k in m}
    out["per_theme"] = {t: {k: v[k] for k in ("precision", "recall", "f1", "support")} for t, v in m["per_theme"].items()}
    return out


def label_paths(labels: str, rounds: str | None) -> list[Path]:
    p = Path(labels)
    files = sorted(p.glob("*.jsonl")) if p.is_dir() else [p]
    if rounds:
        keep = {f"round{r.strip()}-" for r in rounds.split(",")}
        files = [f for f in files if any(f.name.startswith(k) for k in keep)]
    return files


def fit_predict(model, gold, Y, splits, prune=(), groups=None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Out-of-split probabilities and decisions of clones of ``model`` (key ""); for each weight W
    in ``prune`` also those of every fitted clone pruned at W (key "pruned W"; the same fits:
    pruning acts after the fit). ``groups`` (default: each row's document) decide the model's own
    inner splits (thresholds, calibration, a stacked head)."""
    prune = (prune,) if isinstance(prune, (int, float)) and prune else tuple(prune or ())
    groups = gold["doc_id"].to_numpy() if groups is None else np.asarray(groups)
    out = {k: (np.zeros(Y.shape), np.zeros(Y.shape, dtype=int)) for k in ["", *(f"pruned {w}" for w in prune)]}
    for tr, te in splits:
        m = clone(model).fit(gold.iloc[tr], Y[tr], groups=groups[tr])
        fitted = {"": m}
        for w in prune:
            fitted[f"pruned {w}"] = copy.deepcopy(m)
            prune_estimator(fitted[f"pruned {w}"], w)
        for name, f in fitted.items():
            proba, pred = out[name]
            proba[te] = f.predict_proba(gold.iloc[te])
            pred[te] = (proba[te] >= f.thresholds_).astype(int)
    return out


def metrics_by(Y, proba, pred, themes, groups, complete, subsets: dict[str, np.ndarray]) -> dict:
    out = {"pooled": slim(theme_metrics(Y, proba, pred, themes, groups, complete))}
    for n, m in subsets.items():
        if m.any():
            out[n] = slim(theme_metrics(Y[m], proba[m], pred[m], themes, groups[m], complete[m]))
    return out


NATURAL = ("random", "seed", "whole-document")  # drawn without looking at the text or a model


def natural_sample(gold) -> np.ndarray:
    """Whether each gold sentence was drawn as a *natural* sample (at random, a seed document, a
    whole document; the ``sample`` the labelling script recorded) rather than a targeted one (by
    keywords, or where a model was unsure): the natural rows have the theme mix of real reports, so
    their figures are the ones a user's corpus gets; the targeted rows over-represent hard cases by
    design."""
    kind = gold["sample"].fillna("").astype(str).str.split(":").str[0]
    return kind.isin(NATURAL).to_numpy()


def subsets_of(gold, old: np.ndarray | None = None, natural: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The row subsets every evaluation is also scored on: each corpus; with ``old`` the earlier and
    the newer labels; with ``natural`` the natural and the targeted rows, and each corpus's natural rows."""
    src = np.array([source_group(s) for s in gold["source"]])
    names = sorted(set(src))
    subsets = {n: src == n for n in names}
    if old is not None:
        subsets.update({"earlier labels": old, "new labels": ~old})
    if natural is not None:
        subsets.update({"natural sample": natural, "targeted sample": ~natural})
        subsets.update({f"{n}, natural": (src == n) & natural for n in names})
    return subsets


def evaluate(model: ThemeClassifier, gold, themes, folds: int, old: np.ndarray | None = None,
             prune: float = 0.0, inner: str = "document", cv: bool = True, natural: np.ndarray | None = None,
             keep: dict | None = None) -> dict:
    """Grouped CV and LOSO; metrics pooled, per corpus and (with ``old``, the rows labelled in an
    earlier set of rounds) on the earlier and the newer labels apart. ``inner="source"``: the
    model's inner splits hold out whole sources (corpora) instead of documents. ``cv=False``: LOSO only.
    ``natural`` (see natural_sample): also the natural and the targeted rows apart, and the natural
    rows of each corpus. ``keep``: a dict that receives the out-of-split probabilities and decisions."""
    Y = label_matrix(gold, themes)
    groups = gold["doc_id"].to_numpy()
    complete = gold["doc_complete"].to_numpy()
    src = np.array([source_group(s) for s in gold["source"]])
    names = sorted(set(src))
    subsets = subsets_of(gold, old, natural)
    fit_groups = src if inner == "source" else groups
    t0 = time.time()
    cvp = (fit_predict(model, gold, Y, GroupKFold(n_splits=folds).split(gold, Y, groups), prune, fit_groups)
           if cv else None)
    t1 = time.time()
    lo = fit_predict(model, gold, Y, [(np.flatnonzero(src != n), np.flatnonzero(src == n)) for n in names], prune,
                     fit_groups)
    if keep is not None:
        keep.update({"loso": lo[""], **({"cv": cvp[""]} if cv else {})})
    r = {"cv": metrics_by(Y, *cvp[""], themes, groups, complete, subsets) if cv else None,
         "loso": metrics_by(Y, *lo[""], themes, groups, complete, subsets),
         "folds": folds, "inner": inner, "seconds": {"cv": round(t1 - t0), "loso": round(time.time() - t1)}}
    if prune:
        old_new = {k: v for k, v in subsets.items() if k in ("earlier labels", "new labels")}
        k = f"pruned {prune}"
        r["pruned"] = {"min_weight": prune, "cv": metrics_by(Y, *cvp[k], themes, groups, complete, old_new),
                       "loso": metrics_by(Y, *lo[k], themes, groups, complete, old_new)}
    return r


def row(name: str, m: dict, themes) -> str:
    cells = [name, str(m["n_sentences"]), str(m["n_documents"]), f"{m['macro_f1']:.3f}", f"{m['min_theme_f1']:.3f}"]
    cells += [f"{m['per_theme'][t]['precision']:.2f}/{m['per_theme'][t]['recall']:.2f}/{m['per_theme'][t]['f1']:.3f}"
              for t in themes]
    whole = m.get("whole_doc_share_mae")
    cells += [f"{m['ece']:.4f}", f"{m['doc_share_mae']:.4f}",
              "–" if whole is None else f"{whole:.4f} ({m['n_whole_documents']})"]
    return "| " + " | ".join(cells) + " |"


def markdown(results: dict, themes) -> str:
    head = ("| evaluation | sentences | docs | macro-F1 | min F1 | "
            + " | ".join(f"{t} P/R/F1" for t in themes)
            + " | ECE | doc share MAE | whole-doc share MAE (docs) |\n|" + " --- |" * (8 + len(themes)))
    out = ["# Leave-one-source-out vs grouped CV (theme models)", "",
           "Produced by `experiments/themes/loso.py` (see its docstring for the design). LOSO: fit on the other "
           "corpora, test on the one named; CV rows restricted to a corpus use the grouped-CV out-of-fold "
           "predictions of its sentences. P/R/F1 per theme; share MAE per document over all themes.", ""]
    for tag, models in results.items():
        for name, r in models.items():
            out += [f"## {name} — {tag}", "", f"Labels: {r['labels']}; data hash {r['data_hash']}; recipe "
                    f"`{json.dumps(r['params'], ensure_ascii=False)}`; grouped {r['folds']}-fold CV "
                    f"({r['seconds']['cv']} s) and LOSO ({r['seconds']['loso']} s), machine shared.", "", head]
            if r["cv"]:
                out.append(row("grouped CV, all", r["cv"]["pooled"], themes))
            out.append(row("**LOSO, pooled**", r["loso"]["pooled"], themes))
            for n in [k for k in r["loso"] if k != "pooled"]:
                if r["cv"]:
                    out.append(row(f"{n}: CV", r["cv"][n], themes))
                out.append(row(f"{n}: **LOSO**", r["loso"][n], themes))
            if "pruned" in r:
                pr = r["pruned"]
                out += ["", f"Pruned at min_weight {pr['min_weight']} (the same fits, pruned after fitting):", "", head]
                for n in pr["cv"]:
                    out.append(row(f"pruned, {n}: CV", pr["cv"][n], themes))
                    out.append(row(f"pruned, {n}: **LOSO**", pr["loso"][n], themes))
            out.append("")
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--labels", default=str(HERE.parents[1] / "labels" / "annotations"))
    ap.add_argument("--rounds", help="only these annotation rounds, e.g. 1,2,3 (default: every file)")
    ap.add_argument("--models", nargs="+", default=["themes-fast"], choices=sorted(PRESETS))
    ap.add_argument("--params", default="{}", help="JSON overriding the recipe's parameters")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--earlier-rounds", help="report the labels of these rounds (e.g. 1,2,3) and the others apart")
    ap.add_argument("--prune", type=float, default=0.0, help="also evaluate each fit pruned at this min_weight")
    ap.add_argument("--tag", default="current labels")
    ap.add_argument("--out", default=str(HERE / "loso"), help="writes OUT.json and OUT.md")
    a = ap.parse_args()
    tax = load_taxonomy()
    files = label_paths(a.labels, a.rounds)
    gold, data_hash = load_training_set(files, a.db, tax)
    old = None
    if a.earlier_rounds:
        before, _ = load_training_set(label_paths(a.labels, a.earlier_rounds), a.db, tax)
        seen = set(zip(before["doc_id"], before["idx"].astype(int)))
        old = np.array([(d, int(i)) in seen for d, i in zip(gold["doc_id"], gold["idx"])])
    out = Path(a.out)
    results = json.loads(out.with_suffix(".json").read_text("utf-8")) if out.with_suffix(".json").exists() else {}
    for name in a.models:
        params = {**PRESETS[name], **json.loads(a.params)}
        model = ThemeClassifier(themes=tax.ids, **params)
        rows = features_for(gold, a.db, model)
        r = evaluate(model, rows, tax.ids, a.folds, old, a.prune)
        r.update(labels=f"{len(files)} files ({a.rounds and 'rounds ' + a.rounds or 'all rounds'}), "
                        f"{len(gold)} sentences, {gold['doc_id'].nunique()} documents",
                 data_hash=data_hash, params=params)
        results.setdefault(a.tag, {})[name] = r
        out.with_suffix(".json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", "utf-8")
        out.with_suffix(".md").write_text(markdown(results, tax.ids), "utf-8")
        print(f"{name} [{a.tag}]: CV {r['cv']['pooled']['macro_f1']:.4f}, LOSO pooled {r['loso']['pooled']['macro_f1']:.4f}, "
              + ", ".join(f"{n} {v['macro_f1']:.3f}" for n, v in r["loso"].items() if n != "pooled"))


if __name__ == "__main__":
    main()

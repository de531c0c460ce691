"""Paired document-bootstrap comparison of theme-model variants from their saved out-of-split
predictions (plateau.py --predictions DIR): is a difference in macro-F1 larger than the noise?

    uv run python experiments/themes/compare.py --db corpus.duckdb --predictions DIR \\
        --base e5 --variants fast 'lr(e5,fast)' 'mean(e5,fast)' 'distil(e5>fast)' [--out compare.md]

For each evaluation (grouped CV, LOSO) and subset (all rows, the natural sample), the macro-F1 of
the base and of each variant and the variant-minus-base difference with a 95% interval from 2,000
bootstrap resamples of *documents* (the same resampled documents for both models, so the
interval is of the paired difference; sentences of one document are not independent). Then, per
model, the theme shares of the natural-sample rows as a user would publish them: the gold share,
the share of sentences decided for the theme, and the mean probability (what ``share_prob`` and
the prevalence-corrected shares of `zonelens export` build on).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from loso import label_paths, natural_sample  # noqa: E402

from zonelens.taxonomy import load_taxonomy  # noqa: E402
from zonelens.themes.training import label_matrix, load_training_set  # noqa: E402


def macro_f1(Y: np.ndarray, P: np.ndarray) -> float:
    tp = (Y & P).sum(0)
    fp = ((1 - Y) & P).sum(0)
    fn = (Y & (1 - P)).sum(0)
    return float(np.mean(2 * tp / np.maximum(2 * tp + fp + fn, 1)))


def paired(Y, A, B, docs, n_boot: int = 2000, seed: int = 0) -> tuple[float, float, float, float, float]:
    """(F1 of A, F1 of B, B−A, low, high): the 95% interval of B−A over document resamples (each
    resample's tp/fp/fn are the sums of the drawn documents' own counts)."""
    rng = np.random.default_rng(seed)
    uniq, inv = np.unique(docs, return_inverse=True)

    def per_doc(P):  # (docs, 3, themes): tp, fp, fn of each document
        out = np.zeros((len(uniq), 3, Y.shape[1]))
        for k, m in enumerate(((Y & P), ((1 - Y) & P), (Y & (1 - P)))):
            np.add.at(out[:, k], inv, m)
        return out

    draws = rng.multinomial(len(uniq), np.full(len(uniq), 1 / len(uniq)), size=n_boot)  # (boot, docs)

    def f1s(stats):
        tp, fp, fn = (np.tensordot(draws, stats[:, k], axes=1) for k in range(3))
        return (2 * tp / np.maximum(2 * tp + fp + fn, 1)).mean(axis=1)

    diffs = f1s(per_doc(B)) - f1s(per_doc(A))
    a, b = macro_f1(Y, A), macro_f1(Y, B)
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    return a, b, b - a, float(lo), float(hi)


def fname(variant: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", variant) + ".npz"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--labels", default=str(HERE.parents[1] / "labels" / "annotations"))
    ap.add_argument("--predictions", nargs="+", required=True, help="folders of VARIANT.npz")
    ap.add_argument("--base", default="e5")
    ap.add_argument("--variants", nargs="+", required=True)
    ap.add_argument("--out", default=str(HERE / "compare.md"))
    a = ap.parse_args()
    tax = load_taxonomy()
    files = label_paths(a.labels, None)
    gold, data_hash = load_training_set(files, a.db, tax)
    Y = label_matrix(gold, tax.ids).astype(int)
    natural = natural_sample(gold)
    key = {(d, int(i)): k for k, (d, i) in enumerate(zip(gold["doc_id"], gold["idx"]))}

    def load(variant: str) -> dict:
        path = next((Path(p) / fname(variant) for p in a.predictions if (Path(p) / fname(variant)).exists()), None)
        if path is None:
            raise SystemExit(f"no predictions for {variant} in {a.predictions}")
        z = np.load(path)
        if len(z["doc_id"]) != len(Y) or any((d, int(i)) not in key for d, i in zip(z["doc_id"], z["idx"])):
            raise SystemExit(f"{path}: its {len(z['doc_id'])} rows are not the {len(Y)} gold sentences of these "
                             "labels on this DB (predictions of other labels?)")
        order = np.array([key[(d, int(i))] for d, i in zip(z["doc_id"], z["idx"])])
        out = {}
        for ev in ("cv", "loso"):
            if f"{ev}_pred" in z:
                pred = np.zeros_like(Y)
                pred[order] = z[f"{ev}_pred"]
                proba = np.zeros(Y.shape)
                proba[order] = z[f"{ev}_proba"]
                out[ev] = pred
                out[ev + "_proba"] = proba
        return out

    base = load(a.base)
    docs = gold["doc_id"].to_numpy()
    lines = ["# Paired comparison of theme-model variants", "",
             f"`experiments/themes/compare.py` (see its docstring): data hash {data_hash}, {len(gold)} sentences, "
             f"{gold['doc_id'].nunique()} documents ({int(natural.sum())} sentences in the natural sample). Base: "
             f"`{a.base}`. Δ = variant − base macro-F1, with the 95% interval of the paired difference over 2,000 "
             "bootstrap resamples of documents.", "",
             "| variant | evaluation | subset | base F1 | variant F1 | Δ | 95% interval |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for v in a.variants:
        other = load(v)
        for ev in ("cv", "loso"):
            if ev not in other or ev not in base:
                continue
            for sub, m in (("all", np.ones(len(Y), bool)), ("natural", natural)):
                f_a, f_b, d, lo, hi = paired(Y[m], base[ev][m], other[ev][m], docs[m])
                lines.append(f"| {v} | {ev.upper()} | {sub} | {f_a:.4f} | {f_b:.4f} | {d:+.4f} | [{lo:+.4f}, {hi:+.4f}] |")
    lines += ["", "Theme shares of the natural-sample sentences (gold / decided / mean probability), in %:", "",
              "| model | evaluation | " + " | ".join(tax.ids) + " |", "|" + " --- |" * (2 + len(tax.ids))]
    for v in [a.base, *a.variants]:
        got = load(v)
        for ev in ("cv", "loso"):
            if ev in got:
                cells = [f"{100 * Y[natural, j].mean():.1f} / {100 * got[ev][natural, j].mean():.1f} / "
                         f"{100 * got[ev + '_proba'][natural, j].mean():.1f}" for j in range(len(tax.ids))]
                lines.append(f"| {v} | {ev.upper()} | " + " | ".join(cells) + " |")
    Path(a.out).write_text("\n".join(lines) + "\n", "utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

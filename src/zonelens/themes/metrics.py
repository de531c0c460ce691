"""Metrics for multi-label theme predictions: per-theme P/R/F1, macro-F1, the confusion between
primary themes, expected calibration error and the per-document theme-share error."""

from __future__ import annotations

import numpy as np


def prf(y: np.ndarray, p: np.ndarray) -> dict:
    tp = int((y & p).sum())
    fp = int(((1 - y) & p).sum())
    fn = int((y & (1 - p)).sum())
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    neg = int((1 - y).sum())
    # tpr/fpr feed the prevalence correction (adjusted classify-and-count) in aggregation.
    return {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4), "support": int(y.sum()),
            "tp": tp, "fp": fp, "fn": fn, "tpr": round(rec, 4), "fpr": round(fp / neg, 4) if neg else 0.0}


def ece(y: np.ndarray, proba: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error over all (sentence, theme) probabilities, equal-width bins."""
    y, proba = y.ravel(), proba.ravel()
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (proba >= lo) & ((proba < hi) if hi < 1 else (proba <= hi))
        if m.any():
            total += m.sum() * abs(proba[m].mean() - y[m].mean())
    return round(total / len(y), 4)


def primary_of(matrix: np.ndarray, scores: np.ndarray, themes) -> list[str]:
    out = []
    for row, s in zip(matrix, scores):
        on = np.flatnonzero(row)
        out.append(themes[on[np.argmax(s[on])]] if len(on) else "other")
    return out


def share_error(Y: np.ndarray, pred: np.ndarray, groups: np.ndarray) -> float:
    """Mean over documents and themes of |predicted share − true share| of the document's sentences."""
    errs = []
    for g in np.unique(groups):
        m = groups == g
        errs.append(np.abs(pred[m].mean(axis=0) - Y[m].mean(axis=0)))
    return round(float(np.mean(errs)), 4)


def theme_metrics(Y: np.ndarray, proba: np.ndarray, pred: np.ndarray, themes, groups: np.ndarray,
                  complete: np.ndarray | None = None) -> dict:
    """``complete`` marks sentences of documents labelled in full: their share error is the error on
    the whole document's shares (what aggregation reports), not on a sample of its sentences."""
    themes = list(themes)
    per = {t: prf(Y[:, j], pred[:, j]) for j, t in enumerate(themes)}
    gold_primary = primary_of(Y, proba, themes)
    pred_primary = primary_of(pred, proba, themes)
    labels = themes + ["other"]
    confusion = {g: {p: 0 for p in labels} for g in labels}
    for g, p in zip(gold_primary, pred_primary):
        confusion[g][p] += 1
    whole = {}
    if complete is not None and np.any(complete):
        c = np.asarray(complete, dtype=bool)
        whole = {"n_whole_documents": int(len(np.unique(groups[c]))),
                 "whole_doc_share_mae": share_error(Y[c], pred[c], groups[c]),
                 "whole_doc_share_mae_prob": share_error(Y[c], proba[c], groups[c])}
    return {
        "n_sentences": int(len(Y)),
        "n_documents": int(len(np.unique(groups))),
        "per_theme": per,
        "macro_f1": round(float(np.mean([v["f1"] for v in per.values()])), 4),
        "min_theme_f1": round(float(min(v["f1"] for v in per.values())), 4),
        "ece": ece(Y, proba),
        "doc_share_mae": share_error(Y, pred, groups),
        "doc_share_mae_prob": share_error(Y, proba, groups),
        **whole,
        "primary_confusion": confusion,
    }

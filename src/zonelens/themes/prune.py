"""Vocabulary pruning by weight: drop the n-gram terms whose logistic-regression weight is below
``min_weight`` (in absolute value) for every theme, from the fitted vectorizers and the
regressions together, so the estimator and its compiled form stay one model.

A dropped term no longer counts in its block's l2 norm either, so probabilities move slightly
(not only by the dropped weights); grouped CV with ``ThemeClassifier(min_weight=…)`` measures
what that costs (``experiments/themes/prune.py --cv``). Fewer terms make the compiled lookup
faster and the model files smaller.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def weight_matrix(model) -> np.ndarray:
    """(n_features, n_themes) logistic-regression weights, zeros for a constant theme."""
    cols = [np.zeros(model.n_features_) if isinstance(lr, float) else np.asarray(lr.coef_[0])
            for lr in model.models_]
    return np.column_stack(cols)


def prune_estimator(model, min_weight: float) -> dict:
    """Prune a fitted :class:`~zonelens.themes.model.ThemeClassifier` in place; returns the
    number of terms per block before and after."""
    if getattr(model, "use_embeddings", False) or getattr(model, "context_weight", 0.0):
        raise ValueError("pruning acts on n-gram terms: a model with embedding features is not pruned")
    keep = np.abs(weight_matrix(model)).max(axis=1) >= min_weight
    stats, off = {}, 0
    for name, vec in model.vectorizers_.items():
        n = len(vec.vocabulary_)
        kept = keep[off:off + n]
        new_col = np.cumsum(kept) - 1
        idf = np.asarray(vec.idf_)
        vec.vocabulary_ = {t: int(new_col[c]) for t, c in vec.vocabulary_.items() if kept[c]}
        vec.idf_ = idf[kept]
        if hasattr(vec, "_tfidf") and hasattr(vec._tfidf, "n_features_in_"):
            vec._tfidf.n_features_in_ = int(kept.sum())
        stats[name] = {"before": int(n), "after": int(kept.sum())}
        off += n
    for lr in model.models_:
        if not isinstance(lr, float):
            lr.coef_ = np.ascontiguousarray(lr.coef_[:, keep])
            lr.n_features_in_ = int(keep.sum())
    model.n_features_ = int(keep.sum())
    return stats


def prune_model_dir(model_dir, min_weight: float, out=None, taxonomy=None) -> tuple[Path, dict]:
    """Prune a saved model (estimator and compiled form) and save it to ``out`` (default: in
    place), with ``params.min_weight`` and a ``pruning`` record in meta.json."""
    from ..taxonomy import load_taxonomy
    from .artifact import load_model, save_model

    tax = taxonomy or load_taxonomy()
    model, meta = load_model(model_dir, tax)
    stats = prune_estimator(model, min_weight)
    model.min_weight = float(min_weight)
    keep = {k: v for k, v in meta.items() if k not in ("format_version", "name", "created", "versions",
                                                           "taxonomy", "artifact", "compiled")}
    keep["params"] = {**keep.get("params", {}), "min_weight": float(min_weight)}
    keep["pruning"] = {"min_weight": float(min_weight), "terms": stats,
                       "note": "cv figures are those of the model before pruning"}
    src = Path(model_dir)
    out = Path(out or model_dir)
    report = (src / "cv_report.md").read_text("utf-8") if (src / "cv_report.md").exists() else None
    save_model(model, out, tax, keep)
    if report is not None:
        (out / "cv_report.md").write_text(report, "utf-8")
    return out, stats

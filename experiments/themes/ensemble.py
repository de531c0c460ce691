"""ThemeEnsemble: several theme classifiers combined by a small head over their probabilities.

An experiment of issue #15 (`plateau.py`), not shipped: on rounds 1–5 no head beat the e5 `themes`
model alone on both grouped CV and leave-one-source-out (plateau.md).

Each base model (a :class:`~zonelens.themes.model.ThemeClassifier`, e.g. the e5 ``themes`` recipe
and the n-gram ``themes-fast`` recipe) is fitted once on all rows with ``keep_oof``: its inner
grouped out-of-fold probabilities are the head's training input, so the head never sees a
probability of a sentence its base was fitted on. Heads:

- ``mean``: the mean of the bases' probability of each theme;
- ``lr``: one logistic regression per theme over the logits of every base's every theme;
- ``mlp``: a small multi-label perceptron over the same logits (scikit-learn ``MLPClassifier``).

The per-theme thresholds are tuned for F1 on the head's grouped out-of-fold output (the ``mean``
head has no parameters, so on its input directly). ``fit(X, Y, groups)``: the groups decide every
inner split, so passing each row's *source* (corpus) instead of its document chooses thresholds
and head on sources held out rather than on documents of a source already seen.

The estimator reads the union of its bases' inputs (``use_embeddings``, ``context_weight``,
``context_text_weight`` and ``embedder`` are derived from the bases, for
:mod:`zonelens.themes.features`). Picklable; the bases' out-of-fold arrays are dropped after the fit.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.neural_network import MLPClassifier

from zonelens.themes.model import best_threshold
from zonelens.themes.text import decide_rows

HEADS = ("mean", "lr", "mlp")
EPS = 1e-4


def logits(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPS, 1 - EPS)
    return np.log(p / (1 - p))


class ThemeEnsemble(BaseEstimator, ClassifierMixin):
    def __init__(self, estimators=(), head="mean", head_folds=5, hidden=16, alpha=1e-2, random_state=0):
        self.estimators = estimators
        self.head = head
        self.head_folds = head_folds
        self.hidden = hidden
        self.alpha = alpha
        self.random_state = random_state

    # -- what the feature builders read (the union of the bases') ---------------------------
    @property
    def themes(self):
        return tuple(self.estimators[0].themes)

    @property
    def use_embeddings(self) -> bool:
        return any(e.use_embeddings for e in self.estimators)

    @property
    def context_weight(self) -> float:
        return max(float(e.context_weight) for e in self.estimators)

    @property
    def context_text_weight(self) -> float:
        return max(float(e.context_text_weight) for e in self.estimators)

    @property
    def embedder(self):
        return next((e.embedder for e in self.estimators if e.use_embeddings), None)

    # -- head ---------------------------------------------------------------------------------
    def _make_head(self):
        if self.head == "lr":
            return [LogisticRegression(C=1.0, max_iter=1000) for _ in self.themes]
        return MLPClassifier(hidden_layer_sizes=(self.hidden,), alpha=self.alpha, max_iter=800,
                             early_stopping=False, random_state=self.random_state)

    def _fit_head(self, H, Y):
        head = self._make_head()
        if self.head == "lr":
            return [lr.fit(H, Y[:, j]) if 0 < Y[:, j].sum() < len(Y) else float(Y[0, j])
                    for j, lr in enumerate(head)]
        return head.fit(H, Y)

    def _apply_head(self, head, H, P) -> np.ndarray:
        if self.head == "mean":
            n, k = len(self.themes), len(self.estimators)
            return P.reshape(len(P), k, n).mean(axis=1)
        if self.head == "lr":
            return np.column_stack([np.full(len(H), m) if isinstance(m, float) else m.predict_proba(H)[:, 1]
                                    for m in head])
        return head.predict_proba(H)

    # -- estimator API ------------------------------------------------------------------------
    def fit(self, X, Y, groups=None):
        if self.head not in HEADS:
            raise ValueError(f"unknown head {self.head!r} (known: {', '.join(HEADS)})")
        if not self.estimators:
            raise ValueError("ThemeEnsemble needs at least one base estimator")
        Y = np.asarray(Y, dtype=int)
        groups = np.asarray(groups) if groups is not None else np.arange(len(Y))
        fitted = [self._fit_base(est, X, Y, groups) for est in self.estimators]
        self.estimators_ = [m for m, _ in fitted]
        P = np.hstack([oof for _, oof in fitted])
        H = logits(P)
        if self.head == "mean":
            self.head_ = None
            out = self._apply_head(None, H, P)
        else:
            out = np.zeros(Y.shape)
            k = min(self.head_folds, len(np.unique(groups)))
            for tr, te in GroupKFold(n_splits=k).split(H, Y, groups):
                out[te] = self._apply_head(self._fit_head(H[tr], Y[tr]), H[te], P[te])
            self.head_ = self._fit_head(H, Y)
        self.thresholds_ = np.array([best_threshold(Y[:, j], out[:, j]) for j in range(Y.shape[1])])
        self.classes_ = np.array(self.themes)
        return self

    @staticmethod
    def _fit_base(est, X, Y, groups):
        """A fitted clone of ``est`` and its inner out-of-fold probabilities."""
        m = clone(est).set_params(keep_oof=True).fit(X, Y, groups=groups)
        oof = m.oof_proba_.astype(float)
        del m.oof_proba_
        m.keep_oof = False
        return m, oof

    def predict_proba(self, X) -> np.ndarray:
        P = np.hstack([m.predict_proba(X) for m in self.estimators_])
        return self._apply_head(self.head_, logits(P), P)

    def predict(self, X) -> np.ndarray:
        return (self.predict_proba(X) >= self.thresholds_).astype(int)

    def decide(self, proba: np.ndarray) -> list[tuple[list[str], str | None]]:
        return decide_rows(self.themes, self.thresholds_, proba)

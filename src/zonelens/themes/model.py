"""ThemeClassifier: sentence → probability per theme → themes above per-theme thresholds.

Features (each optional, chosen by grouped cross-validation): character n-gram TF-IDF, word TF-IDF
with the picklable jieba tokenizer, heading-path TF-IDF, e5 sentence embeddings, and the context
vector (mean e5 embedding of the neighbouring sentences, :mod:`zonelens.themes.context`; a
``context_embedding`` column, zeros where absent) and the context text (character n-gram TF-IDF
of the neighbouring sentences, ``prev_text`` and ``next_text`` columns, empty where absent). The
context is dropped at random for ``context_dropout`` of the training rows, so the model also
works on sentences classified on their own. With ``min_weight`` > 0 the fitted model keeps only
the n-gram terms weighing at least that much for some theme (:mod:`zonelens.themes.prune`). One logistic
regression per theme; its scores are calibrated with a Platt sigmoid fitted on inner grouped
out-of-fold scores, and per-theme thresholds are tuned on those calibrated out-of-fold
probabilities. A sentence's ``themes`` are those above threshold, ``primary`` the most probable of
them; no theme means other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from ..embed import DIM, E5Embedder
from ..tokenize import policy_tokenizer

from .text import MAX_CHARS, decide_rows, has_chinese, join_context  # noqa: F401  (re-exported)


def as_frame(X) -> pd.DataFrame:
    """Accept a list of texts or a DataFrame with ``text`` (and optional ``heading_path``, ``embedding``)."""
    if isinstance(X, pd.DataFrame):
        df = X
    else:
        df = pd.DataFrame({"text": list(X)})
    if "heading_path" not in df:
        df = df.assign(heading_path="")
    return df


def context_texts(df: pd.DataFrame, dropped: np.ndarray | None = None) -> list[str]:
    """The context text of each row: previous and next sentence (``prev_text``, ``next_text``),
    empty where absent or ``dropped``."""
    n = len(df)
    prev = df["prev_text"] if "prev_text" in df else [None] * n
    nxt = df["next_text"] if "next_text" in df else [None] * n
    return ["" if dropped is not None and dropped[r] else join_context(None if pd.isna(p) else p, None if pd.isna(q) else q)
            for r, (p, q) in enumerate(zip(prev, nxt))]


def best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The probability threshold maximising F1 on (y, p)."""
    if y.sum() == 0:
        return 0.5
    grid = np.unique(np.round(p, 3))
    best, best_f1 = 0.5, -1.0
    for t in grid:
        pred = p >= t
        tp = float((pred & (y == 1)).sum())
        f1 = 2 * tp / (pred.sum() + y.sum()) if (pred.sum() + y.sum()) else 0.0
        if f1 > best_f1:
            best, best_f1 = float(t), f1
    return best


class ThemeClassifier(ClassifierMixin, BaseEstimator):
    context_weight = 0.0  # defaults for models pickled before the parameters existed
    context_text_weight = 0.0
    context_dropout = 0.0
    min_weight = 0.0
    keep_oof = False

    def __init__(self, themes=("investment", "innovation", "environment", "livelihood", "party"),
                 char_ngrams=(1, 3), word_ngrams=(1, 2), use_words=True, use_heading=False,
                 use_embeddings=True, embedding_weight=1.0, C=4.0, min_df=2, max_features=200000,
                 inner_folds=3, tokenizer=None, embedder=None, random_state=0, context_weight=0.0,
                 context_text_weight=0.0, context_dropout=0.0, min_weight=0.0, keep_oof=False):
        self.themes = themes
        self.char_ngrams = char_ngrams
        self.word_ngrams = word_ngrams
        self.use_words = use_words
        self.use_heading = use_heading
        self.use_embeddings = use_embeddings
        self.embedding_weight = embedding_weight
        self.C = C
        self.min_df = min_df
        self.max_features = max_features
        self.inner_folds = inner_folds
        self.tokenizer = tokenizer
        self.embedder = embedder
        self.random_state = random_state
        self.context_weight = context_weight
        self.context_text_weight = context_text_weight
        self.context_dropout = context_dropout
        self.min_weight = min_weight
        self.keep_oof = keep_oof

    # -- features ---------------------------------------------------------------------------
    def _make_vectorizers(self) -> dict:
        vecs = {"char": TfidfVectorizer(analyzer="char", ngram_range=tuple(self.char_ngrams), min_df=self.min_df,
                                        max_features=self.max_features, sublinear_tf=True, dtype=np.float32)}
        if self.use_words:
            tok = self.tokenizer if self.tokenizer is not None else policy_tokenizer()
            vecs["word"] = TfidfVectorizer(tokenizer=tok, token_pattern=None, lowercase=False,
                                           ngram_range=tuple(self.word_ngrams), min_df=self.min_df,
                                           sublinear_tf=True, dtype=np.float32)
        if self.use_heading:
            vecs["heading"] = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), min_df=self.min_df,
                                              sublinear_tf=True, dtype=np.float32)
        if self.context_text_weight:
            vecs["context"] = TfidfVectorizer(analyzer="char", ngram_range=tuple(self.char_ngrams),
                                              min_df=self.min_df, max_features=self.max_features,
                                              sublinear_tf=True, dtype=np.float32)
        return vecs

    def _columns(self, df: pd.DataFrame, name: str, fit: bool = False) -> list[str]:
        if name == "context":
            return context_texts(df, self._dropped(len(df)) if fit else None)
        col = df["heading_path"] if name == "heading" else df["text"]
        return [str(t)[:MAX_CHARS] for t in col]

    def _dropped(self, n: int) -> np.ndarray | None:
        """Training rows whose context is dropped (the same rows for the same data: reproducible fits)."""
        if not self.context_dropout:
            return None
        return np.random.default_rng([self.random_state, n]).random(n) < self.context_dropout

    def _embeddings(self, df: pd.DataFrame) -> np.ndarray:
        if "embedding" in df:
            return np.vstack(df["embedding"].to_numpy()).astype(np.float32)
        emb = self.embedder if self.embedder is not None else E5Embedder()
        return emb.passage([str(t) for t in df["text"]])

    def _features(self, df: pd.DataFrame, vecs: dict, fit: bool):
        blocks = []
        weights = {"heading": 0.5, "context": self.context_text_weight}
        for name, vec in vecs.items():
            cols = self._columns(df, name, fit)
            m = vec.fit_transform(cols) if fit else vec.transform(cols)
            blocks.append(m * weights.get(name, 1.0))
        if self.use_embeddings:
            blocks.append(sp.csr_matrix(self._embeddings(df) * self.embedding_weight))
        if self.context_weight:
            blocks.append(sp.csr_matrix(self._context(df, fit) * self.context_weight))
        return sp.hstack(blocks, format="csr")

    def _context(self, df: pd.DataFrame, fit: bool) -> np.ndarray:
        if "context_embedding" not in df:
            return np.zeros((len(df), DIM), dtype=np.float32)
        ctx = np.vstack(df["context_embedding"].to_numpy()).astype(np.float32)
        dropped = self._dropped(len(df)) if fit else None
        return ctx if dropped is None else ctx * ~dropped[:, None]

    def _fit_lr(self, X, y) -> LogisticRegression | float:
        if y.min() == y.max():  # a theme absent (or everywhere) in this fold
            return float(y[0])
        return LogisticRegression(C=self.C, max_iter=2000, solver="liblinear").fit(X, y)

    @staticmethod
    def _score(lr, X) -> np.ndarray:
        if isinstance(lr, float):
            return np.full(X.shape[0], 10.0 if lr else -10.0)
        return lr.decision_function(X)

    # -- estimator API ----------------------------------------------------------------------
    def fit(self, X, Y, groups=None):
        """X: texts or DataFrame; Y: (n, n_themes) 0/1 in the order of ``themes``; groups: document ids."""
        df = as_frame(X)
        if self.context_weight and not self.use_embeddings:
            raise ValueError("context_weight needs use_embeddings (the context is made of e5 embeddings)")
        Y = np.asarray(Y, dtype=int)
        n = len(df)
        groups = np.asarray(groups) if groups is not None else np.arange(n)
        if "embedding" not in df and self.use_embeddings:  # embed once, reuse in the inner folds
            df = df.assign(embedding=list(self._embeddings(df)))
        oof = np.zeros((n, len(self.themes)))
        k = min(self.inner_folds, len(np.unique(groups)))
        for tr, te in GroupKFold(n_splits=k).split(df, Y, groups):
            vecs = self._make_vectorizers()
            Xtr = self._features(df.iloc[tr], vecs, fit=True)
            Xte = self._features(df.iloc[te], vecs, fit=False)
            for j in range(len(self.themes)):
                oof[te, j] = self._score(self._fit_lr(Xtr, Y[tr, j]), Xte)
        self.calibrators_ = []
        self.thresholds_ = np.zeros(len(self.themes))
        oof_proba = np.zeros_like(oof)
        for j in range(len(self.themes)):
            cal = LogisticRegression(C=1e4).fit(oof[:, [j]], Y[:, j]) if 0 < Y[:, j].sum() < n else None
            self.calibrators_.append(cal)
            p = cal.predict_proba(oof[:, [j]])[:, 1] if cal is not None else np.full(n, Y[0, j], float)
            oof_proba[:, j] = p
            self.thresholds_[j] = best_threshold(Y[:, j], p)
        if self.keep_oof:  # for a stacked head (experiments/themes/ensemble.py): inner out-of-fold probabilities
            self.oof_proba_ = oof_proba.astype(np.float32)
        self.vectorizers_ = self._make_vectorizers()
        Xall = self._features(df, self.vectorizers_, fit=True)
        for vec in self.vectorizers_.values():  # the terms cut by min_df/max_features: not needed, and big
            vec.stop_words_ = None
        self.models_ = [self._fit_lr(Xall, Y[:, j]) for j in range(len(self.themes))]
        self.classes_ = np.array(self.themes)
        self.n_features_ = Xall.shape[1]
        if self.min_weight:  # drop the terms whose weight is below min_weight for every theme
            from .prune import prune_estimator

            prune_estimator(self, self.min_weight)
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Calibrated probability per theme, shape (n, n_themes). A text without any Chinese
        character (empty, whitespace, English, numbers) gets 0 for every theme: no evidence."""
        df = as_frame(X)
        out = np.zeros((len(df), len(self.themes)))
        keep = np.array([has_chinese(str(t)) for t in df["text"]], dtype=bool)
        if not keep.any():
            return out
        part = df if keep.all() else df[keep]
        Xf = self._features(part, self.vectorizers_, fit=False)
        for j, (lr, cal) in enumerate(zip(self.models_, self.calibrators_)):
            s = self._score(lr, Xf)
            out[keep, j] = cal.predict_proba(s[:, None])[:, 1] if cal is not None else (s > 0).astype(float)
        return out

    def predict(self, X) -> np.ndarray:
        """0/1 matrix of themes above their thresholds."""
        return (self.predict_proba(X) >= self.thresholds_).astype(int)

    def decide(self, proba: np.ndarray) -> list[tuple[list[str], str | None]]:
        """(themes, primary) per row from probabilities."""
        return decide_rows(self.themes, self.thresholds_, proba)

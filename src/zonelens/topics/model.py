"""The topic model: BERTopic (UMAP → HDBSCAN → c-TF-IDF) over precomputed sentence embeddings.

:class:`TopicModel` is a scikit-learn-style estimator: ``__init__`` stores parameters, ``fit``
sets the ``*_`` attributes. Inputs are sorted by ``(doc_id, idx)`` before anything else, and UMAP
has a fixed ``random_state``, so the same sentences, parameters and seed give the same topics
whatever order the sentences come in.

Assigning new sentences (``transform``) uses only what survives a safetensors save: the topic
centroids. A sentence joins its most similar topic (cosine) when the similarity reaches
``outlier_threshold_`` (the rule ``reduce_outliers`` applied to the fitted outliers), else -1;
its *raw* topic is the same topic when the similarity reaches ``raw_threshold_`` (the 5th
percentile of the similarity of HDBSCAN's members to their cluster's centroid), else -1.
``outlier_threshold="auto"`` uses ``raw_threshold_`` for both. So a model
fitted in memory and the same model reloaded from disk assign identically.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ModelError, UsageError
from ..tokenize import JiebaTokenizer
from .params import DEFAULTS, TOPIC_STOPWORDS, resolve_sizes


REPRESENTATIVE_WORDS = 5  # a representative sentence should contain the topic's first top words


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norm == 0, 1, norm)


def sort_frame(frame: pd.DataFrame, embeddings: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Sentences and their embeddings in (doc_id, idx) order, index reset."""
    if len(frame) != len(embeddings):
        raise UsageError(f"{len(frame)} sentences but {len(embeddings)} embeddings")
    order = np.lexsort((frame["idx"].to_numpy(), frame["doc_id"].astype(str).to_numpy()))
    return frame.iloc[order].reset_index(drop=True), np.asarray(embeddings, dtype=np.float32)[order]


def topic_label(words: list[str], n: int = 3) -> str:
    """A readable label: the first ``n`` top words joined by '·'."""
    words = [w for w in words if w]
    return "·".join(words[:n]) if words else "(no words)"


class TopicModel:
    """BERTopic with our tokenizer, adaptive sizes, outlier reduction and centroid assignment."""

    def __init__(self, seed: int = 42, n_neighbors: int = 15, n_components: int = 5, min_dist: float = 0.0,
                 min_cluster_size="auto", min_samples="auto", cluster_selection_method: str = "eom",
                 nr_topics=None, top_n_words: int = 10, min_df: int = 1, max_df: float = 1.0,
                 reduce_frequent_words: bool = True, outlier_threshold="auto",
                 n_representatives: int = 3, min_sentences: int = 30, tokenizer: JiebaTokenizer | None = None,
                 umap_pca: int | None = None, umap_epochs: int | None = None, fit_sample: int | None = None):
        self.seed = seed
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.min_dist = min_dist
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.cluster_selection_method = cluster_selection_method
        self.nr_topics = nr_topics
        self.top_n_words = top_n_words
        self.min_df = min_df
        self.max_df = max_df
        self.reduce_frequent_words = reduce_frequent_words
        self.outlier_threshold = outlier_threshold
        self.n_representatives = n_representatives
        self.min_sentences = min_sentences
        self.tokenizer = tokenizer
        self.umap_pca = umap_pca
        self.umap_epochs = umap_epochs
        self.fit_sample = fit_sample

    MODEL_KEYS = ("seed", "n_neighbors", "n_components", "min_dist", "min_cluster_size", "min_samples",
                  "cluster_selection_method", "nr_topics", "top_n_words", "min_df", "max_df",
                  "reduce_frequent_words", "outlier_threshold", "n_representatives", "min_sentences",
                  "umap_pca", "umap_epochs", "fit_sample")

    @classmethod
    def from_params(cls, params: dict, tokenizer: JiebaTokenizer) -> "TopicModel":
        return cls(**{k: params.get(k, DEFAULTS[k]) for k in cls.MODEL_KEYS}, tokenizer=tokenizer)

    def get_params(self) -> dict:
        return {k: getattr(self, k) for k in self.MODEL_KEYS}

    # -- building blocks ---------------------------------------------------------------------------
    def _vectorizer(self, min_df: int):
        from sklearn.feature_extraction.text import CountVectorizer

        return CountVectorizer(tokenizer=self.tokenizer, token_pattern=None, lowercase=False,
                               min_df=min_df, max_df=self.max_df)

    def _bertopic(self, sizes: dict):
        import logging

        from bertopic import BERTopic
        from bertopic.vectorizers import ClassTfidfTransformer
        from hdbscan import HDBSCAN
        from umap import UMAP

        umap = UMAP(n_neighbors=sizes["n_neighbors"], n_components=sizes["n_components"],
                    min_dist=self.min_dist, metric="cosine", random_state=self.seed, low_memory=True, n_jobs=1,
                    n_epochs=self.umap_epochs)
        if self.umap_pca and sizes.get("umap_pca"):  # fewer dimensions: a faster neighbour search
            from sklearn.decomposition import PCA
            from sklearn.pipeline import make_pipeline

            umap = make_pipeline(PCA(sizes["umap_pca"], random_state=self.seed), umap)
        cluster = HDBSCAN(min_cluster_size=sizes["min_cluster_size"], min_samples=sizes["min_samples"],
                          metric="euclidean", cluster_selection_method=self.cluster_selection_method,
                          prediction_data=False, core_dist_n_jobs=1)
        bt = BERTopic(embedding_model=None, umap_model=umap, hdbscan_model=cluster,
                      vectorizer_model=self._vectorizer(sizes["min_df"]),
                      ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=self.reduce_frequent_words),
                      top_n_words=self.top_n_words, nr_topics=self.nr_topics,
                      calculate_probabilities=False, language="multilingual", verbose=False)
        logging.getLogger("BERTopic").setLevel(logging.ERROR)  # its warnings are about uses we avoid
        return bt

    # -- fit ---------------------------------------------------------------------------------------
    def fit(self, frame: pd.DataFrame, embeddings: np.ndarray, progress=None) -> "TopicModel":
        """Fit on sentences (``frame`` with doc_id, idx, text) and their embeddings (n × d)."""
        if self.tokenizer is None:
            raise UsageError("TopicModel needs a tokenizer (zonelens.tokenize.policy_tokenizer(min_len=2))")
        frame, emb = sort_frame(frame, embeddings)
        n = len(frame)
        if n < max(self.min_sentences, 5):
            raise UsageError(f"too few sentences to cluster: {n} (need at least {max(self.min_sentences, 5)}; "
                             "ingest more reports)")
        sizes = resolve_sizes(self.get_params(), n)
        self.sizes_ = {k: sizes[k] for k in ("n_neighbors", "n_components", "min_cluster_size", "min_samples",
                                             "min_df")}
        texts = frame["text"].tolist()
        step = progress or (lambda stage: None)
        step("clustering (UMAP + HDBSCAN + c-TF-IDF)")
        sample = self._sample(n)
        if sample is not None:  # the sample is the corpus thinned: a cluster of s sentences has s·f of them there
            f = len(sample) / n
            sizes = {**sizes, "min_cluster_size": max(2, round(sizes["min_cluster_size"] * f)),
                     "min_samples": max(2, round(sizes["min_samples"] * f))}
            self.sizes_.update(fit_sample=len(sample), sample_min_cluster_size=sizes["min_cluster_size"],
                               sample_min_samples=sizes["min_samples"])
        bt = self._bertopic(sizes)
        try:
            if sample is None:
                raw, _ = bt.fit_transform(texts, embeddings=emb)
            else:  # cluster a seeded sample; the rest join the nearest cluster (below)
                raw_s, _ = bt.fit_transform([texts[i] for i in sample], embeddings=emb[sample])
        except ValueError as exc:  # e.g. empty vocabulary after stopwords
            raise ModelError(f"topic model failed on {n} sentences: {exc}") from None
        if sample is not None:
            raw = self._extend(np.asarray(raw_s, dtype=np.int64), sample, _normalise(emb))
        raw = np.asarray(raw, dtype=np.int64)
        if not (raw >= 0).any():
            raise ModelError(f"no topics found in {n} sentences (all outliers); lower min_cluster_size "
                             f"(now {sizes['min_cluster_size']}) or add reports")
        step("reducing outliers")
        unit = _normalise(emb)
        raw_ids = np.array(sorted(t for t in set(raw.tolist()) if t >= 0), dtype=np.int64)
        raw_cent = _normalise(np.stack([unit[raw == t].mean(axis=0) for t in raw_ids]))
        members = raw >= 0
        own = np.einsum("ij,ij->i", unit[members], raw_cent[np.searchsorted(raw_ids, raw[members])])
        self.raw_threshold_ = float(np.quantile(own, 0.05))
        self.outlier_threshold_ = (self.raw_threshold_ if self.outlier_threshold == "auto"
                                   else float(self.outlier_threshold))
        final = raw.copy()
        if (raw < 0).any() and sample is not None:  # BERTopic saw the sample only: the same rule, here
            sims = unit[raw < 0] @ raw_cent.T
            best = sims.argmax(axis=1)
            final[raw < 0] = np.where(sims[np.arange(len(best)), best] >= self.outlier_threshold_, raw_ids[best], -1)
        elif (raw < 0).any():
            final = np.asarray(bt.reduce_outliers(texts, raw.tolist(), strategy="embeddings", embeddings=emb,
                                                  threshold=self.outlier_threshold_), dtype=np.int64)
        step("topic words")
        # Representations and centroids from the final assignment (outliers reduced).
        bt.update_topics(texts, topics=final.tolist(), top_n_words=self.top_n_words,
                         vectorizer_model=bt.vectorizer_model, ctfidf_model=bt.ctfidf_model)
        self.topic_ids_ = np.array(sorted(t for t in set(final.tolist()) if t >= 0), dtype=np.int64)
        self.centroids_ = _normalise(np.stack([unit[final == t].mean(axis=0) for t in self.topic_ids_]))
        bt.topic_embeddings_ = self._bertopic_embeddings(unit, final)
        self.words_ = {int(t): [w for w, _ in bt.get_topic(int(t)) if w] for t in self.topic_ids_}
        self.labels_ = {int(t): topic_label(self.words_[int(t)]) for t in self.topic_ids_}
        bt.set_topic_labels({**{int(t): self.labels_[int(t)] for t in self.topic_ids_},
                             **({-1: "(outliers)"} if (final < 0).any() else {})})
        self.sizes_per_topic_ = {int(t): int((final == t).sum()) for t in self.topic_ids_}
        self.representatives_ = self._representatives(frame, unit, final)
        self.keys_ = frame[["doc_id", "idx"]].reset_index(drop=True)
        self.topics_ = final
        self.topics_raw_ = raw
        self.n_sentences_ = n
        self.bertopic_ = bt
        return self

    def _sample(self, n: int) -> np.ndarray | None:
        """Sorted positions of the seeded sample UMAP and HDBSCAN see (``fit_sample``), or None for all.
        HDBSCAN's sizes are scaled by the sample's share, so the topics keep the full fit's granularity."""
        if not self.fit_sample or n <= self.fit_sample:
            return None
        return np.sort(np.random.default_rng(self.seed).choice(n, size=int(self.fit_sample), replace=False))

    @staticmethod
    def _extend(raw_s: np.ndarray, sample: np.ndarray, unit: np.ndarray) -> np.ndarray:
        """HDBSCAN topics of the sample, extended to every sentence: a sentence outside the sample
        takes its most similar cluster centroid (cosine) when it is as close as the sample's members
        (their 5th percentile), else -1: the rule ``transform`` uses for new sentences."""
        raw = np.full(len(unit), -1, dtype=np.int64)
        raw[sample] = raw_s
        ids = np.array(sorted(t for t in set(raw_s.tolist()) if t >= 0), dtype=np.int64)
        if not len(ids):
            return raw
        cent = _normalise(np.stack([unit[sample][raw_s == t].mean(axis=0) for t in ids]))
        members = raw_s >= 0
        own = np.einsum("ij,ij->i", unit[sample][members], cent[np.searchsorted(ids, raw_s[members])])
        rest = np.setdiff1d(np.arange(len(unit)), sample)
        sims = unit[rest] @ cent.T
        best = sims.argmax(axis=1)
        raw[rest] = np.where(sims[np.arange(len(rest)), best] >= np.quantile(own, 0.05), ids[best], -1)
        return raw

    def _bertopic_embeddings(self, unit: np.ndarray, final: np.ndarray) -> np.ndarray:
        """BERTopic's layout: one row per topic id in sorted order, the outlier row (-1) first."""
        rows = []
        if (final < 0).any():
            rows.append(_normalise(unit[final < 0].mean(axis=0, keepdims=True))[0])
        rows.extend(self.centroids_)
        return np.stack(rows)

    def _representatives(self, frame: pd.DataFrame, unit: np.ndarray, final: np.ndarray) -> dict:
        """Example sentences per topic that show what its label says: those containing most of the
        topic's own top words first, then the closest to its centre (ties: corpus order)."""
        out = {}
        texts = frame["text"].astype(str).to_numpy()
        for j, t in enumerate(self.topic_ids_):
            members = np.flatnonzero(final == t)
            sim = unit[members] @ self.centroids_[j]
            words = list(getattr(self, "words_", {}).get(int(t), []))[:REPRESENTATIVE_WORDS]
            hits = np.array([sum(w in texts[i] for w in words) for i in members])
            best = members[np.lexsort((members, -sim, -hits))[: self.n_representatives]]
            out[int(t)] = [{"doc_id": str(frame.at[i, "doc_id"]), "idx": int(frame.at[i, "idx"]),
                            "text": str(frame.at[i, "text"])} for i in best]
        return out

    # -- use ---------------------------------------------------------------------------------------
    def assignments(self) -> pd.DataFrame:
        """The fitted sentences' topics: doc_id, idx, topic (outliers reduced), topic_raw (HDBSCAN)."""
        return self.keys_.assign(topic=self.topics_, topic_raw=self.topics_raw_)

    def transform(self, embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(topic, topic_raw) for new sentences, from the topic centroids (see the module doc)."""
        if len(embeddings) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        sims = _normalise(embeddings) @ self.centroids_.T
        best = sims.argmax(axis=1)
        top = sims[np.arange(len(best)), best]
        topic = np.where(top >= self.outlier_threshold_, self.topic_ids_[best], -1)
        raw = np.where(top >= self.raw_threshold_, self.topic_ids_[best], -1)
        return topic.astype(np.int64), raw.astype(np.int64)

    def table(self) -> pd.DataFrame:
        """id, size, label, top words (no sentences)."""
        return pd.DataFrame({"topic": [int(t) for t in self.topic_ids_],
                             "size": [self.sizes_per_topic_[int(t)] for t in self.topic_ids_],
                             "label": [self.labels_[int(t)] for t in self.topic_ids_],
                             "top_words": [self.words_[int(t)] for t in self.topic_ids_]})


def topic_tokenizer(params: dict) -> JiebaTokenizer:
    """The policy jieba tokenizer for c-TF-IDF: no single characters, topic stopwords."""
    from ..tokenize import policy_tokenizer

    stop = tuple(dict.fromkeys(TOPIC_STOPWORDS + tuple(params.get("extra_stopwords") or ())))
    return policy_tokenizer(min_len=int(params.get("min_word_len", 2)), stopwords=stop)

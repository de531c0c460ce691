"""Sampling: deterministic, spread over documents, keyword-enriched, least certain first."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zonelens.errors import UsageError, ZonelensError
from zonelens.hashing import text_hash
from zonelens.labels.sampling import (
    draw,
    load_sentences,
    sample_keywords,
    sample_random,
    sample_stratified,
    sample_uncertain,
    uncertainty,
)
from zonelens.store import connect


def frame(n_docs=4, per_doc=10) -> pd.DataFrame:
    rows = []
    for d in range(n_docs):
        for i in range(per_doc):
            rows.append({"doc_id": f"doc{d}", "idx": i, "text": f"第{d}号文件第{i}句。",
                         "is_heading": i == 0, "source": f"corpora/t/txt/{d}.txt"})
    return pd.DataFrame(rows)


class StubModel:
    """predict_proba from a fixed table: text -> per-theme probabilities."""

    def __init__(self, table: dict[str, list[float]]):
        self.table = table
        self.calls = 0

    def predict_proba(self, texts):
        self.calls += 1
        return np.array([self.table[t] for t in texts])


def test_random_deterministic_and_excludes():
    df = frame()
    s1 = sample_random(df, 7, seed=3)
    s2 = sample_random(df.sample(frac=1, random_state=1), 7, seed=3)  # input order irrelevant
    assert s1.equals(s2)
    assert list(s1.columns) == ["doc_id", "idx", "text", "reason", "source"]
    assert set(s1["reason"]) == {"random"}
    assert not s1.equals(sample_random(df, 7, seed=4))
    done = list(zip(s1["doc_id"], s1["idx"]))
    s3 = sample_random(df, 40, seed=3, exclude=done, exclude_headings=True)
    assert len(s3) == 40 - 7 - 4 + sum(i == 0 for _, i in done)
    assert not set(zip(s3["doc_id"], s3["idx"])) & set(done)
    assert not s3["text"].str.endswith("第0句。").any()


def test_exclude_annotations_follow_moved_sentences(make_ann):
    df = frame(1, 5)
    a = make_ann("doc0", 9, ["party"], text="第0号文件第2句。")  # idx stale, hash matches idx 2
    out = sample_random(df, 10, seed=0, exclude=[a])
    assert sorted(out["idx"]) == [0, 1, 3, 4]


def test_stratified_spreads_evenly():
    df = pd.concat([frame(3, 20), frame(1, 2).assign(doc_id="small")])
    s = sample_stratified(df, 10, seed=0)
    counts = s["doc_id"].value_counts()
    assert counts.max() - counts.min() <= 1 and counts["small"] == 2
    assert len(s) == 10 and not s.duplicated(["doc_id", "idx"]).any()
    assert s.equals(sample_stratified(df, 10, seed=0))
    capped = sample_stratified(df, 100, seed=0, per_doc_max=3)
    assert capped["doc_id"].value_counts().max() == 3 and len(capped) == 3 * 3 + 2


def test_keywords_balances_rare_themes():
    df = pd.DataFrame({
        "doc_id": ["d"] * 6, "idx": range(6),
        "text": ["深入开展巡察整改。", "加强基层党组织建设。", "推进垃圾分类。",
                 "地区生产总值增长。", "持续推进雨污分流。", "改造污水管网。"],
    })
    lex = {"party": ("巡察", "基层党组织"), "environment": ("垃圾分类", "雨污分流", "污水管网"),
           "investment": ("招商",)}
    s = sample_keywords(df, 4, lex, themes=["party", "environment"], seed=1)
    assert len(s) == 4
    themes = [r.split(":")[1] for r in s["reason"]]
    assert themes.count("party") == 2 and themes.count("environment") == 2
    for text, reason in zip(s["text"], s["reason"]):
        assert reason.split(":")[2] in text
    everything = sample_keywords(df, 10, lex, themes=["party", "environment"], seed=1)
    assert len(everything) == 5  # GDP sentence matches nothing
    assert len(sample_keywords(df, 10, lex, seed=1)) == 5  # default: all themes
    with pytest.raises(UsageError, match="tourism"):
        sample_keywords(df, 3, lex, themes=["tourism"])


def test_uncertain_margin_picks_least_certain():
    df = pd.DataFrame({"doc_id": ["d"] * 5, "idx": range(5), "text": list("甲乙丙丁戊")})
    probs = {
        "甲": [0.99, 0.01],   # margin 0.49
        "乙": [0.55, 0.02],   # margin 0.05  <- least certain
        "丙": [0.90, 0.30],   # margin 0.20
        "丁": [0.10, 0.58],   # margin 0.08  <- second
        "戊": [0.00, 1.00],   # margin 0.50
    }
    model = StubModel(probs)
    s = sample_uncertain(df, 2, model, "margin", batch_size=2)
    assert list(s["text"]) == ["乙", "丁"]
    assert s["reason"].iloc[0] == "margin=0.0500"
    assert model.calls == 3  # batches of 2 over five sentences


def test_uncertain_entropy():
    df = pd.DataFrame({"doc_id": ["d"] * 3, "idx": range(3), "text": ["甲", "乙", "丙"]})
    # entropy(0.5) = 1 bit; "丙" has two themes at 0.4/0.6 (0.971 bits each) -> 1.94 bits,
    # more than "乙" with one theme at 0.5 and one at 0.0 (1 bit).
    model = StubModel({"甲": [0.0, 1.0], "乙": [0.5, 0.0], "丙": [0.4, 0.6]})
    s = sample_uncertain(df, 3, model, "entropy")
    assert list(s["text"]) == ["丙", "乙", "甲"]
    assert uncertainty(np.array([[0.5]]), "entropy")[0] == pytest.approx(1.0)


def test_uncertain_bad_model_and_strategy():
    df = pd.DataFrame({"doc_id": ["d"], "idx": [0], "text": ["甲"]})
    with pytest.raises(ZonelensError, match="shape"):
        sample_uncertain(df, 1, StubModel({"甲": 0.5}), "margin")
    with pytest.raises(UsageError):
        sample_uncertain(df, 1, StubModel({"甲": [0.5]}), "variance")


def test_draw_and_load_sentences(corpus):
    con = connect(corpus["db"], read_only=True)
    df = load_sentences(con)
    con.close()
    assert len(df) == sum(len(s) for _, s in corpus["docs"].values())
    s = draw("stratified", df, 6, seed=0, exclude_headings=True)
    assert len(s) == 6 and s["source"].str.len().min() > 0
    assert all(not t.startswith(("一、", "二、")) for t in s["text"])
    assert text_hash(s["text"].iloc[0])  # sentences are plain strings
    with pytest.raises(UsageError, match="trained model"):
        draw("uncertain", df, 3)
    with pytest.raises(UsageError, match="strategy"):
        draw("clever", df, 3)

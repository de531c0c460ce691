import math

import pytest

from zonelens.topics.quality import best_match_jaccard, lda_topics, npmi, seed_stability, topic_diversity

A = [["招商", "项目", "签约"], ["专利", "研发", "孵化器"]]
B = [["研发", "专利", "平台"], ["招商", "项目", "签约"]]


def test_diversity_and_jaccard():
    assert topic_diversity(A) == 1.0
    assert topic_diversity([["a", "b"], ["a", "c"]]) == 0.75
    assert best_match_jaccard(A, B) == pytest.approx((1.0 + 0.5) / 2)
    stab = seed_stability([A, B, A])
    assert set(stab["pairs"]) == {"0->1", "1->0", "0->2", "2->0", "1->2", "2->1"}
    assert stab["pairs"]["0->2"] == 1.0 and 0.5 < stab["mean"] < 1.0


def test_npmi_prefers_words_that_co_occur_and_lda_runs():
    texts = [["招商", "项目", "签约"]] * 20 + [["专利", "研发", "孵化器"]] * 20 + [["招商", "研发"]] * 2
    good, per = npmi(A, texts)
    bad, _ = npmi([["招商", "专利", "孵化器"], ["项目", "研发", "签约"]], texts)
    assert good > bad and len(per) == 2
    mean, per = npmi([["不在词典", "招商"], ["招商", "项目"]], texts)  # unknown words are dropped
    assert math.isnan(per[0]) and mean == per[1]
    topics = lda_topics(texts, 2, seed=1, passes=2, topn=3)
    assert len(topics) == 2 and all(len(t) == 3 for t in topics)

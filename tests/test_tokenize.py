"""The picklable jieba tokenizer: policy dictionary, filtering, and rjieba matching jieba."""

from __future__ import annotations

import pickle

import pytest

from zonelens.tokenize import JiebaTokenizer, policy_tokenizer

# Sentences written for these tests (fictional zones).
SENTENCES = [
    "青松高新区全年新签约亿元以上项目18个，合同引资62亿元。",
    "新增国家级专精特新小巨人企业5家，研发投入强度达到2.8%。",
    "空气质量优良率达到87%，完成污水管网改造6公里，推进碳达峰碳中和。",
    "深入推进全面从严治党，驰而不息纠治四风，加强基层党组织建设。",
    "新增学位1200个，城镇新增就业3200人，养老服务中心覆盖全部社区。",
    "大力发展低空经济和数字经济，培育新质生产力。",
    "",
    "Hello world 2024",
]


def test_policy_words_kept_stopwords_numbers_dropped():
    tok = policy_tokenizer(min_len=2)
    toks = tok("深入推进全面从严治党，新增专精特新企业5家，合同引资62亿元。")
    assert "全面从严治党" in toks
    assert "专精特新" in toks
    assert not any(t.isdigit() or t in ("5", "62", "推进", "深入") for t in toks)
    assert all(len(t) >= 2 for t in toks)


def test_empty_and_non_chinese():
    tok = policy_tokenizer()
    assert tok("") == []
    assert tok("，。；") == []
    assert "Hello" in tok("Hello world 2024")


def test_picklable_and_rebuilt_after_load():
    tok = policy_tokenizer(min_len=2)
    before = tok(SENTENCES[0])
    clone = pickle.loads(pickle.dumps(tok))
    assert "_tk" not in clone.__dict__
    assert clone(SENTENCES[0]) == before


def test_instances_do_not_share_dictionaries():
    plain = JiebaTokenizer(engine="jieba")
    custom = JiebaTokenizer(words=["合同引资"], engine="jieba")
    assert "合同引资" in custom.cut("合同引资62亿元")
    assert "合同引资" not in plain.cut("合同引资62亿元")


@pytest.fixture(scope="module")
def engines():
    pytest.importorskip("rjieba")
    words = policy_tokenizer().words
    return JiebaTokenizer(words, engine="rjieba"), JiebaTokenizer(words, engine="jieba")


@pytest.mark.parametrize("text", SENTENCES)
def test_rjieba_matches_jieba(engines, text):
    rj, jb = engines
    assert rj.cut(text) == jb.cut(text)


def test_auto_engine_prefers_rjieba_without_hmm():
    pytest.importorskip("rjieba")
    assert JiebaTokenizer()._resolved_engine() == "rjieba"
    assert JiebaTokenizer(hmm=True)._resolved_engine() == "jieba"
    with pytest.raises(ValueError, match="unknown tokenizer engine"):
        JiebaTokenizer(engine="nope")._resolved_engine()


def test_rjieba_matches_jieba_on_real_reports(shared, engines):
    """Segmentation agreement on real report sentences (read by path, never copied)."""
    from zonelens.segment import segment

    rj, jb = engines
    files = sorted((shared / "corpora" / "city-2024" / "txt").glob("*.txt"))[:10]
    sents = [u.text for f in files for u in segment(f.read_text("utf-8"))]
    assert len(sents) > 1000
    mismatches = [s for s in sents if rj.cut(s) != jb.cut(s)]
    assert mismatches == []

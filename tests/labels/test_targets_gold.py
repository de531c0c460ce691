"""The committed quantitative-targets gold set (labels/targets/gold.jsonl) keeps its format."""

import json
import re
from pathlib import Path

GOLD = Path(__file__).resolve().parents[2] / "labels" / "targets" / "gold.jsonl"
KINDS = {"growth", "level", "share", "count"}
PERIODS = {"plan", "review", "other"}
DIRECTIONS = {"", "增长", "下降", "提高", "降低", "增加", "减少", "新增", "控制在", "保持"}
QUALIFIERS = {"", "以上", "以下", "以内", "左右", "不低于", "不超过", "不少于", "超过", "突破",
              "近", "约", "余", "多", "力争", "达到"}


def rows():
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_line_has_the_documented_fields_and_values():
    data = rows()
    assert len(data) >= 300
    for r in data:
        assert set(r) == {"ref", "split", "period", "targets", "annotator"}
        assert set(r["ref"]) == {"source", "doc_id", "idx", "sha"}
        assert re.fullmatch(r"[0-9a-f]{12}", r["ref"]["sha"]) and isinstance(r["ref"]["idx"], int)
        assert r["ref"]["source"].startswith(("corpora/", "seeds/"))
        assert r["split"] in {"dev", "heldout"} and r["period"] in PERIODS
        for t in r["targets"]:
            assert set(t) == {"indicator", "low", "high", "unit", "qualifier", "kind", "direction"}
            assert isinstance(t["low"], float) and t["low"] <= t["high"] and t["unit"]
            assert t["kind"] in KINDS and t["direction"] in DIRECTIONS and t["qualifier"] in QUALIFIERS
            assert len(t["indicator"]) <= 13  # a short phrase, never corpus text


def test_whole_documents_are_in_one_split_and_refs_are_unique():
    data = rows()
    split_of = {}
    for r in data:
        assert split_of.setdefault(r["ref"]["doc_id"], r["split"]) == r["split"]
    assert len({(r["ref"]["doc_id"], r["ref"]["idx"]) for r in data}) == len(data)
    held = sum(s == "heldout" for s in split_of.values())
    assert 0.25 <= held / len(split_of) <= 0.45

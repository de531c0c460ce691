"""The indicator synonym table (labels/indicators.yaml) and its loader."""

from __future__ import annotations

import pytest

from zonelens.errors import ZonelensError
from zonelens.targets import load_indicators


@pytest.mark.parametrize("indicator, kind, canonical", [
    ("全市地区生产总值", "growth", "gdp_growth"), ("GDP", "growth", "gdp_growth"), ("经济", "growth", "gdp_growth"),
    ("地区生产总值", "level", "gdp"), ("规上工业增加值", "growth", "industrial_va"),
    ("规模以上工业增加值", "growth", "industrial_va"), ("地方一般公共预算收入", "growth", "budget_revenue"),
    ("全社会固定资产投资", "growth", "fixed_investment"), ("社会消费品零售总额", "growth", "retail_sales"),
    ("城镇调查失业率", "share", "unemployment"), ("居民消费价格涨幅", "growth", "cpi"),
    ("研发经费投入强度", "share", "rd_intensity"), ("国家高新技术企业", "count", "hightech_firms"),
    ("外贸进出口总额", "growth", "trade"), ("实际使用外资", "level", "fdi"), ("城镇新增就业", "count", "new_jobs"),
    ("单位地区生产总值能耗", "growth", "energy_intensity"), ("PM2.5平均浓度", "growth", "pm25"),
])
def test_variants_map_to_canonical_ids(indicator, kind, canonical):
    assert load_indicators().canonical(indicator, kind) == canonical


def test_unknown_and_wrong_kind_stay_empty():
    table = load_indicators()
    assert table.canonical("海洋经济", "growth") == ""  # 经济 is an exact-only name
    assert table.canonical("口袋公园", "count") == ""
    assert table.canonical("高新技术企业", "share") == ""  # a count id
    assert 40 <= len(table.labels) <= 60 and table.label("gdp_growth") == "地区生产总值增速"


def test_edited_table_is_read_again(tmp_path):
    path = tmp_path / "indicators.yaml"
    path.write_text("indicators:\n  parks: {kind: count, names: [口袋公园]}\n", encoding="utf-8")
    assert load_indicators(path).canonical("新建口袋公园", "count") == "parks"
    path.write_text("indicators:\n  parks: {kind: count, names: [口袋公园, 公园绿地]}\n", encoding="utf-8")
    assert load_indicators(path).canonical("公园绿地", "count") == "parks"


@pytest.mark.parametrize("text, message", [
    ("[1, 2]", "needs an 'indicators' mapping"), ("indicators:\n  x: {kind: count}\n", "needs a list of names"),
    ("indicators:\n  x: {kind: speed, names: [a]}\n", "has kind 'speed'"), ("indicators: [", "cannot read"),
])
def test_bad_table_is_one_clear_error(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ZonelensError, match=message):
        load_indicators(path)

from pathlib import Path

import pytest

from zonelens.ingest.metadata import infer_year, infer_zone, load_manifest, manifest_lookup


@pytest.mark.parametrize("title,text,zone,year", [
    ("青梧高新区2023年工作总结", "全年新增就业。", "青梧高新区", 2023),
    ("抓项目 促发展", "——聚焦高新区2021年工作会议\n衡阳高新区召开会议。高新区要发展。高新区要改革。", "衡阳高新区", 2021),
    ("各位代表：", "现在，我代表市人民政府向大会报告工作。\n一、2022年工作回顾\n过去一年，株洲经济平稳。株洲人民奋斗。", "株洲市", 2023),
    ("各位代表：", "现在，我代表国务院，向大会报告政府工作。\n一、2019年工作回顾", "全国", 2020),
])
def test_inference(title, text, zone, year):
    assert infer_zone(title, text).value == zone
    assert infer_year(title, text).value == year


def test_national_new_zone_from_keywords():
    text = "新区要勇挑重担。新区发展迈上新台阶。新区在湘江西岸，岳麓山下，湘江之畔。"
    z = infer_zone("2024年是关键一年", text)
    assert z.value == "湖南湘江新区" and z.source == "text" and z.confidence < 0.9


def test_unknown_is_none():
    z = infer_zone("标题", "没有任何地名的文本。")
    assert z.value is None and z.source == "none"


def test_manifest_by_path_and_name(tmp_path):
    (tmp_path / "m.csv").write_text("path,zone,year,title\nsub/a.txt,甲区,2020,\n", "utf-8")
    rows = load_manifest(tmp_path / "m.csv")
    assert manifest_lookup(rows, str(tmp_path / "sub" / "a.txt")).zone == "甲区"
    assert manifest_lookup(rows, str(Path("elsewhere") / "a.txt")).year == 2020
    assert manifest_lookup(rows, "b.txt") is None

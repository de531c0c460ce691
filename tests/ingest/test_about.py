"""Zone and year of unseen reports: the government that delivers the report, not places it mentions.

Every text here is written for these tests in the style of a provincial or city report.
"""

import pytest

from zonelens.ingest.about import infer_year, infer_zone, places, resolve

BODY = "全年地区生产总值增长5.5%，粮食产量稳定在较高水平，城乡居民收入稳步增长。"


def region_report(capital: str, times: int, own: str = "") -> str:
    """An autonomous-region report that names its capital far more often than itself."""
    lines = ["各位代表：", "现在，我代表自治区人民政府向大会报告工作，请予审议。", "一、2024年工作回顾"]
    lines += [f"{capital}都市圈建设提速，{capital}新区、{capital}综合保税区加快发展。{BODY}"] * times
    if own:
        lines.append(f"推动{own}高质量发展迈出新步伐。")
    return "\n".join(lines)


def test_every_province_level_unit_by_full_and_short_name():
    names = places().names
    provinces = {u.name for units in names.values() for u in units if u.kind != "city" and u.kind != "county"}
    assert len(provinces) == 34
    for full, others in {"内蒙古自治区": ["内蒙古"], "广西壮族自治区": ["广西", "广西自治区"],
                         "宁夏回族自治区": ["宁夏", "宁夏自治区"], "新疆维吾尔自治区": ["新疆", "新疆自治区"],
                         "香港特别行政区": ["香港", "香港特区"], "重庆市": ["重庆"], "吉林省": ["吉林"]}.items():
        for n in [full, *others]:
            assert resolve(n).name == full, n


def test_province_and_its_namesake_city_are_told_apart_by_level():
    assert resolve("吉林", "省").name == "吉林省" and resolve("吉林", "市").name == "吉林市"
    assert infer_zone("各位代表：", "现在，我代表吉林市人民政府向大会报告工作。" + BODY).value == "吉林市"
    assert infer_zone("各位代表：", "现在，我代表吉林省人民政府向大会报告工作。" + BODY).value == "吉林省"


@pytest.mark.parametrize("text", [
    region_report("呼和浩特", 12, own="内蒙古"),  # level only; the region is named once, its capital 24 times
    "——2025年1月20日在内蒙古自治区第十四届人民代表大会第三次会议上\n" + region_report("鄂尔多斯", 12),
    "受内蒙古自治区人民政府委托，向大会报告工作。\n" + region_report("呼和浩特", 5),
])
def test_autonomous_region_is_not_its_capital(text):
    z = infer_zone("各位代表：", text)
    assert z.value == "内蒙古自治区" and z.confidence >= 0.8


def test_region_page_that_names_only_its_cities():
    text = "\n".join(["各位代表：", "现在，我代表自治区人民政府向大会报告工作。",
                      "银川都市圈加快建设，吴忠、中卫、石嘴山、固原协同发展。" + BODY,
                      "支持银川建设区域中心城市，推动中卫数据中心集群扩容。"])
    z = infer_zone("各位代表：", text)
    assert z.value == "宁夏回族自治区" and z.source == "text"


def test_province_in_the_file_name_beats_zones_named_in_the_text():
    text = "\n".join(["一、2024年工作回顾", "辽源高新区、辽源经开区加快发展。" + BODY, "支持辽源高新区扩区。"])
    z = infer_zone("2025年吉林省政府工作报告", text, "/data/reports/2025年吉林省政府工作报告.txt")
    assert z.value == "吉林省" and z.confidence >= 0.8
    z = infer_zone("年度报告", text, "/data/reports/2025年吉林省政府工作报告.txt")
    assert z.value == "吉林省" and z.source == "filename"


def test_parent_folder_is_evidence_too():
    text = "\n".join(["各位代表：", "现在，我代表自治区人民政府向大会报告工作。", BODY])
    z = infer_zone("各位代表：", text, "/data/广西/report-2025.txt")
    assert z.value == "广西壮族自治区"


def test_conflicting_evidence_is_low_confidence_with_candidates():
    text = "各位代表：\n现在，我代表国务院，向大会报告政府工作。\n" + BODY
    z = infer_zone("各位代表：", text, "/data/台州.txt")
    assert z.value == "全国" and z.confidence == 0.5
    assert any("台州" in c for c in z.candidates) and any("全国" in c for c in z.candidates)


def test_province_whose_name_is_never_given_is_left_to_the_user():
    z = infer_zone("各位代表：", "各位代表：\n现在，我代表省人民政府向大会报告工作。\n" + BODY * 3)
    assert z.value is None and z.confidence == 0.0


def test_development_zone_reports_keep_working():
    assert infer_zone("青梧高新区2023年工作总结", "全年新增就业。").value == "青梧高新区"
    text = "各位代表：现在，我代表市人民政府向大会报告工作。\n株洲经济平稳。株洲人民奋斗。" + BODY
    assert infer_zone("各位代表：", text, "/data/株洲.txt").value == "株洲市"


@pytest.mark.parametrize("title,text,year", [
    ("政府工作报告", "——2026年1月26日在某某省第十四届人民代表大会第四次会议上\n各位代表：\n一、2025年工作回顾", 2026),
    ("政府工作报告", "——二〇二五年一月二十日在自治区第十四届人民代表大会第三次会议上\n各位代表：", 2025),
    ("2025年某某省政府工作报告", "各位代表：\n一、2024年工作回顾\n过去一年。", 2025),
])
def test_year_from_delivery_date_then_title(title, text, year):
    y = infer_year(title, text)
    assert y.value == year and y.confidence >= 0.9


def test_file_name_year_is_checked_against_the_text():
    text = "——2025年1月20日在某某省第十四届人民代表大会第三次会议上\n各位代表：\n一、2024年工作回顾"
    assert infer_year("政府工作报告", text, path="/r/2025年某某省政府工作报告.txt").confidence >= 0.9
    y = infer_year("政府工作报告", text, path="/r/2024年某某省政府工作报告.txt")
    assert y.value == 2025 and y.confidence == 0.5 and "2024 (filename)" in y.candidates
    assert infer_year("报告", "没有年份的文本。", path="/r/2023-report.txt").value == 2023


def test_a_sentence_quoting_a_congress_is_not_a_session_line():
    text = ("各位代表：\n现在，我代表市人民政府向大会报告工作。\n学习总书记在第十四届全国人民代表大会第一次会议上的讲话，"
            "落实在省第十四届人民代表大会第三次会议上确定的任务。" + BODY)
    z = infer_zone("各位代表：", text, "/x/长春.txt")
    assert z.value == "长春市" and z.confidence >= 0.85 and not z.candidates

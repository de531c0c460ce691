import re

import pytest

from zonelens.ingest.clean import clean, detect_junk_tokens, load_rules, rejoin_broken_lines

# One line per cleaning rule (written for these tests), with a body line that must survive.
RULE_CASES = {
    "byline": "■本报记者 王小明 通讯员 李华",
    "photo_credit": "■李四 摄",
    "author_time": "作者：赵六    时间：2021-03-02",
    "source_line": "来源：某某日报",
    "editor_line": "责任编辑：钱七",
    "page_furniture": "【字号】",
    "page_furniture_inline": "请选择 打印 关闭 分享到：微信",
    "web_nav": "首页 | 网站地图 | 联系我们",
    "reporter_inline": "全年新增就业3000人。（本报记者 孙八报道）",
    "copyright_block": "【版权及免责声明】凡本网所属版权作品，转载时须获得授权。",
    "site_footer": "主办单位：某某市人民政府办公室",
    "wiki_licence": "本作品是中华人民共和国的",
    "nav_heading": "相关新闻",
}
BODY = "全年新签约项目20个，合同引资80亿元，同比增长12%，其中亿元以上项目9个。"


def test_every_rule_has_a_case():
    assert {r.name for r in load_rules()} == set(RULE_CASES)


@pytest.mark.parametrize("name", sorted(RULE_CASES))
def test_rule_removes_its_line(name):
    line = RULE_CASES[name]
    body = "\n".join([BODY] * 12)  # footers are only cut in the tail of a text
    cleaned = clean(body + "\n" + line + "\n")
    assert cleaned.removed[name] >= 1
    assert BODY in cleaned.text
    if name == "reporter_inline":
        assert "全年新增就业3000人。" in cleaned.text and "记者" not in cleaned.text
    else:
        assert line.strip() not in cleaned.text


def test_truncate_rules_do_not_fire_early():
    text = "版权所有的说法出现在开头\n" + "\n".join([BODY] * 5)
    assert clean(text).removed["copyright_block"] == 0


def test_broken_sentence_is_rejoined():
    lines = ["——产业发展更加活跃。技改投资增", "", "速达17.3%，技改投资占工业投资比重达39.7%。"]
    out, joins = rejoin_broken_lines(lines)
    assert joins == 1 and out == ["——产业发展更加活跃。技改投资增速达17.3%，技改投资占工业投资比重达39.7%。"]


def test_headings_are_not_joined():
    lines = ["（一）聚焦稳增长，经济运行稳中向好", "全年地区生产总值增长6%。"]
    assert rejoin_broken_lines(lines)[1] == 0


def test_junk_token_reported_not_replaced():
    text = "坚持和记AG引导。发挥和记AG作用。强化和记AG投入，GDP增长5%，GDP总量提升，GDP再创新高。"
    assert detect_junk_tokens(text) == [("和记AG", 3)]
    cleaned = clean(text)
    assert cleaned.text.count("和记AG") == 3
    assert any("和记AG" in m and "3 times" in m for _, m in cleaned.warnings)


def test_normalizes_bom_and_fullwidth_spaces():
    cleaned = clean("\ufeff\u3000\u3000新增就业岗位2000个。\r\n")
    assert cleaned.text == "新增就业岗位2000个。"
    assert not re.search(r"[\ufeff\u3000\r]", cleaned.text)

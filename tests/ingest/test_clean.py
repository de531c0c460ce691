import re

import pytest

from zonelens.ingest.clean import clean, detect_junk_tokens, load_rules, rejoin_broken_lines

# One line per cleaning rule (written for these tests), with a body line that must survive.
RULE_CASES = {
    "photo_credit_glued": "本报记者 周小川摄各位代表：",
    "page_controls": "下载 | 打印 | 全屏 | 收藏",
    "font_size_inline": "2025-01-20 某某网 【字号：大 中 小】",
    "breadcrumb": "您的位置：首页 > 政务公开 > 政府工作报告",
    "share_line": "分享到：微信 微博 QQ空间",
    "meta_line": "发布时间：2025-01-20 09:30 来源：某某省人民政府网",
    "info_box": "索引号：11220000/2025-00012",
    "page_jump": "（下转第三版）",
    "photo_caption": "图为会议现场。记者 孙某某 摄",
    "page_number": "— 12 —",
    "byline": "■本报记者 王小明 通讯员 李华",
    "photo_credit": "■李四 摄",
    "author_time": "作者：赵六    时间：2021-03-02",
    "source_line": "来源：某某日报",
    "editor_line": "责任编辑：钱七",
    "page_furniture": "相关链接",
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
    elif name == "photo_credit_glued":  # the credit goes, the speech it is glued to stays
        assert "各位代表：" in cleaned.text.split("\n") and "摄" not in cleaned.text
    elif name == "font_size_inline":
        assert "字号" not in cleaned.text and "2025-01-20 某某网" in cleaned.text
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


# A page of a provincial government site as scraped to text (written for this test): furniture
# above and below the report, font-size controls, breadcrumbs, share and meta lines.
SCRAPED = """您的位置：首页 > 要闻动态 > 政府工作报告
2025年某某省政府工作报告
发布时间：2025-01-27 10:02  来源：某某日报
【字号：大 中 小】
加大 还原 减小
下载
打印
全屏
收藏
分享到：
本报记者 钱多多摄各位代表：
现在，我代表省人民政府向大会报告工作，请予审议。
一、2024年工作回顾
过去一年，全省地区生产总值增长５．２％，粮食产量创历史新高。
二、2025年工作安排
今年，我们将扎实推进科技创新，力争研发投入增长10％以上。
责任编辑：孙小美
"""


def test_scraped_page_loses_every_furniture_line():
    cleaned = clean(SCRAPED)
    lines = cleaned.text.split("\n")
    assert lines[0] == "2025年某某省政府工作报告" and lines[1] == "各位代表："
    for junk in ("您的位置", "发布时间", "字号", "加大", "下载", "打印", "全屏", "收藏", "分享", "责任编辑", "摄"):
        assert junk not in cleaned.text, junk
    assert "全省地区生产总值增长５．２％" in cleaned.text  # full-width digits and ％ are kept as written


def test_kangxi_and_cjk_radicals_become_plain_characters():
    # ⼯ ⼈ (Kangxi radicals: NFKC), ⺠ ⻓ ⻔ (CJK radicals NFKC leaves alone: the table)
    cleaned = clean("\u2f2f\u2f08\u2ea0\u4e3b\u2ed3\u6c5f\u2ed4\u6237，２０２５年目标５％。")
    assert cleaned.text == "工人民主长江门户，２０２５年目标５％。"


def test_every_radical_in_the_table_maps_to_a_han_character():
    from zonelens.ingest.clean import _radicals

    table = _radicals()
    assert len(table) > 80
    for code, plain in table.items():
        assert 0x2E80 <= code <= 0x2EFF and len(plain) == 1 and 0x4E00 <= ord(plain) <= 0x9FFF, hex(code)


def test_one_line_report_is_split_into_paragraphs():
    body = "过去一年，全市经济运行稳中向好，新增城镇就业十二万人，居民收入稳步增长，生态环境持续改善。"
    text = ("某某市市长 王某 各位代表： 现在，我代表市人民政府向大会报告工作。 一、2023年工作回顾 "
            + " ".join([body] * 40) + " 各位代表，任重道远更须持续用力 久久为功。")
    lines = clean(text).text.split("\n")
    assert "各位代表：" in lines and "一、2023年工作回顾" in lines
    assert lines.count(body) == 40
    assert lines[-1] == "各位代表，任重道远更须持续用力 久久为功。"  # a space inside a sentence stays


def test_running_header_of_a_pdf_is_kept_once():
    page = [BODY, "全年新增城镇就业4.2万人。"]
    text = "\n".join(["2025年某某市政府工作报告", *page, "2025年某某市政府工作报告", *page, "2025年某某市政府工作报告", *page])
    cleaned = clean(text)
    assert cleaned.text.count("2025年某某市政府工作报告") == 1 and cleaned.removed["repeated_line"] == 2
    assert cleaned.text.count(BODY) == 3


def test_letter_spaced_lines_lose_their_spaces():
    spaced = " ".join("全年新增城镇就业四万人") + "，" + " ".join("居民收入稳步增长") + "。"
    cleaned = clean("政 府 工 作 报 告\n" + spaced + "\n某某市市长 王 某\n实现 5G 网络全覆盖。")
    assert cleaned.text.split("\n") == ["政府工作报告", "全年新增城镇就业四万人，居民收入稳步增长。",
                                         "某某市市长 王 某", "实现 5G 网络全覆盖。"]

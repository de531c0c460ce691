import pytest

from zonelens.ingest.title import carried_title, choose_title, title_line

SPEECH = "各位代表：\n现在，我代表省人民政府向大会报告工作，请予审议。\n一、2024年工作回顾"


@pytest.mark.parametrize("head,title", [
    ("全屏\n您的位置：首页 > 政务公开\n2025年某某省政府工作报告\n", "2025年某某省政府工作报告"),
    ("某某高新区2024年工作总结\n", "某某高新区2024年工作总结"),
    ("2025年某某省\n政府工作报告\n", "2025年某某省政府工作报告"),
    ("关于某某新区2023年工作情况的报告\n", "关于某某新区2023年工作情况的报告"),
])
def test_the_reports_own_title_line(head, title):
    assert title_line(head + SPEECH) == title


def test_never_furniture_greeting_or_a_file_name():
    assert choose_title("全屏\n" + SPEECH, "/r/吉林省2025.txt") == "吉林省2025"  # the stem, at last
    assert choose_title(SPEECH, "/r/x.pdf", carried="Microsoft Word - 2025年政府工作报告定稿.docx") == "x"
    assert choose_title(SPEECH, "/r/x.dta#3") == "x#3"


def test_carried_titles():
    assert carried_title("2025年某某省政府工作报告_某某省人民政府门户网站") == "2025年某某省政府工作报告"
    assert carried_title("首页") is None and carried_title("report_final.pdf") is None


def test_manifest_and_column_titles_win():
    assert choose_title(SPEECH, "/r/a.txt", manifest_title="甲") == "甲"
    assert choose_title(SPEECH, "/r/a.csv#0", column_title="乙") == "乙"


def test_a_news_headline_is_kept():
    assert choose_title("抓项目 促发展\n某某高新区召开2021年工作会议。", "/r/a.txt") == "抓项目 促发展"

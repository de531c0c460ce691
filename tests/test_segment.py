import pytest

from zonelens.ingest.clean import clean
from zonelens.segment import segment, split_sentences


def texts(line):
    return [line[a:b] for a, b in split_sentences(line)]


def test_enders_and_closing_quotes():
    line = "他说：“要抓好落实。”我们坚决执行！还有问题吗？"
    assert texts(line) == ["他说：“要抓好落实。”", "我们坚决执行！", "还有问题吗？"]


def test_semicolon_between_clauses_splits_short_pieces_do_not():
    assert texts("新增高新技术企业15家；研发投入强度达到2.8%。") == ["新增高新技术企业15家；", "研发投入强度达到2.8%。"]
    assert texts("甲；乙；丙项目全部建成投产。") == ["甲；乙；丙项目全部建成投产。"]


def test_semicolon_inside_brackets_does_not_split():
    line = "完善政策体系（含人才政策；金融政策等多项内容）并推动落实。"
    assert texts(line) == [line]


def test_headings_paths_offsets_and_periods(report_text):
    cleaned = clean(report_text)
    units = segment(cleaned.text, 2023)
    for u in units:
        assert cleaned.text[u.char_start:u.char_end] == u.text
    heads = [u for u in units if u.is_heading]
    assert [h.text for h in heads][:3] == ["青松高新区2023年工作总结", "一、2023年工作回顾", "（一）科技创新持续发力。"]
    first_body = next(u for u in units if "合同引资62亿元" in u.text)
    assert first_body.heading_path == "一、2023年工作回顾" and first_body.period == "review"
    innov = next(u for u in units if "研发投入强度" in u.text)
    assert innov.heading_path == "一、2023年工作回顾 > （一）科技创新持续发力。"
    plan = next(u for u in units if "精准招商" in u.text)
    assert plan.period == "plan" and plan.heading_path == "二、2024年工作安排"


def test_sentence_cues_set_period_without_headings():
    units = segment("过去一年，全区新增就业3000人。\n今年，我们将新建学校两所。", 2024)
    assert [u.period for u in units] == ["review", "plan"]


def test_front_matter_is_unknown_and_sets_no_period():
    text = "\n".join(["2025年某某市政府工作报告", "——2025年1月8日在某某市第十七届人民代表大会第五次会议上",
                      "市长 李某某", "各位代表：", "现在，我代表市人民政府向大会报告工作。",
                      "一、2024年工作回顾", "全年新增就业3万人。"])
    units = segment(text, 2025)
    assert [u.period for u in units[:4]] == ["unknown"] * 4
    assert units[-1].period == "review"


def test_a_greeting_glued_to_the_speech_is_not_front_matter():
    body = "各位代表：现在，我代表市人民政府向大会报告工作。" + "全年新增就业3万人，城镇调查失业率5%。" * 30
    assert len(segment(body, 2025)) > 30


@pytest.mark.parametrize("heading", ["二、“十四五”时期发展成就", "一、过去五年工作回顾", "（一）五年来取得的成就",
                                     "二、过去一年的主要工作", "一、2024年工作回顾"])
def test_review_headings(heading):
    units = segment("\n".join([heading, "全市经济总量迈上新台阶。", "二、2025年工作安排", "今年要稳增长。"]), 2025)
    assert units[1].period == "review" and units[3].period == "plan"


def test_a_five_year_plan_heading_is_the_past_only_after_the_plan_ends():
    def first_body(heading, year):
        return segment("\n".join([heading, "全市经济总量迈上新台阶。"]), year)[1].period

    assert first_body("二、“十四五”时期重点工作", 2026) == "review"
    assert first_body("二、“十四五”时期重点工作", 2021) == "plan"
    assert first_body("三、“十五五”时期主要目标任务", 2026) == "plan"

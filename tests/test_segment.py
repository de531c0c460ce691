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

"""The extractor on sentences written for these tests (in the style of work reports)."""

from __future__ import annotations

import pytest

from zonelens.targets import extract_sentence, heading_year, load_patterns, sentence_period, target_year


def one(text):
    got = extract_sentence(text)
    assert len(got) == 1, got
    return got[0]


def rows(text):
    return [(t.indicator, t.low, t.high, t.unit, t.qualifier, t.kind, t.direction) for t in extract_sentence(text)]


def test_a_plan_paragraph():
    text = ("主要预期目标是：示范区地区生产总值增长6.3%左右；规模以上工业增加值增长7.4%；固定资产投资增长8.6%以上；"
            "城镇新增就业2.7万人；城镇调查失业率控制在4.9%以内；居民消费价格涨幅2.9%左右。")
    assert rows(text) == [
        ("示范区地区生产总值", 6.3, 6.3, "%", "左右", "growth", "增长"),
        ("规模以上工业增加值", 7.4, 7.4, "%", "", "growth", "增长"),
        ("固定资产投资", 8.6, 8.6, "%", "以上", "growth", "增长"),
        ("城镇新增就业", 2.7, 2.7, "万人", "", "count", "新增"),
        ("城镇调查失业率", 4.9, 4.9, "%", "以内", "share", "控制在"),
        ("居民消费价格涨幅", 2.9, 2.9, "%", "左右", "growth", ""),
    ]


# every unit of patterns.yaml, in a sentence of its own
UNITS = sorted(u for u, k in load_patterns().units.items() if k != "never")


@pytest.mark.parametrize("unit", UNITS)
def test_every_unit(unit):
    t = one(f"全年示范指标完成12{unit}。")
    assert (t.low, t.high) == ((120, 120) if unit == "成" else (12, 12))  # 成 is read as tens of percent
    assert t.unit == ("%" if unit == "成" else unit)
    assert t.kind in ("growth", "level", "share", "count")


@pytest.mark.parametrize("text, qualifier", [
    ("新增高新技术企业30家以上。", "以上"), ("地区生产总值增长6%左右。", "左右"),
    ("城镇登记失业率控制在4%以内。", "以内"), ("能耗强度下降3%以下。", "以下"),
    ("研发投入强度不低于2.5%。", "不低于"), ("赤字率不超过3%。", "不超过"), ("新建学校不少于5所。", "不少于"),
    ("力争引进重点项目40个。", "力争"), ("接待游客约1200万人次。", "约"), ("产业联盟企业达到300家。", "达到"),
    ("新增市场主体超过2万户。", "超过"), ("营业收入突破500亿元。", "突破"), ("培育企业近200家。", "近"),
    ("举办活动3000余场。", "余"), ("吸纳劳动力4.5万余人。", "余"), ("开展培训200多场。", "多"),
    ("增速达17.3%。", "达到"), ("营收超1000亿元。", "超过"), ("力争增长6%以上。", "以上"),
    ("力争达到20家。", "力争"), ("引进人才1200名。", ""),
])
def test_every_qualifier(text, qualifier):
    assert one(text).qualifier == qualifier


@pytest.mark.parametrize("text", ["固定资产投资增长5.0%—5.5%。", "固定资产投资增长5%到5.5%。", "固定资产投资增长5%至5.5%。",
                                  "固定资产投资增长5%-5.5%。", "固定资产投资增长5～5.5%。", "固定资产投资增长5—5.5%。",
                                  "固定资产投资增长百分之五到百分之五点五。"])
def test_range_forms(text):
    t = one(text)
    assert (t.indicator, t.low, t.high, t.unit, t.kind) == ("固定资产投资", 5, 5.5, "%", "growth")


def test_count_range():
    t = one("每条产业链招引1至3家龙头企业。")
    assert (t.low, t.high, t.unit, t.indicator, t.kind) == (1, 3, "家", "龙头企业", "count")


@pytest.mark.parametrize("text, low, unit", [
    ("粮食产量增长三成。", 30, "%"), ("出口增长两倍。", 2, "倍"), ("库存减少三分之一。", 33.33, "%"),
    ("农业总产值增长百分之八点六。", 8.6, "%"), ("新增规上企业一百二十家。", 120, "家"),
    ("财政收入增加二十二亿元。", 22, "亿元"), ("经济总量实现翻番。", 2, "倍"), ("居民收入翻两番。", 4, "倍"),
    ("物价上涨十三个百分点。", 13, "个百分点"),
])
def test_chinese_numerals(text, low, unit):
    t = one(text)
    assert (t.low, t.unit) == (low, unit)


def test_full_width_digits():
    assert rows("钢材产量增长１２％，达到１３亿吨。") == [
        ("钢材产量", 12, 12, "%", "", "growth", "增长"), ("钢材产量", 13, 13, "亿吨", "达到", "level", "")]


@pytest.mark.parametrize("text", [
    "2026年要谋划好“十五五”开局。", "3月15日召开全市大会。", "一是稳增长，二是调结构。", "位居全省第一。",
    "经济总量居全省前3位。", "实施“十四五”规划。", "根据国发〔2024〕5号文件精神。", "建成5G基站。",
    "改善PM2.5平均浓度。", "推进三大工程，落实两个维护，实施一批项目。", "连续三年获评先进。",
    "引进50亿元以上项目。", "关爱60岁以上老人。", "打造千亿级产业集群。", "出台“31条”政策。",
    "建设10万吨级泊位。", "每千人拥有床位。", "用两年时间完成改造。",
])
def test_traps_are_not_targets(text):
    assert extract_sentence(text) == []


def test_class_threshold_beside_a_target():
    assert rows("力争引进10亿元以上项目20个。") == [("10亿元以上项目", 20, 20, "个", "力争", "count", "")]


@pytest.mark.parametrize("text, kind", [
    ("研发经费投入强度达到3%。", "share"), ("城镇化率达到65%。", "share"), ("森林覆盖率提高到45%。", "share"),
    ("服务业增加值占比达到55%。", "share"), ("一般公共预算收入增长5%。", "growth"), ("税收收入下降2%。", "growth"),
    ("工业投资增速8%。", "growth"), ("城镇化率提高1个百分点。", "share"), ("增速高于全省2个百分点。", "growth"),
    ("每万人有效发明专利达到27件。", "share"),
])
def test_share_versus_growth(text, kind):
    assert one(text).kind == kind


@pytest.mark.parametrize("text, direction", [
    ("城镇化率提高到65%。", "提高"), ("常住人口增加到120万人。", "增加"), ("单位GDP能耗下降3%。", "下降"),
    ("压减一般性支出10%。", "下降"), ("民生支出稳定在70%以上。", "保持"), ("新增学位1200个。", "新增"),
    ("跨市公交增至6条。", "增加"), ("工业投资增速8%。", "增长"), ("建成农村公路60公里。", ""),
])
def test_directions_are_normalised(text, direction):
    assert one(text).direction == direction


def test_lists_share_indicator_direction_and_qualifier():
    assert rows("其中一、二、三产分别增长2.5%、7.5%、4.5%左右。") == [
        ("一、二、三产", v, v, "%", "左右", "growth", "增长") for v in (2.5, 7.5, 4.5)]
    assert [t.indicator for t in extract_sentence("营业收入、净利润分别增长11.5%、13%。")] == ["营业收入", "净利润"]
    assert [(t.indicator, t.low) for t in extract_sentence("单位产值、单位税收均增长12%以上。")] == [
        ("单位产值", 12), ("单位税收", 12)]
    assert [(t.indicator, t.direction, t.qualifier) for t in extract_sentence("力争新增企业上云3万家、企业上平台2000家。")] == [
        ("企业上云", "新增", "力争"), ("企业上平台", "新增", "力争")]


def test_level_then_growth_of_one_indicator():
    assert rows("全市地区生产总值3517亿元，同比增长5.3%。") == [
        ("地区生产总值", 3517, 3517, "亿元", "", "level", ""), ("地区生产总值", 5.3, 5.3, "%", "", "growth", "增长")]


def test_the_noun_after_the_number():
    assert [t.indicator for t in extract_sentence("完成17个背街小巷改造，新建9座污水泵站，5个项目全部交付。")] == [
        "背街小巷改造", "污水泵站", "项目"]
    assert one("推进A路、B路等11条市政道路。").indicator == "市政道路"


def test_period_and_target_year():
    p = load_patterns()
    assert sentence_period("预计全年地区生产总值增长6%左右。", "plan", p) == "review"
    assert sentence_period("力争新增企业30家。", "review", p) == "plan"
    assert sentence_period("新增企业30家。", "plan", p) == "plan"
    assert sentence_period("深化改革，持续推进创新。", "unknown", p) == "plan"
    assert sentence_period("社会治理。", "unknown", p, has_target=False) == "other"
    assert heading_year("二、2024年工作安排 > （一）招商") == 2024
    assert heading_year("一、１９９４年国内工作的回顾") == 1994
    assert target_year("二、2025年工作打算", "plan") == 2025
    assert target_year("一、2024年工作回顾", "review") is None and target_year("", "plan") is None


def test_patterns_are_data(tmp_path):
    import yaml

    from zonelens.errors import ZonelensError
    from zonelens.targets.patterns import default_patterns_path

    data = yaml.safe_load(default_patterns_path().read_text("utf-8"))
    data["units"]["株"] = "never"  # a word list edited in the file changes what is read
    path = tmp_path / "patterns.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert extract_sentence("栽种树苗300株。", load_patterns(path)) == []
    assert len(extract_sentence("栽种树苗300株。")) == 1
    path.write_text("units: {}\n", encoding="utf-8")
    with pytest.raises(ZonelensError, match="need the lists"):
        load_patterns(path)

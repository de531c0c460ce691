"""Rebuild samples/reports/linchuan-2024.docx (a fictional report with a table) from the text below.

Run: uv run python src/zonelens/data/samples/make_docx_sample.py
"""

from pathlib import Path

import docx

PARAGRAPHS = [
    "临川湾经开区2024年工作总结",
    "一、主要指标完成情况",
    "2024年，经开区坚持项目为王、产业为要，主要经济指标保持平稳增长，具体情况见下表。",
    None,  # the table goes here
    "二、重点工作进展",
    "（一）招商引资量质齐升。全年新引进项目31个，其中外资项目4个，合同引资142亿元；组织赴粤港澳大湾区招商活动8次，成功引进一家行业龙头企业区域总部。",
    "（二）科技创新加快突破。新增国家级专精特新“小巨人”企业2家，新建企业技术中心6个，规上工业企业研发活动覆盖率达到62%。",
    "（三）绿色发展成效显著。完成化工园区废气治理提升工程，重点企业挥发性有机物排放下降15%，建成屋顶光伏20兆瓦。",
    "（四）民生保障持续加强。新建人才公寓600套，开通园区通勤公交线路3条，新增就业岗位5200个。",
    "（五）党建引领不断深化。开展“党建+营商环境”行动，新建园区党群服务中心1个，组织党员干部专题培训12期。",
]
TABLE = [
    ("指标", "完成值", "增速"),
    ("地区生产总值", "168亿元", "6.9%"),
    ("规上工业增加值", "—", "9.2%"),
    ("合同引资", "142亿元", "12.0%"),
]


def main() -> None:
    document = docx.Document()
    document.core_properties.title = "临川湾经开区2024年工作总结"
    for text in PARAGRAPHS:
        if text is None:
            table = document.add_table(rows=len(TABLE), cols=3)
            for r, row in enumerate(TABLE):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
        else:
            document.add_paragraph(text)
    out = Path(__file__).parent / "reports" / "linchuan-2024.docx"
    document.save(out)
    print(out)


if __name__ == "__main__":
    main()

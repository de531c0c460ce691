"""A small real corpus for the report tests: fictional reports, ingested and classified with the
shipped themes-fast model, plus topic tables written by hand (the topic stage is tested elsewhere)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zonelens.themes.run import apply_model

REPORTS = {
    "qingwu-2023.txt": ("青梧高新区", 2023, """青梧高新区2023年工作总结

一、2023年工作回顾

全年新签约项目18个，合同引资62亿元。新增高新技术企业15家，研发投入强度达到2.8%。
空气质量优良率达到87%，完成污水管网改造6公里。新建幼儿园两所，新增学位1200个。
扎实开展主题教育，基层党组织建设全面加强。

二、2024年工作安排

聚焦主导产业开展精准招商，力争引进亿元以上项目10个。加快建设科创走廊，新增省级研发平台3家。
"""),
    "qingwu-2024.txt": ("青梧高新区", 2024, """青梧高新区2024年工作总结

一、2024年工作回顾

全年招引产业项目22个，其中亿元以上项目9个。建成孵化器两家，技术合同成交额增长三成。
完成河道整治8公里，新增绿地12公顷。城乡居民医保参保率保持在95%以上。
持续深化全面从严治党，落实党风廉政建设责任制。

二、2025年工作安排

坚持招商引资一号工程，全年签约项目不少于20个。办好十件民生实事，新增养老床位300张。
"""),
    "beiling-2023.txt": ("北岭新区", 2023, """北岭新区2023年工作总结

一、2023年工作回顾

新引进外资企业6家，实际利用外资1.2亿美元。建成口袋公园三座，完成老旧小区改造12个。
新增就业岗位3000个，城镇登记失业率控制在3%以内。组织开展党员教育培训40场次。

二、2024年工作安排

深入推进科技创新，培育专精特新企业10家。持续改善生态环境，PM2.5浓度下降5%。
"""),
}


@pytest.fixture(scope="module")
def report_db(tmp_path_factory, write_topics, ingested_reports) -> Path:
    db, rep = ingested_reports(tmp_path_factory.mktemp("report-corpus"), REPORTS)
    assert rep.documents == 3 and not rep.failures
    apply_model(db, "themes-fast")
    write_topics(db, "topics@0123456789ab", lambda t: 0 if "项目" in t else 1 if ("企业" in t or "平台" in t) else -1,
                 [(0, "0_项目_招商", 5, ["项目", "招商"]), (1, "1_企业_平台", 3, ["企业", "平台"]), (-1, "outliers", 9, [])])
    return db

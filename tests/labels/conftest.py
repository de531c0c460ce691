"""Fixtures for the labelling tests: a small corpus database and annotation builders.

Every sentence here is written for the tests, in the register of work reports.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from zonelens.hashing import doc_id_for, text_hash
from zonelens.labels.annotations import Annotation, Ref
from zonelens.store import connect
from zonelens.taxonomy import load_taxonomy

DOCS = {
    "corpora/test-2024/txt/东湖区.txt": [
        "一、2023年工作回顾",
        "全年新签约亿元以上项目28个，合同引资达到156亿元。",
        "新认定高新技术企业41家，研发经费投入强度达到2.9%。",
        "空气质量优良天数比例达到88.2%，完成雨污分流改造9公里。",
        "城镇新增就业1.2万人，新建公办幼儿园4所。",
        "扎实开展主题教育，持续加强基层党组织建设。",
        "地区生产总值增长6.1%，一般公共预算收入完成37亿元。",
    ],
    "corpora/test-2024/txt/西岭区.txt": [
        "二、2024年重点任务",
        "组建产业链招商专班，全年力争引进十亿元以上项目5个。",
        "推进智能制造示范工厂建设，培育专精特新“小巨人”企业6家。",
        "深入推进节能减排，单位工业增加值能耗下降3%。",
        "实施老旧小区改造22个，新增养老服务床位300张。",
    ],
    "seeds/样例.txt": [
        "严格落实全面从严治党主体责任，驰而不息纠治“四风”。",
        "做好今年的工作，意义重大。",
        "新开工重大项目16个，竣工投产项目9个。",
    ],
}

TOY_THEMES = """\
version: "0.1"
themes:
  - id: growth
    name_zh: 经济增长
    name_en: growth
    definition: 总量指标与增长速度。Headline output and growth.
    include: [地区生产总值, 财政收入]
    exclude: []
    examples: [地区生产总值增长6%。]
  - id: green
    name_zh: 绿色
    name_en: green
    definition: 生态环境与节能。Environment and energy saving.
    examples: [空气质量持续改善。]
  - id: people
    name_zh: 民生
    name_en: people
    definition: 就业、教育与养老。Jobs, schools and elderly care.
other:
  name_zh: 其他
  name_en: other
  definition: 其余句子。Everything else.
"""


def insert_doc(con, path: str, sentences: list[str]) -> str:
    """Insert one document and its sentences; returns the doc_id."""
    text = "\n".join(sentences)
    doc_id = doc_id_for(path + text)
    con.execute(
        "INSERT INTO documents (doc_id, path, sha256, n_sentences, n_chars, cleaned_text, ingested_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [doc_id, path, doc_id, len(sentences), len(text), text, datetime(2024, 1, 1)],
    )
    pos = 0
    for i, s in enumerate(sentences):
        heading = s.startswith(("一、", "二、"))
        con.execute(
            "INSERT INTO sentences VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [doc_id, i, s, heading, "", "review", pos, pos + len(s)],
        )
        pos += len(s) + 1
    return doc_id


@pytest.fixture
def corpus(tmp_path: Path) -> dict:
    """A DuckDB corpus of three documents: {'db': path, 'docs': {path: (doc_id, sentences)}}."""
    db = tmp_path / "t.duckdb"
    con = connect(db)
    docs = {p: (insert_doc(con, p, s), s) for p, s in DOCS.items()}
    con.close()
    return {"db": db, "docs": docs}


@pytest.fixture
def taxonomy():
    return load_taxonomy()


@pytest.fixture
def toy_path(tmp_path: Path) -> Path:
    p = tmp_path / "toy" / "themes.yaml"
    p.parent.mkdir()
    p.write_text(TOY_THEMES, encoding="utf-8")
    return p


def ann(doc_id: str, idx: int, themes=(), primary=None, annotator="a1", round=1,
        text: str | None = None, source: str = "corpora/test-2024/txt/x.txt") -> Annotation:
    """An annotation; primary defaults to the first theme."""
    themes = tuple(themes)
    if primary is None and themes:
        primary = themes[0]
    sha = text_hash(text if text is not None else f"{doc_id}-{idx}")
    return Annotation(Ref(source, doc_id, idx, sha), themes, primary, annotator, round)


@pytest.fixture
def make_ann():
    """The :func:`ann` builder, as a fixture (test modules do not import conftest)."""
    return ann

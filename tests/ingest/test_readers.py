import json
import zipfile

import docx
import pandas as pd
import pytest

from zonelens.errors import InputError
from zonelens.ingest.readers import Columns, read_path

BODY = "新区全年新增高新技术企业20家，研发投入强度达到3%。"


def one(path, **kw):
    docs = list(read_path(path, **kw))
    assert len(docs) == 1
    return docs[0]


@pytest.mark.parametrize("encoding,label", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
                                            ("gb18030", "gb18030"), ("gbk", "gb18030")])
def test_text_encodings(tmp_path, encoding, label):
    p = tmp_path / "r.txt"
    p.write_bytes((BODY * 3).encode(encoding))
    doc = one(p)
    assert doc.text == BODY * 3 and doc.encoding == label


def test_docx_paragraphs_and_table_in_order(tmp_path):
    d = docx.Document()
    d.add_paragraph("一、主要指标")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "地区生产总值", "增长6%"
    t.cell(1, 0).text, t.cell(1, 1).text = "合同引资", "80亿元"
    d.add_paragraph(BODY)
    d.save(tmp_path / "r.docx")
    doc = one(tmp_path / "r.docx")
    assert doc.text.split("\n") == ["一、主要指标", "地区生产总值 增长6%", "合同引资 80亿元", BODY]


def test_pdf_text_layer(tmp_path, pdf_maker):
    doc = one(pdf_maker(tmp_path / "r.pdf", ["青松高新区工作报告", BODY]))
    assert "青松高新区工作报告" in doc.text and "研发投入强度达到3%" in doc.text


def test_html_article_without_navigation(tmp_path):
    html = ("<html><head><meta charset='utf-8'><title>报告</title></head><body>"
            "<div class='nav'><a>首页</a> | <a>政务公开</a> | <a>新闻中心</a></div>"
            f"<div class='content'><p>{BODY}</p><p>{BODY}</p><p>新建学校两所，新增学位1800个，改善群众就学条件。</p></div>"
            "<div class='footer'>版权所有 某某网站</div></body></html>")
    (tmp_path / "r.html").write_text(html, encoding="utf-8")
    doc = one(tmp_path / "r.html")
    assert BODY in doc.text and "新增学位1800个" in doc.text
    assert "政务公开" not in doc.text


@pytest.mark.parametrize("name,data,reason", [
    ("empty.txt", b"", "empty file"),
    ("binary.txt", b"\x00\x01\x02\xff" * 100, "binary file"),
    ("trunc.docx", b"PK\x03\x04garbage", "not a readable .docx"),
    ("bad.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", "PDF"),
    ("notes.xyz", b"abc", "unsupported file type"),
])
def test_bad_files_raise_one_line_errors(tmp_path, name, data, reason):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(InputError) as err:
        list(read_path(p))
    assert reason in str(err.value) and str(p) in str(err.value) and "\n" not in str(err.value)


def test_truncated_real_docx(tmp_path):
    d = docx.Document()
    d.add_paragraph(BODY)
    d.save(tmp_path / "full.docx")
    data = (tmp_path / "full.docx").read_bytes()
    (tmp_path / "cut.docx").write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="not a readable .docx"):
        list(read_path(tmp_path / "cut.docx"))


def test_scanned_pdf_without_text(tmp_path, pdf_maker):
    p = pdf_maker(tmp_path / "scan.pdf", [])
    with pytest.raises(InputError, match="no text layer"):
        list(read_path(p))


def test_size_limit(tmp_path):
    p = tmp_path / "big.txt"
    p.write_bytes(BODY.encode() * 40000)  # ~2.8 MB
    with pytest.raises(InputError, match="over the 1 MB limit"):
        list(read_path(p, max_mb=1))


def test_corpus_files_with_columns(tmp_path):
    rows = [{"title": "甲报告", "content": BODY, "year": "2021", "place": "甲市"},
            {"title": "乙报告", "content": BODY + "。", "year": None, "place": "乙市"}]
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    docs = list(read_path(tmp_path / "c.jsonl", columns=Columns(zone="place")))
    assert [(d.year, d.zone, d.title) for d in docs] == [(2021, "甲市", "甲报告"), (None, "乙市", "乙报告")]
    assert docs[0].path.endswith("c.jsonl#0") and docs[1].warnings[0][0] == "missing_year"
    pd.DataFrame([{"yr": 2020, "area": "丙区", "report": BODY}]).to_stata(tmp_path / "c.dta", write_index=False, version=118)
    d = one(tmp_path / "c.dta", columns=Columns(year="yr"))
    assert (d.year, d.zone, d.text) == (2020, "丙区", BODY)
    pd.DataFrame([{"txt": BODY, "year": 2019}]).to_csv(tmp_path / "c.csv", index=False)
    with pytest.raises(InputError, match="no text column"):
        list(read_path(tmp_path / "c.csv"))
    assert one(tmp_path / "c.csv", columns=Columns(text="txt")).year == 2019


def test_malformed_jsonl_names_line(tmp_path):
    (tmp_path / "c.jsonl").write_text('{"text": "甲"}\n{oops\n', "utf-8")
    with pytest.raises(InputError, match="line 2: malformed JSON"):
        list(read_path(tmp_path / "c.jsonl"))


def test_zip_that_is_not_docx(tmp_path):
    with zipfile.ZipFile(tmp_path / "x.docx", "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(InputError, match="not a readable .docx"):
        list(read_path(tmp_path / "x.docx"))


def test_size_limit_message_is_exact(tmp_path):
    p = tmp_path / "big.txt"
    with open(p, "wb") as f:  # sparse: 52.4 MB on paper, nothing on disk
        f.truncate(52_400_000)
    with pytest.raises(InputError) as err:
        list(read_path(p))
    assert "file is 52.4 MB, over the 50 MB limit" in str(err.value)


def test_truncated_pdf_is_one_line(tmp_path, pdf_maker):
    """pypdf's own log lines ("EOF marker not found") do not show beside our one error line."""
    import subprocess
    import sys

    data = pdf_maker(tmp_path / "full.pdf", ["青松高新区工作报告", BODY]).read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) * 2 // 3])
    # a real process: pytest's log capture would hide what logging prints to a user's terminal
    res = subprocess.run([sys.executable, "-c", "from zonelens.cli import main; main()", "ingest", str(cut),
                          "--db", str(tmp_path / "c.duckdb")], capture_output=True, text=True, timeout=120)
    assert res.returncode == 1
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"failed: {cut}: "), res.stderr
    assert "EOF marker" not in res.stderr + res.stdout

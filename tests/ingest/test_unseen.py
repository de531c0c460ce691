"""Unseen reports end to end: scraped pages (txt, html), PDFs, provincial and regional reports,
corpus files through `run`. Every fixture is written for these tests in the style of a Chinese
government web page or report; none is copied from a real one."""

import json
import re

import duckdb
import pytest
from typer.testing import CliRunner

from zonelens import store
from zonelens.cli import app
from zonelens.ingest.run import ingest, summary

BODY = "全年地区生产总值增长5.8%，一般公共预算收入增长6.1%，城乡居民人均可支配收入分别增长5.2%和7.0%。"
PLAN = "今年，我们将坚持稳中求进工作总基调，力争地区生产总值增长5.5%左右。"
FURNITURE = re.compile(r"下载|打印|全屏|收藏|字号|加大|还原|减小|您的位置|当前位置|首页|分享|来源：|时间：|责任编辑|摄")


def province_page(province: str, capital: str, year: int = 2025) -> str:
    """A provincial report as scraped from a government site, furniture and all."""
    return "\n".join([
        "全屏", f"您的位置：首页 > 政务公开 > 重要文件", f"{year}年{province}政府工作报告",
        f"发布时间：{year}-01-27 09:30  来源：{province}人民政府网", "【字号：大 中 小】", "加大 还原 减小",
        "下载", "打印", "收藏", "分享到：微信 微博",
        f"——{year}年1月20日在{province}第十四届人民代表大会第三次会议上", f"{province}省长 王某某",
        "本报记者 赵小龙摄各位代表：", f"现在，我代表{province}人民政府，向大会报告工作，请予审议。",
        f"一、{year - 1}年工作回顾", f"过去一年，{capital}都市圈加快建设。" + BODY,
        f"{capital}新区、{capital}高新区、{capital}经开区发展提速。" + BODY,
        "二、“十四五”时期发展成就", f"五年来，{capital}国家中心城市建设取得突破。" + BODY,
        f"三、{year}年工作安排", PLAN, f"支持{capital}建设区域科技创新中心。" + PLAN,
        "责任编辑：钱某某", "扫一扫在手机打开当前页",
    ])


def rows(db, path_like="%"):
    con = duckdb.connect(str(db), read_only=True)
    try:
        doc = con.execute("SELECT doc_id, zone, year, title, zone_confidence, cleaned_text, zone_candidates "
                          "FROM documents WHERE path LIKE ?", [path_like]).fetchone()
        units = con.execute("SELECT idx, text, is_heading, period, char_start, char_end FROM sentences "
                            "WHERE doc_id = ? ORDER BY idx", [doc[0]]).fetchall()
    finally:
        con.close()
    return doc, units


def test_scraped_province_page_txt(tmp_path):
    (tmp_path / "page.txt").write_text(province_page("吉林省", "长春"), "utf-8")
    rep = ingest([tmp_path / "page.txt"], tmp_path / "z.duckdb")
    assert rep.failures == []
    (_, zone, year, title, conf, text, _), units = rows(tmp_path / "z.duckdb")
    assert (zone, year, title) == ("吉林省", 2025, "2025年吉林省政府工作报告") and conf >= 0.9
    assert not any(FURNITURE.search(u[1]) for u in units), [u[1] for u in units if FURNITURE.search(u[1])]
    for _, t, _, _, a, b in units:
        assert text[a:b] == t  # offsets point into the stored cleaned text
    front = units[: next(i for i, u in enumerate(units) if u[1] == "各位代表：") + 1]
    assert len(front) == 4 and all(u[3] == "unknown" for u in front)  # title, subtitle, byline, greeting
    def period(start):
        return next(u[3] for u in units if u[1].startswith(start))

    assert period("二、“十四五”时期发展成就") == "review" and period("五年来，长春") == "review"
    assert period("今年，我们将") == "plan" and period("过去一年，长春") == "review"


def test_scraped_page_variants(tmp_path):
    """Another site's layout: 年月日 dates, bracketed controls, a caption, related links and a footer."""
    text = "\n".join([
        "网站首页 > 要闻 > 政府工作报告", "2025年宁夏回族自治区政府工作报告（全文）",
        "2025年01月22日 10:15  来源：宁夏日报", "字号：[大 中 小]", "【打印本页】 【关闭窗口】",
        "（2025年1月15日在宁夏回族自治区第十三届人民代表大会第四次会议上）", "自治区主席  张某某",
        "图为大会现场。本报记者 李某 摄", "各位代表：", "现在，我代表自治区人民政府，向大会报告工作，请予审议。",
        "一、2024年工作回顾", ("银川、石嘴山、吴忠协同发展。" + BODY) * 3, "二、2025年工作安排", PLAN,
        "上一篇：关于某某工作的通知", "下一篇：某某会议召开", "Copyright © 2025 某某自治区人民政府",
        "主办：某某自治区人民政府办公厅", ("某某新闻。" * 3 + "\n") * 3])
    (tmp_path / "page.txt").write_text(text, "utf-8")
    ingest([tmp_path / "page.txt"], tmp_path / "z.duckdb")
    (_, zone, year, title, conf, *_), units = rows(tmp_path / "z.duckdb")
    assert (zone, year, title) == ("宁夏回族自治区", 2025, "2025年宁夏回族自治区政府工作报告（全文）")
    texts = [u[1] for u in units]
    assert not any(FURNITURE.search(t) or re.search("上一篇|下一篇|Copyright|主办|图为|关闭", t) for t in texts), texts
    assert texts[-1].startswith("今年，我们将")


@pytest.mark.parametrize("region,capital,full", [("内蒙古自治区", "呼和浩特", "内蒙古自治区"),
                                                 ("广西壮族自治区", "南宁", "广西壮族自治区"),
                                                 ("新疆维吾尔自治区", "乌鲁木齐", "新疆维吾尔自治区")])
def test_region_that_names_its_capital_often(tmp_path, region, capital, full):
    text = province_page(region, capital).replace(f"代表{region}人民政府", "代表自治区人民政府")
    text = text.replace(f"{region}省长", "自治区主席")
    (tmp_path / "r.txt").write_text(text.replace("都市圈", f"都市圈、{capital}、{capital}"), "utf-8")
    ingest([tmp_path / "r.txt"], tmp_path / "z.duckdb")
    (_, zone, year, *_), _ = rows(tmp_path / "z.duckdb")
    assert (zone, year) == (full, 2025)


def test_region_page_naming_only_cities(tmp_path):
    text = "\n".join(["各位代表：", "现在，我代表自治区人民政府向大会报告工作，请予审议。", "一、2024年工作回顾",
                      "银川都市圈建设提速，石嘴山、吴忠、固原、中卫协同发展。" + BODY,
                      "支持中卫建设算力枢纽，推动吴忠、固原生态保护。" + BODY, "二、2025年工作安排", PLAN])
    (tmp_path / "gov.txt").write_text(text, "utf-8")
    ingest([tmp_path / "gov.txt"], tmp_path / "z.duckdb")
    (_, zone, year, title, *_), _ = rows(tmp_path / "z.duckdb")
    assert (zone, year, title) == ("宁夏回族自治区", 2025, "gov")


def test_province_in_the_file_name(tmp_path):
    text = "\n".join(["（上接第一版）", "一、2024年工作回顾", "辽源高新区、通化经开区加快发展。" + BODY,
                      "支持辽源高新区创建国家级高新区。" + BODY, "二、2025年工作安排", PLAN])
    f = tmp_path / "2025年吉林省政府工作报告.txt"
    f.write_text(text, "utf-8")
    ingest([f], tmp_path / "z.duckdb")
    (_, zone, year, title, *_), _ = rows(tmp_path / "z.duckdb")
    assert (zone, year, title) == ("吉林省", 2025, "2025年吉林省政府工作报告")


def test_scraped_page_html(tmp_path):
    body = "".join(f"<p>{line}</p>" for line in province_page("河南省", "郑州").split("\n")[2:])
    html = f"""<html><head><meta charset="utf-8"><title>2025年河南省政府工作报告_河南省人民政府门户网站</title></head>
<body><div class="nav"><a href="/">首页</a> | <a href="/zw">政务公开</a> | <a href="/hd">互动交流</a></div>
<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 政府工作报告</div>
<div class="tools">【字号：<a>大</a> <a>中</a> <a>小</a>】 <a>打印</a> <a>收藏</a> <a>全屏</a></div>
<div class="article">{body}</div>
<div class="share">分享到：<a>微信</a> <a>微博</a></div>
<div class="footer">主办单位：某某省人民政府办公厅 网站标识码：4100000000 备案号：豫ICP备00000000号</div>
</body></html>"""
    (tmp_path / "page.html").write_text(html, "utf-8")
    rep = ingest([tmp_path / "page.html"], tmp_path / "z.duckdb")
    assert rep.failures == []
    (_, zone, year, title, *_), units = rows(tmp_path / "z.duckdb")
    assert (zone, year, title) == ("河南省", 2025, "2025年河南省政府工作报告")
    assert not any(FURNITURE.search(u[1]) for u in units), [u[1] for u in units if FURNITURE.search(u[1])]
    assert any(u[1] == "各位代表：" for u in units)


def test_pdf_with_kangxi_radicals_and_a_file_name_as_metadata_title(tmp_path, pdf_maker):
    from pypdf import PdfReader, PdfWriter

    lines = ["2025年某某市政府工作报告", "各位代表：", "现在，我代表某某市人民政府向大会报告工作。",
             "一、2024年工作回顾", "全市城镇新增就业\u2f08数4.2万\u2f08，\u2f2f\u2f08\u2ea0\u4e3b参与更加\u5e7f泛。",
             "二、2025年工作安排", "今年，我们将推进城市更新，办好\u2ea0\u751f实事\u5341件。"]
    plain = pdf_maker(tmp_path / "plain.pdf", lines)
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.add_metadata({"/Title": "Microsoft Word - 政府工作报告（定稿）.docx"})
    with open(tmp_path / "report.pdf", "wb") as f:
        writer.write(f)
    rep = ingest([tmp_path / "report.pdf"], tmp_path / "z.duckdb")
    assert rep.failures == []
    (_, zone, year, title, _, text, _), units = rows(tmp_path / "z.duckdb")
    assert title == "2025年某某市政府工作报告" and year == 2025 and zone == "某某市"
    assert "工人民主" in text and "民生实事" in text
    assert not re.search("[\u2e80-\u2fdf]", text)
    for _, t, _, _, a, b in units:
        assert text[a:b] == t


def test_conflicting_evidence_is_listed_by_summary(tmp_path):
    national = "\n".join(["各位代表：", "现在，我代表国务院，向大会报告政府工作，请予审议。",
                          "一、2024年工作回顾", BODY, "二、2025年工作安排", PLAN])
    (tmp_path / "台州.txt").write_text(national, "utf-8")
    (tmp_path / "ok.txt").write_text(province_page("吉林省", "长春"), "utf-8")
    db = tmp_path / "z.duckdb"
    res = CliRunner().invoke(app, ["ingest", str(tmp_path), "--db", str(db)])
    assert res.exit_code == 0 and "note: 1 documents have an unknown, unsure or contradicted" in res.stderr
    (_, zone, _, _, conf, _, cands), _ = rows(db, "%台州%")
    assert zone == "全国" and conf == 0.5 and "台州市 (filename)" in json.loads(cands)
    check = summary(db)["to_check"]
    assert list(check["path"]) == [str(tmp_path / "台州.txt")]
    res = CliRunner().invoke(app, ["summary", "--db", str(db)])
    assert res.exit_code == 0 and "1 documents to check" in res.stdout and "台州.txt" in res.stdout
    assert "--manifest" in res.stdout


def test_old_database_gets_the_candidate_columns(tmp_path):
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute(store.SCHEMA)
    con.execute("DROP INDEX documents_path")  # a column of an indexed table cannot be dropped
    con.execute("ALTER TABLE documents DROP COLUMN zone_candidates")
    con.execute("ALTER TABLE documents DROP COLUMN year_candidates")
    cols = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                      "WHERE table_name = 'documents'").fetchall()]
    con.close()
    assert "zone_candidates" not in cols  # the schema of a database made before the columns
    (tmp_path / "a.txt").write_text(province_page("吉林省", "长春"), "utf-8")
    assert ingest([tmp_path / "a.txt"], db).added == 1
    assert len(summary(db)["to_check"]) == 0


def _csv(path, rows_, header=("title", "full_text", "province", "year")):
    import csv

    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows_)


def test_run_on_a_folder_of_csv_files(tmp_path):
    src = tmp_path / "csv"
    src.mkdir()
    for prov, cap in (("吉林省", "长春"), ("河南省", "郑州")):
        _csv(src / f"{prov}.csv", [[f"2025年{prov}政府工作报告", province_page(prov, cap), prov, "2025"]])
    _csv(src / "broken.csv", [["x", "没有正文列的表格内容，只有其他列。"]], header=("title", "notes"))
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(src), "--out", str(out), "--model", "themes-fast", "--no-topics"])
    assert res.exit_code == 1, res.output
    assert re.search(r"failed: .*broken\.csv: no text column found", res.stderr)
    con = duckdb.connect(str(out / "zonelens.duckdb"), read_only=True)
    got = sorted(con.execute("SELECT zone, year, zone_source FROM documents").fetchall())
    con.close()
    assert got == [("吉林省", 2025, "column"), ("河南省", 2025, "column")]


def test_run_says_why_every_file_failed_even_when_none_could_be_read(tmp_path):
    src = tmp_path / "csv"
    src.mkdir()
    for name in ("a", "b"):
        _csv(src / f"{name}.csv", [["甲", province_page("吉林省", "长春"), "2025", "吉林"]],
             header=("t", "body_text", "yr", "prov_name"))
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(src), "--out", str(out), "--model", "themes-fast", "--no-topics"])
    assert res.exit_code == 1
    assert len(re.findall(r"failed: .*[ab]\.csv: no text column found", res.stderr)) == 2
    assert "no report could be ingested (2 failed)" in res.stderr
    res = CliRunner().invoke(app, ["run", str(src), "--out", str(out), "--model", "themes-fast", "--no-topics",
                                   "--text-col", "body_text", "--year-col", "yr", "--title-col", "t",
                                   "--zone-col", "prov_name", "--keep-undated"])
    assert res.exit_code == 0, res.output
    con = duckdb.connect(str(out / "zonelens.duckdb"), read_only=True)
    # the two files hold the same text: stored once
    assert con.execute("SELECT zone, zone_source, year, title FROM documents").fetchall() == [
        ("吉林", "column", 2025, "甲")]
    con.close()

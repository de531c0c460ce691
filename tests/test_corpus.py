import json

import duckdb
import docx
from typer.testing import CliRunner

from zonelens.cli import app
from zonelens.ingest.run import ingest, summary

runner = CliRunner()


def write_reports(folder, report_text):
    folder.mkdir()
    (folder / "a.txt").write_text(report_text, encoding="utf-8")
    (folder / "b.txt").write_bytes(report_text.replace("青松", "白桦").encode("gbk"))
    d = docx.Document()
    for line in report_text.replace("青松", "红枫").splitlines():
        d.add_paragraph(line)
    d.save(folder / "c.docx")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "bin.txt").write_bytes(b"\x00\xff" * 50)
    (folder / "english.txt").write_text("No Chinese text in this report at all.", encoding="utf-8")
    (folder / "trunc.docx").write_bytes((folder / "c.docx").read_bytes()[:300])
    return folder


def test_mixed_folder_stores_good_files_and_names_bad_ones(tmp_path, report_text):
    folder = write_reports(tmp_path / "in", report_text)
    db = tmp_path / "z.duckdb"
    result = runner.invoke(app, ["ingest", str(folder), "--db", str(db)])
    assert result.exit_code == 1
    failed = {line.split(": ")[1].rsplit("/", 1)[-1]: line for line in result.stderr.splitlines()
              if line.startswith("failed:")}
    assert set(failed) == {"empty.txt", "bin.txt", "english.txt", "trunc.docx"}
    assert "empty file" in failed["empty.txt"] and "binary" in failed["bin.txt"]
    assert "no Chinese text" in failed["english.txt"] and ".docx" in failed["trunc.docx"]
    assert "Traceback" not in result.output
    con = duckdb.connect(str(db), read_only=True)
    zones = sorted(r[0] for r in con.execute("SELECT zone FROM documents").fetchall())
    assert zones == ["白桦高新区", "红枫高新区", "青松高新区"]
    assert con.execute("SELECT DISTINCT year FROM documents").fetchall() == [(2023,)]
    enc = dict(con.execute("SELECT regexp_extract(path, '[a-z]+\\.[a-z]+$'), encoding FROM documents").fetchall())
    assert enc["b.txt"] == "gb18030"


def test_reingest_is_noop_and_change_replaces(tmp_path, report_text):
    f = tmp_path / "r.txt"
    f.write_text(report_text, encoding="utf-8")
    db = tmp_path / "z.duckdb"
    first = ingest([f], db)
    assert (first.added, first.sentences) == (1, first.sentences) and first.sentences > 5
    again = ingest([f], db)
    assert (again.added, again.unchanged, again.sentences) == (0, 1, 0)
    f.write_text(report_text + "\n三、加强党的建设\n深入开展主题教育，加强基层党组织建设。\n", encoding="utf-8")
    changed = ingest([f], db)
    assert changed.replaced == 1
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    n_sent = con.execute("SELECT count(*) FROM sentences").fetchone()[0]
    assert n_sent == changed.sentences == first.sentences + 2
    s = summary(db)
    assert s["documents"] == 1 and s["headings"] > 0
    # the per zone-year "sentences" count no headings: they add up to the corpus' sentences
    assert s["by_zone_year"]["sentences"].sum() == s["sentences"] == n_sent - s["headings"]


def test_zone_year_options_and_usage_errors(tmp_path, report_text):
    f = tmp_path / "r.txt"
    f.write_text(report_text, encoding="utf-8")
    db = tmp_path / "z.duckdb"
    ok = runner.invoke(app, ["ingest", str(f), "--db", str(db), "--zone", "某某新区", "--year", "2030"])
    assert ok.exit_code == 0, ok.output
    row = duckdb.connect(str(db), read_only=True).execute(
        "SELECT zone, year, zone_source, year_source FROM documents").fetchone()
    assert row == ("某某新区", 2030, "option", "option")
    g = tmp_path / "g.txt"
    g.write_text(report_text, encoding="utf-8")
    bad = runner.invoke(app, ["ingest", str(f), str(g), "--db", str(db), "--zone", "x"])
    assert bad.exit_code == 2 and "single file" in bad.stderr
    assert runner.invoke(app, ["ingest", str(tmp_path / "none"), "--db", str(db)]).exit_code == 1


def test_sentences_export_formats(tmp_path, report_text):
    f = tmp_path / "r.txt"
    f.write_text(report_text, encoding="utf-8")
    db = tmp_path / "z.duckdb"
    ingest([f], db)
    res = runner.invoke(app, ["sentences", "--db", str(db)])
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in res.stdout.split("\n") if x]
    assert rows[0]["zone"] == "青松高新区" and rows[0]["year"] == 2023
    assert {"doc_id", "idx", "text", "is_heading", "heading_path", "period", "char_start", "char_end"} <= set(rows[0])
    for fmt in ("csv", "parquet"):
        out = tmp_path / f"s.{fmt}"
        assert runner.invoke(app, ["sentences", "--db", str(db), "-f", fmt, "-o", str(out)]).exit_code == 0
        assert out.stat().st_size > 100
    bad = runner.invoke(app, ["sentences", "--db", str(db), "-o", str(tmp_path / "no" / "x.csv"), "-f", "csv"])
    assert bad.exit_code == 1 and "does not exist" in bad.stderr
    assert not list((tmp_path).glob(".x.csv*"))
    missing = runner.invoke(app, ["sentences", "--db", str(tmp_path / "absent.duckdb")])
    assert missing.exit_code == 1 and "no such corpus database" in missing.stderr


def test_demo_runs_on_bundled_samples(tmp_path):
    res = runner.invoke(app, ["demo", "--out", str(tmp_path / "demo")])
    assert res.exit_code == 0, res.output
    assert "5 documents" in res.stdout and "青梧高新区" in res.stdout
    s = summary(tmp_path / "demo" / "zonelens.duckdb")
    assert set(s["by_zone_year"]["zone"]) == {"青梧高新区", "临川湾经开区", "北岭新区"}
    # the body-sentence count and the classified count (headings too) are told apart
    assert f"{s['sentences']} sentences;" in res.stdout and "newly classified (sentences and headings)" in res.stdout


def test_every_command_has_help():
    for cmd in (["--help"], ["ingest", "--help"], ["sentences", "--help"], ["demo", "--help"], ["summary", "--help"]):
        res = runner.invoke(app, cmd)
        assert res.exit_code == 0 and "Usage" in res.stdout

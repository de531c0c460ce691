"""Ingestion on the real reports in ../shared (CI has them; a user's machine does not)."""

import csv
import re
from pathlib import Path

import duckdb
import pytest

from zonelens.ingest.run import ingest

SEEDS = {"000": ("衡阳高新区", 2020), "001": ("鹤城高新区", 2024), "002": ("衡水高新区", 2020),
         "003": ("湘潭高新区", 2014), "004": ("湖南湘江新区", 2024)}


@pytest.fixture(scope="module")
def city_db(tmp_path_factory):
    SHARED = Path(__file__).resolve().parents[2] / "shared"
    if not (SHARED / "corpora").is_dir():
        pytest.skip("../shared is not beside the repository")
    db = tmp_path_factory.mktemp("real") / "z.duckdb"
    report = ingest([SHARED / "seeds", SHARED / "corpora" / "city-2024" / "txt"], db)
    return db, report


def test_seeds_metadata_and_cleaning(city_db):
    db, report = city_db
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT path, zone, year, cleaned_text FROM documents WHERE path LIKE '%seeds%'").fetchall()
    got = {re.search(r"/(\d{3})_", p).group(1): (z, y) for p, z, y, _ in rows}
    assert got == SEEDS
    for _, _, _, text in rows:
        assert "本报记者" not in text and "版权" not in text and "ICP备" not in text and "来源：" not in text
    seed0 = next(t for p, *_, t in rows if "000_" in p)
    assert "技改投资增速达17.3%" in seed0
    assert any("和记AG" in msg for path, msg in report.warnings if "004_" in path)


def test_city_txt_all_ingested_with_index_metadata(city_db, shared):
    db, report = city_db
    assert report.failures == []
    index = list(csv.DictReader(open(shared / "corpora" / "city-2024" / "index.csv", encoding="utf-8")))
    con = duckdb.connect(str(db), read_only=True)
    docs = {r[0].rsplit("/", 1)[-1]: r[1:] for r in con.execute(
        "SELECT path, zone, year, n_sentences FROM documents WHERE path LIKE '%city-2024%'").fetchall()}
    dup = [r["file"] for r in index if r["flags"].startswith("MISLABELED")]
    assert len(docs) == len(index) - (len(dup) - 1)  # byte-identical twins are stored once
    wrong = []
    for r in index:
        name = r["file"].split("/")[-1]
        if name not in docs:
            assert r["flags"].startswith("MISLABELED")
            continue
        zone, year, n = docs[name]
        assert n > 20
        expected_zone = "全国" if r["flags"].startswith("MISLABELED") else r["place"]
        expected_year = int(r["report_year_guess"] or 2024)
        if not (zone.startswith(expected_zone) and year == expected_year):
            wrong.append((name, zone, year))
    assert wrong == []


def test_docx_twins_give_the_same_sentences(city_db, shared, tmp_path):
    db, _ = city_db
    names = ["三亚", "东营", "丽水", "宣城", "梧州"]
    twin_db = tmp_path / "docx.duckdb"
    rep = ingest([shared / "corpora" / "city-2024" / "docx" / f"{n}.docx" for n in names], twin_db)
    assert rep.failures == [] and rep.added == len(names)
    a = duckdb.connect(str(db), read_only=True)
    b = duckdb.connect(str(twin_db), read_only=True)
    for n in names:
        q = "SELECT s.text FROM sentences s JOIN documents d USING (doc_id) WHERE d.path LIKE ? ORDER BY idx"
        txt = [r[0] for r in a.execute(q, [f"%/{n}.txt"]).fetchall()]
        dx = [r[0] for r in b.execute(q, [f"%/{n}.docx"]).fetchall()]
        same = len(set(txt) & set(dx)) / max(len(set(txt)), 1)
        assert same > 0.95, (n, same)


def test_national_jsonl_years_and_skipped_resolutions(shared, tmp_path):
    db = tmp_path / "n.duckdb"
    rep = ingest([shared / "corpora" / "national-1954-2025" / "government_work_reports.jsonl"], db)
    assert rep.added == 52 and rep.failures == []
    skipped = [w for w in rep.warnings if "no year" in w[1]]
    assert len(skipped) == 20
    con = duckdb.connect(str(db), read_only=True)
    years = [r[0] for r in con.execute("SELECT year FROM documents ORDER BY year").fetchall()]
    assert years[0] == 1954 and years[-1] == 2025 and len(set(years)) == 52
    assert con.execute("SELECT count(*) FROM documents WHERE cleaned_text LIKE '%Public domain%' "
                       "OR cleaned_text LIKE '%本作品是中华人民共和国%'").fetchone()[0] == 0


def test_shanghai_dta(shared, tmp_path):
    rep = ingest([shared / "corpora" / "shanghai-2020-2024" / "shanghai_reports.dta"], tmp_path / "s.duckdb")
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    assert rep.added == 5
    assert con.execute("SELECT list(DISTINCT year ORDER BY year) FROM documents").fetchone()[0] == [2020, 2021, 2022, 2023, 2024]
    assert con.execute("SELECT DISTINCT zone_source FROM documents").fetchall() == [("column",)]

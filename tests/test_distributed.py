"""Distributed ingest and apply on a 2-worker LocalCluster give the single-process tables."""

from __future__ import annotations

import json
import os
import signal

import duckdb
import pytest
from typer.testing import CliRunner

from zonelens.cli import app
from zonelens.corpus import ingest
from zonelens.errors import UsageError
from zonelens.scale import apply_distributed, ingest_distributed, parse_spec
from zonelens.scale.parquet import attach_views
from zonelens.themes.run import apply_model

distributed = pytest.importorskip("distributed")
runner = CliRunner()
ZONES = ["青松", "白桦", "红枫", "银杏", "翠竹", "金桂", "玉兰", "紫荆"]
TABLES = ("documents", "sentences", "warnings")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as c:
        yield c


@pytest.fixture
def corpus(tmp_path, report_text):
    """Eight fictional reports, a twin, bad files and a corpus file with an undated and an empty row."""
    d = tmp_path / "in"
    d.mkdir()
    for n, z in enumerate(ZONES):
        (d / f"{n:02d}-{z}.txt").write_text(report_text.replace("青松", z).replace("18个", f"{18 + n}个"),
                                            encoding="utf-8")
    (d / "99-twin.txt").write_text((d / "00-青松.txt").read_text("utf-8"), encoding="utf-8")
    (d / "empty.txt").write_bytes(b"")
    (d / "english.txt").write_text("No Chinese text in this report at all.", encoding="utf-8")
    rows = [{"zone": "松涛新区", "year": 2022, "text": report_text.replace("青松", "松涛").replace("2023", "2022")},
            {"zone": "柳岸新区", "year": None, "text": report_text.replace("青松", "柳岸")},
            {"zone": "空白新区", "year": 2021, "text": ""}]
    (d / "rows.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return d


def table_rows(con, names) -> dict:
    out = {}
    for t in names:
        cols = [c for c, *_ in con.execute(f"DESCRIBE {t}").fetchall() if c != "ingested_at"]
        quoted = ", ".join(f'"{c}"' for c in cols)
        out[t] = con.execute(f"SELECT {quoted} FROM {t} ORDER BY ALL").fetchall()
    return out


def db_rows(db, names=TABLES) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return table_rows(con, names)
    finally:
        con.close()


def parquet_rows(folder, names=TABLES) -> dict:
    con = duckdb.connect()
    try:
        attach_views(con, folder)
        return table_rows(con, names)
    finally:
        con.close()


def report_tuple(r) -> tuple:
    return (r.added, r.replaced, r.unchanged, r.sentences, sorted(r.warnings), sorted(r.failures))


def test_parse_spec():
    assert parse_spec("local:3") == ("local", 3)
    assert parse_spec("tcp://10.0.0.5:8786") == ("address", "tcp://10.0.0.5:8786")
    for bad in ("local:0", "nonsense", ""):
        with pytest.raises(UsageError):
            parse_spec(bad)


def test_ingest_and_apply_match_single_process(cluster, corpus, tmp_path):
    one, many = tmp_path / "one.duckdb", tmp_path / "many.duckdb"
    single = ingest([corpus], one)
    dist = ingest_distributed([corpus], many, dask=cluster.scheduler_address)
    assert single.failures and single.warnings and single.added == 9  # 8 files + 1 dated row
    assert report_tuple(dist) == report_tuple(single)
    assert db_rows(many) == db_rows(one)
    again = ingest_distributed([corpus], many, dask=cluster.scheduler_address)
    assert (again.added, again.unchanged, again.sentences) == (0, 9, 0)

    res1 = apply_model(one, "themes-fast")
    res2 = apply_distributed(many, "themes-fast", dask=cluster.scheduler_address, batch=30)
    assert res2 == res1 and res1["classified"] > 50
    assert db_rows(many, ["theme_predictions"]) == db_rows(one, ["theme_predictions"])
    resumed = apply_distributed(many, "themes-fast", dask=cluster.scheduler_address)
    assert resumed["classified"] == 0


def test_parquet_corpus_matches_duckdb(cluster, corpus, tmp_path):
    one, pq = tmp_path / "one.duckdb", tmp_path / "pq"
    single = ingest([corpus], one)
    dist = ingest_distributed([corpus], dask=cluster.scheduler_address, parquet=pq, rows_per_part=40)
    assert report_tuple(dist) == report_tuple(single)
    assert len(list((pq / "sentences").glob("*.parquet"))) > 1  # several parts
    assert parquet_rows(pq) == db_rows(one)

    apply_model(one, "themes-fast")
    apply_distributed(dask=cluster.scheduler_address, model_name="themes-fast", parquet=pq, batch=30)
    assert parquet_rows(pq, ["theme_predictions"]) == db_rows(one, ["theme_predictions"])

    # a changed report replaces its rows in every table, in both layouts
    changed = sorted(corpus.glob("03-*.txt"))[0]
    changed.write_text(changed.read_text("utf-8") + "\n三、加强党的建设\n深入开展主题教育。\n", encoding="utf-8")
    r1, r2 = ingest([corpus], one), ingest_distributed([corpus], dask=cluster.scheduler_address, parquet=pq)
    assert report_tuple(r1) == report_tuple(r2) and r1.replaced == 1
    assert parquet_rows(pq, TABLES + ("theme_predictions",)) == db_rows(one, TABLES + ("theme_predictions",))


def test_cli_dask_options(cluster, corpus, tmp_path):
    db = tmp_path / "z.duckdb"
    res = runner.invoke(app, ["ingest", str(corpus), "--db", str(db), "--dask", cluster.scheduler_address])
    assert res.exit_code == 1  # some files failed, the others are stored
    assert "failed:" in res.stderr and "empty file" in res.stderr and "9 added" in res.stdout
    bad = runner.invoke(app, ["apply", "--db", str(db), "--parquet", str(tmp_path / "pq")])
    assert bad.exit_code == 2 and "--parquet needs --dask" in bad.stderr
    bad = runner.invoke(app, ["ingest", str(corpus), "--db", str(db), "--dask", "nonsense"])
    assert bad.exit_code == 2
    ok = runner.invoke(app, ["apply", "--db", str(db), "-m", "themes-fast", "--dask", cluster.scheduler_address])
    assert ok.exit_code == 0 and "sentences classified" in ok.stdout


def test_killed_worker_mid_run_gives_same_rows(cluster, corpus, tmp_path):
    """A worker process killed mid-run: Dask reruns its tasks; the rows are the same, none twice."""
    one, many = tmp_path / "one.duckdb", tmp_path / "many.duckdb"
    ingest([corpus], one)
    apply_model(one, "themes-fast")
    with distributed.Client(cluster.scheduler_address) as client:
        pids = client.run(os.getpid)
    victims = list(pids.values())

    def kill_one(*_):
        if victims:
            os.kill(victims.pop(), signal.SIGKILL)

    ingest_distributed([corpus], many, dask=cluster.scheduler_address, window=4, progress=kill_one)
    with distributed.Client(cluster.scheduler_address) as client:
        client.wait_for_workers(2, timeout=60)
        victims.append(next(iter(client.run(os.getpid).values())))
    apply_distributed(many, "themes-fast", dask=cluster.scheduler_address, batch=20, window=4, progress=kill_one)
    assert not victims  # both kills happened mid-run
    assert db_rows(many, TABLES + ("theme_predictions",)) == db_rows(one, TABLES + ("theme_predictions",))
    con = duckdb.connect(str(many), read_only=True)
    assert con.execute("SELECT count(*) - count(DISTINCT (doc_id, idx)) FROM sentences").fetchone()[0] == 0
    con.close()

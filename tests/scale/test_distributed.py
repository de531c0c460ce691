"""Distributed ingest and apply on a 2-worker LocalCluster give the single-process tables."""

from __future__ import annotations

import json
import os
import signal

import duckdb
import pytest
from typer.testing import CliRunner

from zonelens.cli import app
from zonelens.ingest.run import ingest
from zonelens.errors import UsageError
from zonelens.ingest.distributed import file_jobs
from zonelens.scale import parse_spec
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
    dist = ingest([corpus], many, dask=cluster.scheduler_address)
    assert single.failures and single.warnings and single.added == 9  # 8 files + 1 dated row
    assert report_tuple(dist) == report_tuple(single)
    assert db_rows(many) == db_rows(one)
    again = ingest([corpus], many, dask=cluster.scheduler_address)
    assert (again.added, again.unchanged, again.sentences) == (0, 9, 0)

    res1 = apply_model(one, "themes-fast")
    res2 = apply_model(many, "themes-fast", dask=cluster.scheduler_address, batch=30)
    assert res2 == res1 and res1["classified"] > 50
    assert db_rows(many, ["theme_predictions"]) == db_rows(one, ["theme_predictions"])
    resumed = apply_model(many, "themes-fast", dask=cluster.scheduler_address)
    assert resumed["classified"] == 0


def test_parquet_corpus_matches_duckdb(cluster, corpus, tmp_path):
    one, pq = tmp_path / "one.duckdb", tmp_path / "pq"
    single = ingest([corpus], one)
    dist = ingest([corpus], dask=cluster.scheduler_address, parquet=pq, rows_per_part=40)
    assert report_tuple(dist) == report_tuple(single)
    assert len(list((pq / "sentences").glob("*.parquet"))) > 1  # several parts
    assert parquet_rows(pq) == db_rows(one)

    apply_model(one, "themes-fast")
    apply_model(dask=cluster.scheduler_address, model_name="themes-fast", parquet=pq, batch=30)
    assert parquet_rows(pq, ["theme_predictions"]) == db_rows(one, ["theme_predictions"])

    # a changed report replaces its rows in every table, in both layouts
    changed = sorted(corpus.glob("03-*.txt"))[0]
    changed.write_text(changed.read_text("utf-8") + "\n三、加强党的建设\n深入开展主题教育。\n", encoding="utf-8")
    r1, r2 = ingest([corpus], one), ingest([corpus], dask=cluster.scheduler_address, parquet=pq)
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
    bad = runner.invoke(app, ["apply", "--db", str(db), "--stage", str(tmp_path / "st")])
    assert bad.exit_code == 2 and "--stage needs --dask" in bad.stderr
    stage = tmp_path / "stage-here"
    ok = runner.invoke(app, ["apply", "--db", str(db), "-m", "themes-fast", "--dask", cluster.scheduler_address,
                             "--stage", str(stage)])
    assert ok.exit_code == 0 and "sentences classified" in ok.stdout
    assert stage.is_dir() and not any(stage.iterdir())  # the run's staged batches are cleaned up


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

    ingest([corpus], many, dask=cluster.scheduler_address, window=4, progress=kill_one)
    with distributed.Client(cluster.scheduler_address) as client:
        client.wait_for_workers(2, timeout=60)
        victims.append(next(iter(client.run(os.getpid).values())))
    apply_model(many, "themes-fast", dask=cluster.scheduler_address, batch=20, window=4, progress=kill_one)
    assert not victims  # both kills happened mid-run
    assert db_rows(many, TABLES + ("theme_predictions",)) == db_rows(one, TABLES + ("theme_predictions",))
    con = duckdb.connect(str(many), read_only=True)
    assert con.execute("SELECT count(*) - count(DISTINCT (doc_id, idx)) FROM sentences").fetchone()[0] == 0
    con.close()


def test_large_jsonl_file_is_read_in_slices(cluster, report_text, tmp_path):
    """A corpus file over split_mb becomes several tasks; the rows, warnings and ids are the same."""
    rows = []
    for i in range(24):
        year = None if i == 5 else 2000 + i
        text = "" if i == 9 else report_text.replace("青松", f"松{i}").replace("18个", f"{i}个")
        rows.append(json.dumps({"zone": f"第{i}新区", "year": year, "text": text}, ensure_ascii=False))
    f = tmp_path / "big.jsonl"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    one, many = tmp_path / "one.duckdb", tmp_path / "many.duckdb"
    seen: list[str] = []
    single = ingest([f], one)
    dist = ingest([f], many, dask=cluster.scheduler_address, split_mb=f.stat().st_size / 5 / 2**20,
                              progress=seen.append)
    assert single.added == 22 and len(single.warnings) >= 2  # the undated and the empty row
    assert report_tuple(dist) == report_tuple(single)
    assert db_rows(many) == db_rows(one)
    assert seen == [str(f)]  # progress once per file, not per slice
    assert len(file_jobs(f, int(f.stat().st_size / 5))) >= 5
    again = ingest([f], many, dask=cluster.scheduler_address, split_mb=f.stat().st_size / 5 / 2**20)
    assert (again.added, again.unchanged) == (0, 22)


def test_context_model_same_predictions_on_dask(cluster, report_text, tmp_path):
    """A model with context features (e5 of the neighbours): workers embed the neighbours from
    their batch of whole documents and predict what the single process predicts."""
    import numpy as np
    import pandas as pd

    from zonelens.embed import E5Embedder
    from zonelens.taxonomy import load_taxonomy
    from zonelens.themes import ThemeClassifier, save_model

    tax = load_taxonomy()
    sents = [s for s in report_text.replace("\n", "").split("。") if s][:40]
    emb = E5Embedder().passage(sents)
    Y = np.array([[int(i % 6 == j) for j in range(len(tax.ids))] for i in range(len(sents))])
    frame = pd.DataFrame({"text": sents, "embedding": list(emb), "context_embedding": list(np.roll(emb, 1, axis=0))})
    model = ThemeClassifier(themes=tax.ids, use_words=False, min_df=1, context_weight=1.0, context_dropout=0.2)
    model_dir = save_model(model.fit(frame, Y, groups=np.arange(len(sents)) % 4), tmp_path / "ctx-model", tax, {})
    (tmp_path / "in").mkdir()
    for z in ZONES[:3]:
        (tmp_path / "in" / f"{z}.txt").write_text(report_text.replace("青松", z), encoding="utf-8")
    one, many = tmp_path / "one.duckdb", tmp_path / "many.duckdb"
    ingest([tmp_path / "in"], one)
    ingest([tmp_path / "in"], many)
    assert apply_model(one, str(model_dir)) == apply_model(many, str(model_dir), dask=cluster.scheduler_address,
                                                                   batch=25)
    a, b = (db_rows(db, ["theme_predictions"])["theme_predictions"] for db in (one, many))
    assert [r[:3] for r in a] == [r[:3] for r in b]  # same sentences, same model id
    sa = np.array([list(dict(r[5]).values()) if isinstance(r[5], dict) else [v for _, v in r[5]] for r in a])
    sb = np.array([list(dict(r[5]).values()) if isinstance(r[5], dict) else [v for _, v in r[5]] for r in b])
    assert np.allclose(sa, sb, atol=1e-4)  # e5 batch composition moves the last digits only

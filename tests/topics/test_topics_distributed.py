"""`topics apply --dask`: the same topic_assignments as the single-process apply (2-worker LocalCluster)."""

import shutil

import duckdb
import pytest
from conftest import cache_embeddings, make_corpus, write_reports

from zonelens.ingest.run import ingest
from zonelens.topics import apply_topics, fit_topics

distributed = pytest.importorskip("distributed")


def rows(db, table: str) -> list:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
    finally:
        con.close()


@pytest.mark.slow  # workers import the BERTopic stack: ~30 s on 2 busy cores
def test_topics_apply_on_dask_matches_single_process(tmp_path):
    db = make_corpus(tmp_path / "c", [("青松高新区", 2022), ("白桦新区", 2023), ("红枫开发区", 2022),
                                      ("银杏高新区", 2023)])
    fitted = fit_topics(db, tmp_path / "model" / "t")
    write_reports(tmp_path / "new", [("松果新区", 2024), ("柏树新区", 2024)])
    ingest([tmp_path / "new"], db, manifest=tmp_path / "new" / "manifest.csv")
    cache_embeddings(db)
    other = tmp_path / "other.duckdb"
    shutil.copy(db, other)
    single = apply_topics(db, fitted.model_dir)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        dist = apply_topics(other, fitted.model_dir, dask=c.scheduler_address, batch=10)
        again = apply_topics(other, fitted.model_dir, dask=c.scheduler_address)
    assert dist == single and single["assigned"] == 48 and again["assigned"] == 0
    assert rows(other, "topic_assignments") == rows(db, "topic_assignments")
    assert rows(other, "topic_info") == rows(db, "topic_info")

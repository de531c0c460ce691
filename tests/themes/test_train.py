"""`zonelens train` end to end on fixture reports: grouped CV, saved model with meta.json and
report, and distillation from a teacher over unlabelled sentences of the corpus."""

from __future__ import annotations

import json

import duckdb
import pytest
from typer.testing import CliRunner

from test_themes import DATA  # same folder (rootdir-relative imports)
from zonelens.cli import app
from zonelens.ingest.run import ingest
from zonelens.hashing import text_hash
from zonelens.themes import load_model
from zonelens.themes.distill import pool_sentences

runner = CliRunner()
FAST = {"use_embeddings": False, "use_words": False, "min_df": 1, "inner_folds": 2, "context_weight": 0.0,
        "context_text_weight": 0.5}  # over the themes preset (the default for a new name)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Eight fictional reports, each all the DATA sentences in a different order; the first six
    are labelled (a rule from DATA's own labels: test mechanics, not accuracy), two are not."""
    d = tmp_path_factory.mktemp("train")
    for k in range(8):
        order = DATA[k % 3::3] + DATA[:k % 3] + DATA[k % 3 + 1::3]
        body = "\n".join(t for t, _ in order)
        (d / f"{k}.txt").write_text(f"第{k}开发区2023年工作报告\n\n{body}\n", encoding="utf-8")
    db = d / "c.duckdb"
    rep = ingest(sorted(d.glob("*.txt")), db)
    assert rep.added == 8
    label = {t: s for t, s in DATA}
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("""SELECT d.path, s.doc_id, s.idx, s.text FROM sentences s JOIN documents d USING (doc_id)
                          WHERE NOT s.is_heading ORDER BY d.path, s.idx""").fetchall()
    con.close()
    anns = []
    for path, doc_id, idx, text in rows:
        if text in label and not path.endswith(("6.txt", "7.txt")):
            themes = sorted(label[text])
            anns.append({"ref": {"source": path, "doc_id": doc_id, "idx": idx, "sha": text_hash(text)},
                         "themes": themes, "primary": themes[0] if themes else None, "annotator": "t1", "round": 1})
    (d / "labels.jsonl").write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in anns), "utf-8")
    (d / "params.json").write_text(json.dumps(FAST), "utf-8")
    return d


def test_train_writes_model_meta_and_report(corpus, tmp_path):
    out = tmp_path / "models" / "mine"
    res = runner.invoke(app, ["train", "--labels", str(corpus / "labels.jsonl"), "--db", str(corpus / "c.duckdb"),
                              "--out", str(out), "--params", str(corpus / "params.json"), "--folds", "3"])
    assert res.exit_code == 0, res.output
    model, meta = load_model(out)
    assert meta["cv"]["folds"] == 3 and meta["cv"]["grouped_by"] == "document"
    n_labels = len((corpus / "labels.jsonl").read_text("utf-8").splitlines())
    assert meta["training_data"]["documents"] == 6 and meta["training_data"]["sentences"] == n_labels > 60
    assert 0 <= meta["cv"]["macro_f1"] <= 1 and "distillation" not in meta
    assert 0 <= meta["cv"]["without_context"]["macro_f1"] <= 1  # a context model: also scored without
    assert "grouped 3-fold cross-validation" in (out / "cv_report.md").read_text("utf-8")
    assert model.predict_proba(["新增城镇就业5000人，新建幼儿园3所。"]).shape == (1, 5)
    ev = runner.invoke(app, ["evaluate", "--model", str(out), "--labels", str(corpus / "labels.jsonl"),
                             "--db", str(corpus / "c.duckdb"), "-o", str(tmp_path / "m.json")])
    assert ev.exit_code == 0, ev.output
    assert "evaluated on the given labels" in ev.stdout and "training labels" in ev.stderr  # warned: not held out
    assert json.loads((tmp_path / "m.json").read_text("utf-8"))["n_sentences"] == n_labels


def test_distilled_training(corpus, tmp_path):
    teacher = tmp_path / "teacher"
    db, labels = str(corpus / "c.duckdb"), str(corpus / "labels.jsonl")
    assert runner.invoke(app, ["train", "--labels", labels, "--db", db, "--out", str(teacher),
                               "--params", str(corpus / "params.json"), "--folds", "3"]).exit_code == 0
    student = tmp_path / "student"
    (tmp_path / "s.json").write_text(json.dumps({**FAST, "char_ngrams": [1, 2]}), "utf-8")
    res = runner.invoke(app, ["train", "--labels", labels, "--db", db, "--out", str(student), "--folds", "3",
                              "--params", str(tmp_path / "s.json"), "--teacher", str(teacher), "--pool", "30",
                              "--pool-db", db, "--pool-like", "%.txt"])
    assert res.exit_code == 0, res.output
    _, meta = load_model(student)
    d = meta["distillation"]
    assert d["pool"] == 30 and d["teacher"].startswith("teacher@") and len(d["pool_hash"]) == 16
    assert d["pool_like"] == "%.txt" and d["pool_db"] == "c.duckdb"
    # the pool never holds a labelled sentence
    gold = {(a["ref"]["doc_id"], a["ref"]["idx"]) for a in map(json.loads, open(labels, encoding="utf-8"))}
    pool = pool_sentences(db, gold, 1000)
    con = duckdb.connect(db, read_only=True)
    body = con.execute("SELECT count(*) FROM sentences WHERE NOT is_heading AND length(text) >= 6").fetchall()[0][0]
    con.close()
    assert len(pool) == body - len(gold) >= 30 and not ({(x, int(i)) for x, i in zip(pool["doc_id"], pool["idx"])} & gold)
    bad = runner.invoke(app, ["train", "--labels", labels, "--db", db, "--out", str(tmp_path / "x"),
                              "--teacher", str(teacher)])
    assert bad.exit_code == 2 and "--teacher and --pool" in bad.stderr


@pytest.mark.parametrize("params,says", [
    ('{"use_embeddings": false}', "context_weight 1.0 needs use_embeddings"),  # the themes preset has context
    ('{"Cee": 4}', "unknown ThemeClassifier parameter(s) Cee"),
    ('{"C": "big"}', "parameter C: 'big' is not like its default"),
    ('{"C": 4', "--params: not valid JSON"),
    ("no-such-params.json", "no-such-params.json: no such parameter file"),
])
def test_train_params_checked_before_any_work(tmp_path, params, says):
    """Bad --params: exit 2 with one line, before the labels or the corpus are even read."""
    res = runner.invoke(app, ["train", "--labels", str(tmp_path / "none.jsonl"), "--db", str(tmp_path / "none.duckdb"),
                              "--out", str(tmp_path / "m"), "--params", params])
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], res.stderr
    assert not (tmp_path / "m").exists()


def test_unresolved_annotations_are_skipped_and_training_overlap_warned(corpus, tmp_path):
    labels = tmp_path / "labels.jsonl"
    stray = {"ref": {"source": "elsewhere/report.txt", "doc_id": "0" * 16, "idx": 3, "sha": "0" * 12},
             "themes": ["party"], "primary": "party", "annotator": "t1", "round": 1}
    good = (corpus / "labels.jsonl").read_text("utf-8")
    labels.write_text(good + json.dumps(stray) + "\n", "utf-8")
    out = tmp_path / "mine"
    res = runner.invoke(app, ["train", "--labels", str(labels), "--db", str(corpus / "c.duckdb"), "--out", str(out),
                              "--params", json.dumps(FAST), "--folds", "3"])
    assert res.exit_code == 0, res.output
    assert "warning: 1 annotation(s) do not resolve against this corpus and were skipped" in res.stderr
    _, meta = load_model(out)
    n = len(good.splitlines())
    assert meta["training_data"]["sentences"] == n and meta["training_data"]["skipped_annotations"] == 1
    assert len(meta["training_data"]["sentence_hashes"]) == len({json.loads(x)["ref"]["sha"] for x in good.splitlines()})
    # evaluating on (some of) its own training sentences says so, even with other labels mixed in
    ev = runner.invoke(app, ["evaluate", "--model", str(out), "--labels", str(labels), "--db", str(corpus / "c.duckdb")])
    assert ev.exit_code == 0, ev.output
    assert "warning: 1 annotation(s) do not resolve" in ev.stderr
    assert f"warning: {n} of {n} sentences were in the model's training data" in ev.stderr
def test_train_with_the_static_embedder_records_it_and_refuses_e5(corpus, tmp_path):
    """A theme model on static embeddings (and their context vector) keeps its embedder; `apply`
    refuses --embedder e5 with one error line and runs with static."""
    params = tmp_path / "p.json"
    params.write_text(json.dumps({**FAST, "use_embeddings": True, "context_weight": 0.5}), "utf-8")
    out = tmp_path / "models" / "static-themes"
    db = str(corpus / "c.duckdb")
    res = runner.invoke(app, ["train", "--labels", str(corpus / "labels.jsonl"), "--db", db, "--out", str(out),
                              "--params", str(params), "--folds", "3", "--embedder", "static"])
    assert res.exit_code == 0, res.output
    model, meta = load_model(out)
    assert meta["embedder"] == "static" and meta["embedding_model"].startswith("static-zh:")
    assert model.embedder.kind == "static"
    res = runner.invoke(app, ["apply", "--db", db, "--model", str(out), "--embedder", "e5"])
    assert res.exit_code == 1 and res.stderr.count("\n") == 1 and "fitted with static embeddings" in res.stderr
    res = runner.invoke(app, ["apply", "--db", db, "--model", str(out), "--embedder", "static"])
    assert res.exit_code == 0, res.output
    con = duckdb.connect(db, read_only=True)
    n = con.execute("SELECT count(*) FROM theme_predictions WHERE model_id LIKE 'static-themes@%'").fetchone()[0]
    con.close()
    assert n > 0
    # the shipped e5 model refuses static in the same way
    res = runner.invoke(app, ["apply", "--db", db, "--model", "themes", "--embedder", "static"])
    assert res.exit_code == 1 and "fitted with e5 embeddings" in res.stderr

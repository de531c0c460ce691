"""What researchers report about topics, from the command line: `topics quality`, `export topics
--by zone,year` and `--by theme`, and representative example sentences in `topics show`."""

from __future__ import annotations

import io
import json
import shutil

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from zonelens.cli import app
from zonelens.themes.run import apply_model
from zonelens.topics import TopicModel, fit_topics

runner = CliRunner()


@pytest.fixture(scope="module")
def fitted_db(corpus_db, tmp_path_factory):
    """The topic corpus, fitted, and classified with the shipped themes-fast model."""
    root = tmp_path_factory.mktemp("topic-reports")
    db = root / "corpus.duckdb"
    shutil.copy(corpus_db, db)
    res = fit_topics(db, root / "topics")
    apply_model(db, "themes-fast")
    return db, res


def test_topics_quality_prints_one_json_object(fitted_db):
    db, res = fitted_db
    r = runner.invoke(app, ["topics", "quality", "--model", str(res.model_dir), "--db", str(db)])
    assert r.exit_code == 0, r.output
    q = json.loads(r.stdout)  # one JSON object, nothing else on stdout
    assert q["model_id"] == res.model_id and q["n_topics"] == res.n_topics == 4
    assert q["n_sentences"] == res.n_sentences and q["outliers"] == pytest.approx(res.outlier_share, abs=1e-4)
    assert 0 < q["diversity"] <= 1 and -1 <= q["npmi"] <= 1
    assert sorted(q["npmi_per_topic"]) == ["0", "1", "2", "3"]
    assert q["npmi"] == pytest.approx(np.mean(list(q["npmi_per_topic"].values())), abs=1e-3)


def test_topics_quality_errors_are_one_line(fitted_db, tmp_path):
    _, res = fitted_db
    r = runner.invoke(app, ["topics", "quality", "--model", str(res.model_dir), "--db", str(tmp_path / "none.duckdb")])
    assert r.exit_code == 1 and r.stderr.startswith("error: ") and len(r.stderr.strip().splitlines()) == 1


def test_export_topics_by_zone_year_and_by_theme(fitted_db):
    db, res = fitted_db
    r = runner.invoke(app, ["export", "topics", "--by", "zone,year", "--db", str(db), "--n-boot", "0"])
    assert r.exit_code == 0, r.output
    zy = pd.read_csv(io.StringIO(r.stdout))
    assert {"zone", "year", "topic", "label", "share"} <= set(zy.columns) and zy["zone"].nunique() == 4
    assert zy.groupby(["zone", "year"])["share"].sum().round(6).eq(1).all()
    r = runner.invoke(app, ["export", "topics", "--by", "theme", "--db", str(db)])
    assert r.exit_code == 0, r.output
    by_theme = pd.read_csv(io.StringIO(r.stdout))
    assert {"theme", "topic", "label", "n_sentences", "share", "share_of_topic"} <= set(by_theme.columns)
    assert {"investment", "innovation", "environment", "livelihood"} <= set(by_theme["theme"])
    shares = by_theme[by_theme["total_sentences"] > 0].groupby("theme")["share"].sum()
    assert np.allclose(shares, 1, atol=1e-4)  # within a theme, its sentences' topics add up
    # the innovation pool's topic is where most innovation sentences are
    inn = by_theme[by_theme["theme"] == "innovation"].sort_values("share").iloc[-1]
    assert "高新技术企业" in inn["label"] or inn["share"] > 0.5
    r = runner.invoke(app, ["export", "topics", "--by", "theme,year", "--db", str(db)])
    assert r.exit_code == 2 and "on its own" in r.stderr


def test_representatives_contain_the_topics_own_words():
    """The sentence nearest the centre is not shown first when it lacks the topic's words."""
    m = TopicModel(n_representatives=2)
    m.topic_ids_ = np.array([0])
    m.centroids_ = np.array([[1.0, 0.0]])
    m.words_ = {0: ["安全生产", "应急"]}
    frame = pd.DataFrame({"doc_id": ["d"] * 3, "idx": [0, 1, 2],
                          "text": ["三是生态环境持续改善。", "压实安全生产责任，提升应急处置能力。", "开展安全生产专项整治。"]})
    unit = np.array([[1.0, 0.0], [0.8, 0.6], [0.6, 0.8]])
    reps = m._representatives(frame, unit, np.array([0, 0, 0]))
    assert [r["idx"] for r in reps[0]] == [1, 2]  # both words, then one word; the nearest has none

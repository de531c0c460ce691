"""`zonelens targets` and `zonelens export targets [--compare]` on a small written corpus."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from zonelens.cli import app
from zonelens.targets import COLUMNS, plan_vs_actual, targets_frame, wide_targets

runner = CliRunner()


def test_targets_frame(targets_db):
    df = targets_frame(targets_db)
    assert list(df.columns[: len(COLUMNS)]) == COLUMNS
    plan = df[(df["year"] == 2023) & (df["period"] == "plan")]
    gdp = plan[plan["canonical"] == "gdp_growth"].iloc[0]
    assert (gdp["low"], gdp["unit"], gdp["qualifier"], gdp["target_year"]) == (7.1, "%", "左右", 2024)
    assert set(plan["canonical"]) >= {"gdp_growth", "fixed_investment", "unemployment", "hightech_firms", "rd_intensity"}
    review = df[(df["year"] == 2024) & (df["period"] == "review")]
    assert review["target_year"].isna().all() and set(review["ref_year"]) == {2024}
    assert not df["sentence"].str.contains("十四五").any()  # the trap sentence gives nothing


def test_plan_vs_actual(targets_db):
    cmp = plan_vs_actual(targets_frame(targets_db))
    stock = cmp[(cmp["canonical"] == "hightech_firms") & (cmp["measure"] == "stock")].iloc[0]
    assert stock["achieved"] == 213 and pd.isna(stock["planned_low"])  # a stock is not paired with a flow
    cmp = cmp[cmp["measure"] != "stock"].set_index(["year", "canonical"])
    gdp = cmp.loc[(2024, "gdp_growth")]
    assert (gdp["planned_low"], gdp["achieved"], gdp["gap"], bool(gdp["met"])) == (7.1, 7.3, 0.2, True)
    assert bool(cmp.loc[(2024, "fixed_investment"), "met"]) is False  # 10.3%以上 planned, 9.2% reached
    un = cmp.loc[(2024, "unemployment")]  # a ceiling: 4.6%以内 planned, 4.4% reached
    assert (un["gap"], bool(un["met"])) == (-0.2, True)
    assert bool(cmp.loc[(2024, "hightech_firms"), "met"]) is False and cmp.loc[(2024, "hightech_firms"), "gap"] == -2
    assert pd.isna(cmp.loc[(2025, "gdp_growth"), "achieved"])  # planned, not yet reviewed


def test_wide_targets(targets_db):
    wide = wide_targets(targets_frame(targets_db), "zone,year")
    row = wide.set_index("year").loc[2024]
    assert row["gdp_growth (%)"] == 7.1 and row["hightech_firms (家)"] == 31
    assert wide.set_index("year").loc[2025, "gdp_growth (%)"] == 6.2


def test_targets_cli_formats(targets_db, tmp_path):
    for name in ("t.csv", "t.jsonl", "t.parquet"):
        res = runner.invoke(app, ["targets", "--db", str(targets_db), "--output", str(tmp_path / name)])
        assert res.exit_code == 0, res.output
        assert "targets in" in res.output
    csv = pd.read_csv(tmp_path / "t.csv")
    assert list(csv.columns[: len(COLUMNS)]) == COLUMNS and len(csv) > 10
    assert len(pd.read_parquet(tmp_path / "t.parquet")) == len(csv)
    first = json.loads((tmp_path / "t.jsonl").read_text("utf-8").splitlines()[0])
    assert {"indicator", "canonical", "low", "high", "unit", "qualifier", "kind", "direction"} <= set(first)
    out = runner.invoke(app, ["targets", "--db", str(targets_db)])
    assert out.exit_code == 0 and out.stdout.startswith("doc_id,path,zone,year,idx,sentence,indicator")


def test_targets_cli_errors(targets_db, tmp_path):
    res = runner.invoke(app, ["targets", "--db", str(targets_db), "--output", str(tmp_path / "t.xlsx")])
    assert res.exit_code == 2 and "name the output .csv" in res.output
    res = runner.invoke(app, ["targets", "--db", str(tmp_path / "missing.duckdb")])
    assert res.exit_code == 1 and "no such corpus database" in res.output
    res = runner.invoke(app, ["export", "targets", "--db", str(targets_db), "--compare", "--by", "zone"])
    assert res.exit_code == 2 and "--by zone,year" in res.output
    res = runner.invoke(app, ["export", "themes", "--db", str(targets_db), "--compare"])
    assert res.exit_code == 2 and "--compare is for `export targets`" in res.output


def test_export_targets_compare_cli(targets_db, tmp_path):
    out = tmp_path / "cmp.csv"
    res = runner.invoke(app, ["export", "targets", "--db", str(targets_db), "--by", "zone,year", "--compare",
                              "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert "planned vs achieved" in res.output
    cmp = pd.read_csv(out)
    assert {"planned_low", "achieved", "gap", "met", "label"} <= set(cmp.columns)
    gdp = cmp[(cmp["canonical"] == "gdp_growth") & (cmp["year"] == 2024)].iloc[0]
    assert gdp["label"] == "地区生产总值增速" and gdp["met"]


def test_export_targets_wide_cli(targets_db, tmp_path):
    res = runner.invoke(app, ["export", "targets", "--db", str(targets_db), "--by", "zone,year", "--format", "json",
                              "--output", str(tmp_path / "w.json")])
    assert res.exit_code == 0, res.output
    rows = json.loads((tmp_path / "w.json").read_text("utf-8"))
    assert {r["year"] for r in rows} == {2024, 2025} and all(r["zone"] == "松岭高新区" for r in rows)


@pytest.mark.parametrize("args", [["targets", "--help"], ["export", "--help"]])
def test_help(args):
    res = runner.invoke(app, args)
    assert res.exit_code == 0 and ("--output" in res.output)
    if args[0] == "export":
        assert "--compare" in res.output


def test_theme_and_topic_are_extra_columns(targets_db):
    from zonelens.errors import ZonelensError

    df = targets_frame(targets_db)  # nothing classified: the columns are there, empty, and no row is lost
    assert df["theme"].isna().all() and df["topic"].isna().all() and len(df) > 10
    with pytest.raises(ZonelensError, match="no theme predictions"):
        targets_frame(targets_db, model_id="themes@000000000000")


def test_export_targets_format_from_file_name(targets_db, tmp_path):
    res = runner.invoke(app, ["export", "targets", "--db", str(targets_db), "--compare", "--output", str(tmp_path / "c.parquet")])
    assert res.exit_code == 0, res.output
    assert "canonical" in pd.read_parquet(tmp_path / "c.parquet").columns

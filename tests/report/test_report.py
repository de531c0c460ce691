"""The HTML report: one self-contained file, plotly embedded, nothing fetched from the network."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from typer.testing import CliRunner

from zonelens import store
from zonelens.cli import app
from zonelens.errors import UsageError, ZonelensError
from zonelens.report import build_report
from zonelens.report.figures import CJK_FONTS


def test_report_is_self_contained(report_db, tmp_path):
    out = tmp_path / "report.html"
    res = build_report(report_db, out, n_boot=100)
    page = out.read_text("utf-8")
    assert res.model_id.startswith("themes-fast@") and res.topic_model_id == "topics@0123456789ab"
    # plotly.js is inline, and no tag loads anything from elsewhere
    assert len(page) > 1_000_000 and "Plotly" in page
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)\s*=", page, re.I)
    assert page.count('class="plotly-graph-div"') == 4
    # Chinese labels: theme names, zones, and a CJK font stack on the page and in the figures
    for text in ("招商引资", "青梧高新区", "北岭新区", "0_项目_招商"):
        assert text in page or json.dumps(text)[1:-1] in page  # plotly's JSON escapes non-ASCII
    assert f"font-family: {CJK_FONTS}" in page and '"family":"\\"Noto Sans CJK SC\\"' in page
    # model and coverage facts, with the missing zone-year marked
    assert res.model_id in page and "zone-years with a report" in page and "3 of 4" in page
    assert "<td class=gap>—</td>" in page


def test_report_without_topics_says_so(report_db, tmp_path):
    db = tmp_path / "no-topics.duckdb"
    shutil.copy(report_db, db)
    con = store.connect(db)
    con.execute("DROP TABLE topic_assignments")
    con.close()
    res = build_report(db, tmp_path / "r.html", n_boot=0)
    assert res.topic_model_id is None
    assert "no topic assignments in this database yet" in (tmp_path / "r.html").read_text("utf-8")


def test_report_bad_outputs(report_db, tmp_path):
    with pytest.raises(UsageError, match="HTML"):
        build_report(report_db, tmp_path / "report.pdf", n_boot=0)
    with pytest.raises(ZonelensError, match="does not exist"):
        build_report(report_db, tmp_path / "missing" / "report.html", n_boot=0)
    (tmp_path / "taken.html").mkdir()
    with pytest.raises(ZonelensError, match="cannot write"):
        build_report(report_db, tmp_path / "taken.html", n_boot=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.html"]
    assert list((tmp_path / "taken.html").iterdir()) == []


def test_report_cli(report_db, tmp_path):
    out = tmp_path / "cli.html"
    res = CliRunner().invoke(app, ["report", "--db", str(report_db), "--out", str(out), "--title", "青梧 report"])
    assert res.exit_code == 0, res.output
    assert "<title>青梧 report</title>" in out.read_text("utf-8")
    res = CliRunner().invoke(app, ["report", "--db", str(tmp_path / "none.duckdb"), "--out", str(out)])
    assert res.exit_code == 1 and res.stderr.startswith("error: ")


# What a reader sees: each chart's form (the screenshots of issue #16 show the same in chromium).

def _page_figures(page: str) -> list[dict]:
    """The plotly figures of a report page, as (data, layout) JSON."""
    dec, out = json.JSONDecoder(), []
    for m in re.finditer(r'Plotly\.newPlot\(\s*"[^"]+",\s*', page):
        data, end = dec.raw_decode(page, m.end())
        layout, _ = dec.raw_decode(page, re.compile(r",\s*").match(page, end).end())
        out.append({"data": data, "layout": layout})
    return out


def test_report_charts_read_right(report_db, tmp_path):
    out = tmp_path / "r.html"
    build_report(report_db, out, n_boot=100)
    page = out.read_text("utf-8")
    assert '"displayModeBar": false' in page and '"displayModeBar": true' not in page  # no toolbar in captures/print
    bars, _, themes, topics = _page_figures(page)
    # theme shares per zone-year: grouped (multi-label: never stacked past 100%), and the title says why
    assert bars["layout"]["barmode"] == "group" and "several themes" in bars["layout"]["title"]["text"]
    assert all(t["type"] == "bar" and t["error_y"]["type"] == "data" for t in bars["data"])
    # themes over the years: one panel per theme, each with its own CI band, shared axes
    titles = [a["text"] for a in themes["layout"]["annotations"]]
    assert titles == ["招商引资 investment", "科技创新 innovation", "生态环保 environment", "民生 livelihood", "党建 party"]
    bands = [t for t in themes["data"] if t.get("fill") == "toself"]
    assert len(bands) == 5 and len({t["xaxis"] for t in bands}) == 5
    # topics over time: one panel per topic, in id order, titled with its label
    assert [a["text"] for a in topics["layout"]["annotations"]] == ["0: 0_项目_招商", "1: 1_企业_平台"]


def test_report_one_year_corpus(report_db, tmp_path):
    db = tmp_path / "one-year.duckdb"
    shutil.copy(report_db, db)
    con = store.connect(db)
    for table in ("sentences", "theme_predictions", "topic_assignments"):
        con.execute(f"DELETE FROM {table} WHERE doc_id IN (SELECT doc_id FROM documents WHERE year <> 2024)")
    con.execute("DELETE FROM documents WHERE year <> 2024")
    con.close()
    out = tmp_path / "r.html"
    build_report(db, out, n_boot=100)
    page = out.read_text("utf-8")
    assert "<th>years</th><td>2024</td>" in page and "2024–2024" not in page
    for fig in _page_figures(page)[2:]:
        axes = [v for k, v in fig["layout"].items() if k.startswith("xaxis")]
        assert axes and all(a["tickvals"] == [2024] for a in axes)  # one tick, not a three-year axis
        points = [t for t in fig["data"] if t.get("mode") == "lines+markers"]
        assert points and all(t["error_y"]["type"] == "data" for t in points)  # the CI as error bars
        assert not any(t.get("fill") for t in fig["data"])


def test_many_groups_drop_the_whiskers():
    """With more zone-years than bars can carry whiskers for, the CI moves to the hover text."""
    import pandas as pd

    from zonelens.report.figures import MAX_WHISKER_GROUPS, grouped_shares

    n = MAX_WHISKER_GROUPS + 1
    df = pd.DataFrame({"zone": [f"z{i}" for i in range(n)], "year": 2024, "theme": "party", "share": 0.1,
                       "ci_low": 0.05, "ci_high": 0.2, "n_sentences": 1, "total_sentences": 10, "covered": True})
    fig = grouped_shares(df, ["zone", "year"], {})
    assert fig.data[0].error_y.visible is False and "95% CI on hover" in fig.layout.title.text
    assert grouped_shares(df.head(3), ["zone", "year"], {}).data[0].error_y.type == "data"

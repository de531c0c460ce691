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

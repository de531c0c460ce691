"""`zonelens run` writes the targets tables and the report's targets panel from one extraction."""

from __future__ import annotations

import pandas as pd

from zonelens.pipeline import run

from targets_reports import REPORTS  # tests/targets/targets_reports.py


def test_run_writes_targets_tables_and_panel(tmp_path, monkeypatch, report_folder):
    src = tmp_path / "reports"
    manifest = report_folder(src, REPORTS)
    calls = []
    import zonelens.pipeline as pipeline

    real = pipeline.targets_frame
    monkeypatch.setattr(pipeline, "targets_frame", lambda *a, **k: calls.append(1) or real(*a, **k))
    res = run([src], tmp_path / "out", model="themes-fast", manifest=manifest, topics=False, n_boot=0)
    assert calls == [1]  # extracted once for both tables and the report
    names = {p.name for what, p in res.outputs if what == "targets table"}
    assert names == {"targets.csv", "targets-plan-vs-actual.csv"}
    targets = pd.read_csv(tmp_path / "out" / "targets.csv")
    assert targets["theme"].notna().any()  # the run's theme model is joined as a column
    cmp = pd.read_csv(tmp_path / "out" / "targets-plan-vs-actual.csv")
    assert ((cmp["canonical"] == "gdp_growth") & (cmp["year"] == 2024) & cmp["met"].astype(bool)).any()
    page = (tmp_path / "out" / "report.html").read_text("utf-8")
    assert "Targets: planned vs achieved" in page and "松岭高新区" in page

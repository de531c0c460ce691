"""The report's "Targets: planned vs achieved" panel."""

from __future__ import annotations

import pandas as pd

from zonelens.report import build_report
from zonelens.report.targets_panel import targets_section
from zonelens.targets import COLUMNS


def test_report_has_the_targets_panel(report_db, tmp_path):
    out = tmp_path / "report.html"
    build_report(report_db, out, n_boot=0)
    page = out.read_text("utf-8")
    assert "<h2>Targets: planned vs achieved</h2>" in page
    panel = page.split("<h2>Targets: planned vs achieved</h2>", 1)[1].split("<h2>", 1)[0]
    # 青梧高新区 planned 10 projects of 亿元以上 for 2024 (力争) and reported 9: a missed target
    assert "青梧高新区" in panel and "10个力争 → 9个 ✗" in panel and "class=missed" in panel


def test_panel_without_canonical_targets():
    empty = pd.DataFrame(columns=COLUMNS + ["ref_year"])
    assert "No canonical targets" in targets_section(empty)
    assert "not extracted" in targets_section(None)

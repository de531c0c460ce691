"""A small corpus for the targets commands (the reports are in targets_reports.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zonelens.corpus import ingest

from targets_reports import REPORTS  # noqa: E402  (tests/targets/targets_reports.py)


@pytest.fixture(scope="session")
def targets_db(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("targets-corpus")
    src = root / "reports"
    src.mkdir()
    lines = ["path,zone,year,title"]
    for name, (zone, year, text) in REPORTS.items():
        (src / name).write_text(text, encoding="utf-8")
        lines.append(f"{name},{zone},{year},{zone}{year}年工作总结")
    (src / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = root / "corpus.duckdb"
    rep = ingest([src], db, manifest=src / "manifest.csv")
    assert rep.documents == 2 and not rep.failures
    return db

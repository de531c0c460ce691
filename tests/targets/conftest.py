"""A small corpus for the targets commands (the reports are in targets_reports.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zonelens.ingest.run import ingest

from targets_reports import REPORTS  # noqa: E402  (tests/targets/targets_reports.py)


@pytest.fixture(scope="session")
def targets_db(tmp_path_factory, report_folder) -> Path:
    root = tmp_path_factory.mktemp("targets-corpus")
    src = root / "reports"
    manifest = report_folder(src, REPORTS)
    db = root / "corpus.duckdb"
    rep = ingest([src], db, manifest=manifest)
    assert rep.documents == 2 and not rep.failures
    return db

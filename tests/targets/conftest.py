"""A small corpus for the targets commands (the reports are in targets_reports.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


from targets_reports import REPORTS  # noqa: E402  (tests/targets/targets_reports.py)


@pytest.fixture(scope="session")
def targets_db(tmp_path_factory, ingested_reports) -> Path:
    db, rep = ingested_reports(tmp_path_factory.mktemp("targets-corpus"), REPORTS)
    assert rep.documents == 2 and not rep.failures
    return db

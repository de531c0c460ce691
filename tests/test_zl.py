"""The ./zl bootstrap runs commands in the user's folder: relative paths mean what they mean in the
user's shell, whatever folder zl is called from."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def user_env() -> dict:
    """The user's shell environment: without the test run's virtual environment on PATH (zl finds uv,
    or installs it, as it would from a terminal)."""
    venv_bin = str(Path(sys.prefix) / "bin")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    return env


def test_relative_paths_from_another_folder(tmp_path):
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "a.txt").write_text("青梧高新区2024年工作总结\n\n全年新签约项目18个，合同引资62亿元。\n",
                                               encoding="utf-8")
    before = set(ROOT.glob("*.duckdb"))
    res = subprocess.run([str(ROOT / "zl"), "ingest", "reports/a.txt", "--db", "my.duckdb",
                          "--zone", "青梧高新区", "--year", "2024"], cwd=tmp_path, env=user_env(), capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr
    assert "no such file" not in res.stderr
    assert (tmp_path / "my.duckdb").is_file()  # the database is where the user asked for it
    assert set(ROOT.glob("*.duckdb")) == before  # and not inside the repository


def test_ci_runs_the_browser_tests():
    """CI installs Debian's chromium and a CJK font when missing, and makes browser tests fail
    instead of skip without them."""
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "apt-get install" in ci and "chromium" in ci and "fonts-noto-cjk" in ci
    assert "ZONELENS_REQUIRE_BROWSER=1" in ci
    browser_tests = (ROOT / "tests" / "report" / "test_report_browser.py").read_text("utf-8")
    assert "executable_path=" in browser_tests and "ZONELENS_REQUIRE_BROWSER" in browser_tests

"""Every command's --help: docstring paragraphs are re-flowed (cli/common.reflow_help), so the
terminal wraps them evenly instead of breaking where the source line ended ("Exit 0 when / every file")."""

from __future__ import annotations

import inspect

import pytest
import typer.main
import typer.rich_utils
from typer.testing import CliRunner

from zonelens.cli import app
from zonelens.cli.common import reflow_help


def commands(cmd, path=()):
    yield path, cmd
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        yield from commands(sub, (*path, name))


ALL = list(commands(typer.main.get_command(app)))


def test_reflow_help():
    assert reflow_help("First line\n    goes on.\n\n    Second paragraph\n    on two lines.\f\nhidden") == \
        "First line goes on.\n\nSecond paragraph on two lines."


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=[" ".join(p) or "zonelens" for p, _ in ALL])
def test_help_paragraphs_are_not_broken(path, monkeypatch):
    monkeypatch.setattr(typer.rich_utils, "MAX_WIDTH", 1000)  # wide: a paragraph must fit on one line
    cmd = dict(ALL)[path]
    doc = inspect.getdoc(cmd.callback) if cmd.callback and cmd.callback.__doc__ else cmd.help
    res = CliRunner().invoke(app, [*path, "--help"], terminal_width=1000)
    assert res.exit_code == 0, res.output
    lines = [" ".join(line.strip(" │").split()) for line in res.output.splitlines()]
    for para in (doc or "").split("\n\n"):
        para = " ".join(para.split())
        if para:
            assert any(para in line for line in lines), f"{' '.join(path)}: '{para}' is broken across lines"
    assert len(path) == 0 or cmd.help  # every command has help text

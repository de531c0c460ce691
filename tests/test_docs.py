"""The docs are checked against the CLI: every command line in README.md and docs/*.md names a
real command, and every --option it uses exists on that command (sqlite-utils style)."""

from __future__ import annotations

import re
import shlex
from functools import lru_cache
from pathlib import Path

import pytest
import typer.main

from zonelens.cli import app

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"```(?:sh|bash|console)?\n(.*?)```", re.S)
PREFIX = re.compile(r"^(?:\./zl|uv run zonelens|zonelens)\s+(.*)$")


@lru_cache(maxsize=1)
def root_command():
    return typer.main.get_command(app)


def command_lines() -> list[tuple[str, str]]:
    out = []
    for doc in DOCS:
        for block in FENCE.findall(doc.read_text("utf-8")):
            for line in block.splitlines():
                line = line.split(" #")[0].strip()
                m = PREFIX.match(line)
                if m and not m.group(1).startswith(("test", "ARGS", "<")):
                    out.append((doc.name, m.group(1)))
    return out


def is_group(cmd) -> bool:  # typer vendors click: duck-type rather than isinstance
    return hasattr(cmd, "list_commands")


def ctx(cmd):
    return cmd.context_class(cmd)


def resolve(args: list[str]):
    cmd = root_command()
    rest = list(args)
    while is_group(cmd) and rest and not rest[0].startswith("-"):
        sub = cmd.get_command(ctx(cmd), rest[0])
        if sub is None:
            raise AssertionError(f"unknown command '{rest[0]}'")
        cmd, rest = sub, rest[1:]
    return cmd, rest


LINES = command_lines()


def test_docs_have_command_lines():
    assert len(LINES) >= 15
    assert {d for d, _ in LINES} >= {"README.md"}


@pytest.mark.parametrize("doc,line", LINES, ids=[f"{d}:{l[:40]}" for d, l in LINES])
def test_documented_command_exists_with_its_options(doc, line):
    try:
        args = shlex.split(line.replace("…", ""))
    except ValueError:
        args = line.split()
    cmd, rest = resolve(args)
    known = {opt for p in cmd.params for opt in (*p.opts, *p.secondary_opts)}
    used = {a.split("=")[0] for a in rest if a.startswith("--")}
    assert used <= known | {"--help"}, f"{doc}: `{line}` uses {sorted(used - known)} unknown to `{cmd.name}`"


def test_every_command_has_help():
    def walk(cmd, path: str):
        yield path, cmd
        if is_group(cmd):
            for name in cmd.list_commands(ctx(cmd)):
                yield from walk(cmd.get_command(ctx(cmd), name), f"{path} {name}")

    for path, cmd in walk(root_command(), "zonelens"):
        assert (cmd.help or cmd.short_help or "").strip(), f"`{path}` has no help text"
        for p in cmd.params:
            if p.param_type_name == "option" and p.name != "help":
                assert (p.help or "").strip(), f"`{path} {p.opts[0]}` has no help text"

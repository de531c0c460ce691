"""`zonelens label ...` through typer's CliRunner: the whole loop and its error exits."""

from __future__ import annotations

import json
import sys
import types

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from zonelens.cli.label import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def fill(path, rule):
    """Fill a jsonl task file: rule(text) -> list of theme ids."""
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    for obj in lines:
        obj["themes"] = rule(obj["text"])
        obj["primary"] = obj["themes"][0] if obj["themes"] else None
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in lines), encoding="utf-8")


def rule_a1(text):
    out = []
    if "招商" in text or "签约" in text:
        out.append("investment")
    if "高新技术" in text or "智能制造" in text:
        out.append("innovation")
    if "党" in text:
        out.append("party")
    return out


def rule_a2(text):
    return [t for t in rule_a1(text) if t != "party"] + (["livelihood"] if "就业" in text else [])


@pytest.mark.parametrize("command", ["sample", "export", "import", "agreement", "stats"])
def test_help(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0 and "Usage" in result.output


def test_no_args_shows_help():
    result = runner.invoke(app, [])
    assert "sample" in result.output and "agreement" in result.output


def test_full_loop(corpus, tmp_path):
    db = corpus["db"]
    tasks = tmp_path / "tasks.jsonl"
    result = invoke("sample", "--db", db, "--out", tasks, "--n", 8, "--seed", 1,
                    "--strategy", "stratified", "--exclude-headings")
    assert result.exit_code == 0, result.output
    assert "wrote 8 stratified sentences" in result.output
    fill(tasks, rule_a1)
    a1 = tmp_path / "labels" / "a1.jsonl"
    result = invoke("import", tasks, "--out", a1, "--annotator", "a1", "--round", 1)
    assert result.exit_code == 0, result.output
    assert a1.exists()

    # second annotator gets the same items through Label Studio
    ls = tmp_path / "ls.json"
    result = invoke("export", a1, "--db", db, "--out", ls, "--format", "labelstudio")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ls.config.xml").exists()
    exported = []
    for task in json.loads(ls.read_text(encoding="utf-8")):
        themes = rule_a2(task["data"]["text"])
        result_ = [{"from_name": "themes", "value": {"choices": themes}}] if themes else []
        exported.append({**task, "annotations": [{"result": result_}]})
    filled = tmp_path / "ls-export.json"
    filled.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    a2 = tmp_path / "labels" / "a2.jsonl"
    result = invoke("import", filled, "--format", "labelstudio", "--out", a2, "--annotator", "a2")
    assert result.exit_code == 0, result.output

    result = invoke("agreement", "--labels", a1, "--labels", a2,
                    "--disagreements", tmp_path / "dis.csv")
    assert result.exit_code == 0, result.output
    assert "double-labelled items: 8" in result.output and "primary" in result.output
    dis = pd.read_csv(tmp_path / "dis.csv")
    assert len(dis) >= 1

    result = invoke("stats", "--labels", a1, "--labels", a2, "--documents")
    assert result.exit_code == 0, result.output
    assert "double-labelled: 8" in result.output and "corpora/test-2024" in result.output

    # already-labelled sentences are not sampled again
    more = tmp_path / "more.jsonl"
    result = invoke("sample", "--db", db, "--out", more, "--n", 100, "--strategy", "random",
                    "--labels", a1, "--format", "doccano")
    assert result.exit_code == 0, result.output
    total = sum(len(s) for _, s in corpus["docs"].values())
    assert len(more.read_text(encoding="utf-8").splitlines()) == total - 8


def test_keyword_sampling(corpus, tmp_path):
    out = tmp_path / "kw.jsonl"
    result = invoke("sample", "--db", corpus["db"], "--out", out, "--n", 5,
                    "--strategy", "keywords", "--theme", "party")
    assert result.exit_code == 0, result.output
    reasons = [json.loads(x)["reason"] for x in out.read_text(encoding="utf-8").splitlines()]
    assert reasons and all(r.startswith("keyword:party:") for r in reasons)


def test_uncertain_sampling_needs_a_model(corpus, tmp_path):
    out = tmp_path / "u.jsonl"
    result = invoke("sample", "--db", corpus["db"], "--out", out, "--strategy", "uncertain")
    assert result.exit_code == 2 and "needs a trained model" in result.stderr
    result = invoke("sample", "--db", corpus["db"], "--out", out, "--strategy", "uncertain",
                    "--model", tmp_path / "no-model")
    assert result.exit_code == 1 and result.stderr.startswith("error: ") and "no such model" in result.stderr


@pytest.mark.parametrize("name", ["themes-fast", "themes"])
def test_uncertain_sampling_with_the_shipped_models(corpus, tmp_path, name):
    """No fakes: the real shipped models, reading the corpus rows as `apply` does."""
    import shutil

    db = tmp_path / "c.duckdb"
    shutil.copy(corpus["db"], db)  # the e5 model caches its embeddings in the DB
    out = tmp_path / "u.jsonl"
    result = invoke("sample", "--db", db, "--out", out, "--strategy", "uncertain", "--model", name, "--n", 3,
                    "--exclude-headings")
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    margins = [float(r["reason"].split("=")[1]) for r in rows]
    assert len(rows) == 3 and margins == sorted(margins) and all(0 <= m <= 0.5 for m in margins), rows
    assert "wrote 3 uncertain sentences" in result.stdout


def test_errors_are_one_line(corpus, tmp_path):
    result = invoke("sample", "--db", tmp_path / "none.duckdb", "--out", tmp_path / "x.jsonl")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "no such corpus database" in result.stderr
    assert "Traceback" not in result.output

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"ref": 1}\n{oops\n', encoding="utf-8")
    result = invoke("stats", "--labels", bad)
    assert result.exit_code == 1 and f"{bad}:1:" in result.stderr

    good = tmp_path / "good.jsonl"
    good.write_text("", encoding="utf-8")
    result = invoke("import", bad, "--out", good, "--annotator", "a1")
    assert result.exit_code == 2 and "--force" in result.stderr

    result = invoke("agreement", "--labels", good)
    assert result.exit_code == 2 and "two annotators" in result.stderr
    result = invoke("sample", "--db", corpus["db"], "--out", tmp_path / "x", "--strategy", "magic")
    assert result.exit_code == 2


def test_interrupt_is_exit_130(corpus, tmp_path, monkeypatch):
    """`label` uses the shared error wrapper: Ctrl-C is one line and exit 130, as everywhere else."""
    import zonelens.labels.sampling as sampling

    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(sampling, "draw", interrupted)
    result = invoke("sample", "--db", corpus["db"], "--out", tmp_path / "x.jsonl")
    assert result.exit_code == 130 and result.stderr.strip() == "interrupted"

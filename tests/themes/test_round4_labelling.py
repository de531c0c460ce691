"""Round-4 labelling scripts: blind doubles go to a second annotator; collect checks and converts
the annotators' JSON lines and lists the disagreements left to adjudicate."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "experiments" / "labelling"))

from make_round4 import write_round  # noqa: E402

TEXTS = ["引进签约项目8个。", "新建幼儿园两所。", "加强基层党组织建设。", "空气质量持续改善。", "研发投入增长一成。",
         "完成道路改造三公里。"]


def items(n: int) -> list[dict]:
    return [{"key": f"q{i:05d}", "ref": {"source": "corpora/x.txt", "doc_id": "d" * 16, "idx": i, "sha": f"{i:012x}"},
             "reason": "whole-document", "text": TEXTS[i % len(TEXTS)], "heading_path": "一、工作回顾"}
            for i in range(n)]


def read(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines() if x.strip()]


def test_write_round_doubles_go_to_another_annotator(tmp_path):
    sizes = write_round(items(40), tmp_path, 8, 4, random.Random(1))
    batches = {k: read(tmp_path / f"batch-{k}.jsonl") for k in range(1, 5)}
    assert sizes == [len(b) for b in batches.values()] and sum(sizes) == 48
    seen: dict[str, list[int]] = {}
    for k, b in batches.items():
        assert len({x["key"] for x in b}) == len(b)  # nobody labels a sentence twice
        assert set(b[0]) == {"key", "heading_path", "text"}
        for x in b:
            seen.setdefault(x["key"], []).append(k)
    refs = read(tmp_path / "refs.jsonl")
    assert len(seen) == 40 and {r["key"] for r in refs if r["double"]} == {k for k, v in seen.items() if len(v) == 2}
    assert sum(r["double"] for r in refs) == 8


def run_collect(work: Path, out: Path):
    return subprocess.run([sys.executable, str(REPO / "experiments/labelling/collect.py"), "--work", str(work),
                           "--out", str(out), "--round", "4"], capture_output=True, text=True)


def labelled(batch: Path, change: set[str] = frozenset()) -> list[str]:
    lines = []
    for x in read(batch):
        themes = ["party"] if "党" in x["text"] else []
        if x["key"] in change:
            themes = ["livelihood"]
        lines.append(json.dumps({"key": x["key"], "themes": themes, "primary": themes[0] if themes else None}))
    return lines


def test_collect_round4_writes_references_and_disagreements(tmp_path):
    work, out = tmp_path / "work", tmp_path / "ann"
    work.mkdir()
    write_round(items(24), work, 6, 2, random.Random(3))
    double = [r["key"] for r in read(work / "refs.jsonl") if r["double"]]
    (work / "labels-1.jsonl").write_text("\n".join(labelled(work / "batch-1.jsonl")) + "\n", "utf-8")
    (work / "labels-2.jsonl").write_text("\n".join(labelled(work / "batch-2.jsonl", {double[0]})) + "\n", "utf-8")
    res = run_collect(work, out)
    assert res.returncode == 0, res.stderr
    assert "1 disagreements left" in res.stdout
    rows = read(out / "round4-r4a1.jsonl")
    assert rows[0]["annotator"] == "r4a1" and rows[0]["round"] == 4 and "text" not in rows[0]
    assert set(rows[0]["ref"]) == {"source", "doc_id", "idx", "sha"}
    left = read(work / "disagreements.jsonl")
    assert [d["key"] for d in left] == [double[0]] and len(left[0]["labels"]) == 2
    # the adjudicator settles it: nothing left, and the ruling is written with its reason
    (work / "adjudicated.jsonl").write_text(json.dumps({"key": double[0], "themes": [], "primary": None,
                                                        "note": "road works -> other"}) + "\n", "utf-8")
    res = run_collect(work, out)
    assert "0 disagreements left" in res.stdout
    adj = read(out / "round4-adjudicated.jsonl")
    assert adj[0]["annotator"] == "adjudicator" and adj[0]["note"] == "road works -> other"


@pytest.mark.parametrize("bad, message", [
    ({"key": "q00000", "themes": ["trade"], "primary": "trade"}, "unknown theme"),
    ({"key": "q00000", "themes": ["party"], "primary": None}, "primary"),
    ({"key": "zzz", "themes": [], "primary": None}, "not in the batch"),
])
def test_collect_round4_refuses_bad_labels(tmp_path, bad, message):
    work = tmp_path / "work"
    work.mkdir()
    write_round(items(6), work, 0, 2, random.Random(0))
    lines = labelled(work / "batch-1.jsonl")
    lines[0] = json.dumps(bad) if bad["key"] != "q00000" else json.dumps({**bad, "key": json.loads(lines[0])["key"]})
    (work / "labels-1.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    res = run_collect(work, tmp_path / "ann")
    assert res.returncode != 0 and message in res.stderr and "labels-1.jsonl" in res.stderr


def test_later_rounds_exclude_earlier_rounds_and_carry_their_rulings(tmp_path):
    from make_round4 import round_of, write_instructions

    assert [round_of(Path(n)) for n in ("round1-a1.jsonl", "round4-adjudicated.jsonl", "round12-r12a3.jsonl")] == [1, 4, 12]
    ann = tmp_path / "ann"
    ann.mkdir()
    for rnd, note in ((3, "ruling of three"), (4, "ruling of four"), (5, "ruling of five")):
        (ann / f"round{rnd}-adjudicated.jsonl").write_text(json.dumps(
            {"round": rnd, "themes": [], "primary": None, "note": note}) + "\n", "utf-8")
    out = tmp_path / "work"
    out.mkdir()
    write_instructions(out, ann, round_no=5)
    text = (out / "INSTRUCTIONS.md").read_text("utf-8")
    assert text.startswith("# Round-5 annotation instructions") and "rounds 1–4 first" in text
    assert "ruling of three" in text and "ruling of four" in text and "ruling of five" not in text
    assert '{"key": "q00042"' in text  # the format example survives the templating

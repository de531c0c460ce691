"""`zonelens classify`: streaming, order, and the documented bad-input behaviour."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from zonelens.cli import app
from zonelens.taxonomy import load_taxonomy
from zonelens.themes.artifact import load_model
from zonelens.themes.classify import classify
from zonelens.themes.model import has_chinese

runner = CliRunner()


def _jsonl(path, records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


def test_has_chinese():
    assert has_chinese("新增就业") and has_chinese("GDP增长5%")
    assert not has_chinese("") and not has_chinese("  ") and not has_chinese("No Chinese 2024 ，。")


def test_empty_and_non_chinese_get_no_theme_and_zero_scores(tmp_path, shipped_fast):
    inp = _jsonl(tmp_path / "in.jsonl", [{"id": "e", "text": ""}, {"id": "w", "text": "   "},
                                         {"id": "en", "text": "Attract investment and build parks."},
                                         {"id": "zh", "text": "引进亿元以上项目20个，到位资金80亿元。"}])
    res = runner.invoke(app, ["classify", str(inp), "--model", shipped_fast])
    assert res.exit_code == 0, res.output
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert [o["id"] for o in out] == ["e", "w", "en", "zh"]
    for o in out[:3]:
        assert o["themes"] == [] and o["primary"] is None and set(o["scores"].values()) == {0.0}
    assert out[3]["primary"] == "investment"
    assert "3 of 4 records had no Chinese text" in res.stderr


def test_long_text_is_classified_from_its_start(tmp_path, shipped_fast):
    long = "完成污水处理厂提标改造，空气质量优良率达到90%。" + "、".join(["道路"] * 6000)
    inp = _jsonl(tmp_path / "in.jsonl", [{"text": long}])
    res = runner.invoke(app, ["classify", str(inp), "--model", shipped_fast])
    assert res.exit_code == 0
    assert json.loads(res.stdout)["primary"] == "environment"
    assert "1 records are longer than 400 characters" in res.stderr


def test_streams_in_batches_keeping_order(tmp_path, shipped_fast):
    texts = ["深入开展主题教育，加强基层党组织建设。", "新建学校3所，新增学位2000个。", "引进签约项目12个。"] * 7
    inp = _jsonl(tmp_path / "in.jsonl", [{"id": i, "text": t} for i, t in enumerate(texts)])
    out = tmp_path / "out.jsonl"
    rep = classify(str(inp), str(out), shipped_fast, batch=4)
    assert rep.records == 21
    rows = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert [r["id"] for r in rows] == list(range(21))
    assert [r["primary"] for r in rows[:3]] == ["party", "livelihood", "investment"]
    whole = tmp_path / "whole.jsonl"
    classify(str(inp), str(whole), shipped_fast, batch=4096)
    assert whole.read_text("utf-8") == out.read_text("utf-8")


def test_csv_round_trip(tmp_path, shipped_fast):
    inp = tmp_path / "in.csv"
    inp.write_text("id,text\na,新增高新技术企业30家。\nb,\n", encoding="utf-8")
    res = runner.invoke(app, ["classify", str(inp), "-o", str(tmp_path / "o.csv"), "--model", shipped_fast])
    assert res.exit_code == 0
    lines = (tmp_path / "o.csv").read_text("utf-8").splitlines()
    assert lines[0].startswith("id,themes,primary,p_investment")
    assert lines[1].startswith("a,innovation,innovation,") and lines[2].startswith("b,,,0.0")


@pytest.mark.parametrize("content,message", [
    ('{"text": "好"}\n{"text": "新增学位"}\n{nope\n', "line 3: malformed JSON"),
    ('{"text": "好"}\n{"id": 2}\n', "line 2: expected an object with a string 'text'"),
    ('["not", "an", "object"]\n', "line 1: expected an object"),
])
def test_bad_jsonl_names_the_line_and_leaves_no_output(tmp_path, shipped_fast, content, message):
    inp = tmp_path / "in.jsonl"
    inp.write_text(content, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["classify", str(inp), "-o", str(out), "--model", shipped_fast])
    assert res.exit_code == 1
    assert str(inp) in res.stderr and message in res.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == [inp]


def test_unreadable_inputs(tmp_path, shipped_fast):
    res = runner.invoke(app, ["classify", str(tmp_path / "missing.jsonl"), "--model", shipped_fast])
    assert res.exit_code == 1 and "missing.jsonl: no such file" in res.stderr
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes('{"text": "新增就业岗位"}\n'.encode("gbk"))
    res = runner.invoke(app, ["classify", str(gbk), "--model", shipped_fast])
    assert res.exit_code == 1 and "not UTF-8" in res.stderr
    nocol = tmp_path / "x.csv"
    nocol.write_text("id,body\n1,新增就业\n", encoding="utf-8")
    res = runner.invoke(app, ["classify", str(nocol), "--model", shipped_fast])
    assert res.exit_code == 1 and "CSV needs a 'text' column" in res.stderr
    res = runner.invoke(app, ["classify", str(gbk), "--model", shipped_fast, "--format", "xml"])
    assert res.exit_code == 2


def test_predict_proba_zero_rows_for_no_chinese(shipped_fast):
    model, _ = load_model(shipped_fast, load_taxonomy())
    p = model.predict_proba(["", "新增就业岗位5000个。", "abc"])
    assert np.all(p[[0, 2]] == 0) and p[1].max() > 0.5
    assert model.predict_proba([]).shape == (0, len(model.themes))


def test_worker_processes_give_the_same_output(tmp_path, shipped_fast):
    texts = ["加强基层党组织建设。", "新建学校3所，新增学位2000个。", "", "引进签约项目12个。", "推进污水管网改造。"] * 9
    inp = _jsonl(tmp_path / "in.jsonl", [{"id": i, "text": t} for i, t in enumerate(texts)])
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    classify(str(inp), str(one), shipped_fast, batch=4, jobs=1)
    rep = classify(str(inp), str(two), shipped_fast, batch=4, jobs=2)
    assert rep.records == len(texts) and rep.no_chinese == 9
    assert two.read_text("utf-8") == one.read_text("utf-8")


def test_context_neighbours_stay_in_their_report_across_batches():
    from zonelens.themes.classify import batches_of

    recs = [(i, f"句{i}", "a" if i < 5 else "b") for i in range(9)]
    whole = next(batches_of(iter(recs), 100, True))
    assert whole[2][:2] == [None, "句0"] and whole[3][4] is None and whole[2][5] is None  # no crossing a/b
    assert whole[3][8] is None and whole[3][0] == "句1"
    small = list(batches_of(iter(recs), 2, True))
    assert [x for b in small for x in b[2]] == whole[2] and [x for b in small for x in b[3]] == whole[3]
    assert [x for b in small for x in b[0]] == list(range(9))
    assert next(batches_of(iter(recs), 4, False))[2:] == (None, None)


def test_classify_with_context(tmp_path, shipped_fast):
    """--context: the same output whatever the batch size; the context changes the scores of a
    context model; the compiled form and the estimator agree with context too."""
    from zonelens.themes.artifact import load_for_inference
    from zonelens.themes.classify import predict_batch

    texts = ["二、全面加强党的建设", "深入开展主题教育。", "加强基层党组织建设。", "持续整治形式主义官僚主义。",
             "新增城镇就业5000人。", "新建幼儿园3所。"]
    inp = _jsonl(tmp_path / "in.jsonl", [{"id": i, "text": t, "doc": "甲" if i < 4 else "乙"} for i, t in enumerate(texts)])
    outs = {}
    for name, kw in {"b2": dict(batch=2, context=True), "b100": dict(batch=100, context=True),
                     "alone": dict(batch=100)}.items():
        classify(str(inp), str(tmp_path / f"{name}.jsonl"), shipped_fast, **kw)
        outs[name] = [json.loads(x) for x in (tmp_path / f"{name}.jsonl").read_text("utf-8").splitlines()]
    assert outs["b2"] == outs["b100"]
    assert [r["scores"] for r in outs["b100"]] != [r["scores"] for r in outs["alone"]]
    res = runner.invoke(app, ["classify", str(inp), "--model", shipped_fast, "--context"])
    assert res.exit_code == 0 and [json.loads(x) for x in res.stdout.splitlines()] == outs["b100"]
    prev, nxt = [None, *texts[:3]], [*texts[1:4], None]
    compiled = load_for_inference(shipped_fast, load_taxonomy())
    estimator, _ = load_model(shipped_fast, load_taxonomy())
    assert np.allclose(predict_batch(compiled, texts[:4], prev, nxt), predict_batch(estimator, texts[:4], prev, nxt),
                       atol=1e-6)

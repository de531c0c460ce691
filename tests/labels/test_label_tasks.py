"""Task export -> (simulated) annotation tool -> import, for every format."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from zonelens.errors import LabelError, UsageError
from zonelens.hashing import text_hash
from zonelens.labels.annotations import read_annotations, write_annotations
from zonelens.labels.tasks import config_path, export_tasks, import_tasks, rows_for_export
from zonelens.store import connect

TEXTS = [
    "新签约亿元以上项目12个。",
    "研发经费投入强度达到3%，新增高新技术企业20家。",
    "地区生产总值增长5.8%。",
    "深化巡察整改，新增城镇就业8000人。",
]
# what a (simulated) annotator chose for each sentence: (themes, primary)
CHOICES = [(["investment"], None), (["innovation"], None), ([], None),
           (["party", "livelihood"], "livelihood")]


@pytest.fixture
def tasks_df() -> pd.DataFrame:
    return pd.DataFrame({"doc_id": ["0123456789abcdef"] * 4, "idx": [3, 5, 8, 13], "text": TEXTS,
                         "source": "corpora/test-2024/txt/南港区.txt", "reason": "random"})


def check(anns, taxonomy, annotator="a1", rnd=2):
    assert [a.ref.idx for a in anns] == [3, 5, 8, 13]
    assert [list(a.themes) for a in anns] == [["investment"], ["innovation"], [],
                                               ["livelihood", "party"]]
    assert [a.primary for a in anns] == ["investment", "innovation", None, "livelihood"]
    assert all(a.annotator == annotator and a.round == rnd for a in anns)
    assert all(a.ref.sha == text_hash(t) for a, t in zip(anns, TEXTS))
    assert anns[0].ref.source == "corpora/test-2024/txt/南港区.txt"


def test_jsonl_round_trip(tmp_path, tasks_df, taxonomy):
    out = tmp_path / "tasks.jsonl"
    assert export_tasks(tasks_df, out, "jsonl") == 4
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["themes"] == [] and lines[0]["primary"] is None and lines[0]["text"] == TEXTS[0]
    for obj, (themes, primary) in zip(lines, CHOICES):
        obj["themes"] = themes
        obj["primary"] = primary or (themes[0] if themes else None)
    lines[3]["themes"] = ["党建", "民生"]  # Chinese names are accepted too
    out.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in lines), encoding="utf-8")
    anns = import_tasks(out, "jsonl", "a1", 2, taxonomy)
    check(anns, taxonomy)
    labels = tmp_path / "a1.jsonl"
    write_annotations(labels, anns)
    assert read_annotations(labels, taxonomy) == anns


def test_labelstudio_round_trip(tmp_path, tasks_df, taxonomy):
    out = tmp_path / "ls" / "tasks.json"
    export_tasks(tasks_df, out, "labelstudio", taxonomy)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert tasks[0]["data"]["text"] == TEXTS[0] and tasks[0]["data"]["ref"]["idx"] == 3

    config = ET.fromstring(config_path(out).read_text(encoding="utf-8"))
    blocks = {c.get("name"): c for c in config.iter("Choices")}
    assert blocks["themes"].get("choice") == "multiple" and blocks["themes"].get("toName") == "text"
    assert [c.get("alias") for c in blocks["themes"]] == list(taxonomy.ids)
    assert [c.get("value") for c in blocks["primary"]] == [t.name_zh for t in taxonomy.themes]
    assert config.find("Text").get("value") == "$text"

    # What Label Studio's JSON export looks like after annotation (ids are exported via alias).
    exported = []
    for i, (task, (themes, primary)) in enumerate(zip(tasks, CHOICES)):
        result = [{"from_name": "themes", "to_name": "text", "type": "choices",
                   "value": {"choices": themes}}] if themes else []
        if primary:
            result.append({"from_name": "primary", "to_name": "text", "type": "choices",
                           "value": {"choices": [primary]}})
        exported.append({"id": i + 1, "data": task["data"], "annotations": [
            {"id": 100 + i, "completed_by": 1, "was_cancelled": False, "result": result}]})
    exported.append({"id": 9, "data": {"text": "未标注。", "ref": None}, "annotations": []})
    exported.append({"id": 10, "data": {"text": "跳过。", "ref": None},
                     "annotations": [{"was_cancelled": True, "result": []}]})
    filled = tmp_path / "export.json"
    filled.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    check(import_tasks(filled, "labelstudio", "a1", 2, taxonomy), taxonomy)


def test_labelstudio_json_min(tmp_path, tasks_df, taxonomy):
    out = tmp_path / "tasks.json"
    export_tasks(tasks_df, out, "labelstudio", taxonomy)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    rows = []
    for task, (themes, primary) in zip(tasks, CHOICES):
        row = {**task["data"], "id": 1, "annotator": 1, "annotation_id": 7}
        if themes:
            row["themes"] = themes[0] if len(themes) == 1 else {"choices": themes}
        if primary:
            row["primary"] = primary
        rows.append(row)
    filled = tmp_path / "min.json"
    filled.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    check(import_tasks(filled, "labelstudio", "a1", 2, taxonomy), taxonomy)


def test_labelstudio_several_annotations_rejected(tmp_path, taxonomy):
    task = {"data": {"text": "甲。", "ref": {"source": "", "doc_id": "d", "idx": 0,
                                             "sha": text_hash("甲。")}},
            "annotations": [{"result": []}, {"result": []}]}
    p = tmp_path / "x.json"
    p.write_text(json.dumps([task]), encoding="utf-8")
    with pytest.raises(LabelError, match="task #1: has 2 annotations"):
        import_tasks(p, "labelstudio", "a1", 1, taxonomy)


def test_doccano_round_trip(tmp_path, tasks_df, taxonomy):
    out = tmp_path / "doccano.jsonl"
    export_tasks(tasks_df, out, "doccano")
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["label"] == [] and lines[0]["text"] == TEXTS[0] and "ref" in lines[0]
    for i, (obj, (themes, _)) in enumerate(zip(lines, CHOICES)):
        names = [taxonomy.theme(t).name_zh for t in themes]
        obj["id"] = i + 1
        obj["label"] = ["民生", "党建"] if i == 3 else names  # first label = primary
    lines[2]["label"] = ["其他"]
    out.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in lines), encoding="utf-8")
    check(import_tasks(out, "doccano", "a1", 2, taxonomy), taxonomy)


def test_import_errors(tmp_path, tasks_df, taxonomy):
    out = tmp_path / "tasks.jsonl"
    export_tasks(tasks_df, out, "jsonl")
    lines = out.read_text(encoding="utf-8").splitlines()

    def attempt(edit, lineno=2):
        obj = json.loads(lines[lineno - 1])
        edit(obj)
        changed = list(lines)
        changed[lineno - 1] = json.dumps(obj, ensure_ascii=False)
        out.write_text("\n".join(changed) + "\n", encoding="utf-8")
        with pytest.raises(LabelError) as exc:
            import_tasks(out, "jsonl", "a1", 1, taxonomy)
        assert exc.value.line == lineno
        return str(exc.value)

    assert "unknown theme '旅游'" in attempt(lambda o: o.update(themes=["旅游"]))
    assert "edited" in attempt(lambda o: o.update(text=o["text"] + "改"))
    assert "ref" in attempt(lambda o: o.pop("ref"), lineno=3)
    assert "primary" in attempt(lambda o: o.update(themes=["party"], primary="investment"))
    out.write_text(lines[0] + "\n" + lines[0] + "\n", encoding="utf-8")
    with pytest.raises(LabelError, match="duplicate reference"):
        import_tasks(out, "jsonl", "a1", 1, taxonomy)
    with pytest.raises(UsageError):
        import_tasks(out, "excel", "a1", 1, taxonomy)
    with pytest.raises(UsageError):
        export_tasks(tasks_df, tmp_path / "x", "excel")


def test_rows_for_export_from_annotations(corpus, taxonomy, make_ann, tmp_path):
    doc_id, sents = corpus["docs"]["corpora/test-2024/txt/东湖区.txt"]
    labels = tmp_path / "a1.jsonl"
    write_annotations(labels, [make_ann(doc_id, 1, ["investment"], text=sents[1]),
                               make_ann(doc_id, 2, [], text="不存在的句子。")])
    with pytest.raises(UsageError, match="--db"):
        rows_for_export(labels, taxonomy)
    con = connect(corpus["db"], read_only=True)
    df, missing = rows_for_export(labels, taxonomy, con)
    con.close()
    assert list(df["text"]) == [sents[1]] and missing == 1

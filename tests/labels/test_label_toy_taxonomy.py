"""Swapping the taxonomy: a toy three-theme themes.yaml drives validation, sampling,
export/import, agreement and stats without code changes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from zonelens.cli.label import app
from zonelens.errors import LabelError
from zonelens.labels.agreement import agreement_table
from zonelens.labels.annotations import read_annotations, write_annotations
from zonelens.labels.sampling import load_sentences, sample_keywords
from zonelens.labels.stats import label_stats
from zonelens.labels.tasks import export_tasks, import_tasks
from zonelens.store import connect
from zonelens.taxonomy import load_lexicon, load_taxonomy

TOY_LEXICON = """\
keywords:
  growth: [地区生产总值, 一般公共预算收入]
  green: [空气质量, 能耗, 雨污分流]
  people: [就业, 幼儿园, 养老]
"""


TOY_RULE = {"growth": ("生产总值", "预算收入"), "green": ("空气", "能耗", "雨污"),
            "people": ("就业", "幼儿园", "养老")}


def toy_rule(text):
    """A toy annotator: themes whose cue words the sentence contains."""
    return [t for t, words in TOY_RULE.items() if any(w in text for w in words)]


@pytest.fixture
def toy(toy_path):
    (toy_path.parent / "lexicon.yaml").write_text(TOY_LEXICON, encoding="utf-8")
    return load_taxonomy(toy_path)


def test_toy_taxonomy_loads(toy):
    assert toy.ids == ("growth", "green", "people") and toy.version == "0.1"
    assert toy.lookup("绿色") == "green"
    assert toy.hash != load_taxonomy().hash


def test_toy_annotations_validate_against_toy(toy, tmp_path, make_ann):
    good = tmp_path / "toy.jsonl"
    write_annotations(good, [make_ann("d", 0, ["green", "people"]), make_ann("d", 1, [])])
    assert [a.themes for a in read_annotations(good, toy)] == [("green", "people"), ()]
    real = tmp_path / "real.jsonl"
    write_annotations(real, [make_ann("d", 0, ["growth"]), make_ann("d", 1, ["party"])])
    with pytest.raises(LabelError, match="unknown theme id\\(s\\): party") as exc:
        read_annotations(real, toy)
    assert exc.value.line == 2
    with pytest.raises(LabelError, match="growth"):
        read_annotations(real, load_taxonomy())  # and the real taxonomy rejects toy ids


def test_toy_sample_export_import_stats(toy, toy_path, corpus, tmp_path):
    lex = load_lexicon(toy_path.parent / "lexicon.yaml", toy)
    con = connect(corpus["db"], read_only=True)
    df = sample_keywords(load_sentences(con), 6, lex, seed=0)
    con.close()
    assert {r.split(":")[1] for r in df["reason"]} == {"growth", "green", "people"}
    for fmt in ("jsonl", "labelstudio", "doccano"):
        out = tmp_path / f"toy-{fmt}.{'json' if fmt == 'labelstudio' else 'jsonl'}"
        export_tasks(df, out, fmt, toy)
        if fmt == "labelstudio":
            config = (tmp_path / "toy-labelstudio.config.xml").read_text(encoding="utf-8")
            assert 'alias="growth"' in config and "party" not in config
            tasks = json.loads(out.read_text(encoding="utf-8"))
            filled = [{**t, "annotations": [{"result": [
                {"from_name": "themes", "value": {"choices": [toy.theme(x).name_zh
                                                              for x in toy_rule(t["data"]["text"])]}}]}]}
                      for t in tasks]
            out.write_text(json.dumps(filled, ensure_ascii=False), encoding="utf-8")
        else:
            key = "themes" if fmt == "jsonl" else "label"
            lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
            for obj in lines:
                obj[key] = toy_rule(obj["text"])
                if fmt == "jsonl":
                    obj["primary"] = obj[key][0] if obj[key] else None
            out.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in lines),
                           encoding="utf-8")
        anns = import_tasks(out, fmt, "t1", 1, toy)
        assert len(anns) == len(df) == 5
        assert all(set(a.themes) <= {"growth", "green", "people"} for a in anns)
        assert {t for a in anns for t in a.themes} == {"growth", "green", "people"}
    st = label_stats(anns, toy)
    assert list(st.per_theme["theme"]) == ["growth", "green", "people", "other"]
    assert [c for c in st.per_corpus.columns if c in toy.ids] == ["growth", "green", "people"]
    table = agreement_table(anns + [a.__class__(a.ref, a.themes, a.primary, "t2", 1) for a in anns],
                            toy.ids)
    assert list(table["theme"]) == ["growth", "green", "people", "primary"]
    assert (table["kappa"] == 1.0).all()


def test_toy_through_cli(toy, toy_path, corpus, tmp_path):
    runner = CliRunner()
    tasks = tmp_path / "t.jsonl"
    args = ["--taxonomy", str(toy_path)]
    result = runner.invoke(app, ["sample", "--db", str(corpus["db"]), "--out", str(tasks), "--n", "4",
                                 "--strategy", "keywords", "--lexicon",
                                 str(toy_path.parent / "lexicon.yaml"), *args])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in tasks.read_text(encoding="utf-8").splitlines()]
    for obj in lines:
        obj["themes"] = toy_rule(obj["text"])
        obj["primary"] = obj["themes"][0] if obj["themes"] else None
    tasks.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in lines), encoding="utf-8")
    labels = tmp_path / "toy-labels.jsonl"
    result = runner.invoke(app, ["import", str(tasks), "--out", str(labels), "--annotator", "t1", *args])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["stats", "--labels", str(labels), *args])
    assert result.exit_code == 0, result.output
    assert "taxonomy 0.1" in result.output
    for theme in ("growth", "green", "people"):
        assert theme in result.output
    assert "investment" not in result.output
    # the real taxonomy refuses the toy labels
    result = runner.invoke(app, ["stats", "--labels", str(labels)])
    assert result.exit_code == 1 and "unknown theme" in result.stderr

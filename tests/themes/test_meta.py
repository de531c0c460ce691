"""meta.json of a theme model is checked as a whole before the model is used: required keys, one
theme list in taxonomy / params / thresholds, the list against the taxonomy hash and against the
model's own classes. Any problem is one `error:` line naming the file, exit 1, for classify, apply
and evaluate."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from zonelens.cli import app
from zonelens.errors import ModelError
from zonelens.taxonomy import load_taxonomy
from zonelens.themes import ThemeClassifier, load_model, save_model
from zonelens.themes.artifact import load_for_inference, resolve_model_dir

runner = CliRunner()


def _edit(meta: dict, how: str) -> dict:
    meta = json.loads(json.dumps(meta))
    if how == "no-taxonomy":
        del meta["taxonomy"]
    elif how == "renamed-theme-hash-kept":  # renamed everywhere, consistently, but the hash is the old one
        rename = {"party": "party_building"}
        meta["taxonomy"]["themes"] = [rename.get(t, t) for t in meta["taxonomy"]["themes"]]
        meta["params"]["themes"] = [rename.get(t, t) for t in meta["params"]["themes"]]
        meta["thresholds"] = {rename.get(t, t): v for t, v in meta["thresholds"].items()}
    elif how == "thresholds-other-themes":
        meta["thresholds"].pop("party")
    elif how == "params-other-themes":
        meta["params"]["themes"] = meta["params"]["themes"][::-1]
    elif how == "no-artifact-sha":
        del meta["artifact"]["sha256"]
    elif how == "not-an-object":
        meta = [meta]
    return meta


CASES = ["no-taxonomy", "renamed-theme-hash-kept", "thresholds-other-themes", "params-other-themes",
         "no-artifact-sha", "not-an-object"]


@pytest.fixture(scope="module")
def broken(tmp_path_factory, shipped_fast):
    """One model directory per broken meta.json: the shipped themes-fast files linked, meta edited."""
    src = resolve_model_dir(shipped_fast)
    meta = json.loads((src / "meta.json").read_text("utf-8"))
    root = tmp_path_factory.mktemp("broken-meta")
    dirs = {}
    for how in CASES:
        d = root / how
        d.mkdir()
        for f in src.iterdir():
            if f.name != "meta.json":
                (d / f.name).symlink_to(f.resolve())
        (d / "meta.json").write_text(json.dumps(_edit(meta, how)), encoding="utf-8")
        dirs[how] = d
    inp = root / "in.jsonl"
    inp.write_text(json.dumps({"text": "新增高新技术企业30家。"}, ensure_ascii=False) + "\n", encoding="utf-8")
    return dirs, inp


@pytest.mark.parametrize("how", CASES)
@pytest.mark.parametrize("command", ["classify", "apply", "evaluate"])
def test_broken_meta_is_one_error_line(broken, tmp_path, how, command):
    dirs, inp = broken
    d = dirs[how]
    args = {"classify": ["classify", str(inp), "--model", str(d)],
            "apply": ["apply", "--model", str(d), "--db", str(tmp_path / "c.duckdb")],
            "evaluate": ["evaluate", "--model", str(d), "--labels", str(tmp_path), "--db", str(tmp_path / "c.duckdb")]}
    res = runner.invoke(app, args[command])
    assert res.exit_code == 1, (res.output, res.exception)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(d) in lines[0], res.stderr
    assert "Traceback" not in res.output


def test_shipped_models_pass(shipped_fast):
    tax = load_taxonomy()
    for name in ("themes", "themes-fast"):
        model, meta = load_model(name, tax)
        assert list(model.themes) == meta["taxonomy"]["themes"] == list(tax.ids)
    assert list(load_for_inference("themes-fast", tax).themes) == list(tax.ids)


def test_model_classes_must_be_the_listed_themes(tmp_path):
    """A consistent meta.json that names other classes than the pickled model has."""
    tax = load_taxonomy()
    texts = ["新签约招商项目20个。", "新增高新技术企业30家。", "空气质量优良率达到88%。", "新增城镇就业5000人。",
             "加强基层党组织建设。", "完善交通路网。"] * 4
    Y = np.array([[int(i % 6 == j) for j in range(5)] for i in range(len(texts))])
    model = ThemeClassifier(themes=tax.ids[::-1], min_df=1, inner_folds=2).fit(texts, Y[:, ::-1],
                                                                               groups=np.arange(len(texts)) % 4)
    d = save_model(model, tmp_path / "m", tax, {})
    meta = json.loads((d / "meta.json").read_text("utf-8"))
    meta["params"]["themes"] = list(tax.ids)
    meta["thresholds"] = {t: meta["thresholds"][t] for t in tax.ids}
    (d / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="model's own classes"):
        load_model(d, tax)

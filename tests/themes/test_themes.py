import json
import pickle

import numpy as np
import pytest
from typer.testing import CliRunner

from zonelens.cli import app
from zonelens.ingest.run import ingest
from zonelens.errors import ModelError
from zonelens.taxonomy import load_taxonomy
from zonelens.themes import ThemeClassifier, load_model, save_model
from zonelens.themes.metrics import ece, share_error
from zonelens.themes.model import best_threshold
from zonelens.themes.run import apply_model

runner = CliRunner()
THEMES = ("investment", "innovation", "environment", "livelihood", "party")
# Training sentences written for these tests: (text, themes).
DATA = [
    ("全年新签约招商项目20个，合同引资80亿元。", {"investment"}), ("引进世界500强企业投资项目3个。", {"investment"}),
    ("开展产业链招商，举办招商推介会5场。", {"investment"}), ("实际利用外资增长12%，到位资金30亿元。", {"investment"}),
    ("新增高新技术企业30家，研发投入强度达到3%。", {"innovation"}), ("建设重点实验室和新型研发机构。", {"innovation"}),
    ("技术合同成交额突破20亿元，专利授权增长15%。", {"innovation"}), ("推进科技成果转化，建设孵化器和众创空间。", {"innovation"}),
    ("空气质量优良率达到88%，PM2.5浓度下降。", {"environment"}), ("完成污水管网雨污分流改造10公里。", {"environment"}),
    ("深入打好蓝天碧水净土保卫战。", {"environment"}), ("推进垃圾分类和节能减排，单位能耗下降。", {"environment"}),
    ("新增城镇就业5000人，新建幼儿园3所。", {"livelihood"}), ("提高城乡低保标准，完善养老服务体系。", {"livelihood"}),
    ("新增学位2000个，改造老旧小区10个。", {"livelihood"}), ("建设社区卫生服务中心，推进医保全覆盖。", {"livelihood"}),
    ("深入开展主题教育，加强基层党组织建设。", {"party"}), ("坚持全面从严治党，加强党风廉政建设。", {"party"}),
    ("新建非公企业党支部10个，开展党员教育培训。", {"party"}), ("持续整治形式主义官僚主义，开展巡察。", {"party"}),
    ("地区生产总值增长6%，财政收入稳步增长。", set()), ("推进城市道路建设，完善交通路网。", set()),
    ("做好全年工作至关重要。", set()), ("深化行政审批制度改革，优化营商环境。", set()),
]


def train_set(k=3):
    texts = [t for t, _ in DATA] * k
    Y = np.array([[int(th in s) for th in THEMES] for _, s in DATA] * k)
    groups = np.arange(len(DATA) * k) % 6  # six "documents", each with every theme
    return texts, Y, groups


@pytest.fixture(scope="module")
def fitted():
    texts, Y, groups = train_set()
    return ThemeClassifier(themes=THEMES, use_embeddings=False, min_df=1).fit(texts, Y, groups=groups)


def test_fit_predict_and_pickle(fitted):
    texts = [DATA[0][0], DATA[16][0]]  # mechanics on seen sentences; accuracy is measured by grouped CV
    proba = fitted.predict_proba(texts)
    assert proba.shape == (2, 5) and ((0 <= proba) & (proba <= 1)).all()
    assert THEMES[proba[0].argmax()] == "investment" and THEMES[proba[1].argmax()] == "party"
    decided = fitted.decide(proba)
    assert all(primary is None or primary in themes for themes, primary in decided)
    again = pickle.loads(pickle.dumps(fitted))
    assert np.allclose(again.predict_proba(texts), proba)


def test_edge_inputs(fitted):
    proba = fitted.predict_proba(["", "No Chinese here at all.", "项目" * 5000])
    assert proba.shape == (3, 5) and np.isfinite(proba).all()
    assert fitted.predict_proba([]).shape == (0, 5)


def test_embeddings_feature_path():
    texts, Y, groups = train_set(2)
    m = ThemeClassifier(themes=THEMES, use_embeddings=True, use_words=False, min_df=1).fit(texts, Y, groups=groups)
    assert m.predict_proba(["新增城镇就业5000人。"]).shape == (1, 5)
    assert m.n_features_ > 384


def test_metric_helpers():
    y = np.array([1, 1, 0, 0])
    assert best_threshold(y, np.array([0.9, 0.6, 0.4, 0.1])) == pytest.approx(0.6)
    # ECE: two bins; bin [0.8,0.9): p=0.8 y=1 → |0.8-1|; bin [0.2,0.3): p=0.2 y=0 → 0.2; mean 0.2
    assert ece(np.array([1, 0]), np.array([0.8, 0.2])) == pytest.approx(0.2)
    Y = np.array([[1], [0], [1], [1]])
    P = np.array([[1], [1], [1], [0]])
    assert share_error(Y, P, np.array([0, 0, 1, 1])) == pytest.approx((0.5 + 0.5) / 2)


def test_artifact_checks(tmp_path, fitted):
    tax = load_taxonomy()
    d = save_model(fitted, tmp_path / "m", tax, {"params": {}, "training_data": {"hash": "x"}})
    model, meta = load_model(d, tax)
    assert meta["taxonomy"]["themes"] == list(tax.ids) and len(meta["artifact"]["sha256"]) == 64
    blob = bytearray((d / "model.joblib").read_bytes())
    blob[100] ^= 0xFF
    (d / "model.joblib").write_bytes(bytes(blob))
    with pytest.raises(ModelError, match="sha256 does not match"):
        load_model(d, tax)
    d2 = save_model(fitted, tmp_path / "m2", tax, {})
    meta2 = json.loads((d2 / "meta.json").read_text())
    meta2["taxonomy"]["hash"] = "0" * 16
    (d2 / "meta.json").write_text(json.dumps(meta2))
    with pytest.raises(ModelError, match="not the one in use"):
        load_model(d2, tax)
    with pytest.raises(ModelError, match="no such model"):
        load_model(tmp_path / "nothing-here")


def test_classify_cli_jsonl_csv_and_errors(tmp_path, shipped_fast):
    inp = tmp_path / "in.jsonl"
    lines = [{"id": "a", "text": "深入开展主题教育，加强基层党组织建设，坚持全面从严治党。"},
             {"text": "新增城镇就业5000人，新建幼儿园3所，提高低保标准。"}, {"id": 3, "text": ""}]
    inp.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    res = runner.invoke(app, ["classify", str(inp), "--model", shipped_fast])
    assert res.exit_code == 0, res.output
    out = [json.loads(x) for x in res.stdout.strip().split("\n")]
    assert [o["id"] for o in out] == ["a", 2, 3]
    assert out[0]["primary"] == "party" and out[1]["primary"] == "livelihood"
    assert set(out[0]["scores"]) == set(THEMES)
    csv_in = tmp_path / "in.csv"
    csv_in.write_text("id,text\nx,签约引进亿元以上项目12个，合同引资90亿元。\n", encoding="utf-8")
    res = runner.invoke(app, ["classify", str(csv_in), "-o", str(tmp_path / "o.csv"), "--model", shipped_fast])
    assert res.exit_code == 0 and "investment" in (tmp_path / "o.csv").read_text()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "好"}\n{nope\n', encoding="utf-8")
    res = runner.invoke(app, ["classify", str(bad), "--model", shipped_fast])
    assert res.exit_code == 1 and "line 2: malformed JSON" in res.stderr
    res = runner.invoke(app, ["classify", "-", "--model", shipped_fast], input='{"text": "建设污水处理厂，改善水环境质量。"}\n')
    assert json.loads(res.stdout)["primary"] == "environment"


def test_apply_is_idempotent(tmp_path, report_text, shipped_fast):
    (tmp_path / "r.txt").write_text(report_text, encoding="utf-8")
    db = tmp_path / "z.duckdb"
    ingest([tmp_path / "r.txt"], db)
    first = apply_model(db, shipped_fast)
    assert first["classified"] > 5
    assert apply_model(db, shipped_fast)["classified"] == 0
    import duckdb
    con = duckdb.connect(str(db), read_only=True)
    n_sent = con.execute("SELECT count(*) FROM sentences").fetchone()[0]
    assert con.execute("SELECT count(*) FROM theme_predictions").fetchone()[0] == n_sent


def test_saved_model_compiles_and_matches(tmp_path, fitted):
    """save_model writes a compiled form for models without embeddings; it predicts the same."""
    from zonelens.themes.artifact import load_for_inference
    from zonelens.themes.compiled import CompiledThemes

    tax = load_taxonomy()
    d = save_model(fitted, tmp_path / "m", tax, {})
    meta = json.loads((d / "meta.json").read_text())
    assert set(meta["compiled"]) == {"compiled.npz", "compiled.json"}
    compiled = load_for_inference(d, tax)
    assert isinstance(compiled, CompiledThemes)
    texts = [t for t, *_ in DATA] + ["", "没有主题的句子。", "English"]
    assert np.allclose(compiled.predict_proba(texts), fitted.predict_proba(texts), atol=1e-6)
    assert compiled.decide(compiled.predict_proba(texts)) == fitted.decide(fitted.predict_proba(texts))

"""Pruning by weight acts on the estimator and its compiled form together."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from test_themes import THEMES, train_set  # same folder (rootdir-relative imports)
from zonelens.taxonomy import load_taxonomy
from zonelens.themes import ThemeClassifier, save_model
from zonelens.themes.artifact import load_for_inference, load_model
from zonelens.themes.prune import prune_estimator, prune_model_dir, weight_matrix

REPO = Path(__file__).resolve().parents[2]
PROBE = ["全年新引进项目15个，签约外资企业3家。", "建设研发中心和孵化器，技术合同成交额增长。", "治理黑臭水体，改善空气质量。",
         "新增城镇就业岗位一万个，建成养老服务站。", "落实全面从严治党主体责任。", "完成年度各项工作任务。"]


def fit(**kw) -> ThemeClassifier:
    import pandas as pd

    texts, Y, groups = train_set(2)
    frame = pd.DataFrame({"text": texts, "prev_text": [None] + texts[:-1], "next_text": texts[1:] + [None]})
    return ThemeClassifier(themes=THEMES, use_embeddings=False, min_df=1, **kw).fit(frame, Y, groups=groups)


def test_prune_drops_light_terms_only():
    model = fit()
    w0 = weight_matrix(model)
    vocab0 = {name: dict(v.vocabulary_) for name, v in model.vectorizers_.items()}
    cut = float(np.quantile(np.abs(w0).max(axis=1), 0.5))
    stats = prune_estimator(model, cut)
    w1 = weight_matrix(model)
    assert sum(s["after"] for s in stats.values()) == w1.shape[0] == model.n_features_ < w0.shape[0]
    off0 = off1 = 0
    for name, vec in model.vectorizers_.items():
        for term, col in vocab0[name].items():
            if term in vec.vocabulary_:  # kept: the same weights, at the new column
                assert np.allclose(w1[off1 + vec.vocabulary_[term]], w0[off0 + col])
            else:
                assert np.abs(w0[off0 + col]).max() < cut
        off0, off1 = off0 + len(vocab0[name]), off1 + len(vec.vocabulary_)
    assert model.predict_proba(PROBE).shape == (len(PROBE), len(THEMES))


def test_min_weight_param_equals_fit_then_prune():
    a = fit(min_weight=0.05)
    b = fit()
    prune_estimator(b, 0.05)
    assert np.allclose(a.predict_proba(PROBE), b.predict_proba(PROBE))
    assert a.get_params()["min_weight"] == 0.05


def test_pruned_model_dir_estimator_and_compiled_agree(tmp_path):
    tax = load_taxonomy()
    src = save_model(fit(context_text_weight=0.5), tmp_path / "p-fast", tax, {"params": {"C": 4.0}})
    (src / "cv_report.md").write_text("report", "utf-8")
    out, stats = prune_model_dir(src, 0.05, tmp_path / "pruned", tax)
    model, meta = load_model(out, tax)
    compiled = load_for_inference(out, tax)
    assert meta["params"]["min_weight"] == 0.05 and meta["pruning"]["terms"] == stats
    assert (out / "cv_report.md").read_text("utf-8") == "report"
    assert sum(s["after"] for s in stats.values()) < sum(s["before"] for s in stats.values())
    assert np.allclose(model.predict_proba(PROBE), compiled.predict_proba(PROBE), atol=1e-6)
    assert compiled.offsets[-1] == model.n_features_


def test_embedding_models_are_not_pruned():
    model = fit()
    model.use_embeddings = True
    with pytest.raises(ValueError, match="embedding"):
        prune_estimator(model, 0.1)


def test_prune_script_scan_and_prune(tmp_path):
    src = save_model(fit(), tmp_path / "s-fast", load_taxonomy(), {})
    script = str(REPO / "experiments/themes/prune.py")
    res = subprocess.run([sys.executable, script, str(src), "--scan", "0,0.05"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert '"min_weight": 0.05' in res.stdout
    res = subprocess.run([sys.executable, script, str(src), "--min-weight", "0.05", "--results",
                          str(tmp_path / "r")], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "| char |" in (tmp_path / "r.md").read_text("utf-8")
    assert load_model(src, load_taxonomy())[1]["params"]["min_weight"] == 0.05

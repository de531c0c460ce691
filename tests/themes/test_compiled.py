"""The compiled (pickle-free, scikit-learn-free) predictor gives the estimator's probabilities."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from zonelens.errors import ModelError
from zonelens.taxonomy import load_taxonomy
from zonelens.themes.artifact import load_for_inference, load_model
from zonelens.themes.compiled import CompiledThemes, _char_ngrams

TEXTS = ["深入推进全面从严治党，加强基层党组织建设。", "新增高新技术企业30家，研发投入强度达到3%。",
         "空气质量优良率达到87%，完成污水管网改造6公里。", "新建学校3所，新增学位2000个。",
         "引进签约亿元以上项目12个，合同引资90亿元。", "", "English only", "  多个   空格\t\t和Tab  ",
         "项目" * 3000, "GDP增长5.5%", "一"]


@pytest.fixture(scope="module")
def fast():
    try:
        model, meta = load_model("themes-fast", load_taxonomy())
    except ModelError:
        pytest.skip("shipped models not built")
    if "compiled" not in meta:
        pytest.skip("shipped themes-fast has no compiled form")
    return model


def test_char_ngrams_match_sklearn():
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyzer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3)).build_analyzer()
    for t in TEXTS:
        assert _char_ngrams(t.lower(), 1, 3) == analyzer(t)


def test_compiled_equals_estimator(fast):
    compiled = load_for_inference("themes-fast", load_taxonomy())
    assert isinstance(compiled, CompiledThemes)
    p_est, p_comp = fast.predict_proba(TEXTS), compiled.predict_proba(TEXTS)
    assert np.allclose(p_est, p_comp, atol=1e-6)
    assert compiled.decide(p_comp) == fast.decide(p_est)


def test_compiled_path_does_not_import_sklearn():
    code = ("import sys; from zonelens.themes.artifact import load_for_inference; "
            "m = load_for_inference('themes-fast'); m.predict_proba(['新增就业岗位。']); "
            "print(any(k.startswith('sklearn') for k in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_tampered_compiled_file_is_refused(tmp_path, fast):
    import shutil

    from zonelens.themes.artifact import models_dir

    d = tmp_path / "m"
    shutil.copytree(models_dir() / "themes-fast", d)
    meta = json.loads((d / "meta.json").read_text("utf-8"))
    (d / "compiled.json").write_text((d / "compiled.json").read_text("utf-8").replace('"char"', '"word"', 1), "utf-8")
    with pytest.raises(ModelError, match="compiled.json: sha256 does not match"):
        load_for_inference(d)
    assert "compiled.json" in meta["compiled"]


def test_compiled_context_block_matches_estimator(tmp_path):
    """A text-context model compiles; with contexts, and for sentences on their own (no context),
    the compiled form gives the estimator's probabilities."""
    import pandas as pd

    from test_themes import THEMES, train_set  # same folder (rootdir-relative imports)
    from zonelens.themes import ThemeClassifier, save_model
    from zonelens.themes.model import context_texts

    texts, Y, groups = train_set(2)
    frame = pd.DataFrame({"text": texts, "prev_text": [None] + texts[:-1], "next_text": texts[1:] + [None]})
    model = ThemeClassifier(themes=THEMES, use_embeddings=False, min_df=1, context_text_weight=0.6,
                            context_dropout=0.3).fit(frame, Y, groups=groups)
    tax = load_taxonomy()
    out = save_model(model, tmp_path / "ctx-fast", tax, {})
    compiled = load_for_inference(out, tax)
    assert isinstance(compiled, CompiledThemes)
    part = frame.iloc[3:9].assign(next_text=["很长的下文" * 200] * 6)  # longer than 400 characters
    assert np.allclose(model.predict_proba(part), compiled.predict_proba(list(part["text"]), context_texts(part)),
                       atol=1e-6)
    alone = list(frame["text"].iloc[:5])
    assert np.allclose(model.predict_proba(alone), compiled.predict_proba(alone), atol=1e-6)


TRICKY = ["招商  引资\t\t新签约项目ABC 8个。", "Ｆｕｌｌ宽度和大写ABC新增就业", "建设重点实验室" * 80, "党建 引领",
          "加强基层党组织建设 ，推进 全面从严治党。", "引进 500强  企业\n\n3家", "一", ""]


@pytest.mark.parametrize("char_ngrams", [(1, 3), (2, 3), (1, 4)])  # (1, 4): too long to key, dict lookup
def test_keyed_lookup_matches_estimator(tmp_path, char_ngrams):
    """The vectorised lookup (sorted integer keys, one searchsorted) gives the estimator's
    probabilities on texts with whitespace runs, upper case, full-width and long texts, with and
    without context; a block that cannot be keyed uses the dict lookup."""
    import pandas as pd

    from test_themes import THEMES, train_set  # same folder (rootdir-relative imports)
    from zonelens.themes import ThemeClassifier, save_model
    from zonelens.themes.model import context_texts

    texts, Y, groups = train_set(2)
    texts = [t if k % 3 else t.replace("，", "  ，") + " ABC" for k, t in enumerate(texts)]
    frame = pd.DataFrame({"text": texts, "prev_text": [None] + texts[:-1], "next_text": texts[1:] + [None]})
    model = ThemeClassifier(themes=THEMES, use_embeddings=False, min_df=1, char_ngrams=char_ngrams,
                            context_text_weight=0.5).fit(frame, Y, groups=groups)
    out = save_model(model, tmp_path / "k-fast", load_taxonomy(), {})
    compiled = load_for_inference(out)
    keyed = [k is not None for k in compiled.keys]
    assert keyed == ([True, True, True] if char_ngrams[1] <= 3 else [False, True, False])
    probe = TRICKY + texts[:6]
    part = pd.DataFrame({"text": probe, "prev_text": probe[1:] + [None], "next_text": [None] + probe[:-1]})
    assert np.allclose(model.predict_proba(pd.DataFrame({"text": probe})), compiled.predict_proba(probe), atol=1e-6)
    assert np.allclose(model.predict_proba(part), compiled.predict_proba(probe, context_texts(part)), atol=1e-6)

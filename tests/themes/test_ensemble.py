"""ThemeEnsemble (experiments/themes/ensemble.py) and ThemeClassifier(keep_oof): a head over several
theme classifiers, trained on their inner out-of-fold output."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

from test_loso import THEMES, gold_frame  # same folder (rootdir-relative imports)

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "experiments" / "themes"))
from ensemble import ThemeEnsemble  # noqa: E402  (the issue-15 experiment's estimator)
from zonelens.themes.model import ThemeClassifier
from zonelens.themes.training import label_matrix


def base(**kw) -> ThemeClassifier:
    return ThemeClassifier(themes=THEMES, use_embeddings=False, use_words=False, min_df=1, inner_folds=2, **kw)


@pytest.fixture(scope="module")
def data():
    gold = gold_frame()
    return gold, label_matrix(gold, THEMES), gold["doc_id"].to_numpy()


def test_keep_oof_stores_the_inner_out_of_fold_probabilities_and_changes_nothing_else(data):
    gold, Y, groups = data
    plain = base().fit(gold, Y, groups=groups)
    kept = base(keep_oof=True).fit(gold, Y, groups=groups)
    assert not hasattr(plain, "oof_proba_")
    assert kept.oof_proba_.shape == Y.shape
    assert np.allclose(plain.predict_proba(gold), kept.predict_proba(gold))
    assert np.allclose(plain.thresholds_, kept.thresholds_)
    # the thresholds are the F1-best cuts of exactly those out-of-fold probabilities
    from zonelens.themes.model import best_threshold

    assert np.allclose([best_threshold(Y[:, j], kept.oof_proba_[:, j]) for j in range(len(THEMES))],
                       kept.thresholds_, atol=1e-6)


def test_mean_head_averages_its_bases(data):
    gold, Y, groups = data
    ens = ThemeEnsemble(estimators=(base(), base(char_ngrams=(2, 3))), head="mean").fit(gold, Y, groups)
    alone = [b.fit(gold, Y, groups=groups) for b in (base(), base(char_ngrams=(2, 3)))]
    assert np.allclose(ens.predict_proba(gold), (alone[0].predict_proba(gold) + alone[1].predict_proba(gold)) / 2)
    assert all(not hasattr(m, "oof_proba_") for m in ens.estimators_)  # dropped after the fit: small artifact


@pytest.mark.parametrize("head", ["lr", "mlp"])
def test_trained_heads_learn_the_themes_and_pickle(data, head):
    gold, Y, groups = data
    ens = ThemeEnsemble(estimators=(base(),), head=head, head_folds=2).fit(gold, Y, groups)
    proba = ens.predict_proba(gold)
    assert proba.shape == Y.shape and ((proba >= 0) & (proba <= 1)).all()
    # on its training sentences the head ranks positives above negatives for every theme
    for j in range(len(THEMES)):
        if 0 < Y[:, j].sum() < len(Y):
            assert proba[Y[:, j] == 1, j].mean() > proba[Y[:, j] == 0, j].mean()
    again = pickle.loads(pickle.dumps(ens))
    assert np.allclose(again.predict_proba(gold), proba)
    themes, primary = ens.decide(proba[:1])[0]
    assert set(themes) <= set(THEMES) and (primary in themes if themes else primary is None)


def test_the_ensemble_reads_the_union_of_its_bases_inputs():
    e5 = ThemeClassifier(themes=THEMES, use_embeddings=True, context_weight=1.0)
    fast = ThemeClassifier(themes=THEMES, use_embeddings=False, context_text_weight=0.6)
    ens = ThemeEnsemble(estimators=(e5, fast))
    assert ens.use_embeddings and ens.context_weight == 1.0 and ens.context_text_weight == 0.6
    assert ens.themes == tuple(THEMES)
    assert clone(ens).get_params()["head"] == "mean"


def test_bad_head_and_no_bases_are_clear_errors(data):
    gold, Y, groups = data
    with pytest.raises(ValueError, match="unknown head 'gbm'"):
        ThemeEnsemble(estimators=(base(),), head="gbm").fit(gold, Y, groups)
    with pytest.raises(ValueError, match="at least one base"):
        ThemeEnsemble().fit(gold, Y, groups)

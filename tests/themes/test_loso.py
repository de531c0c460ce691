"""Leave-one-source-out evaluation: each corpus is predicted by a model that never saw it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from test_themes import DATA  # same folder (rootdir-relative imports)
from zonelens.errors import ZonelensError
from zonelens.themes.model import ThemeClassifier
from zonelens.themes.training import label_matrix, leave_one_source_out, source_group

THEMES = ["investment", "innovation", "environment", "livelihood", "party"]
PATHS = {"city-2024": "corpora/city-2024/txt/某市{k}.txt", "national": "corpora/national-1954-2025/x.jsonl#{k}",
         "shanghai": "corpora/shanghai-2020-2024/y.dta#{k}", "seeds": "seeds/00{k}_x.txt"}


def gold_frame() -> pd.DataFrame:
    rows = []
    for s, (name, pattern) in enumerate(PATHS.items()):
        for k in range(2):
            doc = f"{name}-{k}"
            for i, (text, themes) in enumerate(DATA[(s + k) % 3::2]):
                rows.append({"doc_id": doc, "idx": i, "text": text, "source": pattern.format(k=k),
                             "themes": sorted(themes), "doc_complete": k == 0})
    return pd.DataFrame(rows)


def model() -> ThemeClassifier:
    return ThemeClassifier(themes=THEMES, use_embeddings=False, use_words=False, min_df=1, inner_folds=2)


def test_source_group():
    assert [source_group(p.format(k=1)) for p in PATHS.values()] == list(PATHS)
    assert source_group("corpora/provinces-2025/a.txt") == "provinces-2025"
    assert source_group("loose.txt") == "other"


def test_each_source_is_predicted_by_a_model_that_never_saw_it():
    gold = gold_frame()
    per, proba, pred = leave_one_source_out(model(), gold, THEMES)
    assert sorted(per) == sorted(PATHS)
    assert sum(m["n_sentences"] for m in per.values()) == len(gold)
    assert per["seeds"]["n_documents"] == 2 and per["seeds"]["n_whole_documents"] == 1
    # the national rows are exactly what a model fitted on the three other corpora predicts
    nat = gold["source"].str.contains("national").to_numpy()
    Y = label_matrix(gold, THEMES)
    alone = model().fit(gold[~nat], Y[~nat], groups=gold.loc[~nat, "doc_id"].to_numpy())
    assert np.allclose(proba[nat], alone.predict_proba(gold[nat]))
    assert (pred[nat] == (proba[nat] >= alone.thresholds_)).all()
    assert proba[~nat].any()  # the other corpora got their own predictions too


def test_one_source_is_refused():
    gold = gold_frame()
    with pytest.raises(ZonelensError, match="two corpora"):
        leave_one_source_out(model(), gold[gold["source"].str.contains("seeds")], THEMES)


def test_loso_script_splits_and_pruned_variants_agree_with_the_library():
    """experiments/themes/loso.py scores the same LOSO predictions as the library, and its pruned
    variants come from the same fits (pruning after fitting)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "experiments" / "themes"))
    import loso

    gold = gold_frame()
    Y = label_matrix(gold, THEMES)
    src = np.array([source_group(s) for s in gold["source"]])
    splits = [(np.flatnonzero(src != n), np.flatnonzero(src == n)) for n in sorted(set(src))]
    out = loso.fit_predict(model(), gold, Y, splits, (0.05, 0.5))
    assert sorted(out) == ["", "pruned 0.05", "pruned 0.5"]
    _, proba, pred = leave_one_source_out(model(), gold, THEMES)
    assert np.allclose(out[""][0], proba) and (out[""][1] == pred).all()
    assert not np.allclose(out["pruned 0.5"][0], proba)  # a heavy cut moves the probabilities
    r = loso.evaluate(model(), gold, THEMES, 2, old=gold["doc_id"].str.endswith("0").to_numpy(), prune=0.05)
    assert {"pooled", "national", "earlier labels", "new labels"} <= set(r["loso"])
    assert "pooled" in r["pruned"]["cv"]
    md = loso.markdown({"tag": {"themes-fast": {**r, "labels": "x", "data_hash": "h", "params": {}}}}, THEMES)
    assert "national: **LOSO**" in md and "pruned, pooled: CV" in md

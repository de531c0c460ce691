"""The issue-15 experiment scripts: variant names, the natural-sample split, the paired bootstrap."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "experiments" / "themes"))
from compare import macro_f1, paired  # noqa: E402
from loso import natural_sample  # noqa: E402
from plateau import Distilled, SharedFitsEnsemble, build  # noqa: E402

THEMES = ("investment", "innovation", "environment", "livelihood", "party")


def test_variant_names_build_the_recipes_they_name():
    m, inner, params = build("e5", THEMES)
    assert isinstance(m, SharedFitsEnsemble) and m.head == "mean" and len(m.estimators) == 1
    assert m.estimators[0].use_embeddings and inner == "document" and params["recipe"] == "themes"
    m, inner, _ = build("lr(e5,fast)/src", THEMES)
    assert m.head == "lr" and [e.use_embeddings for e in m.estimators] == [True, False] and inner == "source"
    m, _, params = build("e5@embedding_weight=4,max_features=5000", THEMES)
    assert m.estimators[0].embedding_weight == 4 and m.estimators[0].max_features == 5000
    m, _, params = build("distil(e5>fast)", THEMES)
    assert isinstance(m, Distilled) and m.teacher.use_embeddings and not m.student.use_embeddings


def test_natural_sample_reads_how_each_sentence_was_drawn(tmp_path):
    """The annotation files' ``sample`` reaches the gold table, and natural_sample reads it there."""
    from zonelens.labels.annotations import Annotation, Ref, read_annotations, write_annotations
    from zonelens.taxonomy import load_taxonomy
    from zonelens.themes.training import consensus

    kinds = ["random", "uncertain:party", "whole-document", "keywords", "seed", None]
    anns = [Annotation(Ref("corpora/x.txt", f"d{k // 2}", k, f"{k:012x}"), (), None, "a1", 9, s)
            for k, s in enumerate(kinds)]
    f = tmp_path / "round9-a1.jsonl"
    write_annotations(f, anns)
    back = read_annotations(f, load_taxonomy())
    assert [a.sample for a in back] == kinds and "sample" not in json.loads(f.read_text().splitlines()[-1])
    resolved = pd.DataFrame([{"doc_id": a.ref.doc_id, "idx": a.ref.idx, "text": "x", "source": a.ref.source,
                              "themes": [], "primary": None, "annotator": a.annotator, "sample": a.sample}
                             for a in back])
    gold = consensus(resolved)
    assert [x if isinstance(x, str) else None for x in gold["sample"]] == kinds
    assert natural_sample(gold).tolist() == [True, False, True, False, True, False]


def test_paired_bootstrap_is_zero_for_the_same_model_and_brackets_a_real_difference():
    rng = np.random.default_rng(0)
    Y = (rng.random((600, 5)) < 0.2).astype(int)
    docs = np.repeat(np.arange(30), 20)
    A = np.where(rng.random(Y.shape) < 0.8, Y, 1 - Y)
    a, b, d, lo, hi = paired(Y, A, A, docs, n_boot=200)
    assert a == b and d == lo == hi == 0
    B = np.where(rng.random(Y.shape) < 0.95, Y, 1 - Y)  # a clearly better model
    a, b, d, lo, hi = paired(Y, A, B, docs, n_boot=500)
    assert np.isclose(b - a, d) and d > 0 and lo < d < hi and lo > 0
    assert np.isclose(a, macro_f1(Y, A))

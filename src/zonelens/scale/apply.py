"""Distributed theme apply: the driver streams unclassified sentences in batches of whole documents,
workers classify them (and embed, for a model with embeddings), the driver stores the rows.

Resumable like :func:`zonelens.themes.run.apply_model`: only documents with sentences not yet
classified by this model_id are sent, and rows are the ones the single-process run stores. Each
worker loads the verified model once (a per-process cache keyed by model directory and sha256).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import duckdb
import numpy as np
import pandas as pd

from .. import store
from ..embed import DIM, E5Embedder
from ..errors import ModelError, ZonelensError
from ..taxonomy import load_taxonomy
from ..themes.artifact import load_model, resolve_model_dir
from ..themes.run import PRED_SCHEMA, model_id_of, prediction_frame, store_predictions
from .cluster import dask_client, default_window, ordered_results

EMB_SCHEMA = """CREATE TABLE IF NOT EXISTS embeddings (doc_id VARCHAR, idx INTEGER, model VARCHAR,
                vec FLOAT[384], PRIMARY KEY (doc_id, idx, model))"""

_MODELS: dict = {}  # worker-side cache: (model_dir, sha256) -> model


def worker_model(model_dir: str, sha: str):
    """The verified model, loaded once per worker process."""
    key = (model_dir, sha)
    if key not in _MODELS:
        model, meta = load_model(model_dir, load_taxonomy())
        if meta["artifact"]["sha256"] != sha:
            raise ModelError(f"{model_dir}: the model on this worker differs from the driver's (sha256)")
        _MODELS.clear()
        _MODELS[key] = model
    return _MODELS[key]


def fill_embeddings(part: pd.DataFrame, emb: E5Embedder) -> tuple[np.ndarray, pd.DataFrame | None]:
    """Vectors for ``part``: its ``embedding`` column where the driver had them cached, computed
    (on the worker) where not; returns them and the newly computed rows for the cache, or None."""
    have = part["embedding"].notna().to_numpy() if "embedding" in part else np.zeros(len(part), bool)
    vecs = np.zeros((len(part), DIM), dtype=np.float32)
    if have.any():
        vecs[have] = np.vstack(part["embedding"][have].to_numpy())
    missing = np.flatnonzero(~have)
    if not len(missing):
        return vecs, None
    vecs[missing] = emb.passage([part["text"].iloc[i] for i in missing])
    new = pd.DataFrame({"doc_id": part["doc_id"].to_numpy()[missing], "idx": part["idx"].to_numpy()[missing],
                        "model": emb.model_id, "vec": list(vecs[missing])})
    return vecs, new


def store_embeddings(con, vecs: pd.DataFrame | None) -> None:
    """Cache embeddings computed on workers in table ``embeddings``."""
    if vecs is None or not len(vecs):
        return
    con.execute(EMB_SCHEMA)
    con.register("new_vecs", vecs)
    try:
        con.execute("INSERT OR REPLACE INTO embeddings SELECT doc_id, idx, model, vec::FLOAT[384] FROM new_vecs")
    finally:
        con.unregister("new_vecs")


def classify_part(model_dir: str, sha: str, model_id: str, part: pd.DataFrame):
    """Worker task: (prediction rows, newly computed embeddings or None) for sentence rows."""
    model = worker_model(model_dir, sha)
    new = None
    if model.use_embeddings:
        vecs, new = fill_embeddings(part, model.embedder or E5Embedder())
        part = part.assign(embedding=list(vecs))
    return prediction_frame(model, model_id, part), new


def batches(counts: list[tuple[str, int]], batch: int) -> Iterator[list[str]]:
    ids, n = [], 0
    for doc_id, k in counts:
        ids.append(doc_id)
        n += k
        if n >= batch:
            yield ids
            ids, n = [], 0
    if ids:
        yield ids


TODO = """SELECT s.doc_id{cols} FROM sentences s {join}
    WHERE NOT EXISTS (SELECT 1 FROM theme_predictions p WHERE p.doc_id = s.doc_id AND p.idx = s.idx
                      AND p.model_id = ?)"""


class _Target:
    """Where sentences come from and predictions go: the DuckDB file, or a Parquet folder."""

    def __init__(self, db, parquet, use_embeddings: bool, rows_per_part: int):
        self.parquet = Path(parquet) if parquet is not None else None
        self.rows_per_part = rows_per_part
        if self.parquet is None:
            self.con = store.connect(db)
            self.con.execute(PRED_SCHEMA)
            if use_embeddings:
                self.con.execute(EMB_SCHEMA)
            return
        from .parquet import attach_views

        self.con = duckdb.connect()
        made = attach_views(self.con, self.parquet)
        if "sentences" not in made:
            raise ZonelensError(f"{self.parquet}: no sentences parts (ingest with --parquet first)")
        if "theme_predictions" not in made:
            self.con.execute(PRED_SCHEMA)
        if "embeddings" not in made:
            self.con.execute(EMB_SCHEMA)
        self.preds: list[pd.DataFrame] = []
        self.vecs: list[pd.DataFrame] = []
        self.buffered = 0

    def counts(self, model_id: str) -> list[tuple[str, int]]:
        q = TODO.format(cols=", count(*)", join="") + " GROUP BY 1 ORDER BY 1"
        return self.con.execute(q, [model_id]).fetchall()

    def rows(self, ids: list[str], model_id: str, emb_model: str | None) -> pd.DataFrame:
        self.con.register("batch_ids", pd.DataFrame({"doc_id": ids}))
        try:
            cols = ", s.idx, s.text, s.heading_path" + (", e.vec AS embedding" if emb_model else "")
            join = "JOIN batch_ids b ON b.doc_id = s.doc_id"
            params = [model_id]
            if emb_model:
                join += " LEFT JOIN embeddings e ON e.doc_id = s.doc_id AND e.idx = s.idx AND e.model = ?"
                params = [emb_model, model_id]
            return self.con.execute(TODO.format(cols=cols, join=join) + " ORDER BY s.doc_id, s.idx",
                                    params).df()
        finally:
            self.con.unregister("batch_ids")

    def write(self, preds: pd.DataFrame, vecs: pd.DataFrame | None) -> None:
        if self.parquet is not None:  # kept as compact Arrow tables until a part is full
            from .parquet import arrow_table

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
        store_embeddings(self.con, vecs)
        store_predictions(self.con, preds)

    def flush(self) -> None:
        if self.parquet is None or not self.preds:
            return
        import pyarrow as pa

        from .parquet import next_part, write_part

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


def apply_distributed(db=store.DEFAULT_DB, model_name=None, *, dask: str = "local:2", parquet=None,
                      batch: int = 2048, window: int | None = None, rows_per_part: int = 100_000,
                      progress: Callable[[int, int], None] | None = None) -> dict:
    """``apply_model`` on a Dask cluster: same rows in theme_predictions (and embeddings)."""
    model, meta = load_model(model_name, load_taxonomy())
    model_id = model_id_of(meta)
    model_dir = str(resolve_model_dir(model_name).resolve())
    sha = meta["artifact"]["sha256"]
    emb_model = (model.embedder or E5Embedder()).model_id if model.use_embeddings else None
    del model  # the driver only needs the ids; workers load their own copy
    target = _Target(db, parquet, emb_model is not None, rows_per_part)
    done = 0
    try:
        counts = target.counts(model_id)
        total = int(sum(k for _, k in counts))
        jobs = ((len(ids), (model_dir, sha, model_id, target.rows(ids, model_id, emb_model)))
                for ids in batches(counts, batch))
        with dask_client(dask) as client:
            for _, result, error in ordered_results(client, classify_part, jobs,
                                                    window or default_window(client, 2)):
                if error is not None:
                    raise ZonelensError(f"workers kept dying while classifying ({error}); "
                                        "rows stored so far are kept, run again to resume")
                preds, vecs = result
                target.write(preds, vecs)
                done += len(preds)
                if progress:
                    progress(len(preds), total)
    finally:
        target.close()
    return {"model_id": model_id, "classified": done}

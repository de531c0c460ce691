"""Model input: the one place that turns sentence rows into what a theme model reads.

A theme model reads a sentence's text and, depending on its parameters, its ``embedding``, the
context vector ``context_embedding`` (the mean of its neighbours' embeddings) and the context text
(its neighbours' ``prev_text`` and ``next_text``). Where the vectors come from is a *vector
source* (:class:`zonelens.embed.CachedVectors` on a corpus DB, :class:`zonelens.embed.StagedVectors`
on a Dask worker or for texts given on their own); how they become columns is written once here.

A new computed input column is added in :func:`model_input` only: `apply`, `apply --dask`,
`classify`, `train` and `evaluate` all build their input through it. A column read as it is from
table ``sentences`` needs no edit in `apply` (it selects ``*``); the Dask batch names its columns
(``_Target.todo`` in :mod:`zonelens.themes.distributed`).
"""

from __future__ import annotations

from ..embed import CachedVectors, E5Embedder, StagedVectors
from .text import join_context

NEIGHBOUR_COLUMNS = ["prev_idx", "next_idx", "prev_text", "next_text"]
CONTEXT_COLUMNS = ["context_embedding", "prev_text", "next_text", "prev_idx", "next_idx"]


def uses_context(model) -> bool:
    """Whether ``model`` (an estimator or its compiled form) reads a sentence's neighbours."""
    return bool(model.context_weight or model.context_text_weight)


def embedder_of(model):
    """The embedder a model with embeddings reads (e5 unless it names another)."""
    return model.embedder or E5Embedder()


def needs(*models) -> tuple[bool, bool, bool]:
    """(embeddings, neighbours, context vector): what any of ``models`` reads besides the text."""
    emb = any(m.use_embeddings for m in models)
    ctx = any(m.context_weight for m in models)
    return emb, ctx or any(uses_context(m) for m in models), ctx


def model_input(rows, vectors, embeddings: bool = True, context: bool = False, progress=None):
    """``rows`` (doc_id, idx, text[, prev_idx, next_idx, prev_text, next_text]) with their
    ``embedding`` and, with ``context``, their ``context_embedding``, from the vector source
    ``vectors``."""
    if embeddings or context:
        keys = [(d, int(i)) for d, i in zip(rows["doc_id"], rows["idx"])]
        rows = rows.assign(embedding=list(vectors.get(keys, list(rows["text"]), progress)))
    return context_input(rows, vectors) if context else rows


def context_input(rows, vectors):
    """``rows`` (with the neighbour columns) with a ``context_embedding`` column: the mean of the
    neighbours' vectors from ``vectors`` (zeros for a row with no neighbour)."""
    from .context import context_matrix, neighbour_requests

    keys, texts = neighbour_requests(rows)
    return rows.assign(context_embedding=list(context_matrix(rows, dict(zip(keys, vectors.get(keys, texts))))))


def attach_context(con, rows, embedder):
    """``rows`` (doc_id, idx) with a ``context_embedding`` column, the neighbours' vectors taken from
    (or computed into) the embeddings cache on ``con``; the neighbour columns are looked up unless
    ``rows`` carries them."""
    return context_input(with_neighbours(con, rows), CachedVectors(con, embedder))


def with_neighbours(con, rows):
    """``rows`` with the neighbour columns, looked up in the corpus DB on ``con`` unless present."""
    if "prev_idx" in rows:
        return rows
    from .context import neighbours_of

    nb = neighbours_of(con, rows)
    return rows.assign(**{c: nb[c].to_numpy() for c in nb})


def corpus_input(con, rows, *models, progress=None):
    """Corpus sentence rows with every feature ``models`` read, from the corpus DB on ``con``
    (embeddings from its cache, computed into it where missing)."""
    emb, nb, ctx = needs(*models)
    if not (emb or nb):
        return rows
    return _from_corpus(con, rows, emb, nb, ctx, _embedder_among(models), progress)


def _embedder_among(models):
    return next((m.embedder for m in models if m.use_embeddings and m.embedder is not None), None)


def _from_corpus(con, rows, embeddings, neighbours, context, embedder, progress):
    if neighbours or context:
        rows = with_neighbours(con, rows)
    return model_input(rows, CachedVectors(con, embedder or E5Embedder()), embeddings, context, progress)


def attach_features(rows, db, embeddings: bool = True, neighbours: bool = False, context: bool = False,
                    embedder=None, progress=None):
    """Sentence rows (doc_id, idx, text) with what a model reads besides the text, from the corpus
    DB: their ``embedding`` (cached in the DB), with ``neighbours`` the neighbouring sentences
    (prev_idx, prev_text, next_idx, next_text), with ``context`` the neighbours' mean embedding."""
    from .. import store

    con = store.connect(db)
    try:
        return _from_corpus(con, rows, embeddings, neighbours, context, embedder, progress)
    finally:
        con.close()


def features_for(rows, db, *models):
    """``rows`` with the features every one of ``models`` reads (nothing to add for text-only models)."""
    emb, nb, ctx = needs(*models)
    return attach_features(rows, db, emb, nb, ctx, embedder=_embedder_among(models)) if (emb or nb) else rows


def staged_input(model, part):
    """A staged batch (whole documents, with cached embeddings where the driver had them, and the
    neighbour columns for a context model) as ``model`` reads it, on a worker; returns it and the
    newly computed embeddings for the driver's cache, or None."""
    if not model.use_embeddings:
        return part, None
    vectors = StagedVectors(embedder_of(model), part)
    return model_input(part, vectors, True, bool(model.context_weight)), vectors.new_rows()


def text_input(model, texts: list[str], prev: list | None = None, nxt: list | None = None):
    """The arguments of ``model.predict_proba`` for texts on their own; with ``prev``/``nxt`` (each
    text's neighbouring texts, None where it has none) for a context model, its context."""
    from .compiled import CompiledThemes

    if prev is None or not uses_context(model):
        return (texts,)
    if isinstance(model, CompiledThemes):  # the context text only, no pandas
        return texts, [join_context(p, q) for p, q in zip(prev, nxt)]
    import pandas as pd

    frame = pd.DataFrame({"text": texts, "prev_text": prev, "next_text": nxt})
    if not model.use_embeddings:
        return (frame,)
    distinct = list(dict.fromkeys([*texts, *(t for t in prev + nxt if t is not None)]))
    vecs = embedder_of(model).passage(distinct)
    pos = {t: k for k, t in enumerate(distinct)}  # each distinct text embedded once, keyed by position
    frame = frame.assign(doc_id="", idx=[pos[t] for t in texts],
                         prev_idx=[None if p is None else pos[p] for p in prev],
                         next_idx=[None if q is None else pos[q] for q in nxt])
    vectors = StagedVectors(None, known={("", k): v for k, v in enumerate(vecs)})
    frame = model_input(frame, vectors, True, bool(model.context_weight))
    return (frame.drop(columns=["doc_id", "idx", *NEIGHBOUR_COLUMNS[:2]]),)

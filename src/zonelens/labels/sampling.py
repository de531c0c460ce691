"""Choosing sentences to label: random, stratified by document, keyword-enriched, uncertain.

Every sampler takes a DataFrame of sentences (``doc_id``, ``idx``, ``text``; optionally
``is_heading`` and ``source``) and returns one with ``doc_id, idx, text, reason, source``.
Results are deterministic given the seed: the pool is first put in ``(doc_id, idx)`` order.
``exclude`` drops sentences already labelled (annotations, refs or ``(doc_id, idx)`` pairs;
an annotation also excludes its sentence if segmentation moved it, via the text hash).
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping, Sequence

import duckdb
import numpy as np
import pandas as pd

from ..errors import UsageError, ZonelensError
from ..hashing import text_hash
from .annotations import Annotation, Ref

OUT_COLUMNS = ["doc_id", "idx", "text", "reason", "source"]
STRATEGIES = ("random", "stratified", "keywords", "uncertain")


def load_sentences(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """All sentences with their document's path as ``source``."""
    return con.execute(
        "SELECT s.doc_id, s.idx, s.text, s.is_heading, d.path AS source "
        "FROM sentences s JOIN documents d USING (doc_id) ORDER BY s.doc_id, s.idx"
    ).df()


def _pool(df: pd.DataFrame, exclude_headings: bool, exclude: Iterable[Any] | None) -> pd.DataFrame:
    missing = {"doc_id", "idx", "text"} - set(df.columns)
    if missing:
        raise ZonelensError(f"sentence table lacks column(s): {', '.join(sorted(missing))}")
    pool = df.sort_values(["doc_id", "idx"], kind="stable").reset_index(drop=True)
    if "source" not in pool.columns:
        pool = pool.assign(source="")
    if exclude_headings and "is_heading" in pool.columns:
        pool = pool[~pool["is_heading"].astype(bool)]
    if exclude is not None:
        keys: set[tuple[str, int]] = set()
        shas: set[tuple[str, str]] = set()
        for e in exclude:
            ref = e.ref if isinstance(e, Annotation) else e
            if isinstance(ref, Ref):
                keys.add(ref.key)
                shas.add((ref.doc_id, ref.sha))
            else:
                doc_id, idx = e
                keys.add((str(doc_id), int(idx)))
        if keys:
            k = pd.Series(list(zip(pool["doc_id"], pool["idx"])), index=pool.index)
            drop = k.isin(keys)
            if shas:
                h = pd.Series([(d, text_hash(t)) for d, t in zip(pool["doc_id"], pool["text"])],
                              index=pool.index)
                drop |= h.isin(shas)
            pool = pool[~drop]
    return pool.reset_index(drop=True)


def _out(pool: pd.DataFrame, positions: Sequence[int], reasons: Sequence[str]) -> pd.DataFrame:
    out = pool.iloc[list(positions)][["doc_id", "idx", "text", "source"]].copy()
    out["reason"] = list(reasons)
    return out[OUT_COLUMNS].reset_index(drop=True)


def _check_n(n: int) -> None:
    if n < 0:
        raise UsageError("n must be non-negative")


def sample_random(df: pd.DataFrame, n: int, seed: int = 0, *, exclude_headings: bool = False,
                  exclude: Iterable[Any] | None = None) -> pd.DataFrame:
    """``n`` sentences uniformly at random (fewer if the pool is smaller)."""
    _check_n(n)
    pool = _pool(df, exclude_headings, exclude)
    order = np.random.default_rng(seed).permutation(len(pool))[:n]
    return _out(pool, order, ["random"] * len(order))


def sample_stratified(df: pd.DataFrame, n: int, seed: int = 0, per_doc_max: int | None = None, *,
                      exclude_headings: bool = False,
                      exclude: Iterable[Any] | None = None) -> pd.DataFrame:
    """``n`` sentences spread evenly over documents (round-robin over shuffled documents)."""
    _check_n(n)
    pool = _pool(df, exclude_headings, exclude)
    rng = np.random.default_rng(seed)
    docs = pool["doc_id"].unique()
    doc_rank = dict(zip(docs, rng.permutation(len(docs))))
    within = np.empty(len(pool), dtype=np.int64)
    for _, positions in pool.groupby("doc_id", sort=True).indices.items():
        within[positions] = rng.permutation(len(positions))
    keys = pd.DataFrame({"within": within, "doc": pool["doc_id"].map(doc_rank).to_numpy()})
    if per_doc_max is not None:
        keys = keys[keys["within"] < per_doc_max]
    chosen = keys.sort_values(["within", "doc"], kind="stable").index[:n]
    return _out(pool, chosen, ["stratified"] * len(chosen))


def _keyword_regex(words: Iterable[str]) -> re.Pattern[str]:
    ordered = sorted(sorted(set(words)), key=len, reverse=True)  # longest first, then A-Z
    return re.compile("|".join(re.escape(w) for w in ordered))


def sample_keywords(df: pd.DataFrame, n: int, lexicon: Mapping[str, Sequence[str]],
                    themes: Sequence[str] | None = None, seed: int = 0, *,
                    exclude_headings: bool = False,
                    exclude: Iterable[Any] | None = None) -> pd.DataFrame:
    """Sentences containing keywords of the named (typically rare) themes.

    Themes take turns, so each gets about ``n / len(themes)`` sentences where it has enough
    matches. The reason names the theme and the first keyword found.
    """
    _check_n(n)
    themes = list(themes) if themes else list(lexicon)
    unknown = [t for t in themes if not lexicon.get(t)]
    if unknown:
        raise UsageError(f"no keywords for theme(s): {', '.join(unknown)}")
    pool = _pool(df, exclude_headings, exclude)
    rng = np.random.default_rng(seed)
    queues: list[tuple[str, re.Pattern[str], list[int]]] = []
    for t in themes:
        rx = _keyword_regex(lexicon[t])
        hits = np.flatnonzero(pool["text"].str.contains(rx, regex=True).to_numpy())
        queues.append((t, rx, [int(i) for i in rng.permutation(hits)]))
    chosen: list[int] = []
    reasons: list[str] = []
    taken: set[int] = set()
    cursor = [0] * len(queues)
    while len(chosen) < n:
        progressed = False
        for qi, (t, rx, hits) in enumerate(queues):
            if len(chosen) >= n:
                break
            while cursor[qi] < len(hits) and hits[cursor[qi]] in taken:
                cursor[qi] += 1
            if cursor[qi] < len(hits):
                pos = hits[cursor[qi]]
                cursor[qi] += 1
                taken.add(pos)
                chosen.append(pos)
                m = rx.search(pool["text"].iat[pos])
                reasons.append(f"keyword:{t}:{m.group(0) if m else ''}")
                progressed = True
        if not progressed:
            break
    return _out(pool, chosen, reasons)


def uncertainty(probs: np.ndarray, strategy: str = "margin") -> np.ndarray:
    """Per-row uncertainty score where larger means less certain.

    ``margin``: minus the smallest ``|p - 0.5|`` over themes; ``entropy``: the sum over themes
    of the binary entropy (bits) of each independent probability.
    """
    p = np.clip(np.asarray(probs, dtype=float), 0.0, 1.0)
    if strategy == "margin":
        return -np.abs(p - 0.5).min(axis=1)
    if strategy == "entropy":
        q = np.clip(p, 1e-12, 1 - 1e-12)
        return (-(q * np.log2(q) + (1 - q) * np.log2(1 - q))).sum(axis=1)
    raise UsageError(f"unknown uncertainty strategy {strategy!r} (use margin or entropy)")


def sample_uncertain(df: pd.DataFrame, n: int, model: Any, strategy: str = "margin", *,
                     exclude_headings: bool = False, exclude: Iterable[Any] | None = None,
                     batch_size: int = 4096) -> pd.DataFrame:
    """The ``n`` sentences the model is least sure about.

    ``model.predict_proba(texts)`` must return an array ``(len(texts), k)`` of independent
    per-theme probabilities; a model with ``predict_rows(rows)`` is given the sentence rows
    (doc_id, idx, text) instead, so it can read what it was trained on besides the text (cached
    embeddings, neighbouring sentences). Ties keep ``(doc_id, idx)`` order.
    """
    _check_n(n)
    uncertainty(np.zeros((1, 1)), strategy)  # validate the strategy before predicting
    pool = _pool(df, exclude_headings, exclude)
    texts = pool["text"].tolist()
    parts = []
    for start in range(0, len(texts), batch_size):
        batch = texts[start:start + batch_size]
        if hasattr(model, "predict_rows"):
            probs = np.asarray(model.predict_rows(pool.iloc[start:start + batch_size]), dtype=float)
        else:
            probs = np.asarray(model.predict_proba(batch), dtype=float)
        if probs.ndim != 2 or probs.shape[0] != len(batch):
            raise ZonelensError(f"model.predict_proba returned shape {probs.shape}, "
                                f"expected ({len(batch)}, k)")
        parts.append(probs)
    if not parts:
        return _out(pool, [], [])
    scores = uncertainty(np.vstack(parts), strategy)
    order = np.argsort(-scores, kind="stable")[:n]
    shown = -scores if strategy == "margin" else scores
    return _out(pool, order, [f"{strategy}={shown[i]:.4f}" for i in order])


def draw(strategy: str, df: pd.DataFrame, n: int, seed: int = 0, *,
         lexicon: Mapping[str, Sequence[str]] | None = None, themes: Sequence[str] | None = None,
         model: Any = None, uncertainty_strategy: str = "margin", per_doc_max: int | None = None,
         exclude_headings: bool = False, exclude: Iterable[Any] | None = None) -> pd.DataFrame:
    """Dispatch to one sampler by name (what the CLI calls)."""
    common: dict[str, Any] = {"exclude_headings": exclude_headings, "exclude": exclude}
    if strategy == "random":
        return sample_random(df, n, seed, **common)
    if strategy == "stratified":
        return sample_stratified(df, n, seed, per_doc_max, **common)
    if strategy == "keywords":
        if lexicon is None:
            raise UsageError("keyword sampling needs a lexicon")
        return sample_keywords(df, n, lexicon, themes, seed, **common)
    if strategy == "uncertain":
        if model is None:
            raise UsageError("uncertainty sampling needs a trained model: see `zonelens train`")
        return sample_uncertain(df, n, model, uncertainty_strategy, **common)
    raise UsageError(f"unknown sampling strategy {strategy!r} (use {', '.join(STRATEGIES)})")

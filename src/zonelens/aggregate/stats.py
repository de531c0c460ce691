"""Pure statistics behind the aggregates: shares per group, prevalence correction, bootstrap CIs.

Everything here takes numpy arrays / DataFrames and returns new ones; no I/O.

- *count share*: the fraction of a group's sentences that carry a label (classify and count).
- *character share*: the same, weighted by sentence length.
- *probability share*: the mean calibrated probability (probability averaging).
- *share* (themes): the prevalence-corrected estimate, ``share_count`` the plain count share;
  prevalence-corrected with the model's cross-validated error rates
  (adjusted classify-and-count, ``acc``: ``(q - fpr) / (tpr - fpr)`` clipped to [0, 1]) or the
  probability share (``pcc``); which one is the default is decided by experiments/aggregate.
- the 95% interval is a percentile bootstrap that resamples sentences *within* each document
  (documents keep their sizes), so a group of one long report still gets an interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

METHODS = ("acc", "pcc")
MIN_SENTENCES_FOR_CI = 2
_CHUNK_CELLS = 4_000_000  # bootstrap draws are made in chunks of at most this many sentence picks


@dataclass(frozen=True)
class Rates:
    """Cross-validated true- and false-positive rate of one theme's decisions."""

    tpr: float
    fpr: float


def rates_from_cv(cv: dict) -> dict[str, Rates]:
    """Per-theme (tpr, fpr) from a model's ``meta["cv"]``.

    Uses ``tpr``/``fpr`` keys when present; otherwise tpr = recall and
    fpr = (TP / precision − TP) / (n − support) with TP = recall · support.
    """
    n = float(cv.get("n_sentences", 0))
    out = {}
    for theme, m in cv.get("per_theme", {}).items():
        if "tpr" in m and "fpr" in m:
            out[theme] = Rates(float(m["tpr"]), float(m["fpr"]))
            continue
        support, recall, precision = float(m["support"]), float(m["recall"]), float(m["precision"])
        tp = recall * support
        fp = tp / precision - tp if precision > 0 else 0.0
        neg = n - support
        out[theme] = Rates(recall, fp / neg if neg > 0 else 0.0)
    return out


def adjust(q: np.ndarray, rates: Rates | None) -> np.ndarray:
    """Adjusted classify-and-count: invert q = tpr·π + fpr·(1 − π); clipped to [0, 1]."""
    q = np.asarray(q, dtype=float)
    if rates is None or rates.tpr - rates.fpr <= 1e-6:
        return np.full_like(q, np.nan)
    return np.clip((q - rates.fpr) / (rates.tpr - rates.fpr), 0.0, 1.0)


def bootstrap_index(doc_codes: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """(n_boot, n) row indices: each replicate redraws every document's sentences from that document."""
    order = np.argsort(doc_codes, kind="stable")
    codes = doc_codes[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    sizes = np.diff(np.r_[starts, len(codes)])
    # position i belongs to the document starting at start[d] with size[d]: draw start + U[0, size)
    start_of = np.repeat(starts, sizes)
    size_of = np.repeat(sizes, sizes)
    draws = (rng.random((n_boot, len(codes))) * size_of).astype(np.int64) + start_of
    return order[draws]


def bootstrap_means(values: np.ndarray, doc_codes: np.ndarray, n_boot: int, rng: np.random.Generator,
                    weights: np.ndarray | None = None) -> np.ndarray:
    """(n_boot, k) replicate means (weighted when ``weights``) of ``values`` (n, k)."""
    n = len(values)
    out = np.empty((n_boot, values.shape[1]))
    step = max(1, _CHUNK_CELLS // max(1, n * values.shape[1]))
    for b in range(0, n_boot, step):
        idx = bootstrap_index(doc_codes, min(step, n_boot - b), rng)
        if weights is None:
            out[b:b + len(idx)] = values[idx].mean(axis=1)
        else:
            w = weights[idx]
            out[b:b + len(idx)] = (values[idx] * w[..., None]).sum(axis=1) / np.maximum(w.sum(axis=1), 1e-12)[:, None]
    return out


def summarise(frame: pd.DataFrame, labels: list[str], on: np.ndarray, by: list[str], label_col: str = "theme",
              proba: np.ndarray | None = None, rates: dict[str, Rates] | None = None, method: str = "pcc",
              n_boot: int = 1000, seed: int = 0) -> tuple[pd.DataFrame, list[str]]:
    """Long table of shares per group × label, and warnings.

    ``frame`` has one row per sentence with the ``by`` columns, ``doc_id`` and ``n_chars``;
    ``on`` (n, k) is 0/1 per label; ``proba`` (n, k) probabilities (themes only).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    rng = np.random.default_rng(seed)
    on = np.asarray(on, dtype=float)
    chars = frame["n_chars"].to_numpy(dtype=float)
    docs = pd.factorize(frame["doc_id"])[0]
    rows, warnings = [], []
    for key, pos in frame.groupby(by, dropna=False, sort=True).indices.items():
        key = key if isinstance(key, tuple) else (key,)
        n = len(pos)
        o = on[pos]
        q = o.mean(axis=0)
        qc = (o * chars[pos, None]).sum(axis=0) / max(chars[pos].sum(), 1e-12)
        qp = proba[pos].mean(axis=0) if proba is not None else np.full(len(labels), np.nan)
        adj = _adjusted(q, qp, labels, rates, method) if proba is not None else np.full(len(labels), np.nan)
        lo = hi = alo = ahi = np.full(len(labels), np.nan)
        if n >= MIN_SENTENCES_FOR_CI and n_boot > 0:
            vals = o if proba is None else np.hstack([o, proba[pos]])
            bs = bootstrap_means(vals, docs[pos], n_boot, rng)
            lo, hi = np.percentile(bs[:, :len(labels)], [2.5, 97.5], axis=0)
            if proba is not None:
                bs_adj = np.column_stack([
                    _adjusted(bs[:, j], bs[:, len(labels) + j], [t], rates, method, column=True)
                    for j, t in enumerate(labels)])
                alo, ahi = np.nanpercentile(bs_adj, [2.5, 97.5], axis=0) if not np.isnan(bs_adj).all() \
                    else (np.full(len(labels), np.nan),) * 2
        elif n < MIN_SENTENCES_FOR_CI:
            where = ", ".join(f"{c}={_show(v)}" for c, v in zip(by, key))
            warnings.append(f"{where}: only {n} sentence; share given without a confidence interval")
        base = dict(zip(by, key))
        base.update(n_documents=int(len(np.unique(docs[pos]))), total_sentences=n,
                    total_chars=int(chars[pos].sum()))
        for j, lab in enumerate(labels):
            row = {**base, label_col: lab, "n_sentences": int(o[:, j].sum())}
            if proba is None:  # topics: the count share is the share
                row.update(share=q[j], ci_low=lo[j], ci_high=hi[j], share_chars=qc[j])
            else:  # themes: the corrected estimate is the share; the plain ones are kept beside it
                row.update(share=adj[j], ci_low=alo[j], ci_high=ahi[j], share_count=q[j], count_ci_low=lo[j],
                           count_ci_high=hi[j], share_chars=qc[j], share_prob=qp[j])
            rows.append(row)
    return pd.DataFrame(rows), warnings


def _adjusted(q, qp, labels, rates, method, column: bool = False):
    if method == "pcc":
        return np.asarray(qp, dtype=float)
    if column:
        return adjust(q, (rates or {}).get(labels[0]))
    return np.array([adjust(np.array([q[j]]), (rates or {}).get(t))[0] for j, t in enumerate(labels)])


def _show(v) -> str:
    return "(none)" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)


def with_coverage(long: pd.DataFrame, grid: pd.DataFrame, by: list[str], labels: list[str],
                  label_col: str = "theme") -> pd.DataFrame:
    """Every combination in ``grid`` (one row per group) × label, missing groups with zero counts and
    NaN shares, and a ``covered`` column, so that missing zone-years are visible."""
    full = grid[by].drop_duplicates().merge(pd.DataFrame({label_col: labels}), how="cross")
    out = full.merge(long, on=by + [label_col], how="left") if len(long) else full.assign(
        n_documents=0, total_sentences=0, total_chars=0, n_sentences=0, share=np.nan)
    for c in ("n_documents", "total_sentences", "total_chars", "n_sentences"):
        out[c] = out[c].fillna(0).astype(int)
    out["covered"] = out["total_sentences"] > 0
    return out.sort_values(by + [label_col], key=_sort_key(labels, label_col), kind="stable").reset_index(drop=True)


def _sort_key(labels, label_col):
    rank = {lab: i for i, lab in enumerate(labels)}

    def key(s: pd.Series):
        return s.map(rank) if s.name == label_col else s
    return key


def to_wide(long: pd.DataFrame, by: list[str], label_col: str = "theme", value: str = "share") -> pd.DataFrame:
    """One row per group, one column per label holding ``value``; coverage columns first."""
    if value not in long.columns:
        raise KeyError(value)
    labels = list(dict.fromkeys(long[label_col]))
    first = long.drop_duplicates(by)[by + [c for c in ("n_documents", "total_sentences", "covered")
                                           if c in long.columns]]
    wide = first.reset_index(drop=True)
    for lab in labels:
        part = long.loc[long[label_col] == lab, by + [value]].rename(columns={value: lab})
        wide = wide.merge(part, on=by, how="left")
    return wide

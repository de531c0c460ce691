"""Inter-annotator agreement: per-theme Cohen's κ and Krippendorff's α, primary-label κ.

Each theme is scored as its own binary variable (present / absent), over the items both (or
several) annotators labelled. Items are matched by ``(doc_id, idx)``; where an annotator
labelled an item in several rounds, the latest round counts. Pure functions: no I/O.
"""

from __future__ import annotations

import math
from collections import Counter
from itertools import combinations
from typing import Any, Hashable, Iterable, Sequence

import pandas as pd

from .annotations import Annotation

OTHER = "other"


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def latest(annotations: Iterable[Annotation]) -> dict[tuple[str, int], Annotation]:
    """One annotation per item: the highest round wins (later in the list breaks ties)."""
    out: dict[tuple[str, int], Annotation] = {}
    for a in annotations:
        old = out.get(a.key)
        if old is None or a.round >= old.round:
            out[a.key] = a
    return out


def by_annotator(annotations: Iterable[Annotation]) -> dict[str, list[Annotation]]:
    out: dict[str, list[Annotation]] = {}
    for a in annotations:
        out.setdefault(a.annotator, []).append(a)
    return dict(sorted(out.items()))


def paired(a: Iterable[Annotation], b: Iterable[Annotation]) -> list[tuple[Annotation, Annotation]]:
    """Items labelled by both ``a`` and ``b``, in (doc_id, idx) order."""
    la, lb = latest(a), latest(b)
    return [(la[k], lb[k]) for k in sorted(la.keys() & lb.keys())]


def cohen_kappa(x: Sequence[Hashable], y: Sequence[Hashable]) -> float:
    """Cohen's κ for two raters' nominal labels; NaN when undefined (no items, p_e = 1)."""
    if len(x) != len(y):
        raise ValueError("both raters must label the same items")
    n = len(x)
    if n == 0:
        return float("nan")
    p_o = sum(1 for u, v in zip(x, y) if u == v) / n
    cx, cy = Counter(x), Counter(y)
    p_e = sum(cx[c] * cy[c] for c in cx.keys() | cy.keys()) / (n * n)
    if p_e >= 1.0:
        return float("nan")
    return (p_o - p_e) / (1.0 - p_e)


def krippendorff_alpha(reliability_data: Sequence[Sequence[Any]]) -> float:
    """Krippendorff's α for nominal data.

    ``reliability_data`` is coders × units; ``None`` or NaN marks a missing value. Units
    with fewer than two values are not pairable and are ignored. Returns NaN when α is
    undefined (no pairable values, or only one value in the data).
    """
    if not reliability_data:
        return float("nan")
    n_units = len(reliability_data[0])
    if any(len(row) != n_units for row in reliability_data):
        raise ValueError("every coder's row must cover the same units")
    coincidence: Counter[tuple[Hashable, Hashable]] = Counter()
    for u in range(n_units):
        counts = Counter(row[u] for row in reliability_data if not _missing(row[u]))
        m_u = sum(counts.values())
        if m_u < 2:
            continue
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * (n_c - 1) if c == k else n_c * n_k
                coincidence[(c, k)] += pairs / (m_u - 1)
    marginals: Counter[Hashable] = Counter()
    for (c, _), v in coincidence.items():
        marginals[c] += v
    n = sum(marginals.values())
    observed = sum(v for (c, k), v in coincidence.items() if c != k)
    expected = n * n - sum(v * v for v in marginals.values())  # sum over c != k of n_c n_k
    if n <= 1 or expected <= 0:
        return float("nan")
    return 1.0 - (n - 1) * observed / expected


def theme_kappa(a: Iterable[Annotation], b: Iterable[Annotation],
                themes: Sequence[str]) -> dict[str, float]:
    """Per-theme binary Cohen's κ over the items both annotators labelled."""
    pairs = paired(a, b)
    return {t: cohen_kappa([t in x.themes for x, _ in pairs], [t in y.themes for _, y in pairs])
            for t in themes}


def primary_kappa(a: Iterable[Annotation], b: Iterable[Annotation]) -> float:
    """Cohen's κ on the primary label, ``other`` standing for null."""
    pairs = paired(a, b)
    return cohen_kappa([x.primary or OTHER for x, _ in pairs], [y.primary or OTHER for _, y in pairs])


def _matrix(annotations: Iterable[Annotation]) -> tuple[list[str], list[tuple[str, int]],
                                                       dict[str, dict[tuple[str, int], Annotation]]]:
    groups = {name: latest(anns) for name, anns in by_annotator(annotations).items()}
    units = sorted({k for g in groups.values() for k in g})
    return list(groups), units, groups


def theme_alpha(annotations: Iterable[Annotation], themes: Sequence[str]) -> dict[str, float]:
    """Per-theme binary Krippendorff's α over all annotators (grouped by ``annotator``)."""
    coders, units, groups = _matrix(annotations)
    out: dict[str, float] = {}
    for t in themes:
        data = [[(t in groups[c][u].themes) if u in groups[c] else None for u in units]
                for c in coders]
        out[t] = krippendorff_alpha(data)
    return out


def primary_alpha(annotations: Iterable[Annotation]) -> float:
    """Krippendorff's α on the primary label (``other`` for null), all annotators."""
    coders, units, groups = _matrix(annotations)
    data = [[(groups[c][u].primary or OTHER) if u in groups[c] else None for u in units]
            for c in coders]
    return krippendorff_alpha(data)


def disagreements(a: Iterable[Annotation], b: Iterable[Annotation]) -> pd.DataFrame:
    """Items both labelled whose theme sets differ, with what each side had alone."""
    rows = []
    for x, y in paired(a, b):
        if set(x.themes) == set(y.themes):
            continue
        rows.append({
            "source": x.ref.source, "doc_id": x.ref.doc_id, "idx": x.ref.idx, "sha": x.ref.sha,
            "annotator_a": x.annotator, "annotator_b": y.annotator,
            "themes_a": list(x.themes), "themes_b": list(y.themes),
            "only_a": [t for t in x.themes if t not in y.themes],
            "only_b": [t for t in y.themes if t not in x.themes],
            "primary_a": x.primary, "primary_b": y.primary,
        })
    cols = ["source", "doc_id", "idx", "sha", "annotator_a", "annotator_b", "themes_a", "themes_b",
            "only_a", "only_b", "primary_a", "primary_b"]
    return pd.DataFrame(rows, columns=cols)


def agreement_table(annotations: Sequence[Annotation], themes: Sequence[str]) -> pd.DataFrame:
    """One row per theme plus ``primary``: items double-labelled, κ and α.

    With two annotators κ is Cohen's; with more, the mean over annotator pairs (Light's κ).
    ``positives`` counts the annotations (all annotators) that have the theme.
    """
    groups = by_annotator(annotations)
    names = list(groups)
    pairs = list(combinations(names, 2))
    _, units, latest_by = _matrix(annotations)
    n_double = sum(1 for u in units if sum(u in g for g in latest_by.values()) >= 2)
    alphas = theme_alpha(annotations, themes)
    rows = []
    for t in themes:
        ks = [theme_kappa(groups[p], groups[q], [t])[t] for p, q in pairs]
        rows.append({"theme": t, "items": n_double,
                     "positives": sum(t in a.themes for g in latest_by.values() for a in g.values()),
                     "kappa": _mean(ks), "alpha": alphas[t]})
    ks = [primary_kappa(groups[p], groups[q]) for p, q in pairs]
    rows.append({"theme": "primary", "items": n_double, "positives": None,
                 "kappa": _mean(ks), "alpha": primary_alpha(annotations)})
    return pd.DataFrame(rows, columns=["theme", "items", "positives", "kappa", "alpha"])


def _mean(values: list[float]) -> float:
    vals = [v for v in values if not math.isnan(v)]
    return sum(vals) / len(vals) if vals else float("nan")

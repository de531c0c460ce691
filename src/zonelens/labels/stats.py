"""Counts over annotation files: per theme, per corpus, per document, other share, overlap.

Counts are over annotations (one per line, so a double-labelled sentence counts twice);
``items`` counts distinct sentences ``(doc_id, idx)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Sequence

import pandas as pd

from ..taxonomy import OTHER_ID, Taxonomy
from .annotations import Annotation


def corpus_of(source: str) -> str:
    """The corpus a source belongs to: ``corpora/<name>`` or the first path component.

    ``corpora/city-2024/txt/x.txt`` -> ``corpora/city-2024``; ``seeds/a.txt`` -> ``seeds``;
    a ``#row`` suffix and anything before a ``corpora`` component are ignored.
    """
    src = source.split("#", 1)[0].replace("\\", "/")
    parts = [p for p in PurePosixPath(src).parts if p not in ("/", ".", "")]
    if "corpora" in parts:
        i = parts.index("corpora")
        return "/".join(parts[i:i + 2])
    if not parts:
        return "(none)"
    return parts[0] if len(parts) > 1 else "(top level)"


@dataclass(frozen=True)
class LabelStats:
    n_annotations: int
    n_items: int
    annotators: tuple[str, ...]
    double_labelled: int       # items labelled by two or more annotators
    other_share: float         # share of annotations with no theme
    per_theme: pd.DataFrame    # theme, name_zh, annotations, share (plus an `other` row)
    per_corpus: pd.DataFrame   # corpus, items, annotations, <theme ids>..., other, other_share
    per_document: pd.DataFrame  # corpus, source, doc_id, items, annotations, <theme ids>..., other


def _counts(group: Sequence[Annotation], ids: Sequence[str]) -> dict[str, int]:
    out = {t: sum(t in a.themes for a in group) for t in ids}
    out[OTHER_ID] = sum(not a.themes for a in group)
    return out


def _table(annotations: Sequence[Annotation], ids: Sequence[str], keys: list[str],
           key_of) -> pd.DataFrame:
    groups: dict[tuple, list[Annotation]] = {}
    for a in annotations:
        groups.setdefault(key_of(a), []).append(a)
    rows = []
    for k in sorted(groups):
        g = groups[k]
        rows.append({**dict(zip(keys, k)), "items": len({a.key for a in g}), "annotations": len(g),
                     **_counts(g, ids)})
    return pd.DataFrame(rows, columns=[*keys, "items", "annotations", *ids, OTHER_ID])


def _corpus_key(a: Annotation) -> tuple[str]:
    return (corpus_of(a.ref.source),)


def _doc_key(a: Annotation) -> tuple[str, str, str]:
    return (corpus_of(a.ref.source), a.ref.source, a.ref.doc_id)


def label_stats(annotations: Sequence[Annotation], taxonomy: Taxonomy) -> LabelStats:
    ids = list(taxonomy.ids)
    n = len(annotations)
    counts = _counts(annotations, ids)
    names = {t.id: t.name_zh for t in taxonomy.themes}
    names[OTHER_ID] = taxonomy.other.name_zh
    per_theme = pd.DataFrame(
        [{"theme": t, "name_zh": names[t], "annotations": counts[t],
          "share": counts[t] / n if n else float("nan")} for t in [*ids, OTHER_ID]],
        columns=["theme", "name_zh", "annotations", "share"],
    )
    per_corpus = _table(annotations, ids, ["corpus"], _corpus_key)
    per_corpus["other_share"] = (per_corpus[OTHER_ID] / per_corpus["annotations"]).astype(float)
    per_document = _table(annotations, ids, ["corpus", "source", "doc_id"], _doc_key)
    who: dict[tuple[str, int], set[str]] = {}
    for a in annotations:
        who.setdefault(a.key, set()).add(a.annotator)
    return LabelStats(
        n_annotations=n,
        n_items=len(who),
        annotators=tuple(sorted({a.annotator for a in annotations})),
        double_labelled=sum(1 for s in who.values() if len(s) >= 2),
        other_share=counts[OTHER_ID] / n if n else float("nan"),
        per_theme=per_theme,
        per_corpus=per_corpus,
        per_document=per_document,
    )

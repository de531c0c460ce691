"""Sentence context for the theme classifier: the e5 embeddings of a sentence's neighbours.

A report sentence is often elliptical ("成效显著。", "二是强化要素保障。"); the sentences before and
after it say what it is about. The context vector of a sentence is the mean of the embeddings of
the nearest body (non-heading) sentence before it and the nearest one after it in the same
document (zeros when it has neither, e.g. a sentence classified on its own by ``zonelens
classify``). The model is trained with some context dropped, so it also works without.

``NEIGHBOURS`` is the SQL that finds the neighbours in a corpus DB (or Parquet views); the rest is
pure NumPy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..embed import DIM

# For every sentence: the idx of the nearest body sentence before and after it in its document.
NEIGHBOURS = """SELECT doc_id, idx,
    max(CASE WHEN NOT is_heading THEN idx END) OVER (PARTITION BY doc_id ORDER BY idx
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_idx,
    min(CASE WHEN NOT is_heading THEN idx END) OVER (PARTITION BY doc_id ORDER BY idx
        ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_idx
    FROM sentences"""

# Sentence rows joined with their neighbours' idx and text (``{where}`` filters the sentences).
WITH_NEIGHBOURS = f"""SELECT s.*, nb.prev_idx, nb.next_idx, p.text AS prev_text, n.text AS next_text
    FROM sentences s JOIN ({NEIGHBOURS}) nb ON nb.doc_id = s.doc_id AND nb.idx = s.idx
    LEFT JOIN sentences p ON p.doc_id = s.doc_id AND p.idx = nb.prev_idx
    LEFT JOIN sentences n ON n.doc_id = s.doc_id AND n.idx = nb.next_idx"""


def neighbour_requests(part: pd.DataFrame) -> tuple[list[tuple[str, int]], list[str]]:
    """The distinct (doc_id, idx) keys and texts of the neighbours named in ``part``
    (columns doc_id, prev_idx, next_idx, prev_text, next_text)."""
    want: dict[tuple[str, int], str] = {}
    for side in ("prev", "next"):
        for doc, i, text in zip(part["doc_id"], part[f"{side}_idx"], part[f"{side}_text"]):
            if not pd.isna(i) and not pd.isna(text):
                want[(doc, int(i))] = str(text)
    return list(want), list(want.values())


def context_matrix(part: pd.DataFrame, lookup: dict[tuple[str, int], np.ndarray]) -> np.ndarray:
    """(n, DIM) mean of the available neighbour vectors per row; zeros where a row has none."""
    out = np.zeros((len(part), DIM), dtype=np.float32)
    count = np.zeros(len(part), dtype=np.float32)
    for side in ("prev", "next"):
        for r, (doc, i) in enumerate(zip(part["doc_id"], part[f"{side}_idx"])):
            if not pd.isna(i) and (doc, int(i)) in lookup:
                out[r] += lookup[(doc, int(i))]
                count[r] += 1
    return out / np.maximum(count, 1)[:, None]


def neighbours_of(con, keys: pd.DataFrame) -> pd.DataFrame:
    """``keys`` (doc_id, idx) with their neighbours' prev_idx, next_idx, prev_text, next_text,
    from the corpus DB on ``con`` (same row order)."""
    con.register("ctx_keys", keys[["doc_id", "idx"]].assign(_pos=np.arange(len(keys))))
    try:
        found = con.execute(f"""SELECT k._pos, w.prev_idx, w.next_idx, w.prev_text, w.next_text
            FROM ctx_keys k JOIN ({WITH_NEIGHBOURS}
                WHERE list_contains((SELECT list(DISTINCT doc_id) FROM ctx_keys), s.doc_id)) w
            ON w.doc_id = k.doc_id AND w.idx = k.idx ORDER BY k._pos""").df()
    finally:
        con.unregister("ctx_keys")
    out = pd.DataFrame({"prev_idx": [None] * len(keys), "next_idx": [None] * len(keys),
                        "prev_text": [None] * len(keys), "next_text": [None] * len(keys)}, dtype=object)
    for col in out:
        out.loc[found["_pos"].to_numpy(), col] = found[col].astype(object).to_numpy()
    return out

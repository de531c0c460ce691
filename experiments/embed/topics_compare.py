"""Topics with static vs e5 embeddings on the same held-out sentences (validation + test documents:
the static model's token vectors were fitted on train documents only), side by side in one run.

    nice -n 10 .venv/bin/python experiments/embed/topics_compare.py [--work /work/cache/static] [--seeds 42,7]

For each seed: a TopicModel (default parameters, and the fast preset for static) on the teacher's
e5 vectors and on static-zh vectors of the same sentences; n topics, outliers, diversity, NPMI
(zonelens.topics.quality, over the same tokenized sentences), fit time; seed stability per
embedder. Written to experiments/embed/topics_compare.json (figures only).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from split import body_sentences  # noqa: E402
from teacher import load_teacher  # noqa: E402

from zonelens.static_embed import StaticEmbedder  # noqa: E402
from zonelens.topics.model import TopicModel, topic_tokenizer  # noqa: E402
from zonelens.topics.params import FAST_PARAMS, merge_params  # noqa: E402
from zonelens.topics.quality import npmi, seed_stability, topic_diversity  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="/work/cache/static")
    ap.add_argument("--seeds", default="42,7")
    ap.add_argument("--static-dir", default=None, help="static-zh directory (default: the shipped one)")
    ap.add_argument("--out", type=Path, default=HERE / "topics_compare.json")
    args = ap.parse_args()
    import duckdb

    work = Path(args.work)
    con = duckdb.connect(str(work / "corpus.duckdb"), read_only=True)
    text_of = {(d, i): t for d, i, t in body_sentences(con)}
    con.close()
    keys, Y = load_teacher(work)
    held = np.array([k[2] in ("val", "test") and len(text_of[(k[0], int(k[1]))]) >= 8 for k in keys])
    frame = pd.DataFrame({"doc_id": [k[0] for k, h in zip(keys, held) if h],
                          "idx": [int(k[1]) for k, h in zip(keys, held) if h]})
    frame["text"] = [text_of[(d, i)] for d, i in zip(frame["doc_id"], frame["idx"])]
    e5 = Y[held]
    t = time.perf_counter()
    static = StaticEmbedder(args.static_dir).passage(frame["text"].tolist())
    static_s = time.perf_counter() - t
    print(f"{len(frame)} held-out sentences from {frame['doc_id'].nunique()} documents; static embedding {static_s:.1f}s",
          flush=True)
    base = merge_params({})
    tok = topic_tokenizer(base)
    texts = [tok(x) for x in frame["text"]]
    from gensim.corpora import Dictionary

    dictionary = Dictionary(texts)
    variants = {"e5": (e5, {}), "static": (static, {}),
                "static-fast": (static, {k: v for k, v in FAST_PARAMS.items() if k != "embedding_backend"}),
                "e5-fast-umap": (e5, {k: v for k, v in FAST_PARAMS.items() if k != "embedding_backend"})}
    rows, words = [], {}
    for seed in [int(s) for s in args.seeds.split(",")]:
        for name, (emb, extra) in variants.items():
            p = merge_params({**extra, "seed": seed})
            t = time.perf_counter()
            m = TopicModel.from_params(p, tok).fit(frame, emb)
            secs = time.perf_counter() - t
            tw = [m.words_[int(x)] for x in m.topic_ids_]
            words.setdefault(name, []).append(tw)
            rows.append({"embeddings": name, "seed": seed, "n_topics": len(tw),
                         "outlier_share": round(float((m.topics_ < 0).mean()), 4),
                         "outlier_share_raw": round(float((m.topics_raw_ < 0).mean()), 4),
                         "diversity": round(topic_diversity(tw), 4),
                         "npmi": round(npmi(tw, texts, dictionary=dictionary)[0], 4), "fit_s": round(secs, 1)})
            print(json.dumps(rows[-1]), flush=True)
    stability = {name: seed_stability(runs) for name, runs in words.items() if len(runs) > 1}
    summary = {}
    for name in variants:
        sel = [r for r in rows if r["embeddings"] == name]
        summary[name] = {k: round(float(np.mean([r[k] for r in sel])), 4)
                         for k in ("n_topics", "outlier_share", "diversity", "npmi", "fit_s")}
    out = {"sentences": len(frame), "documents": int(frame["doc_id"].nunique()),
           "static_embedding_s": round(static_s, 2), "runs": rows, "mean": summary, "seed_stability": stability,
           "delta_static_minus_e5": {k: round(summary["static"][k] - summary["e5"][k], 4) for k in ("npmi", "diversity")},
           "delta_static_fast_minus_e5": {k: round(summary["static-fast"][k] - summary["e5"][k], 4)
                                          for k in ("npmi", "diversity")}}
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps({k: out[k] for k in ("mean", "delta_static_minus_e5", "delta_static_fast_minus_e5")}, indent=1))


if __name__ == "__main__":
    main()

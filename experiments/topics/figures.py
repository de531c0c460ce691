"""Topic figures from the city-2024 model: topics × themes on city-2024, topics over time on the
national (1954–2025) and Shanghai (2020–2024) reports, and how much topic prevalence varies by city.

Run after experiments/topics/quality.py (which fits the model and stores its assignments):

    uv run python experiments/topics/figures.py --db /work/labelwork/topics.duckdb \
        --model-dir /work/labelwork/topic-models/city-2024 --per-doc 40

Over time: only a SAMPLE of the national and Shanghai sentences is embedded and assigned
(``--per-doc`` evenly spaced non-heading sentences per report; embedding everything is ~30k
sentences, ~20 min of both cores). Theme cross-tab: the fast theme model (``themes-fast``, no
embeddings) is applied to the DB if the DB holds no theme predictions yet.
Writes experiments/topics/figures.{json,md} (labels, top words and numbers only).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from zonelens import store
from zonelens.topics import (assign_sentences, load_topic_model, merge_params, topic_prevalence,
                             topic_theme_crosstab, topics_over_time)
from zonelens.topics.run import select_sentences

ROOT = Path(__file__).resolve().parents[2]
NATIONAL, SHANGHAI, CITY = "%national-1954-2025%", "%shanghai-2020-2024%", "%city-2024/txt%"


def sample(db: str, path_like: str, per_doc: int) -> pd.DataFrame:
    con = store.connect(db, read_only=True)
    frame = select_sentences(con, merge_params({"path_like": path_like}))
    years = con.execute("SELECT doc_id, year FROM documents WHERE path LIKE ?", [path_like]).df()
    con.close()
    frame = frame[frame["doc_id"].isin(years.dropna()["doc_id"])]
    parts = []
    for _, g in frame.groupby("doc_id", sort=True):
        take = np.unique(np.linspace(0, len(g) - 1, num=min(per_doc, len(g))).round().astype(int))
        parts.append(g.iloc[take])
    return pd.concat(parts, ignore_index=True) if parts else frame


def era(year: int) -> str:
    return "1954-1978" if year <= 1978 else "1979-2000" if year <= 2000 else "2001-2012" if year <= 2012 else "2013-2025"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--per-doc", type=int, default=40)
    args = ap.parse_args()
    model = load_topic_model(args.model_dir)
    mid = model.model_id_
    labels = model.labels_
    out: dict = {"model_id": mid, "command": "uv run python experiments/topics/figures.py --db "
                 "/work/labelwork/topics.duckdb --model-dir /work/labelwork/topic-models/city-2024 "
                 f"--per-doc {args.per_doc}"}

    # -- over time (sample) ------------------------------------------------------------------
    t = time.perf_counter()
    frames = {name: sample(args.db, pat, args.per_doc) for name, pat in (("national", NATIONAL), ("shanghai", SHANGHAI))}
    both = pd.concat(frames.values(), ignore_index=True)
    res = assign_sentences(args.db, args.model_dir, both)
    out["over_time_sample"] = {"per_doc": args.per_doc, "sentences": res["assigned"],
                               "documents": int(both["doc_id"].nunique()), "seconds": round(time.perf_counter() - t, 1)}
    print(out["over_time_sample"], flush=True)
    nat = topics_over_time(args.db, mid, path_like=NATIONAL)
    sh = topics_over_time(args.db, mid, path_like=SHANGHAI)
    nat["era"] = nat["year"].map(era)
    by_era = nat.groupby(["era", "topic"])["n"].sum().unstack(fill_value=0)
    by_era = by_era.div(by_era.sum(axis=1), axis=0)
    first, last = by_era.index.min(), by_era.index.max()
    delta = (by_era.loc[last] - by_era.loc[first]).sort_values()
    out["national_eras"] = {e: {int(k): round(float(v), 4) for k, v in row.items() if v > 0}
                            for e, row in by_era.iterrows()}
    out["national_rising"] = [{"topic": int(k), "label": labels.get(int(k), "(outliers)"), "change": round(float(v), 4)}
                              for k, v in delta.tail(8)[::-1].items()]
    out["national_falling"] = [{"topic": int(k), "label": labels.get(int(k), "(outliers)"), "change": round(float(v), 4)}
                               for k, v in delta.head(8).items()]
    sh_top = sh.groupby("topic")["share"].mean().sort_values(ascending=False).head(8).index
    out["shanghai_by_year"] = {int(tp): {int(y): round(float(s), 4) for y, s in
                                         sh[sh["topic"] == tp].set_index("year")["share"].items()} for tp in sh_top}

    # -- topics × themes on city-2024 ----------------------------------------------------------
    con = store.connect(args.db, read_only=True)
    has = store.has_table(con, "theme_predictions") and con.execute(
        "SELECT count(*) FROM theme_predictions").fetchone()[0] > 0
    con.close()
    if not has:
        t = time.perf_counter()
        _apply_themes(args.db)
        print(f"themes-fast applied in {time.perf_counter() - t:.0f}s", flush=True)
    ct = topic_theme_crosstab(args.db, mid, use="primary")
    ct = ct[ct["topic"] >= 0]
    out["crosstab_primary"] = json.loads(ct.to_json(orient="records", force_ascii=False))
    outside = ct.sort_values("outside_share", ascending=False)

    # -- per city ------------------------------------------------------------------------------
    prev = topic_prevalence(args.db, mid, by=("zone",), path_like=CITY)
    spread = prev.groupby("topic")["share"].agg(["mean", "std", "max"]).sort_values("std", ascending=False)
    out["city_spread"] = [{"topic": int(k), "label": labels.get(int(k), "(outliers)"), "mean": round(r["mean"], 4),
                           "std": round(r["std"], 4), "max": round(r["max"], 4)} for k, r in spread.head(10).iterrows()]

    (ROOT / "experiments" / "topics" / "figures.json").write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n",
                                                                   encoding="utf-8")
    (ROOT / "experiments" / "topics" / "figures.md").write_text(markdown(out, outside, by_era, labels), encoding="utf-8")
    print((ROOT / "experiments" / "topics" / "figures.md").read_text("utf-8"))


def _apply_themes(db: str) -> None:
    from zonelens.themes.run import apply_model

    apply_model(db, "themes-fast")


def markdown(out: dict, outside: pd.DataFrame, by_era: pd.DataFrame, labels: dict) -> str:
    s = out["over_time_sample"]
    lines = ["# Topic figures (city-2024 model)", "", f"Reproduce: `{out['command']}`", "",
             f"Model {out['model_id']}. Labels are the first three c-TF-IDF words of each topic.", "",
             "## Topics outside the five themes (city-2024, primary theme of `themes-fast`)", "",
             "| topic | label | sentences | outside share | dominant theme |", "| --- | --- | --- | --- | --- |"]
    for r in outside.head(12).itertuples():
        lines.append(f"| {r.topic} | {r.label} | {r.n} | {r.outside_share:.0%} | {r.dominant_theme} |")
    lines += ["", "Most theme-aligned topics:", "", "| topic | label | sentences | outside share | dominant theme |",
              "| --- | --- | --- | --- | --- |"]
    for r in outside.tail(8).iloc[::-1].itertuples():
        lines.append(f"| {r.topic} | {r.label} | {r.n} | {r.outside_share:.0%} | {r.dominant_theme} |")
    lines += ["", f"## National reports over time (SAMPLE: {s['per_doc']} sentences per report, {s['sentences']} "
              f"sentences of {s['documents']} national + Shanghai reports)", "",
              "Share of the sampled sentences per era, for the topics that changed most from the first to the last era:", "",
              "| topic | label | " + " | ".join(by_era.index) + " |", "|" + " --- |" * (len(by_era.index) + 2)]
    for item in out["national_rising"][:6] + out["national_falling"][:6]:
        tp = item["topic"]
        lines.append(f"| {tp} | {item['label']} | " + " | ".join(f"{by_era.loc[e].get(tp, 0):.1%}" for e in by_era.index) + " |")
    lines += ["", "## Shanghai 2020–2024 (sample), largest topics: share per year", ""]
    years = sorted({y for v in out["shanghai_by_year"].values() for y in v})
    lines += ["| topic | label | " + " | ".join(map(str, years)) + " |", "|" + " --- |" * (len(years) + 2)]
    for tp, ys in out["shanghai_by_year"].items():
        lines.append(f"| {tp} | {labels.get(tp, '(outliers)')} | " + " | ".join(f"{ys.get(y, 0):.1%}" for y in years) + " |")
    lines += ["", "## Topics that vary most between cities (share of a city's sentences)", "",
              "| topic | label | mean | std | max |", "| --- | --- | --- | --- | --- |"]
    for r in out["city_spread"]:
        lines.append(f"| {r['topic']} | {r['label']} | {r['mean']:.1%} | {r['std']:.1%} | {r['max']:.1%} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()

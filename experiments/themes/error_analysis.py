"""Error analysis of the previous themes-fast on the round-4 labels it never saw (issue #15, step 2).

    uv run python experiments/themes/error_analysis.py --db corpus.duckdb --model OLD_MODEL_DIR \
        [--notes /work/cache/round4]
    uv run python experiments/themes/error_analysis.py --db corpus.duckdb --round 5 --model themes-fast \
        --notes /work/cache/round5 --out experiments/themes/error_analysis_round5.md

``--round N`` (default 4): the labels of round N, scored by the model trained on rounds 1..N-1
(for round 5, the themes-fast shipped with rounds 1–4).
Writes experiments/themes/error_analysis.md. OLD_MODEL_DIR: the themes-fast shipped before round 4
(git show of models/themes-fast at the commit before it was replaced); it was trained on rounds
1–3 only, so every round-4 sentence is out of sample. Each sentence is scored with its neighbours
as context. For the three confusions the issue names, false positives and misses are sorted into
buckets by indicator phrases (a summary device, not a classifier: every label was made by a
reader), with counts and examples by reference (doc_id#idx; no sentence text), and the annotators'
notes on them where ``--notes`` points at the round's work folder (refs.jsonl, labels-K.jsonl).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np

from zonelens.taxonomy import load_taxonomy
from zonelens.themes.artifact import load_model
from zonelens.themes.features import features_for
from zonelens.themes.training import label_matrix, load_training_set

HERE = Path(__file__).parent
ANN = HERE.parents[1] / "labels" / "annotations"
BUCKETS = {
    "investment": [("project construction (开工/竣工/投产/项目建设)", r"开工|竣工|投产|项目建设|重大项目|重点项目|建成"),
                   ("opening-up, trade and foreign firms (外资/外贸/开放/出口)", r"外资|外商|外贸|进出口|出口|开放|自贸|口岸"),
                   ("investment climate and reform (营商环境/审批)", r"营商环境|审批|放管服|改革"),
                   ("capital and funds (投资/资金/基金)", r"投资|资金|基金|融资")],
    "innovation": [("industrial upgrading and digitalisation (技术改造/数字化/智能/产业升级)",
                    r"技术改造|技改|数字|智能|智造|转型升级|产业升级|高端|新兴产业"),
                   ("talent and education (人才/教育/高校)", r"人才|教育|高校|院校|培训"),
                   ("science and technology named (科技/创新/研发)", r"科技|创新|研发|科研|专利")],
    "party": [("work style and formalism (作风/形式主义)", r"作风|形式主义|官僚主义|政绩"),
              ("clean government and supervision (廉政/监督/审计)", r"廉|腐|监督|审计|问责|纪"),
              ("government self-building and law (政府建设/依法行政)", r"政府|依法|法治|行政|政务"),
              ("ideology and study (思想/学习/理论)", r"思想|学习|理论|教育|宣传")],
}


def bucket(theme: str, text: str) -> str:
    for name, pat in BUCKETS[theme]:
        if re.search(pat, text):
            return name
    return "none of these"


def notes_by_ref(work: Path | None) -> dict[tuple[str, int], list[str]]:
    if work is None or not (work / "refs.jsonl").exists():
        return {}
    refs = {json.loads(x)["key"]: json.loads(x)["ref"] for x in (work / "refs.jsonl").read_text("utf-8").splitlines()}
    out: dict[tuple[str, int], list[str]] = {}
    for f in sorted(work.glob("labels-*.jsonl")) + [work / "adjudicated.jsonl"]:
        if f.exists():
            for line in f.read_text("utf-8").splitlines():
                d = json.loads(line)
                if d.get("note") and d["key"] in refs:
                    r = refs[d["key"]]
                    out.setdefault((r["doc_id"], int(r["idx"])), []).append(d["note"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--model", required=True, help="the themes-fast trained on the rounds before --round")
    ap.add_argument("--round", type=int, default=4, help="the round whose labels are analysed")
    ap.add_argument("--notes", help="the round-4 work folder (refs.jsonl, labels-K.jsonl), for annotators' notes")
    ap.add_argument("--examples", type=int, default=4)
    ap.add_argument("--out", default=str(HERE / "error_analysis.md"))
    a = ap.parse_args()
    tax = load_taxonomy()
    model, meta = load_model(a.model, tax)
    gold, _ = load_training_set(sorted(ANN.glob(f"round{a.round}-*.jsonl")), a.db, tax)
    gold = features_for(gold, a.db, model)
    Y = label_matrix(gold, tax.ids)
    pred = (model.predict_proba(gold) >= model.thresholds_).astype(int)
    notes = notes_by_ref(Path(a.notes) if a.notes else None)
    whole = int((gold["sample"] == "whole-document").sum())
    sample = f" ({whole:,} from whole national reports, {len(gold) - whole:,} it was unsure of)"
    lines = [f"# Error analysis: the previous themes-fast on round {a.round}", "",
             f"Produced by `experiments/themes/error_analysis.py --round {a.round}` (see its docstring) with the model "
             f"trained on rounds 1–{a.round - 1} (data hash {meta['training_data']['hash']}), on the {len(gold)} "
             f"round-{a.round} sentences it never saw{sample}. Buckets by indicator phrases, "
             "first match wins; examples by reference (`doc_id#idx`) with annotators' notes where they left one.", "",
             "| theme | gold positives | predicted | false positives | misses | F1 |", "| --- | --- | --- | --- | --- | --- |"]
    for j, t in enumerate(tax.ids):
        tp = int(((pred[:, j] == 1) & (Y[:, j] == 1)).sum())
        fp, fn = int(((pred[:, j] == 1) & (Y[:, j] == 0)).sum()), int(((pred[:, j] == 0) & (Y[:, j] == 1)).sum())
        f1 = 2 * tp / max(1, 2 * tp + fp + fn)
        lines.append(f"| {t} | {int(Y[:, j].sum())} | {int(pred[:, j].sum())} | {fp} | {fn} | {f1:.3f} |")
    for t in BUCKETS:
        j = tax.ids.index(t)
        for kind, mask in (("false positives", (pred[:, j] == 1) & (Y[:, j] == 0)),
                           ("misses", (pred[:, j] == 0) & (Y[:, j] == 1))):
            rows = gold[mask]
            lines += ["", f"## {t}: {kind} ({len(rows)})", "", "| bucket | n | gold themes of these (count) | examples |",
                      "| --- | --- | --- | --- |"]
            groups: dict[str, list] = {}
            for r in rows.itertuples():
                groups.setdefault(bucket(t, r.text), []).append(r)
            for name, rs in sorted(groups.items(), key=lambda kv: -len(kv[1])):
                themes: dict[str, int] = {}
                for r in rs:
                    key = "+".join(r.themes) or "other"
                    themes[key] = themes.get(key, 0) + 1
                ex = []
                for r in rs[: a.examples]:
                    n = notes.get((r.doc_id, int(r.idx)))
                    ex.append(f"`{r.doc_id}#{r.idx}`" + (f" ({n[0][:80]})" if n else ""))
                lines.append(f"| {name} | {len(rs)} | {', '.join(f'{k} {v}' for k, v in sorted(themes.items(), key=lambda kv: -kv[1]))} | "
                             + "; ".join(ex) + " |")
    Path(a.out).write_text("\n".join(lines) + "\n", "utf-8")
    print("\n".join(lines[:14]))


if __name__ == "__main__":
    main()

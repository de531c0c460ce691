"""Round-2 annotation sample: more sentences for the two weakest themes (innovation, environment)
plus a fresh random sample, none of them labelled in round 1.

Reproduce:  uv run python experiments/labelling/make_round2.py --db corpus.duckdb --out ../labelwork/round2
(same corpus DB as make_batches.py). Writes batch files of real text OUTSIDE the repository and
`refs.jsonl` mapping each key to its (source, doc_id, idx, sha) reference; collect with
`collect.py --round 2`.

Design: a random sample of non-heading sentences across all documents (keeps the gold set
representative), plus keyword-enriched candidates for innovation and environment. The keywords
only propose candidates (they catch metaphors such as 创新生态 and 绿色 as often as real
positives); every label is made by a reader. A random share is sent to a second annotator, blind.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

import duckdb

try:
    from make_batches import write_batches
except ImportError:  # run from the repository root
    from experiments.labelling.make_batches import write_batches

ENRICH = {
    "innovation": r"科技|创新|研发|高新技术|专精特新|孵化|知识产权|实验室|成果转化|数字化|智能|人才|专利|新质生产力",
    "environment": r"生态|环保|环境|污染|大气|水质|碳|绿色|节能|减排|河长|湖长|造林|垃圾|污水|空气|能耗|新能源",
}


def labelled_refs(annotations: Path, before_round: int) -> set[tuple[str, int]]:
    """Sentences labelled in rounds before ``before_round`` (so the sample reproduces later too)."""
    done = set()
    for f in annotations.glob("*.jsonl"):
        for line in f.read_text("utf-8").splitlines():
            if line.strip():
                ann = json.loads(line)
                if ann.get("round", 1) < before_round:
                    done.add((ann["ref"]["doc_id"], int(ann["ref"]["idx"])))
    return done


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--annotations", default=str(Path(__file__).resolve().parents[2] / "labels" / "annotations"))
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--random", type=int, default=600)
    ap.add_argument("--enrich", type=int, default=450)
    ap.add_argument("--double", type=int, default=150)
    ap.add_argument("--annotators", type=int, default=3)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    done = labelled_refs(Path(a.annotations), before_round=2)
    con = duckdb.connect(a.db, read_only=True)
    rows = con.execute("""SELECT d.path, s.doc_id, s.idx, s.text, s.heading_path FROM sentences s
                          JOIN documents d USING (doc_id) WHERE NOT s.is_heading AND length(s.text) >= 6
                          ORDER BY d.path, s.idx""").fetchall()
    pool = [r for r in rows if (r[1], r[2]) not in done]
    chosen: dict[tuple, tuple] = {}
    for r in rng.sample(pool, a.random):
        chosen[(r[1], r[2])] = (r, "random")
    for theme, pat in ENRICH.items():
        cands = [r for r in pool if (r[1], r[2]) not in chosen and re.search(pat, r[3])]
        for r in rng.sample(cands, min(a.enrich, len(cands))):
            chosen[(r[1], r[2])] = (r, f"keywords:{theme}")
    items = list(chosen.values())
    rng.shuffle(items)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    refs, double, sizes = write_batches(items, out, "r", a.double, a.annotators, rng)
    print(f"{len(refs)} sentences from {len({r['ref']['doc_id'] for r in refs})} documents; "
          f"{len(double)} double; batches: {sizes}")


if __name__ == "__main__":
    main()

"""Round-3 annotation sample: whole documents, so the per-document theme share can be measured on
every sentence of a report (what users aggregate), not only on the ~24 sentences per document
that rounds 1–2 sampled.

Reproduce:  uv run python experiments/labelling/make_round3.py --db corpus.duckdb --out ../labelwork/round3
(same corpus DB as make_batches.py). Writes batch files of real text OUTSIDE the repository and
`refs.jsonl`; collect with `collect.py --round 3`.

Design: documents drawn at random with a fixed seed — six city-2024 reports, one Shanghai report
and one national report from 1978 on — among those of at most ``--max-sentences`` non-heading
sentences (an annotation-cost cap; it excludes the longest reports). Every non-heading sentence of
a chosen document not labelled in rounds 1–2 is sent to one annotator; a random ``--double`` go to
a second one, blind, for the agreement figures. The five seeds were already labelled in full in
round 1, so with this round 13 documents are labelled completely.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import duckdb

try:
    from make_batches import write_batches
    from make_round2 import labelled_refs
except ImportError:  # run from the repository root
    from experiments.labelling.make_batches import write_batches
    from experiments.labelling.make_round2 import labelled_refs

DRAW = (("city-2024/txt", 6, 0), ("shanghai-2020-2024", 1, 0), ("national-1954-2025", 1, 1978))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--annotations", default=str(Path(__file__).resolve().parents[2] / "labels" / "annotations"))
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--max-sentences", type=int, default=420)
    ap.add_argument("--double", type=int, default=180)
    ap.add_argument("--annotators", type=int, default=6)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    done = labelled_refs(Path(a.annotations), before_round=3)
    con = duckdb.connect(a.db, read_only=True)
    docs = con.execute("""SELECT d.doc_id, d.path, coalesce(d.year, 0) AS year,
                                 count(*) FILTER (WHERE NOT s.is_heading) AS n
                          FROM documents d JOIN sentences s USING (doc_id) GROUP BY ALL ORDER BY d.path""").fetchall()
    chosen_docs = []
    for part, k, min_year in DRAW:
        cands = [d for d in docs if part in d[1] and d[3] <= a.max_sentences and d[2] >= min_year]
        chosen_docs += rng.sample(cands, k)
    items = []
    for doc_id, path, _, _ in chosen_docs:
        rows = con.execute("""SELECT d.path, s.doc_id, s.idx, s.text, s.heading_path FROM sentences s
                              JOIN documents d USING (doc_id) WHERE s.doc_id = ? AND NOT s.is_heading
                              ORDER BY s.idx""", [doc_id]).fetchall()
        items += [(r, "whole-document") for r in rows if (r[1], r[2]) not in done]
    rng.shuffle(items)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    refs, double, sizes = write_batches(items, out, "w", a.double, a.annotators, rng)
    print(f"{len(refs)} sentences from {len(chosen_docs)} documents "
          f"({', '.join(Path(p.split('#')[0]).name + ('#' + p.split('#')[1] if '#' in p else '') for _, p, _, _ in chosen_docs)}); "
          f"{len(double)} double; batches: {sizes}")


if __name__ == "__main__":
    main()

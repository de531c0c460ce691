"""How many theme-label references (labels/annotations/*.jsonl) still resolve against a corpus DB.

A reference resolves at its (doc_id, idx) when the sentence there has its hash, else at the nearest
sentence of the document with that hash ("moved"); the rest are lost. Run it on a DB built by main's
code and on one built by this branch to see what a change of cleaning or segmentation costs:
    .venv/bin/python experiments/ingest/label_refs.py --db /work/cache/corpus.duckdb
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import duckdb

from zonelens.labels.annotations import read_many, resolve
from zonelens.taxonomy import load_taxonomy

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="Corpus DuckDB file (opened read-only).")
    args = ap.parse_args()
    files = sorted((ROOT / "labels" / "annotations").glob("*.jsonl"))
    annotations = read_many(files, load_taxonomy())
    con = duckdb.connect(args.db, read_only=True)
    rows, lost = resolve(con, annotations)
    con.close()
    by_source = Counter(u.annotation.ref.source for u in lost)
    print(f"{len(annotations)} references: {len(rows)} resolve ({int(rows['moved'].sum())} moved), "
          f"{len(lost)} lost {dict(by_source)}")


if __name__ == "__main__":
    main()

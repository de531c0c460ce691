"""Speed of the targets extractor over all city-2024 sentences, and how many city reports get a
GDP-growth plan target.

    .venv/bin/python experiments/targets/bench.py --db DB [--repeats 3]

Reads the body sentences of the city-2024 documents once, then times (best of --repeats)
extraction alone (extract_sentence on every sentence) and the full table (frame_from_sentences:
periods, target years, canonical ids). Prints the figures; on a shared machine compare runs side
by side.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from zonelens import store  # noqa: E402
from zonelens.targets import extract_sentence, load_indicators, load_patterns  # noqa: E402
from zonelens.targets.table import frame_from_sentences, read_sentences  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, type=Path)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    con = store.connect(args.db, read_only=True)
    try:
        sents = read_sentences(con)
    finally:
        con.close()
    sents = sents[sents["path"].str.contains("city-2024", regex=False)].reset_index(drop=True)
    if sents.empty:
        sys.exit(f"error: {args.db}: no city-2024 documents")
    p, table = load_patterns(), load_indicators()
    texts = sents["text"].tolist()
    best_x = best_t = float("inf")
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        n = sum(len(extract_sentence(t, p)) for t in texts)
        best_x = min(best_x, time.perf_counter() - t0)
        t0 = time.perf_counter()
        frame = frame_from_sentences(sents, p, table)
        best_t = min(best_t, time.perf_counter() - t0)
    docs = sents["doc_id"].nunique()
    plan_gdp = frame[(frame["canonical"] == "gdp_growth") & (frame["period"] == "plan")]["doc_id"].nunique()
    print(f"city-2024: {docs} documents, {len(texts)} body sentences, {n} targets")
    print(f"extraction alone: {best_x:.2f} s ({len(texts) / best_x:,.0f} sentences/s); "
          f"full table: {best_t:.2f} s (best of {args.repeats})")
    print(f"documents with a GDP-growth plan target: {plan_gdp} of {docs}")


if __name__ == "__main__":
    main()

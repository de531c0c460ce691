"""Sample for the quantitative-targets gold set (issue #13): real sentences, annotated by hand.

Reproduce (one command, fixed seed; the DB is a copy of the shared corpus DB)::

    cp /work/cache/corpus.duckdb /work/cache/gold.duckdb
    .venv/bin/python experiments/targets/make_gold.py --db /work/cache/gold.duckdb \
        --out /work/cache/gold/work.jsonl

The work file holds sentence TEXT and is written OUTSIDE the repository; only references
(source, doc_id, idx, sha) reach `labels/targets/gold.jsonl` (see `collect_gold.py`).

Design
- Documents, drawn with the seed: 25 city-2024 reports, 6 national reports from 1978 on,
  3 Shanghai reports and 3 seeds (37 documents). Whole documents go to split "heldout" (every
  third document of each source after a seeded shuffle, about one third) or "dev".
- Per document, among non-heading sentences of at most ``--max-chars`` characters (an annotation
  cost cap; it leaves out the longest sentences):
  * ``--numeric`` sentences (default 6) containing a number with a unit (Arabic, full-width or
    Chinese numerals; %, 亿元, 万人, 家, 个, 万吨, 百分点, 倍, 成, 百分之…), half from the
    plan side and half from the review side where the document has both. The side is a rough
    sampling cue only (the stored `period` column, else words such as 预期/力争 vs 同比/比上年);
    the annotator reads the period from the sentence and its heading.
  * ``--traps`` sentences (default 3) with no number-with-unit: two with a trap (a year like
    2025年, an ordinal 第一/一是, 十四五, a code like 5G or PM2.5, a document number, a bare number)
    and one plain prose sentence.
- The draw is a sample for annotation, not a measurement; nothing in it depends on any extractor.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
from zonelens.hashing import text_hash  # noqa: E402

DRAW = (("city-2024", 25, 0), ("national-1954-2025", 6, 1978),
        ("shanghai-2020-2024", 3, 0), ("seeds", 3, 0))

NUM = r"[0-9０-９]+(?:[.．][0-9０-９]+)?"
CN = r"[零一二两三四五六七八九十百千万]+(?:点[零一二三四五六七八九]+)?"
UNITS = (r"%|％|个百分点|百分点|亿元|万元|亿美元|万美元|元|万人次|万人|人次|人|家|个|项|万吨|吨|"
         r"万千瓦|千瓦|万平方米|平方米|平方公里|公里|万亩|亩|公顷|天|倍|座|所|件|套|户|台|辆|条|"
         r"张|艘|标箱|万标箱|千米|米|立方米|亿立方米|万辆|万套|万户|万件|万张|吨标准煤|床")
NUMERIC_RE = re.compile(rf"(?:{NUM})\s*(?:{UNITS})|百分之{CN}|{CN}(?:倍|成|个百分点|百分点)")
TRAP_RE = re.compile(r"[0-9０-９]{4}年|第[一二三四五六七八九十]|[一二三四五六七八九十]是|十[一二三四五六七八九]五|"
                     r"[0-9][GgAa]|PM2|〔[0-9]{4}〕|[0-9０-９]")
PLAN_CUE = re.compile(r"预期|力争|目标|确保|今年|明年|将|要")
REVIEW_CUE = re.compile(r"同比|比上年|增长了|完成|实现了|过去|去年|全年")
SOURCE_RE = re.compile(r"(?:^|/)shared/(.*)$")


def source_of(path: str) -> str:
    """The path relative to ../shared, as in labels/annotations/*.jsonl."""
    p = path.replace("\\", "/")
    m = SOURCE_RE.search(p)
    return m.group(1) if m else p


def side(period: str, text: str) -> str:
    if period in ("plan", "review"):
        return period
    if REVIEW_CUE.search(text):
        return "review"
    return "plan" if PLAN_CUE.search(text) else "review"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True, help="a copy of the corpus DB")
    ap.add_argument("--out", required=True, help="work file (JSONL with text), outside the repo")
    ap.add_argument("--seed", type=int, default=20261204)
    ap.add_argument("--numeric", type=int, default=6)
    ap.add_argument("--traps", type=int, default=3)
    ap.add_argument("--max-chars", type=int, default=180)
    a = ap.parse_args()
    out = Path(a.out).resolve()
    if ROOT in out.parents:
        sys.exit(f"error: {out}: the work file holds corpus text and must be outside the repository")
    rng = random.Random(a.seed)
    con = duckdb.connect(a.db, read_only=True)
    docs = con.execute("SELECT doc_id, path, coalesce(year, 0) FROM documents ORDER BY path").fetchall()
    chosen: list[tuple[str, str, int, str]] = []
    for part, k, min_year in DRAW:
        cands = [d for d in docs if f"/{part}/" in d[1] and d[2] >= min_year]
        picked = rng.sample(cands, k)
        rng.shuffle(picked)
        chosen += [(d[0], d[1], d[2], "heldout" if i % 3 == 0 else "dev") for i, d in enumerate(picked)]
    items = []
    for doc_id, path, year, split in chosen:
        rows = con.execute("""SELECT idx, text, heading_path, period FROM sentences
                              WHERE doc_id = ? AND NOT is_heading ORDER BY idx""", [doc_id]).fetchall()
        rows = [r for r in rows if 4 <= len(r[1]) <= a.max_chars]
        numeric = [r for r in rows if NUMERIC_RE.search(r[1])]
        rest = [r for r in rows if not NUMERIC_RE.search(r[1])]
        plan = [r for r in numeric if side(r[3], r[1]) == "plan"]
        review = [r for r in numeric if side(r[3], r[1]) == "review"]
        half = a.numeric // 2
        take = rng.sample(plan, min(half, len(plan)))
        take += rng.sample(review, min(a.numeric - len(take), len(review)))
        left = [r for r in numeric if r not in take]
        take += rng.sample(left, min(a.numeric - len(take), len(left)))
        kinds = {id(r): "numeric" for r in take}
        traps = [r for r in rest if TRAP_RE.search(r[1])]
        plain = [r for r in rest if not TRAP_RE.search(r[1])]
        t = rng.sample(traps, min(a.traps - 1, len(traps)))
        t += rng.sample(plain, min(a.traps - len(t), len(plain)))
        kinds.update({id(r): "trap" for r in t})
        for r in take + t:
            items.append({"ref": {"source": source_of(path), "doc_id": doc_id, "idx": r[0],
                                  "sha": text_hash(r[1])},
                          "split": split, "year": year, "draw": kinds[id(r)],
                          "heading": (r[2] or "")[-80:], "text": r[1]})
    rng.shuffle(items)
    for i, it in enumerate(items):
        it["key"] = f"g{i:04d}"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for it in items:
            fh.write(json.dumps(it, ensure_ascii=False) + "\n")
    n_num = sum(it["draw"] == "numeric" for it in items)
    n_held = len({c[0] for c in chosen if c[3] == "heldout"})
    print(f"{len(items)} sentences ({n_num} numeric, {len(items) - n_num} trap/plain) from "
          f"{len(chosen)} documents ({n_held} heldout) -> {out}")


if __name__ == "__main__":
    main()

"""Round-1 annotation sample: which real sentences were sent to annotators, and how they were chosen.

Reproduce:  uv run python experiments/labelling/make_batches.py --db corpus.duckdb --out ../labelwork
(the DB must hold ../shared/seeds, ../shared/corpora/city-2024/txt, the national jsonl and the
Shanghai .dta, ingested with `zonelens ingest`). Writes batch files of real text OUTSIDE the
repository, and `refs.jsonl` mapping each batch key to its (source, doc_id, idx, sha) reference.

Design: all five seeds in full; a stratified random sample of every city-2024, national and
Shanghai document; keyword-enriched extra samples for the rare themes (investment, party). The
keywords only propose candidates: every label is made by a reader. A random 600 are sent to a
second annotator, blind, for the agreement figures.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

import duckdb

from zonelens.hashing import text_hash

RARE = {
    "investment": r"招商|引进|签约|引资|外资|落户|落地|500强|总部|投资促进|以商招商|链主",
    "party": r"党建|党的建设|党组织|党支部|党员|从严治党|廉政|廉洁|反腐|纪律|巡视|巡察|主题教育|作风|形式主义|官僚主义|干部队伍|理论学习|两个维护|四个意识",
}


def source_of(path: str) -> str:
    p = path.replace("\\", "/")
    i = p.find("/shared/")
    return p[i + 8:] if i >= 0 else p


def write_batches(items: list, out: Path, prefix: str, n_double: int, n_annotators: int,
                  rng: random.Random) -> tuple[list[dict], set[int], list[int]]:
    """Write batchK.tsv (key, heading context, text) per annotator and refs.jsonl (key → reference).
    ``items`` are ((path, doc_id, idx, text, heading_path), reason). Annotator k gets a slice of the
    singles plus, blind, ``n_double`` random items first given to another annotator."""
    refs = [{"key": f"{prefix}{i:05d}", "ref": {"source": source_of(r[0]), "doc_id": r[1], "idx": r[2],
             "sha": text_hash(r[3])}, "reason": why, "text": r[3], "heading_path": r[4]}
            for i, (r, why) in enumerate(items)]
    double = set(rng.sample(range(len(refs)), n_double))
    n = n_annotators
    jobs: list[list[dict]] = [[] for _ in range(n)]
    for i, item in enumerate(refs):
        jobs[i % n].append(item)
        if i in double:
            jobs[(i % n + 1 + (i // n) % (n - 1)) % n].append(item)
    for k, job in enumerate(jobs):
        rng.shuffle(job)
        with open(out / f"batch{k + 1}.tsv", "w", encoding="utf-8") as f:
            for item in job:
                ctx = (item["heading_path"] or "").replace("\t", " ")[-60:]
                f.write(f"{item['key']}\t{ctx}\t{item['text']}\n")
    with open(out / "refs.jsonl", "w", encoding="utf-8") as f:
        for item in refs:
            f.write(json.dumps({k: item[k] for k in ("key", "ref", "reason")}, ensure_ascii=False) + "\n")
    return refs, double, [len(j) for j in jobs]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--per-city", type=int, default=10)
    ap.add_argument("--per-national", type=int, default=8)
    ap.add_argument("--per-shanghai", type=int, default=20)
    ap.add_argument("--rare", type=int, default=420)
    ap.add_argument("--double", type=int, default=600)
    ap.add_argument("--annotators", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    con = duckdb.connect(a.db, read_only=True)
    rows = con.execute("""SELECT d.path, s.doc_id, s.idx, s.text, s.heading_path, s.is_heading
                          FROM sentences s JOIN documents d USING (doc_id) ORDER BY d.path, s.idx""").fetchall()
    by_doc: dict[str, list] = {}
    for r in rows:
        by_doc.setdefault(r[0].split("#")[0] + "#" + r[1], []).append(r)
    chosen: dict[tuple, tuple] = {}
    for key, sents in sorted(by_doc.items()):
        src = source_of(key)
        if "seeds/" in src:
            pick = sents
        elif "city-2024" in src:
            pick = rng.sample(sents, min(a.per_city, len(sents)))
        elif "national" in src:
            pick = rng.sample(sents, min(a.per_national, len(sents)))
        else:
            pick = rng.sample(sents, min(a.per_shanghai, len(sents)))
        for r in pick:
            chosen[(r[1], r[2])] = (r, "seed" if "seeds/" in src else "random")
    for theme, pat in RARE.items():
        cands = [r for r in rows if re.search(pat, r[3]) and (r[1], r[2]) not in chosen
                 and "seeds/" not in r[0]]
        for r in rng.sample(cands, min(a.rare, len(cands))):
            chosen[(r[1], r[2])] = (r, f"keywords:{theme}")
    items = list(chosen.values())
    rng.shuffle(items)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    refs, double, sizes = write_batches(items, out, "s", a.double, a.annotators, rng)
    print(f"{len(refs)} sentences from {len({r['ref']['doc_id'] for r in refs})} documents; "
          f"{len(double)} double; batches: {sizes}")


if __name__ == "__main__":
    main()

"""Join the hand-written target labels with the sample's references into labels/targets/gold.jsonl.

Reproduce::

    .venv/bin/python experiments/targets/collect_gold.py --db /work/cache/gold.duckdb \
        --work /work/cache/gold/work.jsonl --labels '/work/cache/gold/labels-*.jsonl'

``work.jsonl`` is the sample written by ``make_gold.py`` (references, split and text; outside the
repository). Each labels file has one line per sentence: ``{"key": "g0001", "period": "plan",
"targets": [{indicator, low, high, unit, qualifier, kind, direction}, …]}``. Only labelled
sentences are written, so the gold file can be committed while annotation goes on.

Every field is validated, and every reference is resolved against the DB with
``zonelens.labels.annotations.resolve`` (the same matching as theme labels); an unresolved ref or
an indicator phrase longer than ``--max-indicator`` characters is an error. The output holds
references, split, period and the target fields only — no sentence text.
"""

from __future__ import annotations

import argparse
import glob
import json
import sys
from collections import Counter
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
from zonelens.labels.annotations import Annotation, parse_ref, resolve  # noqa: E402

PERIODS = ("plan", "review", "other")
KINDS = ("growth", "level", "share", "count")
DIRECTIONS = ("", "增长", "下降", "提高", "降低", "增加", "减少", "新增", "控制在", "保持")
QUALIFIERS = ("", "以上", "以下", "以内", "左右", "不低于", "不超过", "不少于", "超过", "突破",
              "近", "约", "余", "多", "力争", "达到")
TARGET_FIELDS = ("indicator", "low", "high", "unit", "qualifier", "kind", "direction")


def check_target(t: dict, where: str, max_ind: int) -> dict:
    if set(t) != set(TARGET_FIELDS):
        raise ValueError(f"{where}: target fields must be {TARGET_FIELDS}, got {sorted(t)}")
    if not isinstance(t["indicator"], str) or len(t["indicator"]) > max_ind:
        raise ValueError(f"{where}: indicator must be a phrase of at most {max_ind} characters")
    lo, hi = float(t["low"]), float(t["high"])
    if lo > hi:
        raise ValueError(f"{where}: low {lo} > high {hi}")
    if not t["unit"]:
        raise ValueError(f"{where}: empty unit")
    for f, allowed in (("qualifier", QUALIFIERS), ("kind", KINDS), ("direction", DIRECTIONS)):
        if t[f] not in allowed:
            raise ValueError(f"{where}: {f} {t[f]!r} not in {allowed}")
    return {"indicator": t["indicator"], "low": lo, "high": hi, "unit": t["unit"],
            "qualifier": t["qualifier"], "kind": t["kind"], "direction": t["direction"]}


def source_part(source: str) -> str:
    parts = source.split("/")
    return parts[1] if parts[0] == "corpora" else parts[0]


def print_stats(rows: list[dict]) -> None:
    """Counts by split, source, period, kind, unit (sentences, documents, targets)."""
    def line(name: str, key) -> None:
        sent, docs, tgt = Counter(), {}, Counter()
        for r in rows:
            k = key(r)
            sent[k] += 1
            docs.setdefault(k, set()).add(r["ref"]["doc_id"])
            tgt[k] += len(r["targets"])
        print(f"by {name}: " + "; ".join(f"{k}: {sent[k]} sentences, {len(docs[k])} docs, "
                                         f"{tgt[k]} targets" for k in sorted(sent)))
    line("split", lambda r: r["split"])
    line("source", lambda r: source_part(r["ref"]["source"]))
    line("period", lambda r: r["period"])
    print("sentences without targets:", sum(not r["targets"] for r in rows))
    for field in ("kind", "unit", "qualifier", "direction"):
        c = Counter(t[field] or "(empty)" for r in rows for t in r["targets"])
        print(f"targets by {field}: " + ", ".join(f"{k} {v}" for k, v in c.most_common()))
    c = Counter((r["split"], t["kind"]) for r in rows for t in r["targets"])
    print("targets by split x kind: " + ", ".join(f"{s}/{k} {v}" for (s, k), v in sorted(c.items())))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--work", required=True, help="make_gold.py's work file")
    ap.add_argument("--labels", required=True, help="glob of label files")
    ap.add_argument("--out", default=str(ROOT / "labels" / "targets" / "gold.jsonl"))
    ap.add_argument("--annotator", default="t1")
    ap.add_argument("--max-indicator", type=int, default=13)
    a = ap.parse_args()
    work = {}
    for line in Path(a.work).read_text(encoding="utf-8").splitlines():
        it = json.loads(line)
        work[it["key"]] = it
    labels = {}
    for path in sorted(glob.glob(a.labels)):
        for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            where = f"{path}:{n} ({rec.get('key')})"
            if rec["key"] not in work:
                sys.exit(f"error: {where}: key not in the work file")
            if rec["key"] in labels:
                sys.exit(f"error: {where}: key labelled twice")
            if rec["period"] not in PERIODS:
                sys.exit(f"error: {where}: period {rec['period']!r} not in {PERIODS}")
            try:
                targets = [check_target(t, where, a.max_indicator) for t in rec["targets"]]
            except ValueError as exc:
                sys.exit(f"error: {exc}")
            labels[rec["key"]] = (rec["period"], targets)
    out_rows = []
    for key in sorted(labels, key=lambda k: (work[k]["ref"]["source"], work[k]["ref"]["idx"])):
        it = work[key]
        period, targets = labels[key]
        out_rows.append({"ref": it["ref"], "split": it["split"], "period": period,
                         "targets": targets, "annotator": a.annotator})
    anns = [Annotation(parse_ref(r["ref"], a.out, None), (), None, a.annotator, 0) for r in out_rows]
    con = duckdb.connect(a.db, read_only=True)
    resolved, unresolved = resolve(con, anns)
    if unresolved:
        for u in unresolved[:5]:
            print(f"error: {u.annotation.ref.source}#{u.annotation.ref.idx}: {u.reason}", file=sys.stderr)
        sys.exit(f"error: {len(unresolved)} refs do not resolve against {a.db}")
    if bool(resolved["is_heading"].any()):
        sys.exit("error: a ref points at a heading")
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="\n") as fh:
        for r in out_rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print_stats(out_rows)
    n_t = sum(len(r["targets"]) for r in out_rows)
    splits = Counter(r["split"] for r in out_rows)
    print(f"{len(out_rows)} sentences ({dict(splits)}), {n_t} targets, "
          f"{len({r['ref']['doc_id'] for r in out_rows})} documents; all {len(resolved)} refs resolve "
          f"({int(resolved['moved'].sum())} moved) -> {out}")


if __name__ == "__main__":
    main()

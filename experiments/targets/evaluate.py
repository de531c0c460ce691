"""Score the targets extractor against the labelled gold set (labels/targets/gold.jsonl).

    .venv/bin/python experiments/targets/evaluate.py --db DB [--gold labels/targets/gold.jsonl]
                                                   [--split dev|heldout|all] [--show-errors N]

The gold refs are resolved against DB (a corpus database with the corpora ingested) the way theme
annotations are (by position, else by sentence hash in the document). Per sentence, predicted and
gold records are paired one to one when their low and high agree (to 0.01), the pair with the
largest indicator overlap first. Precision = paired / predicted, recall = paired / gold. On paired
records each field is compared: indicator (exact, and overlap = character Dice >= 0.5), canonical
id (the indicator table applied to both phrases), unit, qualifier, kind, direction; period is
compared per sentence. "False targets" counts sentences whose gold has no target but which got one.

Writes experiments/targets/results.md (dev, heldout and all) unless --no-write; tune rules on dev.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from zonelens import store  # noqa: E402
from zonelens.labels.annotations import Annotation, parse_ref, resolve  # noqa: E402
from zonelens.targets import extract_sentence, load_indicators, load_patterns, sentence_period  # noqa: E402

FIELDS = ("indicator_exact", "indicator_overlap", "canonical", "unit", "qualifier", "kind", "direction")


def read_gold(path: Path) -> list[dict]:
    out = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if line.strip():
            obj = json.loads(line)
            obj["_ref"] = parse_ref(obj["ref"], path, n)
            out.append(obj)
    return out


def dice(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    ca, cb = Counter(a), Counter(b)
    return 2 * sum((ca & cb).values()) / (len(a) + len(b))


def pair(pred: list[dict], gold: list[dict]) -> list[tuple[dict, dict]]:
    cands = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            if abs(p["low"] - g["low"]) <= 0.01 and abs(p["high"] - g["high"]) <= 0.01:
                cands.append((-dice(p["indicator"], g["indicator"]), p["unit"] != g["unit"], i, j))
    used_p, used_g, out = set(), set(), []
    for _, _, i, j in sorted(cands):
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            out.append((pred[i], gold[j]))
    return out


def score(items: list[dict]) -> dict:
    table = load_indicators()
    n_pred = n_gold = n_pair = 0
    field_ok = Counter()
    period_ok = 0
    empty_sents = false_sents = false_records = 0
    digitless = digitless_false = 0
    for it in items:
        pred, gold = it["pred"], it["gold"]["targets"]
        n_pred += len(pred)
        n_gold += len(gold)
        pairs = pair(pred, gold)
        n_pair += len(pairs)
        for p, g in pairs:
            field_ok["indicator_exact"] += p["indicator"] == g["indicator"]
            field_ok["indicator_overlap"] += dice(p["indicator"], g["indicator"]) >= 0.5
            field_ok["canonical"] += table.canonical(p["indicator"], p["kind"]) == table.canonical(g["indicator"], g["kind"])
            for f in ("unit", "qualifier", "kind", "direction"):
                field_ok[f] += (p[f] or "") == (g[f] or "")
        period_ok += it["period"] == it["gold"]["period"]
        if not gold:
            empty_sents += 1
            false_sents += bool(pred)
            false_records += len(pred)
        if not any(c.isdigit() for c in it["text"]):
            digitless += 1
            digitless_false += bool(len(pred) > len(pairs))
    res = {"sentences": len(items), "gold": n_gold, "predicted": n_pred, "paired": n_pair,
           "precision": n_pair / n_pred if n_pred else float("nan"),
           "recall": n_pair / n_gold if n_gold else float("nan"),
           "period": period_ok / len(items) if items else float("nan"),
           "empty_sentences": empty_sents, "false_sentences": false_sents, "false_records": false_records,
           "digitless": digitless, "digitless_false": digitless_false}
    for f in FIELDS:
        res[f] = field_ok[f] / n_pair if n_pair else float("nan")
    return res


def load_items(db: Path, gold_path: Path) -> tuple[list[dict], list[str]]:
    gold = read_gold(gold_path)
    anns = [Annotation(g["_ref"], (), None, g.get("annotator", "t1"), i) for i, g in enumerate(gold)]
    con = store.connect(db, read_only=True)
    try:
        resolved, unresolved = resolve(con, anns)
        keys = list(zip(resolved["doc_id"], resolved["idx"]))
        meta = {(d, i): (p, h) for d, i, p, h in con.execute(
            "SELECT doc_id, idx, period, heading_path FROM sentences WHERE list_contains(?, doc_id)",
            [sorted({k[0] for k in keys})]).fetchall()}
    finally:
        con.close()
    patterns = load_patterns()
    items = []
    for row, key in zip(resolved.itertuples(), keys):
        g = gold[row.round]  # the gold line's position (kept in `round`)
        period, _heading = meta.get(key, (None, ""))
        pred = [t.to_dict() for t in extract_sentence(row.text, patterns)]
        items.append({"gold": g, "text": row.text, "pred": pred, "period": sentence_period(row.text, period, patterns, has_target=bool(pred)),
                      "split": g["split"], "key": key})
    notes = [f"{u.annotation.ref.doc_id}#{u.annotation.ref.idx}: {u.reason}" for u in unresolved]
    return items, notes


def show_errors(items: list[dict], n: int) -> None:
    shown = 0
    for it in items:
        pairs = pair(it["pred"], it["gold"]["targets"])
        bad = len(pairs) != len(it["pred"]) or len(pairs) != len(it["gold"]["targets"]) or any(
            any((p[f] or "") != (g[f] or "") for f in ("unit", "qualifier", "kind", "direction"))
            or dice(p["indicator"], g["indicator"]) < 0.5 for p, g in pairs) or it["period"] != it["gold"]["period"]
        if not bad:
            continue
        print("---", it["key"], "period", it["period"], "gold", it["gold"]["period"])
        print("   ", it["text"][:200])
        fmt = lambda r: f"{r['indicator']}|{r['low']:g}-{r['high']:g}|{r['unit']}|{r['qualifier']}|{r['kind']}|{r['direction']}"  # noqa: E731
        print("    pred:", "; ".join(fmt(r) for r in it["pred"]))
        print("    gold:", "; ".join(fmt(r) for r in it["gold"]["targets"]))
        shown += 1
        if shown >= n:
            break


def table_md(results: dict[str, dict]) -> str:
    head = ("| split | sentences | gold | predicted | precision | recall | indicator exact | indicator overlap | "
            "canonical | unit | qualifier | kind | direction | period | false targets: sentences without a gold target | "
            "…: sentences without a digit |")
    lines = [head, "|" + " --- |" * 16]
    for split, r in results.items():
        lines.append(f"| {split} | {r['sentences']} | {r['gold']} | {r['predicted']} | {r['precision']:.3f} | "
                     f"{r['recall']:.3f} | " + " | ".join(f"{r[f]:.3f}" for f in FIELDS)
                     + f" | {r['period']:.3f} | {r['false_sentences']} of {r['empty_sentences']} | "
                     f"{r['digitless_false']} of {r['digitless']} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, type=Path)
    ap.add_argument("--gold", type=Path, default=ROOT / "labels" / "targets" / "gold.jsonl")
    ap.add_argument("--split", choices=["dev", "heldout", "all"], default=None,
                    help="Score only this split (default: dev, heldout and all).")
    ap.add_argument("--show-errors", type=int, default=0, help="Print up to N sentences with errors (dev only).")
    ap.add_argument("--no-write", action="store_true", help="Do not write results.md.")
    args = ap.parse_args()
    if not args.gold.is_file():
        sys.exit(f"error: {args.gold}: no gold set (labels/targets/gold.jsonl)")
    items, notes = load_items(args.db, args.gold)
    for n in notes:
        print(f"warning: unresolved {n}", file=sys.stderr)
    splits = [args.split] if args.split else ["dev", "heldout", "all"]
    results = {s: score([it for it in items if s == "all" or it["split"] == s]) for s in splits}
    if args.show_errors:
        show_errors([it for it in items if it["split"] == "dev"], args.show_errors)
    md = table_md(results)
    print(md)
    if not args.no_write and not args.split:
        import hashlib

        sha = hashlib.sha1(args.gold.read_bytes()).hexdigest()[:12]
        out = ROOT / "experiments" / "targets" / "results.md"
        old = out.read_text("utf-8") if out.exists() else ""
        history = old[old.index("## History"):] if "## History" in old else ""  # kept by hand-written notes
        out.write_text(
            "# Targets extractor against the gold set\n\n"
            f"Command: `.venv/bin/python experiments/targets/evaluate.py --db DB` (gold file sha1 {sha}; "
            f"{len(items)} gold sentences resolved, {len(notes)} not). Records are paired within a sentence on "
            "equal low and high (to 0.01), the largest indicator overlap first; precision = paired / predicted, "
            "recall = paired / gold; field accuracies are over paired records (indicator overlap: character Dice "
            ">= 0.5; canonical: the indicator table applied to both phrases); period is per sentence. A false "
            "target is a sentence given a record although its gold has none (or, for sentences without a digit, "
            "given a record the gold does not have). Rules were tuned on `dev` only; `heldout` was scored once.\n\n"
            + md + "\n" + ("\n" + history if history else ""), encoding="utf-8")


if __name__ == "__main__":
    main()

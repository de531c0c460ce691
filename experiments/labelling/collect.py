"""Turn the annotators' batch outputs into the committed annotation files (references, no text).

Reproduce:  uv run python experiments/labelling/collect.py --work ../labelwork --out labels/annotations
            uv run python experiments/labelling/collect.py --work ../labelwork/round2 --out labels/annotations --round 2
            uv run python experiments/labelling/collect.py --work /work/cache/round4 --out labels/annotations --round 4
Rounds 1–3 read refs.jsonl (written by make_batches.py), out/batchK.tsv (annotator aK) and
out/adjudicated.tsv. Round 4 on reads labels-K.jsonl (annotator r4aK; one JSON line per key:
key, themes, primary) and adjudicated.jsonl (key, themes, primary, note) beside refs.jsonl
(make_round4.py), checks every batch key is labelled once with known themes, and writes the
double-labelled disagreements still to adjudicate to disagreements.jsonl there.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def parse(path: Path, with_reason: bool = False) -> dict[str, tuple[list[str], str | None, str]]:
    out = {}
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        parts = line.split("\t")
        if len(parts) < 3:
            raise SystemExit(f"{path}:{n}: expected key, themes, primary")
        key, themes, primary = parts[:3]
        out[key] = ([] if themes == "-" else sorted(themes.split(",")), None if primary == "-" else primary,
                    parts[3] if with_reason and len(parts) > 3 else "")
    return out


THEMES = ("investment", "innovation", "environment", "livelihood", "party")


def parse_jsonl(path: Path, expected: set[str] | None = None) -> dict[str, tuple[list[str], str | None, str]]:
    """key → (themes, primary, note) of one annotator's labels-K.jsonl (or adjudicated.jsonl);
    one clear error naming the file and line on a bad record, a missing or an unknown key."""
    out = {}
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            key, themes, primary = d["key"], sorted(set(d["themes"])), d["primary"]
        except (ValueError, KeyError, TypeError) as exc:
            raise SystemExit(f"{path}:{n}: expected a JSON object with key, themes, primary ({exc})") from None
        bad = [t for t in themes if t not in THEMES]
        if bad or (primary is not None and primary not in themes) or (themes and primary is None):
            raise SystemExit(f"{path}:{n}: {key}: unknown theme {bad} or primary {primary!r} not one of {themes}")
        if key in out:
            raise SystemExit(f"{path}:{n}: {key} labelled twice")
        out[key] = (themes, primary, str(d.get("note", "")))
    if expected is not None and set(out) != expected:
        missing, extra = sorted(expected - set(out)), sorted(set(out) - expected)
        raise SystemExit(f"{path}: {len(missing)} key(s) of the batch missing (e.g. {missing[:3]}), "
                         f"{len(extra)} not in the batch (e.g. {extra[:3]})")
    return out


def write_annotator(out: Path, rnd: int, annotator: str, rows: dict, refs: dict) -> None:
    """One annotator's labels as the committed round{rnd}-{annotator}.jsonl (references, no text)."""
    with open(out / f"round{rnd}-{annotator}.jsonl", "w", encoding="utf-8") as f:
        for key in sorted(rows):
            themes, primary, _ = rows[key]
            f.write(json.dumps({"ref": refs[key]["ref"], "themes": themes, "primary": primary,
                                "annotator": annotator, "round": rnd, "sample": refs[key]["reason"]},
                               ensure_ascii=False) + "\n")


def write_adjudicated(out: Path, rnd: int, adj: dict, refs: dict) -> None:
    """The adjudicator's rulings (with their reasons) as round{rnd}-adjudicated.jsonl."""
    with open(out / f"round{rnd}-adjudicated.jsonl", "w", encoding="utf-8") as f:
        for key in sorted(adj):
            themes, primary, note = adj[key]
            f.write(json.dumps({"ref": refs[key]["ref"], "themes": themes, "primary": primary,
                                "annotator": "adjudicator", "round": rnd, "note": note}, ensure_ascii=False) + "\n")


def collect_jsonl(work: Path, out: Path, rnd: int, refs: dict) -> str:
    """Round 4 on: labels-K.jsonl → round{rnd}-r{rnd}aK.jsonl; adjudicated.jsonl → …-adjudicated;
    disagreements.jsonl (to adjudicate) in ``work``."""
    labels: dict[str, dict[str, tuple]] = {}
    for path in sorted(work.glob("labels-*.jsonl")):
        k = path.stem.split("-")[1]
        batch = work / f"batch-{k}.jsonl"
        keys = {json.loads(x)["key"] for x in batch.read_text("utf-8").splitlines() if x.strip()}
        rows = parse_jsonl(path, keys)
        annotator = f"r{rnd}a{k}"
        labels[annotator] = rows
        write_annotator(out, rnd, annotator, rows, refs)
    adj_path = work / "adjudicated.jsonl"
    adj = parse_jsonl(adj_path) if adj_path.exists() else {}
    write_adjudicated(out, rnd, adj, refs)
    by_key: dict[str, dict[str, tuple]] = {}
    for annotator, rows in labels.items():
        for key, lab in rows.items():
            by_key.setdefault(key, {})[annotator] = lab
    texts = {}
    for batch in sorted(work.glob("batch-*.jsonl")):
        for x in batch.read_text("utf-8").splitlines():
            d = json.loads(x)
            texts[d["key"]] = d
    open_items = [k for k, v in sorted(by_key.items()) if len(v) > 1
                  and len({(tuple(t), p) for t, p, _ in v.values()}) > 1 and k not in adj]
    with open(work / "disagreements.jsonl", "w", encoding="utf-8") as f:
        for key in open_items:
            f.write(json.dumps({"key": key, "heading_path": texts[key]["heading_path"], "text": texts[key]["text"],
                                "labels": {a: {"themes": t, "primary": p, "note": n}
                                           for a, (t, p, n) in by_key[key].items()}},
                               ensure_ascii=False) + "\n")
    double = sum(len(v) > 1 for v in by_key.values())
    return (f"{sum(map(len, labels.values()))} annotations from {len(labels)} annotators, {double} double-labelled, "
            f"{len(adj)} adjudicated, {len(open_items)} disagreements left (→ {work / 'disagreements.jsonl'})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--round", type=int, default=1)
    a = ap.parse_args()
    rnd = a.round
    work, out = Path(a.work), Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    refs = {json.loads(x)["key"]: json.loads(x) for x in (work / "refs.jsonl").read_text("utf-8").splitlines()}
    if rnd >= 4:
        print(collect_jsonl(work, out, rnd, refs))
        return
    total = 0
    for batch in sorted((work / "out").glob("batch*.tsv")):
        annotator = ("a" if rnd == 1 else f"r{rnd}a") + batch.stem.replace("batch", "")
        rows = parse(batch)
        write_annotator(out, rnd, annotator, rows, refs)
        total += len(rows)
    adj_path = work / "out" / "adjudicated.tsv"
    adj = parse(adj_path, with_reason=True) if adj_path.exists() else {}
    write_adjudicated(out, rnd, adj, refs)
    print(f"{total} annotations from {len(list((work / 'out').glob('batch*.tsv')))} annotators, {len(adj)} adjudicated")


if __name__ == "__main__":
    main()

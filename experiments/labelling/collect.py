"""Turn the annotators' batch outputs into the committed annotation files (references, no text).

Reproduce:  uv run python experiments/labelling/collect.py --work ../labelwork --out labels/annotations
            uv run python experiments/labelling/collect.py --work ../labelwork/round2 --out labels/annotations --round 2
Reads refs.jsonl (written by make_batches.py), out/batchK.tsv (annotator aK) and out/adjudicated.tsv.
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
    total = 0
    for batch in sorted((work / "out").glob("batch*.tsv")):
        annotator = ("a" if rnd == 1 else f"r{rnd}a") + batch.stem.replace("batch", "")
        rows = parse(batch)
        with open(out / f"round{rnd}-{annotator}.jsonl", "w", encoding="utf-8") as f:
            for key in sorted(rows):
                themes, primary, _ = rows[key]
                f.write(json.dumps({"ref": refs[key]["ref"], "themes": themes, "primary": primary,
                                    "annotator": annotator, "round": rnd, "sample": refs[key]["reason"]},
                                   ensure_ascii=False) + "\n")
        total += len(rows)
    adj_path = work / "out" / "adjudicated.tsv"
    adj = parse(adj_path, with_reason=True) if adj_path.exists() else {}
    with open(out / f"round{rnd}-adjudicated.jsonl", "w", encoding="utf-8") as f:
        for key in sorted(adj):
            themes, primary, reason = adj[key]
            f.write(json.dumps({"ref": refs[key]["ref"], "themes": themes, "primary": primary,
                                "annotator": "adjudicator", "round": rnd, "note": reason}, ensure_ascii=False) + "\n")
    print(f"{total} annotations from {len(list((work / 'out').glob('batch*.tsv')))} annotators, {len(adj)} adjudicated")


if __name__ == "__main__":
    main()

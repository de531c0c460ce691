"""Build a large synthetic corpus by repeating the real city-2024 reports under new ids.

Run: uv run python benchmarks/make_synthetic.py OUT_DIR [--sentences 1000000]

Copy k of each report is written to OUT_DIR/copy-KKKK/<city>.txt with one marker line appended
(``合成副本编号KKKK。``), so its text, and so its doc_id, differs from every other copy; zone and
year are inferred as for the original. One copy of the 143 files segments into about 53,274 units
(benchmarks/results.md), so 1M sentences is 19 copies (~130 MB). The corpus is not committed:
write it outside the repository (e.g. /tmp).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

CITY = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "city-2024" / "txt"
UNITS_PER_COPY = 53_274


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="folder to write (outside the repository)")
    ap.add_argument("--sentences", type=int, default=1_000_000, help="approximate number of sentences")
    ap.add_argument("--copies", type=int, default=None, help="number of copies (overrides --sentences)")
    args = ap.parse_args()
    if not CITY.is_dir():
        raise SystemExit(f"{CITY} not found (needs ../shared beside the repository)")
    files = sorted(CITY.glob("*.txt"))
    copies = args.copies or math.ceil(args.sentences / UNITS_PER_COPY)
    written = 0
    for k in range(copies):
        d = args.out / f"copy-{k:04d}"
        d.mkdir(parents=True, exist_ok=True)
        for f in files:
            data = f.read_bytes().rstrip() + f"\n合成副本编号{k:04d}。\n".encode("utf-8")
            (d / f.name).write_bytes(data)
            written += len(data)
    print(f"{copies} copies x {len(files)} files = {copies * len(files)} files, "
          f"{written / 1e6:.0f} MB, ~{copies * (UNITS_PER_COPY + len(files)):,} sentences -> {args.out}")


if __name__ == "__main__":
    main()

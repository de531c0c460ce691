"""Hook-style check: no corpus sentence, nor any 14-character run of one, is in the given files.

    .venv/bin/python experiments/targets/check_no_text.py --db DB FILE...

Exit 1 (and one line per hit) when a file shares a 14-character window with a non-heading
sentence of the corpus DB; whitespace is ignored and text is NFC-normalised on both sides.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata

import duckdb


def norm(s: str) -> str:
    return "".join(unicodedata.normalize("NFC", s).split())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--window", type=int, default=14)
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    w = a.window
    grams: dict[str, str] = {}
    for f in a.files:
        t = norm(open(f, encoding="utf-8").read())
        for i in range(len(t) - w + 1):
            grams.setdefault(t[i:i + w], f)
    con = duckdb.connect(a.db, read_only=True)
    hits = 0
    for (s,) in con.execute("SELECT text FROM sentences WHERE NOT is_heading").fetchall():
        s = norm(s)
        hit = next((s[i:i + w] for i in range(len(s) - w + 1) if s[i:i + w] in grams), None)
        if hit:
            hits += 1
            print(f"error: {grams[hit]}: shares corpus text {hit!r}")
    print(f"checked {len(a.files)} files against the corpus: {hits} sentences share a {w}-character run")
    sys.exit(1 if hits else 0)


if __name__ == "__main__":
    main()

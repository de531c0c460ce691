"""Summarise a themes.csv written by `zonelens run` (e.g. on the city-2024 corpus): coverage, and per
theme the median share across zone-years, its range, and the median width of the 95% interval.

    uv run zonelens run ../shared/corpora/city-2024/txt --out city-run --model themes-fast --no-topics
    uv run python experiments/aggregate/city_summary.py city-run/themes.csv
"""

from __future__ import annotations

import sys

import pandas as pd


def main(path: str) -> None:
    df = pd.read_csv(path)
    cells = df.drop_duplicates(["zone", "year"])
    c = df[df["covered"]]
    print(f"model {df['model_id'].iloc[0]}, method {df['method'].iloc[0]}")
    print(f"zone-years with a report: {int(cells['covered'].sum())} of {len(cells)}; "
          f"sentences per covered zone-year: median {c.drop_duplicates(['zone', 'year'])['total_sentences'].median():.0f}")
    out = pd.DataFrame({
        "share median": c.groupby("theme")["share"].median(),
        "share min": c.groupby("theme")["share"].min(),
        "share max": c.groupby("theme")["share"].max(),
        "count-share median": c.groupby("theme")["share_count"].median(),
        "95% CI width median": (c["ci_high"] - c["ci_low"]).groupby(c["theme"]).median(),
    }).round(4)
    print(out.to_string())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "city-run/themes.csv")

"""National GDP growth: the target each government work report announced, and the result the next
report gave, as extracted by `zonelens.targets`, checked against the published figures.

    .venv/bin/python experiments/targets/national_gdp.py --db DB [--out experiments/targets/national_gdp.md]

DB is a corpus database with the national corpus ingested (../shared/corpora/national-1954-2025).
PUBLISHED holds the announced targets (value and qualifier) and the growth the following year's
report stated (the first estimate), typed in by hand from the published reports for this check; they
are never used by the extractor. A target is recovered when value(s) and qualifier agree, a result
when the value agrees (to 0.05).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

import pandas as pd  # noqa: E402

from zonelens import store  # noqa: E402
from zonelens.targets import plan_vs_actual  # noqa: E402
from zonelens.targets.table import frame_from_sentences, read_sentences  # noqa: E402
from zonelens.targets import load_indicators, load_patterns  # noqa: E402

# year: (target low, target high, qualifier, result stated the next year); None where there was none
PUBLISHED = {
    2003: (7, 7, "左右", 9.1), 2004: (7, 7, "左右", 9.5), 2005: (8, 8, "左右", 9.9), 2006: (8, 8, "左右", 10.7),
    2007: (8, 8, "左右", 11.4), 2008: (8, 8, "左右", 9.0), 2009: (8, 8, "左右", 8.7), 2010: (8, 8, "左右", 10.3),
    2011: (8, 8, "左右", 9.2), 2012: (7.5, 7.5, "", 7.8), 2013: (7.5, 7.5, "左右", 7.7), 2014: (7.5, 7.5, "左右", 7.4),
    2015: (7, 7, "左右", 6.9), 2016: (6.5, 7, "", 6.7), 2017: (6.5, 6.5, "左右", 6.9), 2018: (6.5, 6.5, "左右", 6.6),
    2019: (6, 6.5, "", 6.1), 2020: (None, None, None, 2.3), 2021: (6, 6, "以上", 8.1), 2022: (5.5, 5.5, "左右", 3.0),
    2023: (5, 5, "左右", 5.2), 2024: (5, 5, "左右", 5.0), 2025: (5, 5, "左右", None),
}


def national_targets(db: Path) -> pd.DataFrame:
    con = store.connect(db, read_only=True)
    try:
        sents = read_sentences(con)
    finally:
        con.close()
    sents = sents[sents["path"].str.contains("national", regex=False)]
    if sents.empty:
        sys.exit(f"error: {db}: no national reports (ingest ../shared/corpora/national-1954-2025)")
    return frame_from_sentences(sents, load_patterns(), load_indicators())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, type=Path)
    ap.add_argument("--out", type=Path, default=ROOT / "experiments" / "targets" / "national_gdp.md")
    args = ap.parse_args()
    targets = national_targets(args.db)
    years = set(int(y) for y in targets["year"].dropna().unique())
    cmp = plan_vs_actual(targets)
    g = cmp[cmp["canonical"] == "gdp_growth"].set_index("year")
    rows, n_t, ok_t, n_r, ok_r = [], 0, 0, 0, 0
    for year, (lo, hi, q, res) in PUBLISHED.items():
        r = g.loc[year] if year in g.index else None
        got_t = "—" if r is None or pd.isna(r["planned_low"]) else (
            f"{r['planned_low']:g}" + ("" if r["planned_low"] == r["planned_high"] else f"–{r['planned_high']:g}")
            + f"% {r['planned_qualifier'] or ''}")
        got_r = "—" if r is None or pd.isna(r["achieved"]) else f"{r['achieved']:g}%"
        t_ok = r_ok = ""
        if lo is not None and year not in years:
            t_ok = "no report"
        elif lo is not None:
            n_t += 1
            good = r is not None and r["planned_low"] == lo and r["planned_high"] == hi and (r["planned_qualifier"] or "") == q
            ok_t += bool(good)
            t_ok = "yes" if good else "no"
        if res is not None and year + 1 not in years:
            r_ok = "no report"
        elif res is not None:
            n_r += 1
            good = r is not None and not pd.isna(r["achieved"]) and abs(r["achieved"] - res) <= 0.05
            ok_r += bool(good)
            r_ok = "yes" if good else "no"
        pub_t = "none" if lo is None else f"{lo:g}" + ("" if lo == hi else f"–{hi:g}") + f"% {q}"
        pub_r = "—" if res is None else f"{res:g}%"
        rows.append(f"| {year} | {pub_t} | {got_t} | {t_ok} | {pub_r} | {got_r} | {r_ok} |")
    md = ("| year | target (published) | target (extracted) | right | result next year (published) | "
          "result (extracted) | right |\n| --- | --- | --- | --- | --- | --- | --- |\n" + "\n".join(rows))
    summary = (f"Targets recovered with the right value and qualifier: {ok_t} of {n_t} reports; results "
               f"recovered: {ok_r} of {n_r} (years whose next report is in the corpus).")
    print(md)
    print(summary)
    args.out.write_text("# National GDP growth: target vs result\n\nCommand: `.venv/bin/python "
                        "experiments/targets/national_gdp.py --db DB` (national corpus ingested).\n\n"
                        + md + "\n\n" + summary + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

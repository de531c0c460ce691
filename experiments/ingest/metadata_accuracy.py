"""Metadata and cleaning accuracy of ingest on every real corpus in ../shared.

Each corpus is ingested into its own temporary DuckDB file with the code on the import path, then
measured against what is known about it:

- zone right / year right: seeds against their known zones; city-2024 (txt and docx) against
  ``../shared/corpora/city-2024/index.csv`` (place = file name, expected zone starts with it; the
  three byte-identical national reports are 全国; year = ``report_year_guess``); national: zone
  全国 and the year of the JSONL row; Shanghai: 上海 and the year column.
- bad titles: empty, page furniture, a greeting (各位代表：), a breadcrumb, a file-system name,
  a byline (上海市市长), a subtitle (…会议上), a section heading (2023年工作回顾), or a sentence of the speech (ends in 。 or is over 60 characters). A title that is the file
  stem (the fallback for a report without a title line) is counted apart, as a file-stem title.
- furniture left: sentences that are page furniture (下载/打印/全屏/收藏/字号/加大/还原/减小,
  breadcrumbs, 分享, 来源：/时间：/发布时间：/责任编辑： lines, photo credits).
- body unknown: share of body sentences (not headings, not front lines) whose period is unknown.
- front not unknown: front lines (everything up to and including the greeting when it is among
  the first 8 units, else a heading that opens the text) whose period is not unknown.

Reproduce (the "before" figures run the same script on main's code):
    PYTHONPATH=/work/main/src .venv/bin/python experiments/ingest/metadata_accuracy.py --label before
    .venv/bin/python experiments/ingest/metadata_accuracy.py --label after
Writes experiments/ingest/results-<label>.json and regenerates experiments/ingest/results.md from
every results-*.json present.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1].parent / "shared"
SEEDS = {"000": ("衡阳高新区", 2020), "001": ("鹤城高新区", 2024), "002": ("衡水高新区", 2020),
         "003": ("湘潭高新区", 2014), "004": ("湖南湘江新区", 2024)}

FURNITURE = re.compile(
    r"^[【\[]?\s*((下载|打印|全屏|收藏|关闭|分享|字号|加大|还原|减小|[大中小])[\s:：|｜/】\]【\[]*)+$"
    r"|^(您的位置|当前位置|您当前的位置|首页\s*[>＞»›])|^分享(到|至)?\s*[:：]"
    r"|^(来源|时间|发布时间|责任编辑|信息来源)\s*[:：]|(本报记者|记者|通讯员)\s*\S{1,8}\s*摄")
GREETING = re.compile(r"^(各位代表|同志们|各位委员|女士们)")
BAD_TITLE = re.compile(r"\.(pdf|docx?|txt|wps|html?)$|Microsoft|^[A-Za-z0-9_\-\s.]+$"
                       r"|(省长|市长|主席|区长|县长|总理)\s*(\S\s*){0,4}$|(会议|大会)上$|工作(回顾|安排)$", re.I)


def bad_title(title: str | None) -> str | None:
    """Why a title is bad (a word, never the title itself: no corpus text goes into the results)."""
    t = (title or "").strip()
    if not t:
        return "empty"
    if FURNITURE.search(t):
        return "furniture"
    if GREETING.match(t):
        return "greeting"
    if BAD_TITLE.search(t):
        return "file name, byline, subtitle or heading"
    if t.endswith("。") or len(t) > 60:
        return "a sentence of the speech"
    return None


def front_units(units: list[tuple]) -> set[int]:
    """idx of the front lines: up to the greeting if it comes early, else the title line only."""
    for i, (idx, text, *_rest) in enumerate(units[:8]):
        if GREETING.match(text):
            return {u[0] for u in units[: i + 1]}
    return {units[0][0]} if units and units[0][2] else set()


def corpora() -> list[tuple[str, list[Path]]]:
    city = SHARED / "corpora" / "city-2024"
    return [
        ("seeds", [SHARED / "seeds"]),
        ("city-2024 txt", [city / "txt"]),
        ("city-2024 docx", [city / "docx"]),
        ("national", [SHARED / "corpora" / "national-1954-2025" / "government_work_reports.jsonl"]),
        ("Shanghai", [SHARED / "corpora" / "shanghai-2020-2024" / "shanghai_reports.dta"]),
    ]


def expected(name: str) -> dict:
    """path key → (zone prefix, year)."""
    if name == "seeds":
        return {k: v for k, v in SEEDS.items()}
    if name.startswith("city-2024"):
        out = {}
        for r in csv.DictReader(open(SHARED / "corpora" / "city-2024" / "index.csv", encoding="utf-8")):
            stem = Path(r["file"]).stem
            zone = "全国" if r["flags"].startswith("MISLABELED") else r["place"]
            out[stem] = (zone, int(r["report_year_guess"] or 2024))
        return out
    if name == "national":
        rows = [json.loads(x) for x in open(SHARED / "corpora" / "national-1954-2025" / "government_work_reports.jsonl",
                                            encoding="utf-8") if x.strip()]
        return {str(i): ("全国", int(r["year"])) for i, r in enumerate(rows) if r.get("year")}
    if name == "Shanghai":
        import pandas as pd

        f = pd.read_stata(SHARED / "corpora" / "shanghai-2020-2024" / "shanghai_reports.dta")
        return {str(i): ("上海", int(y)) for i, y in enumerate(f["year"])}
    raise KeyError(name)


def key_of(name: str, path: str) -> str:
    if name == "seeds":
        return re.search(r"/(\d{3})_", path).group(1)
    if "#" in path:
        return path.rsplit("#", 1)[1]
    return Path(path).stem


def measure(name: str, paths: list[Path], workdir: Path) -> dict:
    from zonelens.ingest.run import ingest

    db = workdir / (re.sub(r"\W", "_", name) + ".duckdb")
    t0 = time.time()
    rep = ingest(paths, db)
    seconds = time.time() - t0
    con = duckdb.connect(str(db), read_only=True)
    docs = con.execute("SELECT doc_id, path, zone, year, title FROM documents").fetchall()
    want = expected(name)
    zone_ok = year_ok = 0
    wrong = []
    bad = []
    stem_titles = 0
    for doc_id, path, zone, year, title in docs:
        exp_zone, exp_year = want[key_of(name, path)]
        z = bool(zone) and (zone.startswith(exp_zone) or (name == "Shanghai" and zone.startswith("上海")))
        zone_ok += z
        year_ok += year == exp_year
        if not z or year != exp_year:
            wrong.append(f"{Path(path.split('#')[0]).name}{'#' + path.split('#')[1] if '#' in path else ''}: "
                         f"{zone} {year} (expected {exp_zone} {exp_year})")
        stem = Path(path.split("#")[0]).stem
        if title and title.split("#")[0] == stem:
            stem_titles += 1
        elif bad_title(title):
            bad.append(f"{Path(path.split('#')[0]).name}{'#' + path.split('#')[1] if '#' in path else ''}: "
                       f"{bad_title(title)}")
    furniture = body = body_unknown = front_not_unknown = 0
    furniture_docs = set()
    for (doc_id,) in con.execute("SELECT doc_id FROM documents").fetchall():
        units = con.execute("SELECT idx, text, is_heading, period FROM sentences WHERE doc_id = ? ORDER BY idx",
                            [doc_id]).fetchall()
        front = front_units(units)
        for idx, text, is_heading, period in units:
            if FURNITURE.search(text.strip()):
                furniture += 1
                furniture_docs.add(doc_id)
            if idx in front:
                front_not_unknown += period != "unknown"
            elif not is_heading:
                body += 1
                body_unknown += period == "unknown"
    cols = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                      "WHERE table_name = 'documents'").fetchall()}
    low = con.execute("SELECT count(*) FROM documents WHERE coalesce(zone_confidence, 0) < 0.6 "
                      "OR coalesce(year_confidence, 0) < 0.6").fetchone()[0]
    con.close()
    return {
        "corpus": name, "documents": len(docs), "expected": len(want), "failures": len(rep.failures),
        "zone_right": zone_ok, "year_right": year_ok, "bad_titles": len(bad), "stem_titles": stem_titles, "furniture_left": furniture,
        "body_sentences": body, "body_unknown_share": round(body_unknown / max(body, 1), 3),
        "front_not_unknown": front_not_unknown, "low_confidence_docs": low,
        "has_candidate_columns": "zone_candidates" in cols, "seconds": round(seconds, 1),
        "wrong": wrong[:10], "bad_title_examples": bad[:5], "furniture_docs": len(furniture_docs),
    }


COLUMNS = (("documents", "documents"), ("zone right", "zone_right"), ("year right", "year_right"),
           ("bad titles", "bad_titles"), ("file-stem titles", "stem_titles"), ("furniture left", "furniture_left"),
           ("body `unknown` share", "body_unknown_share"), ("front lines not `unknown`", "front_not_unknown"),
           ("low-confidence docs", "low_confidence_docs"))


def _cell(r: dict, key: str) -> str:
    v = r.get(key, 0)
    return f"{v}/{r['documents']}" if key in ("zone_right", "year_right") else str(v)


def write_markdown() -> Path:
    results = {p.stem.removeprefix("results-"): json.loads(p.read_text("utf-8"))
               for p in sorted(HERE.glob("results-*.json"))}
    lines = ["# Ingest metadata accuracy on the real corpora", "",
             "Produced by `experiments/ingest/metadata_accuracy.py` (see its docstring for the measures "
             "and the commands). Zone/year right count documents; body `unknown` is a share of body sentences; "
             "low-confidence documents are those `zonelens summary` lists to check.", ""]
    if {"before", "after"} <= set(results):
        before = {r["corpus"]: r for r in results["before"]["rows"]}
        lines += ["## before → after", "", "| corpus | " + " | ".join(c for c, _ in COLUMNS) + " |",
                  "| --- " * (len(COLUMNS) + 1) + "|"]
        for r in results["after"]["rows"]:
            b = before.get(r["corpus"], {})
            cells = [_cell(r, k) if _cell(b, k) == _cell(r, k) else f"{_cell(b, k)} → {_cell(r, k)}"
                     for _, k in COLUMNS] if b else [_cell(r, k) for _, k in COLUMNS]
            lines.append(f"| {r['corpus']} | " + " | ".join(cells) + " |")
        lines.append("")
    for label, res in results.items():
        lines += [f"## {label} (code: {res['code']})", "", "| corpus | " + " | ".join(c for c, _ in COLUMNS) + " |",
                  "| --- " * (len(COLUMNS) + 1) + "|"]
        for r in res["rows"]:
            lines.append(f"| {r['corpus']} | " + " | ".join(_cell(r, k) for _, k in COLUMNS) + " |")
        lines.append("")
        for r in res["rows"]:
            if r["wrong"] or r["bad_title_examples"]:
                lines.append(f"- {r['corpus']}: wrong {r['wrong'][:5]}; bad titles (why) {r['bad_title_examples'][:3]}")
        lines.append("")
    out = HERE / "results.md"
    out.write_text("\n".join(lines), "utf-8")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--label", default="after", help="Name of this run (before/after).")
    ap.add_argument("--only", action="append", help="Measure only these corpora (names as in the table).")
    args = ap.parse_args()
    if not (SHARED / "corpora").is_dir():
        sys.exit(f"{SHARED}: the real corpora are not beside the repository")
    import zonelens

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, paths in corpora():
            if args.only and name not in args.only:
                continue
            r = measure(name, paths, Path(tmp))
            rows.append(r)
            print(json.dumps({k: v for k, v in r.items() if k not in ("wrong",)}, ensure_ascii=False), flush=True)
    code = "this branch" if Path(zonelens.__file__).resolve().is_relative_to(HERE.parents[1]) else \
        str(Path(zonelens.__file__).parent.parent)
    (HERE / f"results-{args.label}.json").write_text(
        json.dumps({"code": code, "rows": rows}, ensure_ascii=False, indent=1), "utf-8")
    print(write_markdown())


if __name__ == "__main__":
    main()

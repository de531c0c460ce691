"""Targets per zone-year: a wide table of canonical indicators, and planned vs achieved.

The *headline* figure of a canonical indicator in a group is the first record of it in report order
(the 主要预期目标 paragraph, or the review's opening figures, come before the sector detail). Its
value is the middle of its range. ``ref_year`` is the year a figure is about: a plan's planned year
and an achievement's year reviewed (see :func:`.table.sentence_records`).
"""

from __future__ import annotations

import pandas as pd

from ..aggregate import check_by
from .indicators import IndicatorTable, load_indicators

CEILING_QUALIFIERS = {"以内", "以下", "不超过", "不高于", "之内", "低于"}
CEILING_DIRECTIONS = {"控制在"}
COMPARE_COLUMNS = ["zone", "year", "canonical", "label", "measure", "planned_low", "planned_high", "unit", "planned_qualifier",
                   "planned_direction", "achieved", "achieved_qualifier", "gap", "met", "planned_doc", "planned_idx",
                   "achieved_doc", "achieved_idx"]


STOCK_WORDS = r"总数|总量|总计|累计|保有量|拥有量|总规模|达到|突破"


def measure(t: pd.DataFrame) -> pd.Series:
    """``flow`` or ``stock`` for counts and amounts ('' for rates and shares): a plan's 新增30家 is
    compared with the 新增28家 achieved, not with the 总数212家 reached. A count or amount is a stock
    when its indicator or qualifier says so (总数, 累计, 达到, 突破) and no 新增/增加 is written."""
    amount = t["kind"].isin(["count", "level"])
    said = (t["indicator"].fillna("") + "|" + t["qualifier"].fillna("")).str.contains(STOCK_WORDS, regex=True)
    added = t["direction"].fillna("").isin(["新增", "增加", "减少"])
    return pd.Series(["" if not a else ("stock" if s and not d else "flow") for a, s, d in zip(amount, said, added)],
                     index=t.index)


_MULTI_YEAR = r"年均|累计|五年|以来|比(?:19|20)\d\d年|十[一二三四五]五"


def _rank(t: pd.DataFrame) -> pd.Series:
    """Lower is a better headline: multi-year figures (年均, 累计, 比2002年) rank 2 and are left out;
    among plans, the stated targets (目标, or a qualifier such as 左右) first."""
    multi = t["sentence"].str.contains(_MULTI_YEAR, regex=True).astype(int) * 2
    stated = t["sentence"].str.contains("目标") | t["qualifier"].fillna("").isin(["左右", "以上", "以内"])
    return multi + ((t["period"] == "plan") & ~stated).astype(int)


def headline(targets: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One record per ``keys`` + canonical: the best ranked (:func:`_rank`), then the first in report
    order. Records without a canonical id are left out."""
    t = targets[targets["canonical"].fillna("") != ""]
    if t.empty:
        return t.assign(value=pd.Series(dtype=float))
    t = t.assign(_rank=_rank(t))
    t = t[t["_rank"] < 2]  # a five-year average or a cumulative change is no year's figure
    t = t.sort_values(["_rank", "path", "idx"], kind="stable")
    first = t.drop_duplicates(keys + ["canonical"], keep="first").drop(columns="_rank")
    return first.assign(value=(first["low"] + first["high"]) / 2)


def wide_targets(targets: pd.DataFrame, by="zone,year", table: IndicatorTable | None = None) -> pd.DataFrame:
    """One row per group, one column per canonical indicator (the headline value; unit in the column
    name). Without ``period`` in ``by`` only plans are shown, ``year`` being the planned year."""
    cols = check_by(by)
    t = targets.copy()
    if "period" not in cols:
        t = t[t["period"] == "plan"]
    if "year" in cols:
        t = t.assign(year=t["ref_year"].fillna(t["year"]).astype("Int64"))
    h = headline(t, cols)
    if h.empty:
        return pd.DataFrame(columns=cols)
    units = h.groupby("canonical")["unit"].agg(lambda u: u.mode().iat[0])
    h = h[h["unit"] == h["canonical"].map(units)]
    h = h.assign(column=[f"{c} ({units[c]})" for c in h["canonical"]])
    wide = h.pivot_table(index=cols, columns="column", values="value", aggfunc="first", dropna=False)
    counts = h["canonical"].value_counts()
    order = [f"{c} ({units[c]})" for c in counts.index]
    wide = wide.reindex(columns=[c for c in order if c in wide.columns]).reset_index()
    wide.columns.name = None
    return wide.dropna(how="all", subset=[c for c in wide.columns if c not in cols])


def _met(row) -> object:
    if pd.isna(row["achieved"]) or pd.isna(row["planned_low"]) or row["achieved_unit"] != row["unit"]:
        return pd.NA
    if row["planned_qualifier"] in CEILING_QUALIFIERS or row["planned_direction"] in CEILING_DIRECTIONS:
        return bool(row["achieved"] <= row["planned_high"])
    return bool(row["achieved"] >= row["planned_low"])


def _gap(row) -> float:
    if pd.isna(row["achieved"]) or pd.isna(row["planned_low"]) or row["achieved_unit"] != row["unit"]:
        return float("nan")
    ceiling = row["planned_qualifier"] in CEILING_QUALIFIERS or row["planned_direction"] in CEILING_DIRECTIONS
    return round(float(row["achieved"] - (row["planned_high"] if ceiling else row["planned_low"])), 4)


def plan_vs_actual(targets: pd.DataFrame, table: IndicatorTable | None = None) -> pd.DataFrame:
    """The plan for year t (from the report of t, or a year-end report's plan for t) beside the
    achievement reported for t (usually in the report of t+1), per zone and canonical indicator:
    the gap (achieved minus the planned floor, or minus the ceiling for 以内/控制在 targets) and
    whether it was met. Flows and stocks of a count or amount are paired apart (:func:`measure`).
    Rows with only one side are kept (the other side empty)."""
    table = table or load_indicators()
    t = targets[targets["ref_year"].notna()]
    t = t.assign(measure=measure(t))
    plan = headline(t[t["period"] == "plan"], ["zone", "ref_year", "measure"])
    done = headline(t[t["period"] == "review"], ["zone", "ref_year", "measure"])
    keys = ["zone", "ref_year", "canonical", "measure"]
    p = plan[keys + ["low", "high", "unit", "qualifier", "direction", "doc_id", "idx"]].rename(columns={
        "low": "planned_low", "high": "planned_high", "qualifier": "planned_qualifier",
        "direction": "planned_direction", "doc_id": "planned_doc", "idx": "planned_idx"})
    a = done[keys + ["value", "unit", "qualifier", "doc_id", "idx"]].rename(columns={
        "value": "achieved", "unit": "achieved_unit", "qualifier": "achieved_qualifier", "doc_id": "achieved_doc",
        "idx": "achieved_idx"})
    out = p.merge(a, on=keys, how="outer")
    if out.empty:
        return pd.DataFrame(columns=COMPARE_COLUMNS)
    out["unit"] = out["unit"].fillna(out["achieved_unit"])
    out["gap"] = out.apply(_gap, axis=1)
    out["met"] = out.apply(_met, axis=1).astype("boolean")
    out["label"] = out["canonical"].map(table.label)
    out = out.rename(columns={"ref_year": "year"})
    out["year"] = out["year"].astype("Int64")
    return out.sort_values(["zone", "year", "canonical"], kind="stable").reset_index(drop=True)[COMPARE_COLUMNS]

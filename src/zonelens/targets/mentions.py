"""Quantities in a sentence: number (or range) + unit + the qualifier written after it.

Traps are dropped here: years and durations (unit 年), ordinals and ranks (第一, 前2位), names and
codes (5G, PM2.5: a letter touches the number), 十四五 (not a well-formed number), document numbers
(〔2024〕5号: no unit), class thresholds (50亿元以上项目, 60岁以上老人) and single small Chinese
numerals before a count unit (三大工程, 两个维护, 一批).
"""

from __future__ import annotations

from dataclasses import dataclass

from .numerals import fold, fraction_percent, number_value
from .patterns import Patterns

SHARE_UNITS = {"成": 10.0}  # 三成 = 30%


@dataclass(frozen=True)
class Mention:
    start: int          # offsets into the sentence
    end: int            # after the unit and its qualifier
    low: float
    high: float
    unit: str
    qualifier: str      # written after the number (以上, 左右, 以内 …), or ''
    chinese: bool       # the number was written in Chinese numerals
    value_end: int      # offset right after the unit (before the qualifier)


def _ordinal(folded: str, start: int, p: Patterns) -> bool:
    before = folded[max(0, start - 3):start]
    return any(before.endswith(w) for w in p.words("ordinal_before"))


def _quoted(folded: str, start: int, end: int) -> bool:
    """A programme's name in quotes ("31条", “百千万”) is not a quantity."""
    return start > 0 and folded[start - 1] in "“\"‘「" and end < len(folded) and folded[end] in "”\"’」"


def _is_chinese(s: str) -> bool:
    return not any(c.isdigit() for c in fold(s))


def find_mentions(text: str, p: Patterns) -> list[Mention]:
    """Every quantity of ``text`` that may be a target, in order."""
    folded = fold(text)
    out: list[Mention] = []
    for m in p.mention.finditer(folded):
        g = m.groupdict()
        chinese = False
        if m.group().startswith("翻"):  # 翻番 = 2 倍, 翻两番 = 4 倍
            lo = hi = float(2 ** int(number_value(g["fan"]) if g["fan"] else 1))
            unit, chinese = "倍", False
        elif g["pct"] is not None:
            lo = number_value(g["pct"])
            hi = number_value(g["pct2"]) if g["pct2"] else lo
            unit, chinese = "%", True
        elif g["fden"] is not None:
            den, num = number_value(g["fden"]), number_value(g["fnum"])
            if not den or num is None or num >= den:
                continue
            lo = hi = fraction_percent(num, den)
            unit, chinese = "%", True
        elif g["v1"] is not None:
            unit = g["u2"]
            if g["u1"] and g["u1"] != unit:
                continue  # 2023年3月-5月, 5个-10家: not one range
            lo, hi = number_value(g["v1"]), number_value(g["v2"])
            chinese = _is_chinese(g["v1"])
        else:
            unit = (g["mult"] or "") + g["u"]  # 4.5万余人: 万人, qualifier 余
            lo = hi = number_value(g["v"])
            chinese = _is_chinese(g["v"])
        if lo is None or hi is None:
            continue  # 十四五 and other strings of numerals that are no number
        kind = p.unit_kind(unit)
        if kind == "never" or _ordinal(folded, m.start(), p) or _quoted(folded, m.start(), m.end()):
            continue
        if unit in SHARE_UNITS:
            lo, hi, unit = lo * SHARE_UNITS[unit], hi * SHARE_UNITS[unit], "%"
        if chinese and kind == "count" and hi < p.min_chinese_count and not any(c in "十百千" for c in m.group()):
            continue
        value_end = m.end()
        follow = p.class_follow if kind == "level" else p.threshold_follow
        if follow.match(folded, value_end):
            continue
        qualifier = g.get("approx") or g.get("approx2") or ""
        q = p.qual_after.match(folded, value_end)
        end = value_end
        if q and not qualifier:
            qualifier, end = q.group("q"), q.end()
            if follow.match(folded, end) or (qualifier in ("以上", "以下") and kind == "level" and _noun_follows(folded, end)):
                continue  # 50亿元以上项目: a class of projects, not a target
        if lo > hi:
            lo, hi = hi, lo
        out.append(Mention(m.start(), end, lo, hi, unit, qualifier, chinese, value_end))
    return out


def _noun_follows(folded: str, pos: int) -> bool:
    """A threshold like 亿元以上 followed straight by a word (亿元以上工业企业): a class."""
    if pos >= len(folded):
        return False
    c = folded[pos]
    return "\u4e00" <= c <= "\u9fff" and c not in "的和、与及并且为是将要，。；"

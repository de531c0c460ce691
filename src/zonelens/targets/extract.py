"""One record per quantitative statement of a sentence: indicator, value(s), unit, qualifier, kind,
direction.

For each quantity (:mod:`.mentions`) the text before it, back to the clause boundary or the previous
quantity, is read from its end (:mod:`.phrases`): a qualifier (约, 不低于), a direction verb (增长,
控制在), another qualifier, and what is left is the indicator as written, frame words (预计, 全市,
其中) and verbs (完成, 新建) trimmed from its start. When only a verb stands before the number, or the
clause opens with it, the indicator is the noun after it (新建6座深远海养殖网箱, 887家企业…). A
quantity with nothing before it in a list (增长5%、9%、6%左右) takes the previous indicator; items
joined by 、 share the direction and 力争 of the first (新增A 5家、B 3家).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from .mentions import find_mentions
from .patterns import Patterns, load_patterns
from .numerals import fold
from .phrases import BOUNDARY, Before, ends, peel, phrase_after, phrase_before, strip_lead

_PCT = {"%", "‰"}
_YEAR_RE = re.compile(r"((?:19|20)\d{2}|[一二][九〇零][〇零一二三四五六七八九]{2})年")


@dataclass(frozen=True)
class Target:
    indicator: str
    low: float
    high: float
    unit: str
    qualifier: str
    kind: str        # growth | level | share | count
    direction: str
    start: int       # the quantity's offsets in the sentence
    end: int

    def to_dict(self) -> dict:
        return asdict(self)


def _kind(unit: str, direction: str, indicator: str, p: Patterns) -> str:
    if unit not in _PCT and unit not in ("百分点", "个百分点", "倍") and indicator.startswith(p.words("ratio_starts")):
        return "share"  # 每万人发明专利拥有量 34件: a per-capita ratio
    if unit in _PCT or unit in ("百分点", "个百分点"):
        if unit not in _PCT and ends(indicator, p.words("share_endings")):
            return "share"  # 城镇化率提高1个百分点
        if direction in p.words("change_directions") or ends(indicator, p.words("growth_endings")):
            return "growth"
        return "growth" if unit not in _PCT else "share"
    if unit == "倍":
        return "growth" if direction in p.words("change_directions") or not direction else "share"
    return p.unit_kind(unit)


def _direction(raw: str, kind: str, indicator: str, p: Patterns) -> str:
    if raw.startswith("上升"):
        return "提高" if kind == "share" else "增长"
    if not raw and kind == "growth" and ends(indicator, p.words("growth_names")):
        return "增长"
    return p.norm("direction_norm", raw)


def _qualifier(candidates: list[str], p: Patterns) -> str:
    """A bound written next to the number wins, then 力争, then 达到 (weak_qualifiers in order)."""
    qs = [p.norm("qualifier_norm", q) for q in candidates if q]
    weak = p.words("weak_qualifiers")
    strong = [q for q in qs if q not in weak]
    if strong:
        return strong[0]
    for w in weak:
        if w in qs:
            return w
    return ""


def extract_sentence(text: str, patterns: Patterns | None = None) -> list[Target]:
    """Every target of one sentence, in order of its quantities."""
    p = patterns or load_patterns()
    out: list[Target] = []
    prev: Target | None = None
    prev_end, prev_head, prev_dir = 0, "", ""
    pending: list[str] = []
    mentions = find_mentions(text, p)
    for i, m in enumerate(mentions):
        cut = max((text.rfind(c, 0, m.start) for c in BOUNDARY), default=-1) + 1
        seg_start = max(cut, prev_end)
        b: Before = peel(text[seg_start:m.start], p)
        gap = text[prev_end:seg_start]
        listed = prev is not None and "、" in text[prev_end:m.start] and not any(c in text[prev_end:m.start] for c in "，,；;。")
        indicator, opened = phrase_before(b, p)
        stop = mentions[i + 1].start if i + 1 < len(mentions) else len(text)
        after = phrase_after(text, m.end, stop, p) if (m.unit not in _PCT or not indicator) else ""
        own = indicator
        if after:
            indicator = after  # N个X: X is what is counted
        elif (not indicator or indicator in p.words("growth_names")) and prev is not None:
            indicator = prev.indicator  # 44.9亿元，同比增速17%
            if pending and listed:
                indicator = pending.pop(0)  # A、B分别增长5%、6%
        own = own if own in p.words("growth_names") else indicator
        segment = text[seg_start:m.start]
        if "分别" in segment and "、" in indicator and not after:
            parts = indicator.split("、")
            if len(parts) <= 4 and all(len(x) >= 2 for x in parts):
                pending = parts
                indicator = pending.pop(0)
        elif not indicator:
            indicator = _subject(text, cut, p)
        clause = text[max(text.rfind("；", 0, m.start), text.rfind(";", 0, m.start)) + 1:m.start]
        head = next((w for w in p.words("head_qualifiers") if w in clause), "")
        if head and head not in text[cut:m.start] and text[cut:m.start].startswith(p.words("verbs")):
            head = ""  # 力争A…，培育B: a new verb opens a new commitment
        raw_dir = b.direction or opened or (prev_dir if listed else "")
        kind = _kind(m.unit, raw_dir, own, p)
        direction = _direction(raw_dir, kind, own, p)
        qualifier = _qualifier([m.qualifier, *b.qualifiers, head], p)
        parts = _parts(indicator, segment) if not after else [indicator]
        for part in parts:
            out.append(Target(part, m.low, m.high, m.unit, qualifier, kind, direction, m.start, m.end))
        t = out[-1]
        prev, prev_end, prev_head, prev_dir = t, m.end, head, raw_dir
    return _share_list_qualifier(out, text)


def _parts(indicator: str, segment: str) -> list[str]:
    """A、B均增长5%: one record per named indicator (each part at least 3 characters, so that
    一、二、三产 stays one phrase; with 分别 the values are paired in order instead)."""
    if "、" not in indicator or "分别" in segment or not any(w in segment for w in ("均", "都")):
        return [indicator]
    parts = [x for x in indicator.split("、")]
    if len(parts) > 4 or any(len(x) < 3 for x in parts):
        return [indicator]
    return parts


def _subject(text: str, cut: int, p: Patterns) -> str:
    """The subject an earlier clause names (城镇居民人均生活费收入，1982年为494.5元): its first clause
    when it holds no number."""
    first = text[: max(cut - 1, 0)]
    j = min([first.find(c) for c in BOUNDARY if c in first] or [len(first)])
    clause = first[:j]
    if not clause or any(ch.isdigit() for ch in fold(clause)) or len(clause) > 16:
        return ""
    return strip_lead(clause, p)


def _share_list_qualifier(targets: list[Target], text: str) -> list[Target]:
    """In 增长5%、9%、6%左右 the last item's qualifier is the whole list's: give it to the items joined
    by 、 before it that have none."""
    out = list(targets)
    for i in range(len(out) - 2, -1, -1):
        a, b = out[i], out[i + 1]
        if not a.qualifier and b.qualifier and a.unit == b.unit and text[a.end:b.start] in ("、", "，", ","):
            if b.indicator == a.indicator:
                out[i] = Target(a.indicator, a.low, a.high, a.unit, b.qualifier, a.kind, a.direction, a.start, a.end)
    return out


def sentence_period(text: str, period: str | None, p: Patterns | None = None, has_target: bool | None = None) -> str:
    """plan | review | other: strong cues in the sentence (力争, 预期目标 / 预计全年, 同比增长) first,
    then the section's period, then (section unknown) a count of weak plan and review cues."""
    p = p or load_patterns()
    if any(c in text for c in p.words("strong_review_cues")) or text.startswith("预计"):
        return "review"
    if any(c in text for c in p.words("strong_plan_cues")):
        return "plan"
    if period in ("plan", "review"):
        return period
    n_plan = sum(text.count(c) for c in p.words("plan_cues"))
    n_review = sum(text.count(c) for c in p.words("review_cues"))
    if n_plan == n_review == 0 and not has_target:
        return "other"
    if n_plan == n_review:
        has = has_target if has_target is not None else bool(extract_sentence(text, p))
        return "review" if has else "plan"
    return "plan" if n_plan > n_review else "review"


def heading_year(heading_path: str | None) -> int | None:
    """The year a heading path names, innermost first (二、2024年工作安排 → 2024)."""
    if not heading_path:
        return None
    from .numerals import fold, number_value

    for part in reversed(str(heading_path).split(" > ")):
        m = _YEAR_RE.search(fold(part))
        if m:
            v = number_value(m.group(1))
            return int(v) if v else None
    return None


def target_year(heading_path: str | None, period: str) -> int | None:
    """The planned year when the section heading names it (plan sentences only)."""
    return heading_year(heading_path) if period == "plan" else None

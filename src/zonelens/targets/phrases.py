"""The words around a quantity: what comes before it (indicator, direction, qualifiers) and the noun
phrase after it (完成32个老旧小区改造: the indicator follows the number)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .numerals import fold
from .patterns import Patterns

BOUNDARY = "，,；;。：:！？!?（）()"
AFTER_STOP = BOUNDARY + "、"
MAX_INDICATOR = 20
QUOTES = re.compile(r"[“”‘’\"「」『』]")
LEAD_YEAR = re.compile(r"^(?:(?:19|20)\d{2}\s*年(?:底|末|全年)?(?:的)?|(?:今后|未来)?[一二三四五六七八九十]年(?:间|来|内|中)?|“?十[一二三四五]五”?(?:期间|时期|末)?)")
# 比上年 / 将比1980年 / 较2020年 before a direction
TRAILING_YEAR = re.compile(r"(?:到|至|从|由|在|是)?(?:19|20)\d{2}\s*年(?:底|末)?(?:的)?$")
COMPARED = re.compile(r"(?:将|要)?(?:比|较|同)(?:上年|去年|上一年|(?:19|20)\d{2}\s*年)(?:同期)?$")
PAREN_START = re.compile(r"^\s*[（(][^）)]{0,6}[）)]")


def ends(text: str, words) -> str:
    """The longest of ``words`` that ends ``text``, or ''."""
    best = ""
    for w in words:
        if w and len(w) > len(best) and text.endswith(w):
            best = w
    return best


def clean(indicator: str, head: bool = False) -> str:
    """Quotes dropped, at most MAX_INDICATOR characters (the end, where the noun is; the start for a
    phrase read after the number)."""
    text = QUOTES.sub("", indicator).strip(" 、，,")
    return text[:MAX_INDICATOR] if head else text[-MAX_INDICATOR:]


@dataclass
class Before:
    rest: str               # the phrase before the number without direction, qualifiers, fillers
    direction: str          # written next to the number (as written)
    qualifiers: list[str]   # written next to the number, nearest first
    verb_end: bool          # the phrase ends with a verb (新建 | 6座深远海养殖网箱)
    listing: bool           # the phrase ends with 等 (A、B等 | 11个项目)


def peel(segment: str, p: Patterns) -> Before:
    """Read the segment before a number from its end: the longest qualifier, direction (once) or
    filler word that ends it is taken off, until none does."""
    rest = segment.rstrip(" 、")
    direction, quals = "", []
    while rest:
        y = TRAILING_YEAR.search(fold(rest))
        if y and y.start() > 0:
            rest = rest[: y.start()].rstrip(" 、")
            continue
        cands = []
        q = ends(rest, p.words("qualifiers_before"))
        if q and len(quals) < 2:
            cands.append((q, "q"))
        d = "" if direction else ends(rest, p.words("directions"))
        if d:
            cands.append((d, "d"))
        t = ends(rest, p.words("tail_words"))
        if t:
            cands.append((t, "t"))
        if not cands:
            break
        w, what = max(cands, key=lambda c: len(c[0]))
        rest = rest[: -len(w)].rstrip(" 、")
        if what == "q":
            quals.append(w)
        elif what == "d":
            direction = w
            while True:
                prefix = ends(rest, p.words("direction_prefixes"))
                c = COMPARED.search(fold(rest))
                if not prefix and not c:
                    break
                rest = rest[: -len(prefix)] if prefix else rest[: c.start()]
    listing = rest.endswith("等")
    if listing:
        rest = rest[:-1]
    verb_end = bool(ends(rest, p.words("verbs")))
    return Before(rest, direction, quals, verb_end, listing)


def strip_lead(text: str, p: Patterns) -> str:
    """Frame words (预计, 全市, 其中, 2024年) off the start of a phrase."""
    lead = p.words("lead_words")
    changed = True
    while changed and text:
        changed = False
        text = text.lstrip(" 、，,")
        y = LEAD_YEAR.match(fold(text))
        if y and y.end() > 0:
            text, changed = text[y.end():], True
            continue
        for w in sorted(lead, key=len, reverse=True):
            if text.startswith(w) and len(text) > len(w):
                text, changed = text[len(w):], True
                break
    return text


def strip_tail(text: str, p: Patterns) -> str:
    while True:
        t = text.rstrip(" 、")
        w = ends(t, p.words("tail_words"))
        if not w:
            return t
        text = t[: -len(w)]


def after_verb(text: str, p: Patterns) -> tuple[str, str]:
    """(the phrase after the last verb in it, a direction verb that opened it). 制定修订行政法规 →
    行政法规; 新增高新技术企业 → (高新技术企业, 新增)."""
    opened = ""
    for w in sorted(p.words("inner_directions"), key=len, reverse=True):
        if text.startswith(w) and len(text) > len(w) + 1:
            opened, text = w, text[len(w):]
            break
    cut = -1
    for v in p.words("verbs"):
        i = text.rfind(v)
        if i >= 0 and len(text) - (i + len(v)) >= 2:
            cut = max(cut, i + len(v))
    return (text[cut:] if cut >= 0 else text), opened


def phrase_before(b: Before, p: Patterns) -> tuple[str, str]:
    """(indicator, direction that opened it) from the peeled segment."""
    text = b.rest.strip()
    for v in p.words("drop_verbs"):
        text = text.replace(v, "")
    text = strip_tail(strip_lead(text, p), p)
    if text in p.words("list_joiners") or text in p.words("lead_words") or ends(text, p.words("verbs")) == text:
        return "", ""
    text, opened = after_verb(text, p)
    if not opened:
        opened = next((w for w in p.words("inner_directions") if w in text[:4]), "")
    return clean(text), opened


def phrase_after(text: str, start: int, stop: int, p: Patterns) -> str:
    """The noun phrase right after a quantity (up to a boundary, the next quantity or a stop word);
    '' when the quantity is followed by punctuation or by 的."""
    seg = text[start:stop]
    m = PAREN_START.match(seg)
    if m:
        seg = seg[m.end():]
    j = 0
    while j < len(seg) and seg[j] not in AFTER_STOP:
        j += 1
    seg = seg[:j]
    if not seg or seg[0] in "的是地" or not ("\u4e00" <= seg[0] <= "\u9fff" or seg[0] in "“\"‘" or seg[0].isdigit()):
        return ""
    d = re.search(r"\d", seg[1:])  # a later number (a year, a rank) ends the phrase unless it is a grade (10万吨级)
    if d and not re.match(r"\d+(?:\.\d+)?万?[吨千瓦]*级", seg[1 + d.start():]):
        seg = seg[: 1 + d.start()]
    if seg.startswith(p.words("list_joiners") + p.words("directions") + p.words("qualifiers_before")
                      + p.words("after_stops") + p.words("qualifiers_after")):
        return ""  # 7.4万亿元增加到…, 3.14%和4.66%: no noun follows
    cut = len(seg)
    for w in p.words("after_stops"):
        i = seg.find(w)
        if 0 < i < cut:
            cut = i
    return clean(strip_tail(seg[:cut], p), head=True)

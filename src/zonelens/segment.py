"""Segmentation: cleaned report text → sentences and headings with offsets, heading path and period.

Sentences end at 。！？ (closing quotes stay with their sentence) and at ； between
independent clauses. Heading lines (一、 （一） 1. ◆ ——, or short lines without terminal
punctuation) are their own units; so is a short lead sentence that opens a numbered
paragraph ("（一）坚持创新驱动。…"). Each unit carries its heading path and a period:
``review`` (what was done), ``plan`` (what will be done) or ``unknown``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .ingest.clean import _HEADING_START, CLOSERS, looks_like_heading

ENDERS = "。！？"
HALF_ENDERS = "!?"
SEMIS = "；;"
OPENERS = "“‘「『（(【《"
MIN_CLAUSE = 8  # a ；-separated piece shorter than this stays with its neighbour
LEAD_MAX = 30  # a marked paragraph's first sentence up to this length is an inline heading


@dataclass(frozen=True)
class Unit:
    idx: int
    text: str
    is_heading: bool
    heading_path: str
    period: str
    char_start: int
    char_end: int


_MARKERS = [
    (1, re.compile(r"^第[一二三四五六七八九十百]+[章节部分篇]")),
    (1, re.compile(r"^[一二三四五六七八九十]+[、.．]")),
    (2, re.compile(r"^[（(][一二三四五六七八九十]+[）)]")),
    (2, re.compile(r"^[◆■●▲★☆◇※]")),
    (3, re.compile(r"^\d+[、.．](?!\d)")),
    (3, re.compile(r"^—{1,2}")),
    (4, re.compile(r"^[（(]\d+[）)]")),
]

_REVIEW_HEAD = re.compile(
    r"回顾|工作成效|主要成效|主要成绩|成就|过去(的)?[一二三四五六七八九十两\d]+年|[一二三四五六七八九十两]年来|工作总结"
    r"|主要工作(开展)?情况|取得的(主要)?成[绩效就]|完成情况|回眸")
# A five-year plan named in a heading ("十四五"时期…): the past when the report comes after its end.
_PLAN_PERIOD = re.compile(r"十([一二三四五六七八九])五")
_CN_NUM = {c: i for i, c in enumerate("一二三四五六七八九", 1)}
# Front matter before the speech: title, subtitle (——…在…会议上), byline, greeting. Always unknown.
_FRONT = re.compile(
    r"^(各位代表|同志们|各位委员|女士们)|^.{0,40}(会议|会議|大会)上$|^[—－-]{1,2}.{0,40}(会议|会議|大会)"
    r"|^[（(].{0,40}(会议|会議|大会)上.{0,12}[）)]$"
    r"|^\S{0,12}(省长|市长|主席|主任|区长|县长|州长|盟长|总理)\s*\S{1,2}\s?\S{0,2}$"
    r"|(政府工作报告|工作报告|工作总结|工作要点)([（(].{1,10}[）)])?$|^\d{4}年\d{1,2}月\d{1,2}日$")
_GREETING = re.compile(r"^(各位代表|同志们|各位委员|女士们)")
FRONT_UNITS = 8  # front matter is looked for among the first units only
FRONT_CHARS = 60  # and in short lines (a greeting glued to the speech is not front matter)
_PLAN_HEAD = re.compile(r"工作安排|工作打算|工作思路|总体要求|主要任务|重点任务|重点工作|工作重点|目标任务|主要目标|预期目标|主要预期|展望|今年|明年|下一步|工作部署|工作要点|建议|全力推进|奋力")
_REVIEW_CUE = re.compile(r"^(过去(的)?[一五十]年|去年|一年来|五年来|刚刚过去|回眸|回顾|\d{4}年[，,]?(我们|全[市区省县]|全区上下|高新区|新区|开发区)?.{0,6}(实现|完成|取得))")
_PLAN_CUE = re.compile(r"^(今年|明年|下一步|展望|新的一年|\d{4}年[，,]?(我们|全[市区省县]|.{0,8})?(将|要|力争|主要预期目标))")
_YEAR = re.compile(r"((?:19|20)\d{2})")


def heading_level(text: str) -> int:
    for level, pat in _MARKERS:
        if pat.match(text):
            return level
    return 1


def _period_from_heading(text: str, year: int | None) -> str | None:
    if _REVIEW_HEAD.search(text):
        return "review"
    m = _YEAR.search(text)
    if m and year:
        return "review" if int(m.group(1)) < year else "plan"
    m = _PLAN_PERIOD.search(text)
    if m and year and year > 1955 + 5 * (10 + _CN_NUM[m.group(1)]):  # 十四五 = 2021-2025
        return "review"
    if _PLAN_HEAD.search(text):
        return "plan"
    return None


def _period_from_sentence(text: str) -> str | None:
    if _REVIEW_CUE.search(text):
        return "review"
    if _PLAN_CUE.search(text):
        return "plan"
    return None


def split_sentences(line: str) -> list[tuple[int, int]]:
    """Split one paragraph into (start, end) spans of sentences."""
    spans: list[tuple[int, int]] = []
    depth = 0
    start = 0
    i = 0
    n = len(line)
    while i < n:
        ch = line[i]
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS and depth > 0:
            depth -= 1
        is_end = ch in ENDERS or (ch in HALF_ENDERS and i > 0 and ord(line[i - 1]) > 0x2E7F)
        if is_end or (ch in SEMIS and depth == 0):
            j = i + 1
            while j < n and line[j] in CLOSERS + ENDERS:
                j += 1
            if is_end:
                depth = 0
            spans.append((start, j))
            start = j
            i = j
            continue
        i += 1
    if start < n:
        spans.append((start, n))
    spans = [(a, b) for a, b in spans if line[a:b].strip()]
    return _merge_short_clauses(line, spans)


def _merge_short_clauses(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Keep a ；-piece shorter than MIN_CLAUSE with its neighbour (it is not an independent clause)."""
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        piece = line[a:b].strip()
        if merged:
            pa, pb = merged[-1]
            prev = line[pa:pb].strip()
            prev_semi = prev[-1:] in SEMIS
            if prev_semi and (len(piece) < MIN_CLAUSE or len(prev) < MIN_CLAUSE):
                merged[-1] = (pa, b)
                continue
        merged.append((a, b))
    return merged


def segment(text: str, year: int | None = None) -> list[Unit]:
    """Segment cleaned text (paragraphs separated by newlines) into units. Front matter (title,
    subtitle, byline, greeting, before any other sentence) is ``unknown`` and sets no period."""
    units: list[Unit] = []
    front = True
    stack: list[tuple[int, str]] = []  # (level, heading text)
    period: str | None = None
    period_level = 99
    offset = 0
    for raw in text.split("\n"):
        line_start = offset
        offset += len(raw) + 1
        lead = len(raw) - len(raw.lstrip())
        line = raw.strip()
        if not line:
            continue
        base = line_start + lead

        def emit(a: int, b: int, is_heading: bool, cur_period: str | None) -> None:
            seg = line[a:b]
            la = len(seg) - len(seg.lstrip())
            seg_s = seg.strip()
            path = " > ".join(h for _, h in stack)
            units.append(Unit(len(units), seg_s, is_heading, path, cur_period or "unknown",
                              base + a + la, base + a + la + len(seg_s)))

        def push_heading(htext: str) -> None:
            nonlocal period, period_level
            level = heading_level(htext)
            while stack and stack[-1][0] >= level:
                stack.pop()
            found = _period_from_heading(htext, year)
            if found:
                period, period_level = found, level
            elif level <= period_level and period_level != 99 and heading_level(htext) < period_level:
                period, period_level = None, 99
            stack.append((level, htext[:40]))

        if front and len(units) < FRONT_UNITS and len(line) <= FRONT_CHARS and (_FRONT.search(line) or (
                looks_like_heading(line) and not _HEADING_START.match(line))):
            greeting = bool(_GREETING.match(line))
            emit(0, len(line), looks_like_heading(line) and not greeting, None)
            front = not greeting  # the speech starts after the greeting
            continue
        front = False
        if looks_like_heading(line):
            push_heading(line)
            top = stack.pop()  # the heading's own path excludes itself
            emit(0, len(line), True, period)
            stack.append(top)
            continue
        spans = split_sentences(line)
        first = True
        for a, b in spans:
            sent = line[a:b].strip()
            if first and len(spans) > 1 and heading_level(line) > 1 or (
                    first and len(spans) > 1 and re.match(r"^[一二三四五六七八九十]+、", line)):
                if len(sent) <= LEAD_MAX:
                    push_heading(sent)
                    top = stack.pop()
                    emit(a, b, True, period)
                    stack.append(top)
                    first = False
                    continue
            if first:
                cue = _period_from_sentence(sent)
                if cue and (period is None or period_level >= 3):
                    period, period_level = cue, 98
            emit(a, b, False, period)
            first = False
    return units

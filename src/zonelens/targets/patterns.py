"""The extractor's word lists (``patterns.yaml``) and the regular expressions built from them.

:func:`load_patterns` reads a patterns file once per file version (path, size, mtime) and returns
an immutable :class:`Patterns`; pass another file to try other lists without touching the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from ..errors import ZonelensError
from .numerals import ARABIC, CN_CHARS, CN_NUMBER, DIGITS

# 万/亿 in front of a count or amount unit: 1.2万家, 3亿立方米 (the unit is kept as written).
MULTIPLIERS = ("万亿", "亿", "万", "千", "百")
SEPARATORS = r"(?:——|--|[-~—–至到])"
LIST_KEYS = ("qualifiers_after", "qualifiers_before", "directions", "change_directions", "share_endings",
             "growth_endings", "class_followers", "ordinal_before", "lead_words", "list_joiners",
             "plan_cues", "review_cues", "direction_prefixes", "inner_directions", "tail_words", "weak_qualifiers",
             "head_qualifiers", "growth_names", "verbs", "after_stops", "drop_verbs",
             "strong_plan_cues", "strong_review_cues", "ratio_starts")
MAP_KEYS = ("qualifier_norm", "direction_norm")


def default_patterns_path() -> Path:
    return Path(str(resources.files("zonelens.targets").joinpath("patterns.yaml")))


def _alt(words) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


@dataclass(frozen=True)
class Patterns:
    units: dict[str, str]                 # unit as written → kind (or 'never')
    lists: dict[str, tuple[str, ...]]
    maps: dict[str, dict[str, str]]
    min_chinese_count: int
    mention: re.Pattern
    qual_after: re.Pattern
    class_follow: re.Pattern       # after an amount: 50亿元(以上)项目
    threshold_follow: re.Pattern   # after a count or share: only with 以上/以下/级 (30家以上企业)
    direction_re: re.Pattern
    qual_before_re: re.Pattern
    source: str

    def words(self, key: str) -> tuple[str, ...]:
        return self.lists[key]

    def norm(self, key: str, word: str) -> str:
        return self.maps[key].get(word, word)

    def unit_kind(self, unit: str) -> str:
        if unit in self.units:
            return self.units[unit]
        for m in MULTIPLIERS:
            if unit.startswith(m) and unit[len(m):] in self.units:
                return self.units[unit[len(m):]]
        return "level"


def _all_units(units: dict[str, str]) -> list[str]:
    """The units as listed plus 万/亿-prefixed forms of the count and amount units."""
    out = set(units)
    for u, kind in units.items():
        if kind in ("count", "level") and not u.startswith(MULTIPLIERS) and u not in ("个工作日", "工作日"):
            out.update(m + u for m in ("万", "亿"))
    return sorted(out, key=lambda w: (-len(w), w))


def _mention_regex(units: dict[str, str]) -> re.Pattern:
    """One regex for every quantity form, on folded text (full-width already mapped to ASCII).

    Groups: ``pct`` (百分之 V), ``fnum/fden`` (V分之V), ``v1`` [``u1``] SEP ``v2`` ``u2`` (ranges) and
    ``v`` ``u`` (a single value with its unit)."""
    num = rf"(?:{ARABIC}|{CN_NUMBER})"
    unit = _alt(_all_units(units) + ["%", "‰"])
    start = rf"(?<![\dA-Za-z.{CN_CHARS}])"  # not inside a code (PM2.5, 5G), a longer number or 十四五
    end = r"(?![A-Za-z])"
    return re.compile(
        rf"{start}(?:"
        rf"翻(?P<fan>一|两|二|三)?番"
        rf"|百分之(?P<pct>{num})(?:{SEPARATORS}百分之(?P<pct2>{num}))?"
        rf"|(?P<fden>[{''.join(DIGITS)}十百千]+)分之(?P<fnum>[{''.join(DIGITS)}十]+)"
        rf"|(?P<v1>{num})\s*(?P<u1>{unit})?\s*{SEPARATORS}\s*(?P<v2>{num})\s*(?P<u2>{unit}){end}"
        rf"|(?P<v>{num})(?:(?P<mult>万亿|亿|万)(?P<approx2>多|余))?(?P<approx>多|余)?\s*(?P<u>{unit}){end}"
        r")")


def read_yaml(path: str | Path, what: str):
    """A YAML data file, or one ZonelensError line naming the file and ``what`` it is."""
    try:
        return yaml.safe_load(Path(path).read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ZonelensError(f"{path}: cannot read {what} ({exc})") from None


@lru_cache(maxsize=8)
def _load(path: str, _size: int, _mtime: float) -> Patterns:
    data = read_yaml(path, "the targets patterns")
    if not isinstance(data, dict) or not isinstance(data.get("units"), dict):
        raise ZonelensError(f"{path}: the targets patterns need a 'units' mapping")
    missing = [k for k in LIST_KEYS if not isinstance(data.get(k), list)]
    if missing:
        raise ZonelensError(f"{path}: the targets patterns need the lists {', '.join(missing)}")
    units = {str(k): str(v) for k, v in data["units"].items()}
    lists = {k: tuple(str(w) for w in data[k]) for k in LIST_KEYS}
    bad = [k for k in MAP_KEYS if not isinstance(data.get(k), dict)]
    if bad:
        raise ZonelensError(f"{path}: the targets patterns need the mappings {', '.join(bad)}")
    maps = {k: {str(a): str(b) for a, b in data[k].items()} for k in MAP_KEYS}
    return Patterns(
        units=units, lists=lists, maps=maps, min_chinese_count=int(data.get("min_chinese_count", 11)),
        mention=_mention_regex(units),
        qual_after=re.compile(rf"\s*(?P<q>{_alt(lists['qualifiers_after'])})"),
        class_follow=re.compile(rf"(?:及以上|以上|以下|级)?(?:{_alt(lists['class_followers'])})"),
        threshold_follow=re.compile(rf"(?:及以上|以上|以下|级)(?:{_alt(lists['class_followers'])})"),
        direction_re=re.compile(_alt(lists["directions"])),
        qual_before_re=re.compile(_alt(lists["qualifiers_before"])),
        source=path)


def load_patterns(path: str | Path | None = None) -> Patterns:
    """The patterns of ``path`` (default: the package's ``patterns.yaml``), parsed once per version."""
    p = Path(path) if path is not None else default_patterns_path()
    try:
        st = p.stat()
    except OSError as exc:
        raise ZonelensError(f"{p}: cannot read the targets patterns ({exc.strerror})") from None
    return _load(str(p), st.st_size, st.st_mtime)

"""Zone and year of a report: manifest, then corpus columns, then inference from title and text.

Every value carries where it came from (``source``) and how sure we are (``confidence``).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from ..errors import InputError

ZONE_TYPES = {
    "高新技术产业开发区": "高新区", "高新区": "高新区", "经济技术开发区": "经开区", "经开区": "经开区",
    "经济开发区": "经济开发区", "开发区": "开发区", "新区": "新区", "自贸区": "自贸区",
    "自由贸易试验区": "自贸区", "工业园区": "工业园区", "产业园区": "产业园区",
}
_TYPE_ALT = "|".join(sorted(ZONE_TYPES, key=len, reverse=True))
_NAMED_ZONE = re.compile(rf"([\u4e00-\u9fff]{{2,7}}?)({_TYPE_ALT})")
_TITLE_ZONE = re.compile(rf"^([\u4e00-\u9fff]{{2,5}}?)({_TYPE_ALT})")
_YEAR_EVENT = re.compile(r"((?:19|20)\d{2})年(?:度)?(?:全[区市省县]|全区|全市)?(?:经济|政府)?工作(?:会议|总结|报告|要点|计划)")
_YEAR_IS = re.compile(r"((?:19|20)\d{2})年(?:是|，是|,是)")
_REVIEW_OF = re.compile(r"((?:19|20)\d{2})年(?:主要|政府)?(?:工作)?回顾")
_PLAN_OF = re.compile(r"((?:19|20)\d{2})年(?:的)?(?:工作安排|工作任务|主要任务|重点工作|主要预期目标|工作重点)")
_DATE = re.compile(r"(?:时间|日期|发布时间)\s*[:：]\s*((?:19|20)\d{2})[-/年.]")
_NATIONAL = re.compile(r"代表国务院|国务院向大会|国务院政府工作报告")
_GOV_REPORT = re.compile(r"代表.{0,8}([市省州区县])人民政府.{0,6}向大会|([市省州区县])人民政府.{0,4}向大会报告")
_ANY_YEAR = re.compile(r"((?:19|20)\d{2})年")


@dataclass(frozen=True)
class Value:
    value: str | int | None
    source: str  # manifest | column | option | title | text | filename | folder | none
    confidence: float
    candidates: tuple[str, ...] = ()  # conflicting evidence, "value (source)", strongest first


NONE = Value(None, "none", 0.0)


@dataclass(frozen=True)
class Gazetteer:
    cities: dict[str, str]  # short → full name
    provinces: dict[str, str]
    counties: dict[str, str]
    new_zones: tuple[tuple[str, tuple[str, ...]], ...]

    def place(self, short: str) -> str | None:
        for table in (self.counties, self.cities, self.provinces):
            if short in table:
                return short
        return None


@lru_cache(maxsize=1)
def places_yaml() -> dict:
    """The bundled gazetteer (``data/places.yaml``), parsed once per process."""
    return yaml.safe_load(resources.files("zonelens.data").joinpath("places.yaml").read_text("utf-8"))


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    raw = places_yaml()
    return Gazetteer(
        {c["short"]: c["name"] for c in raw["cities"]},
        {p["short"]: p["name"] for p in raw["provinces"]},
        {c["short"]: c["name"] for c in raw.get("county_level", [])},
        tuple((z["name"], tuple(z["keywords"])) for z in raw["national_new_zones"]),
    )


def _named_zones(text: str, gaz: Gazetteer) -> Counter:
    """Counts of '<place><zone type>' names whose place is a known place (longest known suffix)."""
    found: Counter = Counter()
    for m in _NAMED_ZONE.finditer(text):
        head, kind = m.group(1), ZONE_TYPES[m.group(2)]
        for k in range(len(head) - 1):
            cand = head[k:]
            if gaz.place(cand):
                found[cand + kind] += 1
                break
    return found


def _place_counts(text: str, gaz: Gazetteer) -> Counter:
    counts: Counter = Counter()
    for table in (gaz.cities, gaz.counties):
        for short in table:
            n = text.count(short)
            if n:
                counts[short] += n
    return counts


def infer_zone(title: str, text: str, stem: str | None = None) -> Value:
    """Infer the zone from title and text (and, last, from a file name that is a place name)."""
    gaz = gazetteer()
    head = title + "\n" + text[:300]
    named = _named_zones(head, gaz)
    if named:
        return Value(named.most_common(1)[0][0], "title", 0.95)
    m = _TITLE_ZONE.match(title)
    if m:  # a title that opens with '<name><zone type>': trust it even for a place we do not know
        return Value(m.group(1) + ZONE_TYPES[m.group(2)], "title", 0.8)
    opening = head + text[:2000]
    if _NATIONAL.search(opening):
        return Value("全国", "text", 0.9)
    if _GOV_REPORT.search(opening):
        level = _GOV_REPORT.search(opening).group(1)
        places = _place_counts(text, gaz)
        table = gaz.provinces if level == "省" else {**gaz.counties, **gaz.cities}
        if stem and stem in table and places.get(stem):
            return Value(table[stem], "text", 0.9)
        ranked = [(n, p) for p, n in places.items() if p in table] + (
            [(text.count(p), p) for p in table if text.count(p)] if level == "省" else [])
        if ranked:
            return Value(table[max(ranked)[1]], "text", 0.7)
    named = _named_zones(text, gaz)
    bare = Counter(ZONE_TYPES[m] for m in re.findall(_TYPE_ALT, text))
    if named and named.most_common(1)[0][1] >= 2:
        return Value(named.most_common(1)[0][0], "text", 0.85)
    if bare.get("新区", 0) >= 3:
        scores = [(sum(text.count(k) for k in kws), name) for name, kws in gaz.new_zones]
        best = max(scores)
        if best[0] >= 2:
            return Value(best[1], "text", 0.6)
    if bare:
        kind, n = bare.most_common(1)[0]
        places = _place_counts(text, gaz)
        if n >= 3 and places:
            place = places.most_common(1)[0][0]
            return Value(place + kind, "text", 0.6)
    if stem and stem in gaz.cities:
        return Value(gaz.cities[stem], "filename", 0.8)
    if stem and stem in gaz.provinces:
        return Value(gaz.provinces[stem], "filename", 0.8)
    if named:
        return Value(named.most_common(1)[0][0], "text", 0.5)
    return NONE


def infer_year(title: str, text: str) -> Value:
    """Infer the report's year (a 2024 report reviewing 2023 is 2024; a story on a 2020 meeting is 2020)."""
    head = title + "\n" + text[:600]
    for pat, conf in ((_YEAR_EVENT, 0.95), (_DATE, 0.85)):
        m = pat.search(head)
        if m:
            return Value(int(m.group(1)), "title" if pat.search(title) else "text", conf)
    m = _REVIEW_OF.search(text[:3000])
    if m:
        return Value(int(m.group(1)) + 1, "text", 0.85)
    gov = _GOV_REPORT.search(text[:600]) or _NATIONAL.search(text[:600])
    if gov:  # a government report reviews the year before the one it is delivered in
        m = _ANY_YEAR.search(text, gov.end())
        if m:
            return Value(int(m.group(1)) + 1, "text", 0.8)
    stated = sorted({int(y) for y in _YEAR_IS.findall(text)})
    if len(stated) >= 2 and stated[-1] - stated[-2] == 1:
        return Value(stated[-1], "text", 0.7)
    m = _YEAR_IS.search(head)
    if m:
        return Value(int(m.group(1)), "text", 0.9)
    m = _PLAN_OF.search(text)
    if m:
        return Value(int(m.group(1)), "text", 0.8)
    m = _YEAR_EVENT.search(text)
    if m:
        return Value(int(m.group(1)), "text", 0.7)
    years = Counter(int(y) for y in _ANY_YEAR.findall(text))
    if years:
        return Value(years.most_common(1)[0][0], "text", 0.4)
    return NONE


@dataclass(frozen=True)
class ManifestRow:
    zone: str | None
    year: int | None
    title: str | None


def load_manifest(path: Path) -> dict[str, ManifestRow]:
    """A CSV with columns path, zone, year and optional title; paths relative to the manifest."""
    try:
        rows = list(csv.DictReader(path.read_text("utf-8-sig").splitlines()))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read manifest ({exc})") from None
    if not rows or "path" not in rows[0]:
        raise InputError(path, "manifest needs a header with at least 'path', 'zone', 'year'")
    out: dict[str, ManifestRow] = {}
    for n, row in enumerate(rows, 2):
        year = (row.get("year") or "").strip()
        if year and not year.isdigit():
            raise InputError(path, f"line {n}: year '{year}' is not a number")
        entry = ManifestRow((row.get("zone") or "").strip() or None, int(year) if year else None,
                            (row.get("title") or "").strip() or None)
        p = Path(row["path"].strip())
        full = p if p.is_absolute() else path.parent / p
        out[str(full.resolve())] = entry
        out.setdefault("name:" + p.name, entry)
    return out


def manifest_lookup(manifest: dict[str, ManifestRow] | None, path: str) -> ManifestRow | None:
    if not manifest:
        return None
    file_part = path.split("#", 1)[0]
    return manifest.get(str(Path(file_part).resolve())) or manifest.get("name:" + Path(file_part).name)

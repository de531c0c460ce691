"""Who delivers a report, and when: its zone and year from the evidence a report carries.

The zone is the government (or development-zone committee) that *delivers* the report, not the
places it mentions. Evidence, strongest first:

- the delivering phrases ``代表…人民政府``, ``受…人民政府委托``, ``在…第N届人民代表大会…上``
  and ``代表国务院`` (national);
- the title ``…政府工作报告`` and a byline (``吉林省省长 某某``);
- the file name and its parent folder;
- a phrase that names only the level (``代表自治区人民政府``): the unit of that level the text
  names most, else the province whose cities the text names, on a clear majority.

A development-zone title (``…高新区2023年工作总结``) still decides first; with no evidence
above, the text rules of :mod:`.metadata` apply. The year comes from the delivery date
(``——2026年1月26日在…会议上``, Chinese numerals too), else the title, else the text; a year in
the file name is checked against it. Evidence that disagrees gives confidence 0.5 and the
candidates, so ``zonelens summary`` can list the report for a manifest.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .metadata import _TITLE_ZONE, ZONE_TYPES, Value, _named_zones, gazetteer, infer_year as text_year, places_yaml
from .metadata import infer_zone as text_zone

CONFLICT = 0.5
_HAN = r"[\u4e00-\u9fff]"
_LEVEL = r"(省|自治区|市|自治州|州|盟|地区|区|县|旗)"
_DELIVER = re.compile(rf"(?<!人民)代表(?!大会|团|委员)({_HAN}{{0,12}}?){_LEVEL}人民政府")
_ENTRUSTED = re.compile(rf"受({_HAN}{{0,12}}?){_LEVEL}人民政府(?:的)?委托")
_CONGRESS = re.compile(rf"在({_HAN}{{0,12}}?){_LEVEL}?第[一二三四五六七八九十]+届人民代表大会")
_NATIONAL = re.compile(r"代表国务院|国务院向大会")
_NATIONAL_LINE = re.compile(r"在第[一二三四五六七八九十]+届全国人民代表大会")  # the subtitle of a national report
_NATIONAL_TITLE = re.compile(r"国务院|中华人民共和国政府工作报告")
SUBTITLE_LINES, SUBTITLE_CHARS = 15, 80  # a session line is a short line near the top without a sentence end
_TITLE_GOV = re.compile(rf"({_HAN}{{2,14}}?)(?:人民)?政府工作报告")
_BYLINE = re.compile(rf"^({_HAN}{{0,12}}?)(代省长|省长|自治区主席|代主席|主席|代市长|市长|州长|盟长|区长|县长)\s*{_HAN}")
_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"○": "0", "零": "0", "Ｏ": "0", "O": "0"}
_CN_YEAR = "[〇○零Ｏ一二三四五六七八九]{4}"
_DELIVERY_DATE = re.compile(rf"((?:19|20)\d{{2}}|{_CN_YEAR})\s*年\s*[\d一二三四五六七八九十]{{1,3}}\s*月\s*[\d一二三四五六七八九十]{{1,3}}\s*日\s*(?:在|于)")
_TITLE_YEAR = re.compile(rf"((?:19|20)\d{{2}}|{_CN_YEAR})\s*年")
_REPORT_TITLE = re.compile(r"政府工作报告|工作报告|工作总结|工作要点|工作计划|工作会议")
_FILE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_YEARS_IN = re.compile(rf"(?:(?:19|20)\d{{2}}|{_CN_YEAR})\s*年(?:度)?")

PROVINCE_LEVELS = {"省": ("province",), "自治区": ("region",), "市": ("municipality", "city", "county")}
WEIGHTS = {"delivery": 0.95, "title": 0.9, "byline": 0.85, "level": 0.85, "filename": 0.8, "folder": 0.6,
           "cities": 0.6}


@dataclass(frozen=True)
class Unit:
    name: str  # full name, the zone value
    kind: str  # province | region | municipality | sar | city | county
    province: str  # full name of the province-level unit it belongs to (itself for one)


@dataclass(frozen=True)
class Places:
    names: dict[str, tuple[Unit, ...]]  # every name and alias → the units it may mean
    pattern: re.Pattern  # all names, longest first

    def units(self, name: str) -> tuple[Unit, ...]:
        return self.names.get(name, ())


@lru_cache(maxsize=1)
def places() -> Places:
    raw = places_yaml()
    names: dict[str, list[Unit]] = {}

    def add(name: str, unit: Unit) -> None:
        if name and unit not in names.setdefault(name, []):
            names[name].append(unit)

    for p in raw["provinces"]:
        unit = Unit(p["name"], p.get("level", "province"), p["name"])
        for n in [p["name"], p["short"], *p.get("aliases", [])]:
            add(n, unit)
    for c in raw["cities"]:
        if c["name"] in names and names[c["name"]][0].kind == "municipality":
            continue
        unit = Unit(c["name"], "city", c["province"])
        add(c["name"], unit)
        add(c["short"], unit)
    for c in raw.get("county_level", []):
        unit = Unit(c["name"], "county", c["province"])
        add(c["name"], unit)
        add(c["short"], unit)
    alts = sorted((n for n in names if len(n) >= 2), key=len, reverse=True)
    return Places({k: tuple(v) for k, v in names.items()}, re.compile("|".join(map(re.escape, alts))))


def _pick(units: tuple[Unit, ...], kinds: tuple[str, ...] | None) -> Unit | None:
    if not units:
        return None
    if kinds:
        for u in units:
            if u.kind in kinds:
                return u
        return None
    order = ("municipality", "province", "region", "sar", "city", "county")
    return min(units, key=lambda u: order.index(u.kind))


def _kinds(level: str | None) -> tuple[str, ...] | None:
    if not level:
        return None
    if level in PROVINCE_LEVELS:
        return PROVINCE_LEVELS[level]
    if level in ("自治州", "州", "盟", "地区"):
        return ("city",)
    return ("county", "city")


def resolve(fragment: str, level: str | None = None) -> Unit | None:
    """The known unit whose name ends ``fragment`` + ``level`` (a full name), else ``fragment``
    (a short name of that level); longest name first."""
    pl = places()
    whole = fragment + (level or "")
    for k in range(len(whole) - 1):
        unit = _pick(pl.units(whole[k:]), None)
        if unit:
            return unit
    for k in range(len(fragment) - 1):
        units = pl.units(fragment[k:])
        unit = _pick(units, _kinds(level)) or _pick(units, None)
        if unit:
            return unit
    return None


def mentions(text: str) -> Counter:
    """Mentions of known places (non-overlapping, longest name first), by name as written."""
    return Counter(m.group(0) for m in places().pattern.finditer(text))


def _by_level(text: str, level: str) -> tuple[Unit, str] | None:
    """The unit of ``level`` the text names most; for province levels, else the province whose
    cities the text names on a clear majority."""
    pl = places()
    kinds = _kinds(level)
    counts: Counter = Counter()
    city_provinces: Counter = Counter()
    for name, n in mentions(text).items():
        unit = _pick(pl.units(name), kinds)
        if unit:
            counts[unit] += n
        city = _pick(pl.units(name), ("city", "county"))
        if city:
            city_provinces[city.province] += n
    if counts:
        (best, n), *rest = counts.most_common(2)
        if not rest or n >= 1.5 * rest[0][1]:
            return best, "level"
    if level in ("省", "自治区") and city_provinces:
        (prov, n), = city_provinces.most_common(1)
        if n >= 3 and n >= 0.6 * sum(city_provinces.values()):
            unit = _pick(pl.units(prov), kinds)
            if unit:
                return unit, "cities"
    return None


def _named_in(name: str, level_hint: str | None = None) -> Unit | None:
    """The single unit a file or folder name names (years and report words left out)."""
    name = _YEARS_IN.sub(" ", name)
    m = _TITLE_GOV.search(name)
    if m:
        unit = resolve(m.group(1))
        if unit:
            return unit
    found = {(_pick(places().units(x), _kinds(level_hint)) or _pick(places().units(x), None))
             for x in places().pattern.findall(name)}
    found.discard(None)
    if len(found) == 1:
        return found.pop()
    # a city and its own province ("吉林省长春市…"): the city
    inner = [u for u in found if u.kind in ("city", "county") and any(v.name == u.province for v in found)]
    return inner[0] if len(inner) == 1 and len(found) == 2 else None


def _top_lines(text: str) -> str:
    """The short lines near the top without a sentence end, where session lines and dates are."""
    return "\n".join(x for x in text.split("\n")[:SUBTITLE_LINES]
                     if len(x.strip()) <= SUBTITLE_CHARS and not re.search("[。！？；]", x))


@dataclass(frozen=True)
class Evidence:
    zone: str
    source: str
    weight: float
    unit: Unit | None = None


def zone_evidence(title: str, text: str, path: str | None = None) -> tuple[list[Evidence], str | None]:
    """What the report says about who delivers it: named evidence, and the level of a phrase that
    names only its level (``代表市人民政府`` → '市')."""
    head = text[:4000]
    top = _top_lines(head)
    ev: list[Evidence] = []
    level = None
    if _NATIONAL.search(head) or _NATIONAL_LINE.search(top) or _NATIONAL_TITLE.search(title):
        ev.append(Evidence("全国", "delivery", WEIGHTS["delivery"]))
    for pat in (_DELIVER, _ENTRUSTED, _CONGRESS):
        for m in pat.finditer(top if pat is _CONGRESS else head):
            frag, lev = m.group(1), m.group(2)
            if pat is _CONGRESS and frag.endswith("全国"):
                continue
            unit = resolve(frag, lev) if frag else None
            if unit:
                ev.append(Evidence(unit.name, "delivery", WEIGHTS["delivery"], unit))
            elif 2 <= len(frag) <= 6 and lev and not re.search("[我本全各这该和与及、，]", frag):
                ev.append(Evidence(frag + lev, "delivery", 0.7))
            elif lev and not frag:
                level = level or lev
    t = _YEARS_IN.sub("", title)
    m = _TITLE_GOV.search(t)
    if m and not _NATIONAL_TITLE.search(title):
        unit = resolve(m.group(1))
        if unit:
            ev.append(Evidence(unit.name, "title", WEIGHTS["title"], unit))
    for line in head.split("\n")[:15]:
        b = _BYLINE.match(line.strip())
        if b and len(line.strip()) <= 24:
            unit = resolve(b.group(1)) if b.group(1) else None
            if unit:
                ev.append(Evidence(unit.name, "byline", WEIGHTS["byline"], unit))
            elif not b.group(1):
                level = level or {"省长": "省", "代省长": "省", "自治区主席": "自治区"}.get(b.group(2))
    if path:
        file_part = Path(path.split("#", 1)[0])
        if "#" not in path:
            unit = _named_in(file_part.stem, level)
            if unit:
                ev.append(Evidence(unit.name, "filename", WEIGHTS["filename"], unit))
        unit = _named_in(file_part.parent.name, level)
        if unit:
            ev.append(Evidence(unit.name, "folder", WEIGHTS["folder"], unit))
    return ev, level


def _compatible(chosen: Evidence, other: Evidence) -> bool:
    """Evidence for the province of the chosen city (a folder named after the province) agrees."""
    if other.zone == chosen.zone:
        return True
    return bool(chosen.unit and other.unit and other.unit.kind not in ("city", "county")
                and chosen.unit.province == other.unit.name and other.source in ("folder", "filename"))


_SOURCE = {"delivery": "text", "byline": "text", "level": "text", "cities": "text"}


def _decide(ev: list[Evidence]) -> Value:
    score: Counter = Counter()
    for e in ev:
        score[e.zone] += e.weight
    best_zone = max(score, key=lambda z: (score[z], max(e.weight for e in ev if e.zone == z)))
    best = max((e for e in ev if e.zone == best_zone), key=lambda e: e.weight)
    sources = {e.source for e in ev if e.zone == best_zone}
    conf = min(0.95, best.weight + 0.05 * (len(sources) - 1))  # each further kind of evidence adds a little
    others = [e for e in ev if not _compatible(best, e)]
    if others:
        cands = tuple(dict.fromkeys(f"{e.zone} ({e.source})" for e in sorted(ev, key=lambda e: -e.weight)))
        return Value(best_zone, _SOURCE.get(best.source, best.source), CONFLICT, cands)
    return Value(best_zone, _SOURCE.get(best.source, best.source), round(conf, 2))


def infer_zone(title: str, text: str, path: str | None = None) -> Value:
    """The zone that delivers the report (see the module docstring)."""
    if _named_zones(title, gazetteer()) or _TITLE_ZONE.match(title):
        return text_zone(title, text)  # a development zone's own title
    ev, level = zone_evidence(title, text, path)
    if level and not any(e.source in ("delivery", "title", "byline") and e.unit for e in ev):
        named = [e for e in ev if e.unit and e.unit.kind in (_kinds(level) or ())]
        if named:  # the file name says which unit of that level
            ev.append(Evidence(named[0].zone, "level", WEIGHTS["level"], named[0].unit))
        else:
            found = _by_level(text, level)
            if found:
                ev.append(Evidence(found[0].name, found[1], WEIGHTS[found[1]], found[0]))
    stem = Path(path.split("#", 1)[0]).stem if path and "#" not in path else None
    gov_file = bool(stem and _TITLE_GOV.search(stem) and any(e.source == "filename" for e in ev))
    if gov_file or any(e.source in ("delivery", "title", "byline", "level", "cities") for e in ev):
        return _decide(ev)
    head_zone = _named_zones(title + "\n" + text[:300], gazetteer())
    if head_zone:
        return Value(head_zone.most_common(1)[0][0], "title", 0.95)
    if any(e.source == "filename" for e in ev):
        return _decide(ev)
    if level in ("省", "自治区"):  # a province-level report whose unit we could not tell: the user says
        return Value(None, "none", 0.0, (f"a {level}-level government, not named",))
    found = text_zone(title, text, stem)
    return _decide(ev) if ev and found.value is None else found  # a folder name is the last resort


def cn_year(s: str) -> int:
    return int("".join(_CN_DIGITS.get(c, c) for c in s))


def infer_year(title: str, text: str, raw_text: str | None = None, path: str | None = None) -> Value:
    """The report's year: delivery date, else title, else text; a file-name year is checked."""
    found: Value | None = None
    head = text[:1500]
    summary_title = bool(re.search(r"工作总结|总结", title))
    m = _DELIVERY_DATE.search(title + "\n" + _top_lines(head))
    delivered = cn_year(m.group(1)) if m else None
    t = _TITLE_YEAR.search(title) if _REPORT_TITLE.search(title) else None
    titled = cn_year(t.group(1)) if t else None
    if delivered and not summary_title:
        found = Value(delivered, "text", 0.95)
        if titled and titled != delivered:
            found = Value(delivered, "text", CONFLICT, (f"{delivered} (delivery date)", f"{titled} (title)"))
    elif titled:
        found = Value(titled, "title", 0.95)
    else:
        found = text_year(title, raw_text if raw_text is not None else text)
        if found.value is None and delivered:
            found = Value(delivered, "text", 0.9)
    if path and "#" not in path:
        f = set(_FILE_YEAR.findall(Path(path).stem))
        if len(f) == 1:
            fy = int(f.pop())
            if found.value is None:
                return Value(fy, "filename", 0.7)
            if fy != found.value:
                cands = (found.candidates or (f"{found.value} ({found.source})",)) + (f"{fy} (filename)",)
                return Value(found.value, found.source, CONFLICT, cands)
    return found

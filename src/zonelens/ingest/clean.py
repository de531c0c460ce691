"""Cleaning: remove bylines, sources, copyright and page furniture; re-join broken lines.

The rules are data (``zonelens/data/cleaning.yaml``); this module applies them. Cleaning
never rewrites words: suspected junk tokens are reported as warnings, not replaced.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

TERMINAL = "。！？；!?;"
CLOSERS = "”’」』）)】》\"'"
_CJK = "\u4e00-\u9fff"


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    pattern: re.Pattern
    min_position: float = 0.0


@dataclass
class Cleaned:
    text: str
    removed: Counter = field(default_factory=Counter)  # rule name -> lines or spans removed
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (kind, message)
    normalized: str = ""  # the source text after :func:`normalize` (before the rules)


@lru_cache(maxsize=1)
def _config() -> dict:
    return yaml.safe_load(resources.files("zonelens.data").joinpath("cleaning.yaml").read_text("utf-8"))


# Compatibility forms NFKC maps to the plain character: Kangxi radicals, CJK compatibility
# ideographs (and their supplement); CJK radicals NFKC leaves alone come from cleaning.yaml.
_COMPAT = re.compile("[\u2e80-\u2eff\u2f00-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f]")


@lru_cache(maxsize=1)
def _radicals() -> dict[int, str]:
    return {ord(k): v for k, v in (_config().get("radicals") or {}).items()}


def _plain(m: re.Match) -> str:
    ch = m.group(0)
    return _radicals().get(ord(ch)) or unicodedata.normalize("NFKC", ch)


@lru_cache(maxsize=1)
def load_rules() -> tuple[Rule, ...]:
    raw = _config()
    rules = []
    for r in raw["rules"]:
        if r["kind"] not in {"drop_line", "strip", "truncate_from"}:
            raise ValueError(f"cleaning rule {r['name']}: unknown kind {r['kind']}")
        rules.append(Rule(r["name"], r["kind"], re.compile(r["pattern"]), float(r.get("min_position", 0))))
    return tuple(rules)


def normalize(text: str) -> str:
    """Unicode NFC, unified newlines, no BOM, no zero-width or control characters; full-width spaces
    → spaces; Kangxi/CJK radicals and compatibility ideographs → the plain characters (⼯⼈⺠ →
    工人民). Full-width digits, letters, ％ and punctuation are kept as written (NFKC would turn
    ，：（ into ASCII and change every sentence)."""
    text = text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text = _COMPAT.sub(_plain, text)
    text = text.replace("\u3000", " ").replace("\xa0", " ")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


ONE_LINE_CHARS = 1500  # a text with fewer line breaks than one per this many characters is one line


_SPACES = re.compile(r"([ \t\u2000-\u200a\u202f\u205f]+)")
_PARA_END = tuple("。！？：:；;”）)")
_GREETING = re.compile(r"(各位代表|同志们|各位委员)[：:，,]")


def paragraphs(text: str) -> str:
    """A report stored as one line (paragraphs run together with spaces, as in some corpus files):
    a space becomes a line break where a paragraph ends — two or more spaces, a space after a
    sentence end or colon, before a heading marker or a greeting, after a short marked heading —
    so headings are found. Other single spaces stay as they are."""
    if len(text) < ONE_LINE_CHARS or text.count("\n") * ONE_LINE_CHARS >= len(text):
        return text
    parts = _SPACES.split(text)
    out = [parts[0]]
    for sep, piece in zip(parts[1::2], parts[2::2]):
        line = out[-1]
        if (len(sep) >= 2 or line.endswith(_PARA_END) or _HEADING_START.match(piece) or _GREETING.match(piece)
                or (_HEADING_START.match(line) and len(line) <= 40)):
            out.append(piece)
        else:
            out[-1] = line + sep + piece
    return "\n".join(out)


_SPACED_PAIR = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")
SPACED_MIN = 6  # a line of at least this many Chinese characters ...
SPACED_SHARE = 0.8  # ... this share of them followed by " " and another Chinese character is letter-spaced


def unspace(line: str) -> str:
    """A letter-spaced line (政 府 工 作 报 告, or a PDF text layer that puts a space after every
    character) without the spaces between Chinese characters; other lines as they are."""
    n = len(re.findall(rf"[{_CJK}]", line))
    if n < SPACED_MIN or len(_SPACED_PAIR.findall(line)) < SPACED_SHARE * (n - 1):
        return line
    return _SPACED_PAIR.sub("", line)


def apply_rules(lines: list[str], rules: tuple[Rule, ...]) -> tuple[list[str], Counter]:
    removed: Counter = Counter()
    total = sum(len(x) + 1 for x in lines) or 1
    out: list[str] = []
    pos = 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        trunc = next(
            (r for r in rules if r.kind == "truncate_from" and pos / total >= r.min_position
             and stripped and r.pattern.search(stripped)), None)
        if trunc is not None:
            removed[trunc.name] += sum(1 for x in lines[i:] if x.strip())
            break
        pos += len(line) + 1
        for r in rules:
            if not stripped:
                break
            if r.kind == "drop_line" and r.pattern.search(stripped):
                removed[r.name] += 1
                stripped = ""
            elif r.kind == "strip" and r.pattern.search(stripped):
                stripped = r.pattern.sub("", stripped).strip()
                removed[r.name] += 1
        if not stripped:
            continue
        out.append(stripped)
    return out, removed


_HEADING_START = re.compile(
    r"^(第[一二三四五六七八九十百]+[章节部分篇]|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．](?!\d)|[◆■●▲★☆◇※]|——|—|附[:：件])"
)


def looks_like_heading(line: str) -> bool:
    """A heading line: marked (一、 （一） 1. ◆ ——) and short, or short without terminal punctuation."""
    s = line.strip()
    if not s:
        return False
    if _HEADING_START.match(s) and len(s) <= 40 and not re.search(r"[。！？；;]", s[:-1]):
        return True
    return len(s) <= 30 and s[-1] not in TERMINAL + "，,、：:" + CLOSERS


def rejoin_broken_lines(lines: list[str]) -> tuple[list[str], int]:
    """Join a paragraph that layout broke across lines or blank lines.

    A line is continued by the next non-blank line when it is body text (long, not a heading)
    that does not end in terminal punctuation, and the next line does not start a heading or
    a new item. Returns the lines (blank lines dropped) and the number of joins made.
    """
    paras = [x for x in lines if x.strip()]
    out: list[str] = []
    joins = 0
    for line in paras:
        if out:
            prev = out[-1]
            prev_end = prev.rstrip()[-1]
            # body text: a long non-heading line, or any line with a sentence end inside it
            prev_is_body = (len(prev) > 30 and not looks_like_heading(prev)) or bool(
                re.search(r"[。！？；;]", prev[:-1]))
            if (prev_is_body and prev_end not in TERMINAL + CLOSERS + "：:"
                    and not _HEADING_START.match(line) and not looks_like_heading_strict(line)):
                out[-1] = prev + line
                joins += 1
                continue
        out.append(line)
    return out, joins


def looks_like_heading_strict(line: str) -> bool:
    s = line.strip()
    return bool(_HEADING_START.match(s)) and len(s) <= 40


_ACRONYMS = {
    "GDP", "PM", "R", "D", "AI", "VOCs", "VOC", "PPP", "CBD", "ICP", "ESG", "IPO", "EOD", "IT",
    "APP", "App", "G", "CPI", "PPI", "REITs", "REIT", "TOD", "BT", "EPC", "XOD", "COD", "NO", "SO",
    "ETC", "OTC", "OLED", "LED", "IC", "AR", "VR", "MR", "VOCS", "SBS", "PCT", "AAA", "AA", "A",
    "RCEP", "WTO", "UNESCO", "APEC", "ST", "QFLP", "QDLP", "FT", "LNG", "CNG", "LPG", "HPV",
    "ICU", "CT", "DRG", "LPR", "MEMS", "SIC", "GEP", "OEM", "ODM", "SMT", "BIM", "CIM", "GIS", "DIP", "MCN", "SaaS", "IoT", "NB", "IDC", "IPv", "ERP", "MES", "SDK",
}
_LATIN_RUN = re.compile(rf"(?<=[{_CJK}])([A-Za-z]{{2,6}})(?=[{_CJK}，。、；])")


def detect_junk_tokens(text: str, min_count: int = 3) -> list[tuple[str, int]]:
    """Find a token substituted throughout a document (e.g. ``和记AG`` where ``政府`` belongs).

    Candidates are Latin-letter runs wedged between Chinese characters that are not known
    acronyms and recur at least ``min_count`` times; each is extended leftwards over the
    Chinese characters that precede every occurrence. Returns ``[(token, count)]``.
    """
    runs = Counter(m.group(1) for m in _LATIN_RUN.finditer(text))
    found = []
    for run, n in runs.items():
        if n < min_count or run in _ACRONYMS or run.upper() in _ACRONYMS:
            continue
        starts = [m.start() for m in re.finditer(rf"(?<=[{_CJK}]){re.escape(run)}", text)]
        prefix = ""
        for k in range(1, 4):
            chars = {text[s - k] if s - k >= 0 else "" for s in starts}
            if len(chars) == 1 and re.match(rf"[{_CJK}]", next(iter(chars))):
                prefix = next(iter(chars)) + prefix
            else:
                break
        if prefix:  # a substituted word keeps the same neighbours everywhere; a bare acronym does not
            found.append((prefix + run, len(starts)))
    return sorted(found, key=lambda x: -x[1])


REPEAT_CHARS = (8, 40)  # a running header is a line of this length, with no sentence end and not
REPEAT_MIN = 3  # a marked heading, that recurs at least this often (shorter lines are fragments)


def drop_repeated_lines(lines: list[str]) -> tuple[list[str], int]:
    """Keep only the first of a short line without sentence end that recurs (a PDF's running header:
    the report's title on every page). Returns the lines and how many were dropped."""
    lo, hi = REPEAT_CHARS
    counts = Counter(x for x in lines if lo <= len(x) <= hi and x[-1:] not in TERMINAL + "：:"
                     and not _HEADING_START.match(x))
    repeated = {x for x, n in counts.items() if n >= REPEAT_MIN}
    if not repeated:
        return lines, 0
    seen: set[str] = set()
    out = []
    for x in lines:
        if x in repeated and x in seen:
            continue
        seen.add(x)
        out.append(x)
    return out, len(lines) - len(out)


def clean(text: str) -> Cleaned:
    """Normalize, apply the cleaning rules, re-join broken lines; report junk tokens."""
    text = normalize(text)
    lines, removed = apply_rules([unspace(x) for x in paragraphs(text).split("\n")], load_rules())
    lines, dropped = drop_repeated_lines(lines)
    if dropped:
        removed["repeated_line"] = dropped
    lines, joins = rejoin_broken_lines(lines)
    if joins:
        removed["rejoined_lines"] = joins
    cleaned = Cleaned("\n".join(lines), removed, normalized=text)
    for token, n in detect_junk_tokens(cleaned.text):
        cleaned.warnings.append(
            ("junk_token", f"suspected junk token '{token}' appears {n} times "
                           f"(a word may have been substituted throughout; text left unchanged)"))
    return cleaned

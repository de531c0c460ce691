"""The theme taxonomy and keyword lexicon, loaded from YAML and validated.

The taxonomy is data (``labels/themes.yaml``); swapping that file swaps the themes every
labelling, sampling and agreement function works with. Malformed files raise
:class:`~zonelens.errors.LabelError` naming the file, the line where known, and the problem.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import LabelError

THEME_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
OTHER_ID = "other"
_DEFAULT_OTHER_DEFINITION = "A sentence with no theme (the empty theme set)."


def default_labels_dir() -> Path:
    """The repository's ``labels/`` directory if present, else the package data directory."""
    repo = Path(__file__).resolve().parents[2] / "labels"
    if (repo / "themes.yaml").is_file():
        return repo
    return Path(str(importlib.resources.files("zonelens") / "data"))


@dataclass(frozen=True)
class Theme:
    id: str
    name_zh: str
    name_en: str
    definition: str
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Other:
    name_zh: str = "其他"
    name_en: str = "other"
    definition: str = _DEFAULT_OTHER_DEFINITION
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    version: str
    themes: tuple[Theme, ...]
    other: Other = Other()
    hard_cases: tuple[dict, ...] = ()
    path: str | None = None

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.themes)

    @property
    def hash(self) -> str:
        """16 hex chars identifying what the themes mean (ids, definitions, rules)."""
        canon = [
            {"id": t.id, "definition": t.definition, "include": list(t.include),
             "exclude": list(t.exclude)}
            for t in self.themes
        ]
        blob = json.dumps(canon, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]

    def theme(self, theme_id: str) -> Theme:
        for t in self.themes:
            if t.id == theme_id:
                return t
        raise KeyError(theme_id)

    def lookup(self, name: str) -> str | None:
        """Map an id, Chinese or English name to a theme id; ``other`` names map to None.

        Raises KeyError for a name that is neither a theme nor other.
        """
        key = name.strip()
        for t in self.themes:
            if key in (t.id, t.name_zh, t.name_en):
                return t.id
        if key in (OTHER_ID, self.other.name_zh, self.other.name_en):
            return None
        raise KeyError(name)

    def order(self, ids: list[str] | tuple[str, ...] | set[str]) -> tuple[str, ...]:
        """Theme ids in taxonomy order."""
        wanted = set(ids)
        return tuple(i for i in self.ids if i in wanted)


# --------------------------------------------------------------------------- YAML helpers


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LabelError(path, None, f"cannot read ({exc.strerror or exc})") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raise LabelError(path, 1, "file starts with a byte-order mark (BOM); save as UTF-8 without BOM")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LabelError(path, line, "not valid UTF-8") from None


def _compose(path: Path) -> tuple[Any, yaml.Node | None]:
    """Parse YAML, returning the data and the node tree (for line numbers)."""
    text = _read_text(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise LabelError(path, line, f"invalid YAML ({problem})") from None
    return data, node


def _child(node: yaml.Node | None, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(key, str):
        for k, v in node.value:
            if getattr(k, "value", None) == key:
                return v
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None


def _line(node: yaml.Node | None, *keys: str | int) -> int | None:
    """1-based line of the node reached by following ``keys`` (or the deepest one found)."""
    best = node.start_mark.line + 1 if node is not None else None
    for key in keys:
        node = _child(node, key)
        if node is None:
            break
        best = node.start_mark.line + 1
    return best


def _key_line(node: yaml.Node | None, *keys: str | int) -> int | None:
    """1-based line of the last key itself (a mapping key), falling back to :func:`_line`."""
    parent = node
    for key in keys[:-1]:
        parent = _child(parent, key)
    if isinstance(parent, yaml.MappingNode):
        for k, _ in parent.value:
            if getattr(k, "value", None) == keys[-1]:
                return k.start_mark.line + 1
    return _line(node, *keys)


def _str_list(value: Any, path: Path, line: int | None, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise LabelError(path, line, f"{what} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _req_str(d: dict, key: str, path: Path, line: int | None, where: str) -> str:
    value = d.get(key)
    if not isinstance(value, str) or not value.strip():
        raise LabelError(path, line, f"{where}: `{key}` must be a non-empty string")
    return value.strip()


# --------------------------------------------------------------------------- taxonomy


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load and validate a themes.yaml (default: the repository's ``labels/themes.yaml``)."""
    path = Path(path) if path is not None else default_labels_dir() / "themes.yaml"
    if not path.is_file():
        raise LabelError(path, None, "no such taxonomy file")
    data, root = _compose(path)
    if not isinstance(data, dict):
        raise LabelError(path, _line(root), "expected a mapping with `version` and `themes`")
    version = data.get("version")
    if isinstance(version, (int, float)) and not isinstance(version, bool):
        version = str(version)
    if not isinstance(version, str) or not version.strip():
        raise LabelError(path, _line(root, "version"), "`version` must be a non-empty string")
    items = data.get("themes")
    if not isinstance(items, list) or not items:
        raise LabelError(path, _line(root, "themes"), "`themes` must be a non-empty list")

    themes: list[Theme] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        line = _line(root, "themes", i)
        if not isinstance(item, dict):
            raise LabelError(path, line, f"theme #{i + 1} must be a mapping")
        tid = item.get("id")
        if not isinstance(tid, str) or not THEME_ID_RE.match(tid):
            raise LabelError(path, _line(root, "themes", i, "id"),
                             f"bad theme id {tid!r}: must match {THEME_ID_RE.pattern}")
        if tid == OTHER_ID:
            raise LabelError(path, _line(root, "themes", i, "id"),
                             "`other` is reserved for the empty theme set")
        if tid in seen:
            raise LabelError(path, _line(root, "themes", i, "id"), f"duplicate theme id {tid!r}")
        seen.add(tid)
        where = f"theme {tid!r}"
        themes.append(Theme(
            id=tid,
            name_zh=_req_str(item, "name_zh", path, line, where),
            name_en=_req_str(item, "name_en", path, line, where),
            definition=_req_str(item, "definition", path, _line(root, "themes", i, "definition"), where),
            include=_str_list(item.get("include"), path, _line(root, "themes", i, "include"),
                              f"{where}: `include`"),
            exclude=_str_list(item.get("exclude"), path, _line(root, "themes", i, "exclude"),
                              f"{where}: `exclude`"),
            examples=_str_list(item.get("examples"), path, _line(root, "themes", i, "examples"),
                               f"{where}: `examples`"),
        ))

    other = Other()
    raw_other = data.get("other")
    if raw_other is not None:
        oline = _line(root, "other")
        if not isinstance(raw_other, dict):
            raise LabelError(path, oline, "`other` must be a mapping")
        other = Other(
            name_zh=_req_str(raw_other, "name_zh", path, oline, "other"),
            name_en=_req_str(raw_other, "name_en", path, oline, "other"),
            definition=_req_str(raw_other, "definition", path, oline, "other"),
            examples=_str_list(raw_other.get("examples"), path, oline, "other: `examples`"),
        )
    names = [n for t in themes for n in (t.name_zh, t.name_en)]
    for n in (other.name_zh, other.name_en):
        if n in names:
            raise LabelError(path, _line(root, "other"), f"`other` name {n!r} is also a theme name")

    hard_cases = data.get("hard_cases") or []
    if not isinstance(hard_cases, list):
        raise LabelError(path, _line(root, "hard_cases"), "`hard_cases` must be a list")
    for i, case in enumerate(hard_cases):
        if isinstance(case, dict) and isinstance(case.get("themes"), list):
            unknown = [t for t in case["themes"] if t not in seen]
            if unknown:
                raise LabelError(path, _line(root, "hard_cases", i),
                                 f"hard case uses unknown theme id(s): {', '.join(map(str, unknown))}")
    return Taxonomy(version=version.strip(), themes=tuple(themes), other=other,
                    hard_cases=tuple(c if isinstance(c, dict) else {"case": str(c)} for c in hard_cases),
                    path=str(path))


# --------------------------------------------------------------------------- lexicon


def load_lexicon(path: str | Path | None = None,
                 taxonomy: Taxonomy | None = None) -> dict[str, tuple[str, ...]]:
    """Load ``lexicon.yaml``: theme id -> keywords, validated against the taxonomy.

    Accepts ``keywords: {theme: [..]}`` (with an optional ``version``) or a bare mapping.
    """
    path = Path(path) if path is not None else default_labels_dir() / "lexicon.yaml"
    if not path.is_file():
        raise LabelError(path, None, "no such lexicon file")
    if taxonomy is None:
        taxonomy = load_taxonomy()
    data, root = _compose(path)
    keys: tuple[str, ...] = ()
    if isinstance(data, dict) and "keywords" in data:
        data, keys = data["keywords"], ("keywords",)
    if not isinstance(data, dict) or not data:
        raise LabelError(path, _line(root, *keys), "expected a mapping of theme id -> keywords")

    out: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for tid, words in data.items():
        tline = _key_line(root, *keys, str(tid))
        if tid not in taxonomy.ids:
            raise LabelError(path, tline, f"unknown theme {tid!r} (taxonomy has: {', '.join(taxonomy.ids)})")
        if not isinstance(words, list) or not words:
            raise LabelError(path, tline, f"theme {tid!r}: keywords must be a non-empty list")
        kept: list[str] = []
        for j, word in enumerate(words):
            line = _line(root, *keys, str(tid), j)
            if not isinstance(word, str) or not word:
                raise LabelError(path, line, f"theme {tid!r}: keyword #{j + 1} is not a non-empty string")
            if "\ufeff" in word:
                raise LabelError(path, line, f"keyword {word!r} contains a byte-order mark")
            if any(ch.isspace() for ch in word):
                raise LabelError(path, line, f"keyword {word!r} contains whitespace")
            if word in owner:
                where = "twice" if owner[word] == tid else f"also under {owner[word]!r}"
                raise LabelError(path, line, f"duplicate keyword {word!r} ({where})")
            owner[word] = tid
            kept.append(word)
        out[tid] = tuple(kept)
    return out


def jieba_userdict(lexicon: dict[str, tuple[str, ...]], freq: int = 2000) -> str:
    """The lexicon as a jieba user dictionary (``word freq`` per line)."""
    words = sorted({w for ws in lexicon.values() for w in ws})
    return "".join(f"{w} {freq}\n" for w in words)

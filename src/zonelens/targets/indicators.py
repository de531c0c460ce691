"""Indicator normalisation: the editable synonym table ``labels/indicators.yaml``.

Each canonical id lists the phrases naming it and the kind of record it takes. A record's
indicator gets the id of the longest name that ends it (全市地区生产总值 → 地区生产总值), also after
a generic ending is dropped (居民消费价格涨幅 → 居民消费价格), among the ids of its kind; a phrase no
name ends keeps an empty id (it is still exported, as written).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import ZonelensError
from ..taxonomy import default_labels_dir
from .patterns import read_yaml

KINDS = ("growth", "level", "share", "count", "any")


def default_indicators_path() -> Path:
    return default_labels_dir() / "indicators.yaml"


@dataclass(frozen=True)
class IndicatorTable:
    names: tuple[tuple[str, str, str], ...]  # (name, canonical id, kind), longest name first
    endings: tuple[str, ...]
    labels: dict[str, str]                   # canonical id → readable label
    exact: tuple[tuple[str, str, str], ...] = ()  # (name, id, kind) matching the whole phrase only

    def canonical(self, indicator: str, kind: str) -> str:
        """The canonical id of ``indicator`` for a record of ``kind``, or ''."""
        text = (indicator or "").strip()
        for name, cid, k in self.exact:
            if text == name and (k == "any" or k == kind):
                return cid
        candidates = [text]
        for e in self.endings:
            if text.endswith(e) and len(text) > len(e):
                candidates.append(text[: -len(e)])
        for cand in candidates:
            for name, cid, k in self.names:
                if (k == "any" or k == kind) and cand.endswith(name):
                    return cid
        return ""

    def label(self, cid: str) -> str:
        return self.labels.get(cid, cid)


EMPTY = IndicatorTable((), (), {})


@lru_cache(maxsize=8)
def _load(path: str, _size: int, _mtime: float) -> IndicatorTable:
    data = read_yaml(path, "the indicator table")
    if not isinstance(data, dict) or not isinstance(data.get("indicators"), dict):
        raise ZonelensError(f"{path}: the indicator table needs an 'indicators' mapping")
    rows, labels, exact = [], {}, []
    for cid, spec in data["indicators"].items():
        if not isinstance(spec, dict) or not isinstance(spec.get("names"), list) or not spec["names"]:
            raise ZonelensError(f"{path}: indicator '{cid}' needs a list of names")
        kind = str(spec.get("kind", "any"))
        if kind not in KINDS:
            raise ZonelensError(f"{path}: indicator '{cid}' has kind '{kind}' (choose from {', '.join(KINDS)})")
        labels[str(cid)] = str(spec.get("label", cid))
        rows.extend((str(n), str(cid), kind) for n in spec["names"])
        exact.extend((str(n), str(cid), kind) for n in spec.get("exact") or [])
    # longest name first; for one name, a kind-specific id before 'any'
    rows.sort(key=lambda r: (-len(r[0]), r[2] == "any"))
    endings = tuple(sorted((str(e) for e in data.get("endings") or []), key=len, reverse=True))
    return IndicatorTable(tuple(rows), endings, labels, tuple(exact))


def load_indicators(path: str | Path | None = None) -> IndicatorTable:
    """The table at ``path`` (default ``labels/indicators.yaml``), parsed once per file version. With
    no path and no table in the repository, every canonical id is empty."""
    p = Path(path) if path is not None else default_indicators_path()
    try:
        st = p.stat()
    except OSError as exc:
        if path is None:
            return EMPTY
        raise ZonelensError(f"{p}: cannot read the indicator table ({exc.strerror})") from None
    return _load(str(p), st.st_size, st.st_mtime)

"""Text facts the classifier relies on, importable without scikit-learn."""

from __future__ import annotations

import re

MAX_CHARS = 400  # longer "sentences" (run-on lists) are cut for features; the text is not changed
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def has_chinese(text: str) -> bool:
    """True when the text holds at least one CJK ideograph (the only evidence the model reads)."""
    return bool(_CJK.search(text or ""))


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and x != x)  # None or NaN (pandas' missing value)


def join_context(prev, nxt) -> str:
    """The context text of one sentence: its previous and next sentence, "" when it has neither."""
    if _missing(prev) and _missing(nxt):
        return ""
    return ("" if _missing(prev) else str(prev)[:MAX_CHARS]) + " | " + ("" if _missing(nxt) else str(nxt)[:MAX_CHARS])


def decide_rows(themes, thresholds, proba) -> list[tuple[list[str], str | None]]:
    """(themes, primary) per row of probabilities: the themes at or above their thresholds, and the
    most probable of them (None when there is none: other). One rule for every model form."""
    out = []
    for row in proba:
        on = [j for j in range(len(themes)) if row[j] >= thresholds[j]]
        out.append(([themes[j] for j in on], themes[max(on, key=row.__getitem__)] if on else None))
    return out

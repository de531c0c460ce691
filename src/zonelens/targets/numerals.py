"""Reading numbers as reports write them: Arabic (1,234.5), full-width (１２％) and Chinese
(一百二十, 二十二亿, 百分之八点六, 三分之一, 三成, 两倍).

:func:`fold` maps full-width digits and signs to ASCII one character for one character, so every
offset in the folded text is an offset in the original sentence.
"""

from __future__ import annotations

import re

_FULL = "０１２３４５６７８９％．～－"
_HALF = "0123456789%.~-"
FOLD = str.maketrans(_FULL, _HALF)

DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6,
          "七": 7, "八": 8, "九": 9}
SMALL = {"十": 10, "百": 100, "千": 1000}
BIG = {"万": 10_000, "亿": 100_000_000}
CN_CHARS = "".join(DIGITS) + "".join(SMALL)
# A Chinese number: digits and 十百千 (万/亿 are left to the unit: 二十二亿元 = 22 亿元),
# optionally with 点 and decimal digits (八点六).
CN_NUMBER = rf"[{CN_CHARS}]+(?:点[{''.join(DIGITS)}]+)?"
ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"


def fold(text: str) -> str:
    """Full-width digits, ％, ．, ～ and － as ASCII; same length as ``text`` (， stays: 5，600 is two numbers)."""
    return text.translate(FOLD)


def arabic_value(s: str) -> float:
    return float(s.replace(",", ""))


def _integer(s: str) -> int | None:
    """一百二十 → 120, 十五 → 15, 二〇二四 → 2024 (digit by digit), 三千零五 → 3005."""
    if not s:
        return None
    if all(c in DIGITS for c in s):  # 二〇二四, 五
        return int("".join(str(DIGITS[c]) for c in s))
    total, digit, last_unit = 0, None, None
    for c in s:
        if c in DIGITS:
            if digit is not None and DIGITS[c] != 0:
                return None  # two digits in a row (二三十): not a well-formed number
            digit = DIGITS[c] if DIGITS[c] != 0 else None
        elif c in SMALL:
            unit = SMALL[c]
            if last_unit is not None and unit >= last_unit:
                return None  # 十十, 十百
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            return None
    if digit is not None:
        total += digit
    return total


def chinese_value(s: str) -> float | None:
    """Value of a Chinese number (with 点 decimals), or None when it is not well formed."""
    whole, _, frac = s.partition("点")
    n = _integer(whole)
    if n is None:
        return None
    if frac:
        if not all(c in DIGITS for c in frac):
            return None
        return float(f"{n}.{''.join(str(DIGITS[c]) for c in frac)}")
    return float(n)


def number_value(s: str) -> float | None:
    """Value of an Arabic or Chinese number string."""
    s = fold(s)
    if re.fullmatch(ARABIC, s):
        return arabic_value(s)
    return chinese_value(s)


def fraction_percent(num: float, den: float) -> float:
    """三分之一 → 33.33 (percent), rounded to two decimals."""
    return round(100.0 * num / den, 2)

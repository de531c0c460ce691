"""Numbers as reports write them: Arabic, full-width and Chinese."""

from __future__ import annotations

import pytest

from zonelens.targets.numerals import chinese_value, fold, fraction_percent, number_value


@pytest.mark.parametrize("text, value", [
    ("一百二十", 120), ("十五", 15), ("二十二", 22), ("三千零五", 3005), ("两", 2), ("十", 10),
    ("八点六", 8.6), ("二〇二四", 2024), ("一千二百", 1200),
])
def test_chinese_numbers(text, value):
    assert chinese_value(text) == value


@pytest.mark.parametrize("text", ["十四五", "二三十", "十十", "点五"])
def test_malformed_chinese_numbers_are_none(text):
    assert chinese_value(text) is None


def test_fold_keeps_offsets_and_reads_full_width():
    s = "增长１２．５％，约１２００家～"
    assert len(fold(s)) == len(s)
    assert fold(s) == "增长12.5%，约1200家~"
    assert number_value("１２．５") == 12.5 and number_value("1,234.5") == 1234.5


def test_fraction_percent():
    assert fraction_percent(1, 3) == 33.33

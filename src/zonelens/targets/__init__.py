"""Quantitative targets: what each zone planned and what it achieved, read from report sentences.

Pure functions over segmented sentences (no model): :func:`extract_sentence` gives one
:class:`Target` per quantity of a sentence (indicator as written, low/high, unit, qualifier, kind,
direction); :func:`targets_frame` runs it over a corpus database; :func:`plan_vs_actual` puts the
plan of year t beside the achievement reported for it. Word lists are data (``patterns.yaml``),
indicator synonyms too (``labels/indicators.yaml``).
"""

from .compare import plan_vs_actual, wide_targets
from .extract import Target, extract_sentence, heading_year, sentence_period, target_year
from .indicators import IndicatorTable, load_indicators
from .patterns import Patterns, load_patterns
from .table import COLUMNS, targets_frame

__all__ = ["Target", "extract_sentence", "sentence_period", "heading_year", "target_year", "targets_frame",
           "plan_vs_actual", "wide_targets", "load_patterns", "load_indicators", "Patterns", "IndicatorTable",
           "COLUMNS"]

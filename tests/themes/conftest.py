"""Fixtures shared by the theme-classifier tests."""

from __future__ import annotations

import pytest

from zonelens.errors import ModelError
from zonelens.taxonomy import load_taxonomy
from zonelens.themes.artifact import load_model


@pytest.fixture(scope="session")
def shipped_fast() -> str:
    """The name of the shipped themes-fast model (skips when the models are not built)."""
    try:
        load_model("themes-fast", load_taxonomy())
    except ModelError:
        pytest.skip("shipped models not built")
    return "themes-fast"

"""Reading a model directory's meta.json: one place for the missing / not-JSON errors."""

from __future__ import annotations

import json
from pathlib import Path

from .errors import ModelError


def load_meta_json(model_dir: Path, name: str, what: str):
    """The parsed JSON of ``model_dir / name``; a ModelError naming the file when it is missing
    ("not a zonelens {what} directory") or not valid JSON."""
    try:
        return json.loads((model_dir / name).read_text("utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{model_dir}: no {name} (not a zonelens {what} directory)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{model_dir / name}: not valid JSON ({exc})") from None

"""Reading a model directory's meta.json: one place for the missing / not-JSON errors."""

from __future__ import annotations

import json
from pathlib import Path

from .errors import ModelError, UsageError


def load_meta_json(model_dir: Path, name: str, what: str):
    """The parsed JSON of ``model_dir / name``; a ModelError naming the file when it is missing
    ("not a zonelens {what} directory") or not valid JSON."""
    try:
        return json.loads((model_dir / name).read_text("utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{model_dir}: no {name} (not a zonelens {what} directory)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{model_dir / name}: not valid JSON ({exc})") from None


def read_params(value: str | Path | None, what: str = "parameters") -> dict | None:
    """``--params``: a JSON file, or the JSON object itself (a value starting with ``{``). A missing
    file, bad JSON or anything but an object is a UsageError (exit 2), raised before any work."""
    if value is None:
        return None
    text = str(value)
    where = "--params"
    if not text.lstrip().startswith("{"):
        where = text
        try:
            text = Path(text).read_text("utf-8")
        except FileNotFoundError:
            raise UsageError(f"{where}: no such parameter file (give a JSON file or a JSON object)") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{where}: cannot read ({exc})") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{where}: not valid JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise UsageError(f"{where}: not a JSON object of {what}")
    return obj

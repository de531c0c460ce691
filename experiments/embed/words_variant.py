"""Vocabulary variant: rjieba words (policy lexicon as user dictionary) plus characters, instead of
characters plus character bigrams, with the same recipe and the shipped (a, λ, vocab, dims).
Scored on the validation documents only (nothing shipped).

    nice -n 10 .venv/bin/python experiments/embed/words_variant.py [--work /work/cache/static]

Adds a "words_variant" entry to experiments/embed/results.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import distill  # noqa: E402

from zonelens.tokenize import policy_tokenizer  # noqa: E402

_TOK = policy_tokenizer(min_len=1, stopwords=())


def word_tokens(text: str) -> list[str]:
    s = text[:distill.MAX_CHARS]
    words = [w for w in _TOK(s) if len(w) > 1]
    return list(s) + words


def weighted_rows(texts, index, weights, max_chars=512):
    import scipy.sparse as sp

    indptr, cols = [0], []
    for t in texts:
        cols += [index[w] for w in word_tokens(t) if w in index]
        indptr.append(len(cols))
    col, ptr = np.asarray(cols, dtype=np.int64), np.asarray(indptr, dtype=np.int64)
    data = weights[col].astype(np.float32)
    counts = np.diff(ptr)
    sums = np.bincount(np.repeat(np.arange(len(texts)), counts), weights=data, minlength=len(texts))
    data /= np.repeat(np.where(sums > 0, sums, 1.0), counts).astype(np.float32)
    return sp.csr_matrix((data, col, ptr), shape=(len(texts), len(weights)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="/work/cache/static")
    args = ap.parse_args()
    results = json.loads((HERE / "results.json").read_text())
    best = results["best"]
    texts, Y, part, counts = distill.load_inputs(Path(args.work), word_tokens)
    distill.tokens = word_tokens              # vocabulary and counts from words + characters
    distill.weighted_rows = weighted_rows     # and sentence rows from the same tokens
    tr, va = part == "train", part == "val"
    m, init = distill.fit(list(texts[tr]), Y[tr], counts, best["vocab"], best["dims"], best["a"], best["lam"],
                          best["min_sentences"], best["cg_iterations"])
    out = {"vocab": "rjieba words (≥ 2 characters, policy lexicon) + characters", "n_vocab": len(m.vocab),
           "n_words": sum(len(w) > 1 for w in m.vocab), **{k: best[k] for k in ("dims", "a", "lam")},
           "val": distill.score(m, list(texts[va]), Y[va]), "val_init_only": distill.score(init, list(texts[va]), Y[va])}
    print(json.dumps(out, ensure_ascii=False))
    results["words_variant"] = out
    (HERE / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()

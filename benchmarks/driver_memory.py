"""Driver memory over time during a distributed `apply`, by phase: is it bounded by the corpus size?

Run: uv run python benchmarks/driver_memory.py DB [--parquet DIR] [--model themes-fast] [--workers 2]

DB is an ingested corpus (e.g. the synthetic corpus of make_synthetic.py ingested with `zonelens
ingest`). Prints the driver's RSS every second with the phase (staging: DuckDB writing the batches;
classifying: results streaming back), then the peak of each phase. The LocalCluster's scheduler
runs in this process, as with `--dask local:N`. Predictions of the model are deleted first, so the
run classifies the whole corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db")
    ap.add_argument("--parquet", default=None)
    ap.add_argument("--model", default="themes-fast")
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    import duckdb
    from distributed import Client, LocalCluster

    import zonelens.themes.distributed as sa
    from zonelens.scale import stage

    if a.parquet is None:
        con = duckdb.connect(a.db)
        con.execute("DROP TABLE IF EXISTS theme_predictions")
        n = con.execute("SELECT count(*) FROM sentences").fetchall()[0][0]
        con.close()
    else:
        n = None
    phase = {"now": "start", "peaks": {}}
    real_stage = stage.stage_batches

    def staged(*args, **kw):
        phase["now"] = "staging"
        try:
            return real_stage(*args, **kw)
        finally:
            phase["now"] = "classifying"

    stage.stage_batches = staged  # staged_results looks it up in its module
    done = threading.Event()

    def sample() -> None:
        t0 = time.time()
        while not done.is_set():
            r = rss_mb()
            p = phase["now"]
            phase["peaks"][p] = max(phase["peaks"].get(p, 0.0), r)
            print(f"{time.time() - t0:7.1f} s  {p:12s} {r:8.0f} MB", flush=True)
            done.wait(1.0)

    with LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        threading.Thread(target=sample, daemon=True).start()
        res = sa.apply_on_dask(a.db, a.model, dask=c.scheduler_address, parquet=a.parquet)
        done.set()
    print(json.dumps({"sentences": n, "classified": res["classified"],
                      "peak_MB_by_phase": {k: round(v) for k, v in phase["peaks"].items()}}))


if __name__ == "__main__":
    main()

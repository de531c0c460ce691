"""Staging: the driver writes the work as Parquet batches once; tasks carry only a batch's path.

Sending sentence rows inside Dask tasks makes them travel through the scheduler, which keeps some
of them (with ``local:N`` the scheduler lives in the driver process, whose memory then grows with
the corpus). Instead, DuckDB writes the selected rows in one streaming ``COPY``, partitioned into
batches of whole documents (``STAGE/batch_no=K/*.parquet``); a task names one batch folder and
the worker reads it. The driver's memory no longer depends on the corpus size, and a task rerun
after a worker died reads the same file.

The stage folder must be readable by every worker: on one machine any local folder; on a cluster
a shared file system (the same path on every machine). It is removed when the run ends.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd

from ..errors import ZonelensError
from .cluster import dask_client, default_window, ordered_results


@contextmanager
def stage_folder(where: str | Path | None, beside: str | Path) -> Iterator[Path]:
    """A fresh folder for staged batches, under ``where`` (or beside ``beside``), removed afterwards."""
    base = Path(where) if where is not None else Path(beside).resolve().parent
    try:
        base.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=".zonelens-stage-", dir=base))
    except OSError as exc:
        raise ZonelensError(f"{base}: cannot create a stage folder there ({exc.strerror or exc}); "
                            "choose another with --stage") from None
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


DRIVER_MEMORY = "256MB"
STAGE_SETTINGS = {
    # A partitioned COPY buffers rows per open partition file: with a batch per partition, up to
    # max_open_files batches sit in memory. Few open files (a batch may then span several files)
    # keep the staging memory independent of the corpus.
    "partitioned_write_max_open_files": 4,
    "preserve_insertion_order": False,
}


def bound_driver(con) -> None:
    """Cap DuckDB's memory on the driver's connection (it spills to disk beyond it): otherwise its
    cache of the tables being written grows with the corpus. Measured in benchmarks/dask_results.md."""
    con.execute(f"SET memory_limit = '{DRIVER_MEMORY}'")


@contextmanager
def _bounded(con) -> Iterator[None]:
    """STAGE_SETTINGS on ``con``'s database for the duration, then the previous values back."""
    old = {k: con.execute(f"SELECT current_setting('{k}')").fetchall()[0][0] for k in STAGE_SETTINGS}
    try:
        for k, v in STAGE_SETTINGS.items():
            con.execute(f"SET {k} = {v!r}" if isinstance(v, str) else f"SET {k} = {str(v).lower()}")
        yield
    finally:
        for k, v in old.items():
            con.execute(f"SET {k} = {v!r}" if isinstance(v, str) else f"SET {k} = {str(v).lower()}")


def stage_batches(con, select: str, params: list, folder: Path, batch: int) -> list[tuple[Path, int]]:
    """Write the rows of ``select`` (which has a ``doc_id`` column) to ``folder`` in batches of whole
    documents of about ``batch`` rows; returns (batch folder, rows) in document order.

    The batch of a document is (rows of the documents before it) // batch, computed in SQL, so no
    per-document list is held in Python either."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE stage_map AS
        WITH c AS (SELECT doc_id, count(*) AS n FROM ({select}) GROUP BY doc_id)
        SELECT doc_id, n, (sum(n) OVER (ORDER BY doc_id ROWS UNBOUNDED PRECEDING) - n) // {int(batch)} AS batch_no
        FROM c""", params)
    try:
        sizes = con.execute("SELECT batch_no, sum(n) FROM stage_map GROUP BY 1 ORDER BY 1").fetchall()
        if sizes:
            target = str(folder / "rows").replace("'", "''")
            with _bounded(con):
                con.execute(f"""COPY (SELECT q.*, m.batch_no FROM ({select}) q JOIN stage_map m USING (doc_id))
                                TO '{target}' (FORMAT parquet, PARTITION_BY (batch_no))""", params)
    finally:
        con.execute("DROP TABLE IF EXISTS stage_map")
    return [(folder / "rows" / f"batch_no={b}", int(n)) for b, n in sizes]


def worker_cached(cache: dict, load: Callable, *args):
    """``load(*args)`` once per worker process; ``cache`` (a module's own dict) keeps the last
    arguments' value only, so a long-lived worker does not pile up models."""
    key = args
    if key not in cache:
        value = load(*args)
        cache.clear()
        cache[key] = value
    return cache[key]


def read_batch(path: str) -> pd.DataFrame:
    """Worker side: the rows of one staged batch, ordered by document and sentence."""
    import duckdb

    if not Path(path).is_dir():
        # A plain OSError pickles back to the driver (zonelens errors do not).
        raise OSError(f"{path}: this worker cannot read the staged batch (no such folder); the stage folder "
                      "must be on storage every worker can read (--stage)")
    con = duckdb.connect()  # DuckDB wrote it; pyarrow misreads an all-null FLOAT[384] column
    try:
        glob = str(Path(path) / "*.parquet").replace("'", "''")
        df = con.execute(f"SELECT * FROM read_parquet('{glob}')").df()
    except duckdb.Error as exc:
        raise OSError(f"{path}: this worker cannot read the staged batch ({exc})") from None
    finally:
        con.close()
    if "batch_no" in df:
        df = df.drop(columns="batch_no")
    return df.sort_values(["doc_id", "idx"], kind="stable").reset_index(drop=True)


def staged_results(con, select: str, params: list, fn: Callable, args: tuple, *, dask: str, stage,
                   beside, batch: int, what: str, window: int | None = None) -> Iterator[tuple[int, Any]]:
    """Stage the rows of ``select`` and run ``fn(*args, batch_folder)`` for each batch on the
    cluster; yields (total rows, result) in batch order. A batch whose workers kept dying, or that
    a worker cannot read, ends the run with a ZonelensError (what was stored so far stays)."""
    try:
        with stage_folder(stage, beside) as folder:
            staged = stage_batches(con, select, params, folder, batch)
            total = int(sum(n for _, n in staged))
            jobs = ((n, (*args, str(path))) for path, n in staged)
            with dask_client(dask) as client:
                for _, result, error in ordered_results(client, fn, jobs, window or default_window(client, 2)):
                    if error is not None:
                        raise ZonelensError(f"workers kept dying while {what} ({error}); "
                                            "rows stored so far are kept, run again to resume")
                    yield total, result
    except OSError as exc:  # a worker could not read its staged batch
        raise ZonelensError(str(exc)) from None

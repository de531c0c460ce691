"""Connecting to Dask, and a bounded, ordered stream of tasks.

``--dask ADDRESS`` names a running scheduler (``tcp://host:8786``); ``--dask local:N`` starts a
LocalCluster of N worker processes with one thread each, shut down when the run ends.

Workers only compute and return rows; the driver writes. A task therefore has no side effect and
Dask may run it again (a worker died) without duplicating anything.
"""

from __future__ import annotations

import re
from collections import deque
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator

from ..errors import UsageError, ZonelensError

_LOCAL = re.compile(r"^local(?::(\d+))?$")


def _import_distributed():
    try:
        import distributed
    except ImportError:  # pragma: no cover - dask is in the dev group and the `dask` extra
        raise ZonelensError("dask.distributed is not installed: uv sync --extra dask") from None
    return distributed


def parse_spec(spec: str) -> tuple[str, int | str]:
    """``('local', n_workers)`` or ``('address', address)``; a UsageError for anything else."""
    spec = (spec or "").strip()
    m = _LOCAL.match(spec)
    if m:
        n = int(m.group(1) or 2)
        if n < 1:
            raise UsageError("--dask local:N needs N >= 1 worker")
        return "local", n
    if re.match(r"^(tcp|tls|inproc|ucx|ws|wss)://\S+$", spec) or re.match(r"^[\w.\-]+:\d+$", spec):
        return "address", spec
    raise UsageError(f"--dask '{spec}': give a scheduler address (tcp://host:8786) or local:N")


@contextmanager
def dask_client(spec: str, timeout: float = 30.0) -> Iterator:
    """A ``distributed.Client`` for ``spec``; a local cluster it started is closed afterwards."""
    distributed = _import_distributed()
    kind, value = parse_spec(spec)
    cluster = None
    try:
        if kind == "local":
            cluster = distributed.LocalCluster(n_workers=value, threads_per_worker=1, processes=True,
                                               dashboard_address=None)
            client = distributed.Client(cluster)
        else:
            client = distributed.Client(value, timeout=timeout)
    except OSError as exc:
        if cluster is not None:
            cluster.close()
        raise ZonelensError(f"cannot reach the Dask scheduler at {value} ({exc})") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def ordered_results(client, fn: Callable, jobs: Iterable[tuple], window: int) -> Iterator[tuple]:
    """Submit ``fn(*args)`` for each ``(label, args)`` of ``jobs``, at most ``window`` at a time.

    Yields ``(label, result, error)`` in submission order (so the driver stores in the same order
    as a single-process run), where ``error`` is a ``KilledWorker`` when Dask gave the task up
    after workers died running it. Jobs are pulled lazily: the driver never holds more than
    ``window`` payloads or results.
    """
    from distributed import KilledWorker

    jobs = iter(jobs)
    pending: deque = deque()

    def submit_one() -> bool:
        job = next(jobs, None)
        if job is None:
            return False
        label, args = job
        pending.append((label, client.submit(fn, *args, pure=False)))
        return True

    while len(pending) < max(1, window) and submit_one():
        pass
    while pending:
        label, fut = pending.popleft()
        try:
            result, error = fut.result(), None
        except KilledWorker as exc:
            result, error = None, exc
        fut.release()
        submit_one()
        yield label, result, error


def default_window(client, per_worker: int = 3) -> int:
    """In-flight tasks: a few per worker thread, so workers stay busy while the driver writes."""
    try:
        threads = sum(client.nthreads().values())
    except Exception:  # pragma: no cover
        threads = 2
    return max(2, per_worker * max(1, threads))

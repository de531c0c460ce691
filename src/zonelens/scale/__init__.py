"""Scale-out with Dask: distributed ingest and theme apply, and the Parquet corpus layout.

Workers parse, segment, embed and classify, and return rows; the driver alone writes (the DuckDB
file, or Parquet parts with ``parquet=DIR``). Needs ``dask.distributed`` (extra ``dask``).
Submodules are imported on first use, so an ingest worker does not load the classifier stack.
"""

from importlib import import_module

_WHERE = {"apply_distributed": "apply", "ingest_distributed": "ingest", "dask_client": "cluster",
          "parse_spec": "cluster", "apply_topics_distributed": "topics"}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(name)

"""Scale-out with Dask: the shared plumbing only (cluster start-up, staging, the Parquet corpus
layout). Running a stage on Dask is an option of the stage's own function: ``ingest(..., dask=...)``
(:mod:`zonelens.ingest.run`), ``apply_model(..., dask=...)`` (:mod:`zonelens.themes.run`),
``apply_topics(..., dask=...)`` (:mod:`zonelens.topics.run`).

Workers parse, segment, embed and classify, and return rows; the driver alone writes (the DuckDB
file, or Parquet parts with ``parquet=DIR``). Needs ``dask.distributed`` (extra ``dask``).
Submodules are imported on first use, so an ingest worker does not load the classifier stack.
"""

from importlib import import_module

_WHERE = {"dask_client": "cluster",
          "parse_spec": "cluster"}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(name)

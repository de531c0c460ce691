"""Distributed ingest: workers read, clean and segment files; the driver stores them in order.

One task per file. A worker returns the same events as :func:`zonelens.corpus.read_documents`
(plus ``failed`` for a file it cannot read); the driver records them with the code of the
single-process ingest, in the order the files were given, so the stored rows and the report are
the same as ``zonelens ingest`` without ``--dask``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable

from .. import store
from ..corpus import (IngestReport, Overrides, input_files, read_documents, record_event,
                      store_document)
from ..errors import InputError
from ..hashing import doc_id_for
from ..ingest.metadata import load_manifest
from ..ingest.readers import CORPUS_EXT, DEFAULT_MAX_MB, Columns
from .cluster import dask_client, default_window, ordered_results


def prepare_file(path: str, columns: Columns, max_mb: float, rows, overrides: Overrides,
                 skip_missing_year: bool, known: dict) -> list[tuple]:
    """Worker task: the events of one file; a file that cannot be read ends with ('failed', path, reason)."""
    out: list[tuple] = []
    try:
        for kind, where, data in read_documents(Path(path), columns, max_mb, rows, overrides,
                                                skip_missing_year, known.get):
            if kind == "prepared":  # the source text is only needed for its id: don't ship it back
                raw = data["raw"]
                data = {**data, "doc_id": doc_id_for(raw.text), "raw": replace(raw, text="")}
            out.append((kind, where, data))
    except InputError as exc:  # not raised across processes: InputError does not pickle
        out.append(("failed", exc.path, exc.reason))
    return out


def _known_duckdb(con, path: str) -> dict:
    rows = con.execute("SELECT path, sha256 FROM documents WHERE path = ? OR starts_with(path, ?)",
                       [path, path + "#"]).fetchall()
    return dict(rows)


def _known_parquet(sink, path: str) -> dict:
    if Path(path).suffix.lower() in CORPUS_EXT:
        prefix = path + "#"
        return {p: v[1] for p, v in sink.by_path.items() if p == path or p.startswith(prefix)}
    sha = sink.known(path)
    return {path: sha} if sha else {}


def ingest_distributed(
    paths: Iterable[str | Path],
    db: str | Path = store.DEFAULT_DB,
    *,
    dask: str = "local:2",
    parquet: str | Path | None = None,
    manifest: str | Path | None = None,
    recursive: bool = False,
    overrides: Overrides = Overrides(),
    columns: Columns = Columns(),
    max_mb: float = DEFAULT_MAX_MB,
    skip_missing_year: bool = True,
    progress: Callable[[str], None] | None = None,
    window: int | None = None,
    rows_per_part: int = 200_000,
) -> IngestReport:
    """``corpus.ingest`` on a Dask cluster; with ``parquet`` the corpus goes to Parquet parts in that folder."""
    files = input_files(paths, recursive, manifest, overrides)
    rows = load_manifest(Path(manifest)) if manifest else None
    report = IngestReport()
    if parquet is not None:
        from .parquet import ParquetCorpus

        sink = ParquetCorpus(parquet, rows_per_part)
        known, store_prep, close = (lambda p: _known_parquet(sink, p)), sink.store, sink.flush
    else:
        con = store.connect(db)
        known, store_prep, close = (lambda p: _known_duckdb(con, p)), (lambda prep: store_document(con, prep)), con.close
    try:
        with dask_client(dask) as client:
            jobs = ((str(f), (str(f), columns, max_mb, rows, overrides, skip_missing_year,
                              known(str(f)))) for f in files)
            for path, events, error in ordered_results(client, prepare_file, jobs, window or default_window(client)):
                if error is not None:
                    report.failures.append((path, f"a worker died while reading it ({type(error).__name__})"))
                for event in events or ():
                    if event[0] == "failed":
                        report.failures.append((event[1], event[2]))
                    else:
                        record_event(event, report, store_prep)
                if progress:
                    progress(path)
    finally:
        close()
    return report


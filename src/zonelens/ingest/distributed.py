"""Distributed ingest: workers read, clean and segment files; the driver stores them in order.

One task per file, or per slice of about ``split_mb`` of a larger JSONL corpus file (so its rows
spread over the workers; :mod:`zonelens.ingest.slices`). A worker returns the same events as :func:`zonelens.ingest.run.read_documents`
(plus ``failed`` for a file it cannot read); the driver records them with the code of the
single-process ingest, in the order the files were given, so the stored rows and the report are
the same as ``zonelens ingest`` without ``--dask``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable

from .. import store
from .run import IngestReport, Reading, record_event, store_document
from ..errors import InputError
from ..hashing import doc_id_for
from ..scale.cluster import dask_client, default_window, ordered_results
from .readers import CORPUS_EXT
from .slices import jsonl_slices


def prepare_file(path: str, reading: Reading, known: dict, part=None) -> list[tuple]:
    """Worker task: the events of one file (or slice); a file that cannot be read ends with
    ('failed', path, reason)."""
    out: list[tuple] = []
    try:
        for kind, where, data in reading.documents(Path(path), known.get, part):
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


def file_jobs(path: Path, split_bytes: int) -> list:
    """The parts of one input file: [None] (read whole) or the slices of a large JSONL file."""
    if path.suffix.lower() != ".jsonl" or split_bytes <= 0:
        return [None]
    try:
        if path.stat().st_size <= split_bytes:
            return [None]
    except OSError:
        return [None]
    return jsonl_slices(path, split_bytes) or [None]


def _slice_known(known: dict, path: str, part) -> dict:
    """The stored hashes of a slice's own rows (a task carries no more than it needs)."""
    if part is None:
        return known
    labels = (f"{path}#{i}" for i in range(part.first_row, part.first_row + part.rows))
    return {lab: known[lab] for lab in labels if lab in known}


def ingest_on_dask(
    files: Iterable[Path],
    reading: Reading,
    db: str | Path = store.DEFAULT_DB,
    *,
    dask: str = "local:2",
    parquet: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    window: int | None = None,
    rows_per_part: int = 200_000,
    split_mb: float = 16.0,
) -> IngestReport:
    """The Dask executor of :func:`zonelens.ingest.run.ingest` (``ingest(..., dask=...)``), which
    hands over the input files and the reading options; with ``parquet`` the corpus goes to
    Parquet parts in that folder. A JSONL corpus file over ``split_mb`` is read as slices of about
    that size (0: never split)."""
    report = IngestReport()
    if parquet is not None:
        from ..scale.parquet import ParquetCorpus

        sink = ParquetCorpus(parquet, rows_per_part)
        known, store_prep, close = (lambda p: _known_parquet(sink, p)), sink.store, sink.flush
    else:
        con = store.connect(db)
        known, store_prep, close = (lambda p: _known_duckdb(con, p)), (lambda prep: store_document(con, prep)), con.close
    try:
        with dask_client(dask) as client:
            def jobs():
                for f in files:
                    parts = file_jobs(f, int(split_mb * 2**20))
                    known_all = known(str(f))
                    for k, part in enumerate(parts):
                        yield ((str(f), k == len(parts) - 1),
                               (str(f), reading, _slice_known(known_all, str(f), part), part))

            for (path, last), events, error in ordered_results(client, prepare_file, jobs(),
                                                               window or default_window(client)):
                if error is not None:
                    report.failures.append((path, f"a worker died while reading it ({type(error).__name__})"))
                for event in events or ():
                    if event[0] == "failed":
                        report.failures.append((event[1], event[2]))
                    else:
                        record_event(event, report, store_prep)
                if progress and last:
                    progress(path)
    finally:
        close()
    return report


"""Build the corpus: read files, clean, infer metadata, segment, and store in the DuckDB file.

One bad report never aborts a batch: its failure is recorded and the rest are stored. Each
document is written in its own transaction, so nothing already stored is lost.
"""

from __future__ import annotations

import itertools

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

import duckdb

from .. import store
from ..errors import InputError, UsageError
from ..hashing import doc_id_for
from ..segment import segment
from .about import infer_year, infer_zone
from .clean import clean
from .metadata import NONE, Value, load_manifest, manifest_lookup
from .readers import CORPUS_EXT, DEFAULT_MAX_MB, SUPPORTED, Columns, RawDoc, read_path
from .title import choose_title

MIN_CJK = 10  # a report with fewer Chinese characters than this is refused


@dataclass
class IngestReport:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    sentences: int = 0
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (path, message)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    to_check: list[str] = field(default_factory=list)  # stored documents whose zone or year is unsure

    @property
    def documents(self) -> int:
        return self.added + self.replaced + self.unchanged


@dataclass(frozen=True)
class Overrides:
    zone: str | None = None
    year: int | None = None


def expand_paths(paths: Iterable[str | Path], recursive: bool) -> Iterator[Path]:
    """Files named directly, and the supported files of named folders (sub-folders with --recursive)."""
    for p in paths:
        p = Path(p)
        if p.is_dir():
            pattern = "**/*" if recursive else "*"
            for f in sorted(p.glob(pattern)):
                if f.is_file() and not f.name.startswith(".") and f.suffix.lower() in SUPPORTED:
                    yield f
        else:
            yield p


def _choose(*values: Value) -> Value:
    return next((v for v in values if v.value is not None), NONE)


def prepare(raw: RawDoc, manifest_row, overrides: Overrides) -> dict:
    """Clean, infer metadata and segment one raw document into the rows to store."""
    cjk = sum(1 for ch in raw.text if "\u4e00" <= ch <= "\u9fff")
    if cjk < MIN_CJK:
        raise InputError(raw.path, "no Chinese text found" if raw.text.strip() else "no text found")
    cleaned = clean(raw.text)
    column = "." + raw.format in CORPUS_EXT
    title = choose_title(cleaned.text, raw.path, manifest_row.title if manifest_row else None,
                         raw.title if column else None, None if column else raw.title)
    zone = _choose(
        Value(overrides.zone, "option", 1.0),
        Value(manifest_row.zone if manifest_row else None, "manifest", 1.0),
        Value(raw.zone, "column", 1.0),
        infer_zone(title, cleaned.text, raw.path),
    )
    year = _choose(
        Value(overrides.year, "option", 1.0),
        Value(manifest_row.year if manifest_row else None, "manifest", 1.0),
        Value(raw.year, "column", 1.0),
        infer_year(title, cleaned.text, cleaned.normalized, raw.path),
    )
    units = segment(cleaned.text, year.value if isinstance(year.value, int) else None)
    if not units:
        raise InputError(raw.path, "no sentences after cleaning")
    return {"raw": raw, "cleaned": cleaned, "title": title, "zone": zone, "year": year, "units": units}


def store_document(con: duckdb.DuckDBPyConnection, prep: dict) -> str:
    """Write one document in one transaction; returns 'added', 'replaced', 'unchanged' or 'duplicate:<path>'."""
    raw: RawDoc = prep["raw"]
    doc_id = prep.get("doc_id") or doc_id_for(raw.text)
    existing = con.execute("SELECT doc_id, sha256 FROM documents WHERE path = ?", [raw.path]).fetchone()
    if existing and existing[1] == raw.sha256:
        return "unchanged"
    twin = con.execute("SELECT path FROM documents WHERE doc_id = ? AND path <> ?", [doc_id, raw.path]).fetchone()
    if twin:
        return "duplicate:" + twin[0]
    with store.transaction(con):
        if existing:
            for table in ("sentences", "warnings", "documents"):
                con.execute(f"DELETE FROM {table} WHERE doc_id = ?", [existing[0]])
            for table in _derived_tables(con):
                con.execute(f"DELETE FROM {table} WHERE doc_id = ?", [existing[0]])
        doc, sents, warns = document_rows(prep)
        con.execute(f"INSERT INTO documents ({', '.join(store.columns('documents'))}) "
                    f"VALUES ({', '.join('?' * len(store.columns('documents')))})", doc)
        _insert_sentences(con, sents)
        for w in warns:
            con.execute("INSERT INTO warnings VALUES (?, ?, ?)", w)
    return "replaced" if existing else "added"


def _insert_sentences(con, sents: list[tuple]) -> None:
    """Insert sentence rows in one statement (row-by-row executemany is most of ingest's time)."""
    import pyarrow as pa

    names = store.columns("sentences")
    table = pa.table({c: [r[i] for r in sents] for i, c in enumerate(names)})
    con.register("new_sentences", table)
    try:
        con.execute(f"INSERT INTO sentences ({', '.join(names)}) SELECT * FROM new_sentences")
    finally:
        con.unregister("new_sentences")


def document_rows(prep: dict) -> tuple[list, list[tuple], list[tuple]]:
    """The rows of one prepared document: (documents row, sentences rows, warnings rows)."""
    raw: RawDoc = prep["raw"]
    doc_id = prep.get("doc_id") or doc_id_for(raw.text)  # set where raw.text was dropped (ingest.distributed)
    units = prep["units"]
    zone, year = prep["zone"], prep["year"]
    doc = [doc_id, raw.path, raw.sha256, zone.value, year.value, prep["title"], zone.source,
           year.source, zone.confidence, year.confidence, len(units), len(prep["cleaned"].text),
           raw.format, raw.encoding, prep["cleaned"].text, datetime.now(timezone.utc).replace(tzinfo=None),
           _candidates(zone), _candidates(year)]
    sents = [(doc_id, u.idx, u.text, u.is_heading, u.heading_path, u.period, u.char_start, u.char_end)
             for u in units]
    warns = [(doc_id, kind, msg) for kind, msg in prep["cleaned"].warnings + raw.warnings]
    return doc, sents, warns


def _candidates(value: Value) -> str | None:
    """Conflicting evidence as a JSON list ("value (source)"), or None when the evidence agreed."""
    import json

    return json.dumps(list(value.candidates), ensure_ascii=False) if value.candidates else None


def _derived_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables of later stages keyed by doc_id (predictions, embeddings, topics): cleared on replace."""
    rows = con.execute(
        "SELECT DISTINCT table_name FROM information_schema.columns WHERE column_name = 'doc_id' "
        "AND table_name NOT IN ('documents', 'sentences', 'warnings')").fetchall()
    return [r[0] for r in rows]


def input_files(paths: Iterable[str | Path], recursive: bool, manifest: str | Path | None,
                overrides: Overrides) -> Iterator[Path]:
    """The files to ingest (the manifest itself left out), streamed; usage errors raised up front:
    no input at all, or --zone/--year given for more than one file."""
    skip = {Path(manifest).resolve()} if manifest else set()
    files = (f for f in expand_paths(paths, recursive) if f.resolve() not in skip)
    head = list(itertools.islice(files, 2))
    if not head:
        raise UsageError("no input files (give files or folders; folders list .txt .md .docx .pdf .html .jsonl .csv .dta)")
    if (overrides.zone or overrides.year) and len(head) > 1:
        raise UsageError("--zone and --year apply to a single file; use --manifest for several")
    return itertools.chain(head, files)


@dataclass(frozen=True)
class Reading:
    """How each input file is read and prepared: the options the single-process and the Dask
    ingest share (``rows``: the manifest's rows, or None)."""
    columns: Columns = Columns()
    max_mb: float = DEFAULT_MAX_MB
    overrides: Overrides = Overrides()
    skip_missing_year: bool = True
    rows: object = None

    def documents(self, path: Path, known: Callable[[str], str | None], part=None) -> Iterator[tuple]:
        """The events of one file (or slice, ``part``): :func:`read_documents` with these options."""
        return read_documents(path, self.columns, self.max_mb, self.rows, self.overrides,
                              self.skip_missing_year, known, part)


def ingest(
    paths: Iterable[str | Path],
    db: str | Path = store.DEFAULT_DB,
    *,
    manifest: str | Path | None = None,
    recursive: bool = False,
    overrides: Overrides = Overrides(),
    columns: Columns = Columns(),
    max_mb: float = DEFAULT_MAX_MB,
    skip_missing_year: bool = True,
    progress: Callable[[str], None] | None = None,
    dask: str | None = None,
    **on_dask,
) -> IngestReport:
    """Ingest files into the corpus database and report what happened. With ``dask`` (a scheduler
    address or ``local:N``) the same rows are made on a Dask cluster, ``on_dask`` taking that
    executor's options (``parquet``, ``window``, ``rows_per_part``, ``split_mb``;
    :func:`zonelens.ingest.distributed.ingest_on_dask`)."""
    if dask is None and on_dask:
        raise UsageError(f"{', '.join(sorted(on_dask))} need(s) dask")
    files = input_files(paths, recursive, manifest, overrides)
    reading = Reading(columns, max_mb, overrides, skip_missing_year,
                      load_manifest(Path(manifest)) if manifest else None)
    if dask is not None:
        from .distributed import ingest_on_dask

        return ingest_on_dask(files, reading, db, dask=dask, progress=progress, **on_dask)
    report = IngestReport()
    con = store.connect(db)
    try:
        for path in files:
            try:
                for event in reading.documents(path, known=lambda p: _known_sha(con, p)):
                    record_event(event, report, lambda prep: store_document(con, prep))
            except InputError as exc:
                report.failures.append((exc.path, exc.reason))
            if progress:
                progress(str(path))
    finally:
        con.close()
    return report


def summary(db: str | Path) -> dict:
    """What the corpus holds: documents per zone and year, sentences, periods, warnings."""
    con = store.connect(db, read_only=True)
    try:
        q = con.execute
        return {
            "documents": q("SELECT count(*) FROM documents").fetchone()[0],
            "sentences": q("SELECT count(*) FROM sentences WHERE NOT is_heading").fetchone()[0],
            "headings": q("SELECT count(*) FROM sentences WHERE is_heading").fetchone()[0],
            "periods": dict(q("SELECT period, count(*) FROM sentences GROUP BY 1 ORDER BY 1").fetchall()),
            "warnings": q("SELECT count(*) FROM warnings").fetchone()[0],
            # sentences as everywhere else (exports, report): headings are not counted
            "by_zone_year": q("""SELECT coalesce(d.zone, '(unknown)') AS zone, d.year,
                                        count(DISTINCT d.doc_id) AS documents,
                                        count(s.idx) FILTER (WHERE NOT s.is_heading) AS sentences
                                 FROM documents d LEFT JOIN sentences s ON s.doc_id = d.doc_id
                                 GROUP BY ALL ORDER BY zone, year""").df(),
            "to_check": to_check(con),
        }
    finally:
        con.close()


CHECK_BELOW = 0.6  # documents whose zone or year confidence is below this are listed to check


def to_check(con: duckdb.DuckDBPyConnection):
    """Documents whose zone or year is unknown, unsure or contradicted: path, zone, year, why."""
    cols = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                      "WHERE table_name = 'documents'").fetchall()}
    zc = "zone_candidates" if "zone_candidates" in cols else "NULL"
    yc = "year_candidates" if "year_candidates" in cols else "NULL"
    return con.execute(f"""
        SELECT path, zone, year, zone_confidence, year_confidence,
               concat_ws('; ',
                   CASE WHEN zone IS NULL THEN 'zone unknown' END,
                   CASE WHEN year IS NULL THEN 'year unknown' END,
                   CASE WHEN zone IS NOT NULL AND zone_confidence < {CHECK_BELOW} THEN 'zone unsure' END,
                   CASE WHEN year IS NOT NULL AND year_confidence < {CHECK_BELOW} THEN 'year unsure' END,
                   CASE WHEN {zc} IS NOT NULL THEN 'zone evidence: ' || array_to_string(CAST({zc} AS JSON)::VARCHAR[], ', ') END,
                   CASE WHEN {yc} IS NOT NULL THEN 'year evidence: ' || array_to_string(CAST({yc} AS JSON)::VARCHAR[], ', ') END
               ) AS why
        FROM documents
        WHERE zone IS NULL OR year IS NULL OR zone_confidence < {CHECK_BELOW} OR year_confidence < {CHECK_BELOW}
              OR {zc} IS NOT NULL OR {yc} IS NOT NULL
        ORDER BY path""").df()


def _known_sha(con, path: str) -> str | None:
    row = con.execute("SELECT sha256 FROM documents WHERE path = ?", [path]).fetchone()
    return row[0] if row else None


def read_documents(path: Path, columns: Columns, max_mb: float, rows, overrides: Overrides,
                   skip_missing_year: bool, known: Callable[[str], str | None], part=None) -> Iterator[tuple]:
    """Read one file and prepare its documents; no database access (``known`` gives a stored sha256).

    Yields events ``(kind, path, data)``: ``("warning", path, message)``, ``("unchanged", path,
    None)`` or ``("prepared", path, prep)``. Raises InputError for a file that cannot be read; the
    events already yielded stand. Shared by the single-process and the distributed ingest (which
    may read a large JSONL file as slices, ``part``).
    """
    for raw in read_path(path, columns, max_mb, part):
        if skip_missing_year and any(k == "missing_year" for k, _ in raw.warnings) and not overrides.year:
            yield ("warning", raw.path, raw.warnings[0][1] + "; skipped (not a dated report)")
            continue
        if known(raw.path) == raw.sha256:
            yield ("unchanged", raw.path, None)
            continue
        try:
            prep = prepare(raw, manifest_lookup(rows, raw.path), overrides)
        except InputError as exc:
            if "#" in raw.path:  # an empty row of a corpus file: a warning, the file goes on
                yield ("warning", raw.path, exc.reason + "; skipped")
                continue
            raise
        yield ("prepared", raw.path, prep)


def record_event(event: tuple, report: IngestReport, store_prep: Callable[[dict], str]) -> None:
    """Store a prepared document with ``store_prep`` (e.g. store_document) and count the outcome."""
    kind, path, data = event
    if kind == "warning":
        report.warnings.append((path, data))
        return
    if kind == "unchanged":
        report.unchanged += 1
        return
    prep = data
    outcome = store_prep(prep)
    if outcome.startswith("duplicate:"):
        report.warnings.append((path, f"same text as {outcome[10:]} already stored; not stored twice"))
        return
    setattr(report, outcome, getattr(report, outcome) + 1)
    if outcome != "unchanged":
        report.sentences += len(prep["units"])
        if any(v.value is None or v.confidence < CHECK_BELOW or v.candidates for v in (prep["zone"], prep["year"])):
            report.to_check.append(path)
        report.warnings.extend((path, msg) for _, msg in prep["cleaned"].warnings)

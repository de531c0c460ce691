"""The corpus database: one DuckDB file holding documents, sentences and everything derived.

This is the I/O edge every stage reads from and writes to. Tables:

- ``documents``: one row per ingested report.
- ``sentences``: one row per sentence or heading, keyed by ``(doc_id, idx)``.
- ``warnings``: non-fatal findings per document (e.g. a junk token substituted throughout).
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from .embed import DIM
from .errors import ZonelensError

DEFAULT_DB = "zonelens.duckdb"
SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS documents (
    doc_id VARCHAR PRIMARY KEY,      -- sha256 of the document's source text, 16 hex chars
    path VARCHAR NOT NULL,           -- the path as given (with '#row' for corpus files)
    sha256 VARCHAR NOT NULL,         -- sha256 of the source bytes (whole file, or the row's text)
    zone VARCHAR,
    year INTEGER,
    title VARCHAR,
    zone_source VARCHAR,             -- manifest | column | option | title | text | filename | folder | none
    year_source VARCHAR,
    zone_confidence DOUBLE,
    year_confidence DOUBLE,
    n_sentences INTEGER NOT NULL,
    n_chars INTEGER NOT NULL,
    format VARCHAR,
    encoding VARCHAR,
    cleaned_text VARCHAR NOT NULL,
    ingested_at TIMESTAMP NOT NULL,
    zone_candidates VARCHAR,         -- JSON list of conflicting evidence, "value (source)"; NULL: none
    year_candidates VARCHAR
);
CREATE TABLE IF NOT EXISTS sentences (
    doc_id VARCHAR NOT NULL,
    idx INTEGER NOT NULL,
    text VARCHAR NOT NULL,
    is_heading BOOLEAN NOT NULL,
    heading_path VARCHAR NOT NULL,   -- 'chapter > section', '' at top level
    period VARCHAR NOT NULL,         -- review | plan | unknown
    char_start INTEGER NOT NULL,     -- offsets into documents.cleaned_text
    char_end INTEGER NOT NULL,
    PRIMARY KEY (doc_id, idx)
);
CREATE TABLE IF NOT EXISTS warnings (
    doc_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    message VARCHAR NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_path ON documents (path);  -- ingest looks documents up by path
"""
DOCUMENT_COLS = ("doc_id", "path", "sha256", "zone", "year", "title", "zone_source", "year_source",
                 "zone_confidence", "year_confidence", "n_sentences", "n_chars", "format", "encoding",
                 "cleaned_text", "ingested_at", "zone_candidates", "year_candidates")
# The embeddings cache, one vector per sentence and embedder model id. Declared once: the DuckDB
# table and the Parquet layout (zonelens.scale.parquet) are both made from these columns.
EMBEDDING_DIM = DIM
EMBEDDINGS_COLUMNS = (("doc_id", "VARCHAR"), ("idx", "INTEGER"), ("model", "VARCHAR"),
                      ("vec", f"FLOAT[{EMBEDDING_DIM}]"))
EMBEDDINGS_SCHEMA = ("CREATE TABLE IF NOT EXISTS embeddings ("
                     + ", ".join(f"{c} {t}" for c, t in EMBEDDINGS_COLUMNS)
                     + ", PRIMARY KEY (doc_id, idx, model))")


def store_embeddings(con, vecs) -> None:
    """Insert (or replace) rows doc_id, idx, model, vec (a DataFrame; None or empty: nothing) in
    table ``embeddings``, creating it if needed."""
    if vecs is None or not len(vecs):
        return
    con.execute(EMBEDDINGS_SCHEMA)
    con.register("new_vecs", vecs)
    try:
        con.execute(f"INSERT OR REPLACE INTO embeddings SELECT doc_id, idx, model, vec::FLOAT[{EMBEDDING_DIM}] "
                    "FROM new_vecs")
    finally:
        con.unregister("new_vecs")


# Columns added after the first release: a database made before gets them when opened for writing.
ADDED_COLUMNS = (("documents", "zone_candidates", "VARCHAR"), ("documents", "year_candidates", "VARCHAR"))


def connect(db: str | Path = DEFAULT_DB, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and create if needed) the corpus database."""
    path = Path(db)
    if read_only and not path.exists():
        raise ZonelensError(f"{path}: no such corpus database (run `zonelens ingest` first)")
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:  # not a DuckDB file, locked, unreadable
        msg = str(exc).splitlines()[0]
        raise ZonelensError(f"{path}: cannot open as a DuckDB database ({msg})") from None
    if not read_only:
        con.execute(SCHEMA)
        for table, column, kind in ADDED_COLUMNS:
            con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")
        con.execute(
            "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
        )
    return con


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run a block in one transaction: all of it is stored, or none."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    else:
        con.execute("COMMIT")


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchone()
    return bool(row and row[0])

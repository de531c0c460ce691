"""The corpus database: one DuckDB file holding documents, sentences and everything derived.

This is the I/O edge every stage reads from and writes to. Tables:

- ``documents``: one row per ingested report.
- ``sentences``: one row per sentence or heading, keyed by ``(doc_id, idx)``.
- ``warnings``: non-fatal findings per document (e.g. a junk token substituted throughout).

and the later stages' tables (``theme_predictions``, ``topic_assignments``, ``topic_info``,
``embeddings``); every table's columns are declared once, in :data:`TABLES`.
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

EMBEDDING_DIM = DIM

# Every table of the corpus, declared once: (column, DuckDB type[ NOT NULL]) in order, and the key.
# DuckDB's CREATE TABLE (:func:`create_sql`) and the Parquet layout (zonelens.scale.parquet) are
# both made from these, so a new table or column is one edit here (a database made before a new
# nullable column gets it when opened for writing: add_missing_columns).
TABLES: dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, ...]]] = {
    "documents": ((
        ("doc_id", "VARCHAR"),               # sha256 of the document's source text, 16 hex chars
        ("path", "VARCHAR NOT NULL"),        # the path as given (with '#row' for corpus files)
        ("sha256", "VARCHAR NOT NULL"),      # sha256 of the source bytes (whole file, or the row's text)
        ("zone", "VARCHAR"),
        ("year", "INTEGER"),
        ("title", "VARCHAR"),
        ("zone_source", "VARCHAR"),          # manifest | column | option | title | text | filename | folder | none
        ("year_source", "VARCHAR"),
        ("zone_confidence", "DOUBLE"),
        ("year_confidence", "DOUBLE"),
        ("n_sentences", "INTEGER NOT NULL"),
        ("n_chars", "INTEGER NOT NULL"),
        ("format", "VARCHAR"),
        ("encoding", "VARCHAR"),
        ("cleaned_text", "VARCHAR NOT NULL"),
        ("ingested_at", "TIMESTAMP NOT NULL"),
        ("zone_candidates", "VARCHAR"),      # JSON list of conflicting evidence, "value (source)"; NULL: none
        ("year_candidates", "VARCHAR"),
    ), ("doc_id",)),
    "sentences": ((
        ("doc_id", "VARCHAR NOT NULL"),
        ("idx", "INTEGER NOT NULL"),
        ("text", "VARCHAR NOT NULL"),
        ("is_heading", "BOOLEAN NOT NULL"),
        ("heading_path", "VARCHAR NOT NULL"),  # 'chapter > section', '' at top level
        ("period", "VARCHAR NOT NULL"),        # review | plan | unknown
        ("char_start", "INTEGER NOT NULL"),    # offsets into documents.cleaned_text
        ("char_end", "INTEGER NOT NULL"),
    ), ("doc_id", "idx")),
    "warnings": ((("doc_id", "VARCHAR NOT NULL"), ("kind", "VARCHAR NOT NULL"),
                  ("message", "VARCHAR NOT NULL")), ()),
    # themes: one row per sentence and theme model
    "theme_predictions": ((("doc_id", "VARCHAR"), ("idx", "INTEGER"), ("model_id", "VARCHAR"),
                           ("themes", "VARCHAR[]"), ("primary", "VARCHAR"), ("scores", "MAP(VARCHAR, DOUBLE)")),
                          ("doc_id", "idx", "model_id")),
    # topics: one row per sentence and topic model, and one per topic of a model
    "topic_assignments": ((("doc_id", "VARCHAR"), ("idx", "INTEGER"), ("model_id", "VARCHAR"),
                           ("topic", "INTEGER"), ("topic_raw", "INTEGER")), ("doc_id", "idx", "model_id")),
    "topic_info": ((("model_id", "VARCHAR"), ("topic", "INTEGER"), ("label", "VARCHAR"), ("size", "INTEGER"),
                    ("top_words", "VARCHAR[]")), ("model_id", "topic")),
    # the embeddings cache, one vector per sentence and embedder model id
    "embeddings": ((("doc_id", "VARCHAR"), ("idx", "INTEGER"), ("model", "VARCHAR"),
                    ("vec", f"FLOAT[{EMBEDDING_DIM}]")), ("doc_id", "idx", "model")),
}


def columns(table: str) -> tuple[str, ...]:
    """The column names of ``table``, in order."""
    return tuple(c for c, _ in TABLES[table][0])


def create_sql(table: str) -> str:
    """CREATE TABLE IF NOT EXISTS for ``table`` as declared in :data:`TABLES`."""
    cols, key = TABLES[table]
    parts = [f'"{c}" {t}' for c, t in cols]
    if key:
        parts.append(f"PRIMARY KEY ({', '.join(key)})")
    return f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(parts)})"


def create(con, *tables: str) -> None:
    """Create the named tables if they do not exist yet."""
    for table in tables:
        con.execute(create_sql(table))


SCHEMA = ";\n".join(["CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)"]
                    + [create_sql(t) for t in ("documents", "sentences", "warnings")]
                    + ["CREATE INDEX IF NOT EXISTS documents_path ON documents (path)"]) + ";"  # ingest looks documents up by path


def store_embeddings(con, vecs) -> None:
    """Insert (or replace) rows doc_id, idx, model, vec (a DataFrame; None or empty: nothing) in
    table ``embeddings``, creating it if needed."""
    if vecs is None or not len(vecs):
        return
    create(con, "embeddings")
    con.register("new_vecs", vecs)
    try:
        con.execute(f"INSERT OR REPLACE INTO embeddings SELECT doc_id, idx, model, vec::FLOAT[{EMBEDDING_DIM}] "
                    "FROM new_vecs")
    finally:
        con.unregister("new_vecs")


def add_missing_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Give the tables of a database made before a column was declared in :data:`TABLES` that
    column (nullable ones; e.g. ``documents.zone_candidates``), so a new column is one edit."""
    have = set(con.execute("SELECT table_name, column_name FROM information_schema.columns "
                           "WHERE table_schema = 'main'").fetchall())
    for table in sorted({t for t, _ in have} & TABLES.keys()):
        for column, kind in TABLES[table][0]:
            if (table, column) not in have and "NOT NULL" not in kind:
                con.execute(f'ALTER TABLE {table} ADD COLUMN IF NOT EXISTS "{column}" {kind}')


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
        add_missing_columns(con)
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

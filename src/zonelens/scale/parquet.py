"""The corpus as a folder of Parquet partitions, for corpora that outgrow one DuckDB file.

Layout: ``DIR/<table>/part-000000.parquet`` with the columns of the DuckDB table of the same name
(documents, sentences, warnings, theme_predictions, embeddings). Each part is written to a temp
file and renamed, so a part is whole or absent. Query with DuckDB::

    SELECT zone, count(*) FROM read_parquet('DIR/documents/*.parquet') GROUP BY zone;

or :func:`attach_views`, which names the tables as views on a connection.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import ZonelensError
from ..store import TABLES

_ARROW = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(),
          "TIMESTAMP": pa.timestamp("us"), "VARCHAR[]": pa.list_(pa.string()),
          "MAP(VARCHAR, DOUBLE)": pa.map_(pa.string(), pa.float64())}
_FIXED_LIST = re.compile(r"^FLOAT\[(\d+)\]$")


def arrow_schema(columns) -> pa.Schema:
    """The Arrow schema of a table declared in :data:`zonelens.store.TABLES` as (name, DuckDB type) pairs."""
    def kind(t: str):
        t = t.removesuffix(" NOT NULL")
        m = _FIXED_LIST.match(t)
        return pa.list_(pa.float32(), int(m.group(1))) if m else _ARROW[t]

    return pa.schema([(c, kind(t)) for c, t in columns])


# The tables that have Parquet parts; their columns are those of zonelens.store.TABLES.
LAYOUT = ("documents", "sentences", "warnings", "theme_predictions", "embeddings")
SCHEMAS = {t: arrow_schema(TABLES[t][0]) for t in LAYOUT}
_PART = re.compile(r"^part-(\d+)\.parquet$")


def parts(root: str | Path, table: str) -> list[Path]:
    d = Path(root) / table
    return sorted(p for p in d.glob("part-*.parquet") if _PART.match(p.name)) if d.is_dir() else []


def glob(root: str | Path, table: str) -> str:
    return str(Path(root) / table / "*.parquet")


def next_part(root: str | Path) -> int:
    """The next free part number across all tables of the folder."""
    nums = [int(_PART.match(p.name).group(1)) for t in SCHEMAS for p in parts(root, t)]
    return max(nums, default=-1) + 1


def arrow_table(table: str, columns: dict) -> pa.Table:
    """A dict of column lists as an Arrow table with the schema of ``table``."""
    schema = SCHEMAS[table]
    return pa.Table.from_arrays([pa.array(columns[f.name], type=f.type) for f in schema], schema=schema)


def write_part(root: str | Path, table: str, number: int, columns: "dict | pa.Table") -> Path:
    """Write one part (a dict of column lists, or an Arrow table) atomically."""
    data = columns if isinstance(columns, pa.Table) else arrow_table(table, columns)
    d = Path(root) / table
    d.mkdir(parents=True, exist_ok=True)
    out = d / f"part-{number:06d}.parquet"
    tmp = d / f".part-{number:06d}.parquet.tmp"
    pq.write_table(data, tmp, compression="zstd")
    os.replace(tmp, out)
    return out


def remove_doc(root: str | Path, doc_id: str) -> None:
    """Rewrite the parts of every table that hold rows of ``doc_id`` without them (a replaced document)."""
    con = duckdb.connect()
    try:
        for table in SCHEMAS:
            if not parts(root, table):
                continue
            hits = [r[0] for r in con.execute(
                f"SELECT DISTINCT filename FROM read_parquet('{_q(glob(root, table))}', filename = true) "
                "WHERE doc_id = ?", [doc_id]).fetchall()]
            for name in hits:
                kept = con.execute(f"SELECT * FROM read_parquet('{_q(name)}') WHERE doc_id <> ?",
                                   [doc_id]).to_arrow_table()
                tmp = Path(name).with_name("." + Path(name).name + ".tmp")
                pq.write_table(kept.cast(SCHEMAS[table]), tmp, compression="zstd")
                os.replace(tmp, name)
    finally:
        con.close()


def _q(path: str) -> str:
    return str(path).replace("'", "''")


def attach_views(con: duckdb.DuckDBPyConnection, root: str | Path) -> list[str]:
    """Create a view per table present in ``root`` (documents, sentences, ...); returns their names."""
    made = []
    for table in SCHEMAS:
        if parts(root, table):
            con.execute(f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM read_parquet('{_q(glob(root, table))}', "
                        "union_by_name = true)")  # parts written before a column was added lack it
            made.append(table)
    return made


def check_dir(root: str | Path) -> Path:
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise ZonelensError(f"{root}: --parquet needs a folder")
    root.mkdir(parents=True, exist_ok=True)
    return root


class ParquetCorpus:
    """Driver-side writer of documents/sentences/warnings parts, with the DuckDB store's semantics.

    ``store(prep)`` returns what :func:`zonelens.ingest.run.store_document` returns: unchanged,
    duplicate:<path>, replaced (old rows removed from every table) or added. Only ids, paths and
    hashes are kept in memory; rows are buffered until ``rows_per_part`` sentences, then written.
    """

    def __init__(self, root: str | Path, rows_per_part: int = 200_000):
        self.root = check_dir(root)
        self.rows_per_part = rows_per_part
        self.by_path: dict[str, tuple[str, str]] = {}  # path -> (doc_id, sha256)
        self.by_id: dict[str, str] = {}  # doc_id -> path
        whole = {p.name for p in parts(self.root, "documents")}
        for table in ("sentences", "warnings"):  # parts of a write cut short: their documents part is absent
            for p in parts(self.root, table):
                if p.name not in whole:
                    p.unlink()
        if parts(self.root, "documents"):
            con = duckdb.connect()
            try:
                for doc_id, path, sha in con.execute(
                        f"SELECT doc_id, path, sha256 FROM read_parquet('{_q(glob(self.root, 'documents'))}')").fetchall():
                    self.by_path[path] = (doc_id, sha)
                    self.by_id[doc_id] = path
            finally:
                con.close()
        self._reset()

    def _reset(self) -> None:
        self.buf = {t: {f.name: [] for f in SCHEMAS[t]} for t in ("documents", "sentences", "warnings")}
        self.buffered = 0

    def known(self, path: str) -> str | None:
        hit = self.by_path.get(path)
        return hit[1] if hit else None

    def store(self, prep: dict) -> str:
        from ..ingest.run import document_rows

        doc, sents, warns = document_rows(prep)
        doc_id, path, sha = doc[0], doc[1], doc[2]
        existing = self.by_path.get(path)
        if existing and existing[1] == sha:
            return "unchanged"
        twin = self.by_id.get(doc_id)
        if twin is not None and twin != path:
            return "duplicate:" + twin
        if existing:
            self._drop(existing[0])
        for table, rows in (("documents", [doc]), ("sentences", sents), ("warnings", warns)):
            cols = self.buf[table]
            names = list(cols)
            for row in rows:
                for name, value in zip(names, row):
                    cols[name].append(value)
        self.by_path[path] = (doc_id, sha)
        self.by_id[doc_id] = path
        self.buffered += len(sents)
        if self.buffered >= self.rows_per_part:
            self.flush()
        return "replaced" if existing else "added"

    def _drop(self, doc_id: str) -> None:
        self.flush()
        remove_doc(self.root, doc_id)
        path = self.by_id.pop(doc_id, None)
        if path is not None:
            self.by_path.pop(path, None)

    def flush(self) -> None:
        if not self.buf["documents"]["doc_id"]:
            return
        number = next_part(self.root)
        # sentences and warnings first: a part of documents is the mark that its document is whole
        for table in ("sentences", "warnings", "documents"):
            write_part(self.root, table, number, self.buf[table])
        self._reset()

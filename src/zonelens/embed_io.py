"""`zonelens embed`: sentence vectors for users, from a text file, a JSONL file or a corpus DB, to
.npy or .parquet. One row per input line (txt: every line; jsonl: every record), or per body
sentence of a corpus DB (headings excluded), in order."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .embed import get_embedder
from .errors import UsageError, ZonelensError
from .jsonl import BadLine, json_lines

DB_SUFFIXES = (".duckdb", ".db")


@dataclass
class EmbedResult:
    output: Path
    rows: int
    model_id: str


def read_input(path: Path) -> tuple[list[str], dict]:
    """(texts, key columns) of an input file; a bad file or line is one ZonelensError naming it."""
    if not path.exists():
        raise ZonelensError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in DB_SUFFIXES:
        from . import store

        con = store.connect(path, read_only=True)
        try:
            if not store.has_table(con, "sentences"):
                raise ZonelensError(f"{path}: not a zonelens corpus database (no sentences table)")
            rows = con.execute("SELECT doc_id, idx, text FROM sentences WHERE NOT is_heading "
                               "ORDER BY doc_id, idx").fetchall()
        finally:
            con.close()
        return [r[2] for r in rows], {"doc_id": [r[0] for r in rows], "idx": [int(r[1]) for r in rows]}
    try:
        lines = path.read_text("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise ZonelensError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if suffix == ".txt":
        return lines, {"line": list(range(1, len(lines) + 1))}
    if suffix == ".jsonl":
        texts, ids, numbers = [], [], []
        try:
            records = list(json_lines(lines, expect=None))
        except BadLine as exc:
            raise ZonelensError(f"{path}:{exc.lineno}: not JSON ({exc.detail})") from None
        for n, obj in records:
            if isinstance(obj, str):
                obj = {"text": obj}
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise ZonelensError(f"{path}:{n}: a record needs a 'text' string")
            texts.append(obj["text"])
            ids.append(None if obj.get("id") is None else str(obj["id"]))
            numbers.append(n)
        keys = {"line": numbers}
        if any(i is not None for i in ids):
            keys["id"] = ids
        return texts, keys
    raise UsageError(f"{path}: input must be .txt (one sentence per line), .jsonl (records with 'text') "
                     "or a corpus database (.duckdb)")


def embed_input(input: str | Path, output: str | Path, embedder: str | None = "e5",
                progress: Callable[[int, int], None] | None = None) -> EmbedResult:
    """Embed every sentence of ``input`` and write the vectors to ``output``: .npy (float32, n × 384,
    L2-normalised, input order) or .parquet (the key columns — line [, id] or doc_id, idx — and
    ``vector``; the embedder's model id in the file's metadata)."""
    out = Path(output)
    if out.suffix.lower() not in (".npy", ".parquet"):
        raise UsageError(f"{out}: output must be .npy or .parquet")
    emb = get_embedder(embedder)
    texts, keys = read_input(Path(input))
    total = len(texts)
    done = [0]

    def tick(n: int) -> None:
        done[0] += n
        if progress:
            progress(n, total)

    vecs = emb.passage(texts, tick) if texts else np.zeros((0, 384), np.float32)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".npy":
        np.save(out, vecs.astype(np.float32))
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        cols = {k: pa.array(v) for k, v in keys.items()}
        cols["vector"] = pa.FixedSizeListArray.from_arrays(pa.array(vecs.reshape(-1), pa.float32()), vecs.shape[1])
        table = pa.table(cols).replace_schema_metadata({"embedder": emb.model_id})
        pq.write_table(table, out)
    return EmbedResult(out, total, emb.model_id)

"""Slices of a large JSONL corpus file, so its rows can be read as several tasks (``--dask``).

A slice is a byte range of whole lines plus what a reader of the whole file would know at its
start: the line number, the row number, and the keys seen anywhere in the file (so every slice
builds the same columns). :func:`jsonl_slices` scans the file once, line by line, in constant
memory, and checks every line is valid JSON; anything unusual (a malformed or undecodable line,
a line break inside a line that ``str.splitlines`` would split) returns None, and the file is
read as one task — which then reports exactly what the single-process ingest reports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Slice:
    start: int  # byte offset of the first line
    stop: int  # byte offset after the last line
    first_line: int  # 1-based line number of the first line
    first_row: int  # row number (non-blank lines before it) of the first row
    rows: int  # non-blank lines in the slice
    keys: tuple[str, ...]  # keys seen in the whole file, in first-seen order


def jsonl_slices(path: Path, target_bytes: int) -> list[Slice] | None:
    """Cut ``path`` into slices of about ``target_bytes``; None when it must be read whole."""
    keys: dict[str, None] = {}
    bounds: list[tuple[int, int, int, int]] = []  # (start, first_line, first_row, rows)
    offset, row, start, line_no, start_line, start_row = 0, 0, 0, 0, 1, 0
    try:
        with open(path, "rb") as f:
            for raw in f:
                line_no += 1
                text = raw.decode("utf-8-sig" if offset == 0 else "utf-8")
                offset += len(raw)
                if len(text.splitlines()) > 1:
                    return None
                if text.strip():
                    obj = json.loads(text)
                    if not isinstance(obj, dict):
                        return None
                    keys.update(dict.fromkeys(map(str, obj)))
                    row += 1
                if offset - start >= target_bytes:
                    bounds.append((start, start_line, start_row, row - start_row))
                    start, start_line, start_row = offset, line_no + 1, row
    except (OSError, ValueError):  # unreadable, undecodable or malformed: one task reports it
        return None
    if offset > start:
        bounds.append((start, start_line, start_row, row - start_row))
    stops = [b[0] for b in bounds[1:]] + [offset]
    return [Slice(s, e, ln, r, n, tuple(keys)) for (s, ln, r, n), e in zip(bounds, stops)]


def read_slice_rows(path: Path, part: Slice) -> list[tuple[int, dict]]:
    """(line number, record) for the non-blank lines of a slice."""
    with open(path, "rb") as f:
        f.seek(part.start)
        data = f.read(part.stop - part.start)
    text = data.decode("utf-8-sig" if part.start == 0 else "utf-8")
    return [(n, json.loads(line)) for n, line in enumerate(text.splitlines(), part.first_line) if line.strip()]

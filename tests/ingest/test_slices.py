"""JSONL slices: read slice by slice, a file gives the documents of the whole-file reader."""

from __future__ import annotations

import json

from zonelens.ingest.readers import read_path
from zonelens.ingest.slices import jsonl_slices


def write_rows(path, n: int, blank_every: int = 4) -> None:
    lines = []
    for i in range(n):
        row = {"text": f"第{i}号新区坚持创新驱动，研发投入增长{i}%。", "zone": f"新区{i}", "year": 2000 + i % 20}
        if i == 7:
            row["title"] = "只有这一行有标题"  # a key one slice alone has
        lines.append(json.dumps(row, ensure_ascii=False))
        if i % blank_every == 0:
            lines.append("   ")
    path.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")


def docs(path, part=None):
    return [(d.path, d.text, d.zone, d.year, d.title, d.sha256, d.warnings) for d in read_path(path, part=part)]


def test_slices_cover_the_file_and_give_the_same_documents(tmp_path):
    f = tmp_path / "c.jsonl"
    write_rows(f, 40)
    parts = jsonl_slices(f, 300)
    assert parts is not None and len(parts) > 5
    assert parts[0].start == 0 and parts[-1].stop == f.stat().st_size
    assert all(a.stop == b.start for a, b in zip(parts, parts[1:]))
    assert sum(p.rows for p in parts) == 40 and "title" in parts[0].keys
    assert [d for p in parts for d in docs(f, p)] == docs(f)


def test_one_slice_when_small(tmp_path):
    f = tmp_path / "c.jsonl"
    write_rows(f, 3)
    parts = jsonl_slices(f, 10**9)
    assert len(parts) == 1 and docs(f, parts[0]) == docs(f)


def test_unusual_files_are_read_whole(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "甲"}\n{oops\n', "utf-8")
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes('{"text": "甲乙"}\n'.encode("gbk"))
    sep = tmp_path / "sep.jsonl"
    sep.write_text('{"text": "甲\u2028乙"}\n', "utf-8")
    arr = tmp_path / "arr.jsonl"
    arr.write_text('[1, 2]\n', "utf-8")
    for f in (bad, gbk, sep, arr, tmp_path / "missing.jsonl"):
        assert jsonl_slices(f, 5) is None, f.name

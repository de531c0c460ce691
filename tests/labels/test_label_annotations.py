"""Annotation JSONL: validation with line numbers, round trip, resolving against the corpus."""

from __future__ import annotations

import json

import pytest

from zonelens.errors import LabelError
from zonelens.hashing import text_hash
from zonelens.labels.annotations import read_annotations, resolve, write_annotations
from zonelens.store import connect


def line(doc="0123456789abcdef", idx=0, themes=("innovation",), primary="innovation",
         annotator="a1", rnd=1, **drop) -> str:
    obj = {"ref": {"source": "corpora/x/txt/a.txt", "doc_id": doc, "idx": idx, "sha": "abc123abc123"},
           "themes": list(themes), "primary": primary, "annotator": annotator, "round": rnd}
    for k in drop:
        obj.pop(k)
    return json.dumps(obj, ensure_ascii=False)


def write_lines(tmp_path, *lines):
    p = tmp_path / "a1.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_read_write_round_trip(tmp_path, taxonomy):
    p = write_lines(tmp_path, line(idx=0), "", line(idx=1, themes=(), primary=None),
                    line(idx=2, themes=("party", "investment"), primary="party"))
    anns = read_annotations(p, taxonomy)
    assert [a.ref.idx for a in anns] == [0, 1, 2]
    assert anns[1].themes == () and anns[1].primary is None
    assert anns[2].themes == ("investment", "party")  # taxonomy order
    out = tmp_path / "out" / "b.jsonl"
    assert write_annotations(out, anns) == 3
    assert read_annotations(out, taxonomy) == anns
    assert "\\u" not in out.read_text(encoding="utf-8")


def test_malformed_json_line_number(tmp_path, taxonomy):
    p = write_lines(tmp_path, line(idx=0), line(idx=1), '{"ref": {"doc_id": ', line(idx=3))
    with pytest.raises(LabelError, match="malformed JSON") as exc:
        read_annotations(p, taxonomy)
    assert exc.value.line == 3
    assert str(exc.value).startswith(f"{p}:3: ")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (line(themes=("tourism",), primary="tourism"), "unknown theme id"),
        (line(themes=("innovation",), primary="party"), "primary"),
        (line(themes=("innovation",), primary=None), "primary"),
        (line(themes=(), primary="innovation"), "must be null"),
        (line(themes=("party", "party"), primary="party"), "twice"),
        (line(annotator=""), "annotator"),
        (line(rnd="1"), "round"),
        (line(idx=-1), "idx"),
        (line(doc=""), "doc_id"),
        (line(primary="innovation", themes="innovation"), "list"),
        (line(annotator="a1", round=None), "missing field"),
        (line(ref=None), "missing field"),
        ("[1, 2]", "JSON object"),
    ],
)
def test_invalid_lines(tmp_path, taxonomy, bad, message):
    p = write_lines(tmp_path, line(idx=5), bad)
    with pytest.raises(LabelError, match=message) as exc:
        read_annotations(p, taxonomy)
    assert exc.value.line == 2


def test_bad_sha(tmp_path, taxonomy):
    obj = json.loads(line())
    obj["ref"]["sha"] = "NOT-HEX"
    with pytest.raises(LabelError, match="sha"):
        read_annotations(write_lines(tmp_path, json.dumps(obj)), taxonomy)


def test_duplicate_reference(tmp_path, taxonomy):
    p = write_lines(tmp_path, line(idx=4), line(idx=4, annotator="a2"), line(idx=4, rnd=2),
                    line(idx=4, themes=(), primary=None))
    with pytest.raises(LabelError, match="duplicate reference .*first on line 1") as exc:
        read_annotations(p, taxonomy)
    assert exc.value.line == 4


def test_resolve(corpus, taxonomy, make_ann):
    (doc_a, sents_a), (doc_b, sents_b), _ = corpus["docs"].values()
    anns = [
        make_ann(doc_a, 2, ["innovation"], text=sents_a[2]),                     # exact
        make_ann(doc_b, 1, ["investment"], text=sents_b[3]),                     # moved: now at 3
        make_ann("ffffffffffffffff", 0, [], text="任何句子。"),                    # no document
        make_ann(doc_a, 1, ["investment"], text="本句不在文件中。"),              # hash not found
        make_ann(doc_a, 99, ["livelihood"], text=sents_a[4]),                    # idx gone, hash found
    ]
    con = connect(corpus["db"], read_only=True)
    df, unresolved = resolve(con, anns)
    con.close()
    assert list(df["idx"]) == [2, 3, 4]
    assert list(df["orig_idx"]) == [2, 1, 99]
    assert list(df["moved"]) == [False, True, True]
    assert df["text"].iloc[0] == sents_a[2]
    assert all(text_hash(t) == s for t, s in zip(df["text"], df["sha"]))
    assert [(u.annotation.ref.idx, u.reason) for u in unresolved] == [
        (0, "document not in corpus"), (1, "sentence hash not found in document")]


def test_resolve_prefers_nearest_duplicate(tmp_path, make_ann):
    from datetime import datetime

    con = connect(tmp_path / "d.duckdb")
    con.execute("INSERT INTO documents (doc_id, path, sha256, n_sentences, n_chars, cleaned_text, "
                "ingested_at) VALUES ('d1', 'p', 's', 6, 1, 'x', ?)", [datetime(2024, 1, 1)])
    texts = ["同一句话。", "甲。", "乙。", "丙。", "丁。", "同一句话。"]
    for i, t in enumerate(texts):
        con.execute("INSERT INTO sentences VALUES ('d1', ?, ?, false, '', 'plan', 0, 1)", [i, t])
    df, un = resolve(con, [make_ann("d1", 4, ["party"], text="同一句话。")])
    assert list(df["idx"]) == [5] and not un
    assert resolve(con, [])[0].empty

"""The taxonomy and lexicon files: the shipped ones load, malformed ones are rejected."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from zonelens.errors import LabelError
from zonelens.taxonomy import (
    default_labels_dir,
    jieba_userdict,
    load_lexicon,
    load_taxonomy,
)

CODEBOOK_IDS = ("investment", "innovation", "environment", "livelihood", "party")

GOOD = """\
version: "2.0"
themes:
  - id: alpha
    name_zh: 甲
    name_en: alpha
    definition: 第一个主题。
  - id: beta_2
    name_zh: 乙
    name_en: beta
    definition: 第二个主题。
    include: [规则一]
"""


def write(tmp_path: Path, text: str, name: str = "themes.yaml", bom: bool = False) -> Path:
    p = tmp_path / name
    p.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return p


# ----------------------------------------------------------------------------- shipped files


def test_shipped_taxonomy_follows_codebook():
    tax = load_taxonomy()
    assert tax.version == "1.1"
    assert tax.ids == CODEBOOK_IDS
    assert [t.name_zh for t in tax.themes] == ["招商引资", "科技创新", "生态环保", "民生", "党建"]
    assert tax.other.name_zh == "其他" and tax.other.name_en == "other"
    for t in tax.themes:
        assert 3 <= len(t.examples) <= 4
        assert t.include and t.exclude and t.definition
    assert re.fullmatch(r"[0-9a-f]{16}", tax.hash)
    assert tax.hash == load_taxonomy().hash
    assert tax.hard_cases


def test_default_dir_is_repo_labels():
    assert default_labels_dir() == Path(__file__).resolve().parents[1] / "labels"


def test_shipped_lexicon():
    tax = load_taxonomy()
    lex = load_lexicon(taxonomy=tax)
    assert set(lex) == set(CODEBOOK_IDS)
    for words in lex.values():
        assert 30 <= len(words) <= 80
    assert "招商引资" in lex["investment"] and "全面从严治党" in lex["party"]
    text = jieba_userdict(lex)
    assert "招商引资 2000\n" in text


def test_lookup_names_and_order():
    tax = load_taxonomy()
    assert tax.lookup("科技创新") == "innovation"
    assert tax.lookup("party") == "party"
    assert tax.lookup("其他") is None and tax.lookup("other") is None
    with pytest.raises(KeyError):
        tax.lookup("旅游")
    assert tax.order(["party", "investment"]) == ("investment", "party")


# ----------------------------------------------------------------------------- taxonomy errors


def test_good_minimal_taxonomy(tmp_path):
    tax = load_taxonomy(write(tmp_path, GOOD))
    assert tax.ids == ("alpha", "beta_2") and tax.version == "2.0"
    assert tax.other.name_en == "other"  # default when the file has no `other`


def test_hash_covers_definitions_not_examples(tmp_path):
    base = load_taxonomy(write(tmp_path, GOOD)).hash
    changed = load_taxonomy(write(tmp_path, GOOD.replace("第二个主题", "第2个主题"), "b.yaml")).hash
    examples = load_taxonomy(write(tmp_path, GOOD + "    examples: [例句。]\n", "c.yaml")).hash
    assert changed != base
    assert examples == base


def test_duplicate_id(tmp_path):
    p = write(tmp_path, GOOD.replace("id: beta_2", "id: alpha"))
    with pytest.raises(LabelError, match="duplicate theme id 'alpha'") as exc:
        load_taxonomy(p)
    assert exc.value.line == 7 and exc.value.path == str(p)


def test_empty_definition(tmp_path):
    p = write(tmp_path, GOOD.replace("definition: 第二个主题。", 'definition: ""'))
    with pytest.raises(LabelError, match="definition"):
        load_taxonomy(p)


@pytest.mark.parametrize("bad", ["Alpha", "1st", "al-pha", "other"])
def test_bad_id(tmp_path, bad):
    with pytest.raises(LabelError, match="id|reserved"):
        load_taxonomy(write(tmp_path, GOOD.replace("id: alpha", f"id: {bad}")))


def test_no_themes_and_bad_yaml(tmp_path):
    with pytest.raises(LabelError, match="non-empty list"):
        load_taxonomy(write(tmp_path, 'version: "1"\nthemes: []\n'))
    with pytest.raises(LabelError, match="invalid YAML") as exc:
        load_taxonomy(write(tmp_path, 'version: "1"\nthemes:\n  - id: [a\n', "bad.yaml"))
    assert exc.value.line is not None
    with pytest.raises(LabelError, match="no such"):
        load_taxonomy(tmp_path / "missing.yaml")


def test_hard_case_with_unknown_theme(tmp_path):
    text = GOOD + "hard_cases:\n  - case: x\n    themes: [gamma]\n"
    with pytest.raises(LabelError, match="gamma"):
        load_taxonomy(write(tmp_path, text))


# ----------------------------------------------------------------------------- lexicon errors

LEX = """\
version: "2.0"
keywords:
  alpha:
    - 甲词
    - 甲乙
  beta_2:
    - 乙词
"""


@pytest.fixture
def tax(tmp_path):
    return load_taxonomy(write(tmp_path, GOOD))


def test_lexicon_ok(tmp_path, tax):
    lex = load_lexicon(write(tmp_path, LEX, "lex.yaml"), tax)
    assert lex == {"alpha": ("甲词", "甲乙"), "beta_2": ("乙词",)}
    bare = load_lexicon(write(tmp_path, "alpha: [甲]\n", "bare.yaml"), tax)
    assert bare == {"alpha": ("甲",)}


def test_lexicon_space(tmp_path, tax):
    with pytest.raises(LabelError, match="whitespace") as exc:
        load_lexicon(write(tmp_path, LEX.replace("甲乙", '"甲 乙"'), "lex.yaml"), tax)
    assert exc.value.line == 5


def test_lexicon_duplicate_within(tmp_path, tax):
    with pytest.raises(LabelError, match="duplicate keyword '甲词' \\(twice\\)") as exc:
        load_lexicon(write(tmp_path, LEX.replace("甲乙", "甲词"), "lex.yaml"), tax)
    assert exc.value.line == 5


def test_lexicon_duplicate_across(tmp_path, tax):
    with pytest.raises(LabelError, match="also under 'alpha'") as exc:
        load_lexicon(write(tmp_path, LEX.replace("乙词", "甲乙"), "lex.yaml"), tax)
    assert exc.value.line == 7


def test_lexicon_bom(tmp_path, tax):
    with pytest.raises(LabelError, match="byte-order mark") as exc:
        load_lexicon(write(tmp_path, LEX, "lex.yaml", bom=True), tax)
    assert exc.value.line == 1
    with pytest.raises(LabelError, match="byte-order mark"):
        load_lexicon(write(tmp_path, LEX.replace("乙词", "\ufeff乙词"), "lex2.yaml"), tax)


def test_lexicon_unknown_theme(tmp_path, tax):
    with pytest.raises(LabelError, match="unknown theme 'gamma'") as exc:
        load_lexicon(write(tmp_path, LEX + "  gamma:\n    - 丙\n", "lex.yaml"), tax)
    assert exc.value.line == 8

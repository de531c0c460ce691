"""Label statistics: per theme, per corpus, per document, other share, double-labelled."""

from __future__ import annotations

import pytest

from zonelens.labels.stats import corpus_of, label_stats


@pytest.mark.parametrize(
    ("source", "corpus"),
    [
        ("corpora/city-2024/txt/三亚.txt", "corpora/city-2024"),
        ("/data/shared/corpora/zones/reports.csv#12", "corpora/zones"),
        ("seeds/第一批.txt", "seeds"),
        ("seeds", "(top level)"),
        ("", "(none)"),
    ],
)
def test_corpus_of(source, corpus):
    assert corpus_of(source) == corpus


def test_label_stats(taxonomy, make_ann):
    a = "corpora/c-2024/txt/a.txt"
    s = "seeds/s.txt"
    anns = [
        make_ann("da", 0, ["investment"], source=a),
        make_ann("da", 1, ["innovation", "party"], source=a),
        make_ann("da", 1, ["innovation"], annotator="a2", source=a),
        make_ann("da", 2, [], source=a),
        make_ann("ds", 0, [], source=s),
        make_ann("ds", 1, ["party"], source=s),
        make_ann("ds", 1, ["party"], annotator="a2", round=2, source=s),
    ]
    st = label_stats(anns, taxonomy)
    assert st.n_annotations == 7 and st.n_items == 5
    assert st.double_labelled == 2 and st.annotators == ("a1", "a2")
    assert st.other_share == pytest.approx(2 / 7)
    per_theme = st.per_theme.set_index("theme")["annotations"].to_dict()
    assert per_theme == {"investment": 1, "innovation": 2, "environment": 0, "livelihood": 0,
                         "party": 3, "other": 2}
    corp = st.per_corpus.set_index("corpus")
    assert list(corp.index) == ["corpora/c-2024", "seeds"]
    assert corp.loc["seeds", "items"] == 2 and corp.loc["seeds", "annotations"] == 3
    assert corp.loc["seeds", "other_share"] == pytest.approx(1 / 3)
    assert list(st.per_document["doc_id"]) == ["da", "ds"]
    assert list(st.per_document.columns[-6:]) == [*taxonomy.ids, "other"]


def test_empty_stats(taxonomy):
    st = label_stats([], taxonomy)
    assert st.n_annotations == 0 and st.per_corpus.empty and st.double_labelled == 0

"""Agreement: κ and α against values computed by hand and against the krippendorff package."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest

from zonelens.labels import agreement as agr

# Ten items, one binary theme (1 = has the theme).
A = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
B = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0]


def test_cohen_kappa_by_hand():
    # Agreement on items 1-3 (both 1) and 6-10 (both 0): p_o = 8/10 = 0.8.
    # Each rater says 1 four times out of ten: p_e = 0.4*0.4 + 0.6*0.6 = 0.16 + 0.36 = 0.52.
    # κ = (0.8 - 0.52) / (1 - 0.52) = 0.28 / 0.48 = 7/12 = 0.58333...
    assert agr.cohen_kappa(A, B) == pytest.approx(7 / 12)


def test_cohen_kappa_three_categories_by_hand():
    x = ["investment", "investment", "party", "other", "other", "other"]
    y = ["investment", "party", "party", "other", "other", "investment"]
    # p_o = 4/6 (items 1, 3, 4, 5).
    # marginals x: inv 2, party 1, other 3; y: inv 2, party 2, other 2.
    # p_e = (2*2 + 1*2 + 3*2) / 36 = 12/36 = 1/3.
    # κ = (2/3 - 1/3) / (1 - 1/3) = (1/3) / (2/3) = 0.5
    assert agr.cohen_kappa(x, y) == pytest.approx(0.5)


def test_cohen_kappa_undefined():
    assert math.isnan(agr.cohen_kappa([], []))
    assert math.isnan(agr.cohen_kappa([0, 0], [0, 0]))  # p_e = 1
    with pytest.raises(ValueError):
        agr.cohen_kappa([1], [1, 0])


def test_alpha_by_hand():
    # Coincidence matrix (two coders, every unit pairable, m_u - 1 = 1):
    #   three (1,1) units -> o_11 = 6; five (0,0) units -> o_00 = 10;
    #   two split units -> o_01 = o_10 = 2.
    # n_1 = 6 + 2 = 8, n_0 = 10 + 2 = 12, n = 20.
    # α = 1 - (n - 1) * (o_01 + o_10) / (n_0*n_1 + n_1*n_0) = 1 - 19*4/192 = 1 - 76/192 = 29/48.
    assert agr.krippendorff_alpha([A, B]) == pytest.approx(29 / 48)
    assert agr.krippendorff_alpha([A, B]) == pytest.approx(
        krippendorff.alpha(reliability_data=np.array([A, B], dtype=float),
                           level_of_measurement="nominal"))


def test_alpha_with_missing_values_by_hand():
    # Three coders, four units; None is missing.
    # u1: (1,1,1) m=3 -> o_11 += 3*2/2 = 3
    # u2: (1,0,-) m=2 -> o_10 += 1, o_01 += 1
    # u3: (0,0,0) m=3 -> o_00 += 3
    # u4: (1,-,-) m=1 -> not pairable
    # n_1 = 3 + 1 = 4, n_0 = 3 + 1 = 4, n = 8.
    # α = 1 - 7 * 2 / (4*4 + 4*4) = 1 - 14/32 = 18/32 = 0.5625
    data = [[1, 1, 0, 1], [1, 0, 0, None], [1, None, 0, None]]
    assert agr.krippendorff_alpha(data) == pytest.approx(0.5625)
    pkg = krippendorff.alpha(reliability_data=np.array(data, dtype=float),
                             level_of_measurement="nominal")
    assert agr.krippendorff_alpha(data) == pytest.approx(pkg)


@pytest.mark.parametrize("seed", range(5))
def test_alpha_matches_package_on_random_data(seed):
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 3, size=(4, 40)).astype(float)
    data[rng.random(data.shape) < 0.2] = np.nan
    ours = agr.krippendorff_alpha(data.tolist())
    assert ours == pytest.approx(krippendorff.alpha(reliability_data=data,
                                                    level_of_measurement="nominal"))


def test_alpha_undefined():
    assert math.isnan(agr.krippendorff_alpha([[1, 1], [1, 1]]))
    assert math.isnan(agr.krippendorff_alpha([]))


def _pair(make_ann):
    themes_a = [["innovation"] if v else [] for v in A]
    themes_b = [["innovation"] if v else [] for v in B]
    themes_a[0] = ["innovation", "party"]
    a = [make_ann("d", i, t, annotator="a1") for i, t in enumerate(themes_a)]
    b = [make_ann("d", i, t, annotator="a2") for i, t in enumerate(themes_b)]
    b.append(make_ann("d", 50, ["party"], annotator="a2"))  # only a2: not paired
    return a, b


def test_theme_kappa_and_alpha_over_annotations(make_ann):
    a, b = _pair(make_ann)
    k = agr.theme_kappa(a, b, ["innovation", "party", "environment"])
    assert k["innovation"] == pytest.approx(7 / 12)
    # party: a1 has it on item 0 only, a2 never (on paired items): p_o = 0.9,
    # p_e = 0.1*0 + 0.9*1 = 0.9 -> κ = 0
    assert k["party"] == pytest.approx(0.0)
    assert math.isnan(k["environment"])
    alpha = agr.theme_alpha(a + b, ["innovation"])
    assert alpha["innovation"] == pytest.approx(29 / 48)  # item 50 has one value: not pairable


def test_primary_kappa(make_ann):
    a = [make_ann("d", 0, ["party"]), make_ann("d", 1, []), make_ann("d", 2, ["investment"])]
    b = [make_ann("d", 0, ["party"], annotator="b"), make_ann("d", 1, [], annotator="b"),
         make_ann("d", 2, ["party", "investment"], primary="party", annotator="b")]
    # labels a: party, other, investment; b: party, other, party.
    # p_o = 2/3; p_e = (1*2 [party] + 1*1 [other] + 1*0) / 9 = 3/9 = 1/3
    # κ = (2/3 - 1/3) / (2/3) = 0.5
    assert agr.primary_kappa(a, b) == pytest.approx(0.5)


def test_latest_round_wins(make_ann):
    a = [make_ann("d", 0, ["party"], round=1), make_ann("d", 0, [], round=2)]
    assert agr.latest(a)[("d", 0)].themes == ()


def test_disagreements(make_ann):
    a, b = _pair(make_ann)
    df = agr.disagreements(a, b)
    assert list(df["idx"]) == [0, 3, 4]
    row = df.iloc[0]
    assert row["only_a"] == ["party"] and row["only_b"] == []
    assert df.iloc[1]["only_a"] == ["innovation"] and df.iloc[2]["only_b"] == ["innovation"]


def test_agreement_table(make_ann):
    a, b = _pair(make_ann)
    table = agr.agreement_table(a + b, ["innovation", "party"]).set_index("theme")
    assert table.loc["innovation", "items"] == 10
    assert table.loc["innovation", "kappa"] == pytest.approx(7 / 12)
    assert table.loc["innovation", "alpha"] == pytest.approx(29 / 48)
    assert "primary" in table.index
    c = [make_ann("d", i, ["innovation"] if v else [], annotator="a3") for i, v in enumerate(A)]
    three = agr.agreement_table(a + b + c, ["innovation"]).set_index("theme")
    # pairs: (a1,a2) 7/12, (a1,a3) identical -> 1, (a2,a3) 7/12: mean = (7/12*2 + 1)/3
    assert three.loc["innovation", "kappa"] == pytest.approx((7 / 6 + 1) / 3)

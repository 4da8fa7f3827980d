"""The validation chapter's numbers: same as the scorecard, and each helper checked by hand."""

import math

import numpy as np
import pandas as pd
import pytest
from lifelines.statistics import multivariate_logrank_test
from statsmodels.stats.multitest import multipletests

from lungmets.analyses import validation as V
from lungmets.claims import claim
from lungmets.stats.survival_stats import logrank_fast
from lungmets.synthetic.reconstruct import Cohort, load_cohort
from lungmets.synthetic.scorecard import scorecard


@pytest.fixture(scope="module")
def cohort() -> Cohort:
    return load_cohort()


def test_compare_validation_equals_the_scorecard(cohort) -> None:
    mine = V.compare_validation(cohort).set_index("claim")
    card = scorecard(cohort).set_index("claim_id")
    # every printed validation claim the scorecard reproduces is on the page, and vice versa
    assert set(mine.index) == set(card.index[card.section == "validation"])
    pd.testing.assert_series_equal(mine["reproduced"], card.loc[mine.index, "reproduced"],
                                   check_names=False)
    pd.testing.assert_series_equal(mine["hit"], card.loc[mine.index, "hit"].astype(bool),
                                   check_names=False)
    assert (mine["published"] == [claim(i).value for i in mine.index]).all()


def test_group_sizes_match_the_paper(cohort) -> None:
    counts = V.validation_data(cohort)["group"].value_counts()
    for g in V.GROUPS:
        assert counts[g] == claim(f"met_n_val_{g.lower()}").number


@pytest.mark.parametrize("method", ["bonferroni", "holm"])
def test_adjust_pvalues_agrees_with_statsmodels(method: str) -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        p = rng.uniform(0, 0.5, size=rng.integers(2, 7))
        expected = multipletests(p, method=method)[1]
        np.testing.assert_allclose(V.adjust_pvalues(p, method), expected, rtol=0, atol=1e-12)


def test_adjusting_the_published_p_values_by_hand() -> None:
    # printed 0.031, 0.018, 0.983 (Rt vs Co, S vs Co, Rt vs S)
    p = [claim(i).number for i in V.published_pairwise()["claim"]]
    np.testing.assert_allclose(V.adjust_pvalues(p, "bonferroni"), [3 * p[0], 3 * p[1], 1.0])
    np.testing.assert_allclose(V.adjust_pvalues(p, "holm"), [2 * p[0], 3 * p[1], p[2]])
    assert (V.published_pairwise("holm")["p_adjusted"].iloc[:2] > claim("met_alpha").number).all()
    np.testing.assert_array_equal(V.adjust_pvalues(p, "none"), p)
    with pytest.raises(ValueError, match="method"):
        V.adjust_pvalues(p, "sidak")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        V.adjust_pvalues([0.2, 1.5])


def test_pairwise_tests_are_two_group_logranks(cohort) -> None:
    data = V.validation_data(cohort)
    tests = V.pairwise_tests(data, "holm")
    assert list(tests.index) == ["Rt vs Co", "S vs Co", "Rt vs S"]
    for (a, b), p in zip(V.PAIRS, tests["p_value"], strict=True):
        part = data[data["group"].isin([a, b])]
        direct = logrank_fast(part["time"], groups=part["group"].astype(str),
                              events=part["event"]).p_value
        assert p == pytest.approx(direct, abs=1e-12)
    assert (tests["p_adjusted"] >= tests["p_value"] - 1e-15).all()


def test_overall_logrank_matches_lifelines(cohort) -> None:
    data = V.validation_data(cohort)
    ours = V.overall_logrank(data)
    ref = multivariate_logrank_test(data["time"], data["group"].astype(str), data["event"])
    assert ours.df == 2
    assert ours.p_value == pytest.approx(ref.p_value, abs=1e-8)


def test_group_medians_on_a_hand_made_example() -> None:
    # Co: deaths at 1..4, S(t) = 0.75, 0.5, ... -> median 2; Rt, S: identical shapes, shifted
    data = pd.DataFrame({
        "group": pd.Categorical(["Co"] * 4 + ["Rt"] * 4 + ["S"] * 4, categories=list(V.GROUPS)),
        "time": [1, 2, 3, 4, 2, 4, 6, 8, 3, 6, 9, 12],
        "event": [1] * 12,
    })
    med = V.group_medians(data)
    assert med["median"].tolist() == [2.0, 4.0, 6.0]
    assert med["n"].tolist() == [4, 4, 4] and med["deaths"].tolist() == [4, 4, 4]
    # SPSS SE = Greenwood SE at the median / slope between the 55th and 45th percentiles:
    # Greenwood at S = 0.5 with n=4: 0.5*sqrt(1/(4*3) + 1/(3*2)) = 0.25; slope (0.75-0.25)/(3-1)
    assert med.at["Co", "se"] == pytest.approx(0.25 / 0.25, abs=1e-12)


def test_rt_start_origin_removes_the_pdr_from_co_and_rt_only(cohort) -> None:
    det = V.validation_data(cohort, "detection")
    rt = V.validation_data(cohort, "rt_start")
    pdr = cohort.patients.set_index("patient_id")["pdr_months"]
    main = det["group"] != "S"
    expected = det.loc[main, "time"] - pdr.loc[det.loc[main, "patient_id"]].to_numpy()
    np.testing.assert_allclose(rt.loc[main, "time"], expected, atol=1e-9)
    np.testing.assert_array_equal(rt.loc[~main, "time"], det.loc[~main, "time"])
    assert (rt["time"] >= 0).all() and (rt["event"] == det["event"]).all()
    # every Co/Rt patient moves, by at least the smallest printed PDR
    moved = det.loc[main, "time"] - rt.loc[main, "time"]
    assert moved.min() >= claim("met_pdr_min").number - 1e-9
    with pytest.raises(ValueError, match="origin"):
        V.validation_data(cohort, "sorafenib_start")  # type: ignore[arg-type]


def _with_validation(cohort: Cohort, validation: pd.DataFrame) -> Cohort:
    return Cohort(cohort.patients, cohort.lesions, cohort.adverse_events, validation)


def test_membership_errors_name_file_row_and_column(cohort) -> None:
    v = cohort.validation.copy()
    row = v.index[v["group"] == "Co"][0]
    v.loc[row, "group"] = "Rt"
    with pytest.raises(ValueError, match=rf"validation.csv: row {row}, column 'group'"):
        V.validation_data(_with_validation(cohort, v))
    v = cohort.validation.copy()
    row = v.index[v["group"] == "Rt"][0]
    v.loc[row, "os_months"] = v.loc[row, "os_months"] + 1
    with pytest.raises(ValueError, match=rf"row {row}, column 'os_months'"):
        V.validation_data(_with_validation(cohort, v))
    v = cohort.validation.drop(index=cohort.validation.index[cohort.validation.group == "Rt"][0])
    with pytest.raises(ValueError, match="absent"):
        V.validation_data(_with_validation(cohort, v))
    v = cohort.validation.copy()
    v.loc[v.index[0], "group"] = "X"
    with pytest.raises(ValueError, match="column 'group'"):
        V.validation_data(_with_validation(cohort, v))


def test_detectable_hazard_ratio_inverts_schoenfeld() -> None:
    # textbook: HR 2, 1:1, two-sided 5%, 80% power needs about 65 events
    assert V.detectable_hazard_ratio(65, 0.5, 0.05) == pytest.approx(2.0, abs=0.01)
    # fewer events or unequal groups -> only larger effects are detectable
    assert V.detectable_hazard_ratio(24, 0.5, 0.05) > V.detectable_hazard_ratio(65, 0.5, 0.05)
    assert V.detectable_hazard_ratio(65, 0.2, 0.05) > V.detectable_hazard_ratio(65, 0.5, 0.05)
    hr = V.detectable_hazard_ratio(30, 0.4, 0.05, 0.9)
    z = 1.959963984540054 + 1.2815515655446004
    events = z**2 / (0.4 * 0.6 * math.log(hr) ** 2)
    assert events == pytest.approx(30, rel=1e-9)
    with pytest.raises(ValueError):
        V.detectable_hazard_ratio(0, 0.5, 0.05)


def test_followup_and_sorafenib_summaries_hit_the_printed_range(cohort) -> None:
    f = V.followup_summary(cohort)
    assert f["min"] == pytest.approx(claim("met_val_followup_min").number, abs=0.05)
    assert f["max"] == pytest.approx(claim("met_val_followup_max").number, abs=0.05)
    assert claim("met_val_followup_median").matches(f["median"])
    d = V.sorafenib_days_summary(cohort)
    assert d["min"] == claim("met_val_sorafenib_days_min").number
    assert d["max"] == claim("met_val_sorafenib_days_max").number
    assert claim("met_val_sorafenib_days_median").matches(d["median"])

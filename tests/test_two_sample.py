"""The log-rank test by hand, its weightings, RMST and the median-overlap check.

Tiny examples are worked out by hand in the tests; the SYNTHETIC cohort's numbers are checked
against lifelines, the package's own log-rank test and R (tests/fixtures/r_teaching/, written by
scripts/r_reference_teaching.R). Tolerances: sums of a few dozen terms agree with other
implementations to 1e-10 relative (they differ only by the order of floating-point additions);
R's numbers, printed to 17 digits, to 1e-10 relative as well.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test
from lifelines.utils import restricted_mean_survival_time
from r_teaching_fixture import FIXTURE, r_value

from lungmets.stats.survival_stats import km_median_spss, logrank_fast
from lungmets.synthetic.reconstruct import load_cohort
from lungmets.teaching import two_sample as ts

RTOL = 1e-10
FOCUS, OTHER = "HT only", "HT + sorafenib"


@pytest.fixture(scope="module")
def cohort() -> dict[str, pd.DataFrame]:
    patients = load_cohort().patients
    arm = patients["sorafenib"].map({1: OTHER, 0: FOCUS}).to_numpy()
    return {
        ep: pd.DataFrame({"time": patients[f"{ep}_months"].to_numpy(float),
                          "event": patients[f"{ep}_event"].to_numpy(int), "arm": arm})
        for ep in ("os", "pfs")
    }


# --------------------------------------------------------------------------- by hand

# Group A: events at 2 and 4, censored at 5; group B: events at 1, 3 and 6.
TINY = pd.DataFrame({"time": [2, 4, 5, 1, 3, 6], "event": [1, 1, 0, 1, 1, 1],
                     "group": ["A", "A", "A", "B", "B", "B"]})


def test_the_table_of_a_tiny_example_is_what_a_hand_computation_gives() -> None:
    table = ts.logrank_table(TINY["time"], TINY["event"], TINY["group"], "A")
    assert table["time"].tolist() == [1, 2, 3, 4, 6]
    assert table["n_focus"].tolist() == [3, 3, 2, 2, 0]
    assert table["n"].tolist() == [6, 5, 4, 3, 1]
    assert table["d_focus"].tolist() == [0, 1, 0, 1, 0]
    # expected = d * nA / n; variance = d (n - d)/(n - 1) * nA/n * (1 - nA/n), 0 when n = 1
    np.testing.assert_allclose(table["expected"], [1 / 2, 3 / 5, 1 / 2, 2 / 3, 0], rtol=1e-15)
    np.testing.assert_allclose(table["variance"], [1 / 4, 6 / 25, 1 / 4, 2 / 9, 0], rtol=1e-15)
    result = ts.weighted_logrank(table)
    o_minus_e = 2 - (1 / 2 + 3 / 5 + 1 / 2 + 2 / 3)
    assert result.statistic == pytest.approx(o_minus_e**2 / (1 / 4 + 6 / 25 + 1 / 4 + 2 / 9),
                                             rel=1e-14)
    assert result.p_value == pytest.approx(math.erfc(math.sqrt(result.statistic / 2)),
                                           rel=1e-12)


def test_tied_events_get_the_hypergeometric_variance() -> None:
    # At t = 2, 3 of 4 at risk die (2 of them in A, half of the risk set): E = 1.5 and
    # V = 3 * 1/3 * 1/2 * 1/2 = 0.25, so chi-square = (2 - 1.5)^2 / 0.25 = 1.
    table = ts.logrank_table([2, 2, 2, 3], [1, 1, 1, 1], ["A", "A", "B", "B"], "A")
    assert table.loc[0, ["expected", "variance"]].tolist() == pytest.approx([1.5, 0.25])
    assert ts.weighted_logrank(table).statistic == pytest.approx(1.0, rel=1e-14)


def test_gehan_weights_are_the_numbers_at_risk() -> None:
    table = ts.logrank_table(TINY["time"], TINY["event"], TINY["group"], "A")
    weights = ts.logrank_weights(table, "wilcoxon")
    assert weights.tolist() == [6, 5, 4, 3, 1]
    numerator = sum(w * x for w, x in zip(weights, table["o_minus_e"], strict=True))
    variance = sum(w**2 * v for w, v in zip(weights, table["variance"], strict=True))
    assert ts.weighted_logrank(table, weights).statistic == pytest.approx(
        numerator**2 / variance, rel=1e-14)


def test_fleming_harrington_weights_use_the_pooled_curve_just_before_each_time() -> None:
    table = ts.logrank_table(TINY["time"], TINY["event"], TINY["group"], "A")
    before = [1, 5 / 6, 5 / 6 * 4 / 5, 5 / 6 * 4 / 5 * 3 / 4, 5 / 6 * 4 / 5 * 3 / 4 * 2 / 3]
    np.testing.assert_allclose(ts.logrank_weights(table, "fleming-harrington", p=1), before,
                               rtol=1e-15)
    np.testing.assert_allclose(ts.logrank_weights(table, "fleming-harrington", q=2),
                               [(1 - s) ** 2 for s in before], rtol=1e-15)
    assert ts.logrank_weights(table, "fleming-harrington").tolist() == [1.0] * 5


# --------------------------------------------------------------------------- against libraries


@pytest.mark.parametrize("endpoint", ["os", "pfs"])
def test_hand_log_rank_equals_lifelines_and_the_package(cohort, endpoint: str) -> None:
    d = cohort[endpoint]
    hand = ts.weighted_logrank(ts.logrank_table(d["time"], d["event"], d["arm"], FOCUS))
    a = d["arm"] == FOCUS
    library = logrank_test(d["time"][a], d["time"][~a], d["event"][a], d["event"][~a])
    package = logrank_fast(d["time"], groups=d["arm"], events=d["event"])
    assert hand.statistic == pytest.approx(library.test_statistic, rel=RTOL)
    assert hand.statistic == pytest.approx(package.statistic, rel=RTOL)
    assert hand.p_value == pytest.approx(library.p_value, rel=RTOL)
    assert hand.statistic == pytest.approx(r_value(f"cohort_{endpoint}", "survdiff-rho0",
                                                   "chisq"), rel=RTOL)


SCHEMES = [("LR", "logrank", 0, 0), ("W", "wilcoxon", 0, 0), ("TW", "tarone-ware", 0, 0),
           ("P", "peto", 0, 0), ("FH10", "fleming-harrington", 1, 0),
           ("FH01", "fleming-harrington", 0, 1), ("FH21", "fleming-harrington", 2, 1)]


@pytest.mark.parametrize("endpoint", ["os", "pfs"])
def test_every_weighting_equals_lifelines(cohort, endpoint: str) -> None:
    d = cohort[endpoint]
    table = ts.compare_weightings(d["time"], d["event"], d["arm"], FOCUS, SCHEMES)
    np.testing.assert_allclose(table["chisq"], table["chisq_lifelines"], rtol=RTOL)
    assert table["chisq"].nunique() == len(SCHEMES)  # the weightings really differ


@pytest.mark.parametrize("case", ["cohort_os", "cohort_pfs", "veteran"])
def test_fleming_harrington_1_0_is_rs_survdiff_rho_1(cohort, case: str) -> None:
    if case == "veteran":
        vet = pd.read_csv(FIXTURE.parent / "r_survival" / "veteran.csv")
        time, event, group = vet["time"], vet["status"], vet["trt"]
    else:
        d = cohort[case.removeprefix("cohort_")]
        time, event, group = d["time"], d["event"], d["arm"]
    focus = group.iloc[0] if case == "veteran" else FOCUS
    table = ts.logrank_table(time, event, group, focus)
    for rho in (0, 1):
        weights = ts.logrank_weights(table, "fleming-harrington", p=rho)
        assert ts.weighted_logrank(table, weights).statistic == pytest.approx(
            r_value(case, f"survdiff-rho{rho}", "chisq"), rel=RTOL)


def test_bad_groups_and_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="exactly two groups"):
        ts.logrank_table([1, 2, 3], [1, 1, 1], ["a", "b", "c"], "a")
    with pytest.raises(ValueError, match="focus"):
        ts.logrank_table([1, 2], [1, 1], ["a", "b"], "z")
    table = ts.logrank_table(TINY["time"], TINY["event"], TINY["group"], "A")
    with pytest.raises(ValueError, match="weighting"):
        ts.logrank_weights(table, "gehan")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=">= 0"):
        ts.logrank_weights(table, "fleming-harrington", p=-1)
    with pytest.raises(ValueError, match="5 event times"):
        ts.weighted_logrank(table, [1.0, 2.0])


# --------------------------------------------------------------------------- RMST


def test_rmst_of_a_tiny_example_is_the_area_under_the_steps() -> None:
    # times 1 (event), 2 (censored), 3 (event), 4 (event): S = 1 on [0,1), 3/4 on [1,3),
    # 3/4 * 1/2 = 3/8 on [3,4). Area to 3.5: 1 + 2 * 3/4 + 0.5 * 3/8.
    result = ts.rmst([1, 2, 3, 4], [1, 0, 1, 1], 3.5)
    assert result.rmst == pytest.approx(1 + 1.5 + 0.1875, rel=1e-14)
    # SE^2: A_j^2 d/(n(n-d)) at t = 1 (A = 1.5 + 0.1875, n = 4) and t = 3 (A = 0.1875, n = 2)
    variance = (1.6875**2) / (4 * 3) + (0.1875**2) / (2 * 1)
    assert result.se == pytest.approx(math.sqrt(variance), rel=1e-14)


@pytest.mark.parametrize("endpoint, horizons", [("os", (12, 18, 24, 30)),
                                                ("pfs", (6, 12, 18, 24))])
def test_rmst_and_its_se_equal_lifelines_and_r(cohort, endpoint: str, horizons) -> None:
    d = cohort[endpoint]
    for sorafenib_no, label in ((0, OTHER), (1, FOCUS)):
        keep = d["arm"] == label
        kmf = KaplanMeierFitter().fit(d["time"][keep], d["event"][keep])
        for tau in horizons:
            result = ts.rmst(d["time"][keep], d["event"][keep], tau)
            subset = f"sorafenib_no={sorafenib_no}"
            assert result.rmst == pytest.approx(restricted_mean_survival_time(kmf, t=tau),
                                                rel=1e-12)
            assert result.rmst == pytest.approx(
                r_value(f"cohort_{endpoint}", "rmean", "rmean", str(tau), subset), rel=RTOL)
            assert result.se == pytest.approx(
                r_value(f"cohort_{endpoint}", "rmean", "se", str(tau), subset), rel=RTOL)


def test_rmst_se_equals_r_on_rs_veteran_data() -> None:
    vet = pd.read_csv(FIXTURE.parent / "r_survival" / "veteran.csv")
    for trt in (1, 2):
        part = vet[vet["trt"] == trt]
        for tau in (100, 200, 400):
            result = ts.rmst(part["time"], part["status"], tau)
            assert result.rmst == pytest.approx(
                r_value("veteran", "rmean", "rmean", str(tau), f"trt={trt}"), rel=RTOL)
            assert result.se == pytest.approx(
                r_value("veteran", "rmean", "se", str(tau), f"trt={trt}"), rel=RTOL)


def test_a_horizon_beyond_follow_up_is_refused_unless_the_curve_reached_zero() -> None:
    with pytest.raises(ValueError, match="longest follow-up"):
        ts.rmst([1, 2, 3], [1, 0, 0], 5)
    assert ts.rmst([1, 2, 3], [1, 1, 1], 5).rmst == pytest.approx(1 + 2 / 3 + 1 / 3)
    with pytest.raises(ValueError, match="> 0"):
        ts.rmst([1, 2, 3], [1, 1, 1], 0)


def test_restricted_time_variance_is_the_spread_of_restricted_times() -> None:
    # Without censoring the Kaplan-Meier curve is the empirical distribution, so the variance
    # of min(T, h) is the plain (population) variance of the restricted times.
    rng = np.random.default_rng(7)
    times = rng.exponential(10, size=60)
    for h in (5.0, 12.0, float(times.max())):
        assert ts.restricted_time_variance(times, np.ones(60), h) == pytest.approx(
            np.var(np.minimum(times, h)), rel=1e-11)


def test_restricted_time_variance_is_what_lifelines_returns(cohort) -> None:
    d = cohort["os"]
    keep = d["arm"] == FOCUS
    kmf = KaplanMeierFitter().fit(d["time"][keep], d["event"][keep])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifelines integrates the steps numerically
        _, library = restricted_mean_survival_time(kmf, t=12, return_variance=True)
    # quad's requested accuracy (epsrel 1e-10 on E[min(T,12)^2] ~ 140) bounds the difference
    assert ts.restricted_time_variance(d["time"][keep], d["event"][keep], 12) == pytest.approx(
        library, abs=1e-6)


def test_compare_rmst_differences_independent_arms(cohort) -> None:
    d = cohort["os"]
    c = ts.compare_rmst(d["time"], d["event"], d["arm"], 24, (OTHER, FOCUS))
    a = ts.rmst(d["time"][d["arm"] == OTHER], d["event"][d["arm"] == OTHER], 24)
    b = ts.rmst(d["time"][d["arm"] == FOCUS], d["event"][d["arm"] == FOCUS], 24)
    assert c.difference == pytest.approx(a.rmst - b.rmst, rel=1e-15)
    assert c.se == pytest.approx(math.hypot(a.se, b.se), rel=1e-15)
    assert c.p == pytest.approx(math.erfc(abs(c.difference) / c.se / math.sqrt(2)), rel=1e-12)
    before_any_event = ts.compare_rmst(d["time"], d["event"], d["arm"], 5, (OTHER, FOCUS))
    assert before_any_event.difference == 0 and np.isnan(before_any_event.p)


# --------------------------------------------------------------------------- medians


def test_touching_intervals_of_equal_ses_mean_p_below_one_percent() -> None:
    # z = 1.96 (1 + 1) / sqrt(2) = 1.96 sqrt(2), and 2 Phi(-z) = erfc(z / sqrt(2)) = erfc(1.96)
    assert ts.touching_intervals_p(1.0, 1.0) == pytest.approx(math.erfc(1.96), rel=1e-12)
    assert ts.touching_intervals_p(2.0, 2.0) == pytest.approx(math.erfc(1.96), rel=1e-12)
    z = 1.96 * 4 / math.sqrt(10)
    assert ts.touching_intervals_p(1.0, 3.0) == pytest.approx(math.erfc(z / math.sqrt(2)),
                                                              rel=1e-12)
    with pytest.raises(ValueError, match="> 0"):
        ts.touching_intervals_p(0.0, 1.0)


def test_the_cohorts_os_medians_overlap_although_the_curves_differ(cohort) -> None:
    """The page's example: overlapping intervals and a log-rank p below 0.05."""
    d = cohort["os"]
    m = ts.compare_medians(d["time"], d["event"], d["arm"], (OTHER, FOCUS))
    spss = km_median_spss(d["time"][d["arm"] == FOCUS], d["event"][d["arm"] == FOCUS])
    assert m.medians.loc[FOCUS, "median"] == spss.median
    assert m.medians.loc[FOCUS, "ci_upper"] == pytest.approx(spss.ci_upper, rel=1e-15)
    assert m.intervals_overlap
    assert m.logrank_p < 0.05 < m.wald_p
    assert m.logrank_p == pytest.approx(
        logrank_fast(d["time"], groups=d["arm"], events=d["event"]).p_value, rel=1e-15)

"""Tests for lungmets.stats.survival_stats: hand-computed values, real SPSS output, library
agreement."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from lungmets.stats import cox
from lungmets.stats import survival_stats as ss

# A real SPSS run, used as an external reference (not a number from the paper).
# Source: public repository StatEdu/StatEdu_Studio, commit c058fca6c407b2c9557c6a19a0d9610cb0015d88:
#   data   scripts/fixtures/survival_validation.csv (72 generated rows; columns time,status,sex,age
#          kept here; ph.ecog and id dropped),
#   syntax scripts/run_spss_survival_validation.py:
#          KM time BY sex /STATUS=status EVENT(1) /PRINT TABLE MEAN /TEST=LOGRANK.
#          COXREG VARIABLES=time WITH age sex /STATUS=status EVENT(1) /METHOD=ENTER age sex.
#   output sample/spss31_survival_results.csv (unrounded values from SPSS 31 OXML output).
# SPSS 31, not the paper's SPSS 16: the KM and COXREG algorithms are assumed unchanged between
# versions (the Algorithms manual describes the same method for both).
_SPSS72 = """
    57,0,1,51 94,1,2,62 131,1,1,73 168,0,2,43 205,1,1,54 242,1,2,65
    279,0,1,76 316,1,2,46 353,1,1,57 390,1,2,68 427,0,1,79 464,1,2,49
    501,1,1,60 38,0,2,71 75,1,1,41 112,1,2,52 149,0,1,63 186,1,2,74
    223,1,1,44 260,1,2,55 297,0,1,66 334,1,2,77 371,1,1,47 408,0,2,58
    445,1,1,69 482,1,2,80 519,0,1,50 56,1,2,61 93,1,1,72 130,1,2,42
    167,0,1,53 204,1,2,64 241,1,1,75 278,0,2,45 315,1,1,56 352,1,2,67
    389,0,1,78 426,1,2,48 463,1,1,59 500,1,2,70 37,0,1,40 74,1,2,51
    111,1,1,62 148,0,2,73 185,1,1,43 222,1,2,54 259,0,1,65 296,1,2,76
    333,1,1,46 370,1,2,57 407,0,1,68 444,1,2,79 481,1,1,49 518,0,2,60
    55,1,1,71 92,1,2,41 129,0,1,52 166,1,2,63 203,1,1,74 240,1,2,44
    277,0,1,55 314,1,2,66 351,1,1,77 388,0,2,47 425,1,1,58 462,1,2,69
    499,0,1,80 36,1,2,50 73,1,1,61 110,1,2,72 147,0,1,42 184,1,2,53
"""


def spss_fixture() -> pd.DataFrame:
    """The 72-row SPSS validation data set as a frame (time, status, sex, age)."""
    rows = [tuple(int(v) for v in item.split(",")) for item in _SPSS72.split()]
    return pd.DataFrame(rows, columns=["time", "status", "sex", "age"])


# --------------------------------------------------------------------------- hand example

# n = 10; "+" marks censoring: 1 2 3 4+ 5 6 7 8+ 9 10
#   t  n_at_risk  d   S(t)                    d/(n(n-d))
#   1  10         1   9/10                    1/90
#   2   9         1   8/10                    1/72
#   3   8         1   7/10                    1/56
#   5   6         1   7/10*5/6  = 7/12        1/30
#   6   5         1   7/12*4/5  = 7/15        1/20
#   7   4         1   7/15*3/4  = 7/20        1/12
# median  = min{t: S <= 0.5} = 6            (S(6) = 7/15 = 0.467)
# u       = max{t: S >= 0.55} = 5           (S(5) = 7/12 = 0.583)
# l       = min{t: S <= 0.45} = 7           (S(7) = 7/20 = 0.35)
# density = (7/12 - 7/20) / (7 - 5) = 7/60
# Greenwood sum to t=6 = 1/90+1/72+1/56+1/30+1/20 = 318/2520 = 53/420
# Var S(6) = (7/15)^2 * 53/420 = 2597/94500
# SE(median) = sqrt(2597/94500) / (7/60) = 1.4209319544...
HAND_T = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
HAND_E = [1, 1, 1, 0, 1, 1, 1, 0, 1, 1]


def test_hand_example_km_table_and_greenwood() -> None:
    tab = ss.km_table(HAND_T, HAND_E)
    row = tab.set_index("time").loc[6.0]
    assert row["at_risk"] == 5
    assert row["survival"] == pytest.approx(7 / 15, abs=1e-12)
    var = Fraction(7, 15) ** 2 * Fraction(53, 420)
    assert var == Fraction(2597, 94500)
    assert row["se"] == pytest.approx(math.sqrt(float(var)), abs=1e-12)


def test_hand_example_spss_median_se_ci() -> None:
    res = ss.km_median_spss(HAND_T, HAND_E)
    se = math.sqrt(2597 / 94500) / (7 / 60)
    assert res.median == 6.0
    assert res.se == pytest.approx(se, abs=1e-9)
    assert res.ci_lower == pytest.approx(6.0 - 1.96 * se, abs=1e-9)
    assert res.ci_upper == pytest.approx(6.0 + 1.96 * se, abs=1e-9)
    # Here the other reading of u ("first time S <= 0.55": t=6) happens to give the same density,
    # (7/15 - 7/20)/1 = 7/60; the SPSS data below is where the two readings differ.


def test_median_not_reached_and_se_undefined() -> None:
    not_reached = ss.km_median_spss([1, 2, 3, 4], [1, 0, 0, 0])
    assert math.isnan(not_reached.median) and math.isnan(not_reached.se)
    # S drops to 0.48 and stops: a median exists but no 45th-percentile level, so no SE.
    t = list(range(1, 26))
    e = [1] * 13 + [0] * 12  # S after 13 deaths among 25 = 12/25 = 0.48
    res = ss.km_median_spss(t, e)
    assert res.median == 13.0
    assert math.isnan(res.se) and math.isnan(res.ci_lower)


def test_median_exactly_half_takes_the_time_the_curve_reaches_half() -> None:
    # 1..10 uncensored: S(5) = 0.5 exactly. Rule min{t: S <= 0.5} gives 5 (R would print 5.5).
    res = ss.km_median_spss(range(1, 11), [1] * 10)
    assert res.median == 5.0
    # u = max{S >= .55} = 4 (S=.6); l = min{S <= .45} = 6 (S=.4); f = .2/2 = .1
    # se S(5) = sqrt(.5*.5/10) = 0.158113883 (Greenwood = binomial without censoring)
    assert res.se == pytest.approx(math.sqrt(0.025) / 0.1, abs=1e-9)


# --------------------------------------------------------------------------- real SPSS output


@pytest.mark.parametrize(
    ("sex", "median", "se", "lower", "upper"),
    [
        (1, 353.0, 28.40150389233, 297.33305237103, 408.66694762897),
        (2, 296.0, 49.812325244556, 198.36784252067, 393.63215747933),
        (None, 333.0, 27.277143171126, 279.53679938459, 386.46320061541),
    ],
)
def test_spss31_median_se_ci(
    sex: int | None, median: float, se: float, lower: float, upper: float
) -> None:
    d = spss_fixture()
    if sex is not None:
        d = d[d["sex"] == sex]
    res = ss.km_median_spss(d["time"], d["status"])
    # SPSS's XML stores 14 significant digits; 1e-8 absolute is far tighter than any rounding
    # in the paper and far looser than that storage precision.
    assert res.median == median
    assert res.se == pytest.approx(se, abs=1e-8)
    assert res.ci_lower == pytest.approx(lower, abs=1e-8)
    assert res.ci_upper == pytest.approx(upper, abs=1e-8)


def test_spss31_rule_discriminates_the_two_readings_of_u() -> None:
    # Group sex=1: S(333)=.5648, S(351)=.5214, S(353)=.4779 (median), S(371)=.4345.
    # SPSS's 28.4015 needs u = 333 (last time with S >= .55), not u = 351 (first S <= .55),
    # which would give .097416 / ((.52135 - .43446) / 20) = 22.42.
    d = spss_fixture()
    d = d[d["sex"] == 1]
    tab = ss.km_table(d["time"], d["status"]).set_index("time")
    wrong = tab.loc[353.0, "se"] / ((tab.loc[351.0, "survival"] - tab.loc[371.0, "survival"]) / 20)
    assert wrong == pytest.approx(22.42, abs=0.01)
    assert ss.km_median_spss(d["time"], d["status"]).se == pytest.approx(28.4015, abs=1e-4)


def test_spss31_km_table_values() -> None:
    d = spss_fixture()
    d = d[d["sex"] == 2]
    tab = ss.km_table(d["time"], d["status"]).set_index("time")
    assert tab.loc[296.0, "survival"] == pytest.approx(0.49297626201923, abs=1e-12)
    assert tab.loc[296.0, "se"] == pytest.approx(0.087189808765431, abs=1e-12)
    assert tab.loc[500.0, "se"] == pytest.approx(0.040368254117834, abs=1e-12)


def test_spss31_logrank_and_cox() -> None:
    d = spss_fixture()
    for fn in (ss.logrank_fast, ss.logrank, ss.logrank_statsmodels):
        res = fn(d["time"], groups=d["sex"], events=d["status"])
        assert res.statistic == pytest.approx(1.6424068833783, abs=1e-10)
        assert res.p_value == pytest.approx(0.19999555379145, abs=1e-10)
        assert res.df == 1
    fit = cox.cox_fit_statsmodels(d, "time", "status", ["age", "sex"], ties="breslow")
    assert fit.coef["age"] == pytest.approx(-0.015641925577887, abs=1e-9)
    assert fit.se["sex"] == pytest.approx(0.28741495803773, abs=1e-9)
    assert fit.ci_lower["sex"] == pytest.approx(0.8311349256432, abs=1e-9)
    assert fit.p["age"] == pytest.approx(0.2158528550281, abs=1e-9)
    assert -2 * fit.loglik == pytest.approx(333.73774878528, abs=1e-8)


# --------------------------------------------------------------------------- agreement


def _datasets() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(20160707)
    out = []
    for n, k, rounding in [(45, 2, 1), (45, 3, 0), (30, 2, 0), (60, 4, 1), (18, 2, None)]:
        t = rng.exponential(12.0, n)
        t = np.round(t, rounding) if rounding is not None else t  # rounding creates ties
        e = (rng.random(n) < 0.7).astype(int)
        g = rng.integers(0, k, n)
        g[:k] = np.arange(k)
        out.append((t, e, g))
    return out


@pytest.mark.parametrize("case", range(5))
def test_logrank_three_implementations_agree(case: int) -> None:
    t, e, g = _datasets()[case]
    fast = ss.logrank_fast(t, groups=g, events=e)
    life = ss.logrank(t, groups=g, events=e)
    stm = ss.logrank_statsmodels(t, groups=g, events=e)
    assert fast.statistic == pytest.approx(life.statistic, abs=1e-10)
    assert fast.p_value == pytest.approx(life.p_value, abs=1e-10)
    assert stm.statistic == pytest.approx(life.statistic, abs=1e-8)
    assert fast.df == life.df == stm.df == len(np.unique(g)) - 1


@pytest.mark.parametrize("case", range(5))
def test_km_curve_is_lifelines_curve_and_band(case: int) -> None:
    """The drawn curve and band are lifelines' (log-log band), from time 0 to the last follow-up."""
    from lifelines import KaplanMeierFitter

    t, e, _ = _datasets()[case]
    curve = ss.km_curve(t, e)
    fitter = KaplanMeierFitter().fit(t, e)
    event_times = np.unique(t[e == 1])  # one of the cases has a death at time 0
    at_events = curve.iloc[1: event_times.size + 1]
    band = fitter.confidence_interval_survival_function_.loc[event_times]
    assert at_events["time"].to_numpy() == pytest.approx(event_times, abs=0)
    assert at_events["survival"].to_numpy() == pytest.approx(
        fitter.survival_function_.loc[event_times].to_numpy().ravel(), abs=1e-12)
    assert at_events["lower"].to_numpy() == pytest.approx(band.iloc[:, 0].to_numpy(), abs=1e-10)
    assert at_events["upper"].to_numpy() == pytest.approx(band.iloc[:, 1].to_numpy(), abs=1e-10)
    curve = curve.set_index("time")
    assert curve.index[0] == 0.0 and curve.index[-1] == t.max()
    assert curve.iloc[0].tolist() == [1.0, 1.0, 1.0]


def test_km_curve_closes_the_band_where_it_is_undefined() -> None:
    """Before the first death and after a last death the band is the curve itself."""
    curve = ss.km_curve([1.0, 2.0, 3.0], [0, 1, 1])
    assert curve["time"].tolist() == [0.0, 2.0, 3.0]
    assert curve["survival"].tolist() == pytest.approx([1.0, 0.5, 0.0])
    assert curve.iloc[-1][["lower", "upper"]].tolist() == [0.0, 0.0]
    only_censored = ss.km_curve([4.0, 5.0], [0, 0])
    assert only_censored.values.tolist() == [[0.0, 1.0, 1.0, 1.0], [5.0, 1.0, 1.0, 1.0]]


def test_ties_exist_in_agreement_data() -> None:
    t, _, _ = _datasets()[1]
    assert len(np.unique(t)) < len(t) - 5


def test_logrank_rejects_swapped_positional_use() -> None:
    with pytest.raises(TypeError):
        ss.logrank_fast([1, 2, 3], [0, 1, 1], [1, 1, 0])  # type: ignore[misc]


def test_pairwise_logrank_matches_two_group_subsets() -> None:
    t, e, g = _datasets()[1]
    labels = np.array(["Rt", "S", "Co"])[g]
    tab = ss.pairwise_logrank(
        t, groups=labels, events=e, pairs=[("Rt", "Co"), ("S", "Co"), ("Rt", "S")]
    )
    assert list(zip(tab["group_a"], tab["group_b"], strict=True)) == [
        ("Rt", "Co"), ("S", "Co"), ("Rt", "S")
    ]
    m = (labels == "S") | (labels == "Co")
    ref = ss.logrank(t[m], groups=labels[m], events=e[m])
    assert tab.loc[1, "p_value"] == pytest.approx(ref.p_value, abs=1e-10)
    assert tab.loc[1, "n_a"] == (labels == "S").sum()


def test_lifelines_median_agrees_and_ci_differs_from_spss() -> None:
    d = spss_fixture()
    life = ss.km_median_lifelines(d["time"], d["status"])
    spss = ss.km_median_spss(d["time"], d["status"])
    assert life.median == spss.median == 333.0
    assert math.isnan(life.se)
    assert life.ci_lower != pytest.approx(spss.ci_lower, abs=1.0)


def test_survival_at_landmarks() -> None:
    s = ss.survival_at(HAND_T, HAND_E, [0, 0.5, 5, 5.5, 7, 10, 11])
    assert list(s.index) == [0, 0.5, 5, 5.5, 7, 10, 11]
    np.testing.assert_allclose(
        s.to_numpy(), [1, 1, 7 / 12, 7 / 12, 7 / 20, 0, 0], atol=1e-12
    )
    # last observation censored: beyond it S is not estimable
    s2 = ss.survival_at([1, 2, 3], [1, 0, 0], [2.5, 4])
    assert s2.iloc[0] == pytest.approx(2 / 3) and math.isnan(s2.iloc[1])


def test_followup_reverse_km_vs_simple() -> None:
    # deaths at 1,2,3 pull the naive median down; reverse KM uses only the censored follow-up
    t = [1, 2, 3, 10, 11, 12, 13]
    e = [1, 1, 1, 0, 0, 0, 0]
    assert ss.simple_median_followup(t) == 10.0
    # reverse KM: censoring events at 10,11,12,13 with 4,3,2,1 at risk: G = .75,.5,...
    assert ss.reverse_km_median_followup(t, e) == 11.0


@pytest.mark.parametrize("ties", ["breslow", "efron"])
def test_cox_lifelines_vs_statsmodels(ties: str) -> None:
    rng = np.random.default_rng(7)
    n = 60
    df = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.integers(0, 2, n).astype(float)})
    df["time"] = rng.exponential(np.exp(-(0.7 * df["x1"] + 0.5 * df["x2"])))
    df["event"] = (rng.random(n) < 0.8).astype(int)
    if ties == "efron":
        df["time"] = np.round(df["time"], 1)  # many ties: lifelines (Efron) vs statsmodels Efron
    life = cox.cox_fit(df, "time", "event", ["x1", "x2"])
    stm = cox.cox_fit_statsmodels(df, "time", "event", ["x1", "x2"], ties="efron")
    np.testing.assert_allclose(life.coef, stm.coef, atol=1e-5)
    np.testing.assert_allclose(life.se, stm.se, atol=1e-5)
    assert life.loglik == pytest.approx(stm.loglik, abs=1e-6)
    if ties == "breslow":  # tie-free times: Breslow and Efron are the same likelihood
        bres = cox.cox_fit_statsmodels(df, "time", "event", ["x1", "x2"], ties="breslow")
        np.testing.assert_allclose(bres.coef, stm.coef, atol=1e-10)
        assert bres.loglik == pytest.approx(stm.loglik, abs=1e-10)


def test_bad_input_names_position() -> None:
    with pytest.raises(ValueError, match="position 2"):
        ss.km_median_spss([1, 2, np.nan], [1, 1, 1])
    with pytest.raises(ValueError, match="position 1"):
        ss.km_median_spss([1, 2, 3], [1, 2, 1])
    df = pd.DataFrame({"t": [1.0, 2.0], "e": [1, 0], "x": [0.0, None]}, index=["p1", "p2"])
    with pytest.raises(ValueError, match="'x', row 'p2'"):
        cox.cox_fit(df, "t", "e", ["x"])

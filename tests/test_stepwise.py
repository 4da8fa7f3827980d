"""Tests for lungmets.stats.stepwise: the Cox engine, the score test and SPSS FSTEP(LR)
behaviour."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.duration.hazard_regression import PHReg
from test_survival_stats import spss_fixture

from lungmets.stats import cox
from lungmets.stats import stepwise as sw
from lungmets.stats import survival_stats as ss

# --------------------------------------------------------------------------- Cox engine


def test_hand_example_breslow_score_at_zero() -> None:
    # times 1 2 3+ 4, x = 1 0 1 0, beta = 0.
    # t=1: risk {1,2,3,4}, mean x = 2/4; t=2: risk {2,3,4}, mean 1/3; t=4: risk {4}, mean 0.
    # U = (1 - 1/2) + (0 - 1/3) + (0 - 0) = 1/6
    # I = sum mean(1 - mean) = 1/4 + 2/9 + 0 = 17/36;  score = U^2 / I = 1/17
    # log L(0) = -(log 4 + log 3 + log 1) = -log 12
    t, e, x = [1, 2, 3, 4], [1, 1, 0, 1], [[1], [0], [1], [0]]
    ll, g, info = sw.cox_derivatives(t, e, x, [0.0])
    assert ll == pytest.approx(-math.log(12), abs=1e-12)
    assert g[0] == pytest.approx(1 / 6, abs=1e-12)
    assert info[0, 0] == pytest.approx(17 / 36, abs=1e-12)
    stat, df, p = sw.score_test(t, e, np.zeros((4, 0)), x)
    assert (stat, df) == (pytest.approx(1 / 17, abs=1e-12), 1)
    assert p == pytest.approx(math.erfc(math.sqrt(1 / 17 / 2)), abs=1e-12)  # chi2(1) tail


def test_hand_example_efron_vs_breslow_with_a_tie() -> None:
    # times 1 1 2 3+, x = 1 0 0 1, beta = 0; two deaths tied at t=1 with 4 at risk.
    # Breslow: log L = -(2 log 4 + log 2) = -log 32
    # Efron:   second tied death sees 4 - (1/2)*2 = 3: log L = -(log 4 + log 3 + log 2) = -log 24
    # U = 1 - (2/4 + 2/4 + 1/2) (Breslow) = 1 - (2/4 + 1.5/3 + 1/2) (Efron) = -1/2
    t, e, x = [1, 1, 2, 3], [1, 1, 1, 0], [[1], [0], [0], [1]]
    ll_b, g_b, i_b = sw.cox_derivatives(t, e, x, [0.0], ties="breslow")
    ll_e, g_e, i_e = sw.cox_derivatives(t, e, x, [0.0], ties="efron")
    assert ll_b == pytest.approx(-math.log(32), abs=1e-12)
    assert ll_e == pytest.approx(-math.log(24), abs=1e-12)
    assert g_b[0] == pytest.approx(-0.5, abs=1e-12) and g_e[0] == pytest.approx(-0.5, abs=1e-12)
    assert i_b[0, 0] == pytest.approx(0.75, abs=1e-12) and i_e[0, 0] == pytest.approx(0.75)


@pytest.mark.parametrize("ties", ["breslow", "efron"])
def test_derivatives_match_statsmodels(ties: str) -> None:
    rng = np.random.default_rng(11)
    n = 45
    t = np.round(rng.exponential(10, n)) + 1  # integer times: many ties
    e = (rng.random(n) < 0.7).astype(float)
    x = rng.normal(size=(n, 3))
    beta = np.array([0.3, -0.2, 0.5])
    ref = PHReg(t, x, status=e, ties=ties)
    ll, g, info = sw.cox_derivatives(t, e, x, beta, ties=ties)  # type: ignore[arg-type]
    assert ll == pytest.approx(ref.loglike(beta), abs=1e-10)
    np.testing.assert_allclose(g, ref.score(beta), atol=1e-10)
    np.testing.assert_allclose(info, -ref.hessian(beta), atol=1e-10)
    beta_hat, _, _, ok = sw.cox_newton(t, e, x, ties=ties)  # type: ignore[arg-type]
    assert ok
    np.testing.assert_allclose(beta_hat, ref.fit().params, atol=1e-6)


def test_spss31_cox_fit_and_overall_score() -> None:
    # SPSS 31 COXREG (see tests/test_survival_stats.py for the source): B, -2LL and the
    # "Overall (score)" chi-square of the ENTER model, i.e. the score test of both at beta = 0.
    d = spss_fixture()
    x = d[["age", "sex"]].to_numpy(float)
    beta, ll, _, ok = sw.cox_newton(d["time"], d["status"], x)
    assert ok
    np.testing.assert_allclose(beta, [-0.015641925577887, 0.37835983446047], atol=1e-9)
    assert -2 * ll == pytest.approx(333.73774878528, abs=1e-8)
    stat, df, p = sw.score_test(d["time"], d["status"], np.zeros((72, 0)), x)
    assert stat == pytest.approx(3.1755951107567, abs=1e-9)
    assert df == 2 and p == pytest.approx(0.20437524156164, abs=1e-9)


def test_score_test_given_a_model_matches_statsmodels_derivatives() -> None:
    rng = np.random.default_rng(5)
    n = 60
    t = rng.exponential(5, n)
    e = (rng.random(n) < 0.75).astype(float)
    xc = rng.normal(size=(n, 2))
    xn = rng.integers(0, 2, (n, 2)).astype(float)
    stat, df, _ = sw.score_test(t, e, xc, xn)
    fit_c = PHReg(t, xc, status=e, ties="breslow").fit()
    full = PHReg(t, np.hstack([xc, xn]), status=e, ties="breslow")
    b = np.concatenate([fit_c.params, [0.0, 0.0]])
    u = full.score(b)
    ref = float(u @ np.linalg.solve(-full.hessian(b), u))
    assert df == 2
    assert stat == pytest.approx(ref, abs=1e-8)


def test_score_test_of_groups_equals_logrank_without_ties() -> None:
    # Without ties the Breslow score test at beta = 0 of k-1 group indicators is the log-rank test.
    rng = np.random.default_rng(8)
    n = 45
    t = rng.exponential(10, n)
    e = (rng.random(n) < 0.7).astype(float)
    g = rng.integers(0, 3, n)
    dummies = np.column_stack([g == 0, g == 1]).astype(float)
    stat, df, _ = sw.score_test(t, e, np.zeros((n, 0)), dummies)
    lr = ss.logrank_fast(t, groups=g, events=e)
    assert df == lr.df == 2
    assert stat == pytest.approx(lr.statistic, abs=1e-10)


# --------------------------------------------------------------------------- stepwise


def _two_effects(seed: int = 1, n: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({f"noise{i}": rng.integers(0, 2, n).astype(float) for i in range(5)})
    df["strong"] = rng.integers(0, 2, n).astype(float)
    df["medium"] = rng.normal(size=n)
    hazard = np.exp(1.5 * df["strong"] + 0.6 * df["medium"])
    event_t = rng.exponential(1 / hazard)
    censor_t = rng.exponential(2.0, n)
    df["time"] = np.minimum(event_t, censor_t)
    df["event"] = (event_t <= censor_t).astype(int)
    return df


CANDS = ["noise0", "noise1", "strong", "noise2", "medium", "noise3", "noise4"]


def test_true_effects_enter_in_order_and_steps_are_right() -> None:
    df = _two_effects()
    res = sw.forward_stepwise_cox(df, "time", "event", CANDS)
    assert res.selected == ("strong", "medium")
    assert list(res.steps["action"]) == ["enter", "enter"]
    assert list(res.steps["variable"]) == ["strong", "medium"]
    assert list(res.steps["step"]) == [1, 2]
    # Step 1's statistic is the score test of 'strong' alone; step 2's is 'medium' given 'strong'.
    s1 = sw.score_test(df["time"], df["event"], np.zeros((len(df), 0)), df[["strong"]])
    s2 = sw.score_test(df["time"], df["event"], df[["strong"]], df[["medium"]])
    assert res.steps.loc[0, "statistic"] == pytest.approx(s1[0], abs=1e-10)
    assert res.steps.loc[1, "statistic"] == pytest.approx(s2[0], abs=1e-10)
    assert (res.steps["p"] < 0.05).all()
    assert (res.not_in_model["p"] >= 0.05).all()
    assert set(res.not_in_model["variable"]) == set(CANDS) - {"strong", "medium"}
    assert res.stop_reason == "no candidate meets the entry criterion"


def test_final_model_agrees_with_lifelines_and_statsmodels() -> None:
    df = _two_effects()
    res = sw.forward_stepwise_cox(df, "time", "event", CANDS)
    stm = cox.cox_fit_statsmodels(df, "time", "event", list(res.selected), ties="breslow")
    np.testing.assert_allclose(res.final["coef"], stm.coef, atol=1e-6)
    np.testing.assert_allclose(res.final["ci_lower"], stm.ci_lower, atol=1e-6)
    np.testing.assert_allclose(res.final["p"], stm.p, atol=1e-6)
    assert res.loglik == pytest.approx(stm.loglik, abs=1e-8)
    # continuous simulated times have no ties, so lifelines' Efron fit is the same model
    life = cox.cox_fit(df, "time", "event", list(res.selected))
    np.testing.assert_allclose(res.final["hr"], life.hr, atol=1e-5)
    np.testing.assert_allclose(res.final["ci_upper"], life.ci_upper, atol=1e-5)


def test_variable_enters_then_is_removed() -> None:
    # a = b + c + noise: alone it carries most of b and c, so it enters first; once b and c are
    # in, it adds nothing and its LR p-value exceeds POUT = .10.
    rng = np.random.default_rng(1)
    n = 150
    b, c = rng.normal(size=n), rng.normal(size=n)
    a = b + c + rng.normal(size=n)
    event_t = rng.exponential(np.exp(-(0.8 * b + 0.8 * c)))
    censor_t = rng.exponential(2.0, n)
    df = pd.DataFrame(
        {"a": a, "b": b, "c": c, "time": np.minimum(event_t, censor_t),
         "event": (event_t <= censor_t).astype(int)}
    )
    res = sw.forward_stepwise_cox(df, "time", "event", ["a", "b", "c"])
    assert list(zip(res.steps["action"], res.steps["variable"], strict=True)) == [
        ("enter", "a"), ("enter", "c"), ("enter", "b"), ("remove", "a")
    ]
    assert res.selected == ("c", "b")
    removal = res.steps.iloc[3]
    full = cox.cox_fit_statsmodels(df, "time", "event", ["a", "c", "b"])
    reduced = cox.cox_fit_statsmodels(df, "time", "event", ["c", "b"])
    assert removal["statistic"] == pytest.approx(2 * (full.loglik - reduced.loglik), abs=1e-8)
    assert removal["p"] > 0.10


def test_three_level_categorical_block() -> None:
    rng = np.random.default_rng(3)
    n = 90
    therapy = rng.choice(["resection", "TACE", "transplantation"], n)
    x = rng.integers(0, 2, n).astype(float)
    log_hr = {"TACE": 1.3, "resection": 0.5, "transplantation": 0.0}
    hazard = np.exp(np.array([log_hr[v] for v in therapy]))
    event_t = rng.exponential(1 / hazard)
    censor_t = rng.exponential(2.0, n)
    df = pd.DataFrame({"therapy": therapy, "x": x, "time": np.minimum(event_t, censor_t),
                       "event": (event_t <= censor_t).astype(int)})
    res = sw.forward_stepwise_cox(df, "time", "event", ["x", "therapy"])
    assert res.selected == ("therapy",)
    assert res.steps.loc[0, "df"] == 2
    # reference = last level in sorted order ("transplantation"), SPSS's default indicator contrast
    assert list(res.final.index) == ["therapy[TACE]", "therapy[resection]"]
    assert res.block_tests.loc[0, "df"] == 2
    # entry score test of the block = 3-group log-rank when times are tie-free
    lr = ss.logrank_fast(df["time"], groups=df["therapy"], events=df["event"])
    assert res.steps.loc[0, "statistic"] == pytest.approx(lr.statistic, abs=1e-9)
    # a different reference changes HRs, not the selection or the test
    res2 = sw.forward_stepwise_cox(df, "time", "event", ["x", "therapy"],
                                   reference={"therapy": "resection"})
    assert res2.selected == res.selected
    assert res2.steps.loc[0, "statistic"] == pytest.approx(res.steps.loc[0, "statistic"])
    assert list(res2.final.index) == ["therapy[TACE]", "therapy[transplantation]"]


def test_nothing_enters_on_pure_noise() -> None:
    rng = np.random.default_rng(0)
    n = 45
    df = pd.DataFrame({f"v{i}": rng.integers(0, 2, n).astype(float) for i in range(3)})
    df["time"] = rng.exponential(10, n)
    df["event"] = 1
    res = sw.forward_stepwise_cox(df, "time", "event", ["v0", "v1", "v2"])
    scores = [sw.score_test(df["time"], df["event"], np.zeros((n, 0)), df[[v]])[2]
              for v in ["v0", "v1", "v2"]]
    assert (min(scores) < 0.05) == (len(res.selected) > 0)
    assert res.final.shape[0] == len(res.selected)


def test_monotone_likelihood_is_flagged_not_fatal() -> None:
    # every event is in the sep = 1 group: the MLE of its coefficient is +infinity
    rng = np.random.default_rng(2)
    n = 45
    sep = np.r_[np.ones(20), np.zeros(25)]
    df = pd.DataFrame({"sep": sep, "x": rng.integers(0, 2, n).astype(float),
                       "time": rng.exponential(10, n), "event": sep.astype(int)})
    res = sw.forward_stepwise_cox(df, "time", "event", ["sep", "x"])
    assert res.selected == ("sep",)
    assert not res.final.loc["sep", "converged"]
    assert res.final.loc["sep", "coef"] > 10
    assert np.isfinite(res.block_tests.loc[0, "lr"]) and res.block_tests.loc[0, "p_lr"] < 1e-4


def test_bad_input_names_row_and_column() -> None:
    df = _two_effects().head(10).copy()
    df.loc[3, "medium"] = np.nan
    with pytest.raises(ValueError, match="'medium', row 3"):
        sw.forward_stepwise_cox(df, "time", "event", ["medium"])
    with pytest.raises(KeyError, match="'nope'"):
        sw.forward_stepwise_cox(df, "time", "event", ["nope"])

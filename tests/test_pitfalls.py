"""The pitfall lab's logic (lungmets.teaching.pitfalls_bias and pitfalls_design), checked against
hand calculations, independent implementations and known truths, with stated tolerances."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lungmets.analyses.validation import detectable_hazard_ratio
from lungmets.stats.survival_stats import logrank_fast, survival_at
from lungmets.synthetic.reconstruct import load_cohort
from lungmets.teaching import pitfalls_bias as pb
from lungmets.teaching import pitfalls_design as pd_


@pytest.fixture(scope="module")
def patients() -> pd.DataFrame:
    return load_cohort().patients


# --------------------------------------------------------------------------- power


def test_schoenfeld_events_match_a_hand_calculation() -> None:
    # (1.959964 + 0.841621)^2 / (0.25 * ln(0.5)^2) = 7.848879 / 0.120113 = 65.346
    assert pd_.schoenfeld_events(0.5) == pytest.approx(65.346, abs=1e-3)
    # unequal groups: share 0.3 -> p(1 - p) = 0.21 instead of 0.25
    assert pd_.schoenfeld_events(0.5, share=0.3) == pytest.approx(65.346 * 0.25 / 0.21, abs=1e-2)
    # a hazard ratio and its reciprocal need the same events
    assert pd_.schoenfeld_events(2.0) == pytest.approx(pd_.schoenfeld_events(0.5), rel=1e-12)


def test_schoenfeld_power_inverts_events_and_the_detectable_hazard_ratio() -> None:
    events = pd_.schoenfeld_events(0.6, power=0.9)
    assert pd_.schoenfeld_power(events, 0.6) == pytest.approx(0.9, abs=1e-12)
    hr = detectable_hazard_ratio(29, 23 / 45, 0.05, 0.8)
    assert pd_.schoenfeld_power(29, hr, share=23 / 45) == pytest.approx(0.8, abs=1e-12)


@pytest.mark.parametrize("bad", [dict(hazard_ratio=1.0), dict(hazard_ratio=-2.0),
                                 dict(hazard_ratio=0.5, alpha=1.5),
                                 dict(hazard_ratio=0.5, share=0.0)])
def test_schoenfeld_rejects_impossible_inputs(bad: dict) -> None:
    with pytest.raises(ValueError):
        pd_.schoenfeld_events(**bad)


def test_significance_filter_matches_a_seeded_monte_carlo() -> None:
    events, hr, share = 29, 0.6, 23 / 45
    result = pd_.significance_filter(events, hr, share=share)
    se = 1 / math.sqrt(events * share * (1 - share))
    draws = np.random.default_rng(1).normal(math.log(hr), se, 400_000)
    z = 1.959963984540054
    right, wrong = draws < -z * se, draws > z * se
    assert result.power == pytest.approx(right.mean(), abs=0.003)
    assert result.power == pytest.approx(pd_.schoenfeld_power(events, hr, share=share), abs=1e-12)
    assert math.log(result.reported_hr) == pytest.approx(draws[right].mean(), abs=0.005)
    assert result.wrong_side == pytest.approx(wrong.sum() / (right.sum() + wrong.sum()),
                                              abs=0.001)
    assert result.exaggeration > 1 and result.reported_hr < hr


def test_significance_filter_is_symmetric_in_the_direction_of_the_effect() -> None:
    low, high = pd_.significance_filter(40, 0.5), pd_.significance_filter(40, 2.0)
    assert high.reported_hr == pytest.approx(1 / low.reported_hr, rel=1e-12)
    assert high.exaggeration == pytest.approx(low.exaggeration, rel=1e-12)


def test_row_wise_log_rank_equals_logrank_fast() -> None:
    rng = np.random.default_rng(3)
    time, event = rng.exponential(1.0, (20, 45)), rng.random((20, 45)) < 0.7
    group = np.repeat([0, 1], (22, 23))
    expected = [logrank_fast(time[i], groups=group, events=event[i]).p_value for i in range(20)]
    np.testing.assert_allclose(pd_._logrank_p_rows(time, event, group), expected, rtol=1e-9)


def test_simulated_power_is_seeded_and_close_to_schoenfeld() -> None:
    first = pd_.simulated_power((22, 23), 0.5, 29, n_sim=2000, seed=7)
    assert first == pd_.simulated_power((22, 23), 0.5, 29, n_sim=2000, seed=7)
    # 2000 simulations: Monte Carlo SE about 0.011; the large-sample formula is itself a
    # little off at 29 events, so allow 0.06
    assert first == pytest.approx(pd_.schoenfeld_power(29, 0.5, share=23 / 45), abs=0.06)


# --------------------------------------------------------------------------- multiplicity


def test_familywise_error_by_hand() -> None:
    assert pd_.familywise_error(1) == pytest.approx(0.05, abs=1e-15)
    assert pd_.familywise_error(13) == pytest.approx(1 - 0.95**13, abs=1e-15)
    assert pd_.familywise_error(13) == pytest.approx(0.48666, abs=1e-5)


def test_min_p_over_one_cut_is_the_median_split_log_rank(patients) -> None:
    t, e = patients["os_months"].to_numpy(), patients["os_event"].to_numpy()
    min_p = pd_.min_p_noise_cuts(t, e, 1, n_sim=3, seed=11)
    x = np.random.default_rng(11).standard_normal((3, t.size))
    for i in range(3):
        high = x[i] >= np.quantile(x[i], 0.5)
        assert min_p[i] == pytest.approx(logrank_fast(t, groups=high, events=e).p_value,
                                         rel=1e-9)


def test_cut_point_hunting_inflates_false_positives_and_is_seeded(patients) -> None:
    t, e = patients["os_months"].to_numpy(), patients["os_event"].to_numpy()
    one = pd_.min_p_noise_cuts(t, e, 1, n_sim=500, seed=3)
    twenty = pd_.min_p_noise_cuts(t, e, 20, n_sim=500, seed=3)
    np.testing.assert_array_equal(twenty, pd_.min_p_noise_cuts(t, e, 20, n_sim=500, seed=3))
    # one pre-specified cut: a valid test (500 simulations, SE about 0.01; allow 3 SE)
    assert (one < 0.05).mean() == pytest.approx(0.05, abs=0.03)
    assert (twenty < 0.05).mean() > (one < 0.05).mean() + 0.15


def test_noise_factors_admit_a_false_positive_about_as_independent_tests_do(patients) -> None:
    t, e = patients["os_months"].to_numpy(), patients["os_event"].to_numpy()
    rate = (pd_.min_p_noise_factors(t, e, 13, n_sim=500, seed=5) < 0.05).mean()
    assert rate == pytest.approx(pd_.familywise_error(13), abs=0.07)  # 3 Monte Carlo SE


# --------------------------------------------------------------------------- immortal time


def test_scan_schedule_comes_from_the_papers_schedule() -> None:
    # course 0.5 (assumed) + 1 month after the end, then every 3 months (claims catalogue)
    np.testing.assert_allclose(pb.response_scan_months(4), [1.5, 4.5, 7.5, 10.5], atol=1e-12)


def test_landmark_analysis_excludes_patients_dead_or_censored_before_the_landmark() -> None:
    data = pb.landmark_data([1.0, 3.0, 5.0, 8.0, 2.0], [1, 1, 0, 1, 0],
                            [False, True, True, False, False], landmark=3.0)
    # 1.0 (dead), 2.0 (censored) and 3.0 (dead exactly at the landmark) are out
    assert data["time"].tolist() == [2.0, 5.0]
    assert data["event"].tolist() == [0.0, 1.0]
    assert data["responder"].tolist() == [True, False]


def test_group_logrank_matches_a_hand_calculation_and_logrank_fast() -> None:
    # times 1..4, group [1, 0, 1, 0], all events: O - E = 1/2 - 1/3 + 1/2, V = 1/4 + 2/9 + 1/4
    hr, p = pb.group_logrank([1, 2, 3, 4], [1, 1, 1, 1], [[1, 0, 1, 0]])
    assert math.log(hr[0]) == pytest.approx((2 / 3) / (13 / 18), abs=1e-12)
    assert p[0] == pytest.approx(
        logrank_fast([1, 2, 3, 4], groups=[1, 0, 1, 0], events=[1, 1, 1, 1]).p_value, abs=1e-12)


def test_response_simulation_is_seeded_and_respects_guarantee_time(patients) -> None:
    t, e = patients["os_months"] - patients["pdr_months"], patients["os_event"]
    sim = pb.simulate_response(t, e, 2 / 3, n_rep=50, seed=9)
    again = pb.simulate_response(t, e, 2 / 3, n_rep=50, seed=9)
    np.testing.assert_array_equal(sim.response_time, again.response_time)
    np.testing.assert_array_equal(sim.would_respond, again.would_respond)
    seen = sim.responded
    assert (sim.response_time[seen] <= np.broadcast_to(sim.time, seen.shape)[seen]).all()
    assert not (sim.responded_by(6.0) & ~seen).any()
    assert not (sim.responded_by(6.0) & (sim.response_time > 6.0)).any()


def test_naive_comparison_is_biased_and_the_landmark_is_not(patients) -> None:
    """The page's claim, on its own inputs: response has no effect, so the truth is HR 1."""
    t = (patients["os_months"] - patients["pdr_months"]).to_numpy()
    e = patients["os_event"].to_numpy()
    sim = pb.simulate_response(t, e, 2 / 3, n_rep=400, seed=2016)
    naive, _ = pb.group_logrank(t, e, sim.responded)
    keep = t > 9
    landmark, _ = pb.group_logrank(t[keep] - 9, e[keep], sim.responded_by(9)[:, keep])
    assert np.median(naive) < 0.8
    assert np.median(landmark) == pytest.approx(1.0, abs=0.15)


# --------------------------------------------------------------------------- competing risks


def test_aalen_johansen_without_competing_events_equals_one_minus_km() -> None:
    data = pb.simulate_competing(300, 0.1, 0.0, followup=(10, 40), seed=4)
    assert (data["cause"] != pb.COMPETING).all()
    grid = np.linspace(0, 30, 121)
    np.testing.assert_allclose(pb.aalen_johansen(data["time"], data["cause"], grid),
                               pb.one_minus_km(data["time"], data["cause"], grid), atol=1e-12)


def test_aalen_johansen_with_tied_single_cause_equals_one_minus_km(patients) -> None:
    """The cohort's times are rounded (ties); with only one cause lifelines does not jitter."""
    causes = pb.competing_causes(patients)
    single = causes["cause"].where(causes["cause"] != pb.COMPETING, 0)
    grid = [3.0, 6.0, 12.0, 18.0]
    np.testing.assert_allclose(pb.aalen_johansen(causes["time"], single, grid),
                               pb.one_minus_km(causes["time"], single, grid), atol=1e-12)


def _aalen_johansen_by_hand(time: np.ndarray, cause: np.ndarray, at: float) -> float:
    """Sum over event times s <= at of S(s-) * d1(s) / n(s), ties handled exactly."""
    cif, surv = 0.0, 1.0
    for s in np.unique(time[(cause > 0) & (time <= at)]):
        n = (time >= s).sum()
        d1 = ((time == s) & (cause == 1)).sum()
        d = ((time == s) & (cause > 0)).sum()
        cif += surv * d1 / n
        surv *= 1 - d / n
    return cif


def test_aalen_johansen_on_the_cohort_matches_a_hand_implementation(patients) -> None:
    causes = pb.competing_causes(patients)
    t, c = causes["time"].to_numpy(), causes["cause"].to_numpy()
    assert (c == pb.COMPETING).sum() == 6  # deaths without progression, lungmets.analyses.endpoints
    grid = [6.0, 12.0, 24.0]
    got = pb.aalen_johansen(t, c, grid, seed=0)
    # lifelines jitters ties across causes by 1e-4 months: allow a small difference
    np.testing.assert_allclose(got, [_aalen_johansen_by_hand(t, c, g) for g in grid], atol=0.03)
    assert (pb.one_minus_km(t, c, grid) >= got - 1e-12).all()
    np.testing.assert_array_equal(got, pb.aalen_johansen(t, c, grid, seed=0))


def test_aalen_johansen_recovers_the_true_incidence_in_a_large_sample() -> None:
    data = pb.simulate_competing(5000, 0.1, 1.0, followup=(30, 60), seed=8)
    grid = np.array([6.0, 12.0, 24.0])
    truth = pb.true_cumulative_incidence(grid, 0.1, 0.1)
    np.testing.assert_allclose(pb.aalen_johansen(data["time"], data["cause"], grid), truth,
                               atol=0.02)  # about 3 standard errors at n = 5000
    assert (pb.one_minus_km(data["time"], data["cause"], grid) > truth + 0.1)[1:].all()


def test_true_cumulative_incidence_by_hand() -> None:
    assert pb.true_cumulative_incidence(10.0, 0.1, 0.0) == pytest.approx(1 - math.exp(-1))
    assert pb.true_cumulative_incidence(1e6, 0.1, 0.3) == pytest.approx(0.25, abs=1e-12)


def test_competing_simulation_uses_common_random_numbers() -> None:
    low = pb.simulate_competing(200, 0.1, 0.5, followup=(10, 40), seed=2)
    high = pb.simulate_competing(200, 0.1, 2.0, followup=(10, 40), seed=2)
    # a faster competing hazard can only make times earlier, never later
    assert (high["time"] <= low["time"] + 1e-12).all()
    pd.testing.assert_frame_equal(low, pb.simulate_competing(200, 0.1, 0.5, followup=(10, 40),
                                                             seed=2))


# --------------------------------------------------------------------------- dropout


def test_dropout_design_keeps_the_average_dropout_hazard() -> None:
    design = pb.DropoutDesign(dropout_hazard=0.04)
    for ratio in (0.125, 1.0, 8.0):
        good, poor = design.dropout_hazards(ratio)
        assert (good + poor) / 2 == pytest.approx(0.04, abs=1e-15)
        assert poor / good == pytest.approx(ratio, rel=1e-12)
    assert pb.true_survival(design, 12.0) == pytest.approx(
        0.5 * 2 ** (-12 / 36) + 0.5 * 2 ** (-12 / 12), abs=1e-12)


def test_informative_dropout_biases_km_and_stratification_repairs_it() -> None:
    design = pb.DropoutDesign(n=1000, dropout_hazard=0.04)
    truth = pb.true_survival(design, [36.0])[0]
    estimates = {}
    for ratio in (0.125, 1.0, 8.0):
        data = pb.simulate_dropout(design, ratio, seed=2016)
        km = survival_at(data["time"], data["event"], [36.0]).iloc[0]
        strat = pb.stratified_km(data["time"], data["event"], data["poor"], [36.0])[0]
        estimates[ratio] = (km, strat)
        assert strat == pytest.approx(truth, abs=0.04)  # about 2 SE at n = 1000
    assert estimates[8.0][0] > truth + 0.04  # the sicker leave: Kaplan-Meier too high
    assert estimates[0.125][0] < truth - 0.04  # the healthier leave: too low
    assert estimates[1.0][0] == pytest.approx(truth, abs=0.04)


def test_stratified_km_with_one_stratum_is_km() -> None:
    data = pb.simulate_dropout(pb.DropoutDesign(n=200), 1.0, seed=1)
    grid = [6.0, 12.0, 24.0]
    np.testing.assert_allclose(
        pb.stratified_km(data["time"], data["event"], np.zeros(200), grid),
        survival_at(data["time"], data["event"], grid).to_numpy(), atol=1e-15)


def test_dropout_simulation_is_seeded() -> None:
    design = pb.DropoutDesign(n=100)
    pd.testing.assert_frame_equal(pb.simulate_dropout(design, 4.0, seed=3),
                                  pb.simulate_dropout(design, 4.0, seed=3))
    # the latent event times do not depend on the dropout ratio (common random numbers)
    np.testing.assert_array_equal(pb.simulate_dropout(design, 4.0, seed=3)["latent"],
                                  pb.simulate_dropout(design, 0.25, seed=3)["latent"])

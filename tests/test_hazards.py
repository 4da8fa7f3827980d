"""Nelson-Aalen, hazard ratio against probability ratio, partial likelihood and PH remedies.

Tiny examples are computed by hand here; the SYNTHETIC cohort's and R's veteran numbers are
checked against lifelines and against R (tests/fixtures/r_teaching/, written by
scripts/r_reference_teaching.R). Tolerances: cumulative sums agree with lifelines and R to
1e-12 absolute (they are the same few additions); Cox fits to 1e-6 relative, the precision of
R's Newton-Raphson (relative log-likelihood change 1e-11) at which test_r_reference.py also
compares them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from lifelines import NelsonAalenFitter
from r_teaching_fixture import FIXTURE, r_value, reference

from lungmets.analyses import prognostic as pg
from lungmets.stats.stepwise import cox_derivatives, cox_newton
from lungmets.stats.survival_stats import km_table, survival_at
from lungmets.synthetic.reconstruct import load_cohort
from lungmets.teaching import hazards as hz

FIT_RTOL = 1e-6


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    patients = load_cohort().patients
    design = pg.cox_design(patients, ["lesions", "intrahepatic", "sorafenib"])
    return pd.concat([patients[["pfs_months", "pfs_event", "os_months", "os_event"]], design],
                     axis=1)


@pytest.fixture(scope="module")
def veteran() -> pd.DataFrame:
    vet = pd.read_csv(FIXTURE.parent / "r_survival" / "veteran.csv")
    return vet.assign(trt2=(vet["trt"] == 2).astype(int))


# --------------------------------------------------------------------------- Nelson-Aalen

# Events at 1, 2, 2 and 4, one censored at 3: at risk 5, 4 and 1 at the event times.
TIMES, EVENTS = [1, 2, 2, 3, 4], [1, 1, 1, 0, 1]


def test_nelson_aalen_of_a_tiny_example_by_hand() -> None:
    na = hz.nelson_aalen(TIMES, EVENTS)
    assert na["time"].tolist() == [1, 2, 4]
    np.testing.assert_allclose(na["cumhaz"], [1 / 5, 1 / 5 + 2 / 4, 1 / 5 + 2 / 4 + 1],
                               rtol=1e-15)
    np.testing.assert_allclose(na["se"] ** 2, np.cumsum([1 / 25, 2 / 16, 1]), rtol=1e-14)
    fh = hz.nelson_aalen(TIMES, EVENTS, ties="fleming-harrington")
    np.testing.assert_allclose(fh["cumhaz"], np.cumsum([1 / 5, 1 / 4 + 1 / 3, 1]), rtol=1e-15)
    np.testing.assert_allclose(fh["se"] ** 2, np.cumsum([1 / 25, 1 / 16 + 1 / 9, 1]),
                               rtol=1e-14)


@pytest.mark.parametrize("endpoint", ["os", "pfs"])
def test_nelson_aalen_equals_lifelines_both_ways_of_handling_ties(data, endpoint: str) -> None:
    t, e = data[f"{endpoint}_months"], data[f"{endpoint}_event"]
    assert (km_table(t, e)["events"] > 1).any()  # the cohort has tied events: a real check
    for ties, smoothing in (("nelson-aalen", False), ("fleming-harrington", True)):
        ours = hz.nelson_aalen(t, e, ties=ties)
        fitted = NelsonAalenFitter(nelson_aalen_smoothing=smoothing).fit(t, e)
        library = fitted.cumulative_hazard_.iloc[:, 0].loc[ours["time"]].to_numpy()
        np.testing.assert_allclose(ours["cumhaz"], library, rtol=0, atol=1e-12)
    smooth = NelsonAalenFitter().fit(t, e)
    variance = np.cumsum(smooth._variance_f(smooth.event_table["at_risk"],
                                            smooth.event_table["observed"]))
    fh = hz.nelson_aalen(t, e, ties="fleming-harrington")
    np.testing.assert_allclose(fh["se"] ** 2, variance.loc[fh["time"]], rtol=0, atol=1e-12)


@pytest.mark.parametrize("case", ["cohort_os", "cohort_pfs", "veteran"])
def test_nelson_aalen_and_its_se_equal_rs_survfit(data, veteran, case: str) -> None:
    if case == "veteran":
        t, e = veteran["time"], veteran["status"]
    else:
        ep = case.removeprefix("cohort_")
        t, e = data[f"{ep}_months"], data[f"{ep}_event"]
    ours = hz.nelson_aalen(t, e)
    r_cumhaz = reference(case, "nelson-aalen", quantity="cumhaz")
    r_se = reference(case, "nelson-aalen", quantity="std_chaz")
    np.testing.assert_allclose(r_cumhaz["term"].astype(float), ours["time"], rtol=1e-12)
    np.testing.assert_allclose(ours["cumhaz"], r_cumhaz["value"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours["se"], r_se["value"], rtol=0, atol=1e-12)


def test_nelson_aalen_at_steps_and_stops_at_the_last_follow_up() -> None:
    at = hz.nelson_aalen_at(TIMES, EVENTS, [0, 1, 1.5, 2, 3.9, 4, 4.5])
    expected = [0, 0.2, 0.2, 0.7, 0.7, 1.7, np.nan]
    np.testing.assert_allclose(at.to_numpy(), expected, rtol=1e-15)
    assert hz.event_rate(TIMES, EVENTS) == pytest.approx(4 / 12)


# --------------------------------------------------------------------------- HR vs probability


def test_the_probability_ratio_implied_by_an_hr() -> None:
    # HR 2 and half the reference group progressed: the other has 1 - 0.5^2 = 0.75.
    assert hz.ph_probability_ratio(2.0, 0.5) == pytest.approx(1.5)
    assert hz.ph_probability_ratio(3.0, 1e-9) == pytest.approx(3.0, rel=1e-8)
    assert hz.ph_probability_ratio(3.0, 1.0) == pytest.approx(1.0)
    assert hz.ph_probability_ratio(1.0, [0.1, 0.7]).tolist() == pytest.approx([1.0, 1.0])
    with pytest.raises(ValueError, match="HR > 0"):
        hz.ph_probability_ratio(2.0, 0.0)


def test_hazard_vs_probability_reads_both_curves(data) -> None:
    t, e = data["pfs_months"], data["pfs_event"]
    groups = np.where(data["lesions_gt3"] == 1, "more", "fewer")
    table = hz.hazard_vs_probability(t, e, groups, ("more", "fewer"), [6, 12])
    more = data["lesions_gt3"] == 1
    np.testing.assert_allclose(table["prob_first"], 1 - survival_at(t[more], e[more], [6, 12]),
                               rtol=1e-15)
    np.testing.assert_allclose(table["cumhaz_second"],
                               hz.nelson_aalen_at(t[~more], e[~more], [6, 12]), rtol=1e-15)
    np.testing.assert_allclose(table["prob_ratio"], table["prob_first"] / table["prob_second"])
    # the page's point: by 12 months the probability ratio is well below the HR
    beta, _, _, _ = cox_newton(t, e, data[["lesions_gt3"]], ties="efron")
    assert table.loc[12, "prob_ratio"] < 0.7 * math.exp(beta[0])


# --------------------------------------------------------------------------- partial likelihood


def test_partial_likelihood_terms_of_a_tiny_example_by_hand() -> None:
    # Scores exp(log 2 * x) = 2, 1, 2, 1. Death at 1: all at risk (total 6), the patient's
    # share 2/6; death at 2: risk set {2, 3, 4} (total 4), share 1/4; death at 4: alone.
    terms = hz.partial_likelihood_terms([1, 2, 3, 4], [1, 1, 0, 1], [1, 0, 1, 0], math.log(2),
                                        labels=["a", "b", "c", "d"])
    assert terms["patient"].tolist() == ["a", "b", "d"]
    assert terms["n_at_risk"].tolist() == [4, 3, 1]
    np.testing.assert_allclose(terms["share"], [1 / 3, 1 / 4, 1], rtol=1e-15)
    loglik, _, _ = cox_derivatives([1, 2, 3, 4], [1, 1, 0, 1], [[1], [0], [1], [0]],
                                   [math.log(2)])
    assert terms["log_share"].sum() == pytest.approx(loglik, rel=1e-14)


@pytest.mark.parametrize("beta", [-0.5, 0.0, 1.0])
def test_partial_likelihood_sums_to_breslows_log_likelihood(data, beta: float) -> None:
    t, e, x = data["os_months"], data["os_event"], data["sorafenib_no"]
    terms = hz.partial_likelihood_terms(t, e, x, beta)
    assert len(terms) == int(e.sum())
    loglik = cox_derivatives(t, e, x.to_frame(), [beta], ties="breslow")[0]
    assert terms["log_share"].sum() == pytest.approx(loglik, rel=1e-12)
    assert hz.profile_loglik(t, e, x, [beta])[0] == pytest.approx(loglik, rel=1e-15)


def test_the_likelihood_ratio_interval_drops_half_a_chi_square_quantile(data) -> None:
    t, e, x = data["os_months"], data["os_event"], data["sorafenib_no"]
    beta, lower, upper = hz.likelihood_ratio_interval(t, e, x)
    fitted, top, _, _ = cox_newton(t, e, x.to_frame())
    assert beta == pytest.approx(float(fitted[0]), rel=1e-12)
    assert lower < beta < upper
    for bound in (lower, upper):
        drop = 2 * (top - hz.profile_loglik(t, e, x, [bound])[0])
        assert drop == pytest.approx(3.841458820694124, rel=1e-9)  # chi-square(1) at 0.95


# --------------------------------------------------------------------------- coding and remedies


def test_cox_table_and_indicators(data) -> None:
    from lungmets.stats.cox import cox_fit

    table = hz.cox_table(cox_fit(data, "os_months", "os_event", ["sorafenib_no"]))
    row = table.loc["sorafenib_no"]
    assert row["z"] == pytest.approx(row["coef"] / row["se"], rel=1e-15)
    assert row["hr"] == pytest.approx(math.exp(row["coef"]), rel=1e-15)
    columns = hz.indicators(["a", "b", "c", "a"], "a", ["a", "b", "c"])
    assert columns.to_dict("list") == {"b": [0, 1, 0, 0], "c": [0, 0, 1, 0]}
    with pytest.raises(ValueError, match="unknown"):
        hz.indicators(["a", "z"], "a", ["a", "b"])


@pytest.mark.parametrize("case", ["cohort_os", "veteran"])
def test_stratified_cox_equals_r(data, veteran, case: str) -> None:
    if case == "veteran":
        frame = veteran.assign(cell=veteran["celltype"].astype("category").cat.codes)
        fit = hz.cox_fit_stratified(frame, "time", "status", ["trt2"], ["cell"])
        term = "trt2"
    else:
        fit = hz.cox_fit_stratified(data, "os_months", "os_event", ["sorafenib_no"],
                                    ["intrahepatic_active"])
        term = "sorafenib_no"
    assert fit.coef[term] == pytest.approx(r_value(case, "strata-efron", "coef", term),
                                           rel=FIT_RTOL)
    assert fit.se[term] == pytest.approx(r_value(case, "strata-efron", "se", term),
                                         rel=FIT_RTOL)


@pytest.mark.parametrize("case, time, event, covariate, cut", [
    ("cohort_os", "os_months", "os_event", "sorafenib_no", 24),
    ("cohort_pfs", "pfs_months", "pfs_event", "lesions_gt3", 6),
    ("veteran", "time", "status", "trt2", 90),
])
def test_a_coefficient_that_changes_at_a_cut_equals_r(data, veteran, case, time, event,
                                                      covariate, cut) -> None:
    frame = veteran if case == "veteran" else data
    fit = hz.piecewise_cox(frame[time], frame[event], frame[covariate], cut)
    method = f"piecewise-efron-cut{cut}"
    for term in ("x_early", "x_late"):
        assert fit.coef[term] == pytest.approx(r_value(case, method, "coef", term),
                                               rel=FIT_RTOL)
        assert fit.se[term] == pytest.approx(r_value(case, method, "se", term), rel=FIT_RTOL)
    assert fit.loglik == pytest.approx(r_value(case, method, "loglik"), rel=FIT_RTOL)


def test_split_at_cuts_follow_up_as_survsplit() -> None:
    split = hz.split_at([3, 8, 10], [1, 1, 0], [1, 0, 1], 5)
    assert split[["id", "start", "stop", "event", "x_early", "x_late"]].values.tolist() == [
        [0, 0, 3, 1, 1, 0], [1, 0, 5, 0, 0, 0], [1, 5, 8, 1, 0, 0], [2, 0, 5, 0, 1, 0],
        [2, 5, 10, 0, 0, 1]]


def test_log_minus_log_leaves_out_the_ends_of_the_curve() -> None:
    curve = hz.log_minus_log([1, 2, 3, 4], [1, 1, 1, 1])
    assert curve["time"].tolist() == [1, 2, 3]  # S = 0 at 4 has no log(-log S)
    np.testing.assert_allclose(curve["loglog"], np.log(-np.log([0.75, 0.5, 0.25])), rtol=1e-15)


# --------------------------------------------------------------------------- simulation


def test_simulated_arms_are_seeded_and_only_the_treated_arm_follows_the_hr() -> None:
    a = hz.simulate_arms(2.0, seed=1)
    b = hz.simulate_arms(0.5, seed=1)
    control = a["treated"] == 0
    pd.testing.assert_frame_equal(a[control], b[control])
    assert not a[~control].equals(b[~control])
    pd.testing.assert_frame_equal(hz.simulate_arms(2.0, 2.0, seed=1), a)
    pd.testing.assert_frame_equal(hz.simulate_arms(2.0, seed=1), a)  # deterministic


def _rate(time: np.ndarray, event: np.ndarray, start: float, stop: float) -> float:
    """Events per unit time within [start, stop): the exponential hazard's estimate there."""
    exposure = np.clip(time, start, stop) - start
    events = event.astype(bool) & (time >= start) & (time < stop)
    return events.sum() / exposure.sum()


def test_simulated_median_and_piecewise_hazards_are_what_was_asked() -> None:
    """20 000 patients per arm followed for ever: each rate is estimated to about 1-2%
    (relative SE 1/sqrt(events), at least 3 000 events in each arm and period), so 6%
    is 3 to 4 standard errors."""
    never = (1e6, 1e6 + 1)
    sim = hz.simulate_arms(0.3, 1.5, cut=6.0, seed=3, n_per_arm=20_000, follow_up=never)
    t, e = sim["os_months"].to_numpy(), sim["os_event"].to_numpy()
    control, treated = sim["treated"].to_numpy() == 0, sim["treated"].to_numpy() == 1
    assert e.all()
    assert np.median(t[control]) == pytest.approx(12.0, rel=0.03)
    rate = math.log(2) / 12.0
    for (start, stop), hr in (((0.0, 6.0), 0.3), ((6.0, np.inf), 1.5)):
        assert _rate(t[control], e[control], start, stop) == pytest.approx(rate, rel=0.06)
        assert _rate(t[treated], e[treated], start, stop) / _rate(
            t[control], e[control], start, stop) == pytest.approx(hr, rel=0.06)


def test_plots_draw_what_the_captions_describe(data) -> None:
    import matplotlib.pyplot as plt

    groups = np.where(data["lesions_gt3"] == 1, "more", "fewer")
    ax = hz.plot_probability_ratio(data["pfs_months"], data["pfs_event"], groups,
                                   ("more", "fewer"), 3.5)
    assert {a.get_gid() for a in ax.get_lines()} >= {"prob_ratio", "implied", "hr"}
    plt.close(ax.figure)
    arms = np.where(data["sorafenib_no"] == 1, "HT only", "HT + sorafenib")
    ax = hz.plot_log_minus_log(data["os_months"], data["os_event"], arms)
    assert {a.get_gid() for a in ax.get_lines()} == {"loglog:HT only", "loglog:HT + sorafenib"}
    plt.close(ax.figure)

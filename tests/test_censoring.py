"""Censoring shortcuts and replayed loss to follow-up (lungmets.teaching.censoring).

The four approaches are checked on a six-patient example worked out here by hand; the numpy
Kaplan-Meier copy against lungmets.stats.survival_stats on the SYNTHETIC cohort; the loss
mechanisms against the fractions they promise (exact for the informative one, within Monte
Carlo error for the other); the replay experiment against the property the page teaches:
Kaplan-Meier stays on the recorded curve when loss is unrelated to prognosis, and does not
when the patients who die sooner are lost sooner.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from lungmets.analyses.endpoints import endpoint_data
from lungmets.claims import claim
from lungmets.stats.survival_stats import km_median_spss, survival_at
from lungmets.synthetic.reconstruct import load_cohort
from lungmets.teaching.censoring import (
    APPROACHES,
    estimates,
    impose_loss,
    loss_experiment,
    loss_times,
    mean_curve,
    plot_follow_up,
    plot_loss,
)
from lungmets.teaching.life_table import hand_extract

TOL = 1e-12
LANDMARK = 24.0


@pytest.fixture(scope="module")
def os_data() -> pd.DataFrame:
    return endpoint_data(load_cohort().patients, "os")


def test_four_approaches_on_six_patients_by_hand() -> None:
    """Deaths at 1, 3, 5; censored at 2, 4, 6; landmark 4.5."""
    time, event = [1, 2, 3, 4, 5, 6], [1, 0, 1, 0, 1, 0]
    table = estimates(time, event, landmark=4.5)
    # Kaplan-Meier: 5/6, then x 3/4 at 3 (4 at risk): 5/8 at 4.5; x 1/2 at 5: 5/16 <= 0.5.
    assert table.loc["km"].tolist() == pytest.approx([6, 5, 5 / 8], abs=TOL)
    # Dropped: deaths 1, 3, 5 only; 1/3 of them past 4.5; median the second death.
    assert table.loc["drop"].tolist() == pytest.approx([3, 3, 1 / 3], abs=TOL)
    # As deaths: six deaths, two past 4.5; the third death (3) brings S to 1/2.
    assert table.loc["as_deaths"].tolist() == pytest.approx([6, 3, 2 / 6], abs=TOL)
    # Never dying: two deaths (1, 3) before 4.5 leave 4/6; the third (5) makes it one half.
    assert table.loc["as_alive"].tolist() == pytest.approx([6, 5, 4 / 6], abs=TOL)
    assert list(table.index) == list(APPROACHES)


def test_kaplan_meier_row_equals_the_package_on_the_synthetic_cohort(os_data) -> None:
    table = estimates(os_data["time"], os_data["event"], LANDMARK)
    assert table.loc["km", "median"] == km_median_spss(os_data["time"], os_data["event"]).median
    expected = survival_at(os_data["time"], os_data["event"], [LANDMARK]).iloc[0]
    assert table.loc["km", "survival"] == pytest.approx(expected, abs=TOL)
    drop, km, alive = (table.loc[a, "survival"] for a in ("drop", "km", "as_alive"))
    assert drop < table.loc["as_deaths", "survival"] <= km <= alive


def test_landmark_beyond_follow_up_raises() -> None:
    with pytest.raises(ValueError, match="beyond the last follow-up"):
        estimates([1, 2], [1, 0], landmark=3)


def test_informative_loss_strikes_each_patient_with_the_promised_chance() -> None:
    """P(E·T/c < T) = P(E < c) = 1 - exp(-c) = fraction, whatever T: exact in expectation."""
    draws = np.random.default_rng(1).standard_exponential((4000, 3))
    time = np.array([1.0, 10.0, 40.0])
    lost = loss_times(time, 0.3, "informative", draws) < time
    np.testing.assert_allclose(lost.mean(axis=0), 0.3, atol=0.025)  # 3.4 binomial SEs


def test_unrelated_loss_has_one_rate_and_the_promised_average_fraction() -> None:
    draws = np.random.default_rng(2).standard_exponential((4000, 3))
    time = np.array([1.0, 10.0, 40.0])
    when = loss_times(time, 0.3, "unrelated", draws)
    np.testing.assert_allclose(when / draws, (when / draws)[0, 0], rtol=1e-12)
    assert (when < time).mean() == pytest.approx(0.3, abs=0.015)  # 2 binomial SEs of 12000
    assert np.isinf(loss_times(time, 0.0, "unrelated", draws[:1])).all()
    with pytest.raises(ValueError, match=r"fraction=1\.0"):
        loss_times(time, 1.0, "unrelated", draws[:1])
    with pytest.raises(ValueError, match="mechanism='sometimes'"):
        loss_times(time, 0.2, "sometimes", draws[:1])  # type: ignore[arg-type]


def test_loss_only_shortens_and_censors(os_data) -> None:
    draws = np.random.default_rng(3).standard_exponential(len(os_data))
    t, e = impose_loss(os_data["time"], os_data["event"], 0.4, "informative", draws)
    assert (t <= os_data["time"]).all()
    shortened = t < os_data["time"]
    assert shortened.any() and (e[shortened] == 0).all()
    np.testing.assert_array_equal(e[~shortened], os_data["event"][~shortened])


def test_kaplan_meier_survives_unrelated_loss_but_not_informative_loss(os_data) -> None:
    """The page's lesson, on the synthetic cohort: 200 replays, 30% lost.

    Tolerances: the replay average of S(24) has a Monte Carlo SE near 0.003 here, so 0.015
    bounds "unbiased" and a bias of at least 0.02 is required of the informative replay.
    """
    args = (os_data["time"], os_data["event"], 0.3)
    unrelated = loss_experiment(*args, "unrelated", landmark=LANDMARK)
    informative = loss_experiment(*args, "informative", landmark=LANDMARK)
    recorded = unrelated.loc["km", "recorded_survival"]
    assert abs(unrelated.loc["km", "survival"] - recorded) < 0.015
    assert informative.loc["km", "survival"] - recorded > 0.02
    for approach in ("drop", "as_deaths"):
        assert unrelated.loc[approach, "survival"] < recorded - 0.1
    assert unrelated.loc["as_alive", "survival"] > recorded + 0.05
    again = loss_experiment(*args, "unrelated", landmark=LANDMARK)
    pd.testing.assert_frame_equal(unrelated, again)  # seeded


def test_mean_curve_without_loss_is_the_recorded_curve(os_data) -> None:
    grid = np.array([0.0, 6.0, 12.0, 24.0, 44.0])
    curve = mean_curve(os_data["time"], os_data["event"], 0.0, "unrelated", grid, n_rep=3)
    expected = survival_at(os_data["time"], os_data["event"], grid).to_numpy()
    np.testing.assert_allclose(curve, expected, rtol=0, atol=TOL)


def test_figures_show_what_their_captions_say(os_data) -> None:
    ax = plot_loss(os_data["time"], os_data["event"], 0.3, "informative", landmark=LANDMARK,
                   n_rep=20)
    assert {"recorded", "replay", "lost", "mean"} <= {a.get_gid() for a in ax.get_children()}
    assert "synthetic patients" in ax.get_title(loc="left")
    extract = hand_extract(load_cohort().patients)
    closing = pd.Timestamp(claim("met_last_followup_date").date)
    left = plot_follow_up(extract, closing)
    assert [t.get_text() for t in left.get_yticklabels()] == extract["patient"].tolist()
    censored_ends = extract.loc[extract["died"] == 0, "end"]
    assert (censored_ends == closing).all()  # administrative censoring, by construction

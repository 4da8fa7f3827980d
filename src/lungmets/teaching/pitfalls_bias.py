"""Pitfall lab, biases: immortal time, competing risks and informative censoring.

Pages: ``book/pitfall-immortal-time.md``, ``book/pitfall-competing-risks.md`` and
``book/pitfall-informative-censoring.md``. Each bias is shown against a known truth, so every
simulation here is seeded and built with common random numbers: a page's slider moves one
parameter and nothing else, and a rerun gives the same numbers to the last digit.

Why simulations at all: the synthetic cohort records each patient's best response but not
*when* it was first seen, it has only a handful of deaths without progression, and its
censoring is mostly administrative. The lessons need a response time, a competing hazard and a
dropout mechanism whose true effect is known, so the functions below draw them, anchored where
possible on the cohort's own survival times and on the paper's printed schedule.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from lifelines import AalenJohansenFitter
from numpy.typing import ArrayLike, NDArray

from lungmets.analyses.endpoints import deaths_without_progression, endpoint_data
from lungmets.claims import claim
from lungmets.stats.fast_stats import counts, logrank_pairs
from lungmets.stats.survival_stats import survival_at

__all__ = [
    "COMPETING",
    "COURSE_MONTHS",
    "PROGRESSION",
    "DropoutDesign",
    "ResponseSimulation",
    "aalen_johansen",
    "competing_causes",
    "group_logrank",
    "landmark_data",
    "one_minus_km",
    "response_scan_months",
    "simulate_competing",
    "simulate_dropout",
    "simulate_response",
    "stratified_km",
    "true_cumulative_incidence",
    "true_survival",
]

COURSE_MONTHS = 0.5
"""Assumed length of the radiotherapy course: 5 or 10 fractions on weekdays take one or two
weeks, so the first response scan ("1 month after the completion of HT") falls about 1.5
months after the start of radiotherapy. An assumption of this book, not a printed number."""

PROGRESSION, COMPETING = 1, 2
"""Cause codes of the competing-risks data (0 = censored), as lifelines expects them."""


# --------------------------------------------------------------------------- immortal time


def response_scan_months(n_scans: int = 4) -> NDArray[np.float64]:
    """Months from the start of radiotherapy of the scans at which a response can be seen.

    From the paper's schedule: a CT scan 1 month after the end of the course, then every 3
    months (both read from the claims catalogue), after a course of :data:`COURSE_MONTHS`.
    """
    if n_scans < 1:
        raise ValueError(f"n_scans={n_scans!r}: need at least one scan")
    first = COURSE_MONTHS + claim("met_ct_post_months").number
    return first + claim("met_followup_interval_months").number * np.arange(n_scans)


@dataclass(frozen=True)
class ResponseSimulation:
    """Replicates of a response drawn independently of survival (so its true effect is nil).

    ``time``/``event`` are shared by every replicate; ``would_respond`` and ``response_time``
    are (replicates, patients) arrays. A patient is *seen* to respond only if alive and in
    follow-up at the scan that would show it: the guarantee time behind immortal-time bias.
    """

    time: NDArray[np.float64]
    event: NDArray[np.float64]
    would_respond: NDArray[np.bool_]
    response_time: NDArray[np.float64]

    @property
    def responded(self) -> NDArray[np.bool_]:
        """Responders as a naive analysis counts them: response seen at any time."""
        return self.would_respond & (self.response_time <= self.time[None, :])

    def responded_by(self, landmark: float) -> NDArray[np.bool_]:
        """Responders whose response was seen by ``landmark`` months (and who were alive then)."""
        return self.responded & (self.response_time <= landmark)


def simulate_response(
    time: ArrayLike,
    event: ArrayLike,
    response_rate: float,
    *,
    n_rep: int,
    seed: int,
    n_scans: int = 4,
) -> ResponseSimulation:
    """Draw, per replicate and patient, whether and at which scan a response would be seen.

    Survival stays as given (the cohort's); ``would_respond`` is Bernoulli(``response_rate``)
    and the scan is uniform over the first ``n_scans`` of :func:`response_scan_months`, both
    independent of survival. Any survival difference between the groups is therefore bias.
    """
    if not 0 < response_rate < 1:
        raise ValueError(f"response_rate={response_rate!r} must lie strictly between 0 and 1")
    t = np.asarray(time, dtype=float).ravel()
    rng = np.random.default_rng(seed)
    would = rng.random((n_rep, t.size)) < response_rate
    scans = response_scan_months(n_scans)[rng.integers(0, n_scans, size=(n_rep, t.size))]
    return ResponseSimulation(t, np.asarray(event, dtype=float).ravel(), would, scans)


def landmark_data(
    time: ArrayLike, event: ArrayLike, responded_by: ArrayLike, landmark: float
) -> pd.DataFrame:
    """A landmark analysis' data: patients still in follow-up at ``landmark``, timed from it.

    Patients who died or were censored at or before the landmark are excluded (they cannot be
    classified by a response they did not live to show); the others keep the group they had at
    the landmark, even if they respond later. Returns time since the landmark, event, group.
    """
    t = np.asarray(time, dtype=float).ravel()
    keep = t > landmark
    return pd.DataFrame({
        "time": t[keep] - landmark,
        "event": np.asarray(event, dtype=float).ravel()[keep],
        "responder": np.asarray(responded_by, dtype=bool).ravel()[keep],
    })


def group_logrank(
    time: ArrayLike, event: ArrayLike, groups: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Hazard ratio (group 1 vs 0) and log-rank p for each row of ``groups``, all at once.

    The ratio is the log-rank (Peto) one-step estimate exp((O - E) / V), close to the Cox
    estimate when the ratio is near 1, and what lets hundreds of replicates share one pass
    over the (common) survival times. The p-value is
    :func:`lungmets.stats.fast_stats.logrank_pairs`.
    """
    t = np.asarray(time, dtype=float).ravel()
    e = np.asarray(event, dtype=float).ravel()
    g = np.atleast_2d(np.asarray(groups, dtype=float))
    n1, d1, _ = counts(t, e, g)
    n, d, _ = counts(t, e, np.ones((1, t.size)))
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(n > 0, n1 / np.maximum(n, 1), 0.0)
        variance = np.where(n > 1, d * frac * (1 - frac) * (n - d) / np.maximum(n - 1, 1), 0.0)
        log_hr = (d1 - d * frac).sum(axis=1) / variance.sum(axis=1)
    return np.exp(log_hr), logrank_pairs(n1, d1, n, d)


# --------------------------------------------------------------------------- competing risks


def competing_causes(patients: pd.DataFrame) -> pd.DataFrame:
    """Progression with death as a competing event, from the cohort's columns.

    Time is from the start of radiotherapy to progression, death or last follow-up (the usual
    PFS time, :func:`lungmets.analyses.endpoints.endpoint_data` with ``death_rule="event"``);
    cause is 1 for progression, 2 for death without progression, 0 for censored.
    """
    data = endpoint_data(patients, "pfs", death_rule="event")
    died = deaths_without_progression(patients).to_numpy()
    cause = np.where(died, COMPETING, np.where(patients["pfs_event"].to_numpy() == 1,
                                               PROGRESSION, 0))
    return pd.DataFrame({"time": data["time"].to_numpy(), "cause": cause}, index=patients.index)


def one_minus_km(time: ArrayLike, cause: ArrayLike, times: ArrayLike,
                 cause_of_interest: int = PROGRESSION) -> NDArray[np.float64]:
    """1 - Kaplan-Meier for one cause, every other event treated as censored.

    This is what a PFS curve that censors deaths without progression shows, turned upside down:
    the risk of progression in a world where nobody could die first.
    """
    event = (np.asarray(cause) == cause_of_interest).astype(float)
    return 1.0 - survival_at(time, event, times).to_numpy()


def aalen_johansen(time: ArrayLike, cause: ArrayLike, times: ArrayLike,
                   cause_of_interest: int = PROGRESSION, seed: int = 0) -> NDArray[np.float64]:
    """Aalen-Johansen cumulative incidence of one cause at ``times`` (lifelines).

    lifelines jitters event times that tie across causes (the cohort's times are rounded to a
    tenth of a month); ``seed`` makes that jitter, and so the result, reproducible, and the
    warning it raises is expected, so it is silenced here.
    """
    fitter = AalenJohansenFitter(seed=seed, calculate_variance=False)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Tied event times")
        fitter.fit(np.asarray(time, dtype=float), np.asarray(cause, dtype=int),
                   event_of_interest=cause_of_interest)
    curve = fitter.cumulative_density_.iloc[:, 0]
    q = np.asarray(times, dtype=float).ravel()
    index = np.searchsorted(curve.index.to_numpy(), q, side="right") - 1
    return np.where(index >= 0, curve.to_numpy()[np.maximum(index, 0)], 0.0)


def true_cumulative_incidence(times: ArrayLike, hazard: float,
                              competing_hazard: float) -> NDArray[np.float64]:
    """Exact cumulative incidence of the cause with constant ``hazard`` beside a competitor.

    F(t) = h / (h + c) * (1 - exp(-(h + c) t)); with c = 0 it is 1 - exp(-h t).
    """
    t = np.asarray(times, dtype=float)
    total = hazard + competing_hazard
    return hazard / total * (1.0 - np.exp(-total * t))


def simulate_competing(
    n: int,
    hazard: float,
    competing_ratio: float,
    *,
    followup: tuple[float, float],
    seed: int,
) -> pd.DataFrame:
    """Exponential progression and competing death, administrative censoring; seeded.

    The competing hazard is ``competing_ratio`` times ``hazard``. The same uniforms are used
    for every ratio (common random numbers), so moving the ratio changes only who dies first.
    Follow-up is uniform between the two bounds (months), as staggered entry gives.
    """
    if competing_ratio < 0:
        raise ValueError(f"competing_ratio={competing_ratio!r} must be >= 0")
    rng = np.random.default_rng(seed)
    u_event, u_death = rng.random(n), rng.random(n)
    censor = rng.uniform(*followup, size=n)
    progression = -np.log(u_event) / hazard
    with np.errstate(divide="ignore"):
        death = -np.log(u_death) / (competing_ratio * hazard)
    time = np.minimum.reduce([progression, death, censor])
    cause = np.select([time == progression, time == death], [PROGRESSION, COMPETING], 0)
    return pd.DataFrame({"time": time, "cause": cause})


# --------------------------------------------------------------------------- dropout


@dataclass(frozen=True)
class DropoutDesign:
    """A cohort of two prognostic groups whose dropout may depend on the group.

    Half the patients have a poor prognosis. ``dropout_hazard`` is the mean of the two groups'
    dropout hazards per month; the poor group's is ``ratio`` times the good group's, so the
    ratio moves dropout between the groups without changing its average.
    """

    n: int = 300
    good_median: float = 36.0
    poor_median: float = 12.0
    dropout_hazard: float = 0.03
    study_months: float = 48.0

    def hazards(self) -> tuple[float, float]:
        """Event hazards per month (good, poor) from the medians of exponential survival."""
        return np.log(2) / self.good_median, np.log(2) / self.poor_median

    def dropout_hazards(self, ratio: float) -> tuple[float, float]:
        """Dropout hazards per month (good, poor) for a poor-to-good dropout ratio."""
        if ratio <= 0:
            raise ValueError(f"ratio={ratio!r} must be > 0")
        good = 2 * self.dropout_hazard / (1 + ratio)
        return good, ratio * good


def simulate_dropout(design: DropoutDesign, ratio: float, seed: int) -> pd.DataFrame:
    """Event times, dropout times and the administrative end of study; seeded.

    Common random numbers: the same uniforms give every patient's event and dropout time for
    every ``ratio``, so the slider changes only how fast each group drops out. ``ratio = 1``
    is non-informative dropout. Returns time, event, poor (1 = poor prognosis) and the latent
    event time, which no real study sees.
    """
    rng = np.random.default_rng(seed)
    poor = rng.random(design.n) < 0.5
    u_event, u_drop = rng.random(design.n), rng.random(design.n)
    hazard = np.where(poor, design.hazards()[1], design.hazards()[0])
    drop_hazard = np.where(poor, design.dropout_hazards(ratio)[1],
                           design.dropout_hazards(ratio)[0])
    latent = -np.log(u_event) / hazard
    end = np.minimum(-np.log(u_drop) / drop_hazard, design.study_months)
    return pd.DataFrame({"time": np.minimum(latent, end), "event": (latent <= end).astype(int),
                         "poor": poor.astype(int), "latent": latent})


def true_survival(design: DropoutDesign, times: ArrayLike) -> NDArray[np.float64]:
    """The known truth: S(t) = (exp(-h_good t) + exp(-h_poor t)) / 2."""
    t = np.asarray(times, dtype=float)
    good, poor = design.hazards()
    return 0.5 * np.exp(-good * t) + 0.5 * np.exp(-poor * t)


def stratified_km(time: ArrayLike, event: ArrayLike, strata: ArrayLike,
                  times: ArrayLike) -> NDArray[np.float64]:
    """Kaplan-Meier within each stratum, averaged with the strata's shares as weights.

    Valid when dropout is non-informative *within* strata: if the factor that drives dropout
    is recorded, this repairs the bias a pooled Kaplan-Meier curve suffers.
    """
    t, e, s = (np.asarray(a).ravel() for a in (time, event, strata))
    total = np.zeros(np.size(times))
    for level in np.unique(s):
        mask = s == level
        total += mask.mean() * survival_at(t[mask], e[mask], times).to_numpy()
    return total

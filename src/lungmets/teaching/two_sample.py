"""Comparing two survival curves: the log-rank test by hand, its weighted relatives, and RMST.

Page: book/comparing-curves.md. Why this module exists: the book's chapters call
:func:`lungmets.stats.survival_stats.logrank_fast`, which returns one chi-square. A learner needs
the arithmetic behind it, one event time at a time: who was at risk in each arm, how many events
the arm "should" have had if both arms shared one hazard, and how uncertain that expectation
is. :func:`logrank_table` lays that out as a table; :func:`weighted_logrank` sums it, with any
weights, into the statistic the libraries print. The rest of the module gives the two summaries
the page sets beside the test: the restricted mean survival time (RMST) and the medians with
their confidence intervals, and why overlapping intervals are not a test.

Conventions are those of :mod:`lungmets.stats.survival_stats`: an event at t counts at t, a patient
censored at t is still at risk at t, tied events get the hypergeometric variance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.special import chdtrc, ndtr

from lungmets.stats.survival_stats import (
    SPSS_Z,
    WALD_Z,
    LogrankResult,
    km_median_spss,
    km_table,
    logrank_fast,
    survival_arrays,
)

__all__ = [
    "WEIGHTINGS",
    "MedianComparison",
    "RmstComparison",
    "RmstResult",
    "Weighting",
    "compare_medians",
    "compare_rmst",
    "compare_weightings",
    "lifelines_weighted_logrank",
    "logrank_table",
    "logrank_weights",
    "restricted_time_variance",
    "rmst",
    "touching_intervals_p",
    "weighted_logrank",
]

Weighting = Literal["logrank", "wilcoxon", "tarone-ware", "peto", "fleming-harrington"]

WEIGHTINGS: dict[str, str] = {
    "logrank": "1 at every event time",
    "wilcoxon": "the number at risk",
    "tarone-ware": "the square root of the number at risk",
    "peto": "Peto's survival estimate (pooled arms)",
    "fleming-harrington": "Ŝ(t-)^p (1 - Ŝ(t-))^q, from the pooled Kaplan-Meier",
}
"""What each weighting (lifelines' ``weightings=`` names) gives an event time, in words."""


def _two_groups(groups: ArrayLike, n: int, focus: object) -> NDArray[np.bool_]:
    """Membership of the ``focus`` group; exactly two groups, ``focus`` one of them."""
    g = np.asarray(groups, dtype=object).ravel()
    if g.size != n:
        raise ValueError(f"groups has {g.size} values but durations has {n}")
    labels = list(pd.unique(g))
    if len(labels) != 2:
        raise ValueError(f"need exactly two groups, got {len(labels)}: {labels}")
    if focus not in labels:
        raise ValueError(f"focus={focus!r} is not one of the groups {labels}")
    return g == focus


def _at_risk(t: NDArray[np.float64], times: NDArray[np.float64]) -> NDArray[np.float64]:
    """How many of ``t`` are still under observation (t_i >= time) at each of ``times``."""
    return (t.size - np.searchsorted(np.sort(t), times, side="left")).astype(float)


def _events_at(t: NDArray[np.float64], e: NDArray[np.float64],
               times: NDArray[np.float64]) -> NDArray[np.float64]:
    """Events at each of ``times`` (which must contain every event time of ``t``)."""
    where = np.searchsorted(times, t[e > 0])
    return np.bincount(where, minlength=times.size).astype(float)


def logrank_table(
    durations: ArrayLike, events: ArrayLike, groups: ArrayLike, focus: object
) -> pd.DataFrame:
    """One row per distinct event time: the log-rank test's arithmetic, for the ``focus`` arm.

    Columns: time; n_focus, n_other, n (at risk); d_focus, d_other, d (events); expected
    (d · n_focus / n, the focus arm's share of the events if both arms had one hazard);
    o_minus_e; variance (hypergeometric: d (n - d) / (n - 1) · n_focus/n · (1 - n_focus/n),
    0 when one patient is left). Summing o_minus_e and variance gives the test.
    """
    t, e = survival_arrays(durations, events)
    in_focus = _two_groups(groups, t.size, focus)
    times = np.unique(t[e > 0])
    n_focus, n = _at_risk(t[in_focus], times), _at_risk(t, times)
    d_focus, d = _events_at(t[in_focus], e[in_focus], times), _events_at(t, e, times)
    share = n_focus / n
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.where(n > 1, d * (n - d) / (n - 1), 0.0)
    return pd.DataFrame({
        "time": times, "n_focus": n_focus, "n_other": n - n_focus, "n": n,
        "d_focus": d_focus, "d_other": d - d_focus, "d": d,
        "expected": d * share, "o_minus_e": d_focus - d * share,
        "variance": spread * share * (1 - share),
    })


def logrank_weights(
    table: pd.DataFrame, weighting: Weighting = "logrank", *, p: float = 0.0, q: float = 0.0
) -> NDArray[np.float64]:
    """The weight each event time of a :func:`logrank_table` gets, as lifelines defines it.

    Log-rank: 1. Wilcoxon (Gehan-Breslow): n, so early times, with many at risk, count most.
    Tarone-Ware: sqrt(n). Peto: Peto's survival estimate prod(1 - d/(n + 1)), up to and including
    the time. Fleming-Harrington: Ŝ(t-)^p (1 - Ŝ(t-))^q with the pooled Kaplan-Meier just
    before t; (0, 0) is the log-rank test, (1, 0) R's ``survdiff(rho = 1)``, q > 0 stresses late
    differences.
    """
    n, d = table["n"].to_numpy(float), table["d"].to_numpy(float)
    if weighting == "logrank":
        return np.ones(n.size)
    if weighting == "wilcoxon":
        return n
    if weighting == "tarone-ware":
        return np.sqrt(n)
    if weighting == "peto":
        return np.cumprod(1.0 - d / (n + 1.0))
    if weighting == "fleming-harrington":
        if p < 0 or q < 0:
            raise ValueError(f"Fleming-Harrington exponents must be >= 0, got p={p}, q={q}")
        before = np.concatenate(([1.0], np.cumprod(1.0 - d / n)[:-1]))
        return before**p * (1.0 - before) ** q
    raise ValueError(f"weighting={weighting!r}: expected one of {sorted(WEIGHTINGS)}")


def weighted_logrank(table: pd.DataFrame, weights: ArrayLike | None = None) -> LogrankResult:
    """(sum of w (O - E))^2 / sum of w^2 V over the event times: chi-square with 1 df.

    ``weights=None`` is the log-rank test: every event time counts the same.
    """
    w = np.ones(len(table)) if weights is None else np.asarray(weights, dtype=float).ravel()
    if w.size != len(table):
        raise ValueError(f"{w.size} weights for {len(table)} event times")
    numerator = float((w * table["o_minus_e"]).sum())
    variance = float((w**2 * table["variance"]).sum())
    if variance <= 0:
        raise ValueError("the variance is 0: no event time has patients at risk in both arms")
    statistic = numerator**2 / variance
    return LogrankResult(statistic, float(chdtrc(1, statistic)), 1)


def lifelines_weighted_logrank(
    durations: ArrayLike, events: ArrayLike, groups: ArrayLike, focus: object,
    weighting: Weighting = "logrank", *, p: float = 0.0, q: float = 0.0,
) -> LogrankResult:
    """The same test through lifelines' ``logrank_test(..., weightings=...)``, as a check."""
    from lifelines.statistics import logrank_test

    t, e = survival_arrays(durations, events)
    a = _two_groups(groups, t.size, focus)
    extra = {"p": p, "q": q} if weighting == "fleming-harrington" else {}
    result = logrank_test(t[a], t[~a], event_observed_A=e[a], event_observed_B=e[~a],
                          weightings=None if weighting == "logrank" else weighting, **extra)
    return LogrankResult(float(result.test_statistic), float(result.p_value), 1)


def compare_weightings(
    durations: ArrayLike, events: ArrayLike, groups: ArrayLike, focus: object,
    schemes: Sequence[tuple[str, Weighting, float, float]],
) -> pd.DataFrame:
    """One row per (name, weighting, p, q): the hand chi-square and p beside lifelines'.

    Why: the page shows that one table of O, E and V gives every member of the family, and
    that each agrees with the library.
    """
    table = logrank_table(durations, events, groups, focus)
    rows = []
    for name, weighting, p, q in schemes:
        hand = weighted_logrank(table, logrank_weights(table, weighting, p=p, q=q))
        library = lifelines_weighted_logrank(durations, events, groups, focus, weighting,
                                             p=p, q=q)
        rows.append({"test": name, "weighting": weighting, "p_exponent": p, "q_exponent": q,
                     "chisq": hand.statistic, "p": hand.p_value,
                     "chisq_lifelines": library.statistic})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- RMST


@dataclass(frozen=True)
class RmstResult:
    """Restricted mean survival time up to ``horizon``, its standard error and 95% CI."""

    horizon: float
    rmst: float
    se: float
    ci_lower: float
    ci_upper: float


def _check_horizon(t: NDArray[np.float64], e: NDArray[np.float64], horizon: float) -> None:
    """Beyond the last follow-up the curve is unknown, unless its last time was an event
    that took it to 0."""
    ends_at_zero = km_table(t, e)["survival"].iloc[-1] == 0.0 if e.any() else False
    if not (0 < horizon <= t.max() or (horizon > 0 and ends_at_zero)):
        raise ValueError(
            f"horizon={horizon!r}: must be > 0 and at most the longest follow-up ({t.max():g});"
            " beyond it the Kaplan-Meier curve, and so its area, is not estimable"
        )


def rmst(durations: ArrayLike, events: ArrayLike, horizon: float) -> RmstResult:
    """Area under the Kaplan-Meier curve from 0 to ``horizon``, with its standard error.

    The area is lifelines' ``restricted_mean_survival_time``. Its ``return_variance`` is the
    variance of min(T, horizon) among patients, not the uncertainty of the estimate, so the
    SE here is the usual delta-method one (Klein & Moeschberger 2003, section 4.5; what R's
    ``print(survfit(...), rmean = horizon)`` reports): sum over event times t_j <= horizon of
    A_j^2 d_j / (n_j (n_j - d_j)), with A_j the area under the curve from t_j to the horizon.
    """
    from lifelines import KaplanMeierFitter
    from lifelines.utils import restricted_mean_survival_time

    t, e = survival_arrays(durations, events)
    _check_horizon(t, e, horizon)
    area = float(restricted_mean_survival_time(KaplanMeierFitter().fit(t, e), t=horizon))
    km = km_table(t, e)
    km = km[km["time"] <= horizon]
    times, surv = km["time"].to_numpy(), km["survival"].to_numpy()
    widths = np.diff(np.append(times, horizon))
    after = np.cumsum((surv * widths)[::-1])[::-1]  # area from each event time to the horizon
    n, d = km["at_risk"].to_numpy(), km["events"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(after > 0, after**2 * d / (n * (n - d)), 0.0)
    se = float(np.sqrt(terms.sum()))
    return RmstResult(horizon, area, se, area - WALD_Z * se, area + WALD_Z * se)


def restricted_time_variance(durations: ArrayLike, events: ArrayLike, horizon: float) -> float:
    """Variance of min(T, horizon) among patients: what lifelines' ``return_variance`` gives.

    E[min(T, h)^2] = integral of 2 t S(t) from 0 to h, exact on the Kaplan-Meier steps (lifelines
    integrates numerically). It describes how spread out patients' restricted times are; it
    is not the squared standard error of the RMST, which :func:`rmst` gives.
    """
    t, e = survival_arrays(durations, events)
    _check_horizon(t, e, horizon)
    km = km_table(t, e)
    km = km[km["time"] <= horizon]
    edges = np.concatenate(([0.0], km["time"].to_numpy(), [horizon]))
    levels = np.concatenate(([1.0], km["survival"].to_numpy()))
    mean = float(np.sum(levels * np.diff(edges)))
    second = float(np.sum(levels * np.diff(edges**2)))
    return second - mean**2


@dataclass(frozen=True)
class RmstComparison:
    """RMST per group and the difference first minus second, with a Wald CI and p.

    ``p`` is nan when neither group has an event before the horizon (the SE is then 0).
    """

    by_group: pd.DataFrame
    first: object
    second: object
    difference: float
    se: float
    ci_lower: float
    ci_upper: float
    p: float


def compare_rmst(
    durations: ArrayLike, events: ArrayLike, groups: ArrayLike, horizon: float,
    order: tuple[object, object],
) -> RmstComparison:
    """RMST of two groups up to one horizon and their difference (independent arms).

    The horizon must lie within both arms' follow-up, which is why it is fixed before looking:
    the difference answers "how many of the first ``horizon`` months did one arm gain?".
    """
    t, e = survival_arrays(durations, events)
    first, second = order
    _two_groups(groups, t.size, first)
    g = np.asarray(groups, dtype=object).ravel()
    results = {label: rmst(t[g == label], e[g == label], horizon) for label in order}
    by_group = pd.DataFrame({label: vars(r) for label, r in results.items()}).T
    difference = results[first].rmst - results[second].rmst
    se = float(np.hypot(results[first].se, results[second].se))
    # No event before the horizon in either arm: no uncertainty, and no test (nan).
    p = float(2 * ndtr(-abs(difference) / se)) if se > 0 else np.nan
    return RmstComparison(by_group.rename_axis("group"), first, second, difference, se,
                          difference - WALD_Z * se, difference + WALD_Z * se, p)


# --------------------------------------------------------------------------- medians


@dataclass(frozen=True)
class MedianComparison:
    """Two medians with SPSS's SEs and CIs, whether the CIs overlap, and two real tests.

    ``wald_p`` tests the difference of the medians with both SEs; ``logrank_p`` compares the
    whole curves. Neither is the overlap of the intervals.
    """

    medians: pd.DataFrame
    intervals_overlap: bool
    difference: float
    wald_p: float
    logrank_p: float


def compare_medians(
    durations: ArrayLike, events: ArrayLike, groups: ArrayLike, order: tuple[object, object]
) -> MedianComparison:
    """SPSS medians of two groups (the paper's software), their overlap, and the tests."""
    t, e = survival_arrays(durations, events)
    _two_groups(groups, t.size, order[0])
    g = np.asarray(groups, dtype=object).ravel()
    summaries = {label: km_median_spss(t[g == label], e[g == label]) for label in order}
    medians = pd.DataFrame({label: vars(s) for label, s in summaries.items()}).T
    a, b = (summaries[label] for label in order)
    overlap = bool(a.ci_lower <= b.ci_upper and b.ci_lower <= a.ci_upper)
    difference = a.median - b.median
    wald_p = float(2 * ndtr(-abs(difference) / np.hypot(a.se, b.se)))
    logrank_p = logrank_fast(t, groups=g.astype(str), events=e).p_value
    return MedianComparison(medians.rename_axis("group"), overlap, difference, wald_p,
                            logrank_p)


def touching_intervals_p(se_a: float, se_b: float, z: float = SPSS_Z) -> float:
    """The two-sided p of a difference whose two 95% intervals (estimate ± z·SE) just touch.

    They touch when the difference is z (se_a + se_b); the test of the difference divides by
    sqrt(se_a^2 + se_b^2), which is smaller, so at that point p is already far below 0.05
    (0.0056 for equal SEs). "The intervals overlap" is a much stricter criterion than p < 0.05.
    """
    if se_a <= 0 or se_b <= 0:
        raise ValueError(f"standard errors must be > 0, got {se_a} and {se_b}")
    return float(2 * ndtr(-z * (se_a + se_b) / np.hypot(se_a, se_b)))

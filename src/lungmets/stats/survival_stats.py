"""Kaplan-Meier and log-rank summaries with SPSS 16 semantics, cross-checked against libraries.

Why this module exists: Sun et al. (2016) ran every analysis in SPSS 16 and print medians as
"median ± SE" with 95% CI = median ± 1.96·SE. No Python library reports that SE, so it is
implemented here in plain numpy, next to the library numbers (lifelines, statsmodels) the chapters
show beside it. The numpy paths are also the fast ones the cohort reconstruction calls thousands
of times (a Kaplan-Meier median or a log-rank test on 45 rows takes tens of microseconds here,
against milliseconds through lifelines).

Conventions (all functions):

* ``durations`` are non-negative finite numbers; ``events`` are 1 (event) / 0 (censored), or bools.
* The Kaplan-Meier estimate is right-continuous: Ŝ(t) = ∏_{t_j ≤ t} (1 - d_j / n_j), so an
  event at t counts in Ŝ(t). A censored time tied with an event time is at risk at that time
  (the usual convention; SPSS, lifelines, statsmodels and R agree).
* Comparisons of Ŝ with a threshold (0.5, 0.55, 0.45) use an absolute tolerance of 1e-10, so that a
  product that is mathematically equal to the threshold (e.g. 5/10) but rounds to 0.5000000000000001
  counts as equal.

SPSS median and its standard error (``km_median_spss``). Source of the method: the "KM
Algorithms" chapter of the IBM SPSS Statistics Algorithms manual, which follows Collett
(Modelling Survival Data in Medical Research, 2nd ed. 2003, section 2.4) and Klein & Moeschberger
(Survival Analysis, 2nd ed. 2003, Practical Note 4.3): the variance of a percentile is the
Greenwood variance of S at the percentile divided by the square of a uniform-kernel density
estimate taken between the 55th and 45th percentile survival levels (for the median). The
manual itself was not reachable from here; a public stats Q&A answer quoting it ("for the median
CI, SPSS uses values based on the estimated 55th and 45th percentiles") was. The exact
inequalities below are Collett's, and they are confirmed numerically by real SPSS 31 output
(public repository StatEdu/StatEdu_Studio, sample/spss31_survival_results.csv; reproduced to
1e-8 in tests/test_survival_stats.py):

* median t = min{ t_j : S(t_j) <= 0.5 } over event times t_j (nan if S never reaches 0.5);
* u = max{ t_j : S(t_j) >= 0.55 }  (time 0 with S = 1 if no event time qualifies: an assumption);
* l = min{ t_j : S(t_j) <= 0.45 }  (SE undefined, nan, if S never reaches 0.45);
* f = (S(u) - S(l)) / (l - u);
* SE(t) = SE_Greenwood(S(t)) / f,
  with SE_Greenwood(S(t)) = S(t) sqrt(sum_{t_j <= t} d_j / (n_j (n_j - d_j)));
* 95% CI = t +/- 1.96 SE(t), not clipped at 0.

The "<=" at exactly 0.5 is SPSS's documented rule: IBM's technote 21476688 ("Mean vs Median
Survival Time in Kaplan-Meier estimate", quoting the Statistical Algorithms manual) defines the
median as MIN(t_i such that S_hat(t_i) <= .5). Not confirmed against SPSS: the time-0 fallback
for u, and whether SPSS clips a negative lower bound.

Three conventions for one median (``km_median_spss``, ``km_median_lifelines``, ``km_median_r``):
they agree except in two cases, both common with a few dozen patients. When Ŝ lands exactly on
0.5 (11 of 22 patients left) SPSS and lifelines report the first time of that flat stretch and R
its midpoint. When the curve ends with a death (Ŝ = 0) R's band is undefined there, lifelines
reads it as 0. The chapters print SPSS's median (the paper's software) and show R's beside it
where they differ; lifelines' CI uses the log-log ("exponential Greenwood") band, R's survfit the
log band unless ``conf.type="log-log"`` is asked for.

Log-rank ties: all log-rank functions use the hypergeometric variance
d·(n - d)/(n - 1)·(n_g/n)·(1 - n_g/n) at tied event times (Mantel-Haenszel), as SPSS, lifelines,
statsmodels and R's ``survdiff`` do.

Cox models are in :mod:`lungmets.stats.cox`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.special import chdtrc, ndtri

__all__ = [
    "SPSS_Z",
    "WALD_Z",
    "ConfType",
    "LogrankResult",
    "MedianSummary",
    "km_curve",
    "km_median_lifelines",
    "km_median_r",
    "km_median_spss",
    "km_table",
    "logrank",
    "logrank_fast",
    "logrank_statsmodels",
    "median_conventions",
    "median_rule_note",
    "pairwise_logrank",
    "reverse_km_median_followup",
    "simple_median_followup",
    "survival_arrays",
    "survival_at",
]

SPSS_Z: float = 1.96
"""SPSS prints median CIs as median ± 1.96·SE (the rounded normal quantile)."""

_TOL = 1e-10
WALD_Z: float = float(ndtri(0.975))
"""The exact normal quantile for 95% Wald intervals (what lifelines and statsmodels use)."""


@dataclass(frozen=True)
class MedianSummary:
    """A median survival time with its standard error and 95% confidence interval.

    ``median`` is nan when the curve never reaches 0.5 ("not reached"); ``se`` is nan when the
    method gives none (lifelines reports no SE, only a CI).
    """

    median: float
    se: float
    ci_lower: float
    ci_upper: float


@dataclass(frozen=True)
class LogrankResult:
    """Chi-square statistic of a log-rank test, its p-value and degrees of freedom (groups - 1)."""

    statistic: float
    p_value: float
    df: int


# --------------------------------------------------------------------------- input checking


def survival_arrays(
    durations: ArrayLike, events: ArrayLike, what: str = "survival data"
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Durations and 0/1 events as float arrays, validated: an error names the offending
    position so a bad row can be found (every function here, and the teaching pages, start so)."""
    t = np.asarray(durations, dtype=float).ravel()
    e_raw = np.asarray(events).ravel()
    if t.shape != e_raw.shape:
        raise ValueError(
            f"{what}: durations has {t.size} values but events has {e_raw.size}"
        )
    if t.size == 0:
        raise ValueError(f"{what}: no observations")
    bad = ~np.isfinite(t) | (t < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{what}: duration at position {i} is {t[i]!r}; durations must be finite and >= 0"
        )
    e = np.asarray(e_raw, dtype=float)
    bad_e = ~np.isin(e, (0.0, 1.0))
    if bad_e.any():
        i = int(np.flatnonzero(bad_e)[0])
        raise ValueError(
            f"{what}: event indicator at position {i} is {e_raw[i]!r}; expected 0/1 or bool"
        )
    return t, e


def _group_codes(groups: ArrayLike, n: int) -> tuple[NDArray[np.int64], NDArray]:
    g = np.asarray(groups).ravel()
    if g.size != n:
        raise ValueError(f"groups has {g.size} values but durations has {n}")
    if pd.isna(g).any():
        i = int(np.flatnonzero(pd.isna(g))[0])
        raise ValueError(f"groups: missing group label at position {i}")
    labels, codes = np.unique(g, return_inverse=True)
    return codes.astype(np.int64), labels


# --------------------------------------------------------------------------- Kaplan-Meier core


def _km_core(
    t: NDArray[np.float64], e: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64],
           NDArray[np.float64]]:
    """Event times, number at risk, deaths, Ŝ and Greenwood SE of Ŝ, at event times only."""
    uniq, inv = np.unique(t, return_inverse=True)
    counts = np.bincount(inv, minlength=uniq.size)
    deaths = np.bincount(inv, weights=e, minlength=uniq.size)
    at_risk = t.size - np.concatenate(([0], np.cumsum(counts)[:-1]))
    keep = deaths > 0
    times, n, d = uniq[keep], at_risk[keep].astype(float), deaths[keep]
    surv = np.cumprod(1.0 - d / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        gw = np.cumsum(d / (n * (n - d)))
        se = surv * np.sqrt(gw)
    se[surv == 0.0] = 0.0  # Greenwood's variance is 0 once the curve is at 0
    return times, n, d, surv, se


def km_table(durations: ArrayLike, events: ArrayLike) -> pd.DataFrame:
    """Kaplan-Meier table at the event times: at risk, events, Ŝ and its Greenwood SE.

    The same numbers SPSS prints in its "Survival Table" (which also lists censored rows, where
    Ŝ does not change).
    """
    times, n, d, surv, se = _km_core(*survival_arrays(durations, events))
    return pd.DataFrame(
        {"time": times, "at_risk": n, "events": d, "survival": surv, "se": se}
    )


def km_curve(durations: ArrayLike, events: ArrayLike) -> pd.DataFrame:
    """Ŝ as a step function to draw, with lifelines' pointwise 95% log-log band.

    Why: a figure needs the curve from time 0 to the last follow-up (a censored tail included)
    and its band, and a live panel redraws it on every move; lifelines' fitter takes about ten
    times longer for the same numbers. Rows: time 0 (Ŝ = 1), each event time, and the longest
    follow-up when it is censored. The band is the "exponential Greenwood" one lifelines and
    R's ``conf.type="log-log"`` print; where it is undefined (Ŝ = 1 before the first event,
    Ŝ = 0 after a last death) it closes on the curve.
    """
    t, e = survival_arrays(durations, events)
    times, _, _, surv, se = _km_core(t, e)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower, upper = _r_band(surv, se / surv, "log-log")
    steps = np.vstack((
        [0.0, 1.0, 1.0, 1.0],
        np.column_stack((times, surv, np.where(np.isnan(lower), surv, lower),
                         np.where(np.isnan(upper), surv, upper))),
    ))
    if t.max() > steps[-1, 0]:
        steps = np.vstack((steps, [t.max(), *steps[-1, 1:]]))
    return pd.DataFrame(steps, columns=["time", "survival", "lower", "upper"])


def _first_at_or_below(
    times: NDArray[np.float64], surv: NDArray[np.float64], level: float
) -> int:
    """Index of the first event time with Ŝ ≤ level, or -1."""
    hit = np.flatnonzero(surv <= level + _TOL)
    return int(hit[0]) if hit.size else -1


def km_median_spss(durations: ArrayLike, events: ArrayLike) -> MedianSummary:
    """Kaplan-Meier median with SPSS's standard error and CI (median ± 1.96·SE).

    Definitions (see the module docstring for the sources):
    median = min{t_j: Ŝ(t_j) ≤ 0.5}; û = max{t_j: Ŝ(t_j) ≥ 0.55} (0, Ŝ = 1, if none);
    l̂ = min{t_j: Ŝ(t_j) ≤ 0.45}; SE = Greenwood SE of Ŝ(median) / ((Ŝ(û) - Ŝ(l̂)) / (l̂ - û)).
    The median's ≤ is SPSS's documented rule (first time of a flat stretch at exactly 0.5; R
    takes its midpoint, :func:`km_median_r`). Limitation: the ≥ 0.55 and ≤ 0.45 choices follow
    Collett's published definitions, not re-checked against SPSS's manual; they only matter when
    Ŝ lands exactly on 0.55 or 0.45.
    """
    times, _, _, surv, se = _km_core(*survival_arrays(durations, events))
    i_med = _first_at_or_below(times, surv, 0.5)
    if i_med < 0:
        return MedianSummary(np.nan, np.nan, np.nan, np.nan)
    median = float(times[i_med])
    upper_idx = np.flatnonzero(surv >= 0.55 - _TOL)
    if upper_idx.size:
        u, s_u = float(times[upper_idx[-1]]), float(surv[upper_idx[-1]])
    else:
        u, s_u = 0.0, 1.0
    i_l = _first_at_or_below(times, surv, 0.45)
    if i_l < 0:
        return MedianSummary(median, np.nan, np.nan, np.nan)
    l_t, s_l = float(times[i_l]), float(surv[i_l])
    density = (s_u - s_l) / (l_t - u)
    sem = float(se[i_med]) / density
    return MedianSummary(median, sem, median - SPSS_Z * sem, median + SPSS_Z * sem)


def km_median_lifelines(durations: ArrayLike, events: ArrayLike) -> MedianSummary:
    """lifelines' median and 95% CI (where its exponential-Greenwood pointwise band crosses 0.5).

    The band is the log-log one (R's ``conf.type="log-log"``, not survfit's default "log").
    It matches R's except where the curve ends with a death: at Ŝ = 0 Greenwood's variance
    divides by n - d = 0, R leaves the band undefined ("not reached"), lifelines sets it to 0 and
    returns that death's time as the upper limit, an interval resting on one patient.
    lifelines gives no SE for the median, so ``se`` is nan. lifelines reports "not reached" as
    inf; it is mapped to nan here so both functions speak the same language.
    """
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    t, e = survival_arrays(durations, events)
    kmf = KaplanMeierFitter().fit(t, e)
    ci = median_survival_times(kmf.confidence_interval_)

    def finite(x: float) -> float:
        return float(x) if np.isfinite(x) else np.nan

    return MedianSummary(
        finite(kmf.median_survival_time_),
        np.nan,
        finite(ci.iloc[0, 0]),
        finite(ci.iloc[0, 1]),
    )


ConfType = Literal["log", "log-log"]

_R_TOL: float = float(np.sqrt(np.finfo(float).eps))
"""R's ``quantile.survfit`` tolerance: Ŝ within sqrt(machine epsilon) of 0.5 counts as 0.5."""


def _r_band(
    surv: NDArray[np.float64], log_se: NDArray[np.float64], conf_type: ConfType
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Pointwise 95% band of Ŝ as R's ``survfit_confint`` computes it; nan where undefined.

    Where Ŝ = 0 neither band exists (R: NA), and the log-log band not where Ŝ = 1 either.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "log":
            s = np.where(surv == 0.0, np.nan, surv)
            return s * np.exp(-WALD_Z * log_se), np.minimum(s * np.exp(WALD_Z * log_se), 1.0)
        if conf_type == "log-log":
            s = np.where((surv == 0.0) | (surv == 1.0), np.nan, surv)
            shift = WALD_Z * log_se / np.log(s)
            centre = np.log(-np.log(s))
            return np.exp(-np.exp(centre - shift)), np.exp(-np.exp(centre + shift))
    raise ValueError(f"conf_type={conf_type!r}: expected 'log' or 'log-log'")


def _r_findq(times: NDArray[np.float64], cdf: NDArray[np.float64], last_time: float) -> float:
    """R's ``findq`` at p = 0.5: where 1 - Ŝ (or a band's) reaches one half.

    The first time at which each distinct value is reached is kept; the answer is the midpoint
    of the first time at or above 0.5 - tol and the first at or above 0.5 + tol, so a curve that
    sits exactly on 0.5 gives the middle of that flat stretch (the last observed time closes
    the stretch if the curve ends on 0.5). nan where the curve, or its band, never gets there.
    """
    x = np.concatenate(([0.0], times))
    y = np.concatenate(([0.0], cdf))
    if np.all(np.isnan(y)) or np.nanmax(y) < 0.5:
        return np.nan
    keep = np.sort(np.unique(y, return_index=True)[1])
    x, y = x[keep], y[keep]
    defined = np.flatnonzero(~np.isnan(y))

    def reach(shift: float) -> int:
        """Position of the smallest y + shift at or above 0.5 (R: approx, constant, f = 1)."""
        above = defined[y[defined] + shift >= 0.5]
        return int(above[np.argmin(y[above])]) if above.size else -1

    lo, hi = reach(_R_TOL), reach(-_R_TOL)
    if lo >= 0 and not np.isnan(y[-1]) and abs(0.5 - y[-1]) < _R_TOL:
        return float((x[lo] + last_time) / 2)
    return float((x[lo] + x[hi]) / 2) if lo >= 0 and hi >= 0 else np.nan


def km_median_r(
    durations: ArrayLike, events: ArrayLike, conf_type: ConfType = "log"
) -> MedianSummary:
    """Median and 95% CI as R's ``quantile(survfit(...), 0.5)`` gives them (survival >= 3).

    Why: most readers rerun survival analyses in R, whose median follows two rules that SPSS
    and lifelines do not share. (1) Where Ŝ equals 0.5 on a flat stretch (Ŝ = 11/22), R takes
    the stretch's midpoint; SPSS and lifelines take its first time. (2) Where Ŝ = 0 (the last
    observation is a death) R's band is undefined, so a CI limit that only that final death
    would set is "not reached" (nan); lifelines reads its band as 0 there and returns the
    death's time. ``conf_type="log"`` is survfit's default band, ``"log-log"`` the one
    lifelines draws. ``se`` is nan (R gives none). Checked against R in tests/test_r_reference.py.
    """
    t, e = survival_arrays(durations, events)
    times, n, d, surv, _ = _km_core(t, e)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_se = np.sqrt(np.cumsum(d / (n * (n - d))))
    lower, upper = _r_band(surv, log_se, conf_type)
    last = float(t.max())
    return MedianSummary(
        _r_findq(times, 1.0 - surv, last),
        np.nan,
        _r_findq(times, 1.0 - lower, last),
        _r_findq(times, 1.0 - upper, last),
    )


def median_conventions(curves: Mapping[str, tuple[ArrayLike, ArrayLike]]) -> pd.DataFrame:
    """Each curve's median and 95% CI under SPSS's, lifelines' and R's conventions.

    Why: a page that prints a median states whose rule it follows and shows R's number where R
    would print another; this finds those cases from the data, curve by curve. One row per
    curve (``curves`` maps a label to durations and events): n, events, median and CI by SPSS,
    lifelines (log-log band) and R (survfit's default log band, and log-log).
    """
    rows = {}
    for label, (durations, events) in curves.items():
        t, e = survival_arrays(durations, events, what=label)
        spss, life = km_median_spss(t, e), km_median_lifelines(t, e)
        r_log, r_loglog = km_median_r(t, e), km_median_r(t, e, conf_type="log-log")
        rows[label] = {
            "n": t.size, "events": int(e.sum()),
            "median_spss": spss.median, "median_r": r_log.median,
            "ci_lower_spss": spss.ci_lower, "ci_upper_spss": spss.ci_upper,
            "ci_lower_lifelines": life.ci_lower, "ci_upper_lifelines": life.ci_upper,
            "ci_lower_r": r_log.ci_lower, "ci_upper_r": r_log.ci_upper,
            "ci_lower_r_loglog": r_loglog.ci_lower, "ci_upper_r_loglog": r_loglog.ci_upper,
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("curve")


def median_rule_note(conventions: pd.DataFrame) -> str:
    """One sentence for a page: whose median rule it prints, and R's median where it differs.

    ``conventions`` is :func:`median_conventions`'s table of the medians the page prints.
    """
    spss, r = conventions["median_spss"], conventions["median_r"]
    moved = conventions[~np.isclose(spss, r, rtol=0, atol=1e-9, equal_nan=True)]
    rule = ("Medians here follow SPSS, the paper's software: the first time at which Ŝ ≤ 0.5. "
            "R's survfit takes the midpoint of the flat stretch where Ŝ sits exactly on 0.5")
    if moved.empty:
        return f"{rule}, which happens for none of the {len(conventions)} medians here."
    cases = "; ".join(f"{label}: {row.median_spss:g} here, {row.median_r:g} in R"
                      for label, row in moved.iterrows())
    return f"{rule}, which moves {len(moved)} of the {len(conventions)} medians here ({cases})."


def survival_at(
    durations: ArrayLike, events: ArrayLike, times: Sequence[float] | ArrayLike
) -> pd.Series:
    """Kaplan-Meier Ŝ(t) at the given landmark times (e.g. 12 and 24 months).

    Right-continuous: an event exactly at a landmark counts. Beyond the largest observed time Ŝ
    is not estimable and nan is returned, unless the curve has already reached 0.
    """
    t, e = survival_arrays(durations, events)
    ev_times, _, _, surv, _ = _km_core(t, e)
    q = np.asarray(times, dtype=float).ravel()
    out = np.concatenate(([1.0], surv))[np.searchsorted(ev_times, q, side="right")]
    beyond = q > t.max()
    if beyond.any() and not (surv.size and surv[-1] == 0.0):
        out[beyond] = np.nan
    return pd.Series(out, index=pd.Index(q, name="time"), name="survival")


def reverse_km_median_followup(durations: ArrayLike, events: ArrayLike) -> float:
    """Median follow-up by the reverse Kaplan-Meier method (Schemper & Smith 1996).

    Censoring is treated as the event and events as censored, so deaths end follow-up without
    shortening it; median = min{t: Ĝ(t) ≤ 0.5}. nan if Ĝ never reaches 0.5.
    """
    t, e = survival_arrays(durations, events)
    times, _, _, surv, _ = _km_core(t, 1.0 - e)
    i = _first_at_or_below(times, surv, 0.5)
    return float(times[i]) if i >= 0 else np.nan


def simple_median_followup(durations: ArrayLike) -> float:
    """Median of all observed times, the naive follow-up that deaths pull down."""
    t = np.asarray(durations, dtype=float).ravel()
    if t.size == 0 or not np.isfinite(t).all():
        raise ValueError("simple_median_followup: durations must be non-empty and finite")
    return float(np.median(t))


# --------------------------------------------------------------------------- log-rank


def _logrank_core(
    t: NDArray[np.float64], e: NDArray[np.float64], codes: NDArray[np.int64], k: int
) -> LogrankResult:
    uniq, inv = np.unique(t, return_inverse=True)
    m = uniq.size
    cell = inv * k + codes
    cnt = np.bincount(cell, minlength=m * k).reshape(m, k).astype(float)
    dth = np.bincount(cell, weights=e, minlength=m * k).reshape(m, k)
    risk = np.cumsum(cnt[::-1], axis=0)[::-1]
    n_tot = risk.sum(axis=1)
    d_tot = dth.sum(axis=1)
    keep = d_tot > 0
    risk, dth, n_tot, d_tot = risk[keep], dth[keep], n_tot[keep], d_tot[keep]
    observed = dth.sum(axis=0)
    expected = (risk * (d_tot / n_tot)[:, None]).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(n_tot > 1, d_tot * (n_tot - d_tot) / (n_tot - 1), 0.0) / n_tot
    var = np.diag((risk * w[:, None]).sum(axis=0)) - (risk * (w / n_tot)[:, None]).T @ risk
    z = (observed - expected)[: k - 1]
    v = var[: k - 1, : k - 1]
    if k == 2:
        stat = float(z[0] ** 2 / v[0, 0]) if v[0, 0] > 0 else np.nan
    else:
        stat = float(z @ np.linalg.solve(v, z))
    return LogrankResult(stat, float(chdtrc(k - 1, stat)), k - 1)


def logrank_fast(
    durations: ArrayLike, *, groups: ArrayLike, events: ArrayLike
) -> LogrankResult:
    """Log-rank test of k ≥ 2 groups in numpy (Mantel-Haenszel variance at ties).

    ``groups`` and ``events`` are keyword-only so the two 0/1 vectors can never be swapped silently.
    """
    t, e = survival_arrays(durations, events)
    codes, labels = _group_codes(groups, t.size)
    if labels.size < 2:
        raise ValueError("logrank: need at least two groups")
    return _logrank_core(t, e, codes, labels.size)


def logrank(durations: ArrayLike, *, groups: ArrayLike, events: ArrayLike) -> LogrankResult:
    """Log-rank test through lifelines (``logrank_test`` for 2 groups, multivariate for k)."""
    from lifelines.statistics import logrank_test, multivariate_logrank_test

    t, e = survival_arrays(durations, events)
    codes, labels = _group_codes(groups, t.size)
    k = labels.size
    if k < 2:
        raise ValueError("logrank: need at least two groups")
    if k == 2:
        a, b = codes == 0, codes == 1
        res = logrank_test(t[a], t[b], event_observed_A=e[a], event_observed_B=e[b])
    else:
        res = multivariate_logrank_test(t, codes, e)
    return LogrankResult(float(res.test_statistic), float(res.p_value), k - 1)


def logrank_statsmodels(
    durations: ArrayLike, *, groups: ArrayLike, events: ArrayLike
) -> LogrankResult:
    """Log-rank test through ``statsmodels.duration.survfunc.survdiff`` (a third opinion)."""
    from statsmodels.duration.survfunc import survdiff

    t, e = survival_arrays(durations, events)
    codes, labels = _group_codes(groups, t.size)
    if labels.size < 2:
        raise ValueError("logrank: need at least two groups")
    stat, p = survdiff(t, e, codes)
    return LogrankResult(float(stat), float(p), labels.size - 1)


def pairwise_logrank(
    durations: ArrayLike,
    *,
    groups: ArrayLike,
    events: ArrayLike,
    pairs: Sequence[tuple[object, object]] | None = None,
) -> pd.DataFrame:
    """Unadjusted two-group log-rank tests for each pair (as SPSS KM /COMPARE=PAIRWISE prints).

    ``pairs`` fixes the order (e.g. the paper's Rt vs Co, S vs Co, Rt vs S); by default all pairs
    of the sorted labels. No multiplicity adjustment, as in the paper.
    """
    t, e = survival_arrays(durations, events)
    g = np.asarray(groups).ravel()
    _group_codes(g, t.size)
    labels = list(pd.unique(np.sort(g)))
    todo = list(pairs) if pairs is not None else list(itertools.combinations(labels, 2))
    rows = []
    for a, b in todo:
        mask = (g == a) | (g == b)
        if not (g == a).any() or not (g == b).any():
            raise ValueError(f"pairwise_logrank: group {a!r} or {b!r} has no observations")
        res = logrank_fast(t[mask], groups=(g[mask] == b).astype(int), events=e[mask])
        rows.append(
            {
                "group_a": a,
                "group_b": b,
                "n_a": int((g == a).sum()),
                "n_b": int((g == b).sum()),
                "statistic": res.statistic,
                "df": res.df,
                "p_value": res.p_value,
            }
        )
    return pd.DataFrame(rows)

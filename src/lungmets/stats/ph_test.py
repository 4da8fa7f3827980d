"""Tests of proportional hazards as R's ``cox.zph`` computes them (survival 3.0 and later).

Why this module exists: the proportional-hazards test a reader reruns is R's ``cox.zph``, and
Python's usual one is not it. lifelines' ``proportional_hazard_test`` is the approximation R
used before survival 3.0 (2019), from Grambsch & Therneau (Biometrika 1994;81:515-526): it
divides by the diagonal of the fitted variance instead of using the full information matrix,
has no global test, ranks tied times by their order and reads its km scale right-continuously.
survival 3.0 replaced it by the exact score test below and added the global test; on small
cohorts the two differ in the first digit of p (on R's veteran data, age: 0.020 against R's
0.176; tests/test_r_reference.py checks this module against R's numbers).

The test (T. Therneau, survival package source, R/cox.zph.R and src/zph1.c): give every
covariate x_k a time-varying partner
g(t)·x_k, where g is a transform of time centred at its mean over the events, and compute the
score vector U and information matrix I of that extended Cox model at (β̂, 0). The part of U
that belongs to β̂ is 0 at the fit, so each term's statistic is U_g' A⁻¹ U_g with A the rows and
columns of I for all of β and that term's g-columns (df = the term's columns), and the global
statistic uses all of I (df = all columns). A term is one covariate, or the indicator columns of
one factor tested together (R's ``terms=TRUE``, its default).

Transforms: ``"km"`` (R's default): g(t) = 1 - Ŝ(t-), the left-continuous pooled Kaplan-Meier;
``"rank"``: ranks of all observed times (ties averaged); ``"identity"``: t; ``"log"``: log t.
Ties: ``"efron"`` (R's and lifelines' default) or ``"breslow"`` (SPSS's), for the fit and the
risk-set moments alike. Agreement with R: to 1e-8 relative on lung, veteran, ovarian and the
SYNTHETIC cohort (the fixture written by scripts/r_reference.R). Not implemented: strata, case
weights, penalised terms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.special import chdtrc
from scipy.stats import rankdata

from lungmets.stats.stepwise import Ties, cox_newton
from lungmets.stats.survival_stats import km_table

__all__ = ["Transform", "cox_zph", "km_transform"]

Transform = Literal["km", "rank", "identity", "log"]


def km_transform(durations: ArrayLike, events: ArrayLike) -> NDArray[np.float64]:
    """R's ``km`` time scale: 1 - Ŝ(t-) of the pooled Kaplan-Meier, left-continuous.

    Left-continuous, so a death is placed by the curve just before it: the first death sits at
    0, whatever it does to Ŝ itself.
    """
    time = np.asarray(durations, dtype=float).ravel()
    table = km_table(time, events)
    before = np.searchsorted(table["time"].to_numpy(), time, side="left")
    return 1.0 - np.concatenate(([1.0], table["survival"].to_numpy()))[before]


def _time_weights(time: NDArray[np.float64], event: NDArray[np.float64],
                  transform: Transform) -> NDArray[np.float64]:
    """g(t) for every row, centred at its mean over the events (R centres before the test)."""
    if transform == "km":
        g = km_transform(time, event)
    elif transform == "rank":
        g = rankdata(time)
    elif transform == "identity":
        g = time.copy()
    elif transform == "log":
        g = np.log(time)
    else:
        raise ValueError(f"transform={transform!r}: expected 'km', 'rank', 'identity' or 'log'")
    return g - g[event > 0].mean()


def _death_moments(time: NDArray[np.float64], event: NDArray[np.float64],
                   x: NDArray[np.float64], beta: NDArray[np.float64], ties: Ties
                   ) -> tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.float64]]:
    """Per death: its row, and the mean and variance of x over its (Efron-weighted) risk set.

    Deaths tied at one time share their time's risk set; Efron removes k/d of the tied deaths'
    weight for the k-th of d, Breslow none. Which death gets which share does not matter,
    because every quantity of the test is summed over the deaths of one time.
    """
    order = np.argsort(time, kind="mergesort")
    t, xs = time[order], x[order]
    eta = xs @ beta
    w = np.exp(eta - eta.max())  # a common factor: cancels in every mean and variance
    wx = w[:, None] * xs
    wxx = wx[:, :, None] * xs[:, None, :]
    dead = np.flatnonzero(event[order] > 0)
    _, first, tie = np.unique(t[dead], return_index=True, return_inverse=True)
    share = (np.zeros(dead.size) if ties == "breslow"
             else (np.arange(dead.size) - first[tie]) / np.bincount(tie)[tie])
    at_risk = np.searchsorted(t, t[dead], side="left")

    def risk_set(v: NDArray[np.float64]) -> NDArray[np.float64]:
        """Sum over the death's risk set minus its share of the tied deaths' sum."""
        total = np.cumsum(v[::-1], axis=0)[::-1][at_risk]
        tied = np.add.reduceat(v[dead], first, axis=0)[tie]
        return total - share.reshape((-1,) + (1,) * (v.ndim - 1)) * tied

    phi = risk_set(w)
    mean = risk_set(wx) / phi[:, None]
    second = risk_set(wxx) / phi[:, None, None]
    return order[dead], mean, second - mean[:, :, None] * mean[:, None, :]


def _score_parts(time: NDArray[np.float64], event: NDArray[np.float64],
                 x: NDArray[np.float64], ties: Ties, transform: Transform
                 ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """U_g (the g-part of the score; the β-part is 0 at β̂) and the full 2p x 2p information."""
    x = x - x.mean(axis=0)  # as R does: the test is unchanged, the sums are better conditioned
    beta, _, _, converged = cox_newton(time, event, x, ties=ties)
    if not converged:
        raise ValueError("cox_zph: the Cox fit did not converge (a covariate separates the "
                         "events?); no proportional-hazards test")
    rows, mean, var = _death_moments(time, event, x, beta, ties)
    g = _time_weights(time, event, transform)[rows]
    u_g = (g[:, None] * (x[rows] - mean)).sum(axis=0)
    i11, i12, i22 = var.sum(axis=0), np.tensordot(g, var, 1), np.tensordot(g**2, var, 1)
    return u_g, np.block([[i11, i12], [i12, i22]])


def _statistic(u_g: NDArray[np.float64], info: NDArray[np.float64],
               columns: Sequence[int]) -> float:
    """U' A⁻¹ U over all of β and the g-columns of one term (U is 0 on the β part)."""
    p = u_g.size
    keep = [*range(p), *(p + c for c in columns)]
    u = np.concatenate((np.zeros(p), u_g[list(columns)]))
    return float(u @ np.linalg.solve(info[np.ix_(keep, keep)], u))


def _checked(durations: ArrayLike, events: ArrayLike, covariates: pd.DataFrame
             ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Times, events and covariates as arrays; bad input raises, naming the row and column."""
    time = np.asarray(durations, dtype=float).ravel()
    event = np.asarray(events, dtype=float).ravel()
    if not time.size == event.size == len(covariates):
        raise ValueError(f"cox_zph: {time.size} durations, {event.size} events and "
                         f"{len(covariates)} covariate rows")
    bad = ~np.isfinite(time) | (time < 0) | ~np.isin(event, (0.0, 1.0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"cox_zph: row {covariates.index[i]!r}: duration {time[i]!r} and event "
                         f"{event[i]!r}; need a duration >= 0 and a 0/1 event")
    missing = covariates.isna().to_numpy()
    if missing.any():
        i, j = np.argwhere(missing)[0]
        raise ValueError(f"cox_zph: missing value in column {covariates.columns[j]!r}, row "
                         f"{covariates.index[i]!r}")
    if not event.any():
        raise ValueError("cox_zph: no events, so no Cox model and no test")
    return time, event, covariates.to_numpy(dtype=float)


def cox_zph(
    durations: ArrayLike,
    events: ArrayLike,
    covariates: pd.DataFrame,
    *,
    ties: Ties = "efron",
    transform: Transform = "km",
    terms: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """R's ``cox.zph(coxph(...), transform)``: a chi-square per term and a global one.

    ``covariates`` holds the numeric model columns (a factor as its indicator columns);
    ``terms`` groups columns into multi-df terms, as R groups a factor's indicators (default:
    each column its own term). The Cox model is fitted here with the same ``ties``. Returns one
    row per term plus ``GLOBAL``: chisq, df, p.
    """
    time, event, x = _checked(durations, events, covariates)
    names = list(covariates.columns)
    groups = dict(terms) if terms is not None else {c: [c] for c in names}
    missing = [c for cols in groups.values() for c in cols if c not in names]
    if missing:
        raise KeyError(f"cox_zph: terms name columns not in covariates: {missing}")
    u_g, info = _score_parts(time, event, x, ties, transform)
    rows = {term: [names.index(c) for c in cols] for term, cols in groups.items()}
    rows["GLOBAL"] = list(range(len(names)))
    chisq = {term: _statistic(u_g, info, cols) for term, cols in rows.items()}
    df = {term: len(cols) for term, cols in rows.items()}
    table = pd.DataFrame({"chisq": chisq, "df": df})
    table["p"] = chdtrc(table["df"], table["chisq"])
    return table.rename_axis("term")

"""Pitfall lab, design: too few events for the effect sought, and too many looks at the data.

Pages: ``book/pitfall-power.md`` and ``book/pitfall-multiplicity.md``.

Why this module exists: a study of 45 patients can only detect a large hazard ratio, and a
significant result from it overstates the effect it found (the significance filter); trying
several cut-points or candidate factors and keeping the best makes "p < 0.05" far likelier than
5% even when nothing is there. Both are arithmetic or seeded simulation, so the pages can let a
reader move the hazard ratio or the number of looks and see the consequence at once.

Schoenfeld's approximation (Biometrika 1981; Schoenfeld, Biometrics 1983) is used for events
and power; its inverse, the smallest detectable hazard ratio, already lives in
:func:`lungmets.analyses.validation.detectable_hazard_ratio`. The log-rank p-values of the
simulations come from :func:`lungmets.analyses.cutpoints.logrank_p_many` or, for simulated studies
whose times differ, from a row-wise version of the same statistic, checked against
:func:`lungmets.stats.survival_stats.logrank_fast`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import chdtrc, ndtr, ndtri

from lungmets.analyses.cutpoints import logrank_p_many

__all__ = [
    "SignificanceFilter",
    "familywise_error",
    "min_p_noise_cuts",
    "min_p_noise_factors",
    "schoenfeld_events",
    "schoenfeld_power",
    "significance_filter",
    "simulated_power",
]


def _check(alpha: float, share: float, hazard_ratio: float) -> None:
    if not 0 < alpha < 1 or not 0 < share < 1:
        raise ValueError(f"alpha={alpha!r} and share={share!r} must lie strictly in (0, 1)")
    if hazard_ratio <= 0 or hazard_ratio == 1:
        raise ValueError(f"hazard_ratio={hazard_ratio!r} must be positive and not 1")


def schoenfeld_events(hazard_ratio: float, alpha: float = 0.05, power: float = 0.8,
                      share: float = 0.5) -> float:
    """Events a two-sided log-rank test needs to detect ``hazard_ratio`` with ``power``.

    D = (z_{1-alpha/2} + z_power)^2 / (share (1 - share) (ln HR)^2). Events, not patients,
    carry the information: the number of patients follows from the share expected to have one.
    """
    _check(alpha, share, hazard_ratio)
    if not 0 < power < 1:
        raise ValueError(f"power={power!r} must lie strictly in (0, 1)")
    z = ndtri(1 - alpha / 2) + ndtri(power)
    return float(z**2 / (share * (1 - share) * math.log(hazard_ratio) ** 2))


def schoenfeld_power(events: float, hazard_ratio: float, alpha: float = 0.05,
                     share: float = 0.5) -> float:
    """Power of a two-sided log-rank test with ``events`` events (Schoenfeld's approximation).

    The estimate of ln HR has standard error about 1 / sqrt(D share (1 - share)); power is the
    chance that it lands beyond the critical value on the true side (the other side's tiny
    chance is ignored, as in the formula for events).
    """
    _check(alpha, share, hazard_ratio)
    if events <= 0:
        raise ValueError(f"events={events!r} must be > 0")
    shift = math.sqrt(events * share * (1 - share)) * abs(math.log(hazard_ratio))
    return float(ndtr(shift - ndtri(1 - alpha / 2)))


@dataclass(frozen=True)
class SignificanceFilter:
    """What the studies of one size that reach significance report, for one true ratio."""

    power: float
    """Chance of a significant result on the true side."""
    reported_hr: float
    """Geometric mean hazard ratio among those significant results."""
    exaggeration: float
    """How many times larger their ln HR is than the true one (Gelman and Carlin's type M)."""
    wrong_side: float
    """Share of all significant results that point the wrong way (type S)."""


def significance_filter(events: float, hazard_ratio: float, alpha: float = 0.05,
                        share: float = 0.5) -> SignificanceFilter:
    """The estimate of ln HR as a normal variable, conditioned on reaching significance.

    A small study reaches p < alpha only when chance has made its estimate large, so the
    significant estimates overstate the effect. Truncated-normal mean: for true b and standard
    error s, E[est | est beyond -z s on b's side] = b - sign(b) s phi(a) / Phi(a), a = |b|/s - z.
    """
    _check(alpha, share, hazard_ratio)
    b = math.log(hazard_ratio)
    se = 1 / math.sqrt(events * share * (1 - share))
    z = ndtri(1 - alpha / 2)
    a = abs(b) / se - z
    right = ndtr(a)
    wrong = ndtr(-abs(b) / se - z)
    mean = b + math.copysign(se * math.exp(-a * a / 2) / math.sqrt(2 * math.pi) / right, b)
    return SignificanceFilter(float(right), math.exp(mean), mean / b,
                              float(wrong / (right + wrong)))


def _logrank_p_rows(time: NDArray[np.float64], event: NDArray[np.bool_],
                    group: NDArray[np.int64]) -> NDArray[np.float64]:
    """Two-group log-rank p for each row of ``time`` (one simulated study per row).

    Continuous simulated times have no ties, so each event time has one event: sorting each
    row makes the risk sets reverse cumulative counts, and every study is tested at once.
    Same statistic as :func:`lungmets.stats.survival_stats.logrank_fast` (the tests check it).
    """
    order = np.argsort(time, axis=1)
    e = np.take_along_axis(event, order, axis=1).astype(float)
    g = group[order].astype(float)
    n = np.arange(time.shape[1], 0, -1, dtype=float)
    frac = np.cumsum(g[:, ::-1], axis=1)[:, ::-1] / n
    observed_minus_expected = (e * (g - frac)).sum(axis=1)
    variance = (e * frac * (1 - frac)).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return chdtrc(1, observed_minus_expected**2 / variance)


def simulated_power(
    n_groups: tuple[int, int],
    hazard_ratio: float,
    events: int,
    *,
    alpha: float = 0.05,
    n_sim: int = 1000,
    seed: int,
) -> float:
    """Share of seeded simulated studies whose log-rank p < alpha, analysed at ``events`` events.

    Exponential survival, the second group's hazard ``hazard_ratio`` times the first's; every
    study is analysed when its ``events``-th event occurs, so each has exactly that many events
    (the log-rank test depends only on the order of the times, so the time scale is irrelevant).
    Checks Schoenfeld's large-sample formula at a study's own, small size.
    """
    group = np.repeat([0, 1], n_groups)
    if not 0 < events <= group.size:
        raise ValueError(f"events={events!r} must lie in 1..{group.size}")
    scale = np.where(group == 1, 1 / hazard_ratio, 1.0)
    latent = np.random.default_rng(seed).exponential(1.0, (n_sim, group.size)) * scale
    closing = np.sort(latent, axis=1)[:, events - 1 : events]
    p = _logrank_p_rows(np.minimum(latent, closing), latent <= closing, group)
    return float((p < alpha).mean())


def familywise_error(n_tests: int, alpha: float = 0.05) -> float:
    """Chance of at least one p < alpha among ``n_tests`` independent tests of true nulls."""
    if n_tests < 1:
        raise ValueError(f"n_tests={n_tests!r} must be >= 1")
    return 1 - (1 - alpha) ** n_tests


def _quantile_cuts(x: NDArray[np.float64], n_cuts: int, low: float, high: float
                   ) -> NDArray[np.float64]:
    """``n_cuts`` cut-points at evenly spaced quantiles of each row (the median if one)."""
    levels = np.array([0.5]) if n_cuts == 1 else np.linspace(low, high, n_cuts)
    return np.quantile(x, levels, axis=1).T


def min_p_noise_cuts(
    durations: ArrayLike,
    events: ArrayLike,
    n_cuts: int,
    *,
    n_sim: int,
    seed: int,
    low: float = 0.1,
    high: float = 0.9,
) -> NDArray[np.float64]:
    """Smallest log-rank p over ``n_cuts`` cut-points of a pure-noise covariate, per simulation.

    The covariate is standard normal noise drawn afresh for each simulated analysis (seeded:
    the same draws for every ``n_cuts``), cut at quantiles spread between ``low`` and ``high``
    (one cut: the median). Survival stays as given, so every p-value tests a true null.
    """
    if n_cuts < 1:
        raise ValueError(f"n_cuts={n_cuts!r} must be >= 1")
    time = np.asarray(durations, dtype=float)
    x = np.random.default_rng(seed).standard_normal((n_sim, time.size))
    cuts = _quantile_cuts(x, n_cuts, low, high)
    splits = x[:, :, None] >= cuts[:, None, :]  # (simulation, patient, cut)
    columns = splits.transpose(1, 0, 2).reshape(time.size, n_sim * n_cuts)
    return logrank_p_many(time, events, columns).reshape(n_sim, n_cuts).min(axis=1)


def min_p_noise_factors(
    durations: ArrayLike, events: ArrayLike, n_factors: int, *, n_sim: int, seed: int
) -> NDArray[np.float64]:
    """Smallest log-rank p over ``n_factors`` independent yes/no noise factors, per simulation.

    Each factor splits the patients at random, half and half on average. The first step of a
    forward-stepwise Cox selection enters the candidate with the smallest score p, and for one
    yes/no factor the score test is the log-rank test, so this is how often selection admits
    at least one pure-noise factor.
    """
    time = np.asarray(durations, dtype=float)
    rng = np.random.default_rng(seed)
    splits = rng.random((time.size, n_sim * n_factors)) < 0.5
    keep = splits.any(axis=0) & ~splits.all(axis=0)  # a one-sided split tests nothing
    p = np.ones(splits.shape[1])
    p[keep] = logrank_p_many(time, events, splits[:, keep])
    return p.reshape(n_sim, n_factors).min(axis=1)

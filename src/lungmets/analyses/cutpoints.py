"""Cut-points of a continuous factor: the scan over every cut, and the minimum-p inflation.

Why this module exists: the paper dichotomised age, PDR, PmFI, AFP, the number of lesions and the
largest diameter at cut-points it does not justify. Scanning every cut shows how much the log-rank
p swings with the choice; :func:`min_p_null` shows what the smallest p of such a scan looks like
when nothing is there, and :func:`altman_corrected_p` corrects it (Altman et al., J Natl Cancer
Inst 1994;86:829-835). :func:`logrank_p_many` tests thousands of splits at once, for these
permutations and for the pitfall pages' simulations.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from numpy.typing import ArrayLike, NDArray
from scipy.special import chdtrc
from scipy.stats import norm

from lungmets.analyses.prognostic import Endpoint, Rule, survival_columns
from lungmets.claims import claim
from lungmets.stats.cox import cox_fit
from lungmets.stats.survival_stats import logrank_fast

__all__ = [
    "altman_corrected_p",
    "cutpoint_groups",
    "cutpoint_scan",
    "logrank_p_many",
    "min_p_null",
    "plot_cutpoint_scan",
]

_SOURCE = "patients.csv"


def cutpoint_groups(x: ArrayLike, cut: float, rule: Rule) -> NDArray[np.int64]:
    """1 for the 'high' side of a cut (``x >= cut`` or ``x > cut``), else 0."""
    values = np.asarray(x, dtype=float)
    if rule == ">=":
        return (values >= cut).astype(np.int64)
    if rule == ">":
        return (values > cut).astype(np.int64)
    raise ValueError(f"rule={rule!r}: expected '>=' or '>'")


def _candidate_cuts(x: NDArray, rule: Rule, min_group: int) -> list[float]:
    """Every observed value that leaves at least ``min_group`` patients on each side."""
    cuts = []
    for c in np.unique(x):
        high = int(cutpoint_groups(x, c, rule).sum())
        if min(high, x.size - high) >= min_group:
            cuts.append(float(c))
    return cuts


def cutpoint_scan(
    df: pd.DataFrame,
    column: str,
    endpoint: Endpoint,
    cutpoints: Sequence[float] | None = None,
    *,
    rule: Rule = ">=",
    min_group: int = 5,
    hazard_ratio: bool = True,
) -> pd.DataFrame:
    """Log-rank p (and Cox HR, high vs low) for every cut-point of one numeric column.

    By default every observed value leaving ``min_group`` patients on each side is tried; given
    ``cutpoints`` that leave a group smaller than that raise, since their p-values mean little.
    """
    if column not in df.columns:
        raise KeyError(f"{_SOURCE}: column {column!r} is missing")
    x = pd.to_numeric(df[column], errors="coerce").to_numpy(float)
    if np.isnan(x).any():
        row = df.index[np.isnan(x)][0]
        raise ValueError(f"{_SOURCE}: row {row}, column {column!r} is not a number")
    time, event = survival_columns(df, endpoint)
    cuts = _candidate_cuts(x, rule, min_group) if cutpoints is None else list(cutpoints)
    rows = []
    for cut in cuts:
        high = cutpoint_groups(x, cut, rule)
        n_high = int(high.sum())
        if min(n_high, x.size - n_high) < min_group:
            raise ValueError(
                f"cut-point {cut} on {column!r} leaves {min(n_high, x.size - n_high)} patients "
                f"on one side, fewer than min_group={min_group}"
            )
        test = logrank_fast(time, groups=high, events=event)
        row = {
            "cutpoint": float(cut),
            "n_low": x.size - n_high,
            "n_high": n_high,
            "events_low": int(event[high == 0].sum()),
            "events_high": int(event[high == 1].sum()),
            "chi2": test.statistic,
            "p": test.p_value,
        }
        if hazard_ratio:
            fit = cox_fit(
                pd.DataFrame({"time": time, "event": event, "high": high}),
                "time", "event", ["high"],
            )
            row |= {
                "hr": float(fit.hr["high"]),
                "hr_ci_lower": float(fit.ci_lower["high"]),
                "hr_ci_upper": float(fit.ci_upper["high"]),
            }
        rows.append(row)
    return pd.DataFrame(rows)


def min_p_null(
    x: ArrayLike,
    durations: ArrayLike,
    events: ArrayLike,
    *,
    n_sim: int,
    seed: int,
    rule: Rule = ">=",
    min_group: int = 5,
) -> NDArray[np.float64]:
    """Minimum log-rank p over all cut-points, under the null, for ``n_sim`` permutations.

    Shuffling ``x`` against the outcomes breaks any real association but keeps the values, the
    cut-points tried and the survival data; each minimum p is what an analyst who picks the
    best cut would report. Its distribution is far from uniform (Altman et al. 1994).
    """
    values = np.asarray(x, dtype=float)
    time = np.asarray(durations, dtype=float)
    event = np.asarray(events, dtype=int)
    cuts = _candidate_cuts(values, rule, min_group)
    if not cuts:
        raise ValueError(f"no cut-point leaves {min_group} patients on each side")
    rng = np.random.default_rng(seed)
    out = np.empty(n_sim)
    cut_values = np.asarray(cuts)
    for i in range(n_sim):
        shuffled = rng.permutation(values)
        if rule == ">=":
            splits = shuffled[:, None] >= cut_values[None, :]
        else:
            splits = shuffled[:, None] > cut_values[None, :]
        out[i] = logrank_p_many(time, event, splits).min()
    return out


def logrank_p_many(
    durations: ArrayLike, events: ArrayLike, splits: ArrayLike
) -> NDArray[np.float64]:
    """Two-group log-rank p for many splits of the same patients at once (one per column).

    ``splits`` is an (n_patients, n_splits) 0/1 matrix. Same statistic as
    :func:`lungmets.stats.survival_stats.logrank_fast` (Mantel-Haenszel variance at ties), computed
    with matrix products so that thousands of permutations stay fast.
    """
    time = np.asarray(durations, dtype=float)
    event = np.asarray(events, dtype=float)
    groups = np.asarray(splits, dtype=float)
    if groups.ndim != 2 or groups.shape[0] != time.size:
        raise ValueError(f"splits must be (n_patients={time.size}, n_splits); got {groups.shape}")
    event_times = np.unique(time[event == 1])
    at_risk = (time[None, :] >= event_times[:, None]).astype(float)
    died = ((time[None, :] == event_times[:, None]) & (event[None, :] == 1)).astype(float)
    n, d = at_risk.sum(axis=1), died.sum(axis=1)
    n1, d1 = at_risk @ groups, died @ groups
    expected = (d / n)[:, None] * n1
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(n > 1, d * (n - d) / (n - 1), 0.0)
        variance = (weight[:, None] * (n1 / n[:, None]) * (1 - n1 / n[:, None])).sum(axis=0)
        statistic = (d1 - expected).sum(axis=0) ** 2 / variance
    return chdtrc(1, statistic)


def altman_corrected_p(p_min: float, epsilon: float = 0.1) -> float:
    """Altman et al. (1994) correction of a minimum p found by scanning cut-points.

    P_cor = φ(z)(z - 1/z)·ln((1 - ε)²/ε²) + 4φ(z)/z, z = Φ⁻¹(1 - p_min/2), for cut-points
    restricted to the central 1 - 2ε of the data (Miller & Siegmund 1982). Capped at 1.
    """
    if not 0 < p_min < 1:
        raise ValueError(f"p_min={p_min!r} must lie strictly between 0 and 1")
    if not 0 < epsilon < 0.5:
        raise ValueError(f"epsilon={epsilon!r} must lie strictly between 0 and 0.5")
    z = norm.isf(p_min / 2)
    phi = norm.pdf(z)
    corrected = phi * (z - 1 / z) * math.log((1 - epsilon) ** 2 / epsilon**2) + 4 * phi / z
    return float(min(corrected, 1.0))


def plot_cutpoint_scan(
    scan: pd.DataFrame, published_cut: float | None = None, ax: Axes | None = None,
    *, label: str = "cut-point",
) -> Axes:
    """Log-rank p (log scale) against the cut-point, with the paper's significance level and cut
    marked.

    The jagged line is the point: p swings with the cut, so the smallest p is partly chance.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.4), layout="constrained")
    ax.plot(scan["cutpoint"], scan["p"], marker="o", markersize=4, color="C0", gid="scan")
    ax.set_yscale("log")
    ax.axhline(claim("met_alpha").number, color="C3", linestyle="--", linewidth=1, gid="alpha")
    if published_cut is not None:
        ax.axvline(published_cut, color="0.3", linestyle=":", linewidth=1.2, gid="published")
    ax.set_xlabel(label)
    ax.set_ylabel("log-rank p")
    ax.spines[["top", "right"]].set_visible(False)
    return ax

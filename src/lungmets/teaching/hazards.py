"""Hazards and the Cox model: cumulative hazard, hazard ratios, partial likelihood, PH checks.

Page: book/hazards-cox.md. Why this module exists: the chapters fit Cox models and print hazard
ratios (HRs) through :mod:`lungmets.stats.cox` and :mod:`lungmets.analyses.prognostic`; a
learner needs the pieces underneath. Here are the Nelson-Aalen cumulative hazard, the comparison of
a hazard ratio with a ratio of probabilities (the paper's "3.5 times more likely"), the partial
likelihood one death at a time, the log(-log S) check of proportional hazards, and three
answers to its failure: a stratified model, a coefficient that changes at a cut-point, and a
seeded simulation in which the hazards are not proportional by construction.

Every function works on the SYNTHETIC cohort, an extract of it, or a seeded simulation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq
from scipy.special import chdtri

from lungmets.display.plots import OKABE_ITO, arm_colour
from lungmets.stats.cox import LIFELINES_COX_FIT_OPTIONS, CoxResult, cox_result
from lungmets.stats.stepwise import Ties, cox_derivatives, cox_newton
from lungmets.stats.survival_stats import km_table, survival_arrays, survival_at

__all__ = [
    "SIMULATED_ARMS",
    "cox_fit_stratified",
    "cox_table",
    "event_rate",
    "hazard_vs_probability",
    "indicators",
    "likelihood_ratio_interval",
    "log_minus_log",
    "nelson_aalen",
    "nelson_aalen_at",
    "partial_likelihood_terms",
    "ph_probability_ratio",
    "piecewise_cox",
    "plot_log_minus_log",
    "plot_probability_ratio",
    "profile_loglik",
    "simulate_arms",
    "split_at",
]

NelsonAalenTies = Literal["nelson-aalen", "fleming-harrington"]

_LINES = tuple(OKABE_ITO[name] for name in ("black", "reddish purple", "orange", "sky blue"))
"""Colours for lines and groups that are not treatment arms (the arms' colours stay theirs)."""


# --------------------------------------------------------------------------- cumulative hazard


def nelson_aalen(
    durations: ArrayLike, events: ArrayLike, ties: NelsonAalenTies = "nelson-aalen"
) -> pd.DataFrame:
    """Nelson-Aalen cumulative hazard H(t) at each event time, with its standard error.

    Each event time adds (events)/(at risk): the share of those still at risk who had the event
    then. ``ties="nelson-aalen"`` adds d/n and uses the variance sum of d/n^2 (R's ``survfit``
    default); ``"fleming-harrington"`` treats d tied events as d successive ones, adding
    1/n + 1/(n-1) + ... + 1/(n-d+1), with variance sum of 1/(n-i)^2 (lifelines' default,
    ``nelson_aalen_smoothing=True``). Without ties the two are the same.
    """
    km = km_table(durations, events)
    n, d = km["at_risk"].to_numpy(), km["events"].to_numpy()
    if ties == "nelson-aalen":
        increment, var = d / n, d / n**2
    elif ties == "fleming-harrington":
        steps = [n_j - np.arange(d_j) for n_j, d_j in zip(n, d.astype(int), strict=True)]
        increment = np.array([np.sum(1.0 / s) for s in steps])
        var = np.array([np.sum(1.0 / s**2) for s in steps])
    else:
        raise ValueError(f"ties={ties!r}: expected 'nelson-aalen' or 'fleming-harrington'")
    return pd.DataFrame({
        "time": km["time"], "at_risk": n, "events": d, "increment": increment,
        "cumhaz": np.cumsum(increment), "se": np.sqrt(np.cumsum(var)),
    })


def nelson_aalen_at(
    durations: ArrayLike, events: ArrayLike, times: Sequence[float] | ArrayLike
) -> pd.Series:
    """H(t) at the given times (0 before the first event; nan beyond the last follow-up)."""
    t, e = survival_arrays(durations, events)
    table = nelson_aalen(t, e)
    q = np.asarray(times, dtype=float).ravel()
    cumhaz = np.concatenate(([0.0], table["cumhaz"].to_numpy()))
    out = cumhaz[np.searchsorted(table["time"].to_numpy(), q, side="right")]
    out[q > t.max()] = np.nan
    return pd.Series(out, index=pd.Index(q, name="time"), name="cumhaz")


def event_rate(durations: ArrayLike, events: ArrayLike) -> float:
    """Events per unit of follow-up time: the hazard, if it were constant."""
    t, e = survival_arrays(durations, events)
    return float(e.sum() / t.sum())


# --------------------------------------------------------------------------- HR vs probabilities


def hazard_vs_probability(
    durations: ArrayLike, events: ArrayLike, groups: ArrayLike,
    order: tuple[object, object], times: Sequence[float],
) -> pd.DataFrame:
    """At each time: each group's probability of the event by then, and two ratios.

    Columns: prob_first, prob_second (1 - Kaplan-Meier), prob_ratio, cumhaz_first,
    cumhaz_second (Nelson-Aalen) and cumhaz_ratio. Under proportional hazards the ratio of
    cumulative hazards stays at the HR; the ratio of probabilities does not.
    """
    t, e = survival_arrays(durations, events)
    g = np.asarray(groups, dtype=object).ravel()
    columns = {}
    for name, label in zip(("first", "second"), order, strict=True):
        keep = g == label
        if not keep.any():
            raise ValueError(f"group {label!r} has no patients")
        columns[f"prob_{name}"] = 1.0 - survival_at(t[keep], e[keep], times).to_numpy()
        columns[f"cumhaz_{name}"] = nelson_aalen_at(t[keep], e[keep], times).to_numpy()
    table = pd.DataFrame(columns, index=pd.Index(list(times), name="time"))
    with np.errstate(divide="ignore", invalid="ignore"):
        table["prob_ratio"] = table["prob_first"] / table["prob_second"]
        table["cumhaz_ratio"] = table["cumhaz_first"] / table["cumhaz_second"]
    return table[["prob_first", "prob_second", "prob_ratio",
                  "cumhaz_first", "cumhaz_second", "cumhaz_ratio"]]


def ph_probability_ratio(hr: float, reference_probability: ArrayLike) -> NDArray[np.float64]:
    """The ratio of event probabilities that proportional hazards with this HR imply.

    If the reference group has had the event with probability F0 by t, the other group has
    1 - (1 - F0)^HR: the ratio starts at the HR while events are rare and falls to 1 as F0
    approaches 1 (everyone has the event eventually, in both groups).
    """
    f0 = np.asarray(reference_probability, dtype=float)
    if hr <= 0 or np.any((f0 <= 0) | (f0 > 1)):
        raise ValueError("need HR > 0 and reference probabilities in (0, 1]")
    with np.errstate(divide="ignore"):  # log1p(-1) = -inf gives the exact 1 - 0 = 1
        return -np.expm1(hr * np.log1p(-f0)) / f0  # 1 - (1 - f0)^hr without cancellation


def plot_probability_ratio(
    durations: ArrayLike, events: ArrayLike, groups: ArrayLike, order: tuple[object, object],
    hr: float, ax: Axes | None = None, *, time_label: str = "Months",
) -> Axes:
    """Ratio of event probabilities over time (first / second group) against a constant HR.

    Solid steps: the ratio of the two Kaplan-Meier probabilities; dotted: the ratio that
    proportional hazards with ``hr`` imply, given the second group's curve; dashed: ``hr``.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.6), layout="constrained")
    t, e = survival_arrays(durations, events)
    g = np.asarray(groups, dtype=object).ravel()
    grid = np.unique(t[e > 0])
    grid = grid[grid <= min(t[g == label].max() for label in order)]
    table = hazard_vs_probability(t, e, g, order, grid)
    shown = table[(table["prob_second"] > 0) & np.isfinite(table["prob_ratio"])]
    black, purple, orange, _ = _LINES
    ax.step(shown.index, shown["prob_ratio"], where="post", color=black, linewidth=1.6,
            label="ratio of probabilities (Kaplan-Meier)", gid="prob_ratio")
    ax.plot(shown.index, ph_probability_ratio(hr, shown["prob_second"]), color=purple,
            linestyle=":", linewidth=2.2, label=f"implied by a constant HR of {hr:.2f}",
            gid="implied")
    ax.axhline(hr, color=orange, linestyle="--", linewidth=1.2, label=f"HR = {hr:.2f}",
               gid="hr")
    ax.axhline(1.0, color="0.6", linewidth=0.8)
    ax.set_xlabel(time_label)
    ax.set_ylabel("Ratio, first group to second")
    top = max(hr, float(shown["prob_ratio"].max()) if len(shown) else hr)
    ax.set_ylim(0, 1.45 * top)  # room for the legend above the lines
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=9, loc="upper right")
    return ax


# --------------------------------------------------------------------------- partial likelihood


def partial_likelihood_terms(
    durations: ArrayLike, events: ArrayLike, x: ArrayLike, beta: float,
    labels: Sequence[object] | None = None,
) -> pd.DataFrame:
    """One row per event: the share of the risk set's hazard held by the one who had it.

    With one covariate x, patient i's hazard is h0(t) exp(beta x_i). At an event time the
    chance that it was patient i, of all those at risk, is exp(beta x_i) / sum over the risk
    set of exp(beta x_j): h0(t) cancels. The partial likelihood is the product of these
    shares (Breslow's form at tied times: each tied event sees the whole risk set).
    """
    t, e = survival_arrays(durations, events)
    xs = np.asarray(x, dtype=float).ravel()
    if xs.size != t.size:
        raise ValueError(f"x has {xs.size} values but durations has {t.size}")
    names = list(range(t.size)) if labels is None else list(labels)
    score = np.exp(beta * xs)
    rows = []
    for i in np.flatnonzero(e > 0)[np.argsort(t[e > 0], kind="stable")]:
        at_risk = t >= t[i]
        total = float(score[at_risk].sum())
        rows.append({"time": t[i], "patient": names[i], "x": xs[i],
                     "n_at_risk": int(at_risk.sum()), "score": score[i], "risk_total": total,
                     "share": score[i] / total})
    table = pd.DataFrame(rows)
    table["log_share"] = np.log(table["share"])
    return table


def profile_loglik(
    durations: ArrayLike, events: ArrayLike, x: ArrayLike, betas: ArrayLike,
    ties: Ties = "breslow",
) -> NDArray[np.float64]:
    """Log partial likelihood of a one-covariate Cox model at each beta in ``betas``."""
    xs = np.asarray(x, dtype=float).reshape(-1, 1)
    return np.array([cox_derivatives(durations, events, xs, [b], ties=ties)[0]
                     for b in np.asarray(betas, dtype=float).ravel()])


def likelihood_ratio_interval(
    durations: ArrayLike, events: ArrayLike, x: ArrayLike, ties: Ties = "breslow",
    level: float = 0.95,
) -> tuple[float, float, float]:
    """(beta_hat, lower, upper): where the log partial likelihood drops chi2(1)/2 below its top.

    The profile-likelihood interval; the Wald interval beta_hat +/- 1.96 SE approximates it by
    a parabola, which is poor when the curve is lopsided (few events, a rare level).
    """
    xs = np.asarray(x, dtype=float).reshape(-1, 1)
    beta, top, info, converged = cox_newton(durations, events, xs, ties=ties)
    if not converged:
        raise ValueError("the Cox fit did not converge: no likelihood-ratio interval")
    b, drop = float(beta[0]), float(chdtri(1, 1 - level)) / 2
    se = 1.0 / np.sqrt(float(info[0, 0]))

    def gap(value: float) -> float:
        return float(profile_loglik(durations, events, xs, [value], ties)[0]) - (top - drop)

    ends = []
    for side in (-1.0, 1.0):
        step = 2 * se
        while gap(b + side * step) > 0:
            step *= 2
        ends.append(brentq(gap, *sorted((b, b + side * step)), xtol=1e-12))
    return b, ends[0], ends[1]


# --------------------------------------------------------------------------- Cox tables, coding


def cox_table(result: CoxResult) -> pd.DataFrame:
    """A fitted model as the columns of a published Cox table, one row per covariate."""
    return pd.DataFrame({
        "coef": result.coef, "se": result.se, "z": result.coef / result.se, "hr": result.hr,
        "ci_lower": result.ci_lower, "ci_upper": result.ci_upper, "p": result.p,
    })


def indicators(values: ArrayLike, reference: object, levels: Sequence[object]) -> pd.DataFrame:
    """0/1 columns for every level but ``reference``: each coefficient is that level against it."""
    v = pd.Series(np.asarray(values, dtype=object).ravel())
    unknown = sorted(set(v) - set(levels), key=str)
    if unknown or reference not in levels:
        raise ValueError(f"levels {list(levels)} must include the reference {reference!r} and "
                         f"every value (unknown: {unknown})")
    return pd.DataFrame({str(level): (v == level).astype(int)
                         for level in levels if level != reference})


def cox_fit_stratified(
    df: pd.DataFrame, duration_col: str, event_col: str, covariates: Sequence[str],
    strata: Sequence[str],
) -> CoxResult:
    """Cox model with a separate baseline hazard in each stratum (lifelines, Efron ties).

    Why: a factor whose effect is not proportional can be stratified on instead of modelled;
    it then gets no hazard ratio, and the others are estimated within its levels.
    """
    from lifelines import CoxPHFitter

    data = df[[duration_col, event_col, *covariates, *strata]].astype(float)
    cph = CoxPHFitter().fit(data, duration_col=duration_col, event_col=event_col,
                            strata=list(strata), fit_options=dict(LIFELINES_COX_FIT_OPTIONS))
    s = cph.summary.loc[list(covariates)]
    return cox_result(list(covariates), s["coef"].to_numpy(), s["se(coef)"].to_numpy(),
                       cph.log_likelihood_, "efron")


def split_at(durations: ArrayLike, events: ArrayLike, x: ArrayLike, cut: float) -> pd.DataFrame:
    """Each patient's follow-up split at ``cut`` into (start, stop] periods, as R's survSplit.

    ``x_early`` carries x in the period up to the cut and 0 after, ``x_late`` the reverse, so a
    Cox model on both has one log hazard ratio per period.
    """
    t, e = survival_arrays(durations, events)
    xs = np.asarray(x, dtype=float).ravel()
    early = pd.DataFrame({"id": np.arange(t.size), "start": 0.0, "stop": np.minimum(t, cut),
                          "event": np.where(t <= cut, e, 0.0), "x_early": xs, "x_late": 0.0})
    late_rows = t > cut
    late = pd.DataFrame({"id": np.flatnonzero(late_rows), "start": cut, "stop": t[late_rows],
                         "event": e[late_rows], "x_early": 0.0, "x_late": xs[late_rows]})
    return pd.concat([early, late], ignore_index=True).sort_values(["id", "start"],
                                                                   ignore_index=True)


def piecewise_cox(durations: ArrayLike, events: ArrayLike, x: ArrayLike, cut: float) -> CoxResult:
    """A Cox model whose coefficient for x changes at ``cut`` (lifelines, Efron ties).

    Covariates ``x_early`` and ``x_late``: their HRs are the hazard ratios before and after.
    """
    from lifelines import CoxTimeVaryingFitter

    split = split_at(durations, events, x, cut)
    if not split["event"].any():
        raise ValueError("no events: nothing to fit")
    ctv = CoxTimeVaryingFitter().fit(split, id_col="id", event_col="event", start_col="start",
                                     stop_col="stop", fit_options=dict(LIFELINES_COX_FIT_OPTIONS))
    s = ctv.summary.loc[["x_early", "x_late"]]
    return cox_result(["x_early", "x_late"], s["coef"].to_numpy(), s["se(coef)"].to_numpy(),
                       ctv.log_likelihood_, "efron")


# --------------------------------------------------------------------------- PH checks


def log_minus_log(durations: ArrayLike, events: ArrayLike) -> pd.DataFrame:
    """log(-log Ŝ(t)) at the event times where 0 < Ŝ < 1, against log t.

    Under proportional hazards log(-log S1) - log(-log S0) = log HR at every t, so two groups'
    curves are parallel; curves that converge or cross speak against it.
    """
    km = km_table(durations, events)
    km = km[(km["survival"] > 0) & (km["survival"] < 1) & (km["time"] > 0)]
    return pd.DataFrame({"time": km["time"], "log_time": np.log(km["time"]),
                         "survival": km["survival"],
                         "loglog": np.log(-np.log(km["survival"]))}).reset_index(drop=True)


def _log_time_axis(ax: Axes, low: float, high: float) -> None:
    """A log time axis labelled in plain months (1, 2, 5, 10, ...), not powers of ten."""
    from matplotlib import ticker

    ax.set_xscale("log")
    ticks = [m * 10.0**k for k in range(-2, 4) for m in (1, 2, 5)]
    ax.xaxis.set_major_locator(ticker.FixedLocator([x for x in ticks if low <= x <= high]))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda x, _: f"{x:g}"))
    ax.xaxis.set_minor_formatter(ticker.NullFormatter())


def plot_log_minus_log(
    durations: ArrayLike, events: ArrayLike, groups: ArrayLike, ax: Axes | None = None,
    *, time_label: str = "Months (log scale)",
) -> Axes:
    """log(-log Ŝ) of each group against time on a log axis; parallel curves fit PH."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.6), layout="constrained")
    t, e = survival_arrays(durations, events)
    g = np.asarray(groups, dtype=object).ravel()
    for i, label in enumerate(pd.unique(g)):
        curve = log_minus_log(t[g == label], e[g == label])
        ax.step(curve["time"], curve["loglog"], where="post", linewidth=1.8,
                color=arm_colour(label) or _LINES[i % len(_LINES)], label=str(label),
                gid=f"loglog:{label}")
    _log_time_axis(ax, float(t[t > 0].min()), float(t.max()))
    ax.set_xlabel(time_label)
    ax.set_ylabel("log(-log Ŝ(t))")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=9)
    return ax


# --------------------------------------------------------------------------- simulation

SIMULATED_ARMS = ("Control (simulated)", "Treated (simulated)")


def simulate_arms(
    hr_early: float, hr_late: float | None = None, *, cut: float = 6.0, n_per_arm: int = 200,
    seed: int, control_median: float = 12.0, follow_up: tuple[float, float] = (12.0, 36.0),
) -> pd.DataFrame:
    """Two SIMULATED arms with exponential hazards; the treated arm's HR may change at ``cut``.

    ``hr_late=None`` keeps one HR throughout (proportional hazards). Each arm draws its own
    unit-exponential variables and follow-up times from one seeded generator, so the control
    arm is identical for every HR and the treated arm changes only through the HR. Columns
    os_months, os_event, treated (0/1) and arm, named like the cohort's so the package's
    functions read them; the values are simulated, not the cohort's.
    """
    late = hr_early if hr_late is None else hr_late
    if min(hr_early, late, control_median, cut) <= 0:
        raise ValueError("hazard ratios, the control median and the cut must be > 0")
    rng = np.random.default_rng(seed)
    unit = rng.exponential(size=(2, n_per_arm))
    censor = rng.uniform(*follow_up, size=(2, n_per_arm))
    rate = np.log(2) / control_median
    control = unit[0] / rate
    before = rate * hr_early * cut  # the treated arm's cumulative hazard at the cut
    treated = np.where(unit[1] <= before, unit[1] / (rate * hr_early),
                       cut + (unit[1] - before) / (rate * late))
    latent = np.concatenate([control, treated])
    limit = censor.ravel()
    return pd.DataFrame({
        "os_months": np.minimum(latent, limit), "os_event": (latent <= limit).astype(int),
        "treated": np.repeat([0, 1], n_per_arm), "arm": np.repeat(SIMULATED_ARMS, n_per_arm),
    })

"""Censoring, and what goes wrong when it is ignored: the logic of book/time-to-event.md.

Why this module exists: "why not just drop the censored patients?" is the first question every
learner asks, and the answer is more convincing with numbers than with a theorem. The functions
here compute a median and a landmark survival four ways (Kaplan-Meier, and three shortcuts
that mishandle the censored patients), and replay loss to follow-up on top of the recorded
data, either unrelated to prognosis or striking the patients who die soonest, so that a page
can show which estimates stay put and which drift.

Everything is seeded and runs on the SYNTHETIC cohort's (time, event) pairs; no real patient's
data are involved. The Kaplan-Meier arithmetic is a small numpy copy of
:mod:`lungmets.stats.survival_stats`' (same conventions; the tests check they agree), because a
replay experiment calls it thousands of times and must stay fast enough for a live widget.
"""

from __future__ import annotations

import warnings
from typing import Literal

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq

from lungmets.display.plots import OKABE_ITO
from lungmets.teaching.life_table import fixed_size_figure

__all__ = [
    "APPROACHES",
    "MECHANISMS",
    "SEED",
    "Mechanism",
    "estimates",
    "impose_loss",
    "loss_experiment",
    "loss_times",
    "mean_curve",
    "plot_follow_up",
    "plot_loss",
]

SEED = 2016
"""One seed for every replay, so each page position and each rebuild shows the same draws."""

APPROACHES: dict[str, str] = {
    "km": "Kaplan-Meier (censoring respected)",
    "drop": "Censored patients dropped",
    "as_deaths": "Censored patients counted as deaths",
    "as_alive": "Censored patients counted as never dying",
}
"""The four ways of handling censored patients the page compares, in readers' words."""

Mechanism = Literal["unrelated", "informative"]
MECHANISMS: dict[Mechanism, str] = {
    "unrelated": "Loss unrelated to prognosis",
    "informative": "Patients who die sooner are lost sooner",
}

_TOL = 1e-10


def _km(t: NDArray[np.float64], e: NDArray[np.float64]) -> tuple[NDArray, NDArray]:
    """Death times and Ŝ just after each (right-continuous; censorings tied with deaths at risk)."""
    times, row = np.unique(t, return_inverse=True)
    deaths = np.bincount(row, weights=e, minlength=times.size)
    at_risk = t.size - np.concatenate(([0], np.cumsum(np.bincount(row))[:-1]))
    keep = deaths > 0
    return times[keep], np.cumprod(1.0 - deaths[keep] / at_risk[keep])


def _median_and_rate(times: NDArray, surv: NDArray, landmark: float) -> tuple[float, float]:
    """First time Ŝ ≤ 0.5 (nan if never) and Ŝ(landmark)."""
    reached = np.flatnonzero(surv <= 0.5 + _TOL)
    median = float(times[reached[0]]) if reached.size else np.nan
    rate = np.concatenate(([1.0], surv))[np.searchsorted(times, landmark, side="right")]
    return median, float(rate)


def _estimates(t: NDArray, e: NDArray, landmark: float) -> NDArray[np.float64]:
    """Rows in APPROACHES order: patients used, median, survival at the landmark."""
    dead = e == 1
    never = np.where(dead, t, np.inf)  # censored patients followed for ever without dying
    inputs = ((t, e), (t[dead], e[dead]), (t, np.ones_like(e)), (never, e))
    out = np.empty((len(inputs), 3))
    for i, (ti, ei) in enumerate(inputs):
        out[i] = (ti.size, *_median_and_rate(*_km(ti, ei), landmark))
    return out


def estimates(time: ArrayLike, event: ArrayLike, landmark: float) -> pd.DataFrame:
    """Median and survival at ``landmark`` by Kaplan-Meier and by three shortcuts.

    Dropping the censored keeps only the deaths, so every patient in the estimate dies;
    counting them as deaths puts a death at each censoring; counting them as never dying
    gives them an infinite survival. Beyond the last follow-up Kaplan-Meier has no estimate,
    so ``landmark`` must not exceed it.
    """
    t, e = np.asarray(time, dtype=float), np.asarray(event, dtype=float)
    if landmark > t.max():
        raise ValueError(f"landmark {landmark} is beyond the last follow-up ({t.max()})")
    values = _estimates(t, e, landmark)
    return pd.DataFrame(values, index=pd.Index(list(APPROACHES), name="approach"),
                        columns=["patients", "median", "survival"]).astype({"patients": int})


def _loss_scale(t: NDArray[np.float64], fraction: float, mechanism: Mechanism) -> NDArray:
    """What a standard exponential draw is multiplied by to give each patient's loss time."""
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"fraction={fraction!r} must lie in [0, 1)")
    if fraction == 0.0:
        return np.full(t.shape, np.inf)
    if mechanism == "unrelated":
        rate = brentq(lambda r: np.mean(1 - np.exp(-r * t)) - fraction, 0.0, 1e3 / t[t > 0].min())
        return np.full(t.shape, 1.0 / rate)
    if mechanism == "informative":
        return t / -np.log1p(-fraction)
    raise ValueError(f"mechanism={mechanism!r}: expected one of {list(MECHANISMS)}")


def loss_times(
    time: ArrayLike, fraction: float, mechanism: Mechanism, draws: ArrayLike
) -> NDArray[np.float64]:
    """Each patient's time of loss to follow-up (inf: never lost) from standard exponential draws.

    unrelated: L = E/λ, one rate λ for everyone, chosen so that on average ``fraction`` of the
    patients are lost before their recorded end: the loss says nothing about the patient.
    informative: L = E·T/c with c = -log(1 - fraction): each patient has the same chance of
    being lost, but at a point of their own follow-up T, so those who die soon are lost soon.
    """
    t = np.asarray(time, dtype=float)
    return np.asarray(draws, dtype=float) * _loss_scale(t, fraction, mechanism)


def _censor(t: NDArray, e: NDArray, when: NDArray) -> tuple[NDArray, NDArray]:
    lost = when < t
    return np.where(lost, when, t), np.where(lost, 0.0, e)


def impose_loss(
    time: ArrayLike, event: ArrayLike, fraction: float, mechanism: Mechanism, draws: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(time, event) after loss to follow-up: a lost patient is censored when lost."""
    t, e = np.asarray(time, dtype=float), np.asarray(event, dtype=float)
    return _censor(t, e, loss_times(t, fraction, mechanism, draws))


def _replays(
    t: NDArray, e: NDArray, fraction: float, mechanism: Mechanism, n_rep: int, seed: int
) -> list[tuple[NDArray, NDArray]]:
    """``n_rep`` seeded replays of the loss (the scale is solved once, not per replay)."""
    scale = _loss_scale(t, fraction, mechanism)
    return [_censor(t, e, d * scale) for d in _draws(t.size, n_rep, seed)]


def _draws(n_patients: int, n_rep: int, seed: int) -> NDArray[np.float64]:
    return np.random.default_rng(seed).standard_exponential((n_rep, n_patients))


def loss_experiment(
    time: ArrayLike,
    event: ArrayLike,
    fraction: float,
    mechanism: Mechanism,
    *,
    landmark: float,
    n_rep: int = 200,
    seed: int = SEED,
) -> pd.DataFrame:
    """Each approach's average median and landmark survival over ``n_rep`` seeded replays.

    The recorded data's own Kaplan-Meier estimates are the reference (column ``recorded``): an
    approach that is unbiased under the replayed loss stays close to them on average. Medians
    not reached in a replay are left out of its average; ``not_reached`` counts them.
    """
    t, e = np.asarray(time, dtype=float), np.asarray(event, dtype=float)
    runs = np.stack([_estimates(ti, ei, landmark)
                     for ti, ei in _replays(t, e, fraction, mechanism, n_rep, seed)])
    reference = _estimates(t, e, landmark)[0]
    medians = runs[:, :, 1]
    reached = (~np.isnan(medians)).sum(axis=0)
    with np.errstate(invalid="ignore"):  # an approach whose median is never reached: nan
        mean_median = np.nansum(medians, axis=0) / reached
    return pd.DataFrame({
        "median": mean_median,
        "not_reached": n_rep - reached,
        "survival": runs[:, :, 2].mean(axis=0),
        "recorded_median": reference[1], "recorded_survival": reference[2],
    }, index=pd.Index(list(APPROACHES), name="approach"))


def mean_curve(
    time: ArrayLike, event: ArrayLike, fraction: float, mechanism: Mechanism,
    grid: ArrayLike, *, n_rep: int = 200, seed: int = SEED,
) -> NDArray[np.float64]:
    """The Kaplan-Meier curve averaged over replays, on ``grid`` (nan past every replay's end)."""
    t, e, g = (np.asarray(x, dtype=float) for x in (time, event, grid))
    curves = np.full((n_rep, g.size), np.nan)
    for i, (ti, ei) in enumerate(_replays(t, e, fraction, mechanism, n_rep, seed)):
        times, surv = _km(ti, ei)
        at = np.concatenate(([1.0], surv))[np.searchsorted(times, g, side="right")]
        curves[i] = np.where(g <= ti.max(), at, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-nan columns past every end
        return np.nanmean(curves, axis=0)


# --------------------------------------------------------------------------- figures

REFERENCE_COLOUR = OKABE_ITO["black"]
REPLAY_COLOUR = OKABE_ITO["sky blue"]
MEAN_COLOUR = OKABE_ITO["reddish purple"]


def _step(ax: Axes, t: NDArray, e: NDArray, **style: object) -> None:
    times, surv = _km(t, e)
    end = t.max()
    x = np.concatenate(([0.0], times, [end]))
    y = np.concatenate(([1.0], surv, [surv[-1] if surv.size else 1.0]))
    ax.step(x, y, where="post", **style)


def plot_loss(
    time: ArrayLike, event: ArrayLike, fraction: float, mechanism: Mechanism, *,
    landmark: float, n_rep: int = 200, seed: int = SEED,
    time_label: str = "Months from detection of the lung metastases",
) -> Axes:
    """The recorded curve, one replay of loss to follow-up, and the average over replays.

    Under loss unrelated to prognosis the average stays on the recorded curve (one replay
    wobbles around it); when the patients who die sooner are lost sooner, it rises above it.
    """
    t, e = np.asarray(time, dtype=float), np.asarray(event, dtype=float)
    _, ax = fixed_size_figure(6.5, 3.4)
    _step(ax, t, e, color=REFERENCE_COLOUR, linewidth=1.6, label="as recorded", gid="recorded")
    first = _draws(t.size, 1, seed)[0]
    ti, ei = impose_loss(t, e, fraction, mechanism, first)
    _step(ax, ti, ei, color=REPLAY_COLOUR, linewidth=1.2, label="one replay", gid="replay")
    lost = ti < t
    times, surv = _km(ti, ei)
    at = np.concatenate(([1.0], surv))[np.searchsorted(times, ti[lost], side="right")]
    ax.plot(ti[lost], at, "+", color=REPLAY_COLOUR, markersize=8, markeredgewidth=1.3,
            label="lost to follow-up", gid="lost")
    grid = np.linspace(0.0, t.max(), 200)
    ax.plot(grid, mean_curve(t, e, fraction, mechanism, grid, n_rep=n_rep, seed=seed),
            color=MEAN_COLOUR, linewidth=2.0, linestyle="--",
            label=f"average of {n_rep} replays", gid="mean")
    ax.axvline(landmark, color="0.6", linewidth=0.8, linestyle=":",
               label=f"landmark, {landmark:g} months")
    ax.set(xlim=(0, t.max() * 1.02), ylim=(0, 1.05), xlabel=time_label,
           ylabel="Overall survival, Ŝ(t)")
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    ax.set_title(f"{MECHANISMS[mechanism]}\n{int(lost.sum())} of {t.size} synthetic patients "
                 "lost in the replay shown", fontsize=9, loc="left")
    ax.figure.subplots_adjust(top=0.84)
    return ax


def plot_follow_up(extract: pd.DataFrame, closing: pd.Timestamp) -> Axes:
    """Each patient's follow-up as a line, in calendar time (left) and on the study clock (right).

    Why both: in calendar time every censored line ends at the closing date, which is what
    administrative censoring means; on the study clock the same lines start together at 0 and
    end at different times, which is what the Kaplan-Meier estimator sees. ``extract`` has
    columns patient, months, died, start and end (see ``life_table.hand_extract``).
    """
    figure, left = fixed_size_figure(7.0, 3.6)
    figure.subplots_adjust(left=0.08, right=0.98, bottom=0.25, top=0.9, wspace=0.12)
    left.set_subplotspec(figure.add_gridspec(1, 2)[0])
    right = figure.add_subplot(figure.add_gridspec(1, 2)[1], sharey=left)
    rows = np.arange(len(extract))[::-1]
    died = extract["died"].to_numpy() == 1
    for ax, start, end in ((left, extract["start"], extract["end"]),
                           (right, np.zeros(len(extract)), extract["months"])):
        ax.hlines(rows, start, end, color=REFERENCE_COLOUR, linewidth=1.4)
        ends = np.asarray(end)
        ax.plot(ends[died], rows[died], "o", color=REFERENCE_COLOUR, markersize=6,
                label="died")
        ax.plot(ends[~died], rows[~died], "o", markerfacecolor="white", markersize=6,
                markeredgecolor=REFERENCE_COLOUR, label="censored (alive at last follow-up)")
    left.axvline(closing, color=MEAN_COLOUR, linestyle="--", linewidth=1.2,
                 label="follow-up closed")
    left.xaxis.set_major_locator(mdates.YearLocator())
    left.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    left.set(yticks=rows, yticklabels=extract["patient"], xlabel="Calendar date",
             title="Calendar time")
    right.set(xlabel="Months from detection of the lung metastases", title="Study clock",
              xlim=(0, None))
    right.tick_params(axis="y", labelleft=False)
    figure.legend(*left.get_legend_handles_labels(), loc="lower center", ncol=3, fontsize=8,
                  frameon=False)
    for ax in (left, right):
        ax.title.set_fontsize(10)
    return left

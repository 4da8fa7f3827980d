"""The Kaplan-Meier estimator by hand: the logic of book/kaplan-meier.md.

Why this module exists: a learner who has filled in a life table with a pencil can trust the
library that prints the same numbers, and can see where each number comes from. So the
functions here build the table the textbook way (one row per distinct time, deaths and
censorings side by side), add Greenwood's variance term by term, and put a pointwise 95%
confidence interval around Ŝ(t) on the plain, log or log-log scale. tests/test_life_table.py
checks every number against lifelines, statsmodels, scipy and R (a committed fixture).

Conventions are those of :mod:`lungmets.stats.survival_stats`: a censoring tied with a death is
still at risk at that time, and z is the exact normal quantile (1.95996...), as lifelines and R use.
The medians and their intervals are not recomputed here: the page calls
``km_median_spss``, ``km_median_lifelines`` and ``km_median_r`` from that module.

Everything here runs on the SYNTHETIC cohort or on hand-made numbers, never on real patients.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from numpy.typing import ArrayLike, NDArray

from lungmets.analyses.endpoints import endpoint_data
from lungmets.display.plots import OKABE_ITO
from lungmets.stats.survival_stats import WALD_Z

__all__ = [
    "DEFAULT_SCALE",
    "SCALES",
    "CiScale",
    "confidence_interval",
    "figure_and_table_html",
    "fixed_size_figure",
    "greenwood",
    "hand_extract",
    "life_table",
    "plot_life_table",
    "readers_ci_table",
    "readers_greenwood_table",
    "readers_life_table",
    "with_patient_changed",
]

CiScale = Literal["plain", "log", "log-log"]
SCALES: tuple[CiScale, ...] = ("plain", "log", "log-log")

DEFAULT_SCALE: dict[str, CiScale] = {
    "lifelines (KaplanMeierFitter)": "log-log",
    "R (survfit)": "log",
    "scipy (ecdf)": "plain",
}
"""The scale each library's pointwise band uses unless told otherwise (checked in the tests:
lifelines' ``confidence_interval_`` is its "exponential Greenwood" band, R's ``survfit`` has
``conf.type = "log"`` by default, scipy's ``confidence_interval`` has ``method="linear"``)."""

SCALE_COLUMNS: dict[CiScale, str] = {
    "plain": "Plain scale (scipy's default)",
    "log": "Log scale (R's default)",
    "log-log": "Log-log scale (lifelines' band)",
}
"""Column headings of :func:`readers_ci_table`, naming whose default each scale is."""

# Not an arm's colour (lungmets.display.plots keeps those for the treatment arms).
CURVE_COLOUR = OKABE_ITO["black"]
BAND_COLOUR = OKABE_ITO["sky blue"]
TIMES, MINUS = "\u00d7", "\u2212"  # typeset x and -, for readers' tables
CHANGED_COLOUR = OKABE_ITO["reddish purple"]


def _arrays(time: ArrayLike, event: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Checked copies; an error names the first bad position, so a typo in hand data is found."""
    t = np.asarray(time, dtype=float).ravel()
    e = np.asarray(event).ravel()
    if t.shape != e.shape or t.size == 0:
        raise ValueError(f"time has {t.size} values and event {e.size}: need equal, non-zero")
    bad = np.flatnonzero(~np.isfinite(t) | (t < 0) | ~np.isin(e, (0, 1)))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"position {i}: time {t[i]!r}, event {e[i]!r} (want time >= 0, 0/1)")
    return t, e.astype(np.int64)


def hand_extract(patients: pd.DataFrame, n_deaths: int = 6, n_censored: int = 4) -> pd.DataFrame:
    """A small overall-survival extract for hand work, in time order.

    Why evenly spaced picks and not a random draw: taking every k-th death and every k-th
    censoring (in time order) keeps the cohort's spread of early and late deaths and
    censorings, and gives the same patients on every build. Columns: patient, months, died
    (1/0), start (detection of the lung metastases) and end (death or last follow-up).
    """
    os_ = endpoint_data(patients, "os")
    frame = pd.DataFrame({
        "patient": patients["patient_id"], "months": os_["time"], "died": os_["event"],
        "start": pd.to_datetime(patients["lung_mets_detected_date"]),
        "end": pd.to_datetime(patients["last_followup_date"]),
    })
    picks = []
    for status, k in ((1, n_deaths), (0, n_censored)):
        group = frame[frame["died"] == status].sort_values(["months", "patient"])
        if not 0 < k <= len(group):
            raise ValueError(f"asked for {k} patients with died={status}; {len(group)} exist")
        picks.append(group.iloc[np.round(np.linspace(0, len(group) - 1, k)).astype(int)])
    extract = pd.concat(picks).sort_values(["months", "died"], ascending=[True, False])
    return extract.reset_index(drop=True)


def life_table(
    time: ArrayLike, event: ArrayLike, labels: Sequence[str] | None = None
) -> pd.DataFrame:
    """The Kaplan-Meier life table: one row per distinct time, deaths or censorings.

    n (at_risk) counts the patients still followed just before t; d died at t; c were censored
    at t. conditional = 1 - d/n is the chance of getting past t alive for those alive just
    before it, and survival Ŝ(t) is the running product of those chances. A censored row
    leaves Ŝ unchanged: it only makes the next n smaller. ``labels`` (one per patient) adds a
    column naming the patients of each row.
    """
    t, e = _arrays(time, event)
    times, row = np.unique(t, return_inverse=True)
    deaths = np.bincount(row, weights=e, minlength=times.size).astype(np.int64)
    leaving = np.bincount(row, minlength=times.size)
    at_risk = t.size - np.concatenate(([0], np.cumsum(leaving)[:-1]))
    conditional = 1.0 - deaths / at_risk
    table = pd.DataFrame({
        "time": times, "at_risk": at_risk, "deaths": deaths, "censored": leaving - deaths,
        "conditional": conditional, "survival": np.cumprod(conditional),
    })
    if labels is not None:
        names = np.asarray(labels, dtype=object)
        if names.size != t.size:
            raise ValueError(f"labels has {names.size} values for {t.size} patients")
        table["patients"] = [", ".join(names[row == i]) for i in range(times.size)]
    return table


def greenwood(table: pd.DataFrame) -> pd.DataFrame:
    """Greenwood's variance of Ŝ(t), term by term, added to a :func:`life_table`.

    Each death time adds d/(n(n - d)) to a running sum, and Var Ŝ(t) = Ŝ(t)² times the sum. A death
    late in follow-up, when n is small, adds far more than an early one: that is why bands
    widen to the right. Where the curve reaches 0 (n = d) the term is infinite and the product
    has no value; the variance is set to 0 there, as lifelines and survival_stats do.
    """
    n, d = table["at_risk"].to_numpy(float), table["deaths"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(d > 0, d / (n * (n - d)), 0.0)
        total = np.cumsum(term)
        variance = table["survival"].to_numpy() ** 2 * total
    variance[table["survival"].to_numpy() == 0.0] = 0.0
    return table.assign(term=term, running_sum=total, variance=variance,
                        se=np.sqrt(variance))


def confidence_interval(
    survival: ArrayLike, se: ArrayLike, scale: CiScale, z: float = WALD_Z
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """A pointwise confidence interval for S(t) on one scale, back on the probability scale.

    plain: Ŝ ± z·SE, cut to [0, 1] (it would otherwise leave it); log: Ŝ·exp(±z·SE/Ŝ), i.e.
    symmetric for log Ŝ, upper limit cut at 1 (R's default); log-log: Ŝ^exp(±z·SE/(Ŝ·log Ŝ)),
    symmetric for log(-log Ŝ), always inside (0, 1) (lifelines' band). Where SE = 0 (before the
    first death) both limits are Ŝ; where Ŝ = 0 the log and log-log limits do not exist (nan),
    as in R (lifelines reports 0).
    """
    s, sd = np.asarray(survival, dtype=float), np.asarray(se, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if scale == "plain":
            lower, upper = np.clip(s - z * sd, 0, 1), np.clip(s + z * sd, 0, 1)
        elif scale == "log":
            lower, upper = s * np.exp(-z * sd / s), np.minimum(s * np.exp(z * sd / s), 1.0)
        elif scale == "log-log":
            spread = np.exp(z * sd / (s * np.abs(np.log(s))))
            lower, upper = s**spread, s ** (1 / spread)
        else:
            raise ValueError(f"scale={scale!r}: expected one of {SCALES}")
    flat = sd == 0.0
    lower, upper = np.where(flat, s, lower), np.where(flat, s, upper)
    if scale != "plain":
        lower, upper = np.where(s == 0.0, np.nan, lower), np.where(s == 0.0, np.nan, upper)
    return lower, upper


def with_patient_changed(
    extract: pd.DataFrame, patient: str, months: float, died: int
) -> pd.DataFrame:
    """The extract with one patient's time and status replaced (what the page's widget moves)."""
    if patient not in set(extract["patient"]):
        raise KeyError(f"patient {patient!r} is not in the extract")
    if died not in (0, 1) or not months >= 0:
        raise ValueError(f"months={months!r}, died={died!r}: want months >= 0 and died 0/1")
    changed = extract.copy()
    row = changed["patient"] == patient
    changed.loc[row, "months"] = float(months)
    changed.loc[row, "died"] = int(died)
    return changed.sort_values(["months", "died"], ascending=[True, False]).reset_index(drop=True)


# --------------------------------------------------------------------------- for readers


def _months(x: float) -> str:
    return f"{x:g}"


def readers_life_table(table: pd.DataFrame, moved: str | None = None) -> pd.DataFrame:
    """The life table as a reader checks it by hand: every product written out.

    ``moved`` names a patient to flag in the patients column (the widget's changed patient).
    """
    rows, previous = [], 1.0
    for r in table.itertuples():
        died = r.deaths > 0
        row = {"Months": _months(r.time)}
        if "patients" in table.columns:
            row["Patients"] = ", ".join(
                f"{p} (moved)" if p == moved else p for p in r.patients.split(", "))
        row |= {
            "At risk (n)": r.at_risk, "Deaths (d)": r.deaths, "Censored": r.censored,
            f"1 {MINUS} d/n": f"1 {MINUS} {r.deaths}/{r.at_risk} = {r.conditional:.4f}" if died
            else "1 (no death)",
            "Ŝ(t)": f"{previous:.4f} {TIMES} {r.conditional:.4f} = {r.survival:.4f}" if died
            else f"{r.survival:.4f} (unchanged)",
        }
        rows.append(row)
        previous = r.survival
    return pd.DataFrame(rows).set_index("Months")


def readers_greenwood_table(table: pd.DataFrame) -> pd.DataFrame:
    """Greenwood's variance step by step, at the death times of a :func:`greenwood` table."""
    rows = []
    for r in table[table["deaths"] > 0].itertuples():
        last = r.at_risk == r.deaths
        rows.append({
            "Months": _months(r.time), "At risk (n)": r.at_risk, "Deaths (d)": r.deaths,
            f"d / (n(n {MINUS} d))": "not defined (n = d)" if last
            else f"{r.deaths}/({r.at_risk} {TIMES} {r.at_risk - r.deaths}) = {r.term:.4f}",
            "Running sum": "not defined" if last else f"{r.running_sum:.4f}",
            "Ŝ(t)": f"{r.survival:.4f}",
            f"Variance, Ŝ² {TIMES} sum": "0 (the curve is at 0)" if last else f"{r.variance:.5f}",
            "SE": f"{r.se:.4f}",
        })
    return pd.DataFrame(rows).set_index("Months")


def readers_ci_table(table: pd.DataFrame) -> pd.DataFrame:
    """95% CIs of Ŝ(t) on the three scales, at the death times of a :func:`greenwood` table."""
    deaths = table[table["deaths"] > 0]
    out = pd.DataFrame({"Months": deaths["time"].map(_months),
                        "Ŝ(t)": deaths["survival"].map("{:.3f}".format),
                        "SE": deaths["se"].map("{:.3f}".format)})
    for scale in SCALES:
        lower, upper = confidence_interval(deaths["survival"], deaths["se"], scale)
        out[SCALE_COLUMNS[scale]] = [
            "not defined" if np.isnan(lo) else f"{lo:.3f} to {up:.3f}"
            for lo, up in zip(lower, upper, strict=True)]
    return out.set_index("Months")


# --------------------------------------------------------------------------- figures


def fixed_size_figure(width: float = 6.5, height: float = 3.3) -> tuple[Figure, Axes]:
    """A figure with fixed margins and no layout engine at work.

    Why: a panel's states must keep one size (the image would jump otherwise), and a fixed
    layout is the cheapest to draw, which keeps a live recompute fast. The placeholder engine
    tells :func:`lungmets.display.panels.figure_to_png` not to crop the figure.
    """
    figure = plt.figure(figsize=(width, height))
    figure.subplots_adjust(left=0.1, right=0.97, bottom=0.16, top=0.88)
    figure.set_layout_engine(PlaceHolderLayoutEngine(adjust_compatible=True,
                                                     colorbar_gridspec=True))
    return figure, figure.add_subplot()


def _median_guides(ax: Axes, times: NDArray[np.float64], surv: NDArray[np.float64]) -> None:
    """Dashed lines from Ŝ = 0.5 to the median (the first time Ŝ ≤ 0.5), if it is reached."""
    reached = np.flatnonzero(surv <= 0.5 + 1e-10)
    if reached.size:
        median = times[reached[0]]
        style = {"color": CURVE_COLOUR, "linestyle": "--", "linewidth": 1.0}
        ax.plot([0, median, median], [0.5, 0.5, 0], gid="median", **style)
        ax.annotate(f"median {median:g}", (median, 0.02), xytext=(4, 0),
                    textcoords="offset points", fontsize=8, color=CURVE_COLOUR)


def plot_life_table(
    table: pd.DataFrame,
    ax: Axes | None = None,
    *,
    band: CiScale | None = None,
    moved_time: float | None = None,
    time_label: str = "Months from detection of the lung metastases",
    title: str | None = None,
) -> Axes:
    """The curve a :func:`life_table` gives: steps at deaths, + at censorings, Ŝ at each step.

    ``band`` shades a 95% band on that scale (needs a :func:`greenwood` table); ``moved_time``
    rings the point of a patient the reader moved.
    """
    if ax is None:
        _, ax = fixed_size_figure()
    times, surv = table["time"].to_numpy(), table["survival"].to_numpy()
    x, y = np.concatenate(([0.0], times)), np.concatenate(([1.0], surv))
    if band is not None:
        lower, upper = confidence_interval(table["survival"], table["se"], band)
        ax.fill_between(x, np.concatenate(([1.0], lower)), np.concatenate(([1.0], upper)),
                        step="post", color=BAND_COLOUR, alpha=0.35, linewidth=0,
                        label=f"95% CI, {band} scale", gid="band")
    ax.step(x, y, where="post", color=CURVE_COLOUR, linewidth=1.8, label="Ŝ(t)", gid="curve")
    censored = table["censored"].to_numpy() > 0
    ax.plot(times[censored], surv[censored], "+", color=CURVE_COLOUR, markersize=9,
            markeredgewidth=1.4, label="censored", gid="censored")
    for t, s in zip(times[table["deaths"] > 0], surv[table["deaths"] > 0], strict=True):
        ax.annotate(f"{s:.2f}", (t, s), xytext=(2, 3), textcoords="offset points", fontsize=8)
    if moved_time is not None:
        at = surv[np.searchsorted(times, moved_time, side="right") - 1]
        ax.plot([moved_time], [at], "o", markersize=11, markerfacecolor="none",
                markeredgecolor=CHANGED_COLOUR, markeredgewidth=1.6, label="moved patient",
                gid="moved")
    _median_guides(ax, times, surv)
    ax.set(xlim=(0, times.max() * 1.05), ylim=(0, 1.05), xlabel=time_label,
           ylabel="Survival probability, Ŝ(t)")
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    if title:
        ax.set_title(title, fontsize=9, loc="left")
    return ax


def figure_and_table_html(figure: Figure, table: pd.DataFrame, shown: str) -> str:
    """One panel state showing a figure above a table (a panel output is a single item).

    The image is made by :func:`lungmets.display.panels.to_output_widget`, so it carries the same
    alt text and PNG settings as every panel image; its temporary widget is closed at once, so it
    is not saved in the page's widget state.
    """
    from lungmets.display.panels import to_output_widget

    parts = []
    for item in (figure, table):
        widget = to_output_widget(item, shown=shown)
        parts.append(widget.value)
        widget.close()
    return "\n".join(parts)

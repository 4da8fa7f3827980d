"""Figures in the forms clinicians read: Kaplan-Meier with a risk table, forest, waterfall.

The Kaplan-Meier figure follows survminer's ``ggsurvplot`` and the KMunicate recommendations
(Morris et al., BMJ Open 2019): step curves with confidence bands and censor marks, dashed lines
from the medians to the axes, the log-rank p-value, and a table under the plot giving, at each
x tick, the number still at risk and the cumulative events and censorings, so a reader can judge
how much data the right-hand tail of a curve rests on.

Every function takes ``ax=None`` (then makes its own figure with constrained layout) and returns
the axes it drew on. Artists a test or a page may need to find carry a ``gid``.

Colours come from Okabe and Ito's colour-blind-safe palette, defined here once: each treatment
arm has its own colour (:data:`ARM_COLOURS`) on every page, and other groupings never use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb

from lungmets.stats.survival_stats import km_curve, km_median_r, km_median_spss, logrank_fast

__all__ = [
    "ARM_COLOURS",
    "OKABE_ITO",
    "RISK_TABLE_LABEL",
    "arm_colour",
    "at_risk_counts",
    "format_p",
    "plot_forest",
    "plot_km",
    "plot_waterfall",
]

RISK_TABLE_LABEL = "risk-table"
"""Label of the risk-table axes, so it can be found in ``ax.figure.axes``."""

RiskTable = Literal["kmunicate", "at_risk"] | None

Colour = tuple[float, float, float]

OKABE_ITO: dict[str, Colour] = {
    name: to_rgb(code) for name, code in (
        ("orange", "#E69F00"), ("sky blue", "#56B4E9"), ("bluish green", "#009E73"),
        ("yellow", "#F0E442"), ("blue", "#0072B2"), ("vermillion", "#D55E00"),
        ("reddish purple", "#CC79A7"), ("black", "#000000"),
    )
}
"""Okabe and Ito's palette (2008), distinguishable with every common colour-vision deficiency."""

ARM_COLOURS: dict[str, Colour] = {
    "HT only": OKABE_ITO["blue"],
    "HT + sorafenib": OKABE_ITO["vermillion"],
    "Sorafenib only": OKABE_ITO["bluish green"],
}
"""One colour per treatment, used by every figure of the book that shows the arms."""

_OTHER_COLOURS: tuple[Colour, ...] = tuple(
    OKABE_ITO[name] for name in ("black", "reddish purple", "sky blue", "orange")
)
"""Colours for groupings that are not treatment arms: never an arm's colour, and no yellow,
which is too pale for a line on white."""

_TEXT: Colour = to_rgb("#222222")
_RISK_FONT_PT = 10
"""Risk-table text size: the figures are drawn at the page's width (7 inches at 100 dpi is
700 pixels), so this is about the size a reader sees."""
_FIGURE_WIDTH_IN = 7.0
_ROW_HEIGHT_IN = 0.23
_KMUNICATE_ROWS = ("at_risk", "events", "censored")
_ROW_NAMES = {"at_risk": "At risk", "events": "Events", "censored": "Censored"}


def arm_colour(group: object) -> Colour | None:
    """The arm colour of a group label naming a treatment ("HT only", or "Rt: HT only" for the
    validation group that received it); None for any other grouping."""
    text = str(group).casefold()
    for arm, colour in ARM_COLOURS.items():
        if text == arm.casefold() or text.endswith(f": {arm.casefold()}"):
            return colour
    return None


def _palette(n: int) -> list[Colour]:
    """Colours for ``n`` groups that are not arms, cycled if more are asked for."""
    return [_OTHER_COLOURS[i % len(_OTHER_COLOURS)] for i in range(n)]


def format_p(p: float) -> str:
    """A p-value as journals print it: two significant digits, floored at 0.001."""
    if not 0 <= p <= 1:
        raise ValueError(f"p-value {p!r} is outside [0, 1]")
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}"


def _survival_frame(durations: Any, events: Any, groups: Any) -> pd.DataFrame:
    """Check and align the survival inputs; errors name the argument and the position."""
    frame = pd.DataFrame(
        {
            "duration": np.asarray(durations, dtype=float),
            "event": np.asarray(events),
            "group": "All patients" if groups is None else np.asarray(groups, dtype=object),
        }
    )
    if frame.empty:
        raise ValueError("durations is empty: nothing to plot")
    for column, name in (("duration", "durations"), ("event", "events"), ("group", "groups")):
        missing = np.flatnonzero(frame[column].isna().to_numpy())
        if missing.size:
            raise ValueError(f"{name}[{missing[0]}] is missing")
    negative = np.flatnonzero(frame["duration"].to_numpy() < 0)
    if negative.size:
        i = negative[0]
        raise ValueError(f"durations[{i}] = {frame['duration'].iat[i]} is negative")
    bad = np.flatnonzero(~frame["event"].isin([0, 1, True, False]).to_numpy())
    if bad.size:
        i = bad[0]
        raise ValueError(f"events[{i}] = {frame['event'].iat[i]}: expected 0/1 or False/True")
    frame["event"] = frame["event"].astype(bool)
    return frame


def _group_order(groups: Any, frame: pd.DataFrame) -> list[Any]:
    """Categorical order if the caller gave one, else sorted: stable colours across pages."""
    if isinstance(groups, pd.Series) and isinstance(groups.dtype, pd.CategoricalDtype):
        present = set(frame["group"])
        return [g for g in groups.cat.categories if g in present]
    return sorted(frame["group"].unique(), key=str)


def _group_colours(groups: Any, order: list[Any]) -> list[Colour]:
    """A treatment arm takes its colour (:data:`ARM_COLOURS`); other groups take the other
    colours, a categorical's following its categories, present or not, so a group keeps its
    colour when a figure shows only some of the groups (e.g. one pair of three)."""
    if isinstance(groups, pd.Series) and isinstance(groups.dtype, pd.CategoricalDtype):
        categories = list(groups.cat.categories)
    else:
        categories = order
    others = [g for g in categories if arm_colour(g) is None]
    palette = dict(zip(others, _palette(len(others)), strict=True))
    return [arm_colour(g) or palette[g] for g in order]


def at_risk_counts(
    durations: Any, events: Any, groups: Any = None, times: Sequence[float] = (0,)
) -> pd.DataFrame:
    """Numbers at risk and cumulative events and censorings per group at each of ``times``.

    At risk at t means still followed at t (duration >= t, the Kaplan-Meier risk set); events
    and censorings count those strictly before t, so the three add up to the group size.
    Returns a frame indexed by (group, time) with columns at_risk, events, censored.
    """
    frame = _survival_frame(durations, events, groups)
    cut = np.asarray(times, dtype=float)
    duration, event, label = (frame[c].to_numpy() for c in ("duration", "event", "group"))
    parts = []
    for group in _group_order(groups, frame):
        mask = label == group
        before = duration[mask][:, None] < cut[None, :]  # patients x times
        died = event[mask][:, None]
        parts.append(pd.DataFrame({
            "group": group, "time": list(times),
            "at_risk": (~before).sum(axis=0), "events": (before & died).sum(axis=0),
            "censored": (before & ~died).sum(axis=0),
        }))
    return pd.concat(parts, ignore_index=True).set_index(["group", "time"])


def _default_times(max_time: float) -> list[float]:
    locator = ticker.MaxNLocator(nbins=6, steps=[1, 2, 2.5, 3, 5, 6, 10], min_n_ticks=3)
    return [float(t) for t in locator.tick_values(0, max_time) if 0 <= t <= max_time * 1.0001]


def _through_follow_up(times: list[float], max_time: float) -> list[float]:
    """Ticks extended at their last spacing until one reaches the longest follow-up, so that
    the axis and the risk table cover the end of every curve."""
    if len(times) < 2 or times[-1] >= max_time:
        return times
    step = times[-1] - times[-2]
    if step <= 0:
        raise ValueError(f"at_risk_times {times!r} must increase")
    extended = list(times)
    while extended[-1] < max_time:
        extended.append(extended[-1] + step)
    return extended


def _add_table_axes(ax: Axes, n_rows: int) -> Axes:
    """An axes under ``ax`` sharing its x axis, sized for ``n_rows`` rows of counts.

    Splitting ax's own grid cell keeps constrained layout in charge of both axes.
    """
    spec = ax.get_subplotspec()
    if spec is None:
        raise ValueError("plot_km needs an axes from a grid (plt.subplots / add_subplot)")
    main_height = ax.figure.get_figheight() * len(spec.rowspan) / spec.get_gridspec().nrows
    table_height = _ROW_HEIGHT_IN * n_rows + 0.35
    grid = spec.subgridspec(2, 1, height_ratios=[max(main_height - table_height, 1), table_height])
    ax.set_subplotspec(grid[0])
    table = ax.figure.add_subplot(grid[1], sharex=ax, label=RISK_TABLE_LABEL)
    return table


def _draw_risk_table(
    table: Axes,
    counts: pd.DataFrame,
    groups: list[Any],
    colours: list[Any],
    kind: Literal["kmunicate", "at_risk"],
) -> None:
    """Write the counts at their x positions. Each group's name is bold in its curve's colour;
    the counts are near-black, because pale colours (orange, sky blue) are hard to read as
    small text."""
    labels: list[tuple[str, Any, bool]] = []  # (text, colour, is_group_name)
    cells: list[tuple[int, str, str]] = []  # (row, group, column)
    for group, colour in zip(groups, colours, strict=True):
        labels.append((str(group), colour, True))
        if kind == "kmunicate":
            for column in _KMUNICATE_ROWS:
                cells.append((len(labels), group, column))
                labels.append((_ROW_NAMES[column], _TEXT, False))
        else:
            cells.append((len(labels) - 1, group, "at_risk"))
    for row, group, column in cells:
        for time, value in counts.loc[group, column].items():
            table.text(
                time, row, str(value), ha="center", va="center", fontsize=_RISK_FONT_PT,
                color=_TEXT, gid=f"risk:{group}:{column}",
            )
    table.set_ylim(len(labels) - 0.5, -0.5)
    table.set_yticks(range(len(labels)), [text for text, _, _ in labels])
    for tick, (_, colour, name) in zip(table.get_yticklabels(), labels, strict=True):
        tick.set_color(colour)
        tick.set_fontweight("bold" if name else "normal")
        tick.set_fontsize(_RISK_FONT_PT)
    table.tick_params(axis="y", length=0, pad=10)
    table.xaxis.set_visible(False)  # the curve's axis above labels the times
    for spine in table.spines.values():
        spine.set_visible(False)
    title = "Number at risk" if kind == "at_risk" else "Number at risk, cumulative events, censored"
    table.set_title(title, loc="left", fontsize=_RISK_FONT_PT, fontweight="bold")


def _median_text(durations: np.ndarray, events: np.ndarray, median: float) -> str:
    """'median 13.1', or 'median 13.1; R: 13.2' where R's rule gives another number.

    The printed median follows SPSS, the paper's software (the first time Ŝ ≤ 0.5); R takes
    the midpoint where Ŝ sits exactly on 0.5, and a reader redrawing the figure in R should
    recognise the number R prints (3 significant digits, as here).
    """
    if not np.isfinite(median):
        return "median not reached"
    r_median = km_median_r(durations, events).median
    same = np.isclose(r_median, median, rtol=0, atol=1e-9)
    return f"median {median:.3g}" + ("" if same else f"; R: {r_median:.3g}")


def plot_km(
    durations: Any,
    events: Any,
    groups: Any = None,
    ax: Axes | None = None,
    *,
    time_label: str,
    ylabel: str = "Survival probability",
    at_risk_times: Sequence[float] | None = None,
    show_ci: bool = True,
    show_censors: bool = True,
    show_median: bool = True,
    test: Literal["logrank"] | None = "logrank",
    risk_table: RiskTable = "kmunicate",
    title: str | None = None,
) -> Axes:
    """Kaplan-Meier curves per group with CI bands, censor marks, medians and a risk table.

    ``time_label`` is required because a survival axis without units cannot be read.
    ``at_risk_times`` become the x ticks, so the risk table lines up with them (default: round
    ticks); they are extended at their last spacing until they reach the longest follow-up.
    A group named after a treatment arm is drawn in that arm's colour (:func:`arm_colour`).
    With two or more groups the log-rank p is annotated.
    Returns the curve axes; the table axes is in ``ax.figure.axes`` labelled RISK_TABLE_LABEL.
    """
    frame = _survival_frame(durations, events, groups)
    order = _group_order(groups, frame)
    colours = _group_colours(groups, order)
    max_time = float(frame["duration"].max())
    times = _default_times(max_time) if at_risk_times is None else [float(t) for t in at_risk_times]
    if not times or min(times) < 0:
        raise ValueError(f"at_risk_times {list(times)!r} must be non-negative and non-empty")
    times = _through_follow_up(times, max_time)
    n_rows = 0 if risk_table is None else len(order) * (4 if risk_table == "kmunicate" else 1)
    if ax is None:
        height = 4.2 + (_ROW_HEIGHT_IN * n_rows + 0.5 if n_rows else 0)
        _, ax = plt.subplots(figsize=(_FIGURE_WIDTH_IN, height), layout="constrained")

    duration, event, label = (frame[c].to_numpy() for c in ("duration", "event", "group"))
    for group, colour in zip(order, colours, strict=True):
        mask = label == group
        t, e = duration[mask], event[mask]
        curve = km_curve(t, e)
        median = km_median_spss(t, e).median
        median_text = _median_text(t, e, median)
        ax.step(curve["time"], curve["survival"], where="post", color=colour, linewidth=1.8,
                label=f"{group} (n = {t.size}, {median_text})", gid=f"km:{group}")
        if show_ci:
            ax.fill_between(curve["time"], curve["lower"], curve["upper"], step="post",
                            alpha=0.15, color=colour, linewidth=0, gid=f"ci:{group}")
        if show_censors:
            censored = t[~e]
            step = np.searchsorted(curve["time"].to_numpy(), censored, side="right") - 1
            ax.plot(censored, curve["survival"].to_numpy()[step], linestyle="none", marker="+",
                    markersize=7, markeredgewidth=1.2, color=colour, gid=f"censor:{group}")
        if show_median and np.isfinite(median):
            style = {"color": colour, "linestyle": "--", "linewidth": 1.0, "alpha": 0.9}
            ax.plot([0, median], [0.5, 0.5], gid=f"median:{group}:h", **style)
            ax.plot([median, median], [0, 0.5], gid=f"median:{group}:v", **style)

    if test == "logrank" and len(order) > 1:
        result = logrank_fast(frame["duration"], groups=frame["group"].astype(str),
                              events=frame["event"])
        ax.text(
            0.02, 0.04, f"Log-rank {format_p(result.p_value)}", transform=ax.transAxes,
            fontsize=10, gid="logrank",
        )
    elif test not in ("logrank", None):
        raise ValueError(f"test={test!r}: expected 'logrank' or None")

    ax.set_xticks(times)
    right = max(max(times), max_time)
    ax.set_xlim(-0.03 * right, right * 1.03)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_locator(ticker.MultipleLocator(0.25))
    ax.set_xlabel(time_label)
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper right", frameon=False, fontsize=_RISK_FONT_PT)
    if title:
        ax.set_title(title, loc="left", fontweight="bold")

    if risk_table is not None:
        if risk_table not in ("kmunicate", "at_risk"):
            raise ValueError(f"risk_table={risk_table!r}: expected 'kmunicate', 'at_risk' or None")
        counts = at_risk_counts(frame["duration"], frame["event"], frame["group"], times)
        table = _add_table_axes(ax, n_rows)
        _draw_risk_table(table, counts, order, colours, risk_table)
        ax.tick_params(labelbottom=True)
    return ax


def _text_columns(ax: Axes, n: int) -> tuple[Axes, Axes | None]:
    """Axes for text columns right of ``ax``, splitting its grid cell so layout sees them."""
    spec = ax.get_subplotspec()
    if spec is None:
        raise ValueError("plot_forest needs an axes from a grid (plt.subplots / add_subplot)")
    ratios = [3.2, 1.3, 0.55][: n + 1]
    grid = spec.subgridspec(1, n + 1, width_ratios=ratios, wspace=0.02)
    ax.set_subplotspec(grid[0])
    columns = [ax.figure.add_subplot(grid[i + 1], sharey=ax) for i in range(n)]
    for column in columns:
        column.set_xlim(0, 1)
        column.axis("off")
    return columns[0], (columns[1] if n > 1 else None)


def _log_ticks(low: float, high: float) -> list[float]:
    candidates = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100]
    return [t for t in candidates if low <= t <= high]


def plot_forest(
    table: pd.DataFrame,
    ax: Axes | None = None,
    *,
    hr: str = "exp(coef)",
    lower: str = "exp(coef) lower 95%",
    upper: str = "exp(coef) upper 95%",
    p: str | None = "p",
    labels: Sequence[str] | None = None,
    xlabel: str = "Hazard ratio (log scale)",
    title: str | None = None,
) -> Axes:
    """Hazard ratios with 95% CIs on a log axis, one row per line of ``table``, top to bottom.

    Column names default to lifelines' ``CoxPHFitter.summary``, so ``plot_forest(cph.summary)``
    works; labels default to the index. The HR (95% CI) and p columns are printed to the right.
    """
    needed = [hr, lower, upper, *([p] if p else [])]
    missing = [name for name in needed if name not in table.columns]
    if missing:
        raise ValueError(f"table lacks column(s) {missing}; it has {list(table.columns)}")
    if table.empty:
        raise ValueError("table is empty: no hazard ratio to plot")
    values = table[[hr, lower, upper]].astype(float)
    for column in (hr, lower, upper):
        bad = np.flatnonzero(~(values[column].to_numpy() > 0))
        if bad.size:
            raise ValueError(
                f"table row {table.index[bad[0]]!r}, column {column!r}: "
                f"{values[column].iat[bad[0]]} is not a positive ratio"
            )
    order = np.flatnonzero(values[lower].to_numpy() > values[upper].to_numpy())
    if order.size:
        raise ValueError(f"table row {table.index[order[0]]!r}: lower CI bound exceeds upper")
    names = [str(i) for i in table.index] if labels is None else list(labels)
    if len(names) != len(table):
        raise ValueError(f"labels has {len(names)} entries for {len(table)} rows")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.4 * len(table) + 1.2), layout="constrained")

    y = np.arange(len(table))
    colour = _palette(1)[0]
    bars = ax.errorbar(
        values[hr], y,
        xerr=[values[hr] - values[lower], values[upper] - values[hr]],
        fmt="s", color=colour, ecolor=colour, capsize=3, markersize=6,
    )
    bars.lines[0].set_gid("forest-rows")
    ax.axvline(1, color="0.3", linestyle="--", linewidth=1, gid="reference")
    ax.set_xscale("log")
    low, high = values[lower].min(), values[upper].max()
    ax.set_xlim(min(low, 1) / 1.3, max(high, 1) * 1.3)
    ax.xaxis.set_major_locator(ticker.FixedLocator(_log_ticks(*ax.get_xlim())))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(ticker.NullFormatter())
    ax.set_yticks(y, names)
    ax.set_ylim(len(table) - 0.5, -0.9)
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.tick_params(axis="y", length=0)

    hr_column, p_column = _text_columns(ax, 2 if p else 1)
    hr_column.text(0, -0.8, "HR (95% CI)", fontweight="bold", va="center")
    for row, (h, lo, up) in enumerate(values.itertuples(index=False)):
        hr_column.text(0, row, f"{h:.2f} ({lo:.2f}\u2013{up:.2f})", va="center", gid="forest-hr")
    if p_column is not None:
        p_column.text(0, -0.8, "p", fontweight="bold", va="center")
        for row, value in enumerate(table[p].astype(float)):
            shown = format_p(value).replace("p = ", "").replace("p ", "")
            p_column.text(0, row, shown, va="center", gid="forest-p")
    if title:
        ax.set_title(title, loc="left", fontweight="bold")
    return ax


def plot_waterfall(
    percent_change: Any,
    response: Any = None,
    ax: Axes | None = None,
    thresholds: tuple[float, float] = (-30, 20),
    *,
    ylabel: str = "Change in tumour size from baseline (%)",
    category_order: Sequence[str] | None = None,
) -> Axes:
    """One bar per lesion or patient, sorted from most growth to most shrinkage.

    Bars are coloured by ``response`` (e.g. RECIST categories) when given, else by where they
    fall relative to ``thresholds`` (RECIST uses -30% for partial response and +20% for
    progression; the threshold categories are descriptive, not RECIST calls). Dashed lines mark
    the thresholds.
    """
    change = pd.Series(np.asarray(percent_change, dtype=float))
    if change.empty:
        raise ValueError("percent_change is empty: nothing to plot")
    missing = np.flatnonzero(change.isna().to_numpy())
    if missing.size:
        raise ValueError(f"percent_change[{missing[0]}] is missing")
    low, high = thresholds
    if not low < 0 < high:
        raise ValueError(f"thresholds {thresholds!r} must be (negative, positive)")
    if (change < -100).any():
        i = int(np.flatnonzero(change.to_numpy() < -100)[0])
        raise ValueError(f"percent_change[{i}] = {change.iat[i]} is below -100%")
    if response is None:
        names = (
            f"Decrease \u2265 {abs(low):g}%", "Between thresholds", f"Increase \u2265 {high:g}%"
        )
        category = pd.Series(
            np.select([change <= low, change >= high], [names[0], names[2]], names[1]),
        )
        categories = list(names)
    else:
        category = pd.Series(np.asarray(response, dtype=object))
        if len(category) != len(change):
            raise ValueError(f"response has {len(category)} entries, percent_change {len(change)}")
        gaps = np.flatnonzero(category.isna().to_numpy())
        if gaps.size:
            raise ValueError(f"response[{gaps[0]}] is missing")
        categories = (
            list(category_order) if category_order is not None
            else sorted(category.unique(), key=str)
        )
        unknown = sorted(set(category) - set(categories), key=str)
        if unknown:
            raise ValueError(f"response values {unknown} are not in category_order")
    order = np.argsort(-change.to_numpy(), kind="stable")
    heights = change.to_numpy()[order]
    colour_of = dict(zip(categories, _palette(len(categories)), strict=True))
    if ax is None:
        _, ax = plt.subplots(figsize=(max(5.0, 0.18 * len(change) + 2), 4), layout="constrained")

    ax.bar(
        np.arange(len(heights)), heights, width=0.8,
        color=[colour_of[c] for c in category.to_numpy()[order]], gid="waterfall-bar",
    )
    for value in thresholds:
        ax.axhline(value, color="0.25", linestyle="--", linewidth=1, gid=f"threshold:{value:g}")
    ax.axhline(0, color="black", linewidth=0.8)
    used = [c for c in categories if (category == c).any()]
    handles = [plt.Rectangle((0, 0), 1, 1, color=colour_of[c]) for c in used]
    ax.legend(handles, used, frameon=False, fontsize=9, loc="upper right")
    ax.set_xticks([])
    ax.set_xlim(-0.7, len(heights) - 0.3)
    ax.set_ylim(min(-100, heights.min()) - 5, max(high * 2, heights.max()) + 10)
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    return ax

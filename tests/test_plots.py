"""Tests for lungmets.display.plots: smoke tests on Agg, real assertions on the numbers drawn.

References are second implementations on the same seeded synthetic data: the at-risk counts
and the Kaplan-Meier median are computed by hand with numpy, the log-rank p with statsmodels.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter
from matplotlib.axes import Axes
from statsmodels.duration.survfunc import survdiff

from lungmets.display.plots import (
    ARM_COLOURS,
    RISK_TABLE_LABEL,
    arm_colour,
    at_risk_counts,
    format_p,
    plot_forest,
    plot_km,
    plot_waterfall,
)

SEED = 20161001
TIMES = [0, 6, 12, 18, 24]


@pytest.fixture
def cohort() -> pd.DataFrame:
    """Two synthetic arms, exponential survival with uniform censoring (not study data)."""
    rng = np.random.default_rng(SEED)
    n = 30
    latent = np.r_[rng.exponential(10, n), rng.exponential(20, n)]
    censor = rng.uniform(4, 30, 2 * n)
    return pd.DataFrame(
        {
            "months": np.round(np.minimum(latent, censor), 1),
            "died": latent <= censor,
            "arm": np.repeat(["A", "B"], n),
        }
    )


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def km_median_by_hand(durations: np.ndarray, events: np.ndarray) -> float:
    """Product-limit estimate; median = first event time where S(t) <= 0.5."""
    survival = 1.0
    for t in np.unique(durations[events]):
        at_risk = np.sum(durations >= t)
        deaths = np.sum((durations == t) & events)
        survival *= 1 - deaths / at_risk
        if survival <= 0.5:
            return float(t)
    return float("inf")


def table_axes(ax: Axes) -> Axes:
    (table,) = [a for a in ax.figure.axes if a.get_label() == RISK_TABLE_LABEL]
    return table


def drawn_counts(table: Axes, group: str, column: str) -> dict[float, int]:
    return {
        text.get_position()[0]: int(text.get_text())
        for text in table.texts
        if text.get_gid() == f"risk:{group}:{column}"
    }


def test_risk_table_numbers_equal_counts_computed_directly(cohort: pd.DataFrame) -> None:
    ax = plot_km(cohort.months, cohort.died, cohort.arm, time_label="Months",
                 at_risk_times=TIMES)
    table = table_axes(ax)
    ticks = list(ax.get_xticks())
    for arm, part in cohort.groupby("arm"):
        d, e = part.months.to_numpy(), part.died.to_numpy()
        assert drawn_counts(table, arm, "at_risk") == {t: int(np.sum(d >= t)) for t in ticks}
        assert drawn_counts(table, arm, "events") == {t: int(np.sum((d < t) & e)) for t in ticks}
        assert drawn_counts(table, arm, "censored") == {
            t: int(np.sum((d < t) & ~e)) for t in ticks
        }
    assert ticks[: len(TIMES)] == TIMES


def test_axis_and_risk_table_run_to_the_end_of_follow_up(cohort: pd.DataFrame) -> None:
    """Ticks asked to stop before the longest follow-up are extended at their spacing (6)."""
    longest = float(cohort.months.max())
    assert TIMES[-1] < longest <= TIMES[-1] + 6  # the fixture follows patients past 24 months
    ax = plot_km(cohort.months, cohort.died, cohort.arm, time_label="Months",
                 at_risk_times=TIMES)
    assert list(ax.get_xticks()) == [*TIMES, TIMES[-1] + 6]
    assert ax.get_xlim()[1] >= longest
    last = drawn_counts(table_axes(ax), "A", "at_risk")
    assert max(last) == TIMES[-1] + 6


def test_risk_table_text_is_at_least_9_pt_at_the_page_width(cohort: pd.DataFrame) -> None:
    """The page shows a figure at most about 750 px wide: a wider PNG (100 dpi) is shrunk."""
    ax = plot_km(cohort.months, cohort.died, cohort.arm, time_label="Months",
                 at_risk_times=TIMES)
    shrink = min(1.0, 750 / (ax.figure.get_figwidth() * 100))
    sizes = [t.get_fontsize() for t in table_axes(ax).texts]
    sizes += [t.get_fontsize() for t in table_axes(ax).get_yticklabels()]
    assert sizes and min(sizes) * shrink >= 9


def test_each_arm_keeps_its_colour_and_no_other_group_takes_it(cohort: pd.DataFrame) -> None:
    arms = np.where(cohort["arm"] == "A", "HT only", "HT + sorafenib")
    colour = {line.get_label().split(" (")[0]: line.get_color()
              for line in plot_km(cohort.months, cohort.died, arms,
                                  time_label="Months").get_lines()
              if " (n = " in line.get_label()}
    assert colour == {"HT only": ARM_COLOURS["HT only"],
                      "HT + sorafenib": ARM_COLOURS["HT + sorafenib"]}
    assert arm_colour("Rt: HT only") == ARM_COLOURS["HT only"]
    assert arm_colour("S: sorafenib only") == ARM_COLOURS["Sorafenib only"]
    assert arm_colour("≤3 lesions") is None
    other = [line.get_color() for line in plot_km(cohort.months, cohort.died, cohort.arm,
                                                  time_label="Months").get_lines()
             if " (n = " in line.get_label()]
    assert len(set(other)) == 2 and not set(other) & set(ARM_COLOURS.values())


def test_at_risk_counts_add_up_to_group_size(cohort: pd.DataFrame) -> None:
    counts = at_risk_counts(cohort.months, cohort.died, cohort.arm, TIMES)
    totals = counts.sum(axis=1).groupby(level="group").unique()
    assert {arm: list(v) for arm, v in totals.items()} == {"A": [30], "B": [30]}
    assert counts.loc[("A", 0), "at_risk"] == 30


def test_median_lines_sit_at_the_km_median(cohort: pd.DataFrame) -> None:
    ax = plot_km(cohort.months, cohort.died, cohort.arm, time_label="Months")
    lines = {line.get_gid(): line for line in ax.lines if line.get_gid()}
    for arm, part in cohort.groupby("arm"):
        median = km_median_by_hand(part.months.to_numpy(), part.died.to_numpy())
        assert np.isfinite(median)
        vertical, horizontal = lines[f"median:{arm}:v"], lines[f"median:{arm}:h"]
        assert list(vertical.get_xdata()) == pytest.approx([median, median], abs=1e-9)
        assert list(vertical.get_ydata()) == [0, 0.5]
        assert list(horizontal.get_xdata()) == pytest.approx([0, median], abs=1e-9)


def test_logrank_annotation_matches_statsmodels(cohort: pd.DataFrame) -> None:
    ax = plot_km(cohort.months, cohort.died, cohort.arm, time_label="Months")
    (text,) = [t for t in ax.texts if t.get_gid() == "logrank"]
    _, p_value = survdiff(cohort.months, cohort.died.astype(int), cohort.arm)
    assert text.get_text() == f"Log-rank {format_p(p_value)}"


def test_single_group_has_no_test_and_no_median_when_not_reached() -> None:
    ax = plot_km([1, 2, 3, 4], [1, 0, 0, 0], time_label="Months")
    assert not [t for t in ax.texts if t.get_gid() == "logrank"]
    assert not [line for line in ax.lines if str(line.get_gid()).startswith("median")]
    assert "median not reached" in ax.get_legend().get_texts()[0].get_text()


def test_km_without_risk_table_has_one_axes(cohort: pd.DataFrame) -> None:
    ax = plot_km(cohort.months, cohort.died, cohort.arm, time_label="Months", risk_table=None)
    assert ax.figure.axes == [ax]


def test_km_draws_into_a_given_axes(cohort: pd.DataFrame) -> None:
    _, (_, right) = plt.subplots(1, 2, layout="constrained")
    returned = plot_km(cohort.months, cohort.died, cohort.arm, ax=right, time_label="Months",
                       risk_table="at_risk")
    assert returned is right
    table = table_axes(right)
    assert table.get_shared_x_axes().joined(table, right)
    assert [t.get_text() for t in table.get_yticklabels()] == ["A", "B"]


@pytest.mark.parametrize(
    ("durations", "events", "message"),
    [
        ([1, -2, 3], [1, 1, 0], r"durations\[1\] = -2.0 is negative"),
        ([1, 2, 3], [1, 2, 0], r"events\[1\] = 2"),
        ([1, np.nan, 3], [1, 1, 0], r"durations\[1\] is missing"),
        ([], [], "durations is empty"),
    ],
)
def test_km_rejects_bad_input_naming_the_position(durations, events, message) -> None:
    with pytest.raises(ValueError, match=message):
        plot_km(durations, events, time_label="Months")


@pytest.fixture
def cox_summary(cohort: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    frame = cohort.assign(
        arm_b=(cohort.arm == "B").astype(int), age=rng.normal(55, 8, len(cohort))
    ).drop(columns="arm")
    return CoxPHFitter().fit(frame, "months", "died").summary


def test_forest_plot_has_one_row_per_hazard_ratio(cox_summary: pd.DataFrame) -> None:
    ax = plot_forest(cox_summary)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(cox_summary.index)
    hr_texts = [t for a in ax.figure.axes for t in a.texts if t.get_gid() == "forest-hr"]
    assert len(hr_texts) == len(cox_summary)
    for text, (_, row) in zip(hr_texts, cox_summary.iterrows(), strict=True):
        expected = (f"{row['exp(coef)']:.2f} ({row['exp(coef) lower 95%']:.2f}"
                    f"\u2013{row['exp(coef) upper 95%']:.2f})")
        assert text.get_text() == expected
    (markers,) = [line for line in ax.lines if line.get_gid() == "forest-rows"]
    assert list(markers.get_xdata()) == pytest.approx(list(cox_summary["exp(coef)"]))
    assert ax.get_xscale() == "log"
    (reference,) = [line for line in ax.lines if line.get_gid() == "reference"]
    assert list(reference.get_xdata()) == [1, 1]


def test_forest_rejects_missing_columns_and_bad_rows(cox_summary: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['p'\]"):
        plot_forest(cox_summary.drop(columns="p"))
    broken = cox_summary.copy()
    broken.loc["age", "exp(coef) lower 95%"] = 0
    with pytest.raises(ValueError, match="row 'age', column 'exp\\(coef\\) lower 95%'"):
        plot_forest(broken)


def test_waterfall_is_sorted_and_draws_both_thresholds() -> None:
    change = np.array([10.0, -45.0, 25.0, -100.0, -5.0, 60.0])
    ax = plot_waterfall(change)
    heights = [bar.get_height() for bar in ax.patches if bar.get_gid() == "waterfall-bar"]
    assert heights == sorted(change, reverse=True)
    for value in (-30, 20):
        (line,) = [line for line in ax.lines if line.get_gid() == f"threshold:{value}"]
        assert list(line.get_ydata()) == [value, value]
        assert line.get_linestyle() == "--"


def test_waterfall_colours_follow_the_response_categories() -> None:
    change = [-60.0, 30.0, -10.0]
    response = ["PR", "PD", "SD"]
    ax = plot_waterfall(change, response, category_order=["PR", "SD", "PD"])
    colours = [bar.get_facecolor() for bar in ax.patches[:3]]
    legend = {t.get_text(): h.get_facecolor()
              for t, h in zip(ax.get_legend().get_texts(), ax.get_legend().legend_handles,
                              strict=True)}
    assert colours == [legend["PD"], legend["SD"], legend["PR"]]
    with pytest.raises(ValueError, match=r"response values \['CR'\] are not in category_order"):
        plot_waterfall(change, ["CR", "PD", "SD"], category_order=["PR", "SD", "PD"])


def test_format_p() -> None:
    assert format_p(0.0004) == "p < 0.001"
    assert format_p(0.0123) == "p = 0.012"
    assert format_p(0.64) == "p = 0.64"
    with pytest.raises(ValueError, match="outside"):
        format_p(1.5)


def test_km_categorical_groups_keep_their_colour_when_a_group_is_absent(
    cohort: pd.DataFrame,
) -> None:
    """A pair drawn from three categorical groups uses the colours the three-group figure uses."""
    three = pd.Categorical(np.where(np.arange(len(cohort)) % 3 == 0, "S",
                                    cohort["arm"].to_numpy()), ["A", "B", "S"])
    groups = pd.Series(three, index=cohort.index)

    def colour_of(ax: Axes) -> dict[str, tuple]:
        return {line.get_label().split(" (")[0]: line.get_color() for line in ax.get_lines()
                if " (n = " in line.get_label()}

    full = colour_of(plot_km(cohort["months"], cohort["died"], groups, time_label="Months"))
    pair = groups != "A"
    part = colour_of(plot_km(cohort["months"][pair], cohort["died"][pair], groups[pair],
                             time_label="Months"))
    plt.close("all")
    assert set(part) == {"B", "S"}
    assert part == {g: full[g] for g in ("B", "S")}
    assert len(set(full.values())) == 3


def test_km_side_by_side_keeps_both_time_axes(cohort: pd.DataFrame) -> None:
    """Two plot_km in one figure: the first keeps its tick labels and x label (pandas plotting,
    used by lifelines' own plot, hid them on every axes sharing its x axis with a risk table)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 6), layout="constrained")
    for ax in (left, right):
        plot_km(cohort["months"], cohort["died"], cohort["arm"], ax=ax, time_label="Months")
    fig.canvas.draw()
    for ax in (left, right):
        shown = [t.get_text() for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]
        assert shown == [f"{t:g}" for t in ax.get_xticks()]
        assert ax.xaxis.label.get_visible() and ax.get_xlabel() == "Months"

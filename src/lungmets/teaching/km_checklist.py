"""What a Kaplan-Meier figure should show, and a check of what a drawn figure does show.

:data:`KM_ELEMENTS` is the checklist of the reporting page (``book/reporting.md``): KMunicate
(Morris et al. 2019) and the conventions of survminer's ``ggsurvplot``.
:mod:`lungmets.teaching.reporting` judges the paper's figures against it from their legends;
:func:`inspect_km_figure` judges a figure the book draws.

Why the check reads artists: it looks at a matplotlib figure's artists, not at the code that drew
it, so it can tell a figure that *has* a risk table from one that was merely asked for one. It
recognises the structures :func:`lungmets.display.plots.plot_km` draws (a second axes with counts
under the curve axes, fill-between bands, marker-only lines, dashed median segments, a ``p =``
annotation), which are also what most other Kaplan-Meier figures are made of.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

__all__ = ["KM_ELEMENTS", "KmElement", "figure_frame", "inspect_km_figure", "km_elements_frame"]


@dataclass(frozen=True)
class KmElement:
    """Something a reader needs to see on or under a Kaplan-Meier figure, and why."""

    key: str
    element: str
    source: str
    why: str


KM_ELEMENTS: tuple[KmElement, ...] = (
    KmElement("at_risk", "Numbers at risk under the plot", "KMunicate",
              "How many patients each part of a curve rests on."),
    KmElement("extended_table", "Cumulative events and censored under the plot", "KMunicate",
              "At risk, events and censored add up to the patients in each group at every "
              "time, so a reader sees why the risk set shrinks."),
    KmElement("ci", "Confidence interval around each curve", "KMunicate",
              "The uncertainty grows as patients leave; a band shows it."),
    KmElement("censor_marks", "Censor marks on the curves", "survminer",
              "Where patients were censored, and that the flat tail is not all survivors."),
    KmElement("median_lines", "Median marked on the curves", "survminer",
              "The median read off the figure matches the one in the text."),
    KmElement("test_p", "The test and its p-value on the plot", "survminer",
              "Which comparison the figure makes, and its result."),
    KmElement("group_n", "Number of patients per group", "survminer",
              "The size of each group, in the legend or the table."),
    KmElement("time_axis", "Time axis with its origin and unit", "convention",
              "Months from what: the same curve measured from another origin is another curve."),
)
"""What a Kaplan-Meier figure should show. KMunicate's survey favoured the extended table and
confidence intervals; survminer's ``ggsurvplot`` offers censor marks, median lines, the
log-rank p and group sizes; a labelled time axis is common ground."""


def km_elements_frame() -> pd.DataFrame:
    """The Kaplan-Meier checklist as a reader's table."""
    return pd.DataFrame({
        "Element": [e.element for e in KM_ELEMENTS],
        "Source": [e.source for e in KM_ELEMENTS],
        "Why a reader needs it": [e.why for e in KM_ELEMENTS],
    })


# ------------------------------------------------------------------ checking a drawn figure

_P_VALUE = re.compile(r"\bp\s*[=<≤]", re.IGNORECASE)
_COUNT = re.compile(r"^\d+$")
_UNIT = re.compile(r"\b(days?|weeks?|months?|years?)\b", re.IGNORECASE)


def _counts_axes(figure: Figure, curves: Axes) -> list[Axes]:
    """Axes other than the curves' whose text is counts: a risk table, whatever drew it."""
    return [a for a in figure.axes if a is not curves and a.texts
            and all(_COUNT.match(t.get_text().strip()) for t in a.texts)]


def _marker_only(line: Line2D) -> bool:
    return line.get_linestyle() in ("None", "none", "", " ") and line.get_marker() not in (
        None, "None", "none", "", " ")


def _is_median_segment(line: Line2D) -> bool:
    """A dashed segment at survival one half (horizontal) or dropping from it (vertical)."""
    if line.get_linestyle() not in ("--", "dashed", ":", "-."):
        return False
    y = [float(v) for v in line.get_ydata()]
    return len(y) == 2 and (y == [0.5, 0.5] or sorted(y) == [0.0, 0.5])


def inspect_km_figure(ax: Axes) -> dict[str, bool]:
    """Which elements of :data:`KM_ELEMENTS` the figure drawn on ``ax`` actually contains.

    Reads the artists: a risk table is another axes of the same figure whose texts are counts;
    the extended table adds rows named events and censored; a confidence band is a filled
    polygon; censor marks a marker-only line with points; medians dashed segments at one half;
    the test a ``p =`` or ``p <`` text; group sizes ``n =`` in the legend; the time axis a label
    naming a unit and the word "from".
    """
    figure = ax.figure
    tables = _counts_axes(figure, ax)
    row_names = {t.get_text().strip().lower() for table in tables
                 for t in table.get_yticklabels()}
    legend = ax.get_legend()
    legend_text = " ".join(t.get_text() for t in legend.get_texts()) if legend else ""
    label = ax.get_xlabel()
    found = {
        "at_risk": bool(tables),
        "extended_table": bool(tables) and {"events", "censored"} <= row_names,
        "ci": any(isinstance(c, PolyCollection) and len(c.get_paths()) > 0
                  for c in ax.collections),
        "censor_marks": any(_marker_only(line) and len(line.get_xdata()) > 0
                            for line in ax.lines),
        "median_lines": any(_is_median_segment(line) for line in ax.lines),
        "test_p": any(_P_VALUE.search(t.get_text()) for t in ax.texts),
        "group_n": "n =" in legend_text or "n=" in legend_text,
        "time_axis": bool(_UNIT.search(label)) and " from " in f" {label.lower()} ",
    }
    if set(found) != {e.key for e in KM_ELEMENTS}:  # pragma: no cover - the two lists drifted
        raise RuntimeError("inspect_km_figure and KM_ELEMENTS disagree")
    return found


def figure_frame(figures: dict[str, Axes]) -> pd.DataFrame:
    """Element by figure for drawn figures: "shown" or "missing", in words for readers."""
    names = [e.element for e in KM_ELEMENTS]
    columns = {}
    for title, ax in figures.items():
        found = inspect_km_figure(ax)
        columns[title] = ["shown" if found[e.key] else "missing" for e in KM_ELEMENTS]
    return pd.DataFrame(columns, index=pd.Index(names, name="Element"))

"""The reporting page's checklists: quotations are the paper's words, the checklist is STROBE's,
and the figure checks see what a drawn figure contains, not what it was asked to contain."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lungmets.display.plots import plot_km
from lungmets.teaching.km_checklist import (
    KM_ELEMENTS,
    figure_frame,
    inspect_km_figure,
    km_elements_frame,
)
from lungmets.teaching.reporting import (
    FIGURE_STATUSES,
    PAPER_FIGURES,
    STROBE,
    STROBE_SECTIONS,
    VERDICTS,
    Evidence,
    StrobeItem,
    abbreviations_used,
    all_quotes,
    paper_figure_details,
    paper_figures_frame,
    strobe_frame,
    verdict_counts,
)

# --------------------------------------------------------------------------- the checklist


def test_every_quotation_is_verbatim_paper_text(paper: str) -> None:
    missing = [(where, quote) for where, quote in all_quotes() if quote not in paper]
    assert not missing, f"quotations not found in the normalised paper text: {missing}"


def test_quotations_cover_every_place_a_reader_is_sent() -> None:
    """Each item's and each judgement's evidence is among the quotations the test above reads."""
    quotes = {quote for _, quote in all_quotes()}
    cited = {e.quote for item in STROBE for e in item.evidence}
    cited |= {e.quote for f in PAPER_FIGURES for j in f.judgements for e in j.evidence}
    cited |= {f.legend.quote for f in PAPER_FIGURES}
    assert cited == quotes


def test_strobe_has_its_22_items_once_each_in_checklist_order() -> None:
    numbers = [item.number for item in STROBE]
    assert numbers == list(range(1, 23))
    assert len(set(numbers)) == 22
    sections = [item.section for item in STROBE]
    assert sections == sorted(sections, key=STROBE_SECTIONS.index)


def test_strobe_sections_are_the_checklists() -> None:
    by_section = {s: [i.number for i in STROBE if i.section == s] for s in STROBE_SECTIONS}
    assert by_section == {
        "Title and abstract": [1], "Introduction": [2, 3], "Methods": list(range(4, 13)),
        "Results": list(range(13, 18)), "Discussion": list(range(18, 22)),
        "Other information": [22],
    }


def test_verdicts_come_from_the_allowed_set() -> None:
    assert set(VERDICTS) == {"reported", "partly reported", "not reported"}
    assert {item.verdict for item in STROBE} <= set(VERDICTS)


def test_a_verdict_outside_the_set_is_refused() -> None:
    with pytest.raises(ValueError, match="verdict"):
        StrobeItem(1, "Title and abstract", "Title", "x", "mostly", (), "")  # type: ignore[arg-type]


def test_a_positive_verdict_needs_the_papers_words() -> None:
    with pytest.raises(ValueError, match="needs"):
        StrobeItem(2, "Introduction", "Background", "x", "reported", (), "")


def test_quotations_are_short() -> None:
    with pytest.raises(ValueError):
        Evidence("Abstract", "x" * 161)


def test_counts_are_computed_from_the_items() -> None:
    counts = verdict_counts()
    assert list(counts.index) == list(VERDICTS)
    assert int(counts.sum()) == 22
    for verdict in VERDICTS:
        assert counts[verdict] == sum(item.verdict == verdict for item in STROBE)
    by_section = verdict_counts("Section")
    assert int(by_section.to_numpy().sum()) == 22
    assert list(by_section.columns) == list(VERDICTS)


# --------------------------------------------------------------------------- reader tables

_BAD_CELL = re.compile(r"^(True|False|NaN|nan|None|<NA>|NaT)$")
_SNAKE = re.compile(r"\b[a-z0-9]+_[a-z0-9]+\b")


@pytest.mark.parametrize("build", [
    strobe_frame, km_elements_frame, paper_figures_frame,
    *[lambda name=f.name: paper_figure_details(name) for f in PAPER_FIGURES],
], ids=["strobe", "km elements", "paper figures", *[f.name for f in PAPER_FIGURES]])
def test_reader_tables_have_words_not_codes(build) -> None:
    table = build()
    cells = [str(v) for v in table.to_numpy().ravel()]
    cells += [str(c) for c in table.columns] + [str(i) for i in table.index]
    assert not table.isna().to_numpy().any()
    assert not [c for c in cells if _BAD_CELL.match(c) or _SNAKE.search(c)]


def test_every_paper_figure_judges_every_element_with_a_known_status() -> None:
    keys = {e.key for e in KM_ELEMENTS}
    for figure in PAPER_FIGURES:
        assert {j.element for j in figure.judgements} == keys
        assert {j.status for j in figure.judgements} <= set(FIGURE_STATUSES)


def test_abbreviations_found_in_quotations_and_refused_when_unknown() -> None:
    found = abbreviations_used()
    assert "HCC" in found and "PFS" in found
    with pytest.raises(KeyError):
        abbreviations_used("KMX")


# ------------------------------------------------------------------------ drawn figures

TIMES = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
EVENTS = np.array([1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0])
GROUPS = np.array(["HT only", "HT + sorafenib"] * 6)
LABEL = "Months from start of radiotherapy"


@pytest.fixture
def close_figures():
    yield
    plt.close("all")


def test_the_books_figure_shows_every_element(close_figures) -> None:
    ax = plot_km(TIMES, EVENTS, GROUPS, time_label=LABEL)
    assert inspect_km_figure(ax) == dict.fromkeys((e.key for e in KM_ELEMENTS), True)


def test_a_figure_without_risk_table_is_caught(close_figures) -> None:
    ax = plot_km(TIMES, EVENTS, GROUPS, time_label=LABEL, risk_table=None)
    found = inspect_km_figure(ax)
    assert not found["at_risk"] and not found["extended_table"]
    assert found["ci"] and found["censor_marks"] and found["test_p"]


def test_a_classic_risk_table_lacks_the_extended_rows(close_figures) -> None:
    ax = plot_km(TIMES, EVENTS, GROUPS, time_label=LABEL, risk_table="at_risk")
    found = inspect_km_figure(ax)
    assert found["at_risk"] and not found["extended_table"]


def test_each_switched_off_element_is_caught(close_figures) -> None:
    ax = plot_km(TIMES, EVENTS, GROUPS, time_label="Months", show_ci=False, show_censors=False,
                 show_median=False, test=None)
    found = inspect_km_figure(ax)
    assert not any(found[k] for k in ("ci", "censor_marks", "median_lines", "test_p",
                                      "time_axis"))
    assert found["at_risk"] and found["extended_table"] and found["group_n"]


def test_one_group_has_no_test_to_show(close_figures) -> None:
    ax = plot_km(TIMES, EVENTS, time_label=LABEL)
    assert not inspect_km_figure(ax)["test_p"]


def test_a_plain_matplotlib_curve_shows_nothing_but_what_it_draws(close_figures) -> None:
    """The checks read artists, so a figure made without plot_km is judged the same way."""
    _, ax = plt.subplots()
    ax.step([0, 1, 2], [1, 0.8, 0.6], where="post")
    ax.set_xlabel("Time")
    assert not any(inspect_km_figure(ax).values())


def test_figure_frame_is_in_words(close_figures) -> None:
    full = plot_km(TIMES, EVENTS, GROUPS, time_label=LABEL)
    bare = plot_km(TIMES, EVENTS, GROUPS, time_label=LABEL, risk_table=None)
    table = figure_frame({"Full": full, "Without table": bare})
    assert set(table.to_numpy().ravel()) == {"shown", "missing"}
    assert table.loc["Numbers at risk under the plot", "Without table"] == "missing"

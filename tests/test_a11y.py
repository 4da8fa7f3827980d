"""Tests for lungmets.display.a11y: no empty table header in pandas' layouts, figure text as alt
text."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from bs4 import BeautifulSoup

from lungmets.display.a11y import describe_figure, tidy_table_headers


def header_rows(html: str) -> list[list[tuple[str, str]]]:
    """Each header row as (tag, text) pairs."""
    thead = BeautifulSoup(html, "html.parser").find("thead")
    return [
        [(cell.name, cell.get_text(strip=True)) for cell in row.find_all(["th", "td"])]
        for row in thead.find_all("tr")
    ]


def empty_headers(html: str) -> int:
    soup = BeautifulSoup(html, "html.parser")
    return sum(not th.get_text(strip=True) for th in soup.find_all("th"))


def test_named_index_moves_into_the_corner_and_its_row_goes() -> None:
    frame = pd.DataFrame({"n": [1, 2], "%": [50, 50]}, index=pd.Index(["a", "b"], name="arm"))
    raw = frame.to_html()
    assert empty_headers(raw) == 3
    tidy = tidy_table_headers(raw)
    assert header_rows(tidy) == [[("th", "arm"), ("th", "n"), ("th", "%")]]
    assert empty_headers(tidy) == 0
    body = BeautifulSoup(tidy, "html.parser").find("tbody").find_all("tr")
    assert [[c.name + c.get_text() for c in r.find_all(["th", "td"])] for r in body] == [
        ["tha", "td1", "td50"],
        ["thb", "td2", "td50"],
    ]


def test_styler_with_multiindex_rows_and_columns() -> None:
    columns = pd.MultiIndex.from_tuples([("comparison", ""), ("PFS", "p"), ("PFS", "hit")])
    rows = pd.MultiIndex.from_tuples([("x", "y")], names=["factor", "level"])
    styled = pd.DataFrame([["A vs B", 0.03, "hit"]], index=rows, columns=columns).style
    tidy = tidy_table_headers(styled.to_html())
    assert header_rows(tidy) == [
        [("td", ""), ("td", ""), ("th", "comparison"), ("th", "PFS")],
        [("th", "factor"), ("th", "level"), ("td", ""), ("th", "p"), ("th", "hit")],
    ]
    assert empty_headers(tidy) == 0


def test_unnamed_index_corner_becomes_a_data_cell() -> None:
    tidy = tidy_table_headers(pd.DataFrame({"n": [1]}).to_html())
    assert header_rows(tidy) == [[("td", ""), ("th", "n")]]


def test_html_without_empty_headers_is_returned_unchanged() -> None:
    page = '<p>a</p>\n<table class="x"><thead><tr><th>n</th></tr></thead></table>\n<p>b</p>'
    assert tidy_table_headers(page) == page
    hidden_index = pd.DataFrame({"n": [1]}).style.hide(axis="index").to_html()
    assert tidy_table_headers(hidden_index) == hidden_index


def test_only_the_tables_are_rewritten() -> None:
    table = pd.DataFrame({"n": [1]}, index=pd.Index(["a"], name="arm")).to_html()
    before, after = '<div id="x">&lt;th&gt;</div>\n', "\n<script>var a = 1 < 2;</script>"
    tidy = tidy_table_headers(before + table + after)
    assert tidy.startswith(before) and tidy.endswith(after)
    assert empty_headers(tidy) == 0


def test_describe_figure_reads_titles_axes_and_legends() -> None:
    figure, (left, right) = plt.subplots(1, 2)
    figure.suptitle("Overall survival")
    left.plot([0, 1], [1, 0], label="Co")
    left.plot([0, 1], [1, 0.5], label="Rt")
    left.legend()
    left.set(title="from detection", xlabel="months", ylabel="$S(t)$")
    right.set_visible(False)
    figure.legend(["all"])
    assert describe_figure(figure) == (
        "Overall survival. from detection; x axis: months; y axis: S(t); legend: Co, Rt. "
        "legend: all"
    )
    assert describe_figure(plt.figure()) == ""
    plt.close("all")

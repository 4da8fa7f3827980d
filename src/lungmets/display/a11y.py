"""Accessible HTML for the book: table headers a screen reader can use, text for figures.

pandas writes a DataFrame's index name on a header row of its own, below the column names and
padded with empty ``<th>`` cells, and leaves the corner above the index empty. A screen reader
announces those empty headers as column or row labels (axe: ``empty-table-header``).
:func:`tidy_table_headers` moves the index names into the corner cells and turns every header
left empty into a plain ``<td>``; the site extension runs it on every page and
:mod:`lungmets.display.panels` on every table a widget panel shows, so chapters render tables as
usual.

:func:`describe_figure` gives a figure's alternative text from what the figure itself prints
(titles, axis labels, legend entries), so the text cannot drift from the picture.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag
from matplotlib.figure import Figure

__all__ = ["describe_figure", "tidy_table_headers"]

_TABLE = re.compile(r"<table\b.*?</table>", re.IGNORECASE | re.DOTALL)
_EMPTY_TH = re.compile(r"<th\b[^>]*>(?:\s|&nbsp;|&#160;|\xa0)*</th>", re.IGNORECASE)


def _is_empty(cell: Tag) -> bool:
    """No text and no element inside (an image or a link would still label the cell)."""
    return not cell.get_text(strip=True) and cell.find(True) is None


def _cells(row: Tag) -> list[Tag]:
    return row.find_all(["th", "td"], recursive=False)


def _merge_index_name_row(rows: list[Tag]) -> None:
    """Put the index names of pandas' last header row into the empty corner cells above it.

    That row is the index names followed by one empty ``<th>`` per column; the row above
    starts with as many empty, unspanned ``<th>`` corner cells. Any other layout is left alone.
    """
    if len(rows) < 2:
        return
    names, above = _cells(rows[-1]), _cells(rows[-2])
    filled = [i for i, cell in enumerate(names) if not _is_empty(cell)]
    if not filled or any(cell.name != "th" for cell in names):
        return
    k = filled[-1] + 1
    corner = above[:k]
    if k == len(names) or len(corner) < k:
        return
    if any(c.name != "th" or not _is_empty(c) or c.get("colspan") or c.get("rowspan")
           for c in corner):
        return
    for empty, name in zip(corner, names[:k], strict=True):
        empty.replace_with(name.extract())
    rows[-1].decompose()


def _tidy_table(table_html: str) -> str:
    soup = BeautifulSoup(table_html, "html.parser")
    table = soup.find("table")
    if table is None:
        return table_html
    if table.thead is not None:
        _merge_index_name_row(table.thead.find_all("tr", recursive=False))
    for cell in table.find_all("th"):
        if _is_empty(cell):
            cell.name = "td"
    return str(soup)


def tidy_table_headers(html: str) -> str:
    """Return ``html`` with no empty table header: index names moved up, blanks made ``td``.

    Only tables that contain an empty ``<th>`` are re-parsed; the rest of ``html`` is returned
    byte for byte.
    """
    return _TABLE.sub(
        lambda m: _tidy_table(m.group(0)) if _EMPTY_TH.search(m.group(0)) else m.group(0), html
    )


def _plain(text: str) -> str:
    """Figure text without mathtext dollars, on one line."""
    return " ".join(text.replace("$", "").split())


def describe_figure(figure: Figure) -> str:
    """Alternative text for ``figure``: its title, then each plot's title, axes and legend.

    Returns "" when the figure prints no text at all; the caller then says what it shows.
    """
    parts = [_plain(figure.get_suptitle())] if figure.get_suptitle() else []
    for ax in figure.axes:
        if not ax.get_visible():
            continue
        words = [_plain(t) for t in (ax.get_title("left"), ax.get_title(), ax.get_title("right"))
                 if t.strip()]
        words += [f"{axis} axis: {_plain(label)}"
                  for axis, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel()))
                  if label.strip()]
        legend = ax.get_legend()
        entries = [_plain(t.get_text()) for t in legend.get_texts()] if legend else []
        if entries:
            words.append("legend: " + ", ".join(entries))
        if words:
            parts.append("; ".join(words))
    for legend in figure.legends:
        parts.append("legend: " + ", ".join(_plain(t.get_text()) for t in legend.get_texts()))
    return ". ".join(parts)

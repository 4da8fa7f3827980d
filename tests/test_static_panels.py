"""Panels rendered to HTML at build time (lungmets.site.static_panels) show what the widgets did."""

from __future__ import annotations

import base64
import json
import re

import ipywidgets as widgets
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from ipywidgets.embed import embed_data

from lungmets.display.panels import precomputed_grid, precomputed_panel
from lungmets.site.static_panels import (
    WIDGET_VIEW_MIME,
    UnsupportedWidgetError,
    render_widget_views,
)


@pytest.fixture(autouse=True)
def _fresh_widget_registry() -> None:
    """embed_data saves every open widget, as a notebook's saved state does; start empty."""
    widgets.Widget.close_all()


def _page(*views: widgets.Widget) -> tuple[str, dict]:
    """A page body holding the views' scripts, and the saved state, as nbclient saves them."""
    data = embed_data(views=list(views), drop_defaults=False)
    body = "".join(
        f'<p>before</p><script type="{WIDGET_VIEW_MIME}">{json.dumps(spec)}</script>'
        for spec in data["view_specs"]
    )
    return body, data["manager_state"]


class _Images:
    """Stores images the way the extension does, by call order, and remembers them."""

    def __init__(self) -> None:
        self.stored: list[tuple[bytes, str]] = []

    def __call__(self, data: bytes, image_format: str) -> str:
        self.stored.append((data, image_format))
        return f"../_images/panel-{len(self.stored)}.{image_format}"


def _table(value: object) -> pd.DataFrame:
    return pd.DataFrame({"Value": [value]}, index=["Row"])


def test_a_slider_panel_becomes_a_range_input_driving_its_stack() -> None:
    body, state = _page(precomputed_panel(_table, [1, 2, 3], "Number", live=False))
    rendered = render_widget_views(body, state, _Images())
    soup = BeautifulSoup(rendered.body, "html.parser")
    assert rendered.views == 1
    assert "before" in soup.get_text()
    assert not soup.find("script")
    slider = soup.select_one("input[type=range]")
    assert (slider["min"], slider["max"], slider["value"]) == ("0", "2", "0")
    assert slider["aria-valuetext"] == "1"
    assert json.loads(slider["data-lungmets-labels"]) == ["1", "2", "3"]
    assert soup.find("label", attrs={"for": slider["id"]}).get_text() == "Number"
    control = slider.find_parent(attrs={"data-lungmets-targets": True})
    stack = soup.find(id=control["data-lungmets-targets"])
    items = stack.find_all(class_="lungmets-w-item", recursive=False)
    assert [i.has_attr("hidden") for i in items] == [False, True, True]
    assert [i.select_one("tbody td").get_text() for i in items] == ["1", "2", "3"]


def test_dropdown_and_toggle_controls_keep_their_labels_and_selection() -> None:
    dropdown = precomputed_panel(_table, ["a", "b"], "Rule", control="dropdown")
    toggle = precomputed_panel(_table, ["x", "y"], "Origin", control="toggle")
    for panel in (dropdown, toggle):  # as a reader's last move in the notebook left them
        panel.controls[0].index = panel.stack.selected_index = 1
    body, state = _page(dropdown, toggle)
    soup = BeautifulSoup(render_widget_views(body, state, _Images()).body, "html.parser")
    options = soup.select("select option")
    assert [(o.get_text(), o.has_attr("selected")) for o in options] == [("a", False), ("b", True)]
    buttons = soup.select("[role=group] button")
    assert [(b.get_text(), b["aria-pressed"]) for b in buttons] == [
        ("x", "false"),
        ("y", "true"),
    ]
    for stack in soup.select(".lungmets-w-stack"):
        shown = [i["data-index"] for i in stack.find_all(class_="lungmets-w-item") if
                 not i.has_attr("hidden")]
        assert shown == ["1"]


def test_a_grid_links_its_column_control_to_every_inner_stack() -> None:
    grid = precomputed_grid(lambda r, c: _table(r * 10 + c), [1, 2], [1, 2, 3], "Row", "Column")
    body, state = _page(grid)
    soup = BeautifulSoup(render_widget_views(body, state, _Images()).body, "html.parser")
    row, column = soup.select(".lungmets-w-control")
    assert len(row["data-lungmets-targets"].split()) == 1
    assert len(column["data-lungmets-targets"].split()) == 2


def test_images_leave_the_html_and_hidden_states_load_lazily() -> None:
    png = b"\x89PNG\r\n\x1a\nnot-really-a-png"
    encoded = base64.b64encode(png).decode()
    panel = precomputed_panel(
        lambda v: f'<img alt="state {v}" src="data:image/png;base64,{encoded}">', [1, 2], "N"
    )
    body, state = _page(panel)
    images = _Images()
    rendered = render_widget_views(body, state, images)
    assert images.stored == [(png, "png"), (png, "png")]
    assert "base64" not in rendered.body
    tags = re.findall(r"<img [^>]*>", rendered.body)
    assert ['loading="lazy"' in tag for tag in tags] == [False, True]
    assert rendered.images == ["../_images/panel-1.png", "../_images/panel-2.png"]


def test_a_widget_the_renderer_does_not_know_is_an_error_not_a_gap() -> None:
    body, state = _page(widgets.VBox([widgets.IntText(3)]))
    with pytest.raises(UnsupportedWidgetError, match="IntTextModel"):
        render_widget_views(body, state, _Images())


def test_a_link_between_other_traits_is_an_error() -> None:
    dropdown, text = widgets.Dropdown(options=["a", "b"]), widgets.HTML("a")
    widgets.jslink((dropdown, "index"), (text, "value"))
    body, state = _page(widgets.VBox([dropdown, text]))
    with pytest.raises(UnsupportedWidgetError, match="only a control's 'index'"):
        render_widget_views(body, state, _Images())

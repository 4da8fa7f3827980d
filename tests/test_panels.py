"""Tests for lungmets.display.panels: static panels switch precomputed outputs, live panels
recompute."""

from __future__ import annotations

import base64
import html
import io
import re

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from ipywidgets.widgets.widget_link import Link
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from PIL import Image

from lungmets.display import panels
from lungmets.display.panels import (
    LIVE_ENV_VAR,
    LiveFigures,
    figure_to_png,
    live_kernel_available,
    precomputed_grid,
    precomputed_panel,
    to_output_widget,
)

DPI = 40


def render_line(slope: float) -> Figure:
    """A small figure whose pixels depend on ``slope``."""
    figure, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1], [0, slope])
    ax.set_ylim(0, 3)
    return figure


def output_of(state: widgets.VBox) -> widgets.Widget:
    """The output widget inside one Stack child (caption first, output second)."""
    return state.children[1]


def caption_of(state: widgets.VBox) -> str:
    return state.children[0].value


IMG = re.compile(r'^<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)"')


def png_of(output: widgets.Widget) -> bytes:
    """The PNG bytes of an output that shows a figure (an <img> with a data URL)."""
    match = IMG.match(output.value)
    assert match, f"not a PNG image: {output.value[:80]!r}"
    return base64.b64decode(match.group(1))


def pixels_of(png: bytes) -> np.ndarray:
    """The decoded image: live outputs are compressed more lightly, so compare pixels."""
    return np.asarray(Image.open(io.BytesIO(png)))


def same_image(a: bytes, b: bytes) -> bool:
    return np.array_equal(pixels_of(a), pixels_of(b))


def alt_of(output: widgets.Widget) -> str:
    match = IMG.match(output.value)
    assert match, f"not a PNG image: {output.value[:80]!r}"
    return html.unescape(match.group(2))


@pytest.fixture(autouse=True)
def no_env_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LIVE_ENV_VAR, raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)


def test_stack_has_one_child_per_value_in_order() -> None:
    values = [0.5, 1.0, 2.0, 2.5]
    panel = precomputed_panel(render_line, values, "Slope", dpi=DPI)
    assert len(panel.stack.children) == len(values)
    for i, (value, state) in enumerate(zip(values, panel.stack.children, strict=True)):
        assert f"<strong>{value}</strong>" in caption_of(state)
        assert f"lungmets-panel-state-{i}" in state._dom_classes
        assert png_of(output_of(state)) == figure_to_png(render_line(value), dpi=DPI)


@pytest.mark.parametrize(
    ("control", "widget_type"),
    [
        ("slider", widgets.SelectionSlider),
        ("dropdown", widgets.Dropdown),
        ("toggle", widgets.ToggleButtons),
    ],
)
def test_every_control_position_is_jslinked_to_a_precomputed_output(
    control: panels.Control, widget_type: type
) -> None:
    values = [1.0, 2.0, 3.0]
    panel = precomputed_panel(render_line, values, "Slope", control=control, dpi=DPI)
    (selector,) = panel.controls
    assert isinstance(selector, widget_type)
    assert [index for _, index in selector.options] == list(range(len(panel.stack.children)))
    (link,) = panel.links
    assert isinstance(link, Link)
    assert link.source == (selector, "index")
    assert link.target == (panel.stack, "selected_index")
    assert panel.stack.selected_index == selector.index == 0
    assert "lungmets-panel" in panel._dom_classes


def test_link_is_in_the_widget_state_that_the_page_embeds() -> None:
    """myst-nb embeds Widget.get_manager_state(); the link must reference both models."""
    panel = precomputed_panel(render_line, [1.0, 2.0], "Slope", dpi=DPI)
    state = widgets.Widget.get_manager_state(drop_defaults=True)["state"]
    link_state = state[panel.links[0].model_id]["state"]
    assert link_state["source"] == [f"IPY_MODEL_{panel.controls[0].model_id}", "index"]
    assert link_state["target"] == [f"IPY_MODEL_{panel.stack.model_id}", "selected_index"]
    assert tuple(state[panel.stack.model_id]["state"]["_dom_classes"]) == (
        "lungmets-panel-stack",
    )


def test_precomputed_outputs_differ_between_values() -> None:
    panel = precomputed_panel(render_line, [0.5, 1.0, 2.0], "Slope", dpi=DPI)
    pngs = [png_of(output_of(state)) for state in panel.stack.children]
    assert len(set(pngs)) == 3


def test_rendering_is_deterministic() -> None:
    first = precomputed_panel(render_line, [1.0, 2.0], "Slope", dpi=DPI)
    second = precomputed_panel(render_line, [1.0, 2.0], "Slope", dpi=DPI)
    for a, b in zip(first.stack.children, second.stack.children, strict=True):
        assert output_of(a).value == output_of(b).value


def test_figure_to_png_closes_the_figure_and_drops_software_metadata() -> None:
    figure = render_line(1.0)
    png = figure_to_png(figure, dpi=DPI)
    assert png.startswith(b"\x89PNG")
    assert b"matplotlib" not in png.lower()
    assert not plt.fignum_exists(figure.number)


def test_static_panel_has_no_live_control_and_says_how_to_recompute() -> None:
    panel = precomputed_panel(render_line, [1.0, 2.0], "Slope", dpi=DPI)
    assert not live_kernel_available()
    assert panel.live_control is None and panel.live_box is None
    note = panel.children[-1]
    assert "lungmets-panel-note" in note._dom_classes
    assert "only the precomputed values" in note.value and "Binder" in note.value


def test_live_mode_recomputes_for_a_value_not_precomputed() -> None:
    values = [0.5, 1.0, 2.0]
    panel = precomputed_panel(render_line, values, "Slope", live=True, dpi=DPI)
    assert isinstance(panel.live_control, widgets.FloatSlider)
    assert (panel.live_control.min, panel.live_control.max) == (0.5, 2.0)
    panel.live_control.value = 1.37
    assert same_image(png_of(panel.live_output), figure_to_png(render_line(1.37), dpi=DPI))
    assert not any(same_image(png_of(panel.live_output), png_of(output_of(s)))
                   for s in panel.stack.children)
    assert alt_of(panel.live_output) == "Slope = 1.37"
    assert "<strong>1.37</strong>" in panel.live_box.children[2].value


def test_live_mode_reports_a_failed_recomputation_in_the_panel() -> None:
    def render(value: float) -> Figure:
        if value > 2.5:
            raise RuntimeError("too steep")
        return render_line(value)

    panel = precomputed_panel(render, [1.0, 2.0, 2.5], "Slope", live=True, dpi=DPI,
                              live_control=widgets.FloatText(value=1.0))
    before = panel.live_output.value
    panel.live_control.value = 3.0
    assert "too steep" in panel.live_box.children[2].value
    assert panel.live_output.value == before


def test_environment_override_switches_live_detection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LIVE_ENV_VAR, "live")
    assert live_kernel_available()
    panel = precomputed_panel(render_line, [1, 2, 3], "Slope", dpi=DPI)
    assert isinstance(panel.live_control, widgets.IntSlider)
    monkeypatch.setenv(LIVE_ENV_VAR, "static")
    assert not live_kernel_available()
    monkeypatch.setenv(LIVE_ENV_VAR, "sometimes")
    with pytest.raises(ValueError, match="expected 'live' or 'static'"):
        live_kernel_available()


def test_empty_values_raise() -> None:
    with pytest.raises(ValueError, match="values is empty"):
        precomputed_panel(render_line, [], "Slope")


def test_duplicate_values_raise_naming_both_positions() -> None:
    with pytest.raises(ValueError, match=r"values\[0\] and values\[2\] are both 1.0"):
        precomputed_panel(render_line, [1.0, 2.0, 1.0], "Slope")


def test_labels_that_collide_raise() -> None:
    with pytest.raises(ValueError, match=r"same label '1' to values\[0\] and values\[1\]"):
        precomputed_panel(render_line, [1.0, 1.2], "Slope", format_value=lambda v: f"{v:.0f}")


def test_too_many_states_raise() -> None:
    with pytest.raises(ValueError, match="more than max_states=3"):
        precomputed_panel(render_line, [1, 2, 3, 4], "Slope", max_states=3)


def test_unknown_control_raises() -> None:
    with pytest.raises(ValueError, match="control='knob'"):
        precomputed_panel(render_line, [1.0], "Slope", control="knob")  # type: ignore[arg-type]


def test_forced_live_mode_needs_numeric_values_or_an_explicit_control() -> None:
    with pytest.raises(ValueError, match="live mode needs numeric values"):
        precomputed_panel(lambda v: f"<b>{v}</b>", ["a", "b"], "Letter", live=True)


def test_in_a_live_kernel_categories_stay_complete_and_numbers_get_a_free_control(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What Binder users meet: every chapter's panels build, whatever their values."""
    monkeypatch.setenv(LIVE_ENV_VAR, "live")
    categories = precomputed_panel(lambda v: f"<b>{v}</b>", ["a", "b"], "Letter")
    assert categories.live_control is None and categories.live_box is None
    assert "Every option of this control is precomputed" in categories.children[-1].value
    numbers = precomputed_panel(render_line, [0.5, 1.0, 2.0], "Slope")
    assert isinstance(numbers.live_control, widgets.FloatSlider)
    assert "Live kernel" in numbers.children[-1].value


def test_a_static_page_offers_recomputation_only_where_values_are_open_ended() -> None:
    categories = precomputed_panel(lambda v: f"<b>{v}</b>", ["a", "b"], "Letter")
    numbers = precomputed_panel(render_line, [0.5, 1.0], "Slope")
    assert "Every option of this control is precomputed" in categories.children[-1].value
    assert "open the page in a live kernel" in numbers.children[-1].value


def test_every_image_says_what_it_shows_for_each_value() -> None:
    """A screen reader gets the control value and the figure's own text, never nothing."""

    def render(slope: float) -> Figure:
        figure = render_line(slope)
        figure.suptitle("Line")
        figure.axes[0].set(xlabel="time (months)", ylabel="$y$", title="slope test")
        figure.axes[0].legend(["fit"])
        return figure

    panel = precomputed_panel(render, [0.5, 1.0], "Slope", dpi=DPI)
    assert [alt_of(output_of(s)) for s in panel.stack.children] == [
        f"Slope = {v}: Line. slope test; x axis: time (months); y axis: y; legend: fit"
        for v in (0.5, 1.0)
    ]
    grid = precomputed_grid(lambda r, c: render_line(c), ["a"], [1.0], "Row", "Column", dpi=DPI)
    assert alt_of(output_of(grid.stack.children[0].children[0])) == "Row = a, Column = 1.0"
    assert alt_of(to_output_widget(render_line(1.0), dpi=DPI)) == "Figure"


def test_tables_and_html_become_html_widgets_without_empty_headers() -> None:
    named = pd.DataFrame({"n": [3, 4]}, index=pd.Index(["a", "b"], name="group"))
    table = to_output_widget(named)
    assert isinstance(table, widgets.HTML) and "<table" in table.value
    assert re.findall(r"<th>([^<]*)</th>", table.value) == ["group", "n", "a", "b"]
    assert to_output_widget("<b>x</b>").value == "<b>x</b>"
    snippet = to_output_widget(pd.DataFrame({"n": [1]}).to_html())
    assert "<th></th>" not in snippet.value and "<td></td>" in snippet.value
    with pytest.raises(TypeError, match="got int"):
        to_output_widget(3)  # type: ignore[arg-type]


def test_grid_links_one_column_control_to_every_inner_stack() -> None:
    rows, columns = ["a", "b"], [1, 2, 3]
    panel = precomputed_grid(
        lambda r, c: f"<p>{r}{c}</p>", rows, columns, "Row", "Column"
    )
    row_selector, column_selector = panel.controls
    assert len(panel.stack.children) == len(rows)
    for r, inner in enumerate(panel.stack.children):
        assert len(inner.children) == len(columns)
        for c, cell in enumerate(inner.children):
            assert output_of(cell).value == f"<p>{rows[r]}{columns[c]}</p>"
    assert panel.links[0].source == (row_selector, "index")
    assert panel.links[0].target == (panel.stack, "selected_index")
    assert [link.target[0] for link in panel.links[1:]] == list(panel.stack.children)
    assert all(link.source == (column_selector, "index") for link in panel.links[1:])


def test_grid_larger_than_max_states_raises() -> None:
    with pytest.raises(ValueError, match="rows x columns gives 6 outputs"):
        precomputed_grid(lambda r, c: "", [1, 2], [1, 2, 3], "R", "C", max_states=5)


# --------------------------------------------------------------------------- grid, live mode


def render_cell(row: str, slope: float) -> Figure:
    """A grid cell: the row shifts the line, the column sets its slope."""
    figure = render_line(slope)
    figure.axes[0].plot([0, 1], [{"low": 0.0, "high": 1.0}[row]] * 2)
    return figure


def live_row_control(panel: panels.Panel) -> widgets.Dropdown:
    """The live box's own row drop-down (heading, row, free column control, caption, output)."""
    return panel.live_box.children[1]


def test_live_grid_recomputes_for_any_column_and_either_row() -> None:
    panel = precomputed_grid(render_cell, ["low", "high"], [0.5, 1.0, 2.0], "Level", "Slope",
                             live=True, dpi=DPI)
    assert isinstance(panel.live_control, widgets.FloatSlider)
    assert (panel.live_control.min, panel.live_control.max) == (0.5, 2.0)
    rows = live_row_control(panel)
    assert isinstance(rows, widgets.Dropdown) and rows.index == 0
    assert same_image(png_of(panel.live_output), figure_to_png(render_cell("low", 0.5), dpi=DPI))
    panel.live_control.value = 1.37
    assert same_image(png_of(panel.live_output), figure_to_png(render_cell("low", 1.37), dpi=DPI))
    rows.index = 1
    assert same_image(png_of(panel.live_output), figure_to_png(render_cell("high", 1.37), dpi=DPI))
    assert alt_of(panel.live_output) == "Level = high, Slope = 1.37"
    caption = panel.live_box.children[3].value
    assert "<strong>high</strong>" in caption and "<strong>1.37</strong>" in caption
    assert "Live kernel" in panel.children[-1].value


def test_live_grid_labels_a_free_value_with_format_value_where_it_can() -> None:
    panel = precomputed_grid(
        lambda r, c: f"<p>{r} {c}</p>", ["a", "b"], [1.0, 2.0], "Row", "Column", live=True,
        format_value=lambda v: v if isinstance(v, str) else f"{v:.1f} months")
    panel.live_control.value = 1.25
    assert "<strong>1.2 months</strong>" in panel.live_box.children[3].value
    assert panel.live_output.value == "<p>a 1.25</p>"


def test_live_grid_reports_a_failed_recomputation_and_keeps_the_last_output() -> None:
    def render(row: str, slope: float) -> str:
        if slope > 2.5:
            raise RuntimeError("too steep")
        return f"<p>{row} {slope}</p>"

    panel = precomputed_grid(render, ["a", "b"], [1.0, 2.0], "Row", "Slope", live=True,
                             live_control=widgets.FloatText(value=1.0))
    before = panel.live_output.value
    panel.live_control.value = 3.0
    assert "too steep" in panel.live_box.children[3].value
    assert panel.live_output.value == before


def test_grid_goes_live_by_itself_only_for_open_ended_columns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In a kernel (Binder), numeric columns get a free control; category columns stay complete."""
    monkeypatch.setenv(LIVE_ENV_VAR, "live")
    numbers = precomputed_grid(lambda r, c: f"<p>{r}{c}</p>", ["a", "b"], [1, 2, 3], "R", "C")
    assert isinstance(numbers.live_control, widgets.IntSlider)
    categories = precomputed_grid(lambda r, c: f"<p>{r}{c}</p>", [1, 2], ["x", "y"], "R", "C")
    assert categories.live_control is None and categories.live_box is None
    assert "precomputed combinations" in categories.children[-1].value


def test_static_grid_has_no_live_box_and_says_how_to_recompute_open_columns() -> None:
    numbers = precomputed_grid(lambda r, c: f"<p>{r}{c}</p>", ["a"], [1.0, 2.0], "R", "C")
    assert numbers.live_control is None and numbers.live_box is None
    assert "open the page in a live kernel" in numbers.children[-1].value
    with pytest.raises(ValueError, match="live mode needs numeric values"):
        precomputed_grid(lambda r, c: "", ["a"], ["x", "y"], "R", "C", live=True)


def _constrained(slope: float) -> Figure:
    figure, ax = plt.subplots(figsize=(2, 1.5), layout="constrained")
    ax.plot([0, 1], [0, slope])
    ax.set_ylim(0, 3)
    ax.set_ylabel("Survival")
    return figure


def test_live_figures_lay_out_the_first_figure_only_and_draw_the_same_pixels(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A live control's later figures reuse the first one's layout (one draw, not two) and
    still give the image a fresh, fully laid-out figure gives."""
    layouts: list[Figure] = []
    execute = ConstrainedLayoutEngine.execute
    monkeypatch.setattr(ConstrainedLayoutEngine, "execute",
                        lambda engine, fig: layouts.append(fig) or execute(engine, fig))
    live = LiveFigures()
    first = live.png(_constrained(1.0), DPI)
    laid_out = len(layouts)
    second = live.png(_constrained(1.0), DPI)
    assert laid_out >= 1 and len(layouts) == laid_out
    assert same_image(first, second)
    assert same_image(second, figure_to_png(_constrained(1.0), dpi=DPI))
    cropped = LiveFigures()  # no layout engine: cropped tight every time, as precomputed
    for slope in (1.0, 2.0):
        assert same_image(cropped.png(render_line(slope), DPI),
                          figure_to_png(render_line(slope), dpi=DPI))


def test_live_figures_reuse_one_renderer_and_leave_no_trace_of_the_last_figure() -> None:
    """Later live figures are drawn with the first one's renderer (its text sizes cached), and
    each image is the one a fresh figure gives: nothing of the previous drawing remains."""
    live = LiveFigures()
    live.png(_constrained(3.0), DPI)
    renderer = next(iter(live._renderers.values()))
    for slope in (1.0, 2.0):
        assert same_image(live.png(_constrained(slope), DPI),
                          figure_to_png(_constrained(slope), dpi=DPI))
    assert list(live._renderers.values()) == [renderer]


def test_rgba_png_decodes_to_the_pixels_it_was_given_and_refuses_other_arrays() -> None:
    """The live images' own PNG encoder: any decoder reads back the exact pixels, alpha too."""
    pixels = np.random.default_rng(7).integers(0, 256, size=(5, 3, 4), dtype=np.uint8)
    decoded = Image.open(io.BytesIO(panels.rgba_png(pixels)))
    assert decoded.mode == "RGBA" and decoded.size == (3, 5)
    assert np.array_equal(np.asarray(decoded), pixels)
    with pytest.raises(ValueError, match="height x width x 4 uint8"):
        panels.rgba_png(pixels[..., :3])
    with pytest.raises(ValueError, match="uint8"):
        panels.rgba_png(pixels.astype(np.float64))


def test_fixed_title_height_moves_no_title() -> None:
    """Panel states are drawn with a fixed title height (faster); on a figure like the book's,
    titles above axes with their tick labels below, the pixels are the same as without it."""
    from lungmets.display.plots import plot_km

    def render() -> Figure:
        ax = plot_km([3, 5, 8, 13, 21, 30], [1, 0, 1, 1, 0, 1], ["A", "B"] * 3,
                     time_label="Months", title="Two groups")
        return ax.figure

    default = panels.figure_to_png(render())
    fixed = panels.figure_to_png(panels._rendered(render))
    assert plt.rcParams["axes.titley"] is None  # the setting does not leak out
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(default))),
                          np.asarray(Image.open(io.BytesIO(fixed))))

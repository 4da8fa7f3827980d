"""Widget panels for sensitivity analyses that keep working in the static book.

The book is published as static HTML: no kernel answers a slider there. So a panel renders its
outputs for a short list of values at build time and lets the browser switch between them:
every control is ``jslink``-ed to a ``widgets.Stack`` whose children are the precomputed
outputs (PNG images with alt text, or HTML tables). nbclient saves the widget state and the
book's build renders it to plain HTML (:mod:`lungmets.site.static_panels`), with a few lines of
script switching the outputs, so every control position maps to an output that already exists:
there is never a dead control.

In a live kernel (Binder, Jupyter) the same panel can also recompute: ``live=True`` (or an
automatically detected interactive kernel) adds a free control wired with ``observe`` that
calls the same ``render`` function for any value. Live controls are never added during a batch
execution such as the book build, because in the static page they would do nothing.

Rendering a figure to PNG is the slow part (``benchmarks/live.md`` times it for every live
control), so panels are capped at ``max_states`` precomputed outputs.
"""

from __future__ import annotations

import base64
import html
import io
import numbers
import os
import struct
import zlib
from collections.abc import Callable, Sequence
from typing import Any, Literal

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Image
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure

from lungmets.display.a11y import describe_figure, tidy_table_headers

__all__ = [
    "LIVE_ENV_VAR",
    "LiveFigures",
    "Panel",
    "Renderable",
    "figure_to_png",
    "live_kernel_available",
    "precomputed_grid",
    "precomputed_panel",
    "rgba_png",
    "shared_figure",
    "to_output_widget",
]

Renderable = Figure | Axes | pd.DataFrame | str
"""What a render function may return: a figure (or axes of one), a table, or an HTML snippet."""

Control = Literal["slider", "dropdown", "toggle"]

LIVE_ENV_VAR = "LUNGMETS_PANELS"
"""Set to ``live`` or ``static`` to override kernel detection (e.g. in VS Code)."""

PANEL_CLASS = "lungmets-panel"
# Inline, because pages may centre figure content and the widget HTML has no stylesheet of its own.
_TEXT_STYLE = "text-align: left; margin: 0.25em 0;"
DEFAULT_DPI = 100
DEFAULT_MAX_STATES = 24

STATIC_NOTE = (
    "This page is static: only the precomputed values above are available, and switching "
    "between them happens in your browser without a kernel. To recompute for any value, open "
    "the page in a live kernel (the launch button at the top of the page starts Binder)."
)
LIVE_NOTE = (
    "Live kernel: the control under <em>Any value</em> recomputes the output in the kernel; "
    "the precomputed values above still switch instantly."
)
COMPLETE_NOTE = (
    "Every option of this control is precomputed, so it switches in your browser, with or "
    "without a kernel."
)
GRID_NOTE = (
    "Only the precomputed combinations above are available; they switch in your browser "
    "without a kernel. In a live notebook, edit the values in the code cell to compute others."
)


_RENDER_RC = {"axes.titley": 1.0}
"""Matplotlib settings every panel state is built with. A fixed title height spares
matplotlib its search for tick labels above each axes, a tenth of a live recomputation; no
figure in the book puts tick labels above an axes, so no title moves."""

_DRAW_RC = {"text.hinting": "no_hinting"}
"""Settings every panel image is drawn with: unhinted glyphs, as browsers on most screens draw
text, render about an eighth faster than matplotlib's forced autohinting."""


def figure_to_png(figure: Figure, dpi: int = DEFAULT_DPI) -> bytes:
    """Render ``figure`` to PNG bytes and close it.

    The bytes are deterministic (no software or date metadata), so a rebuild with the same data
    gives an identical page; closing the figure stops the notebook from also showing it inline.
    A figure with a layout engine (``layout="constrained"``) keeps its exact size, so the image
    does not jump when a slider switches states; one without is cropped tight so nothing is cut.
    """
    buffer = io.BytesIO()
    tight = "tight" if figure.get_layout_engine() is None else None
    with plt.rc_context(_DRAW_RC):
        figure.savefig(buffer, format="png", dpi=dpi, bbox_inches=tight,
                       metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def shared_figure(figure: Figure, dpi: int = DEFAULT_DPI) -> Image:
    """A page figure that a panel also shows, for ``glue``: the panel's own PNG bytes.

    Why: glued as a figure, matplotlib's inline output is cropped and encoded differently from
    the panel's image of the same plot, so the site would store and send it twice. With equal
    bytes the build writes one file for both (``book/_ext/lungmets_panels.py`` names images by
    the SHA-256 of their PNG). Closes the figure, as :func:`figure_to_png` does.
    """
    return Image(data=figure_to_png(figure, dpi=dpi), format="png")


class LiveFigures:
    """PNGs for a live control's outputs, each laid out figure drawn once instead of twice.

    Why: ``savefig`` draws a figure with a layout engine twice, once to lay it out; measured in
    ``benchmarks/live.md``, that layout pass is about a third of a live recomputation. A live
    control redraws the same figure for another value, so the first output is laid out once
    and later ones of the same size and number of axes take its axes positions and are drawn
    once, straight onto an Agg canvas. Figures without a layout engine are cropped tight each
    time, as :func:`figure_to_png` does. PNG encoding is light (:func:`rgba_png`): a live image
    is shown once, never stored, so it need not be small. Precomputed outputs keep
    :func:`figure_to_png`.
    """

    def __init__(self) -> None:
        self._shape: tuple[tuple[float, ...], int] | None = None
        self._positions: list[Any] = []
        self._renderers: dict[tuple[float, ...], RendererAgg] = {}

    def png(self, figure: Figure, dpi: int) -> bytes:
        """Render ``figure`` (reusing the first figure's layout when it fits) and close it."""
        with plt.rc_context(_DRAW_RC):
            png = self._draw(figure, dpi)
        plt.close(figure)
        return png

    def _draw(self, figure: Figure, dpi: int) -> bytes:
        if figure.get_layout_engine() is None:
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight",
                           metadata={"Software": None}, pil_kwargs={"compress_level": 1})
            return buffer.getvalue()
        shape = (tuple(round(float(x), 3) for x in figure.get_size_inches()), len(figure.axes))
        if shape == self._shape:
            figure.set_layout_engine("none")
            for axes, position in zip(figure.axes, self._positions, strict=True):
                axes.set_position(position)
        else:  # lay it out at the saving resolution, as savefig would
            screen_dpi = figure.dpi
            figure.set_dpi(dpi)
            figure.draw_without_rendering()
            figure.set_dpi(screen_dpi)
            self._shape, self._positions = shape, [axes.get_position() for axes in figure.axes]
            figure.set_layout_engine("none")
        # savefig would draw once more "to make sure the layout works" (any layout engine, even
        # the "none" set above, triggers it): draw the laid-out figure directly.
        figure.set_dpi(dpi)
        canvas = _ReusedRendererCanvas(figure, self._renderers)
        canvas.draw()
        return rgba_png(np.asarray(canvas.buffer_rgba()))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def rgba_png(pixels: np.ndarray) -> bytes:
    """An 8-bit RGBA PNG of ``pixels`` (height x width x 4), unfiltered, at zlib level 1.

    Why: Pillow tries a filter on every row and takes about three times as long to encode a live
    image (about 11 ms of a panel's recomputation against 4 ms); without filters a chart's white
    background still compresses well, and a live image is shown once, never stored.
    """
    if pixels.ndim != 3 or pixels.shape[2] != 4 or pixels.dtype != np.uint8:
        raise ValueError(f"expected height x width x 4 uint8 pixels, got {pixels.shape} "
                         f"{pixels.dtype}")
    height, width = pixels.shape[:2]
    rows = np.zeros((height, 1 + 4 * width), dtype=np.uint8)  # leading 0: filter type None
    rows[:, 1:] = pixels.reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)) + _png_chunk(b"IEND", b""))


class _ReusedRendererCanvas(FigureCanvasAgg):
    """An Agg canvas that draws with a renderer kept from earlier figures of the same size.

    Why: matplotlib caches each text's measured size per renderer, and a new canvas makes a
    new renderer, so every live redraw measured every tick label and title again.
    """

    def __init__(self, figure: Figure, renderers: dict[tuple[float, ...], RendererAgg]) -> None:
        super().__init__(figure)
        self._renderers = renderers

    def get_renderer(self) -> RendererAgg:
        """The kept renderer for this size and resolution, made on first use."""
        width, height = self.get_width_height(physical=True)
        key = (width, height, self.figure.dpi)
        if key not in self._renderers:
            self._renderers[key] = RendererAgg(width, height, self.figure.dpi)
        self.renderer = self._renderers[key]
        return self.renderer


def _rendered(render: Callable[..., Renderable], *values: Any) -> Renderable:
    """``render(*values)`` under :data:`_RENDER_RC`, for precomputed and live states alike."""
    with plt.rc_context(_RENDER_RC):
        return render(*values)


def _image_html(png: bytes, alt: str) -> str:
    """An ``<img>`` carrying its PNG as a data URL, because ``widgets.Image`` has no alt text."""
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}" '
        'style="display: block; max-width: 100%; height: auto;">'
    )


def to_output_widget(output: Renderable, dpi: int = DEFAULT_DPI, shown: str = "",
                     live: LiveFigures | None = None) -> widgets.HTML:
    """Turn one rendered output into a widget the static page can show.

    Figures (or axes) become a PNG ``<img>`` whose alternative text is ``shown`` (what the
    control selects, e.g. "Slope = 2") followed by :func:`~lungmets.display.a11y.describe_figure`; a
    DataFrame becomes an HTML table; a string is taken as an HTML snippet (escape user text
    before passing it). Tables get :func:`~lungmets.display.a11y.tidy_table_headers`. ``live`` draws
    figures faster for a live control (:class:`LiveFigures`).
    """
    if isinstance(output, Axes):
        output = output.figure  # type: ignore[assignment]
    if isinstance(output, Figure):
        alt = ": ".join(part for part in (shown, describe_figure(output)) if part) or "Figure"
        png = live.png(output, dpi) if live is not None else figure_to_png(output, dpi=dpi)
        widget = widgets.HTML(_image_html(png, alt))
    elif isinstance(output, pd.DataFrame):
        widget = widgets.HTML(
            tidy_table_headers(output.to_html(classes="lungmets-table", border=0))
        )
    elif isinstance(output, str):
        widget = widgets.HTML(tidy_table_headers(output))
    else:
        raise TypeError(
            "render must return a matplotlib Figure or Axes, a pandas DataFrame or an HTML "
            f"string; got {type(output).__name__}"
        )
    widget.add_class("lungmets-panel-output")
    return widget


def live_kernel_available() -> bool:
    """Whether a person is driving this kernel, so that live controls can answer.

    True only inside an IPython kernel started by a Jupyter server (JupyterLab, Notebook,
    Binder set ``JPY_SESSION_NAME`` for the kernels they start). A batch execution such as the
    book build (nbclient) does not set it, so static pages never get controls that cannot
    respond. ``LUNGMETS_PANELS=live`` or ``static`` overrides the detection.
    """
    override = os.environ.get(LIVE_ENV_VAR, "").strip().lower()
    if override in {"live", "static"}:
        return override == "live"
    if override:
        raise ValueError(f"{LIVE_ENV_VAR}={override!r}: expected 'live' or 'static'")
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipywidgets
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel") and "JPY_SESSION_NAME" in os.environ


class Panel(widgets.VBox):
    """A displayed panel plus handles on its parts (for tests and for composing pages).

    It is an ordinary ``VBox`` in the browser; the extra attributes exist only in Python.
    """

    def __init__(
        self,
        children: Sequence[widgets.Widget],
        *,
        controls: Sequence[widgets.Widget],
        stack: widgets.Stack,
        links: Sequence[widgets.Widget],
        live_control: widgets.ValueWidget | None = None,
        live_box: widgets.VBox | None = None,
    ) -> None:
        super().__init__(children=list(children))
        self.add_class(PANEL_CLASS)
        self.controls = tuple(controls)
        self.stack = stack
        self.links = tuple(links)
        self.live_control = live_control
        self.live_box = live_box

    @property
    def live_output(self) -> widgets.Widget | None:
        """The widget currently showing the live (recomputed) output, if any."""
        return None if self.live_box is None else self.live_box.children[-1]


def _check_values(values: Sequence[Any], name: str, max_states: int) -> list[Any]:
    """Reject lists that would give an empty, ambiguous or too slow panel."""
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must be a sequence of values, not a single string")
    checked = list(values)
    if not checked:
        raise ValueError(f"{name} is empty: a panel needs at least one value to precompute")
    for j, value in enumerate(checked):
        for i in range(j):
            if checked[i] == value:
                raise ValueError(
                    f"{name} has a duplicate: {name}[{i}] and {name}[{j}] are both {value!r}"
                )
    if len(checked) > max_states:
        raise ValueError(
            f"{name} has {len(checked)} values, more than max_states={max_states}: each is "
            "rendered at build time, so keep panels small (or raise max_states knowingly)"
        )
    return checked


def _labels(values: Sequence[Any], format_value: Callable[[Any], str], name: str) -> list[str]:
    labels = [format_value(value) for value in values]
    for j, label in enumerate(labels):
        if label in labels[:j]:
            raise ValueError(
                f"{name}: format_value gives the same label {label!r} to "
                f"{name}[{labels.index(label)}] and {name}[{j}]"
            )
    return labels


def _make_control(kind: Control, labels: Sequence[str], label: str) -> widgets.Widget:
    """A selection control whose ``index`` (not value) is linked, which jslink can sync."""
    options = [(text, i) for i, text in enumerate(labels)]
    common: dict[str, Any] = {
        "options": options,
        "index": 0,
        "description": label,
        "style": {"description_width": "initial"},
    }
    if kind == "slider":
        control = widgets.SelectionSlider(
            **common, continuous_update=True, layout=widgets.Layout(width="min(100%, 36rem)")
        )
    elif kind == "dropdown":
        control = widgets.Dropdown(**common)
    elif kind == "toggle":
        control = widgets.ToggleButtons(**common)
    else:
        raise ValueError(f"control={kind!r}: expected 'slider', 'dropdown' or 'toggle'")
    control.add_class("lungmets-panel-control")
    return control


def _state(caption: str, output: widgets.Widget, index: int) -> widgets.VBox:
    """One precomputed state: a caption naming the value, then the output."""
    caption_widget = widgets.HTML(
        f'<p class="lungmets-panel-caption" style="{_TEXT_STYLE}">{caption}</p>'
    )
    state = widgets.VBox([caption_widget, output])
    state.add_class("lungmets-panel-state")
    state.add_class(f"lungmets-panel-state-{index}")
    return state


def _shown(label: str, value_label: str) -> str:
    return f"Showing {html.escape(label)} = <strong>{html.escape(value_label)}</strong>"


def _numeric(values: Sequence[Any]) -> bool:
    return all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values)


def _default_live_control(values: Sequence[Any], label: str) -> widgets.ValueWidget:
    """A free slider spanning the precomputed range, for numeric values only."""
    if not _numeric(values):
        raise ValueError(
            "live mode needs numeric values to build its free control; pass live_control= "
            "(any ipywidgets value widget) for other kinds of values"
        )
    low, high = min(values), max(values)
    if low == high:
        raise ValueError("live mode needs at least two distinct values to span a range")
    common: dict[str, Any] = {
        "value": values[0],
        "min": low,
        "max": high,
        "description": label,
        "continuous_update": False,
        "style": {"description_width": "initial"},
        "layout": widgets.Layout(width="min(100%, 36rem)"),
    }
    if all(isinstance(v, numbers.Integral) for v in values):
        return widgets.IntSlider(**common, step=1)
    return widgets.FloatSlider(**common, step=(high - low) / 100, readout_format=".3g")


def _live_box(
    render: Callable[[Any], Renderable],
    label: str,
    control: widgets.ValueWidget,
    dpi: int,
) -> widgets.VBox:
    """Free control + output recomputed in the kernel on every change."""
    caption = widgets.HTML()
    heading = widgets.HTML("<p><em>Any value</em> (recomputed in the live kernel):</p>")
    box = widgets.VBox([heading, control, caption, widgets.HTML()])
    box.add_class("lungmets-panel-live")
    control.add_class("lungmets-panel-live-control")
    figures = LiveFigures()

    def update(value: Any) -> None:
        try:
            output = to_output_widget(_rendered(render, value), dpi=dpi, shown=f"{label} = {value}",
                                      live=figures)
        except Exception as error:  # shown to the reader, who chose the value
            caption.value = (
                f"<p>Could not recompute for {html.escape(label)} = {html.escape(str(value))}: "
                f"{html.escape(repr(error))}</p>"
            )
            return
        old = box.children[-1]
        box.children = (*box.children[:-1], output)
        old.close()
        shown = _shown(label, str(value))
        caption.value = f'<p class="lungmets-panel-caption" style="{_TEXT_STYLE}">{shown}</p>'

    control.observe(lambda change: update(change["new"]), names="value")
    update(control.value)
    return box


def _note(text: str) -> widgets.HTML:
    note = widgets.HTML(f'<p style="{_TEXT_STYLE} font-size: 0.85em;">{text}</p>')
    note.add_class("lungmets-panel-note")
    return note


def _intro(description: str) -> list[widgets.Widget]:
    if not description:
        return []
    intro = widgets.HTML(f'<p style="{_TEXT_STYLE}">{html.escape(description)}</p>')
    intro.add_class("lungmets-panel-description")
    return [intro]


def precomputed_panel(
    render: Callable[[Any], Renderable],
    values: Sequence[Any],
    label: str,
    description: str = "",
    control: Control = "slider",
    *,
    format_value: Callable[[Any], str] = str,
    live: bool | None = None,
    live_control: widgets.ValueWidget | None = None,
    dpi: int = DEFAULT_DPI,
    max_states: int = DEFAULT_MAX_STATES,
) -> Panel:
    """A control that switches between outputs of ``render`` precomputed for ``values``.

    Works without a kernel: the control's ``index`` is jslinked to a Stack of the outputs, and
    each Stack child carries a caption naming its value. ``live=None`` adds a free control when
    :func:`live_kernel_available` and the values are numbers (or ``live_control`` is given): a
    set of categories is complete once precomputed, so it gets none. ``live=True`` forces it
    (numeric ``values`` span its range unless ``live_control`` is given). Raises ValueError for
    empty or duplicate values.
    """
    checked = _check_values(values, "values", max_states)
    labels = _labels(checked, format_value, "values")
    selector = _make_control(control, labels, label)
    states = [
        _state(
            _shown(label, text),
            to_output_widget(_rendered(render, value), dpi=dpi, shown=f"{label} = {text}"),
            i,
        )
        for i, (value, text) in enumerate(zip(checked, labels, strict=True))
    ]
    stack = widgets.Stack(states, selected_index=0)
    stack.add_class("lungmets-panel-stack")
    links = [widgets.jslink((selector, "index"), (stack, "selected_index"))]

    # A finite set of options (categories) is complete once precomputed: a kernel found by
    # detection adds a free control only for numeric values; live=True insists on one.
    open_ended = live_control is not None or _numeric(checked)
    is_live = live is True or (live is None and open_ended and live_kernel_available())
    box, free = None, None
    if is_live:
        free = live_control if live_control is not None else _default_live_control(checked, label)
        box = _live_box(render, label, free, dpi)
    note = LIVE_NOTE if is_live else STATIC_NOTE if open_ended else COMPLETE_NOTE
    children = [*_intro(description), selector, stack, *([box] if box else []), _note(note)]
    return Panel(
        children,
        controls=[selector],
        stack=stack,
        links=links,
        live_control=free,
        live_box=box,
    )


def precomputed_grid(
    render: Callable[[Any, Any], Renderable],
    rows: Sequence[Any],
    columns: Sequence[Any],
    row_label: str,
    column_label: str,
    description: str = "",
    *,
    row_control: Control = "dropdown",
    column_control: Control = "slider",
    format_value: Callable[[Any], str] = str,
    live: bool | None = None,
    live_control: widgets.ValueWidget | None = None,
    dpi: int = DEFAULT_DPI,
    max_states: int = DEFAULT_MAX_STATES,
) -> Panel:
    """Two controls over a grid of outputs precomputed for every (row, column) pair.

    jslink joins one trait to one trait, so no single Stack index can follow two controls.
    Instead the row control selects a child of an outer Stack, and each child is an inner
    Stack over the columns; the one column control is jslinked to every inner Stack, so all of
    them already sit at the chosen column when the row changes.

    Live mode treats the rows as a complete set of categories and the columns as possibly open,
    as :func:`precomputed_panel` does with its values: ``live=None`` adds, in a live kernel and
    when the columns are numbers (or ``live_control`` is given), an *Any value* box with its
    own row drop-down and a free column control (``live_control``, or a slider spanning the
    numeric columns); a change of either calls ``render(row, column)`` in the kernel.
    ``live=True`` forces it. The free column control is ``Panel.live_control``.
    """
    row_values = _check_values(rows, "rows", max_states)
    column_values = _check_values(columns, "columns", max_states)
    n_states = len(row_values) * len(column_values)
    if n_states > max_states:
        raise ValueError(
            f"rows x columns gives {n_states} outputs, more than max_states={max_states}"
        )
    row_labels = _labels(row_values, format_value, "rows")
    column_labels = _labels(column_values, format_value, "columns")
    row_selector = _make_control(row_control, row_labels, row_label)
    column_selector = _make_control(column_control, column_labels, column_label)

    inner_stacks = []
    links = []
    for r, (row, row_text) in enumerate(zip(row_values, row_labels, strict=True)):
        cells = []
        for c, (column, column_text) in enumerate(zip(column_values, column_labels, strict=True)):
            caption = f"{_shown(row_label, row_text)}, {_shown(column_label, column_text)}"
            shown = f"{row_label} = {row_text}, {column_label} = {column_text}"
            output = to_output_widget(_rendered(render, row, column), dpi=dpi, shown=shown)
            cells.append(_state(caption, output, r * len(column_values) + c))
        inner = widgets.Stack(cells, selected_index=0)
        inner.add_class("lungmets-panel-inner-stack")
        links.append(widgets.jslink((column_selector, "index"), (inner, "selected_index")))
        inner_stacks.append(inner)
    outer = widgets.Stack(inner_stacks, selected_index=0)
    outer.add_class("lungmets-panel-stack")
    links.insert(0, widgets.jslink((row_selector, "index"), (outer, "selected_index")))

    open_ended = live_control is not None or _numeric(column_values)
    is_live = live is True or (live is None and open_ended and live_kernel_available())
    box, free = None, None
    if is_live:
        free = live_control if live_control is not None else _default_live_control(
            column_values, column_label)
        free.add_class("lungmets-panel-live-control")
        row_free = _make_control("dropdown", row_labels, row_label)
        caption = widgets.HTML()
        heading = widgets.HTML("<p><em>Any value</em> (recomputed in the live kernel):</p>")
        box = widgets.VBox([heading, row_free, free, caption, widgets.HTML()])
        box.add_class("lungmets-panel-live")
        figures = LiveFigures()

        def update(_: object = None) -> None:
            row_text, value = row_labels[row_free.index], free.value
            try:  # format_value was written for the precomputed values; fall back to str
                value_text = format_value(value)
            except Exception:
                value_text = str(value)
            shown = f"{_shown(row_label, row_text)}, {_shown(column_label, value_text)}"
            try:
                output = to_output_widget(
                    _rendered(render, row_values[row_free.index], value), dpi=dpi,
                    shown=f"{row_label} = {row_text}, {column_label} = {value_text}",
                    live=figures)
            except Exception as error:  # shown to the reader, who chose the values
                reason = html.escape(repr(error))
                caption.value = f"<p>Could not recompute for {shown}: {reason}</p>"
                return
            old = box.children[-1]
            box.children = (*box.children[:-1], output)
            old.close()
            caption.value = f'<p class="lungmets-panel-caption" style="{_TEXT_STYLE}">{shown}</p>'

        row_free.observe(update, names="index")
        free.observe(update, names="value")
        update()
    note = LIVE_NOTE if is_live else STATIC_NOTE if open_ended else GRID_NOTE
    children = [*_intro(description), row_selector, column_selector, outer,
                *([box] if box else []), _note(note)]
    return Panel(children, controls=[row_selector, column_selector], stack=outer, links=links,
                 live_control=free, live_box=box)

"""Saved widget state rendered to plain HTML, so a panel paints with the page it sits on.

Why: the book's panels (:mod:`lungmets.display.panels`) are Stacks of precomputed outputs switched
by a slider, a drop-down or toggle buttons through ``jslink``. The stock way to show them in a
static page is the ipywidgets HTML manager: 1.1 MB of script (gzip) plus the whole widget
state, images included, in the page head, all parsed before a widget appears. On a slow
hospital network that kept chapters blank for 15-47 s. The widgets this book uses are few
and simple, so the build renders them itself:

* every saved view becomes ordinary HTML (native ``<input type="range">``, ``<select>`` and
  ``<button>`` elements with labels), the selected output of each Stack visible and the others
  ``hidden``;
* each ``jslink`` from a control's ``index`` to a Stack's ``selected_index`` becomes a
  ``data-lungmets-targets`` attribute, which a few lines of script
  (``book/_ext/static/lungmets-panels.js``) follow;
* every embedded image is taken out of the HTML into its own file named by its content's
  SHA-256, so identical figures are stored once and hidden states load only when shown.

A model this renderer does not know is an error naming the page's model, never a silent gap.
The notebooks themselves are untouched: in Jupyter the real ipywidgets run.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "WIDGET_STATE_MIME",
    "WIDGET_VIEW_MIME",
    "RenderedPanels",
    "UnsupportedWidgetError",
    "render_widget_views",
]

WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
VIEW_SCRIPT = re.compile(
    r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', re.S
)
DATA_IMAGE = re.compile(r'src="data:image/(png|jpeg|webp|gif);base64,([A-Za-z0-9+/=\s]+)"')
MODEL_PREFIX = "IPY_MODEL_"
ID_PREFIX = "lm-w-"
# Models that carry no content of their own (sizes and colours only).
IGNORED_MODELS = frozenset({
    "LayoutModel",
    "DescriptionStyleModel",
    "HTMLStyleModel",
    "SliderStyleModel",
    "ToggleButtonsStyleModel",
})

ImageWriter = Callable[[bytes, str], str]
"""Stores an image (bytes, format) and returns the URL the page uses for it."""


class UnsupportedWidgetError(ValueError):
    """A saved widget this renderer cannot turn into HTML (so the page would lose it)."""


@dataclass
class RenderedPanels:
    """A page body with its widget views rendered, and what the rendering found."""

    body: str
    views: int
    images: list[str] = field(default_factory=list)


def _ref(value: str) -> str:
    if not isinstance(value, str) or not value.startswith(MODEL_PREFIX):
        raise UnsupportedWidgetError(f"expected a model reference, got {value!r}")
    return value.removeprefix(MODEL_PREFIX)


def _classes(base: str, state: dict[str, Any]) -> str:
    return html.escape(" ".join([base, *state.get("_dom_classes", [])]), quote=True)


def _label_text(state: dict[str, Any]) -> str:
    text = state.get("description", "") or ""
    return text if state.get("description_allow_html") else html.escape(text)


class _Renderer:
    """Walks one page's widget state; one instance per page, so element ids stay unique."""

    def __init__(self, models: dict[str, Any], write_image: ImageWriter) -> None:
        self.models = models
        self.write_image = write_image
        self.targets = self._link_targets()
        self.rendered: set[str] = set()
        self.images: list[str] = []

    def _link_targets(self) -> dict[str, list[str]]:
        """Control model id -> the Stack ids its ``index`` is jslinked to."""
        targets: dict[str, list[str]] = {}
        for model_id, model in self.models.items():
            if model["model_name"] != "LinkModel":
                continue
            source, source_trait = model["state"]["source"]
            target, target_trait = model["state"]["target"]
            if (source_trait, target_trait) != ("index", "selected_index"):
                raise UnsupportedWidgetError(
                    f"link {model_id} joins {source_trait!r} to {target_trait!r}; only a "
                    "control's 'index' to a Stack's 'selected_index' is supported"
                )
            targets.setdefault(_ref(source), []).append(ID_PREFIX + _ref(target))
        return targets

    def render(self, model_id: str, visible: bool = True) -> str:
        model = self.models.get(model_id)
        if model is None:
            raise UnsupportedWidgetError(f"model {model_id} is not in the page's widget state")
        if model_id in self.rendered:
            raise UnsupportedWidgetError(f"model {model_id} is displayed twice on one page")
        self.rendered.add(model_id)
        name = model["model_name"]
        render = getattr(self, f"_render_{name}", None)
        if render is None:
            raise UnsupportedWidgetError(f"model {model_id} is a {name}, which is not supported")
        return render(model_id, model["state"], visible)

    def _render_VBoxModel(self, model_id: str, state: dict[str, Any], visible: bool) -> str:
        children = "".join(self.render(_ref(c), visible) for c in state["children"])
        return f'<div class="{_classes("lungmets-w-box", state)}">{children}</div>'

    _render_HBoxModel = _render_VBoxModel
    _render_BoxModel = _render_VBoxModel

    def _render_StackModel(self, model_id: str, state: dict[str, Any], visible: bool) -> str:
        selected = state.get("selected_index")
        items = []
        for index, child in enumerate(state["children"]):
            shown = index == selected
            hidden = "" if shown else " hidden"
            content = self.render(_ref(child), visible and shown)
            items.append(
                f'<div class="lungmets-w-item" data-index="{index}"{hidden}>{content}</div>'
            )
        return (
            f'<div class="{_classes("lungmets-w-stack", state)}" id="{ID_PREFIX}{model_id}">'
            f'{"".join(items)}</div>'
        )

    def _render_HTMLModel(self, model_id: str, state: dict[str, Any], visible: bool) -> str:
        value = DATA_IMAGE.sub(lambda m: self._image(m, visible), state.get("value", ""))
        return f'<div class="{_classes("lungmets-w-html", state)}">{value}</div>'

    def _image(self, match: re.Match[str], visible: bool) -> str:
        url = self.write_image(base64.b64decode(match.group(2)), match.group(1))
        self.images.append(url)
        lazy = "" if visible else ' loading="lazy"'
        return f'src="{html.escape(url, quote=True)}" decoding="async"{lazy}'

    def _control(self, model_id: str, state: dict[str, Any], kind: str, inner: str) -> str:
        targets = " ".join(self.targets.get(model_id, []))
        if not targets:
            raise UnsupportedWidgetError(f"{kind} {model_id} is linked to no Stack")
        return (
            f'<div class="{_classes("lungmets-w-control lungmets-w-" + kind, state)}" '
            f'data-lungmets-targets="{targets}">{inner}</div>'
        )

    def _render_SelectionSliderModel(self, model_id: str, state: dict[str, Any], _: bool) -> str:
        labels, index = state["_options_labels"], state["index"]
        element = ID_PREFIX + model_id
        inner = (
            f'<label for="{element}">{_label_text(state)}</label>'
            f'<input type="range" id="{element}" min="0" max="{len(labels) - 1}" step="1" '
            f'value="{index}" aria-valuetext="{html.escape(labels[index], quote=True)}" '
            f"data-lungmets-labels='{html.escape(json.dumps(labels), quote=True)}'>"
            f'<output for="{element}">{html.escape(labels[index])}</output>'
        )
        return self._control(model_id, state, "slider", inner)

    def _render_DropdownModel(self, model_id: str, state: dict[str, Any], _: bool) -> str:
        element = ID_PREFIX + model_id
        options = "".join(
            f'<option value="{i}"{" selected" if i == state["index"] else ""}>'
            f"{html.escape(label)}</option>"
            for i, label in enumerate(state["_options_labels"])
        )
        inner = (
            f'<label for="{element}">{_label_text(state)}</label>'
            f'<select id="{element}">{options}</select>'
        )
        return self._control(model_id, state, "dropdown", inner)

    def _render_ToggleButtonsModel(self, model_id: str, state: dict[str, Any], _: bool) -> str:
        label_id = f"{ID_PREFIX}{model_id}-label"
        buttons = "".join(
            f'<button type="button" data-index="{i}" '
            f'aria-pressed="{"true" if i == state["index"] else "false"}">'
            f"{html.escape(label)}</button>"
            for i, label in enumerate(state["_options_labels"])
        )
        inner = (
            f'<span class="lungmets-w-label" id="{label_id}">{_label_text(state)}</span>'
            f'<div role="group" aria-labelledby="{label_id}">{buttons}</div>'
        )
        return self._control(model_id, state, "toggle", inner)


def _check_models(models: dict[str, Any]) -> None:
    for model_id, model in models.items():
        name = model.get("model_name")
        renderable = hasattr(_Renderer, f"_render_{name}")
        known = name in IGNORED_MODELS or name == "LinkModel" or renderable
        if not known:
            raise UnsupportedWidgetError(f"model {model_id} is a {name}, which is not supported")


def render_widget_views(
    body: str, state: dict[str, Any], write_image: ImageWriter
) -> RenderedPanels:
    """Replace every saved widget view in ``body`` with its HTML (see the module docstring).

    ``state`` is the page's saved widget state (the ``widget-state+json`` document);
    ``write_image`` stores each embedded image and returns its URL. Raises
    :class:`UnsupportedWidgetError` for a widget, or a link, that the renderer cannot show.
    """
    models = state.get("state", {})
    _check_models(models)
    renderer = _Renderer(models, write_image)
    views = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal views
        views += 1
        view = json.loads(html.unescape(match.group(1)))
        return f'<div class="lungmets-w-view">{renderer.render(view["model_id"])}</div>'

    rendered = VIEW_SCRIPT.sub(replace, body)
    return RenderedPanels(body=rendered, views=views, images=renderer.images)

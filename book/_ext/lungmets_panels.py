"""Local Sphinx extension: widget panels rendered as plain HTML at build time.

Why: see :mod:`lungmets.static_panels`. myst-nb puts each page's saved widget state in the
page head, for the ipywidgets HTML manager to replay after 1.1 MB of script. This extension
takes that state out of the page, renders every saved view into the body, writes each
embedded image once to ``_images/`` (lossless WebP when smaller than the PNG, named by the
PNG's SHA-256 so identical figures share one file) and adds ``lungmets-panels.js`` (a few
hundred bytes, deferred) to make the controls switch outputs. A widget the renderer does not
support is a warning, so under ``-W`` the build fails rather than publishing a gap.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

from PIL import Image
from sphinx.application import Sphinx
from sphinx.util import logging

from lungmets.static_panels import WIDGET_STATE_MIME, UnsupportedWidgetError, render_widget_views

__all__ = ["encode_image", "render_page_panels", "setup"]

logger = logging.getLogger(__name__)

PANELS_JS = "lungmets-panels.js"
IMAGE_DIR = "_images"
WEBP_METHOD = 4  # libwebp's effort (0-6): 4 is its default balance of size and time


def encode_image(data: bytes, image_format: str) -> tuple[bytes, str]:
    """The smaller of the image as given and as lossless WebP (same pixels either way)."""
    if image_format != "png":
        return data, image_format
    out = io.BytesIO()
    with Image.open(io.BytesIO(data)) as image:
        image.save(out, "WEBP", lossless=True, method=WEBP_METHOD)
    webp = out.getvalue()
    return (webp, "webp") if len(webp) < len(data) else (data, "png")


def _image_writer(app: Sphinx, pathto: Any) -> Any:
    folder = Path(app.outdir) / IMAGE_DIR

    def write(data: bytes, image_format: str) -> str:
        stem = hashlib.sha256(data).hexdigest()
        existing = sorted(folder.glob(f"panel-{stem}.*"))
        if existing:
            name = existing[0].name
        else:
            encoded, extension = encode_image(data, image_format)
            name = f"panel-{stem}.{extension}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(encoded)
        return pathto(f"{IMAGE_DIR}/{name}", 1)

    return write


def render_page_panels(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Move the saved widget state out of the head and into rendered HTML in the body."""
    scripts = context.get("script_files", [])
    states = [
        js for js in scripts if getattr(js, "attributes", {}).get("type") == WIDGET_STATE_MIME
    ]
    if not states or "body" not in context:
        return
    for js in states:
        scripts.remove(js)
    state = json.loads(states[0].attributes["body"])
    try:
        write_image = _image_writer(app, context["pathto"])
        rendered = render_widget_views(context["body"], state, write_image)
    except UnsupportedWidgetError as error:
        logger.warning(
            "%s: %s", pagename, error, location=pagename, type="lungmets", subtype="panels"
        )
        return
    context["body"] = rendered.body
    if rendered.views:
        app.add_js_file(PANELS_JS, defer="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    """After myst-nb (priority 500) has added the page's widget state, before rendering."""
    app.connect("html-page-context", render_page_panels, priority=550)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}

"""Local Sphinx extension: widget panels rendered as plain HTML at build time.

Why: see :mod:`lungmets.site.static_panels`. myst-nb puts each page's saved widget state in the
page head, for the ipywidgets HTML manager to replay after 1.1 MB of script. This extension
takes that state out of the page, renders every saved view into the body, writes each
embedded image once to ``_images/`` (lossless WebP when smaller than the PNG, named by the
PNG's SHA-256 so identical figures share one file) and adds ``lungmets-panels.js`` (a few
hundred bytes, deferred) to make the controls switch outputs. A widget the renderer does not
support is a warning, so under ``-W`` the build fails rather than publishing a gap.

The page's own figures get the same treatment: myst-nb names each PNG by its SHA-256 too, so
a page figure whose bytes equal a panel's image (:func:`lungmets.display.panels.shared_figure`)
becomes the very file the panel shows, and every figure goes out as WebP when that is smaller.
PNGs no page links to any more are removed when the build finishes.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

from PIL import Image
from sphinx.application import Sphinx
from sphinx.util import logging

from lungmets.site.static_panels import (
    WIDGET_STATE_MIME,
    UnsupportedWidgetError,
    render_widget_views,
)

__all__ = ["encode_image", "remove_replaced_pngs", "render_page_panels", "setup",
           "webp_page_figures"]

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


def _store_image(folder: Path, data: bytes, image_format: str) -> str:
    """Write the image once as ``<sha256 of its bytes>.<png|webp>``; return the file's name."""
    stem = hashlib.sha256(data).hexdigest()
    if (folder / f"{stem}.webp").exists():
        return f"{stem}.webp"
    # A PNG of that name may be Sphinx's copy from an earlier build: encode again to decide.
    encoded, extension = encode_image(data, image_format)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.{extension}").write_bytes(encoded)
    return f"{stem}.{extension}"


def _image_writer(app: Sphinx, pathto: Any) -> Any:
    folder = Path(app.outdir) / IMAGE_DIR

    def write(data: bytes, image_format: str) -> str:
        return pathto(f"{IMAGE_DIR}/{_store_image(folder, data, image_format)}", 1)

    return write


PAGE_PNG = re.compile(r'(<img\b[^>]*\bsrc=")([^"]*?)' + IMAGE_DIR + r'/([0-9a-f]{64})\.png"')
# myst-nb gives an output image its file path as alt text, which a screen reader spells out.
PATH_ALT = re.compile(r'\balt="[^"]*?' + IMAGE_DIR + r'/[0-9a-f]{64}\.png"')


def webp_page_figures(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Point the page's figures at their WebP twins (written once, shared with panels), and
    drop the file path myst-nb puts in their alt text."""
    if "body" not in context:
        return
    sources = {Path(dest).stem: Path(app.srcdir, src) for src, dest in app.builder.images.items()}
    folder = Path(app.outdir) / IMAGE_DIR

    def replace(match: re.Match[str]) -> str:
        prefix, relative, stem = match.groups()
        if stem not in sources:
            return match.group(0)
        name = _store_image(folder, sources[stem].read_bytes(), "png")
        return f'{prefix}{relative}{IMAGE_DIR}/{name}"'

    # A figure's caption says what it shows; the path said nothing, so the image is marked as
    # described by the text around it.
    context["body"] = PATH_ALT.sub('alt=""', PAGE_PNG.sub(replace, context["body"]))


def remove_replaced_pngs(app: Sphinx, exception: Exception | None) -> None:
    """Delete each PNG that has a WebP twin and that no page links to."""
    folder = Path(app.outdir) / IMAGE_DIR
    if exception is not None or app.builder.format != "html" or not folder.is_dir():
        return
    replaced = {p.stem: p for p in folder.glob("*.png") if (folder / f"{p.stem}.webp").exists()}
    if not replaced:
        return
    linked = set()
    for page in Path(app.outdir).rglob("*.html"):
        linked.update(re.findall(r"([0-9a-f]{64})\.png", page.read_text(encoding="utf-8")))
    for stem, png in replaced.items():
        if stem not in linked:
            png.unlink()


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
    app.connect("html-page-context", webp_page_figures, priority=560)
    app.connect("build-finished", remove_replaced_pngs)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}

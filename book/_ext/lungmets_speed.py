"""Local Sphinx extension: pages that paint fast on a slow network (issue #14).

Measured with scripts/benchmark_pages.py (1.6 Mbps, 150 ms round trip, CPU 4x slower), three
things the theme does delayed the first paint. This extension undoes them.

**Icons.** pydata-sphinx-theme loads ``scripts/fontawesome.js`` (1.5 MB, 530 kB gzip) on every page
to swap each ``<i class="fa-solid fa-bars">`` for an SVG. Its stylesheet already carries Font
Awesome's webfont rules (``.fa-bars:before{content:"\\f0c9"}`` and local woff2 fonts), so the
same icons draw without the script. After the build this extension

* drops the script tag from every page and the script from ``_static/scripts/``;
* finds the icons the pages and the theme's own scripts use, and cuts each woff2/ttf font down
  to those glyphs (about 160 kB to a few kB), so the fonts it keeps cost almost nothing.

Icons are found by class name (``fa-<name>``), so an icon a later template adds is kept too;
one the theme's stylesheet has no glyph for is a warning (fatal under ``-W``).

**Search scripts.** The theme loads Sphinx's search tools and the whole search index on every
page, synchronously in the head, for its search pop-up; they are marked ``defer`` (their
order kept), so the page paints first and the pop-up works once they have run.

**Images.** Figures below the fold download and decode while the text is waiting to paint;
every image gets ``loading="lazy" decoding="async"`` (the browser still fetches those in view
at once).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fontTools import subset
from fontTools.ttLib import TTFont
from sphinx.application import Sphinx
from sphinx.util import logging

__all__ = [
    "defer_search_scripts",
    "icon_codepoints",
    "icons_used",
    "lazy_images",
    "setup",
    "strip_icon_script",
]

logger = logging.getLogger(__name__)

ICON_SCRIPT = "scripts/fontawesome.js"
THEME_CSS = "styles/pydata-sphinx-theme.css"
FONT_DIR = "vendor/fontawesome/webfonts"
ICON_CLASS = re.compile(r"\bfa-([a-z0-9-]+)")
SCRIPT_TAG = re.compile(
    r'<script[^>]*src="[^"]*' + re.escape(ICON_SCRIPT) + r'[^"]*"[^>]*></script>\n?'
)
SEARCH_SCRIPT = re.compile(
    r'<script src="([^"]*(?:_static/searchtools\.js|_static/language_data\.js|searchindex\.js))">'
)
WITHOUT_LOADING = re.compile(r"<img (?![^>]*\bloading=)")
WITHOUT_DECODING = re.compile(r"<img (?![^>]*\bdecoding=)")
GLYPH_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:before,?)+)\{content:"\\([0-9a-f]+)"\}')
# Class names that style an icon rather than name one.
MODIFIERS = re.compile(
    r"(solid|regular|brands|classic|sharp|fw|lg|xl|2xl|xs|2xs|sm|[0-9]+x|spin|pulse|beat"
    r"|fade|bounce|flip|shake|border|pull-left|pull-right|stack|stack-1x|stack-2x|inverse|li|ul"
    r"|rotate-[0-9]+|rotate-by|flip-horizontal|flip-vertical|flip-both|width-auto)"
)


def strip_icon_script(html: str) -> str:
    """The page without its Font Awesome script tag."""
    return SCRIPT_TAG.sub("", html)


def defer_search_scripts(html: str) -> str:
    """The theme's head-loaded search scripts, deferred in their order."""
    return SEARCH_SCRIPT.sub(r'<script defer src="\1">', html)


def lazy_images(html: str) -> str:
    """Every image without a loading policy loads lazily and decodes off the main thread."""
    html = WITHOUT_LOADING.sub('<img loading="lazy" ', html)
    return WITHOUT_DECODING.sub('<img decoding="async" ', html)


def icons_used(texts: list[str]) -> set[str]:
    """Icon names (``bars`` for ``fa-bars``) in pages or scripts, style classes left out."""
    return {name for text in texts for name in ICON_CLASS.findall(text)
            if not MODIFIERS.fullmatch(name)}


def icon_codepoints(theme_css: str) -> dict[str, int]:
    """Icon name -> its glyph's codepoint, from the stylesheet's ``:before`` rules."""
    codepoints: dict[str, int] = {}
    for selectors, code in GLYPH_RULE.findall(theme_css):
        for name in re.findall(r"\.fa-([a-z0-9-]+):before", selectors):
            codepoints[name] = int(code, 16)
    return codepoints


def _subset_font(path: Path, codepoints: set[int]) -> None:
    """Keep only the given glyphs (and the font's own bookkeeping), in the same format."""
    font = TTFont(path)
    options = subset.Options()
    options.flavor = "woff2" if path.suffix == ".woff2" else None
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    font.flavor = options.flavor
    font.save(path)


def lazy_page_images(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Images in the page body load lazily (see the module docstring)."""
    if "body" in context:
        context["body"] = lazy_images(context["body"])


def slim_pages(app: Sphinx, exception: Exception | None) -> None:
    """Drop the icon script, defer the search scripts, cut the icon fonts to the icons used."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    static = outdir / "_static"
    pages = sorted(outdir.rglob("*.html"))
    texts = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        slim = defer_search_scripts(strip_icon_script(text))
        if slim != text:
            page.write_text(slim, encoding="utf-8")
        texts.append(slim)
    script = static / ICON_SCRIPT
    script.unlink(missing_ok=True)
    texts += [p.read_text(encoding="utf-8") for p in sorted((static / "scripts").glob("*.js"))]
    codepoints = icon_codepoints((static / THEME_CSS).read_text(encoding="utf-8"))
    used = icons_used(texts)
    missing = sorted(name for name in used if name not in codepoints)
    if missing:
        logger.warning("icons without a glyph in the theme's stylesheet: %s", ", ".join(missing),
                       type="lungmets", subtype="icons")
    wanted = {codepoints[name] for name in used if name in codepoints}
    for font in sorted((static / FONT_DIR).glob("*")):
        if font.suffix in {".woff2", ".ttf"}:
            _subset_font(font, wanted)


def setup(app: Sphinx) -> dict[str, Any]:
    """Images once panels are rendered; the rest after every page and static file is written."""
    app.connect("html-page-context", lazy_page_images, priority=700)
    app.connect("build-finished", slim_pages)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
